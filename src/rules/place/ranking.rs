//! Where an applicant stands at a school under the policy's priority rules
//! ([`crate::domain::priority::Rules`]): its tier (the category, after the
//! seat lock and the sibling bonus) and its rank inside the tier (sub-table,
//! date and number keys), before the lottery breaks what is still tied.
//!
//! The keys after the category do not depend on the school, so they are
//! ranked once for all applicants: one dense rank per distinct key list
//! (usually one), computed by sorting the applicants by the key tuple. A
//! school then compares `(tier, rank, lottery)`, which is the lexicographic
//! order the bureau publishes (`shared/notes/enrollment-rules.md`, "Priority
//! inside a school"). With today's rules the key list is empty, every rank
//! is 0 and the order is `(tier, lottery)` as before.

use std::collections::{HashMap, HashSet};

use crate::domain::model::{Dataset, SchoolIx, Student, Tier};
use crate::domain::priority::{ColumnType, OrderKey, Rules, Value, ValueRef};
use crate::domain::scenario::Scenario;

/// An applicant's standing at one school.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The tier: 1-based position of the category it ranks in there.
    pub tier: Tier,
    /// Rank inside the tier by the tier's keys after the category (0 =
    /// first; equal ranks are tied and go to the lottery).
    pub rank: u32,
    /// The seat lock moved it down at this school (学位锁定).
    pub locked: bool,
    /// The seat lock would have applied but a sibling attends (exempt).
    pub lock_exempt: bool,
}

/// The priority rules evaluated for the applicants of one run.
pub struct Ranking<'a> {
    rules: &'a Rules,
    sibling_bonus: u8,
    /// Per applicant (in-scope position): the category it matched.
    category: Vec<u16>,
    /// Per distinct key list: the dense rank of every applicant.
    ranks: Vec<Vec<u32>>,
    /// Per category: its key list (index into `ranks`).
    list_of: Vec<usize>,
    /// (property, school) pairs under the seat lock this year.
    locked: HashSet<(&'a str, SchoolIx)>,
}

impl<'a> Ranking<'a> {
    /// Evaluate the rules of `scenario` for the applicants `in_scope`
    /// (indices into `data.students`).
    pub fn new(data: &'a Dataset, scenario: &'a Scenario, in_scope: &[usize]) -> Ranking<'a> {
        let rules = &scenario.policy.rules;
        let students: Vec<&Student> = in_scope.iter().map(|&i| &data.students[i]).collect();
        let category: Vec<u16> = students
            .iter()
            .map(|st| rules.category_of(st) as u16)
            .collect();
        // one rank per distinct key list
        let mut lists: Vec<&[OrderKey]> = Vec::new();
        let mut list_of = Vec::with_capacity(rules.categories.len());
        for c in 0..rules.categories.len() {
            let l = between(rules.order_of(c));
            let at = lists.iter().position(|x| *x == l).unwrap_or_else(|| {
                lists.push(l);
                lists.len() - 1
            });
            list_of.push(at);
        }
        let ranks = lists
            .iter()
            .map(|l| dense_ranks(rules, &students, l))
            .collect();
        let mut locked = HashSet::new();
        if let Some(lock) = rules.seat_lock {
            let from = i64::from(scenario.year) - i64::from(lock.years);
            for u in &data.seat_history {
                if i64::from(u.year) > from && u.year < scenario.year {
                    locked.insert((&*u.property, u.school));
                }
            }
        }
        Ranking {
            rules,
            sibling_bonus: scenario.policy.sibling_bonus,
            category,
            ranks,
            list_of,
            locked,
        }
    }

    /// The category applicant `a` matched (0-based position).
    pub fn category(&self, a: usize) -> usize {
        usize::from(self.category[a])
    }

    /// Applicant `a`'s standing at `school` (`None`: no school, as for an
    /// applicant without a zone school, who keeps its own category).
    pub fn standing(&self, a: usize, st: &Student, school: Option<SchoolIx>) -> Position {
        let mut cat = self.category(a);
        let sibling = school.is_some() && st.sibling_school == school;
        let (mut locked, mut lock_exempt) = (false, false);
        if let (Some(lock), Some(s), Some(p)) = (self.rules.seat_lock, school, &st.property_id) {
            if self.locked.contains(&(&**p, s)) {
                if sibling {
                    lock_exempt = true;
                } else if lock.category > cat {
                    cat = lock.category;
                    locked = true;
                }
            }
        }
        let bonus = if sibling { self.sibling_bonus } else { 0 };
        let tier = Tier(Tier::of_category(cat).0.saturating_sub(bonus).max(1));
        Position {
            tier,
            rank: self.rank_in(a, tier),
            locked,
            lock_exempt,
        }
    }

    /// Applicant `a`'s rank inside `tier` (by that tier's keys).
    pub fn rank_in(&self, a: usize, tier: Tier) -> u32 {
        self.ranks[self.list_of[tier.category()]][a]
    }

    /// Whether applicant `a` goes to 统筹 when not admitted: its own
    /// `accept_overflow` cell, else its category's default, else yes.
    pub fn accepts_overflow(&self, a: usize, st: &Student) -> bool {
        st.accept_overflow
            .or(self.rules.categories[self.category(a)].accept_overflow)
            .unwrap_or(true)
    }
}

/// The keys of an order list between the category and the lottery.
fn between(order: &[OrderKey]) -> &[OrderKey] {
    let start = usize::from(order.first() == Some(&OrderKey::Category));
    let end = order.len() - usize::from(order.last() == Some(&OrderKey::Lottery));
    &order[start..end.max(start)]
}

/// Every applicant's dense rank by the key tuple `keys` (0 = first; equal
/// tuples share a rank). Empty `keys`: all 0.
fn dense_ranks(rules: &Rules, students: &[&Student], keys: &[OrderKey]) -> Vec<u32> {
    let n = students.len();
    if keys.is_empty() {
        return vec![0; n];
    }
    let k = keys.len();
    let mut tuple = vec![0u64; n * k];
    for (a, st) in students.iter().enumerate() {
        for (j, key) in keys.iter().enumerate() {
            tuple[a * k + j] = encode(rules, st, key);
        }
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&x, &y| {
        let (x, y) = (x as usize, y as usize);
        tuple[x * k..x * k + k].cmp(&tuple[y * k..y * k + k])
    });
    let mut rank = vec![0u32; n];
    let mut r = 0u32;
    for w in 0..n {
        let a = order[w] as usize;
        if w > 0 {
            let b = order[w - 1] as usize;
            if tuple[a * k..a * k + k] != tuple[b * k..b * k + k] {
                r += 1;
            }
        }
        rank[a] = r;
    }
    rank
}

/// One key of an applicant as a number that sorts best first; an empty
/// cell sorts last.
fn encode(rules: &Rules, st: &Student, key: &OrderKey) -> u64 {
    match key {
        OrderKey::Subtable => rules.subtable_of(st) as u64,
        OrderKey::Column {
            column, descending, ..
        } => {
            let v = match rules.value(st, *column) {
                ValueRef::Date(d) => (i64::from(d.0) - i64::from(i32::MIN)) as u64,
                ValueRef::Number(x) => {
                    // IEEE 754 total order as unsigned integers
                    let b = x.to_bits();
                    if b >> 63 == 1 {
                        !b
                    } else {
                        b | (1 << 63)
                    }
                }
                _ => return u64::MAX,
            };
            // u64::MAX stays "empty": the best value is at most MAX - 1
            if *descending {
                u64::MAX - 1 - v.min(u64::MAX - 1)
            } else {
                v.min(u64::MAX - 1)
            }
        }
        OrderKey::Category | OrderKey::Lottery => 0,
    }
}

/// One column key's value for an applicant, with how the key orders.
pub struct KeyValue<'r> {
    pub name: &'r str,
    pub ty: ColumnType,
    /// Higher values rank first.
    pub descending: bool,
    pub value: Value,
}

/// The values that rank an applicant inside a tier, for explanations and
/// cut-offs: the sub-table (position, `None` without sub-tables) and each
/// column key's value.
pub fn key_values<'r>(
    rules: &'r Rules,
    st: &Student,
    tier: Tier,
) -> (Option<usize>, Vec<KeyValue<'r>>) {
    let keys = between(rules.order_of(tier.category()));
    let mut sub = None;
    let mut cols = Vec::new();
    for k in keys {
        match k {
            OrderKey::Subtable => sub = Some(rules.subtable_of(st)),
            OrderKey::Column {
                column,
                name,
                ty,
                descending,
            } => cols.push(KeyValue {
                name,
                ty: *ty,
                descending: *descending,
                value: rules.value(st, *column).to_owned(),
            }),
            _ => {}
        }
    }
    (sub, cols)
}

/// Families drawing together (`policy.twins = "together"`): per applicant,
/// the first member of its family in `id_order` (the applicant itself when
/// alone or when twins draw apart).
pub fn family_leaders(data: &Dataset, in_scope: &[usize], id_order: &[u32]) -> Vec<u32> {
    let mut first: HashMap<&str, u32> = HashMap::new();
    let mut leader: Vec<u32> = (0..in_scope.len() as u32).collect();
    for &a in id_order {
        if let Some(f) = &data.students[in_scope[a as usize]].family {
            let l = *first.entry(f).or_insert(a);
            leader[a as usize] = l;
        }
    }
    leader
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::priority::{parse_date, ColumnRef, Rules};
    use crate::domain::scenario::Category;

    fn student(extra: Vec<Value>) -> Student {
        Student {
            id: crate::domain::model::StudentId::new("x"),
            home: crate::domain::model::Home::Block(crate::domain::model::BlockIx(0)),
            entry_grade: crate::domain::model::Grade::One,
            gender: crate::domain::model::Gender::Female,
            hukou_in_block: false,
            property_in_block: false,
            migrant: false,
            left_behind: false,
            disability: crate::domain::model::Disability::None,
            sibling_school: None,
            preferences: vec![],
            score: None,
            family: None,
            property_id: None,
            accept_overflow: None,
            extra: extra.into_boxed_slice(),
            current_school: None,
        }
    }

    fn key(col: usize, ty: ColumnType, descending: bool) -> OrderKey {
        OrderKey::Column {
            column: ColumnRef::Declared(col),
            name: format!("c{col}"),
            ty,
            descending,
        }
    }

    #[test]
    fn dates_rank_earlier_first_numbers_higher_first_and_empty_cells_last() {
        let rules = Rules::from_priority(&Category::ALL);
        let d = |s: &str| Value::Date(parse_date(s).unwrap());
        let rows = [
            student(vec![d("2019-06-01"), Value::Number(80.0)]),
            student(vec![d("2019-01-01"), Value::Number(70.0)]),
            student(vec![Value::Missing, Value::Number(90.0)]),
            student(vec![d("2019-01-01"), Value::Missing]),
            student(vec![d("2019-01-01"), Value::Number(70.0)]),
        ];
        let refs: Vec<&Student> = rows.iter().collect();
        // date first, then points: the two (2019-01-01, 70) rows tie
        let r = dense_ranks(
            &rules,
            &refs,
            &[
                key(0, ColumnType::Date, false),
                key(1, ColumnType::Number, true),
            ],
        );
        assert_eq!(r, vec![2, 0, 3, 1, 0]);
        // points first (higher first), empty last
        let r = dense_ranks(&rules, &refs, &[key(1, ColumnType::Number, true)]);
        assert_eq!(r, vec![1, 2, 0, 3, 2]);
        // reversed: lower first, empty still last
        let r = dense_ranks(&rules, &refs, &[key(1, ColumnType::Number, false)]);
        assert_eq!(r, vec![1, 0, 2, 3, 0]);
        // later dates first, empty still last
        let r = dense_ranks(&rules, &refs, &[key(0, ColumnType::Date, true)]);
        assert_eq!(r, vec![0, 1, 2, 1, 1]);
        assert_eq!(dense_ranks(&rules, &refs, &[]), vec![0; 5]);
    }

    #[test]
    fn negative_numbers_and_the_key_list_between_category_and_lottery() {
        let rules = Rules::from_priority(&Category::ALL);
        let rows = [
            student(vec![Value::Number(-1.5)]),
            student(vec![Value::Number(0.0)]),
            student(vec![Value::Number(-20.0)]),
        ];
        let refs: Vec<&Student> = rows.iter().collect();
        let r = dense_ranks(&rules, &refs, &[key(0, ColumnType::Number, false)]);
        assert_eq!(r, vec![1, 2, 0]);
        let order = [
            OrderKey::Category,
            key(0, ColumnType::Number, true),
            OrderKey::Lottery,
        ];
        assert_eq!(between(&order), &order[1..2]);
        assert!(between(&[OrderKey::Category, OrderKey::Lottery]).is_empty());
    }
}
