//! Exact minimum-cost flow by the primal network simplex method.
//!
//! The placement problems are transportation problems (homes → schools →
//! sink) with integer costs in metres and integer capacities, so the
//! network simplex returns an integral optimum by construction. The method
//! follows the textbook presentation of Ahuja, Magnanti and Orlin, *Network
//! Flows* (1993), ch. 11, with the spanning tree stored as parent pointers, a
//! preorder thread and subtree sizes (as in LEMON's and NetworkX's
//! implementations), Cunningham's strongly feasible trees against cycling,
//! and a block-search pivot rule (Grigoriadis 1986): scan `√m` arcs at a
//! time and enter the most violating one.
//!
//! ```
//! use sunshine::solve::mcf::{Network, Solution};
//! let mut net = Network::new();
//! let home = net.add_node(2);
//! let school = net.add_node(0);
//! let sink = net.add_node(-2);
//! let a = net.add_arc(home, school, 5, 700);
//! net.add_arc(school, sink, 1, 0);
//! net.add_arc(home, sink, 5, 10_000); // unplaced, at a penalty
//! let Solution::Optimal(f) = net.solve() else { panic!() };
//! assert_eq!(f.flow[a], 1);
//! assert_eq!(f.cost, 700 + 10_000);
//! ```

/// Capacity standing for "unbounded" (far above any real supply).
pub const INF: i64 = i64::MAX / 8;

const NONE: usize = usize::MAX;

#[derive(Clone, Debug, Default)]
pub struct Network {
    supply: Vec<i64>,
    from: Vec<usize>,
    to: Vec<usize>,
    cap: Vec<i64>,
    cost: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    /// Flow on each arc, indexed as returned by [`Network::add_arc`].
    pub flow: Vec<i64>,
    pub cost: i128,
    /// Node potentials (duals) of the optimal tree, indexed as returned by
    /// [`Network::add_node`]: the reduced cost of an arc `u → v` of cost `c`
    /// is `c − potential[u] + potential[v]`, 0 on tree arcs, ≥ 0 on arcs
    /// at flow 0 and ≤ 0 on saturated ones. An arc not in the network whose
    /// reduced cost is negative could lower the cost (column generation);
    /// if none is, the flow is optimal for the larger network too.
    pub potential: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Solution {
    Optimal(Flow),
    /// Supplies cannot all be routed to demands within the capacities
    /// (or supplies and demands do not balance).
    Infeasible,
}

impl Network {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(nodes: usize, arcs: usize) -> Self {
        Network {
            supply: Vec::with_capacity(nodes),
            from: Vec::with_capacity(arcs),
            to: Vec::with_capacity(arcs),
            cap: Vec::with_capacity(arcs),
            cost: Vec::with_capacity(arcs),
        }
    }

    /// A node with a supply (positive) or demand (negative).
    pub fn add_node(&mut self, supply: i64) -> usize {
        self.supply.push(supply);
        self.supply.len() - 1
    }

    pub fn set_supply(&mut self, node: usize, supply: i64) {
        self.supply[node] = supply;
    }

    /// An arc with capacity `cap` (use [`INF`] for none) and cost per unit.
    pub fn add_arc(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        assert!(
            from < self.supply.len() && to < self.supply.len(),
            "arc to an unknown node"
        );
        assert!(cap >= 0, "negative capacity");
        self.from.push(from);
        self.to.push(to);
        self.cap.push(cap);
        self.cost.push(cost);
        self.from.len() - 1
    }

    pub fn node_count(&self) -> usize {
        self.supply.len()
    }

    pub fn arc_count(&self) -> usize {
        self.from.len()
    }

    pub fn supply(&self, node: usize) -> i64 {
        self.supply[node]
    }

    /// Arcs as `(from, to, capacity, cost)`.
    pub fn arcs(&self) -> impl Iterator<Item = (usize, usize, i64, i64)> + '_ {
        (0..self.from.len()).map(|e| (self.from[e], self.to[e], self.cap[e], self.cost[e]))
    }

    pub fn solve(&self) -> Solution {
        if self.supply.iter().map(|&s| i128::from(s)).sum::<i128>() != 0 {
            return Solution::Infeasible;
        }
        Simplex::new(self).run()
    }
}

struct Simplex<'a> {
    net: &'a Network,
    m: usize,
    // arcs 0..m are the network's, m..m+n the artificial ones
    src: Vec<usize>,
    dst: Vec<usize>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    flow: Vec<i64>,
    pi: Vec<i64>,
    parent: Vec<usize>,
    pred: Vec<usize>,
    size: Vec<usize>,
    next: Vec<usize>,
    prev: Vec<usize>,
    last: Vec<usize>,
    // scratch for cycles: (arc, forward along the push direction)
    side_p: Vec<usize>,
    side_q: Vec<usize>,
}

impl<'a> Simplex<'a> {
    // long: the starting spanning tree (artificial root, big-M arcs, thread
    // and depth arrays) must be built in one consistent pass, as in the
    // cited LEMON network simplex; split, the invariants would span calls.
    // The start touches several per-node arrays at once.
    #[allow(clippy::needless_range_loop)]
    fn new(net: &'a Network) -> Self {
        let n = net.node_count();
        let m = net.arc_count();
        let root = n;
        let max_cost = net.cost.iter().map(|c| c.unsigned_abs()).max().unwrap_or(0) as i64;
        let big = (n as i64 + 1)
            .saturating_mul(max_cost.max(1))
            .saturating_add(1);
        let mut s = Simplex {
            net,
            m,
            src: net.from.clone(),
            dst: net.to.clone(),
            cap: net.cap.clone(),
            cost: net.cost.clone(),
            flow: vec![0; m + n],
            pi: vec![0; n + 1],
            parent: vec![NONE; n + 1],
            pred: vec![NONE; n + 1],
            size: vec![1; n + 1],
            next: vec![0; n + 1],
            prev: vec![0; n + 1],
            last: (0..=n).collect(),
            side_p: Vec::new(),
            side_q: Vec::new(),
        };
        s.src.reserve(n);
        s.dst.reserve(n);
        s.cap.reserve(n);
        s.cost.reserve(n);
        // Start: a hub (the node of largest demand, e.g. the sink of a
        // placement network) hangs from the artificial root; every other node
        // hangs from the hub by its cheapest real arc there that can carry
        // its supply with room to spare, or else from the root by an
        // artificial arc of cost `big` directed along its supply. All flows
        // are at their supplies and zero-flow tree arcs point to the root
        // with residual capacity, so the tree is strongly feasible.
        let hub = (0..n)
            .filter(|&v| net.supply[v] < 0)
            .min_by_key(|&v| (net.supply[v], v));
        let mut to_hub: Vec<usize> = vec![NONE; n];
        if let Some(h) = hub {
            for e in 0..m {
                let v = net.from[e];
                if net.to[e] == h && v != h && net.supply[v] >= 0 && net.cap[e] > net.supply[v] {
                    let better = to_hub[v] == NONE || net.cost[e] < net.cost[to_hub[v]];
                    if better {
                        to_hub[v] = e;
                    }
                }
            }
        }
        let mut hub_net = 0i64;
        for v in 0..n {
            let b = net.supply[v];
            let e = m + v;
            s.cap.push(INF);
            s.cost.push(big);
            if to_hub[v] != NONE {
                // placeholder artificial arc, never used (flow 0, cost big)
                s.src.push(v);
                s.dst.push(root);
                let real = to_hub[v];
                s.flow[real] = b;
                hub_net += b;
                s.parent[v] = hub.unwrap_or(root);
                s.pred[v] = real;
                continue;
            }
            if b >= 0 {
                s.src.push(v);
                s.dst.push(root);
            } else {
                s.src.push(root);
                s.dst.push(v);
            }
            s.flow[e] = b.abs();
            s.parent[v] = root;
            s.pred[v] = e;
        }
        if let Some(h) = hub {
            // the hub's own arc to the root carries what its children do not
            let net_h = net.supply[h] + hub_net;
            let e = m + h;
            if net_h > 0 {
                s.src[e] = h;
                s.dst[e] = root;
            } else {
                s.src[e] = root;
                s.dst[e] = h;
            }
            s.flow[e] = net_h.abs();
        }
        // potentials from the root down (hub first, then its children)
        let set_pi = |s: &mut Simplex<'_>, v: usize| {
            let e = s.pred[v];
            let p = s.parent[v];
            s.pi[v] = if s.src[e] == v {
                s.cost[e] + s.pi[p]
            } else {
                s.pi[p] - s.cost[e]
            };
        };
        if let Some(h) = hub {
            set_pi(&mut s, h);
        }
        for v in 0..n {
            if Some(v) != hub {
                set_pi(&mut s, v);
            }
        }
        // thread in preorder: root, hub, the hub's children, the rest
        let mut order = vec![root];
        if let Some(h) = hub {
            order.push(h);
            order.extend((0..n).filter(|&v| v != h && s.parent[v] == h));
        }
        order.extend((0..n).filter(|&v| Some(v) != hub && s.parent[v] == root));
        for w in 0..order.len() {
            let (a, b) = (order[w], order[(w + 1) % order.len()]);
            s.next[a] = b;
            s.prev[b] = a;
        }
        s.size[root] = n + 1;
        s.last[root] = *order.last().expect("root");
        if let Some(h) = hub {
            let kids = (0..n).filter(|&v| v != h && s.parent[v] == h).count();
            s.size[h] = kids + 1;
            s.last[h] = order[1 + kids];
        }
        s
    }

    fn reduced(&self, e: usize) -> i64 {
        self.cost[e] - self.pi[self.src[e]] + self.pi[self.dst[e]]
    }

    /// Block search: the most violating arc in the first block that has one.
    fn entering(&self, start: &mut usize, block: usize) -> Option<usize> {
        let total = self.src.len();
        let mut best = None;
        let mut best_v = 0i64;
        let mut scanned = 0;
        let mut e = *start;
        while scanned < total {
            let v = if self.cap[e] == 0 {
                0
            } else if self.flow[e] == 0 {
                -self.reduced(e)
            } else if self.flow[e] == self.cap[e] {
                self.reduced(e)
            } else {
                0
            };
            if v > best_v {
                best_v = v;
                best = Some(e);
            }
            scanned += 1;
            e += 1;
            if e == total {
                e = 0;
            }
            if scanned % block == 0 && best.is_some() {
                break;
            }
        }
        *start = e;
        best
    }

    fn run(mut self) -> Solution {
        let total = self.src.len();
        let block = ((total as f64).sqrt() as usize).max(10);
        let mut start = 0;
        while let Some(e) = self.entering(&mut start, block) {
            self.pivot(e);
        }
        if (0..self.net.node_count()).any(|v| self.flow[self.m + v] != 0) {
            return Solution::Infeasible;
        }
        let flow: Vec<i64> = self.flow[..self.m].to_vec();
        let cost: i128 = flow
            .iter()
            .zip(&self.net.cost)
            .map(|(&f, &c)| i128::from(f) * i128::from(c))
            .sum();
        let potential = self.pi[..self.net.node_count()].to_vec();
        Solution::Optimal(Flow {
            flow,
            cost,
            potential,
        })
    }

    fn residual(&self, e: usize, forward: bool) -> i64 {
        if forward {
            self.cap[e] - self.flow[e]
        } else {
            self.flow[e]
        }
    }

    // long: one pivot (find the join node, the leaving arc, push the flow,
    // re-hang the subtree and update potentials) keeps the tree invariants
    // only as a whole; its steps follow the cited algorithm in order.
    fn pivot(&mut self, e: usize) {
        // Push along e from p to q: forward when e sits at its lower bound.
        let forward_e = self.flow[e] == 0;
        let (p, q) = if forward_e {
            (self.src[e], self.dst[e])
        } else {
            (self.dst[e], self.src[e])
        };
        // Tree paths up to the apex: p-side nodes (flow goes down to p), q-side
        // nodes (flow goes up from q).
        self.side_p.clear();
        self.side_q.clear();
        let (mut a, mut b) = (p, q);
        while a != b {
            if self.size[a] < self.size[b] {
                self.side_p.push(a);
                a = self.parent[a];
            } else if self.size[a] > self.size[b] {
                self.side_q.push(b);
                b = self.parent[b];
            } else {
                self.side_p.push(a);
                a = self.parent[a];
                self.side_q.push(b);
                b = self.parent[b];
            }
        }
        // Walk the cycle from the apex in the push direction, keeping the
        // last blocking arc (ties replace): Cunningham's rule.
        let mut delta = i64::MAX;
        let mut leave = e;
        let mut leave_on_q = false;
        for i in (0..self.side_p.len()).rev() {
            let u = self.side_p[i];
            let pe = self.pred[u];
            // flow moves parent(u) -> u
            let r = self.residual(pe, self.dst[pe] == u);
            if r <= delta {
                delta = r;
                leave = pe;
            }
        }
        let r = self.residual(e, forward_e);
        if r <= delta {
            delta = r;
            leave = e;
        }
        for i in 0..self.side_q.len() {
            let u = self.side_q[i];
            let pe = self.pred[u];
            // flow moves u -> parent(u)
            let r = self.residual(pe, self.src[pe] == u);
            if r <= delta {
                delta = r;
                leave = pe;
                leave_on_q = true;
            }
        }
        if delta > 0 {
            if forward_e {
                self.flow[e] += delta;
            } else {
                self.flow[e] -= delta;
            }
            for i in 0..self.side_p.len() {
                let u = self.side_p[i];
                let pe = self.pred[u];
                if self.dst[pe] == u {
                    self.flow[pe] += delta;
                } else {
                    self.flow[pe] -= delta;
                }
            }
            for i in 0..self.side_q.len() {
                let u = self.side_q[i];
                let pe = self.pred[u];
                if self.src[pe] == u {
                    self.flow[pe] += delta;
                } else {
                    self.flow[pe] -= delta;
                }
            }
        }
        if leave == e {
            return;
        }
        // The leaving arc's lower endpoint roots the subtree that is cut off;
        // the endpoint of e on that side is re-rooted and hung from the other.
        let child = if self.parent[self.src[leave]] == self.dst[leave] {
            self.src[leave]
        } else {
            self.dst[leave]
        };
        let (inner, outer) = if leave_on_q { (q, p) } else { (p, q) };
        self.cut(child);
        self.reroot(inner);
        self.link(e, outer, inner);
        let d = if inner == self.dst[e] {
            self.pi[self.src[e]] - self.cost[e] - self.pi[inner]
        } else {
            self.cost[e] + self.pi[self.dst[e]] - self.pi[inner]
        };
        if d != 0 {
            // Only differences of potentials matter, so shift whichever side
            // of the tree is smaller: the subtree by +d, or the rest by -d.
            let after = self.next[self.last[inner]];
            if 2 * self.size[inner] <= self.pi.len() {
                let mut u = inner;
                while u != after {
                    self.pi[u] += d;
                    u = self.next[u];
                }
            } else {
                let mut u = after;
                while u != inner {
                    self.pi[u] -= d;
                    u = self.next[u];
                }
            }
        }
    }

    /// Detach the subtree of `t` from its parent.
    fn cut(&mut self, t: usize) {
        let s = self.parent[t];
        let size_t = self.size[t];
        let prev_t = self.prev[t];
        let last_t = self.last[t];
        let after = self.next[last_t];
        self.parent[t] = NONE;
        self.pred[t] = NONE;
        self.next[prev_t] = after;
        self.prev[after] = prev_t;
        self.next[last_t] = t;
        self.prev[t] = last_t;
        let mut u = s;
        while u != NONE {
            self.size[u] -= size_t;
            if self.last[u] == last_t {
                self.last[u] = prev_t;
            }
            u = self.parent[u];
        }
    }

    /// Make `q` the root of the (detached) tree that contains it.
    fn reroot(&mut self, q: usize) {
        let mut path = Vec::new();
        let mut u = q;
        while u != NONE {
            path.push(u);
            u = self.parent[u];
        }
        for w in (1..path.len()).rev() {
            let (p, c) = (path[w], path[w - 1]);
            let size_p = self.size[p];
            let mut last_p = self.last[p];
            let prev_c = self.prev[c];
            let last_c = self.last[c];
            let after_c = self.next[last_c];
            self.parent[p] = c;
            self.parent[c] = NONE;
            self.pred[p] = self.pred[c];
            self.pred[c] = NONE;
            self.size[p] = size_p - self.size[c];
            self.size[c] = size_p;
            self.next[prev_c] = after_c;
            self.prev[after_c] = prev_c;
            self.next[last_c] = c;
            self.prev[c] = last_c;
            if last_p == last_c {
                self.last[p] = prev_c;
                last_p = prev_c;
            }
            self.prev[p] = last_c;
            self.next[last_c] = p;
            self.next[last_p] = c;
            self.prev[c] = last_p;
            self.last[c] = last_p;
        }
    }

    /// Hang the tree rooted at `q` below `p` by arc `e`.
    fn link(&mut self, e: usize, p: usize, q: usize) {
        let last_p = self.last[p];
        let after_p = self.next[last_p];
        let size_q = self.size[q];
        let last_q = self.last[q];
        self.parent[q] = p;
        self.pred[q] = e;
        self.next[last_p] = q;
        self.prev[q] = last_p;
        self.prev[after_p] = last_q;
        self.next[last_q] = after_p;
        let mut u = p;
        while u != NONE {
            self.size[u] += size_q;
            if self.last[u] == last_p {
                self.last[u] = last_q;
            }
            u = self.parent[u];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(net: &Network) -> Option<i128> {
        match net.solve() {
            Solution::Optimal(f) => Some(f.cost),
            Solution::Infeasible => None,
        }
    }

    #[test]
    fn transportation_textbook() {
        // 2 sources (20, 30) → 3 sinks (10, 25, 15)
        let mut n = Network::new();
        let s = [n.add_node(20), n.add_node(30)];
        let t = [n.add_node(-10), n.add_node(-25), n.add_node(-15)];
        let c = [[8, 6, 10], [9, 12, 13]];
        for i in 0..2 {
            for j in 0..3 {
                n.add_arc(s[i], t[j], INF, c[i][j]);
            }
        }
        // s0: 20 to t1 (120); s1: 10 to t0 (90), 5 to t1 (60), 15 to t2 (195)
        assert_eq!(cost(&n), Some(120 + 90 + 60 + 195));
    }

    #[test]
    fn infeasible_when_capacity_short() {
        let mut n = Network::new();
        let a = n.add_node(3);
        let b = n.add_node(-3);
        n.add_arc(a, b, 2, 1);
        assert_eq!(cost(&n), None);
    }

    #[test]
    fn unbalanced_is_infeasible() {
        let mut n = Network::new();
        let a = n.add_node(3);
        let b = n.add_node(-2);
        n.add_arc(a, b, 5, 1);
        assert_eq!(cost(&n), None);
    }

    #[test]
    fn flow_is_conserved_and_within_capacity() {
        let mut n = Network::new();
        let v: Vec<usize> = [4, 0, 0, -4].iter().map(|&s| n.add_node(s)).collect();
        n.add_arc(v[0], v[1], 2, 1);
        n.add_arc(v[0], v[2], 3, 3);
        n.add_arc(v[1], v[3], 3, 1);
        n.add_arc(v[2], v[3], 3, 0);
        n.add_arc(v[1], v[2], 1, 0);
        let Solution::Optimal(f) = n.solve() else {
            panic!()
        };
        // 2 units to v1 (2), of which 1 via v2 (0) and 1 direct (1); 2 units via v2 (6)
        assert_eq!(f.cost, 2 + 1 + 6);
        let mut bal = [4i64, 0, 0, -4];
        for (e, (a, b, cap, _)) in n.arcs().enumerate() {
            assert!(f.flow[e] >= 0 && f.flow[e] <= cap);
            bal[a] -= f.flow[e];
            bal[b] += f.flow[e];
        }
        assert_eq!(bal, [0; 4]);
    }
}
