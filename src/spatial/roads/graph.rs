//! A road graph in compressed sparse rows, snapping points to it, and
//! Dijkstra's shortest paths.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use geo::{Distance, Haversine, Point};
use rstar::{primitives::GeomWithData, RTree};

use crate::spatial::distance::unit_vector;

/// A directed graph of road nodes; edge weights are millimetres (length)
/// or milliseconds (time), always rounded up so a path is never shorter
/// than the road.
#[derive(Clone, Debug, Default)]
pub struct RoadGraph {
    /// Node positions, lon/lat.
    pub coords: Vec<Point<f64>>,
    offsets: Vec<u32>,
    targets: Vec<u32>,
    weights: Vec<u32>,
}

/// A directed edge for [`RoadGraph::from_edges`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: u32,
    pub to: u32,
    pub weight: u32,
}

impl RoadGraph {
    /// Build from nodes and directed edges (parallel edges are kept; the
    /// search takes the lightest).
    pub fn from_edges(coords: Vec<Point<f64>>, mut edges: Vec<Edge>) -> RoadGraph {
        let n = coords.len();
        edges.sort_unstable_by_key(|e| (e.from, e.to, e.weight));
        let mut offsets = vec![0u32; n + 1];
        for e in &edges {
            offsets[e.from as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        RoadGraph {
            coords,
            offsets,
            targets: edges.iter().map(|e| e.to).collect(),
            weights: edges.iter().map(|e| e.weight).collect(),
        }
    }

    pub fn nodes(&self) -> usize {
        self.coords.len()
    }

    pub fn edges(&self) -> usize {
        self.targets.len()
    }

    /// Out-edges of `v`: (target, weight).
    pub fn out(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let (a, b) = (
            self.offsets[v as usize] as usize,
            self.offsets[v as usize + 1] as usize,
        );
        self.targets[a..b]
            .iter()
            .copied()
            .zip(self.weights[a..b].iter().copied())
    }

    /// The same graph with every edge reversed: a search from a school on
    /// it gives the distances from every node *to* the school.
    pub fn reversed(&self) -> RoadGraph {
        let mut edges = Vec::with_capacity(self.edges());
        for v in 0..self.nodes() as u32 {
            for (t, w) in self.out(v) {
                edges.push(Edge {
                    from: t,
                    to: v,
                    weight: w,
                });
            }
        }
        RoadGraph::from_edges(self.coords.clone(), edges)
    }

    /// Weakly connected components: the component number of every node,
    /// numbered by size (0 is the largest).
    pub fn components(&self) -> Vec<u32> {
        let n = self.nodes();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn find(p: &mut [u32], mut x: u32) -> u32 {
            while p[x as usize] != x {
                p[x as usize] = p[p[x as usize] as usize];
                x = p[x as usize];
            }
            x
        }
        for v in 0..n as u32 {
            for (t, _) in self.out(v) {
                let (a, b) = (find(&mut parent, v), find(&mut parent, t));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
            }
        }
        let roots: Vec<u32> = (0..n as u32).map(|v| find(&mut parent, v)).collect();
        let mut size = vec![0usize; n];
        for &r in &roots {
            size[r as usize] += 1;
        }
        let mut order: Vec<u32> = (0..n as u32).filter(|&r| size[r as usize] > 0).collect();
        order.sort_by_key(|&r| (Reverse(size[r as usize]), r));
        let mut number = vec![0u32; n];
        for (i, &r) in order.iter().enumerate() {
            number[r as usize] = i as u32;
        }
        roots.iter().map(|&r| number[r as usize]).collect()
    }
}

/// Nearest-node lookup over a subset of nodes (e.g. the largest component,
/// so that a block is never snapped onto an isolated footpath).
pub struct Snapper {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
}

impl Snapper {
    pub fn new(graph: &RoadGraph, keep: impl Fn(u32) -> bool) -> Snapper {
        let items = (0..graph.nodes() as u32)
            .filter(|&v| keep(v))
            .map(|v| GeomWithData::new(unit_vector(graph.coords[v as usize]), v))
            .collect();
        Snapper {
            tree: RTree::bulk_load(items),
        }
    }

    /// The nearest node to `p` and the great-circle distance to it in
    /// metres (ties: the lower node number, so snapping is repeatable).
    pub fn snap(&self, graph: &RoadGraph, p: Point<f64>) -> Option<(u32, f64)> {
        let q = unit_vector(p);
        let mut best: Option<(f64, u32)> = None;
        for cand in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            let (item, d2) = cand;
            if let Some((bd2, bv)) = best {
                if d2 > bd2 * (1.0 + 1e-12) + 1e-30 {
                    break;
                }
                if item.data < bv {
                    best = Some((bd2, item.data));
                }
            } else {
                best = Some((d2, item.data));
            }
        }
        best.map(|(_, v)| (v, Haversine.distance(p, graph.coords[v as usize])))
    }
}

/// Shortest-path weights from `source` to every node (`u64::MAX` where
/// unreachable), stopping once every node in `targets` is settled (all
/// nodes when empty) or the weights pass `limit`.
pub fn dijkstra(graph: &RoadGraph, source: u32, targets: &[u32], limit: u64) -> Vec<u64> {
    let mut search = Search::new(graph.nodes());
    search.run(graph, source, targets, limit);
    (0..graph.nodes() as u32)
        .map(|v| search.get(v).unwrap_or(u64::MAX))
        .collect()
}

/// Dijkstra with buffers reused across searches: only the nodes a search
/// touched are reset, so a thousand local searches on a million-node graph
/// do not each clear a million entries.
pub(crate) struct Search {
    dist: Vec<u64>,
    done: Vec<bool>,
    want: Vec<bool>,
    touched: Vec<u32>,
}

impl Search {
    pub(crate) fn new(n: usize) -> Search {
        Search {
            dist: vec![u64::MAX; n],
            done: vec![false; n],
            want: vec![false; n],
            touched: Vec::new(),
        }
    }

    /// The final weight of `v` in the last search, if it was settled.
    pub(crate) fn get(&self, v: u32) -> Option<u64> {
        let i = v as usize;
        (self.done[i] && self.dist[i] != u64::MAX).then_some(self.dist[i])
    }

    /// Search from `source` until every target is settled (every node
    /// when there are none) or the weights pass `limit`.
    pub(crate) fn run(&mut self, g: &RoadGraph, source: u32, targets: &[u32], limit: u64) {
        for &v in &self.touched {
            self.dist[v as usize] = u64::MAX;
            self.done[v as usize] = false;
            self.want[v as usize] = false;
        }
        self.touched.clear();
        let mut remaining = 0usize;
        for &t in targets {
            if !self.want[t as usize] {
                self.want[t as usize] = true;
                self.touched.push(t);
                remaining += 1;
            }
        }
        let mut heap = BinaryHeap::new();
        self.dist[source as usize] = 0;
        self.touched.push(source);
        heap.push(Reverse((0u64, source)));
        while let Some(Reverse((d, v))) = heap.pop() {
            if d > limit {
                break;
            }
            let i = v as usize;
            if self.done[i] {
                continue;
            }
            self.done[i] = true;
            if self.want[i] {
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            for (t, w) in g.out(v) {
                let nd = d + u64::from(w);
                let ti = t as usize;
                if nd < self.dist[ti] {
                    if self.dist[ti] == u64::MAX {
                        self.touched.push(t);
                    }
                    self.dist[ti] = nd;
                    heap.push(Reverse((nd, t)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> RoadGraph {
        // 0 -1000- 1 -1000- 2, plus a oneway 2 -> 3 and an island 4
        let coords = (0..5)
            .map(|i| Point::new(126.5 + f64::from(i) * 0.01, 43.8))
            .collect();
        let mut edges = Vec::new();
        for (a, b) in [(0, 1), (1, 2)] {
            edges.push(Edge {
                from: a,
                to: b,
                weight: 1000,
            });
            edges.push(Edge {
                from: b,
                to: a,
                weight: 1000,
            });
        }
        edges.push(Edge {
            from: 2,
            to: 3,
            weight: 500,
        });
        RoadGraph::from_edges(coords, edges)
    }

    #[test]
    fn shortest_paths_respect_direction_and_report_unreachable() {
        let g = line();
        let d = dijkstra(&g, 0, &[], u64::MAX);
        assert_eq!(d, vec![0, 1000, 2000, 2500, u64::MAX]);
        let back = dijkstra(&g, 3, &[], u64::MAX);
        assert_eq!(back[0], u64::MAX, "3 has no way back");
        let r = g.reversed();
        assert_eq!(
            dijkstra(&r, 3, &[], u64::MAX)[0],
            2500,
            "reversed: 0 reaches 3"
        );
    }

    #[test]
    fn components_are_numbered_by_size() {
        let c = line().components();
        assert_eq!(c, vec![0, 0, 0, 0, 1]);
    }

    #[test]
    fn snapping_takes_the_nearest_allowed_node() {
        let g = line();
        let s = Snapper::new(&g, |v| v != 1);
        let (v, m) = s.snap(&g, Point::new(126.5101, 43.8)).unwrap();
        assert!(v == 0 || v == 2, "{v}");
        assert!(m > 700.0 && m < 900.0, "{m}");
    }
}
