//! The home → candidate-school distance table over a road graph, its cache,
//! and the [`DistanceSource`] that serves it.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use geo::Point;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::graph::{RoadGraph, Search, Snapper};
use super::osm::{read_pbf, Measure, NetworkError, Profile};
use crate::domain::model::{Metres, SchoolIx, Seconds};
use crate::spatial::distance::{DistanceSource, GreatCircle, SchoolIndex};

/// What to compute.
#[derive(Clone, Debug)]
pub struct Request {
    pub pbf: PathBuf,
    pub profile: Profile,
    /// Distinct home points (blocks, geocoded applicants).
    pub homes: Vec<Point<f64>>,
    pub schools: Vec<Point<f64>>,
    /// Candidate schools per home: its nearest by great circle.
    pub candidates: usize,
    /// Pairs farther than this are out of reach, in the unit of
    /// `profile.measure`: metres for length, seconds for time.
    pub max: u32,
    /// Where the cache lives; `None` computes afresh and stores nothing.
    pub cache_dir: Option<PathBuf>,
}

/// What the build found, for warnings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoadReport {
    pub nodes: usize,
    pub edges: usize,
    /// Pairs in the table.
    pub pairs: usize,
    /// (home, school) pairs with no path within reach.
    pub unreachable: Vec<(usize, usize)>,
    /// Snap distance (m) of every home and school.
    pub home_snap_m: Vec<f64>,
    pub school_snap_m: Vec<f64>,
    /// The cache file read or written.
    pub cache_file: Option<PathBuf>,
    pub from_cache: bool,
    /// Why the cache file was not used and was rebuilt (damaged, of an
    /// older format), for a warning.
    pub cache_rebuilt: Option<String>,
}

/// Why a road table could not be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RoadError {
    /// The extract `file` (the scenario's `road_network`) cannot serve as
    /// the road network: a problem of the input (exit code 2).
    #[error("{}: {problem}", file.display())]
    Network {
        file: PathBuf,
        problem: NetworkError,
    },
    /// The distance cache `file` cannot be written: not the input's fault
    /// (exit code 1).
    #[error("{}: cannot write the distance cache: {message}", file.display())]
    Cache { file: PathBuf, message: String },
}

impl From<RoadError> for crate::domain::diag::Error {
    /// A bad extract is reported like every input problem, as a
    /// diagnostic of its file (exit code 2, nothing written).
    fn from(e: RoadError) -> Self {
        match e {
            RoadError::Network { file, problem } => {
                let mut d = crate::domain::diag::Diagnostics::new();
                d.error(&file, None, None, problem.to_string());
                crate::domain::diag::Error::Input(d)
            }
            e @ RoadError::Cache { .. } => crate::domain::diag::Error::Other(e.to_string()),
        }
    }
}

/// A problem of the extract at `file`.
fn network_error(file: &Path, problem: NetworkError) -> RoadError {
    RoadError::Network {
        file: file.to_path_buf(),
        problem,
    }
}

struct Network {
    graph: RoadGraph,
    snapper: Snapper,
}

/// Road distances for a fixed set of homes and schools.
pub struct RoadDistances {
    label: String,
    request: Request,
    home_ix: HashMap<(u64, u64), usize>,
    school_ix: HashMap<(u64, u64), usize>,
    /// Node and snap distance per home and school (`None`: no network).
    home_snap: Vec<Option<(u32, f64)>>,
    school_snap: Vec<Option<(u32, f64)>>,
    /// Per home: (school, value) for its candidates; `None` out of reach.
    /// Values are in the unit of `request.profile.measure` (metres or
    /// seconds); [`DistanceSource`] types them.
    table: Vec<Vec<(u32, Option<u32>)>>,
    network: OnceLock<Result<Network, NetworkError>>,
    /// Travel times of the same pairs, for a service radius in minutes.
    times: Option<Box<RoadDistances>>,
}

fn key(p: Point<f64>) -> (u64, u64) {
    (p.x().to_bits(), p.y().to_bits())
}

/// The cache format: this tag, the counts, the snaps, the rows, then the
/// SHA-256 of everything before it. A file whose checksum or structure does
/// not hold is rebuilt, never trusted.
const CACHE_VERSION: &[u8] = b"sunshine-road-table-v2";

impl RoadDistances {
    /// Compute (or read from the cache) the table for `req`.
    pub fn build(req: Request) -> Result<(RoadDistances, RoadReport), RoadError> {
        Self::build_on(req, None)
    }

    /// The table over a graph already in memory (`req.pbf` is then only a
    /// name; nothing is cached), e.g. a synthetic network for benchmarks.
    pub fn with_graph(mut req: Request, graph: RoadGraph) -> (RoadDistances, RoadReport) {
        req.cache_dir = None;
        Self::build_on(req, Some(graph)).expect("a graph in memory cannot fail to load")
    }

    fn build_on(
        req: Request,
        graph: Option<RoadGraph>,
    ) -> Result<(RoadDistances, RoadReport), RoadError> {
        let cache_file = match &req.cache_dir {
            Some(d) => {
                let sum = digest(&req).map_err(|e| network_error(&req.pbf, e))?;
                Some(d.join(format!("road-{}.bin", &sum[..24])))
            }
            None => None,
        };
        let label = format!(
            "road ({}, {})",
            req.profile.name,
            match req.profile.measure {
                Measure::Length => "length",
                Measure::Time => "time",
            }
        );
        let mut me = RoadDistances {
            label,
            home_ix: req
                .homes
                .iter()
                .enumerate()
                .map(|(i, &p)| (key(p), i))
                .collect(),
            school_ix: req
                .schools
                .iter()
                .enumerate()
                .map(|(i, &p)| (key(p), i))
                .collect(),
            home_snap: Vec::new(),
            school_snap: Vec::new(),
            table: Vec::new(),
            network: OnceLock::new(),
            times: None,
            request: req,
        };
        if let Some(graph) = graph {
            let comp = graph.components();
            let snapper = Snapper::new(&graph, |v| comp[v as usize] == 0);
            let _ = me.network.set(Ok(Network { graph, snapper }));
        }
        let mut report = RoadReport {
            cache_file: cache_file.clone(),
            ..Default::default()
        };
        if let Some(f) = cache_file.as_ref().filter(|f| f.exists()) {
            match me.read_cache(f) {
                Ok(()) => {
                    report.from_cache = true;
                    me.fill_report(&mut report);
                    return Ok((me, report));
                }
                Err(why) => {
                    report.cache_rebuilt = Some(format!(
                        "{}: the distance cache is not usable ({why}); it was rebuilt",
                        f.display()
                    ));
                }
            }
        }
        me.compute()
            .map_err(|m| network_error(&me.request.pbf, m))?;
        if let Some(f) = &cache_file {
            me.write_cache(f).map_err(|e| RoadError::Cache {
                file: f.clone(),
                message: e.to_string(),
            })?;
        }
        let net = me.network();
        if let Ok(n) = net {
            report.nodes = n.graph.nodes();
            report.edges = n.graph.edges();
        }
        me.fill_report(&mut report);
        Ok((me, report))
    }

    /// Answer [`DistanceSource::seconds`] from `times`, a table of the same
    /// homes and schools measured in time.
    pub fn with_times(mut self, times: RoadDistances) -> RoadDistances {
        self.label = format!("{} with travel times", self.label);
        self.times = Some(Box::new(times));
        self
    }

    fn fill_report(&self, r: &mut RoadReport) {
        r.pairs = self.table.iter().map(Vec::len).sum();
        r.unreachable = self
            .table
            .iter()
            .enumerate()
            .flat_map(|(h, row)| {
                row.iter()
                    .filter(|e| e.1.is_none())
                    .map(move |e| (h, e.0 as usize))
            })
            .collect();
        r.home_snap_m = self
            .home_snap
            .iter()
            .map(|s| s.map_or(f64::INFINITY, |s| s.1))
            .collect();
        r.school_snap_m = self
            .school_snap
            .iter()
            .map(|s| s.map_or(f64::INFINITY, |s| s.1))
            .collect();
    }

    fn network(&self) -> &Result<Network, NetworkError> {
        self.network.get_or_init(|| {
            let graph = read_pbf(&self.request.pbf, &self.request.profile)?;
            let comp = graph.components();
            let snapper = Snapper::new(&graph, |v| comp[v as usize] == 0);
            Ok(Network { graph, snapper })
        })
    }

    fn compute(&mut self) -> Result<(), NetworkError> {
        let req = &self.request;
        let net = self.network().as_ref().map_err(Clone::clone)?;
        let (graph, snapper) = (&net.graph, &net.snapper);
        let home_snap: Vec<Option<(u32, f64)>> = req
            .homes
            .par_iter()
            .map(|&p| snapper.snap(graph, p))
            .collect();
        let school_snap: Vec<Option<(u32, f64)>> = req
            .schools
            .par_iter()
            .map(|&p| snapper.snap(graph, p))
            .collect();
        // candidates: each home's nearest schools by great circle within reach
        let index = SchoolIndex::new(
            req.schools
                .iter()
                .enumerate()
                .map(|(i, &p)| (SchoolIx::from_ix(i), p)),
        );
        let max_gc = Metres(match req.profile.measure {
            Measure::Length => req.max,
            Measure::Time => u32::MAX,
        });
        let cands: Vec<Vec<usize>> = req
            .homes
            .par_iter()
            .map(|&h| {
                index
                    .nearest(h, req.candidates, max_gc, &GreatCircle)
                    .into_iter()
                    .map(|(s, _)| s.ix())
                    .collect()
            })
            .collect();
        let mut targets: Vec<Vec<usize>> = vec![Vec::new(); req.schools.len()];
        for (h, cs) in cands.iter().enumerate() {
            for &s in cs {
                targets[s].push(h);
            }
        }
        let reversed = graph.reversed();
        let limit = u64::from(req.max) * 1000;
        let per_school: Vec<Vec<(usize, Option<u32>)>> = targets
            .par_iter()
            .enumerate()
            .map_init(
                || Search::new(reversed.nodes()),
                |search, (s, homes)| {
                    let Some((snode, ssnap)) = school_snap[s] else {
                        return homes.iter().map(|&h| (h, None)).collect();
                    };
                    let nodes: Vec<u32> = homes
                        .iter()
                        .filter_map(|&h| home_snap[h].map(|x| x.0))
                        .collect();
                    search.run(&reversed, snode, &nodes, limit);
                    homes
                        .iter()
                        .map(|&h| {
                            let v = home_snap[h].and_then(|(hnode, hsnap)| {
                                search
                                    .get(hnode)
                                    .filter(|&w| w <= limit)
                                    .map(|w| self.value(w, hsnap, ssnap))
                            });
                            (h, v.filter(|&v| v <= req.max))
                        })
                        .collect()
                },
            )
            .collect();
        let mut table: Vec<Vec<(u32, Option<u32>)>> = vec![Vec::new(); req.homes.len()];
        for (s, rows) in per_school.into_iter().enumerate() {
            for (h, v) in rows {
                table[h].push((s as u32, v));
            }
        }
        self.home_snap = home_snap;
        self.school_snap = school_snap;
        self.table = table;
        Ok(())
    }

    /// A path weight plus both snaps, rounded up: metres for length, or
    /// seconds for time (snaps walked at the profile's default speed).
    fn value(&self, weight: u64, home_snap: f64, school_snap: f64) -> u32 {
        let snaps = home_snap + school_snap;
        let v = match self.request.profile.measure {
            Measure::Length => weight as f64 / 1000.0 + snaps,
            Measure::Time => {
                weight as f64 / 1000.0 + snaps / (self.request.profile.default_speed_kmh / 3.6)
            }
        };
        v.ceil().min(f64::from(u32::MAX - 1)) as u32
    }

    /// A pair outside the table (e.g. a school beyond a home's candidates):
    /// one search from the school.
    fn on_demand(&self, from: Point<f64>, to: Point<f64>) -> Option<u32> {
        let net = self.network().as_ref().ok()?;
        let (h, hs) = net.snapper.snap(&net.graph, from)?;
        let (s, ss) = net.snapper.snap(&net.graph, to)?;
        let d = super::graph::dijkstra(&net.graph, h, &[s], u64::from(self.request.max) * 1000);
        let w = d[s as usize];
        (w != u64::MAX)
            .then(|| self.value(w, hs, ss))
            .filter(|&v| v <= self.request.max)
    }

    fn write_cache(&self, path: &Path) -> std::io::Result<()> {
        let mut b: Vec<u8> = Vec::new();
        b.extend_from_slice(CACHE_VERSION);
        b.extend_from_slice(&(self.home_snap.len() as u64).to_le_bytes());
        b.extend_from_slice(&(self.school_snap.len() as u64).to_le_bytes());
        for s in self.home_snap.iter().chain(&self.school_snap) {
            let (n, d) = s.unwrap_or((u32::MAX, f64::INFINITY));
            b.extend_from_slice(&n.to_le_bytes());
            b.extend_from_slice(&d.to_le_bytes());
        }
        for row in &self.table {
            b.extend_from_slice(&(row.len() as u32).to_le_bytes());
            for &(s, v) in row {
                b.extend_from_slice(&s.to_le_bytes());
                b.extend_from_slice(&v.unwrap_or(u32::MAX).to_le_bytes());
            }
        }
        let sum = Sha256::digest(&b);
        b.extend_from_slice(&sum);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&b)?;
        f.sync_all()?;
        std::fs::rename(tmp, path)
    }

    /// Read a cache written by [`Self::write_cache`]: the checksum first,
    /// then every count and index against the request, so a damaged file
    /// is an error (and is rebuilt), never a wrong distance or a huge
    /// allocation.
    fn read_cache(&mut self, path: &Path) -> Result<(), String> {
        let mut b = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut b))
            .map_err(|e| e.to_string())?;
        if !b.starts_with(CACHE_VERSION) {
            return Err("of another format".into());
        }
        if b.len() < CACHE_VERSION.len() + 32 {
            return Err("truncated".into());
        }
        let (body, sum) = b.split_at(b.len() - 32);
        if Sha256::digest(body)[..] != *sum {
            return Err("checksum mismatch: the file is damaged".into());
        }
        let (homes_n, schools_n) = (self.request.homes.len(), self.request.schools.len());
        let mut at = CACHE_VERSION.len();
        let mut take = |n: usize| -> Result<&[u8], String> {
            let s = body.get(at..at + n).ok_or("truncated")?;
            at += n;
            Ok(s)
        };
        let u64_ = |s: &[u8]| u64::from_le_bytes(s.try_into().expect("8 bytes"));
        let u32_ = |s: &[u8]| u32::from_le_bytes(s.try_into().expect("4 bytes"));
        let homes = u64_(take(8)?);
        let schools = u64_(take(8)?);
        if homes != homes_n as u64 || schools != schools_n as u64 {
            return Err("of another set of homes and schools".into());
        }
        let mut snaps = Vec::with_capacity(homes_n + schools_n);
        for _ in 0..homes_n + schools_n {
            let n = u32_(take(4)?);
            let d = f64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
            if n == u32::MAX {
                snaps.push(None);
            } else if d.is_finite() && d >= 0.0 {
                snaps.push(Some((n, d)));
            } else {
                return Err(format!("a snap distance of {d} m"));
            }
        }
        let mut table = Vec::with_capacity(homes_n);
        for _ in 0..homes_n {
            let len = u32_(take(4)?) as usize;
            if len > schools_n {
                return Err(format!("a row of {len} schools of {schools_n}"));
            }
            let mut row = Vec::with_capacity(len);
            for _ in 0..len {
                let s = u32_(take(4)?);
                let v = u32_(take(4)?);
                if s as usize >= schools_n {
                    return Err(format!("school #{s} of {schools_n}"));
                }
                if v != u32::MAX && v > self.request.max {
                    return Err(format!(
                        "a value of {v} beyond the reach {}",
                        self.request.max
                    ));
                }
                row.push((s, (v != u32::MAX).then_some(v)));
            }
            table.push(row);
        }
        if at != body.len() {
            return Err("trailing bytes".into());
        }
        self.school_snap = snaps.split_off(homes_n);
        self.home_snap = snaps;
        self.table = table;
        Ok(())
    }
}

/// A digest of everything the table depends on: the extract's bytes, the
/// profile, the points, the candidates and the reach.
fn digest(req: &Request) -> Result<String, NetworkError> {
    let mut h = Sha256::new();
    h.update(CACHE_VERSION);
    let bytes = std::fs::read(&req.pbf).map_err(|e| NetworkError::Unreadable(e.to_string()))?;
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(&bytes);
    h.update(format!("{:?}", req.profile).as_bytes());
    for p in req
        .homes
        .iter()
        .chain([Point::new(f64::NAN, f64::NAN)].iter())
        .chain(&req.schools)
    {
        h.update(p.x().to_bits().to_le_bytes());
        h.update(p.y().to_bits().to_le_bytes());
    }
    h.update((req.candidates as u64).to_le_bytes());
    h.update(req.max.to_le_bytes());
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

impl RoadDistances {
    /// The table's value for a pair, in the unit of its measure: from the
    /// table, or one search for a pair outside it.
    fn value_between(&self, from: Point<f64>, to: Point<f64>) -> Option<u32> {
        if let (Some(&h), Some(&s)) = (self.home_ix.get(&key(from)), self.school_ix.get(&key(to))) {
            if let Some(&(_, v)) = self.table[h].iter().find(|e| e.0 as usize == s) {
                return v;
            }
        }
        self.on_demand(from, to)
    }
}

impl DistanceSource for RoadDistances {
    fn name(&self) -> String {
        self.label.clone()
    }

    /// The length by road; `None` out of reach, and always for a table
    /// measured in time (it knows no lengths).
    fn metres(&self, from: Point<f64>, to: Point<f64>) -> Option<Metres> {
        match self.request.profile.measure {
            Measure::Length => self.value_between(from, to).map(Metres),
            Measure::Time => None,
        }
    }

    /// The travel time: from this table when it is measured in time,
    /// else from the time table given by [`RoadDistances::with_times`].
    fn seconds(&self, from: Point<f64>, to: Point<f64>) -> Option<Seconds> {
        match self.request.profile.measure {
            Measure::Time => self.value_between(from, to).map(Seconds),
            Measure::Length => self.times.as_ref()?.seconds(from, to),
        }
    }
}
