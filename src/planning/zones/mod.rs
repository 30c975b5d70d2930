//! Admission zones (学区划片): whole blocks to schools, each zone within its
//! school's seats, connected, with short trips and few blocks moved from
//! last year's zones.
//!
//! The problem is a capacitated, contiguous districting problem
//! (Hess et al. 1965; contiguity by flows as in Shirabe 2005):
//!
//! minimise Σ_b w_b·m(b, z_b) + P·[z_b ≠ previous_b]
//!
//! over assignments z of blocks b to candidate schools, where w_b is the
//! block's expected applicants, m the distance, P the penalty per moved
//! block; subject to Σ_{b: z_b = s} d_b ≤ cap_s and every zone being one
//! connected piece of the block neighbour graph that contains its school's
//! own block (the root). Candidates follow the service-radius rule: a block
//! with a school within the radius may only go to schools within it.
//!
//! - [`mod@mip`]: exact, good_lp with flow-based contiguity constraints.
//! - [`mod@heuristic`]: min-cost-flow relaxation (the LP bound), rounding,
//!   contiguity repair and a local search over boundary blocks.
//! - [`brute_force`]: every assignment, for tests of tiny instances.
//! - [`cells`]: Voronoi cells of blocks, the neighbour graph and zone shapes.
//! - [`projected`]: applicants per block from the forecast (`zones --year`).

pub mod build;
pub mod cells;
pub mod heuristic;
pub mod mip;
pub mod projected;
mod search;
pub mod shortage;

/// How to solve (shared with `optimize-closures`).
pub use super::Method;
pub use build::{build, BuildError, Problem, ZoneSettings};
pub use heuristic::{heuristic, heuristic_with};
pub use mip::{lp_relaxation, mip, MipOutcome};
pub use shortage::{shortage, Shortage};

/// Weight of a block with no expected applicants, so that it still joins a
/// near zone rather than an arbitrary one (a thousandth of an applicant).
pub const EMPTY_WEIGHT: f64 = 0.001;

/// A zoning problem over blocks `0..n` and schools `0..k` (indices local to
/// the problem; [`mod@build`] maps them to the dataset).
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Expected applicants per block.
    pub demand: Vec<u32>,
    /// Applicants a school may take: ⌊seats × (1 + slack)⌋.
    pub capacity: Vec<u32>,
    /// Per block: the schools it may join and the distance in metres,
    /// nearest first.
    pub cands: Vec<Vec<(usize, u32)>>,
    /// Last year's school per block, if any.
    pub previous: Vec<Option<usize>>,
    /// Cost of moving a block from its previous zone, in applicant-metres.
    pub move_penalty: f64,
    /// The neighbour graph, co-located blocks as one node.
    pub neighbours: Graph,
    /// Each school's own block, which is always in its zone.
    pub root: Vec<usize>,
}

/// A zoning: the school of every block.
pub type Assignment = Vec<usize>;

impl Instance {
    pub fn blocks(&self) -> usize {
        self.demand.len()
    }

    pub fn schools(&self) -> usize {
        self.capacity.len()
    }

    pub fn weight(&self, b: usize) -> f64 {
        match self.demand[b] {
            0 => EMPTY_WEIGHT,
            d => f64::from(d),
        }
    }

    /// Distance from block `b` to school `s` when `s` is a candidate.
    pub fn metres(&self, b: usize, s: usize) -> Option<u32> {
        self.cands[b].iter().find(|c| c.0 == s).map(|c| c.1)
    }

    /// Cost of block `b` in zone `s`; infinite when `s` is no candidate.
    pub fn cost(&self, b: usize, s: usize) -> f64 {
        match self.metres(b, s) {
            Some(m) => self.weight(b) * f64::from(m) + self.move_cost(b, s),
            None => f64::INFINITY,
        }
    }

    fn move_cost(&self, b: usize, s: usize) -> f64 {
        match self.previous[b] {
            Some(p) if p != s => self.move_penalty,
            _ => 0.0,
        }
    }

    /// The objective of a zoning (travel plus move penalties).
    pub fn objective(&self, z: &[usize]) -> f64 {
        (0..self.blocks()).map(|b| self.cost(b, z[b])).sum()
    }

    /// Expected applicants per school.
    pub fn load(&self, z: &[usize]) -> Vec<u32> {
        let mut load = vec![0u32; self.schools()];
        for (b, &s) in z.iter().enumerate() {
            load[s] += self.demand[b];
        }
        load
    }

    /// Applicants beyond capacity, summed over schools.
    pub fn overload(&self, z: &[usize]) -> u32 {
        self.load(z)
            .iter()
            .zip(&self.capacity)
            .map(|(&l, &c)| l.saturating_sub(c))
            .sum()
    }

    /// Blocks whose school differs from the previous one.
    pub fn moves(&self, z: &[usize]) -> usize {
        (0..self.blocks())
            .filter(|&b| self.previous[b].is_some_and(|p| p != z[b]))
            .count()
    }

    /// Per school: whether its zone is one connected piece containing its
    /// root block.
    pub fn connected(&self, z: &[usize]) -> Vec<bool> {
        let reached = self.reached_from_roots(z);
        let mut ok = vec![true; self.schools()];
        for (b, &s) in z.iter().enumerate() {
            if !reached[b] {
                ok[s] = false;
            }
        }
        for (s, &r) in self.root.iter().enumerate() {
            if z[r] != s {
                ok[s] = false;
            }
        }
        ok
    }

    /// Blocks connected, through blocks of their own zone, to the root of
    /// their zone. Blocks of one node neighbour each other and share their
    /// node's neighbours, so a zone is connected exactly when the nodes it
    /// occupies are: the search runs over nodes, each expanded once per
    /// zone, and a node of a thousand co-located blocks costs no more than
    /// one block.
    pub fn reached_from_roots(&self, z: &[usize]) -> Vec<bool> {
        let g = &self.neighbours;
        // per node, the zones present there and whether each is reached
        let mut present: Vec<Vec<(usize, bool)>> = vec![Vec::new(); g.nodes()];
        for (b, &s) in z.iter().enumerate() {
            let here = &mut present[g.node(b)];
            if !here.iter().any(|e| e.0 == s) {
                here.push((s, false));
            }
        }
        let mut stack = Vec::new();
        for (s, &r) in self.root.iter().enumerate() {
            if z[r] != s {
                continue;
            }
            let x = g.node(r);
            if let Some(e) = present[x].iter_mut().find(|e| e.0 == s && !e.1) {
                e.1 = true;
                stack.push((x, s));
            }
        }
        while let Some((x, s)) = stack.pop() {
            for &y in g.adjacent(x) {
                if let Some(e) = present[y].iter_mut().find(|e| e.0 == s && !e.1) {
                    e.1 = true;
                    stack.push((y, s));
                }
            }
        }
        (0..self.blocks())
            .map(|b| present[g.node(b)].iter().any(|e| e.0 == z[b] && e.1))
            .collect()
    }

    /// Whether `z` keeps every school's seats, every zone connected, and
    /// every block at a candidate school.
    pub fn is_feasible(&self, z: &[usize]) -> bool {
        self.overload(z) == 0
            && self.connected(z).iter().all(|&c| c)
            && (0..self.blocks()).all(|b| self.metres(b, z[b]).is_some())
    }
}

/// The neighbour graph of blocks, with co-located blocks as one node.
///
/// Blocks at the same position share one Voronoi cell: they neighbour each
/// other and every block of the nodes their cell touches. Listing those
/// pairs block by block would take n² entries for n blocks at one address
/// and make every connectivity check and local-search step walk them (200
/// copies of one Longtan block made `zones` 6× slower, 1,000 over 40×), so
/// the graph is kept over nodes: a block's neighbours are the other blocks
/// of its node and the blocks of adjacent nodes. Nodes are numbered in the
/// order of their first block, and each node's blocks ascend, so a graph of
/// single-block nodes lists neighbours exactly as the plain lists did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    node_of: Vec<usize>,
    blocks_of: Vec<Vec<usize>>,
    adjacent: Vec<Vec<usize>>,
}

impl Graph {
    /// A graph over `node_of.len()` blocks: block b lies at node
    /// `node_of[b]`, and `adjacent` lists each node's neighbour nodes
    /// (made symmetric, sorted, without self-loops).
    pub fn new(node_of: Vec<usize>, adjacent: Vec<Vec<usize>>) -> Graph {
        let nodes = adjacent.len();
        let mut blocks_of = vec![Vec::new(); nodes];
        for (b, &x) in node_of.iter().enumerate() {
            assert!(x < nodes, "block {b} at node {x} of {nodes}");
            blocks_of[x].push(b);
        }
        let mut adj = vec![Vec::new(); nodes];
        for (x, ys) in adjacent.iter().enumerate() {
            for &y in ys {
                if y != x {
                    adj[x].push(y);
                    adj[y].push(x);
                }
            }
        }
        for v in &mut adj {
            v.sort_unstable();
            v.dedup();
        }
        // number nodes by their first block
        let mut order: Vec<usize> = (0..nodes).collect();
        order.sort_by_key(|&x| (blocks_of[x].first().copied().unwrap_or(usize::MAX), x));
        let mut new_ix = vec![0; nodes];
        for (i, &x) in order.iter().enumerate() {
            new_ix[x] = i;
        }
        let mut adjacent: Vec<Vec<usize>> = order
            .iter()
            .map(|&x| adj[x].iter().map(|&y| new_ix[y]).collect())
            .collect();
        for v in &mut adjacent {
            v.sort_unstable();
        }
        Graph {
            node_of: node_of.iter().map(|&x| new_ix[x]).collect(),
            blocks_of: order
                .iter()
                .map(|&x| std::mem::take(&mut blocks_of[x]))
                .collect(),
            adjacent,
        }
    }

    /// One node per block, from per-block neighbour lists.
    pub fn from_lists(lists: Vec<Vec<usize>>) -> Graph {
        Graph::new((0..lists.len()).collect(), lists)
    }

    pub fn blocks(&self) -> usize {
        self.node_of.len()
    }

    pub fn nodes(&self) -> usize {
        self.blocks_of.len()
    }

    /// The node of block `b`.
    pub fn node(&self, b: usize) -> usize {
        self.node_of[b]
    }

    /// The blocks of node `x`, ascending.
    pub fn at(&self, x: usize) -> &[usize] {
        &self.blocks_of[x]
    }

    /// The nodes adjacent to node `x`, ascending.
    pub fn adjacent(&self, x: usize) -> &[usize] {
        &self.adjacent[x]
    }

    /// The neighbours of block `b`: the other blocks of its node, then the
    /// blocks of the adjacent nodes in node order.
    pub fn of(&self, b: usize) -> impl Iterator<Item = usize> + '_ {
        let x = self.node_of[b];
        self.blocks_of[x]
            .iter()
            .copied()
            .filter(move |&c| c != b)
            .chain(
                self.adjacent[x]
                    .iter()
                    .flat_map(move |&y| self.blocks_of[y].iter().copied()),
            )
    }

    /// Per block, its neighbours as a sorted list (n² entries for n
    /// co-located blocks: for tests and small districts).
    pub fn lists(&self) -> Vec<Vec<usize>> {
        (0..self.blocks())
            .map(|b| {
                let mut v: Vec<usize> = self.of(b).collect();
                v.sort_unstable();
                v
            })
            .collect()
    }
}

impl From<Vec<Vec<usize>>> for Graph {
    fn from(lists: Vec<Vec<usize>>) -> Graph {
        Graph::from_lists(lists)
    }
}

/// A cell shared by co-located blocks that the zoning puts in more than
/// one zone. A cell is drawn in one zone only (shapes must not overlap):
/// the zone holding most of the cell's applicants, then most of its
/// blocks, then the zone of its first block in `blocks.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitCell {
    /// The cell's blocks, ascending.
    pub blocks: Vec<usize>,
    /// The zone whose shape holds the cell.
    pub drawn_in: usize,
    /// The blocks of the cell in other zones, with their zones.
    pub elsewhere: Vec<(usize, usize)>,
}

/// Per node of `cells` (co-located blocks as one node): the zone its cell
/// is drawn in; and the cells whose blocks are split between zones.
pub fn drawn_cells(cells: &Graph, demand: &[u32], z: &[usize]) -> (Vec<usize>, Vec<SplitCell>) {
    let mut drawn = Vec::with_capacity(cells.nodes());
    let mut split = Vec::new();
    for x in 0..cells.nodes() {
        let blocks = cells.at(x);
        // (zone, applicants, blocks), in order of first block
        let mut tally: Vec<(usize, u64, usize)> = Vec::new();
        for &b in blocks {
            match tally.iter_mut().find(|t| t.0 == z[b]) {
                Some(t) => {
                    t.1 += u64::from(demand[b]);
                    t.2 += 1;
                }
                None => tally.push((z[b], u64::from(demand[b]), 1)),
            }
        }
        // the first of the largest: max_by_key keeps the last, so reverse
        let Some(&(zone, _, _)) = tally.iter().rev().max_by_key(|t| (t.1, t.2)) else {
            drawn.push(usize::MAX);
            continue;
        };
        drawn.push(zone);
        if tally.len() > 1 {
            split.push(SplitCell {
                blocks: blocks.to_vec(),
                drawn_in: zone,
                elsewhere: blocks
                    .iter()
                    .filter(|&&b| z[b] != zone)
                    .map(|&b| (b, z[b]))
                    .collect(),
            });
        }
    }
    (drawn, split)
}

/// The best feasible zoning by enumerating every assignment (tiny
/// instances only), the independent check of [`mip()`] and [`heuristic()`].
pub fn brute_force(inst: &Instance) -> Option<(Assignment, f64)> {
    let n = inst.blocks();
    let mut fixed: Vec<Option<usize>> = vec![None; n];
    for (s, &r) in inst.root.iter().enumerate() {
        fixed[r] = Some(s);
    }
    let mut z = vec![0usize; n];
    let mut best: Option<(Assignment, f64)> = None;
    let mut load = vec![0u32; inst.schools()];
    fn go(
        inst: &Instance,
        fixed: &[Option<usize>],
        b: usize,
        z: &mut Vec<usize>,
        load: &mut Vec<u32>,
        cost: f64,
        best: &mut Option<(Assignment, f64)>,
    ) {
        if best.as_ref().is_some_and(|(_, c)| cost >= *c - 1e-9) {
            return;
        }
        if b == z.len() {
            if inst.connected(z).iter().all(|&c| c) {
                *best = Some((z.clone(), cost));
            }
            return;
        }
        let options: Vec<usize> = match fixed[b] {
            Some(s) => vec![s],
            None => inst.cands[b].iter().map(|c| c.0).collect(),
        };
        for s in options {
            if load[s] + inst.demand[b] > inst.capacity[s] || inst.metres(b, s).is_none() {
                continue;
            }
            z[b] = s;
            load[s] += inst.demand[b];
            go(inst, fixed, b + 1, z, load, cost + inst.cost(b, s), best);
            load[s] -= inst.demand[b];
        }
    }
    go(inst, &fixed, 0, &mut z, &mut load, 0.0, &mut best);
    best
}

/// Blocks up to which `auto` also runs the MIP: HiGHS proves Longtan-sized
/// districts in seconds; microlp's branch and bound only small ones.
pub const MIP_AUTO_BLOCKS: usize = if cfg!(feature = "highs") { 500 } else { 40 };

/// A solved zoning and what is known about its quality.
#[derive(Clone, Debug, PartialEq)]
pub struct Solved {
    pub zone: Assignment,
    pub objective: f64,
    /// `MIP (HiGHS)`, `MIP (microlp)` or `heuristic`.
    pub method: String,
    /// The MIP proved this zoning optimal.
    pub proven_optimal: bool,
    /// The best lower bound known: the optimum when proven, else the
    /// min-cost-flow relaxation (`None` when even that exceeds seats).
    pub bound: Option<f64>,
    /// (objective − bound) / objective of the chosen zoning.
    pub gap: Option<f64>,
    pub heuristic_objective: f64,
    /// The heuristic's gap to the optimum when proven, else to the bound.
    pub heuristic_gap: Option<f64>,
    /// What happened to the MIP when it did not decide the result
    /// (worded by `report::zones`).
    pub mip_note: Option<MipNote>,
    /// Where [`Solved::bound`] comes from.
    pub bound_source: BoundSource,
    /// When even split blocks exceed the seats: the blocks and schools
    /// that cause it ([`shortage()`]).
    pub shortage: Option<Shortage>,
}

/// The lower bound a gap is measured against: the strongest known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundSource {
    /// The transportation relaxation (split blocks, no contiguity).
    Lp,
    /// The optimum the MIP proved.
    MipOptimum,
    /// No bound: even split blocks exceed the seats.
    None,
}

impl BoundSource {
    /// The name zones.json gives it.
    pub fn key(self) -> &'static str {
        match self {
            BoundSource::Lp => "lp_relaxation",
            BoundSource::MipOptimum => "mip_optimum",
            BoundSource::None => "none",
        }
    }
}

/// How far a solve is, for a progress display: the solvers report, the
/// command line draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The min-cost-flow relaxation and the rounding dive.
    Relaxation,
    /// The iterated local search: `done` of `total` kicks of `round` (0,
    /// then more rounds while seats are exceeded).
    Search {
        round: u64,
        done: usize,
        total: usize,
    },
    /// The exact MIP (the solver reports nothing until it ends).
    Mip,
}

/// Why the exact MIP did not decide a zoning: data, worded in the run's
/// language by the report.
#[derive(Clone, Debug, PartialEq)]
pub enum MipNote {
    /// `--method auto` and more blocks than the MIP is given.
    TooLarge {
        blocks: usize,
        limit: usize,
        solver: &'static str,
    },
    /// `--method heuristic`.
    NotAsked,
    /// A zoning found but not proven optimal in the time limit; the
    /// heuristic's zoning is kept.
    NotProven {
        solver: String,
        objective: f64,
        seconds: u64,
    },
    /// No zoning keeps every school within seats with connected zones.
    Infeasible { solver: String },
    /// The solver gave no answer.
    Unsolved { solver: String, why: String },
}

/// (objective − bound) / objective, never negative.
pub(crate) fn rel_gap(objective: f64, bound: f64) -> f64 {
    if objective > 0.0 {
        ((objective - bound) / objective).max(0.0)
    } else {
        0.0
    }
}

/// Solve with `method`. The heuristic always runs (it is fast and gives
/// the bound); the MIP runs for `mip`, and for `auto` up to
/// [`MIP_AUTO_BLOCKS`] blocks. Only a proven-optimal MIP result replaces
/// the heuristic's: a zoning found at a time limit depends on the
/// machine's speed, and outputs must not.
pub fn solve(inst: &Instance, method: Method, time_limit: std::time::Duration) -> Solved {
    solve_with(inst, method, time_limit, &mut |_| {})
}

/// [`solve`], telling `progress` how far it is.
pub fn solve_with(
    inst: &Instance,
    method: Method,
    time_limit: std::time::Duration,
    progress: &mut dyn FnMut(Stage),
) -> Solved {
    let h = heuristic_with(inst, progress);
    // a gap means nothing for a zoning that breaks the rules
    let h_gap = if inst.is_feasible(&h.zone) {
        h.gap()
    } else {
        None
    };
    let run_mip = match method {
        Method::Mip => true,
        Method::Auto => inst.blocks() <= MIP_AUTO_BLOCKS,
        Method::Heuristic => false,
    };
    let solver = format!("MIP ({})", crate::solve::lp::solver_name());
    let mut out = Solved {
        zone: h.zone.clone(),
        objective: h.objective,
        method: "heuristic".into(),
        proven_optimal: false,
        bound: h.bound,
        gap: h_gap,
        heuristic_objective: h.objective,
        heuristic_gap: h_gap,
        mip_note: (!run_mip).then(|| match method {
            Method::Auto => MipNote::TooLarge {
                blocks: inst.blocks(),
                limit: MIP_AUTO_BLOCKS,
                solver: crate::solve::lp::solver_name(),
            },
            _ => MipNote::NotAsked,
        }),
        bound_source: if h.bound.is_some() {
            BoundSource::Lp
        } else {
            BoundSource::None
        },
        shortage: if h.bound.is_none() {
            shortage(inst)
        } else {
            None
        },
    };
    if !run_mip {
        return out;
    }
    progress(Stage::Mip);
    match mip(inst, time_limit) {
        MipOutcome::Optimal(z, obj) => {
            out.heuristic_gap = h_gap.map(|_| rel_gap(h.objective, obj));
            out.zone = z;
            out.objective = obj;
            out.method = solver;
            out.proven_optimal = true;
            out.bound = Some(obj);
            out.bound_source = BoundSource::MipOptimum;
            out.gap = Some(0.0);
            out.mip_note = None;
        }
        MipOutcome::Feasible(_, obj) => {
            out.mip_note = Some(MipNote::NotProven {
                solver,
                objective: obj,
                seconds: time_limit.as_secs(),
            });
        }
        MipOutcome::Infeasible => {
            out.mip_note = Some(MipNote::Infeasible { solver });
        }
        MipOutcome::Unsolved(why) => {
            out.mip_note = Some(MipNote::Unsolved { solver, why });
        }
    }
    out
}

/// Per-school figures of a zoning, in the problem's school order.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneStats {
    pub blocks: usize,
    pub applicants: u32,
    pub mean_m: f64,
    pub max_m: u32,
    pub connected: bool,
}

/// Blocks, applicants, applicant-weighted mean and maximum distance (max
/// over blocks with applicants, else over all blocks) and connectedness.
pub fn stats(inst: &Instance, z: &[usize]) -> Vec<ZoneStats> {
    let connected = inst.connected(z);
    let mut out: Vec<ZoneStats> = (0..inst.schools())
        .map(|s| ZoneStats {
            blocks: 0,
            applicants: 0,
            mean_m: 0.0,
            max_m: 0,
            connected: connected[s],
        })
        .collect();
    for (b, &s) in z.iter().enumerate() {
        let m = inst.metres(b, s).unwrap_or(0);
        let st = &mut out[s];
        st.blocks += 1;
        st.applicants += inst.demand[b];
        st.mean_m += f64::from(inst.demand[b]) * f64::from(m);
        if inst.demand[b] > 0 {
            st.max_m = st.max_m.max(m);
        }
    }
    for st in &mut out {
        if st.applicants > 0 {
            st.mean_m /= f64::from(st.applicants);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Four blocks in a row, schools at the ends.
    pub(crate) fn row() -> Instance {
        Instance {
            demand: vec![10, 10, 10, 10],
            capacity: vec![20, 25],
            cands: vec![
                vec![(0, 100), (1, 1500)],
                vec![(0, 500), (1, 1000)],
                vec![(1, 500), (0, 1000)],
                vec![(1, 100), (0, 1500)],
            ],
            previous: vec![None; 4],
            move_penalty: 0.0,
            neighbours: vec![vec![1], vec![0, 2], vec![1, 3], vec![2]].into(),
            root: vec![0, 3],
        }
    }

    #[test]
    fn brute_force_splits_the_row_in_the_middle() {
        let (z, cost) = brute_force(&row()).unwrap();
        assert_eq!(z, vec![0, 0, 1, 1]);
        assert_eq!(cost, 10.0 * (100.0 + 500.0 + 500.0 + 100.0));
    }

    #[test]
    fn a_zone_cut_in_two_is_not_connected() {
        let inst = row();
        assert_eq!(inst.connected(&[0, 1, 0, 1]), vec![false, false]);
        assert_eq!(inst.connected(&[0, 0, 0, 1]), vec![true, true]);
        assert!(!inst.is_feasible(&[0, 1, 0, 1]));
    }

    #[test]
    fn a_split_cell_is_drawn_in_the_zone_with_most_applicants() {
        // blocks 1, 2 and 3 share a cell; 0 and 4 have their own
        let g = Graph::new(vec![0, 1, 1, 1, 2], vec![vec![1], vec![0, 2], vec![1]]);
        let demand = [5, 2, 7, 3, 4];
        let z = [0, 0, 1, 0, 1];
        let (drawn, split) = drawn_cells(&g, &demand, &z);
        // zone 1 has 7 applicants in the shared cell, zone 0 has 5
        assert_eq!(drawn, vec![0, 1, 1]);
        assert_eq!(
            split,
            vec![SplitCell {
                blocks: vec![1, 2, 3],
                drawn_in: 1,
                elsewhere: vec![(1, 0), (3, 0)],
            }]
        );
        // a tie in applicants and blocks: the zone of the first block
        let (drawn, _) = drawn_cells(&g, &[0, 1, 1, 0, 0], &[0, 1, 0, 2, 1]);
        assert_eq!(drawn[1], 1);
        // all in one zone: nothing split
        assert!(drawn_cells(&g, &demand, &[0, 0, 0, 0, 1]).1.is_empty());
    }

    #[test]
    fn co_located_blocks_are_one_node_and_neighbour_each_other() {
        // blocks 0, 2 and 3 at one place, 1 and 4 alone; places 0–1–2 in a row
        let g = Graph::new(vec![1, 0, 1, 1, 2], vec![vec![1, 2], vec![], vec![]]);
        // renumbered by first block: block 0's place is node 0
        assert_eq!(g.node(0), 0);
        assert_eq!(g.node(1), 1);
        assert_eq!(g.at(0), &[0, 2, 3]);
        assert_eq!(g.adjacent(0), &[1]);
        assert_eq!(
            g.lists(),
            vec![
                vec![1, 2, 3],
                vec![0, 2, 3, 4],
                vec![0, 1, 3],
                vec![0, 1, 2],
                vec![1]
            ]
        );
        // a zone of block 0 and 3 is connected (they share a cell); block 4
        // reaches school 0's root 2 only through block 1
        let inst = Instance {
            demand: vec![1; 5],
            capacity: vec![5, 5],
            cands: vec![vec![(0, 1), (1, 2)]; 5],
            previous: vec![None; 5],
            move_penalty: 0.0,
            neighbours: g,
            root: vec![2, 1],
        };
        assert_eq!(inst.connected(&[0, 1, 0, 0, 1]), vec![true, true]);
        assert_eq!(inst.connected(&[1, 1, 0, 1, 0]), vec![false, true]);
        assert_eq!(
            inst.reached_from_roots(&[1, 1, 0, 1, 0]),
            vec![true, true, true, true, false]
        );
        let (z, cost) = brute_force(&inst).unwrap();
        assert!(inst.is_feasible(&z));
        assert_eq!(heuristic(&inst).objective, cost);
    }

    #[test]
    fn moves_are_charged() {
        let mut inst = row();
        inst.previous = vec![Some(0), Some(1), Some(1), Some(1)];
        inst.move_penalty = 7000.0;
        inst.capacity = vec![20, 30];
        // moving block 1 to school 0 saves 5000 but costs 7000
        let (z, _) = brute_force(&inst).unwrap();
        assert_eq!(z, vec![0, 1, 1, 1]);
        assert_eq!(inst.moves(&z), 0);
    }
}
