//! Balanced class assignment (阳光分班) with a publishable, repeatable draw.
//!
//! After placement each school splits its entrants into classes so that no
//! class is privileged: sizes differ by at most one, and so do the counts of
//! girls, of children with mild disability (随班就读, at most a policy maximum
//! per class), of migrant and of left-behind children, wherever the totals
//! allow; where scores exist, class means are as equal as possible. Twins
//! and siblings (`family_id`) are kept together or apart as the policy says.
//!
//! Procedure `sunshine-classes-v1`, per school (schools in `schools.csv`
//! order; school `s` draws from `Draws::sub(seed, 2^40 + s)`):
//! 1. Shuffle the entrants (sorted by `student_id`) by Fisher–Yates with
//!    `below(i + 1)` for i from the last down.
//! 2. Families first: under `together` each family goes whole to the class
//!    with most room; under `apart` its members go to different classes.
//!    Family members keep their classes from then on.
//! 3. Everyone else, sorted stably by (girl, mild, migrant, left-behind,
//!    score descending), is dealt in a snake (1, 2, …, k, k, …, 1, …) over
//!    the classes with room.
//! 4. Swaps and moves between classes that lower the imbalance — first the
//!    count excess (sizes, then each attribute beyond ±1, then the mild
//!    cap), then the range of class score means — best first, until none
//!    helps (schools of up to 40 also try two swaps at once). Schools of up
//!    to 60 make more starts from the next shuffles of the same stream,
//!    dealt in shuffled order instead of step 3, and keep the best.
//!
//! Head teachers are drawn the same way: teachers of the school sorted by
//! id, shuffled by the school's stream after step 4, the i-th to class i.

pub mod mip;

use crate::domain::scenario::{ClassPolicy, Twins};
use crate::solve::lottery::Draws;

pub const ALGORITHM: &str = "sunshine-classes-v1 (per school Draws::sub(seed, 2^40 + school), Fisher-Yates shuffle, families first, stratified snake draft, best-improvement swaps)";

/// Attributes balanced to within one between classes.
pub const ATTRIBUTES: [&str; 5] = ["girls", "boys", "mild_disability", "migrant", "left_behind"];

/// Position of mild disability in [`ATTRIBUTES`].
const MILD: usize = 2;

/// One entrant of a school, as the class draw sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entrant {
    /// girl, boy, mild disability, migrant, left-behind
    pub attrs: [bool; 5],
    pub score: Option<f64>,
    /// Index of the entrant's family within the school, if any.
    pub family: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassRules {
    pub max_mild_per_class: u32,
    pub twins: Twins,
}

/// Largest minus smallest, per measure, over a school's classes.
#[derive(Clone, Debug, PartialEq)]
pub struct Balance {
    pub size_gap: u32,
    pub attr_gaps: [u32; 5],
    /// Largest count of mildly disabled children in a class.
    pub max_mild: u32,
    /// Range of class score means (0 without scores).
    pub score_gap: f64,
}

/// Class sizes for `n` entrants in `k` classes: the first `n % k` get one more.
pub fn sizes(n: usize, k: usize) -> Vec<u32> {
    (0..k)
        .map(|c| (n / k + usize::from(c < n % k)) as u32)
        .collect()
}

/// The stream of a school's draw.
pub fn school_stream(seed: u64, school: usize) -> Draws {
    Draws::sub(seed, (1u64 << 40) + school as u64)
}

/// Fisher–Yates shuffle of `v` by `d` (step 1).
pub fn shuffle<T>(v: &mut [T], d: &mut Draws) {
    for i in (1..v.len()).rev() {
        let j = d.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// (count excess, score-mean range), compared in that order.
type Cost = (u32, f64);

/// The partner of a swap (`Ok`) or the class a move goes to (`Err`).
type Step = Result<usize, usize>;

struct State<'a> {
    e: &'a [Entrant],
    class: Vec<usize>,
    size: Vec<u32>,
    target: Vec<u32>,
    count: Vec<[u32; 5]>,
    sum: Vec<f64>,
    scored: Vec<u32>,
    totals: [u32; 5],
    cap_mild: u32,
}

impl State<'_> {
    fn put(&mut self, i: usize, c: usize, sign: i64) {
        let e = &self.e[i];
        let add = |x: &mut u32| *x = (*x as i64 + sign) as u32;
        add(&mut self.size[c]);
        for a in 0..5 {
            if e.attrs[a] {
                add(&mut self.count[c][a]);
            }
        }
        if let Some(s) = e.score {
            self.sum[c] += sign as f64 * s;
            add(&mut self.scored[c]);
        }
    }

    fn relocate(&mut self, i: usize, to: usize) {
        let from = self.class[i];
        self.put(i, from, -1);
        self.put(i, to, 1);
        self.class[i] = to;
    }

    /// (count excess, score range): lower is better, compared in order.
    /// The excess counts, per class, how far a size or an attribute count
    /// lies outside [⌊total/k⌋, ⌈total/k⌉] (zero exactly when every gap is at
    /// most one), plus mild disability above the cap; every step toward
    /// balance lowers it, so the search does not stall on plateaus.
    fn cost(&self) -> Cost {
        let k = self.size.len() as u32;
        let outside = |v: u32, total: u32| {
            let (lo, hi) = (total / k, total.div_ceil(k));
            lo.saturating_sub(v) + v.saturating_sub(hi)
        };
        let n: u32 = self.size.iter().sum();
        let mut excess = 0;
        for c in 0..self.size.len() {
            excess += 1000 * outside(self.size[c], n);
            for a in 0..5 {
                excess += 10 * outside(self.count[c][a], self.totals[a]);
            }
            excess += self.count[c][MILD].saturating_sub(self.cap_mild);
        }
        (excess, self.score_gap())
    }

    fn score_gap(&self) -> f64 {
        let means = (0..self.size.len())
            .filter(|&c| self.scored[c] > 0)
            .map(|c| self.sum[c] / f64::from(self.scored[c]));
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for m in means {
            lo = lo.min(m);
            hi = hi.max(m);
        }
        if hi >= lo {
            hi - lo
        } else {
            0.0
        }
    }

    fn better(a: (u32, f64), b: (u32, f64)) -> bool {
        a.0 < b.0 || (a.0 == b.0 && a.1 < b.1 - 1e-9)
    }
}

/// Assign a school's entrants to `k` classes. Returns each entrant's class
/// (0-based) and the balance reached. `draws` is the school's stream
/// ([`school_stream`]).
pub fn assign(
    entrants: &[Entrant],
    k: usize,
    rules: ClassRules,
    draws: &mut Draws,
) -> (Vec<usize>, Balance) {
    let n = entrants.len();
    if n == 0 || k == 0 {
        return (vec![0; n], balance_of(entrants, &vec![0; n], k.max(1)));
    }
    let starts = match n {
        0..=20 => 64,
        21..=60 => 8,
        _ => 1,
    };
    let mut best: Option<(Vec<usize>, (u32, f64))> = None;
    for start in 0..starts {
        let (class, cost) = one_start(entrants, k, rules, draws, start > 0);
        if best.as_ref().is_none_or(|(_, b)| State::better(cost, *b)) {
            best = Some((class, cost));
        }
    }
    let (class, _) = best.expect("at least one start");
    let b = balance_of(entrants, &class, k);
    (class, b)
}

fn one_start(
    entrants: &[Entrant],
    k: usize,
    rules: ClassRules,
    draws: &mut Draws,
    random_deal: bool,
) -> (Vec<usize>, (u32, f64)) {
    let n = entrants.len();
    let mut order: Vec<usize> = (0..n).collect();
    shuffle(&mut order, draws);
    let target = sizes(n, k);
    let mut totals = [0u32; 5];
    for e in entrants {
        for (t, &x) in totals.iter_mut().zip(&e.attrs) {
            *t += u32::from(x);
        }
    }
    let mut st = State {
        e: entrants,
        class: vec![usize::MAX; n],
        size: vec![0; k],
        target: target.clone(),
        count: vec![[0; 5]; k],
        sum: vec![0.0; k],
        scored: vec![0; k],
        totals,
        cap_mild: rules
            .max_mild_per_class
            .max(totals[MILD].div_ceil(k as u32)),
    };
    // 2. families
    let mut fixed = vec![false; n];
    let mut fams: Vec<(u32, Vec<usize>)> = Vec::new();
    for &i in &order {
        if let Some(f) = entrants[i].family {
            match fams.iter_mut().find(|(x, _)| *x == f) {
                Some((_, m)) => m.push(i),
                None => fams.push((f, vec![i])),
            }
        }
    }
    for (_, members) in fams.iter().filter(|(_, m)| m.len() > 1) {
        let room = |st: &State, c: usize| st.target[c] as i64 - st.size[c] as i64;
        match rules.twins {
            Twins::Together => {
                let c = (0..k)
                    .max_by_key(|&c| (room(&st, c), std::cmp::Reverse(c)))
                    .expect("k > 0");
                for &i in members {
                    st.class[i] = c;
                    st.put(i, c, 1);
                    fixed[i] = true;
                }
            }
            Twins::Apart => {
                let mut used = Vec::new();
                for &i in members {
                    let c = (0..k)
                        .filter(|c| !used.contains(c) || used.len() >= k)
                        .max_by_key(|&c| (room(&st, c), std::cmp::Reverse(c)))
                        .expect("k > 0");
                    used.push(c);
                    st.class[i] = c;
                    st.put(i, c, 1);
                    fixed[i] = true;
                }
            }
        }
    }
    // 3. stratified snake draft of the others
    let mut rest: Vec<usize> = order.iter().copied().filter(|&i| !fixed[i]).collect();
    rest.sort_by(|&a, &b| {
        if random_deal {
            return std::cmp::Ordering::Equal;
        }
        let (x, y) = (&entrants[a], &entrants[b]);
        y.attrs
            .cmp(&x.attrs)
            .then(y.score.unwrap_or(0.0).total_cmp(&x.score.unwrap_or(0.0)))
    });
    let snake: Vec<usize> = (0..k).chain((0..k).rev()).collect();
    let mut at = 0;
    for i in rest {
        let mut tries = 0;
        while st.size[snake[at % snake.len()]] >= st.target[snake[at % snake.len()]]
            && tries < 2 * k
        {
            at += 1;
            tries += 1;
        }
        let c = snake[at % snake.len()];
        at += 1;
        st.class[i] = c;
        st.put(i, c, 1);
    }
    // 4. improvement
    improve(&mut st, &fixed);
    let cost = st.cost();
    (st.class, cost)
}

fn improve(st: &mut State<'_>, fixed: &[bool]) {
    let n = st.class.len();
    let k = st.size.len();
    let free: Vec<usize> = (0..n).filter(|&i| !fixed[i]).collect();
    let small = n <= 120;
    for _round in 0..10_000 {
        let current = st.cost();
        if current.0 == 0 && current.1 < 1e-9 {
            return;
        }
        // candidate class pairs: all of them for small schools, else the
        // classes at the extremes of the worst measure
        let pairs: Vec<(usize, usize)> = if small {
            (0..k)
                .flat_map(|a| (0..k).map(move |b| (a, b)))
                .filter(|(a, b)| a != b)
                .collect()
        } else {
            extreme_pairs(st)
        };
        let mut best: Option<(Cost, usize, Step)> = None;
        for &(ca, cb) in &pairs {
            let in_a: Vec<usize> = free
                .iter()
                .copied()
                .filter(|&i| st.class[i] == ca)
                .collect();
            let in_b: Vec<usize> = free
                .iter()
                .copied()
                .filter(|&i| st.class[i] == cb)
                .collect();
            // a move keeps sizes within one only from a larger to a smaller class
            if st.size[ca] > st.size[cb] {
                for &x in &in_a {
                    st.relocate(x, cb);
                    let c = st.cost();
                    st.relocate(x, ca);
                    if State::better(c, best.map_or(current, |b| b.0)) {
                        best = Some((c, x, Err(cb)));
                    }
                }
            }
            if ca < cb {
                for &x in &in_a {
                    for &y in &in_b {
                        if st.e[x].attrs == st.e[y].attrs && st.e[x].score == st.e[y].score {
                            continue;
                        }
                        st.relocate(x, cb);
                        st.relocate(y, ca);
                        let c = st.cost();
                        st.relocate(x, ca);
                        st.relocate(y, cb);
                        if State::better(c, best.map_or(current, |b| b.0)) {
                            best = Some((c, x, Ok(y)));
                        }
                    }
                }
            }
        }
        if best.is_none() && n <= 40 {
            // stuck: in small schools try two swaps at once
            if !double_swap(st, &free, current) {
                return;
            }
            continue;
        }
        match best {
            None => return,
            Some((_, x, Ok(y))) => {
                let (cx, cy) = (st.class[x], st.class[y]);
                st.relocate(x, cy);
                st.relocate(y, cx);
            }
            Some((_, x, Err(to))) => st.relocate(x, to),
        }
    }
}

/// The best improving pair of swaps, applied; false when none improves.
fn double_swap(st: &mut State<'_>, free: &[usize], current: (u32, f64)) -> bool {
    let mut swaps = Vec::new();
    for (ai, &x) in free.iter().enumerate() {
        for &y in &free[ai + 1..] {
            let differ = st.e[x].attrs != st.e[y].attrs || st.e[x].score != st.e[y].score;
            if st.class[x] != st.class[y] && differ {
                swaps.push((x, y));
            }
        }
    }
    let swap = |st: &mut State<'_>, (x, y): (usize, usize)| {
        let (cx, cy) = (st.class[x], st.class[y]);
        st.relocate(x, cy);
        st.relocate(y, cx);
    };
    let mut best: Option<((u32, f64), usize, usize)> = None;
    for a in 0..swaps.len() {
        swap(st, swaps[a]);
        for b in a + 1..swaps.len() {
            let (p, q) = (swaps[a], swaps[b]);
            if p == q {
                continue;
            }
            swap(st, q);
            let c = st.cost();
            swap(st, q);
            if State::better(c, best.map_or(current, |b| b.0)) {
                best = Some((c, a, b));
            }
        }
        swap(st, swaps[a]);
    }
    match best {
        Some((_, a, b)) => {
            swap(st, swaps[a]);
            swap(st, swaps[b]);
            true
        }
        None => false,
    }
}

/// For large schools: pairs of classes at the extremes of each measure.
fn extreme_pairs(st: &State<'_>) -> Vec<(usize, usize)> {
    let k = st.size.len();
    let mut pairs = Vec::new();
    let mut push = |a: usize, b: usize| {
        if a != b {
            for p in [(a, b), (b, a)] {
                if !pairs.contains(&p) {
                    pairs.push(p);
                }
            }
        }
    };
    let arg = |f: &dyn Fn(usize) -> f64| {
        let hi = (0..k)
            .max_by(|&a, &b| f(a).total_cmp(&f(b)).then(b.cmp(&a)))
            .expect("k > 0");
        let lo = (0..k)
            .min_by(|&a, &b| f(a).total_cmp(&f(b)).then(a.cmp(&b)))
            .expect("k > 0");
        (hi, lo)
    };
    let (hi, lo) = arg(&|c| f64::from(st.size[c]));
    push(hi, lo);
    for a in 0..5 {
        let (hi, lo) = arg(&|c| f64::from(st.count[c][a]));
        push(hi, lo);
    }
    let (hi, lo) = arg(&|c| {
        if st.scored[c] > 0 {
            st.sum[c] / f64::from(st.scored[c])
        } else {
            0.0
        }
    });
    push(hi, lo);
    pairs
}

/// The balance measures of an assignment.
pub fn balance_of(entrants: &[Entrant], class: &[usize], k: usize) -> Balance {
    let mut size = vec![0u32; k];
    let mut count = vec![[0u32; 5]; k];
    let mut sum = vec![0.0; k];
    let mut scored = vec![0u32; k];
    for (e, &c) in entrants.iter().zip(class) {
        size[c] += 1;
        for (n, &x) in count[c].iter_mut().zip(&e.attrs) {
            *n += u32::from(x);
        }
        if let Some(s) = e.score {
            sum[c] += s;
            scored[c] += 1;
        }
    }
    let gap = |v: &mut dyn Iterator<Item = u32>| {
        let v: Vec<u32> = v.collect();
        v.iter().max().unwrap_or(&0) - v.iter().min().unwrap_or(&0)
    };
    let means: Vec<f64> = (0..k)
        .filter(|&c| scored[c] > 0)
        .map(|c| sum[c] / f64::from(scored[c]))
        .collect();
    let score_gap = if means.is_empty() {
        0.0
    } else {
        means.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - means.iter().cloned().fold(f64::INFINITY, f64::min)
    };
    Balance {
        size_gap: gap(&mut size.iter().copied()),
        attr_gaps: [0, 1, 2, 3, 4].map(|a| gap(&mut count.iter().map(|c| c[a]))),
        max_mild: count.iter().map(|c| c[MILD]).max().unwrap_or(0),
        score_gap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entrant(i: usize) -> Entrant {
        Entrant {
            attrs: [i % 2 == 0, i % 2 == 1, i % 11 == 0, i % 5 == 0, i % 7 == 0],
            score: Some((i * 37 % 100) as f64),
            family: None,
        }
    }

    #[test]
    fn sizes_differ_by_at_most_one() {
        assert_eq!(sizes(10, 3), vec![4, 3, 3]);
        assert_eq!(sizes(9, 3), vec![3, 3, 3]);
    }

    #[test]
    fn balances_every_attribute() {
        let e: Vec<Entrant> = (0..137).map(entrant).collect();
        let rules = ClassRules {
            max_mild_per_class: 3,
            twins: Twins::Together,
        };
        let (class, b) = assign(&e, 4, rules, &mut school_stream(1, 0));
        assert_eq!(class.len(), 137);
        assert!(
            b.size_gap <= 1 && b.attr_gaps.iter().all(|&g| g <= 1),
            "{b:?}"
        );
        assert!(b.score_gap < 1.0, "{b:?}");
    }

    #[test]
    fn twins_together_or_apart() {
        let mut e: Vec<Entrant> = (0..40).map(entrant).collect();
        e[3].family = Some(0);
        e[17].family = Some(0);
        for (twins, same) in [(Twins::Together, true), (Twins::Apart, false)] {
            let rules = ClassRules {
                max_mild_per_class: 3,
                twins,
            };
            let (class, _) = assign(&e, 2, rules, &mut school_stream(5, 2));
            assert_eq!(class[3] == class[17], same, "{twins:?}");
        }
    }
}

/// One school's classes.
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolClasses {
    pub school: crate::domain::model::SchoolIx,
    /// Students (indices into `Dataset::students`) and their class (0-based).
    pub members: Vec<(usize, usize)>,
    pub classes: usize,
    pub balance: Balance,
    /// Head teacher (index into the school's teacher list) per class.
    pub head_teachers: Vec<Option<usize>>,
}

/// Split every school's admitted students into balanced classes.
/// `admitted` holds (student, school) pairs; `teachers[s]` the head-teacher
/// ids of school `s` (any order; they are sorted before the draw).
pub fn assign_all(
    data: &crate::domain::model::Dataset,
    admitted: &[(usize, crate::domain::model::SchoolIx)],
    policy: &ClassPolicy,
    seed: u64,
    teachers: &[Vec<String>],
) -> Vec<SchoolClasses> {
    use crate::domain::model::{Disability, Gender, SchoolIx};
    use rayon::prelude::*;
    let mut by_school: Vec<Vec<usize>> = vec![Vec::new(); data.schools.len()];
    for &(st, s) in admitted {
        by_school[s.ix()].push(st);
    }
    let rules = ClassRules {
        max_mild_per_class: policy.max_mild_per_class,
        twins: policy.twins,
    };
    by_school
        .par_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(s, students)| {
            let mut students = students.clone();
            students.sort_by(|&a, &b| data.students[a].id.cmp(&data.students[b].id));
            let mut families: Vec<&str> = Vec::new();
            let entrants: Vec<Entrant> = students
                .iter()
                .map(|&i| {
                    let st = &data.students[i];
                    let family = st.family.as_deref().map(|f| {
                        let at = families.iter().position(|x| *x == f).unwrap_or_else(|| {
                            families.push(f);
                            families.len() - 1
                        });
                        at as u32
                    });
                    Entrant {
                        attrs: [
                            st.gender == Gender::Female,
                            st.gender == Gender::Male,
                            st.disability == Disability::Mild,
                            st.migrant,
                            st.left_behind,
                        ],
                        score: st.score,
                        family,
                    }
                })
                .collect();
            let size = policy
                .class_size
                .unwrap_or(data.schools[s].max_class_size)
                .max(1) as usize;
            let k = entrants.len().div_ceil(size).max(1);
            let mut draws = school_stream(seed, s);
            let (class, balance) = assign(&entrants, k, rules, &mut draws);
            let mut ids: Vec<usize> = (0..teachers.get(s).map_or(0, Vec::len)).collect();
            ids.sort_by(|&a, &b| teachers[s][a].cmp(&teachers[s][b]));
            shuffle(&mut ids, &mut draws);
            SchoolClasses {
                school: SchoolIx::from_ix(s),
                members: students.into_iter().zip(class).collect(),
                classes: k,
                balance,
                head_teachers: (0..k).map(|c| ids.get(c).copied()).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod head_teacher_tests {
    use super::*;
    use crate::domain::model::*;

    #[test]
    fn head_teachers_are_drawn_one_per_class_and_repeatably() {
        let mut data = crate::synth::large(4, 200, 2);
        let admitted: Vec<(usize, SchoolIx)> = (0..200).map(|i| (i, SchoolIx(1))).collect();
        let mut teachers = vec![
            Vec::new(),
            (1..=6).map(|t| format!("T{t}")).collect::<Vec<_>>(),
        ];
        let policy = ClassPolicy::default();
        data.schools[1].max_class_size = 45;
        let a = assign_all(&data, &admitted, &policy, 9, &teachers);
        let b = assign_all(&data, &admitted, &policy, 9, &teachers);
        assert_eq!(a, b);
        let heads: Vec<usize> = a[0].head_teachers.iter().map(|h| h.unwrap()).collect();
        assert_eq!(heads.len(), 5); // 200 / 45 -> 5 classes
        let mut distinct = heads.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 5);
        // the draw does not depend on the order teachers are listed in
        teachers[1].reverse();
        let c = assign_all(&data, &admitted, &policy, 9, &teachers);
        let names = |r: &[SchoolClasses], t: &[Vec<String>]| -> Vec<String> {
            r[0].head_teachers
                .iter()
                .map(|h| t[1][h.unwrap()].clone())
                .collect()
        };
        let original = vec![
            Vec::new(),
            (1..=6).map(|t| format!("T{t}")).collect::<Vec<_>>(),
        ];
        assert_eq!(names(&a, &original), names(&c, &teachers));
    }
}
