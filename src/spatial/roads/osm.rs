//! Reading an OpenStreetMap PBF extract into a [`RoadGraph`] for one mode
//! of travel.

use std::collections::HashMap;
use std::path::Path;

use geo::{Distance, Haversine, Point};

use super::graph::{Edge, RoadGraph};
use crate::domain::model::Grade;
use crate::domain::scenario::{RoadMode, RoadPolicy};

/// What an edge weighs: its length, or the time to travel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Millimetres.
    Length,
    /// Milliseconds at the profile's speed for the road's type.
    Time,
}

/// Which ways a child can travel, and how fast.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// `walk` or `drive`, for outputs.
    pub name: String,
    /// `highway=*` values kept.
    pub highways: Vec<String>,
    /// Respect `oneway` (driving); walking ignores it.
    pub oneway: bool,
    /// Speed per highway type, km/h; others go at `default_speed_kmh`.
    pub speeds_kmh: Vec<(String, f64)>,
    pub default_speed_kmh: f64,
    pub measure: Measure,
}

impl Profile {
    /// On foot (primary pupils): streets and paths, both directions, 4.5 km/h.
    pub fn walking() -> Profile {
        Profile {
            name: "walk".into(),
            highways: [
                "primary",
                "primary_link",
                "secondary",
                "secondary_link",
                "tertiary",
                "tertiary_link",
                "unclassified",
                "residential",
                "living_street",
                "service",
                "pedestrian",
                "footway",
                "path",
                "steps",
                "track",
                "cycleway",
            ]
            .map(String::from)
            .to_vec(),
            oneway: false,
            speeds_kmh: Vec::new(),
            default_speed_kmh: 4.5,
            measure: Measure::Length,
        }
    }

    /// By school bus or car (junior and rural pupils): roads, one-way rules.
    pub fn driving() -> Profile {
        Profile {
            name: "drive".into(),
            highways: [
                "motorway",
                "motorway_link",
                "trunk",
                "trunk_link",
                "primary",
                "primary_link",
                "secondary",
                "secondary_link",
                "tertiary",
                "tertiary_link",
                "unclassified",
                "residential",
                "living_street",
                "service",
            ]
            .map(String::from)
            .to_vec(),
            oneway: true,
            speeds_kmh: [
                ("motorway", 90.0),
                ("motorway_link", 50.0),
                ("trunk", 70.0),
                ("trunk_link", 40.0),
                ("primary", 50.0),
                ("primary_link", 35.0),
                ("secondary", 40.0),
                ("secondary_link", 30.0),
                ("tertiary", 35.0),
                ("tertiary_link", 25.0),
                ("unclassified", 30.0),
                ("residential", 25.0),
                ("living_street", 10.0),
                ("service", 15.0),
            ]
            .map(|(k, v)| (k.to_string(), v))
            .to_vec(),
            default_speed_kmh: 30.0,
            measure: Measure::Length,
        }
    }

    pub fn speed_kmh(&self, highway: &str) -> f64 {
        self.speeds_kmh
            .iter()
            .find(|(k, _)| k == highway)
            .map_or(self.default_speed_kmh, |&(_, v)| v)
    }

    /// Weight of a segment of `metres` on a road of type `highway`.
    pub fn weight(&self, metres: f64, highway: &str) -> u32 {
        let w = match self.measure {
            Measure::Length => metres * 1000.0,
            Measure::Time => metres / (self.speed_kmh(highway) / 3.6) * 1000.0,
        };
        w.ceil().min(f64::from(u32::MAX)) as u32
    }
}

struct Way {
    refs: Vec<i64>,
    highway: String,
    /// 1 forward only, -1 backward only, 0 both.
    direction: i8,
}

/// Why a file cannot serve as the road network: a problem of the input
/// (exit code 2). The message names what was expected; the file is named
/// by [`super::RoadError::Network`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// The file cannot be read at all.
    #[error("cannot read the file: {0}; expected an OpenStreetMap .osm.pbf extract")]
    Unreadable(String),
    /// The file does not open as a PBF extract.
    #[error("cannot open as an OSM PBF extract: {0}; expected an OpenStreetMap .osm.pbf extract")]
    NotPbf(String),
    /// The file opens, but its blocks cannot be decoded (truncated,
    /// damaged, or another format).
    #[error("unreadable OSM PBF: {0}; expected an OpenStreetMap .osm.pbf extract")]
    Damaged(String),
    /// The extract has no road of the travel profile.
    #[error("no ways with highway = {highways} in the extract; expected an extract with the roads of the district")]
    NoRoads { highways: String },
}

/// Read the ways of `profile` from a PBF extract. Segments whose nodes are
/// missing from the extract are left out.
pub fn read_pbf(path: &Path, profile: &Profile) -> Result<RoadGraph, NetworkError> {
    let reader =
        osmpbf::ElementReader::from_path(path).map_err(|e| NetworkError::NotPbf(e.to_string()))?;
    let mut nodes: HashMap<i64, (f64, f64)> = HashMap::new();
    let mut ways: Vec<Way> = Vec::new();
    reader
        .for_each(|el| match el {
            osmpbf::Element::Node(n) => {
                nodes.insert(n.id(), (n.lon(), n.lat()));
            }
            osmpbf::Element::DenseNode(n) => {
                nodes.insert(n.id(), (n.lon(), n.lat()));
            }
            osmpbf::Element::Way(w) => {
                let mut highway = None;
                let mut oneway = None;
                let mut barred = false;
                for (k, v) in w.tags() {
                    match k {
                        "highway" => highway = Some(v.to_string()),
                        "oneway" => oneway = Some(v.to_string()),
                        "junction" if v == "roundabout" && oneway.is_none() => {
                            oneway = Some("yes".into())
                        }
                        "access" if v == "no" || v == "private" => barred = true,
                        "foot" if v == "no" && profile.name == "walk" => barred = true,
                        "motor_vehicle" | "motorcar" if v == "no" && profile.name == "drive" => {
                            barred = true
                        }
                        _ => {}
                    }
                }
                let Some(highway) = highway.filter(|h| profile.highways.iter().any(|k| k == h))
                else {
                    return;
                };
                if barred {
                    return;
                }
                let direction = match (profile.oneway, oneway.as_deref()) {
                    (true, Some("yes" | "true" | "1")) => 1,
                    (true, Some("-1" | "reverse")) => -1,
                    _ => 0,
                };
                ways.push(Way {
                    refs: w.refs().collect(),
                    highway,
                    direction,
                });
            }
            _ => {}
        })
        .map_err(|e| NetworkError::Damaged(e.to_string()))?;
    // compact node numbers, in order of first use (repeatable)
    let mut index: HashMap<i64, u32> = HashMap::new();
    let mut coords = Vec::new();
    let mut edges = Vec::new();
    for w in &ways {
        for pair in w.refs.windows(2) {
            let (Some(&a), Some(&b)) = (nodes.get(&pair[0]), nodes.get(&pair[1])) else {
                continue;
            };
            let mut id = |osm: i64, at: (f64, f64)| -> u32 {
                *index.entry(osm).or_insert_with(|| {
                    coords.push(Point::new(at.0, at.1));
                    (coords.len() - 1) as u32
                })
            };
            let (u, v) = (id(pair[0], a), id(pair[1], b));
            if u == v {
                continue;
            }
            let metres = Haversine.distance(Point::new(a.0, a.1), Point::new(b.0, b.1));
            let weight = profile.weight(metres, &w.highway);
            if w.direction >= 0 {
                edges.push(Edge {
                    from: u,
                    to: v,
                    weight,
                });
            }
            if w.direction <= 0 {
                edges.push(Edge {
                    from: v,
                    to: u,
                    weight,
                });
            }
        }
    }
    if coords.is_empty() {
        return Err(NetworkError::NoRoads {
            highways: profile.highways.join(", "),
        });
    }
    Ok(RoadGraph::from_edges(coords, edges))
}

/// The travel profile a scenario's road policy gives `grade`: the walking
/// or driving defaults, with the scenario's own highway list and speeds.
pub fn profile_for(this: &RoadPolicy, grade: Grade) -> Profile {
    let mode = *this.mode.get(grade);
    let (mut p, own) = match mode {
        RoadMode::Walk => (Profile::walking(), &this.walk_highways),
        RoadMode::Drive => (Profile::driving(), &this.drive_highways),
    };
    if let Some(h) = own {
        p.highways = h.clone();
    }
    match mode {
        RoadMode::Walk => {
            if let Some(v) = this.walk_speed_kmh {
                p.default_speed_kmh = v;
            }
        }
        RoadMode::Drive => {
            for (k, v) in &this.drive_speeds_kmh {
                match p.speeds_kmh.iter_mut().find(|(h, _)| h == k) {
                    Some(e) => e.1 = *v,
                    None => p.speeds_kmh.push((k.clone(), *v)),
                }
            }
        }
    }
    p
}
