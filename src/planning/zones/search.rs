//! Local search over boundary blocks, and the iterated local search that
//! kicks it out of local optima.
//!
//! Moves: a block to an adjacent zone; two neighbouring blocks of
//! different zones exchanged; a block and one of its neighbours moved
//! together (the two-step chain a single move cannot find when its first
//! step alone costs more). A move is taken when it lowers first the
//! applicants over the limit and then the objective, and never when it
//! would cut a zone apart. Work is driven by a queue: a move re-examines
//! only the blocks of the zones it touched and their neighbours, so a kick
//! in a district of thousands of blocks costs about as much as in a small
//! one. When every zone is within its seats, ejection chains and cyclic
//! exchanges through up to [`CHAIN_DEPTH`] zones follow
//! ([`Search::chain_step`]).

//!
//! Co-located blocks (one node of the graph, see [`super::Graph`]) are
//! handled by node: connectivity is checked over the nodes a zone
//! occupies, zone counts per node say which zones a block borders, and
//! blocks that are *twins* (same node, applicants and previous zone) are
//! interchangeable, so a move is tried with one twin per zone, and a twin
//! of a block just found unable to move is not tried again until something
//! moves. A thousand blocks at one address then cost the search about as
//! much as one.

use std::collections::VecDeque;

use super::{Assignment, Instance};

pub(crate) struct Search<'a> {
    inst: &'a Instance,
    pub z: Assignment,
    load: Vec<u32>,
    members: Vec<Vec<usize>>,
    pos: Vec<usize>,
    is_root: Vec<bool>,
    /// Blocks connected to their zone's root; only they move, so every
    /// zone that is connected stays connected.
    attached: Vec<bool>,
    /// Per node: (zone, blocks of the zone there).
    at_node: Vec<Vec<(usize, u32)>>,
    /// Per zone: the nodes it occupies.
    nodes_in: Vec<usize>,
    /// Twin class of each block; per class its blocks and, per zone, how
    /// many of them are there.
    class: Vec<usize>,
    class_blocks: Vec<Vec<usize>>,
    class_at: Vec<Vec<(usize, u32)>>,
    /// Per node, its twin classes.
    node_classes: Vec<Vec<usize>>,
    /// Per class: (zone, version) when a block of it last found no move.
    stuck: Vec<(usize, u64)>,
    /// Moves made so far (the state's version).
    pub moves: u64,
    mark: Vec<u32>,
    stamp: u32,
    /// Per class: the stamp of the last walk that took a block of it.
    class_mark: Vec<u32>,
    class_stamp: u32,
    /// Objective and applicants over the limit, kept up to date.
    pub cost: f64,
    pub over: u32,
    log: Vec<(usize, usize)>,
    queue: VecDeque<usize>,
    queued: Vec<bool>,
    /// The fewest applicants over the limits any zoning can have (the
    /// relaxation's overflow): once there, distant exchanges cannot help.
    pub least_over: u32,
    /// Whether every kick ends with ejection chains.
    pub chain_kicks: bool,
    /// Cost of each block in each zone (row per block, infinite where the
    /// zone is no candidate), when the table is at most [`DENSE_COSTS`]
    /// entries; else empty and looked up in the candidate lists. The
    /// search asks for costs millions of times, and a lookup in a block's
    /// candidate list was a quarter of its time.
    costs: Vec<f64>,
}

/// Entries of the dense cost table kept at most (128 MB of f64).
const DENSE_COSTS: usize = 16 << 20;

/// Add `by` (±1) blocks of zone `s` to a (zone, count) list, counting the
/// zone's occupied entries in `occupied`.
fn add_count(list: &mut Vec<(usize, u32)>, s: usize, by: i32, occupied: Option<&mut [usize]>) {
    match list.iter().position(|e| e.0 == s) {
        Some(i) => {
            let c = list[i].1.checked_add_signed(by).expect("counts stay ≥ 0");
            if c == 0 {
                list.swap_remove(i);
                if let Some(o) = occupied {
                    o[s] -= 1;
                }
            } else {
                list[i].1 = c;
            }
        }
        None => {
            assert_eq!(by, 1, "a block leaves a zone it is in");
            list.push((s, 1));
            if let Some(o) = occupied {
                o[s] += 1;
            }
        }
    }
}

fn count_in(list: &[(usize, u32)], s: usize) -> u32 {
    list.iter().find(|e| e.0 == s).map_or(0, |e| e.1)
}

fn better(d: (i64, f64)) -> bool {
    d.0 < 0 || (d.0 == 0 && d.1 < -1e-9)
}

impl<'a> Search<'a> {
    pub fn new(inst: &'a Instance, z: Assignment) -> Self {
        let n = inst.blocks();
        let k = inst.schools();
        let mut members = vec![Vec::new(); k];
        let mut pos = vec![0; n];
        for (b, &s) in z.iter().enumerate() {
            pos[b] = members[s].len();
            members[s].push(b);
        }
        let mut is_root = vec![false; n];
        for &r in &inst.root {
            is_root[r] = true;
        }
        let g = &inst.neighbours;
        let mut at_node: Vec<Vec<(usize, u32)>> = vec![Vec::new(); g.nodes()];
        let mut nodes_in = vec![0; k];
        for (b, &s) in z.iter().enumerate() {
            add_count(&mut at_node[g.node(b)], s, 1, Some(&mut nodes_in));
        }
        // twins: same node, applicants and previous zone; roots alone
        let mut class = vec![0; n];
        let mut class_blocks: Vec<Vec<usize>> = Vec::new();
        let mut node_classes: Vec<Vec<usize>> = vec![Vec::new(); g.nodes()];
        for (x, classes) in node_classes.iter_mut().enumerate() {
            for &b in g.at(x) {
                let twin = classes.iter().copied().find(|&c| {
                    let o = class_blocks[c][0];
                    !is_root[b]
                        && !is_root[o]
                        && inst.demand[o] == inst.demand[b]
                        && inst.previous[o] == inst.previous[b]
                });
                let c = twin.unwrap_or_else(|| {
                    class_blocks.push(Vec::new());
                    classes.push(class_blocks.len() - 1);
                    class_blocks.len() - 1
                });
                class[b] = c;
                class_blocks[c].push(b);
            }
        }
        let mut class_at: Vec<Vec<(usize, u32)>> = vec![Vec::new(); class_blocks.len()];
        for (b, &s) in z.iter().enumerate() {
            add_count(&mut class_at[class[b]], s, 1, None);
        }
        let classes = class_blocks.len();
        Search {
            inst,
            load: inst.load(&z),
            members,
            pos,
            is_root,
            attached: inst.reached_from_roots(&z),
            at_node,
            nodes_in,
            class,
            stuck: vec![(usize::MAX, 0); class_blocks.len()],
            class_blocks,
            class_at,
            node_classes,
            moves: 0,
            mark: vec![0; g.nodes()],
            class_mark: vec![0; classes],
            class_stamp: 0,
            stamp: 0,
            cost: inst.objective(&z),
            over: inst.overload(&z),
            z,
            log: Vec::new(),
            queue: VecDeque::new(),
            queued: vec![false; n],
            least_over: 0,
            chain_kicks: false,
            costs: if n.saturating_mul(k) <= DENSE_COSTS {
                (0..n)
                    .flat_map(|b| (0..k).map(move |s| inst.cost(b, s)))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Cost of block `b` in zone `s`; infinite when `s` is no candidate.
    fn cost(&self, b: usize, s: usize) -> f64 {
        if self.costs.is_empty() {
            self.inst.cost(b, s)
        } else {
            self.costs[b * self.inst.schools() + s]
        }
    }

    /// Whether block `b` may join zone `s`.
    fn may_join(&self, b: usize, s: usize) -> bool {
        self.cost(b, s).is_finite()
    }

    fn over_of(&self, s: usize, load: i64) -> i64 {
        (load - i64::from(self.inst.capacity[s])).max(0)
    }

    fn push(&mut self, b: usize) {
        if !self.queued[b] {
            self.queued[b] = true;
            self.queue.push_back(b);
        }
    }

    /// Re-examine a zone's blocks and the blocks bordering it (each node's
    /// neighbourhood once; of twins all in one zone, the first only).
    fn push_zone(&mut self, s: usize) {
        let inst = self.inst;
        let g = &inst.neighbours;
        let stamp = self.next_stamp();
        let cstamp = self.next_class_stamp();
        for i in 0..self.members[s].len() {
            let b = self.members[s][i];
            if self.first_twin(b, cstamp) {
                self.push(b);
            }
            let x = g.node(b);
            if self.mark[x] == stamp {
                continue;
            }
            self.mark[x] = stamp;
            // the blocks of other zones at x and the adjacent nodes, by
            // twin class; nodes wholly in zone s hold none
            for y in std::iter::once(x).chain(g.adjacent(x).iter().copied()) {
                if matches!(self.at_node[y].as_slice(), [(t, _)] if *t == s) {
                    continue;
                }
                for ci in 0..self.node_classes[y].len() {
                    let c = self.node_classes[y][ci];
                    for bi in 0..self.class_blocks[c].len() {
                        let n = self.class_blocks[c][bi];
                        if self.z[n] == s || !self.first_twin(n, cstamp) {
                            continue;
                        }
                        self.push(n);
                        if self.class_at[c].len() == 1 {
                            // its twins are all in n's zone: n stands for them
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Whether `b` is the first block of its twin class seen in the walk
    /// `cstamp`, or has twins in other zones (then it always counts).
    fn first_twin(&mut self, b: usize, cstamp: u32) -> bool {
        let c = self.class[b];
        if self.class_at[c].len() > 1 {
            return true;
        }
        std::mem::replace(&mut self.class_mark[c], cstamp) != cstamp
    }

    fn next_class_stamp(&mut self) -> u32 {
        self.class_stamp = self.class_stamp.wrapping_add(1);
        if self.class_stamp == 0 {
            self.class_mark.iter_mut().for_each(|m| *m = 0);
            self.class_stamp = 1;
        }
        self.class_stamp
    }

    fn next_stamp(&mut self) -> u32 {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        self.stamp
    }

    /// Move `b` to zone `t`, updating loads, cost and the undo log.
    fn relocate(&mut self, b: usize, t: usize) {
        let inst = self.inst;
        let a = self.z[b];
        let d = inst.demand[b];
        let before =
            self.over_of(a, i64::from(self.load[a])) + self.over_of(t, i64::from(self.load[t]));
        self.load[a] -= d;
        self.load[t] += d;
        let after =
            self.over_of(a, i64::from(self.load[a])) + self.over_of(t, i64::from(self.load[t]));
        self.over = (i64::from(self.over) + after - before) as u32;
        self.cost += self.cost(b, t) - self.cost(b, a);
        // membership: swap-remove from a, append to t
        let i = self.pos[b];
        let last = *self.members[a].last().expect("b is a member");
        self.members[a][i] = last;
        self.pos[last] = i;
        self.members[a].pop();
        self.pos[b] = self.members[t].len();
        self.members[t].push(b);
        self.z[b] = t;
        self.log.push((b, a));
        let x = inst.neighbours.node(b);
        add_count(&mut self.at_node[x], a, -1, Some(&mut self.nodes_in));
        add_count(&mut self.at_node[x], t, 1, Some(&mut self.nodes_in));
        let c = self.class[b];
        add_count(&mut self.class_at[c], a, -1, None);
        add_count(&mut self.class_at[c], t, 1, None);
        self.moves += 1;
    }

    fn moved(&mut self, zones: &[usize]) {
        for &s in zones {
            self.push_zone(s);
        }
    }

    /// Whether zone `a` stays connected to its root once the blocks in
    /// `out` leave it and the blocks in `into` join it: whether the nodes
    /// it then occupies are connected and hold its root.
    fn stays_connected(&mut self, a: usize, out: &[usize], into: &[usize]) -> bool {
        let inst = self.inst;
        let g = &inst.neighbours;
        let root = inst.root[a];
        if out.contains(&root) || (self.z[root] != a && !into.contains(&root)) {
            return false;
        }
        let z = &self.z;
        // blocks of zone a at node x afterwards
        let after = |x: usize| -> i64 {
            let leaving = out.iter().filter(|&&o| z[o] == a && g.node(o) == x).count();
            let joining = into
                .iter()
                .filter(|&&i| z[i] != a && g.node(i) == x)
                .count();
            i64::from(count_in(&self.at_node[x], a)) - leaving as i64 + joining as i64
        };
        let mut expected = self.nodes_in[a] as i64;
        let mut touched: Vec<usize> = out.iter().chain(into).map(|&b| g.node(b)).collect();
        touched.sort_unstable();
        touched.dedup();
        for &x in &touched {
            let before = count_in(&self.at_node[x], a) > 0;
            let now = after(x) > 0;
            expected += i64::from(now) - i64::from(before);
        }
        let occupied = |x: usize| -> bool {
            if touched.binary_search(&x).is_ok() {
                after(x) > 0
            } else {
                count_in(&self.at_node[x], a) > 0
            }
        };
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let start = g.node(root);
        let mut stack = vec![start];
        self.mark[start] = stamp;
        let mut count = 1;
        while let Some(x) = stack.pop() {
            for &y in g.adjacent(x) {
                if self.mark[y] != stamp && occupied(y) {
                    self.mark[y] = stamp;
                    count += 1;
                    stack.push(y);
                }
            }
        }
        count == expected
    }

    /// Whether `b` can leave its zone without cutting it: a block that
    /// shares its node with a block of its zone, or that has at most one
    /// neighbour in its zone, never cuts it.
    fn can_leave(&mut self, b: usize) -> bool {
        let a = self.z[b];
        let inst = self.inst;
        let g = &inst.neighbours;
        let x = g.node(b);
        if count_in(&self.at_node[x], a) >= 2 {
            return true;
        }
        let inside: u32 = g
            .adjacent(x)
            .iter()
            .map(|&y| count_in(&self.at_node[y], a))
            .sum();
        inside <= 1 || self.stays_connected(a, &[b], &[])
    }

    /// The zones other than `b`'s own among its neighbours, each once, in
    /// the order of their first neighbour (nodes holding one zone are not
    /// walked block by block).
    fn adjacent_zones(&self, b: usize) -> Vec<usize> {
        let g = &self.inst.neighbours;
        let a = self.z[b];
        let x = g.node(b);
        let mut out: Vec<usize> = Vec::new();
        let mut add = |t: usize| {
            if t != a && !out.contains(&t) {
                out.push(t);
            }
        };
        if self.at_node[x].len() > 1 {
            for &c in g.at(x) {
                if c != b {
                    add(self.z[c]);
                }
            }
        }
        for &y in g.adjacent(x) {
            match self.at_node[y].as_slice() {
                [(t, _)] => add(*t),
                _ => {
                    for &c in g.at(y) {
                        add(self.z[c]);
                    }
                }
            }
        }
        out
    }

    /// One block of each (twin class, zone) among `b`'s neighbours, other
    /// than `b`, in the order of the neighbours: twins are interchangeable
    /// partners, so one stands for all.
    fn partners(&self, b: usize) -> Vec<usize> {
        let g = &self.inst.neighbours;
        let x = g.node(b);
        let mut out = Vec::new();
        for y in std::iter::once(x).chain(g.adjacent(x).iter().copied()) {
            for &c in &self.node_classes[y] {
                let blocks = &self.class_blocks[c];
                if blocks.len() == 1 {
                    if blocks[0] != b {
                        out.push(blocks[0]);
                    }
                    continue;
                }
                for &(s, _) in &self.class_at[c] {
                    if let Some(&r) = blocks.iter().find(|&&r| r != b && self.z[r] == s) {
                        out.push(r);
                    }
                }
            }
        }
        out
    }

    fn movable(&self, b: usize) -> bool {
        !self.is_root[b] && self.attached[b]
    }

    /// Improve until no move helps, starting from every block.
    pub fn descend_all(&mut self) {
        for b in 0..self.inst.blocks() {
            self.push(b);
        }
        self.descend();
    }

    /// Improve from the queued blocks until no move helps.
    fn descend(&mut self) {
        while let Some(b) = self.queue.pop_front() {
            self.queued[b] = false;
            if !self.movable(b) {
                continue;
            }
            let c = self.class[b];
            let here = (self.z[b], self.moves);
            if self.stuck[c] == here {
                // a twin in the same zone found no move, and nothing moved since
                continue;
            }
            if !(self.try_move(b) || self.try_swap(b) || self.try_pair_move(b)) {
                self.stuck[c] = here;
            }
        }
    }

    fn try_move(&mut self, b: usize) -> bool {
        let inst = self.inst;
        let a = self.z[b];
        let d = i64::from(inst.demand[b]);
        let mut best: Option<((i64, f64), usize)> = None;
        for t in self.adjacent_zones(b) {
            if !self.may_join(b, t) {
                continue;
            }
            let before =
                self.over_of(a, i64::from(self.load[a])) + self.over_of(t, i64::from(self.load[t]));
            let after = self.over_of(a, i64::from(self.load[a]) - d)
                + self.over_of(t, i64::from(self.load[t]) + d);
            let delta = (after - before, self.cost(b, t) - self.cost(b, a));
            if better(delta)
                && best.is_none_or(|(bd, bt)| {
                    delta.0 < bd.0
                        || (delta.0 == bd.0
                            && (delta.1 < bd.1 - 1e-9 || (delta.1 <= bd.1 + 1e-9 && t < bt)))
                })
            {
                best = Some((delta, t));
            }
        }
        let Some((_, t)) = best else { return false };
        if !self.can_leave(b) {
            return false;
        }
        self.relocate(b, t);
        self.moved(&[a, t]);
        true
    }

    /// Exchange `b` with a neighbouring block of another zone; while seats
    /// are exceeded, with any block of a zone next to `b` (a distant
    /// exchange is often the only way to fit both zones in their seats).
    fn try_swap(&mut self, b: usize) -> bool {
        let a = self.z[b];
        for c in self.partners(b) {
            if self.try_exchange(b, c) {
                return true;
            }
        }
        if self.over <= self.least_over {
            return false;
        }
        for t in self.adjacent_zones(b) {
            debug_assert_ne!(t, a);
            let cstamp = self.next_class_stamp();
            for j in 0..self.members[t].len() {
                let c = self.members[t][j];
                if self.first_twin(c, cstamp) && self.try_exchange(b, c) {
                    return true;
                }
            }
        }
        false
    }

    fn try_exchange(&mut self, b: usize, c: usize) -> bool {
        let inst = self.inst;
        let (a, t) = (self.z[b], self.z[c]);
        if t == a || !self.movable(c) || !self.may_join(b, t) || !self.may_join(c, a) {
            return false;
        }
        let (db, dc) = (i64::from(inst.demand[b]), i64::from(inst.demand[c]));
        let (la, lt) = (i64::from(self.load[a]), i64::from(self.load[t]));
        let before = self.over_of(a, la) + self.over_of(t, lt);
        let after = self.over_of(a, la - db + dc) + self.over_of(t, lt - dc + db);
        let dcost = self.cost(b, t) - self.cost(b, a) + self.cost(c, a) - self.cost(c, t);
        if !better((after - before, dcost)) {
            return false;
        }
        if !self.stays_connected(a, &[b], &[c]) || !self.stays_connected(t, &[c], &[b]) {
            return false;
        }
        self.relocate(b, t);
        self.relocate(c, a);
        self.moved(&[a, t]);
        true
    }

    fn try_pair_move(&mut self, b: usize) -> bool {
        let inst = self.inst;
        let a = self.z[b];
        let partners = self.partners(b);
        for t in self.adjacent_zones(b) {
            if !self.may_join(b, t) {
                continue;
            }
            for &c in &partners {
                let cz = self.z[c];
                if cz == t || !self.movable(c) || !self.may_join(c, t) {
                    continue;
                }
                let (db, dc) = (i64::from(inst.demand[b]), i64::from(inst.demand[c]));
                let load = |s: usize| -> i64 {
                    let mut l = i64::from(self.load[s]);
                    if s == a {
                        l -= db;
                    }
                    if s == cz {
                        l -= dc;
                    }
                    if s == t {
                        l += db + dc;
                    }
                    l
                };
                // the zones involved, each once: a, t and c's zone if other
                let zones = [a, t, cz];
                let count = if cz == a { 2 } else { 3 };
                let zones = &zones[..count];
                let before: i64 = zones
                    .iter()
                    .map(|&s| self.over_of(s, i64::from(self.load[s])))
                    .sum();
                let after: i64 = zones.iter().map(|&s| self.over_of(s, load(s))).sum();
                let dcost = self.cost(b, t) - self.cost(b, a) + self.cost(c, t) - self.cost(c, cz);
                if !better((after - before, dcost)) {
                    continue;
                }
                let ok = self.stays_connected(a, &[b, c], &[])
                    && (cz == a || self.stays_connected(cz, &[c], &[]))
                    && self.stays_connected(t, &[], &[b, c]);
                if !ok {
                    continue;
                }
                self.relocate(b, t);
                self.relocate(c, t);
                self.moved(&[a, t, cz][..count]);
                return true;
            }
        }
        false
    }

    /// Undo every move since the log was `len` long.
    fn undo_to(&mut self, len: usize) {
        while self.log.len() > len {
            let (b, from) = self.log.pop().expect("longer than len");
            self.relocate(b, from);
            self.log.pop();
        }
    }

    /// Iterated local search (Lourenço, Martin & Stützle 2003): move one to
    /// four random boundary blocks (a random node, then a random block of
    /// it, so blocks at one address are one place) to an adjacent zone (keeping zones
    /// connected), descend again, and keep the result when it is no worse;
    /// otherwise undo. Kicks let the search leave a local optimum that
    /// only a chain of moves through worse zonings improves, as when seats
    /// are tight. The random stream is ChaCha8 from a fixed seed, so the
    /// result is the same on every run and machine.
    pub fn kicks(&mut self, rounds: usize, seed: u64, progress: &mut dyn FnMut(usize)) {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let n = self.inst.blocks();
        let nodes = self.inst.neighbours.nodes();
        if n == 0 || self.inst.schools() < 2 {
            return;
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        self.descend_all();
        self.log.clear();
        let (mut best_over, mut best_cost) = (self.over, self.cost);
        for round in 0..rounds {
            if round % 64 == 0 {
                progress(round);
            }
            let moves = 1 + (rng.next_u32() % 4) as usize;
            let mut done = 0;
            for _ in 0..20 * moves {
                if done == moves {
                    break;
                }
                // a random place, then a random block there
                let inst = self.inst;
                let g = &inst.neighbours;
                let here = g.at((rng.next_u64() % nodes as u64) as usize);
                let b = match here.len() {
                    0 => continue,
                    1 => here[0],
                    len => here[(rng.next_u32() as usize) % len],
                };
                if !self.movable(b) {
                    continue;
                }
                let a = self.z[b];
                let x = g.node(b);
                let degree =
                    here.len() - 1 + g.adjacent(x).iter().map(|&y| g.at(y).len()).sum::<usize>();
                if degree == 0 {
                    continue;
                }
                // a random neighbour's zone, when b may join it
                let Some(nb) = g.of(b).nth((rng.next_u32() as usize) % degree) else {
                    continue;
                };
                let t = self.z[nb];
                if t == a || !self.may_join(b, t) {
                    continue;
                }
                if self.can_leave(b) {
                    self.relocate(b, t);
                    self.moved(&[a, t]);
                    done += 1;
                }
            }
            self.descend();
            if self.chain_kicks && self.over == 0 {
                while self.chain_step() {
                    self.descend();
                }
            }
            if self.over < best_over || (self.over == best_over && self.cost <= best_cost + 1e-9) {
                best_over = self.over;
                best_cost = self.cost;
                self.log.clear();
            } else {
                self.undo_to(0);
            }
        }
        // drop the drift of incremental sums
        self.cost = self.inst.objective(&self.z);
    }
}

/// Longest ejection chain tried: blocks moved in one step.
const CHAIN_DEPTH: usize = 6;

/// Improving chains tried per pass before giving up (a chain is built
/// without looking at contiguity, and the best may cut a zone).
const CHAIN_TRIES: usize = 64;

/// An ejection chain: `blocks[0]` moves into the zone of `blocks[1]`,
/// which moves into the zone of `blocks[2]`, …; the last moves into
/// `end` (the zone of `blocks[0]` for a cycle, or a zone with room).
#[derive(Clone, Debug)]
struct Chain {
    gain: f64,
    blocks: Vec<usize>,
    end: usize,
}

/// An arc of the improvement graph out of a block: the zone it may join,
/// the change of its cost, the movers of that zone it may eject with the
/// zone kept within seats, and whether the zone has room without ejecting.
struct Arc {
    zone: usize,
    cost: f64,
    eject: Vec<usize>,
    room: bool,
}

/// A path of the chain search's dynamic programme: blocks ejected in
/// turn, each the next's zone's leaver; `cost` counts the moves made so
/// far (every block but the last has moved).
#[derive(Clone)]
struct Label {
    cost: f64,
    blocks: Vec<usize>,
}

impl Search<'_> {
    /// Ejection chains and cyclic exchanges (Thompson & Orlin 1989;
    /// Ahuja, Orlin & Sharma 2001, "very large-scale neighbourhood
    /// search"): when every zone is full, the improving changes are chains
    /// of moves through several zones, each zone taking one block and
    /// giving up another, that no single move or swap reaches. The
    /// *improvement graph* has an arc from block i to block j of another
    /// zone B when i may join B and B stays within its seats with i in and
    /// j out; its cost is i's change of cost. A chain ends either back in
    /// the first block's zone (a cycle) or in a zone with room for its last
    /// block (a path). Negative chains through distinct zones are found by
    /// the label-correcting dynamic programme of Ahuja et al. (one best
    /// path per block and length, up to [`CHAIN_DEPTH`] blocks), then
    /// checked exactly: seats per arc, contiguity of every zone touched by
    /// [`Search::stays_connected`]. The best chain that keeps every zone
    /// connected is applied. Returns whether one was.
    pub fn chain_step(&mut self) -> bool {
        if self.over > 0 {
            return false;
        }
        let movers = self.movers();
        let arcs = self.improvement_arcs(&movers);
        let mut found = self.negative_chains(&movers, &arcs);
        found.sort_by(|a, b| a.gain.total_cmp(&b.gain).then(a.blocks.cmp(&b.blocks)));
        for c in found.iter().take(CHAIN_TRIES) {
            if self.apply_chain(c) {
                return true;
            }
        }
        false
    }

    /// Improve from every block by the local moves and chains until
    /// neither helps.
    pub fn descend_with_chains(&mut self) {
        self.descend_all();
        while self.chain_step() {
            self.descend();
        }
    }

    /// The blocks a chain may move: movable, one per (twin class, zone).
    fn movers(&self) -> Vec<usize> {
        let mut seen = std::collections::HashSet::new();
        (0..self.inst.blocks())
            .filter(|&b| self.movable(b) && seen.insert((self.class[b], self.z[b])))
            .collect()
    }

    /// Per mover (by position in `movers`): per zone it may join, (zone,
    /// cost of joining it, the movers of that zone it may eject with the
    /// zone kept within seats, whether the zone has room for it without
    /// ejecting).
    fn improvement_arcs(&self, movers: &[usize]) -> Vec<Vec<Arc>> {
        let inst = self.inst;
        let mut of_zone: Vec<Vec<usize>> = vec![Vec::new(); inst.schools()];
        for (i, &b) in movers.iter().enumerate() {
            of_zone[self.z[b]].push(i);
        }
        movers
            .iter()
            .map(|&b| {
                let a = self.z[b];
                let d = i64::from(inst.demand[b]);
                self.adjacent_zones(b)
                    .into_iter()
                    .filter(|&t| self.may_join(b, t))
                    .map(|t| {
                        let room = i64::from(inst.capacity[t]) - i64::from(self.load[t]);
                        let eject: Vec<usize> = of_zone[t]
                            .iter()
                            .copied()
                            .filter(|&j| d - i64::from(inst.demand[movers[j]]) <= room)
                            .collect();
                        Arc {
                            zone: t,
                            cost: self.cost(b, t) - self.cost(b, a),
                            eject,
                            room: d <= room,
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Negative chains through distinct zones, by the label-correcting
    /// programme: round r extends the best path of r blocks ending at each
    /// mover by one arc, keeping per mover the cheapest extension.
    fn negative_chains(&self, movers: &[usize], arcs: &[Vec<Arc>]) -> Vec<Chain> {
        let zone = |i: usize| self.z[movers[i]];
        let mut found = Vec::new();
        let mut labels: Vec<Option<Label>> = (0..movers.len())
            .map(|i| {
                Some(Label {
                    cost: 0.0,
                    blocks: vec![i],
                })
            })
            .collect();
        let chain = |l: &Label, end: usize, gain: f64| Chain {
            gain,
            blocks: l.blocks.iter().map(|&i| movers[i]).collect(),
            end,
        };
        for round in 0..CHAIN_DEPTH {
            let last = round + 1 == CHAIN_DEPTH;
            let mut next: Vec<Option<Label>> = vec![None; if last { 0 } else { movers.len() }];
            for (u, label) in labels.iter().enumerate() {
                let Some(l) = label else { continue };
                let used = |t: usize| l.blocks.iter().any(|&v| zone(v) == t);
                let first = l.blocks[0];
                for arc in &arcs[u] {
                    let cost = l.cost + arc.cost;
                    let t = arc.zone;
                    if cost < -1e-6 {
                        // a path ending in a zone with room
                        if arc.room && !used(t) {
                            found.push(chain(l, t, cost));
                        }
                        // a cycle back into the first block's zone
                        if t == zone(first) && l.blocks.len() > 1 && arc.eject.contains(&first) {
                            found.push(chain(l, t, cost));
                        }
                    }
                    if last || used(t) {
                        continue;
                    }
                    for &j in &arc.eject {
                        if next[j].as_ref().is_none_or(|n| cost < n.cost - 1e-9) {
                            let mut blocks = l.blocks.clone();
                            blocks.push(j);
                            next[j] = Some(Label { cost, blocks });
                        }
                    }
                }
            }
            labels = next;
        }
        found
    }

    /// Apply `c` if every zone it touches stays connected; seats were
    /// checked per arc.
    fn apply_chain(&mut self, c: &Chain) -> bool {
        let k = c.blocks.len();
        // zone i of the chain: the zone of blocks[i], losing blocks[i] and
        // taking blocks[i − 1]; the end zone takes the last block
        let zones: Vec<usize> = c.blocks.iter().map(|&b| self.z[b]).collect();
        let cycle = c.end == zones[0];
        for (i, (&zone, &leaving)) in zones.iter().zip(&c.blocks).enumerate() {
            let into: Vec<usize> = if i > 0 {
                vec![c.blocks[i - 1]]
            } else if cycle {
                vec![c.blocks[k - 1]]
            } else {
                Vec::new()
            };
            if !self.stays_connected(zone, &[leaving], &into) {
                return false;
            }
        }
        if !cycle && !self.stays_connected(c.end, &[], &[c.blocks[k - 1]]) {
            return false;
        }
        let before = self.cost;
        for i in 0..k {
            let t = if i + 1 < k { zones[i + 1] } else { c.end };
            self.relocate(c.blocks[i], t);
        }
        debug_assert_eq!(self.inst.overload(&self.z), 0);
        debug_assert!(self.cost < before);
        let mut touched = zones;
        touched.push(c.end);
        touched.sort_unstable();
        touched.dedup();
        self.moved(&touched);
        true
    }
}
