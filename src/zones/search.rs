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
//! one.

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
    mark: Vec<u32>,
    stamp: u32,
    /// Objective and applicants over the limit, kept up to date.
    pub cost: f64,
    pub over: u32,
    log: Vec<(usize, usize)>,
    queue: VecDeque<usize>,
    queued: Vec<bool>,
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
        Search {
            inst,
            load: inst.load(&z),
            members,
            pos,
            is_root,
            attached: inst.reached_from_roots(&z),
            mark: vec![0; n],
            stamp: 0,
            cost: inst.objective(&z),
            over: inst.overload(&z),
            z,
            log: Vec::new(),
            queue: VecDeque::new(),
            queued: vec![false; n],
        }
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

    /// Re-examine a zone's blocks and the blocks bordering it.
    fn push_zone(&mut self, s: usize) {
        for i in 0..self.members[s].len() {
            let b = self.members[s][i];
            self.push(b);
            for j in 0..self.inst.neighbours[b].len() {
                let n = self.inst.neighbours[b][j];
                if self.z[n] != s {
                    self.push(n);
                }
            }
        }
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
        self.cost += inst.cost(b, t) - inst.cost(b, a);
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
    }

    fn moved(&mut self, zones: &[usize]) {
        for &s in zones {
            self.push_zone(s);
        }
    }

    /// Whether zone `a` stays connected to its root once the blocks in
    /// `out` leave it and the blocks in `into` join it.
    fn stays_connected(&mut self, a: usize, out: &[usize], into: &[usize]) -> bool {
        let inst = self.inst;
        let root = inst.root[a];
        if out.contains(&root) {
            return false;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let z = &self.z;
        let leaving = out.iter().filter(|&&x| z[x] == a).count();
        let joining = into.iter().filter(|&&x| z[x] != a).count();
        let member = |x: usize| (z[x] == a && !out.contains(&x)) || into.contains(&x);
        let expected = self.members[a].len() + joining - leaving;
        let mut stack = vec![root];
        self.mark[root] = stamp;
        let mut count = 1;
        while let Some(x) = stack.pop() {
            for &n in &inst.neighbours[x] {
                if self.mark[n] != stamp && member(n) {
                    self.mark[n] = stamp;
                    count += 1;
                    stack.push(n);
                }
            }
        }
        count == expected
    }

    /// Whether `b` can leave its zone without cutting it: a block with at
    /// most one neighbour in its zone never cuts it.
    fn can_leave(&mut self, b: usize) -> bool {
        let a = self.z[b];
        let inside = self.inst.neighbours[b]
            .iter()
            .filter(|&&n| self.z[n] == a)
            .count();
        inside <= 1 || self.stays_connected(a, &[b], &[])
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
            let _ = self.try_move(b) || self.try_swap(b) || self.try_pair_move(b);
        }
    }

    fn try_move(&mut self, b: usize) -> bool {
        let inst = self.inst;
        let a = self.z[b];
        let d = i64::from(inst.demand[b]);
        let mut best: Option<((i64, f64), usize)> = None;
        for &nb in &inst.neighbours[b] {
            let t = self.z[nb];
            if t == a || inst.metres(b, t).is_none() {
                continue;
            }
            let before =
                self.over_of(a, i64::from(self.load[a])) + self.over_of(t, i64::from(self.load[t]));
            let after = self.over_of(a, i64::from(self.load[a]) - d)
                + self.over_of(t, i64::from(self.load[t]) + d);
            let delta = (after - before, inst.cost(b, t) - inst.cost(b, a));
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
        let inst = self.inst;
        let a = self.z[b];
        for i in 0..inst.neighbours[b].len() {
            if self.try_exchange(b, inst.neighbours[b][i]) {
                return true;
            }
        }
        if self.over == 0 {
            return false;
        }
        for i in 0..inst.neighbours[b].len() {
            let t = self.z[inst.neighbours[b][i]];
            if t == a {
                continue;
            }
            for j in 0..self.members[t].len() {
                let c = self.members[t][j];
                if self.try_exchange(b, c) {
                    return true;
                }
            }
        }
        false
    }

    fn try_exchange(&mut self, b: usize, c: usize) -> bool {
        let inst = self.inst;
        let (a, t) = (self.z[b], self.z[c]);
        if t == a || !self.movable(c) || inst.metres(b, t).is_none() || inst.metres(c, a).is_none()
        {
            return false;
        }
        let (db, dc) = (i64::from(inst.demand[b]), i64::from(inst.demand[c]));
        let (la, lt) = (i64::from(self.load[a]), i64::from(self.load[t]));
        let before = self.over_of(a, la) + self.over_of(t, lt);
        let after = self.over_of(a, la - db + dc) + self.over_of(t, lt - dc + db);
        let dcost = inst.cost(b, t) - inst.cost(b, a) + inst.cost(c, a) - inst.cost(c, t);
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
        let nb = &inst.neighbours[b];
        for (ti, &tb) in nb.iter().enumerate() {
            let t = self.z[tb];
            // each adjacent zone once
            if t == a || nb[..ti].iter().any(|&x| self.z[x] == t) || inst.metres(b, t).is_none() {
                continue;
            }
            for &c in nb {
                let cz = self.z[c];
                if cz == t || !self.movable(c) || inst.metres(c, t).is_none() {
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
                let dcost = inst.cost(b, t) - inst.cost(b, a) + inst.cost(c, t) - inst.cost(c, cz);
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
    /// four random boundary blocks to an adjacent zone (keeping zones
    /// connected), descend again, and keep the result when it is no worse;
    /// otherwise undo. Kicks let the search leave a local optimum that
    /// only a chain of moves through worse zonings improves, as when seats
    /// are tight. The random stream is ChaCha8 from a fixed seed, so the
    /// result is the same on every run and machine.
    pub fn kicks(&mut self, rounds: usize, seed: u64) {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let n = self.inst.blocks();
        if n == 0 || self.inst.schools() < 2 {
            return;
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        self.descend_all();
        self.log.clear();
        let (mut best_over, mut best_cost) = (self.over, self.cost);
        for _ in 0..rounds {
            let moves = 1 + (rng.next_u32() % 4) as usize;
            let mut done = 0;
            for _ in 0..20 * moves {
                if done == moves {
                    break;
                }
                let b = (rng.next_u64() % n as u64) as usize;
                if !self.movable(b) {
                    continue;
                }
                let a = self.z[b];
                let nb = &self.inst.neighbours[b];
                if nb.is_empty() {
                    continue;
                }
                // a random neighbour's zone, when b may join it
                let t = self.z[nb[(rng.next_u32() as usize) % nb.len()]];
                if t == a || self.inst.metres(b, t).is_none() {
                    continue;
                }
                if self.can_leave(b) {
                    self.relocate(b, t);
                    self.moved(&[a, t]);
                    done += 1;
                }
            }
            self.descend();
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
