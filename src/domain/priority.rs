//! Priority rules as bureaus publish them (issue 14): categories defined by
//! conditions on applicant columns, sub-tables, date and number keys, seat
//! locks (学位锁定), reserved seats and how twins draw.
//!
//! A school ranks its zone applicants lexicographically (see
//! `shared/notes/enrollment-rules.md`, "Priority inside a school"):
//! category → sub-table (A: hukou matches the owned home; B: the rest) →
//! date keys (earlier first) → points (higher first) → lottery. Every piece
//! is scenario configuration; [`Rules::from_priority`] gives today's five
//! fixed categories, so a scenario without the new keys places exactly as
//! before.
//!
//! The forms here are deliberately small and safe: a condition is an
//! all-of list of comparisons of one column with one constant, never a
//! script.

use std::cmp::Ordering;
use std::fmt;

use crate::domain::model::{Disability, Gender, SchoolId, Student};
pub use crate::domain::value::{parse_date, ColumnType, Day, Value, ValueRef};

/// Admission categories a policy orders into tiers. The categories are
/// disjoint, so each applicant has exactly one (see [`Category::of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// 户籍+房产一致: hukou and property both in the block.
    HukouAndProperty,
    /// 房产 only.
    PropertyOnly,
    /// 户籍 only.
    HukouOnly,
    /// 随迁子女 living in the block, with neither hukou nor property there.
    MigrantResident,
    /// Everyone else.
    Other,
}

impl Category {
    /// Every category in the default priority order (tier 1 first).
    pub const ALL: [Category; 5] = [
        Category::HukouAndProperty,
        Category::PropertyOnly,
        Category::HukouOnly,
        Category::MigrantResident,
        Category::Other,
    ];

    /// The category's name in `policy.priority` and in reports.
    pub fn key(self) -> &'static str {
        match self {
            Category::HukouAndProperty => "hukou_and_property",
            Category::PropertyOnly => "property_only",
            Category::HukouOnly => "hukou_only",
            Category::MigrantResident => "migrant_resident",
            Category::Other => "other",
        }
    }

    /// The category whose [`Category::key`] is `s` exactly; `None` for an
    /// unknown name (an error in the scenario).
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == s)
    }

    /// An applicant's one category from the 户籍, 房产 and 随迁 flags:
    /// both beat either alone, property beats hukou, and migrant status
    /// counts only without either.
    pub fn of(hukou: bool, property: bool, migrant: bool) -> Category {
        match (hukou, property, migrant) {
            (true, true, _) => Category::HukouAndProperty,
            (false, true, _) => Category::PropertyOnly,
            (true, false, _) => Category::HukouOnly,
            (false, false, true) => Category::MigrantResident,
            (false, false, false) => Category::Other,
        }
    }
}

/// Columns of `students.csv` with a fixed meaning that conditions may use
/// without declaring them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `hukou_in_block` (户籍在片区), bool.
    HukouInBlock,
    /// `property_in_block` (房产在片区), bool.
    PropertyInBlock,
    /// `migrant` (随迁子女), bool.
    Migrant,
    /// `left_behind` (留守儿童), bool.
    LeftBehind,
    /// `disability`: enum `none`, `mild`, `severe`.
    Disability,
    /// `gender`: enum `F`, `M`.
    Gender,
    /// `score`, number.
    Score,
    /// `default_category`: today's five categories from the three flags
    /// ([`Category::of`]), enum `hukou_and_property`, `property_only`,
    /// `hukou_only`, `migrant_resident`, `other`.
    DefaultCategory,
}

impl Builtin {
    /// Every built-in column.
    pub const ALL: [Builtin; 8] = [
        Builtin::HukouInBlock,
        Builtin::PropertyInBlock,
        Builtin::Migrant,
        Builtin::LeftBehind,
        Builtin::Disability,
        Builtin::Gender,
        Builtin::Score,
        Builtin::DefaultCategory,
    ];

    /// The column's name in `students.csv` and in conditions.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::HukouInBlock => "hukou_in_block",
            Builtin::PropertyInBlock => "property_in_block",
            Builtin::Migrant => "migrant",
            Builtin::LeftBehind => "left_behind",
            Builtin::Disability => "disability",
            Builtin::Gender => "gender",
            Builtin::Score => "score",
            Builtin::DefaultCategory => "default_category",
        }
    }

    /// The column's type.
    pub fn ty(self) -> ColumnType {
        match self {
            Builtin::HukouInBlock
            | Builtin::PropertyInBlock
            | Builtin::Migrant
            | Builtin::LeftBehind => ColumnType::Bool,
            Builtin::Disability | Builtin::Gender | Builtin::DefaultCategory => ColumnType::Enum,
            Builtin::Score => ColumnType::Number,
        }
    }

    /// The values an enum column can hold (empty for other types).
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            Builtin::Disability => &["none", "mild", "severe"],
            Builtin::Gender => &["F", "M"],
            Builtin::DefaultCategory => &[
                "hukou_and_property",
                "property_only",
                "hukou_only",
                "migrant_resident",
                "other",
            ],
            _ => &[],
        }
    }

    /// The built-in column named `s`.
    pub fn parse(s: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == s)
    }

    /// An applicant's value in this column.
    pub fn value(self, st: &Student) -> ValueRef<'_> {
        match self {
            Builtin::HukouInBlock => ValueRef::Bool(st.hukou_in_block),
            Builtin::PropertyInBlock => ValueRef::Bool(st.property_in_block),
            Builtin::Migrant => ValueRef::Bool(st.migrant),
            Builtin::LeftBehind => ValueRef::Bool(st.left_behind),
            Builtin::Disability => ValueRef::Text(match st.disability {
                Disability::None => "none",
                Disability::Mild => "mild",
                Disability::Severe => "severe",
            }),
            Builtin::Gender => ValueRef::Text(match st.gender {
                Gender::Female => "F",
                Gender::Male => "M",
            }),
            Builtin::Score => st.score.map_or(ValueRef::Missing, ValueRef::Number),
            Builtin::DefaultCategory => ValueRef::Text(
                Category::of(st.hukou_in_block, st.property_in_block, st.migrant).key(),
            ),
        }
    }
}

/// A column a condition or key reads: built in, or declared in
/// `[policy.columns]` (the position in [`Rules::columns`], which is also
/// the position of its value in [`Student::extra`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRef {
    /// A column with a fixed meaning.
    Builtin(Builtin),
    /// A declared column.
    Declared(usize),
}

/// How a condition compares a column with its constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `=` (the short form `col = value`).
    Eq,
    /// `!=`.
    Ne,
    /// `<` (dates: before).
    Lt,
    /// `<=`.
    Le,
    /// `>` (dates: after).
    Gt,
    /// `>=`.
    Ge,
}

impl Cmp {
    /// The operator as written in a condition table (`{ "<=" = 80 }`).
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }

    /// The operator written `s`.
    pub fn parse(s: &str) -> Option<Cmp> {
        [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge]
            .into_iter()
            .find(|c| c.symbol() == s || (s == "==" && *c == Cmp::Eq))
    }

    fn holds(self, o: Ordering) -> bool {
        match self {
            Cmp::Eq => o == Ordering::Equal,
            Cmp::Ne => o != Ordering::Equal,
            Cmp::Lt => o == Ordering::Less,
            Cmp::Le => o != Ordering::Greater,
            Cmp::Gt => o == Ordering::Greater,
            Cmp::Ge => o != Ordering::Less,
        }
    }
}

/// One comparison of a column with a constant of the column's type.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The column compared.
    pub column: ColumnRef,
    /// The column's name as written (for explanations).
    pub name: String,
    /// The comparison.
    pub cmp: Cmp,
    /// The constant, of the column's type (never [`Value::Missing`]).
    pub value: Value,
}

impl Condition {
    /// Whether the applicant's value satisfies the comparison. A missing
    /// value satisfies none (not even `!=`): an empty cell is "not stated",
    /// and nobody gains a priority from it.
    pub fn holds(&self, v: ValueRef<'_>) -> bool {
        let o = match (v, self.value.as_ref()) {
            (ValueRef::Bool(a), ValueRef::Bool(b)) => a.cmp(&b),
            (ValueRef::Text(a), ValueRef::Text(b)) => a.cmp(b),
            (ValueRef::Number(a), ValueRef::Number(b)) => a.total_cmp(&b),
            (ValueRef::Date(a), ValueRef::Date(b)) => a.cmp(&b),
            _ => return false,
        };
        self.cmp.holds(o)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.name, self.cmp.symbol(), self.value)
    }
}

/// An all-of list of conditions; empty holds for everyone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct When(pub Vec<Condition>);

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("everyone");
        }
        for (i, c) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// A category (类别) of applicants: the first category an applicant
/// matches is its category, and the categories' order is the priority.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryRule {
    /// The published name (`房户一致`, `优抚对象`, `hukou_and_property`).
    pub name: String,
    /// Who belongs (after the categories before it).
    pub when: When,
    /// Whether members not admitted where they applied go to 统筹 (`None`:
    /// the applicant's `accept_overflow` cell, else yes).
    pub accept_overflow: Option<bool>,
    /// The keys after the category for members (`None`: `policy.order`).
    pub order: Option<Vec<OrderKey>>,
}

/// A sub-table (A: hukou matches the owned home; B: the rest): the first
/// sub-table an applicant matches; after every one when it matches none.
#[derive(Clone, Debug, PartialEq)]
pub struct Subtable {
    /// The published name (`A`, `B`).
    pub name: String,
    /// Who belongs (after the sub-tables before it).
    pub when: When,
}

/// A ranking key after the category.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderKey {
    /// The category (always first).
    Category,
    /// The sub-table.
    Subtable,
    /// A date or number column: dates earlier first and numbers higher
    /// first by default (`descending` says which); an empty cell ranks last.
    Column {
        /// The column.
        column: ColumnRef,
        /// Its name as written.
        name: String,
        /// Its type (date or number).
        ty: ColumnType,
        /// Higher values first.
        descending: bool,
    },
    /// The lottery (always last): breaks what is still tied.
    Lottery,
}

/// How many seats a reservation holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReservedAmount {
    /// A number of seats.
    Seats(u32),
    /// A share of the school's entry seats (rounded down).
    Share(f64),
}

impl ReservedAmount {
    /// The seats reserved at a school with `seats` entry seats (never more
    /// than it has).
    pub fn at(self, seats: u32) -> u32 {
        match self {
            ReservedAmount::Seats(n) => n.min(seats),
            ReservedAmount::Share(s) => ((f64::from(seats) * s).floor() as u32).min(seats),
        }
    }
}

/// `[[policy.reserved]]`: seats of a school (or of every school, `"*"`)
/// filled first from one category by its own ranking; those left unused
/// return to the general pool in the same run.
#[derive(Clone, Debug, PartialEq)]
pub struct Reserved {
    /// The school; `None` for every school (a district-wide plan, always a
    /// share).
    pub school: Option<SchoolId>,
    /// The category served (position in [`Rules::categories`]).
    pub category: usize,
    /// How many seats.
    pub amount: ReservedAmount,
}

/// 学位锁定: a property that gave a seat at a school within `years` years
/// drops its applicant there to `category`, unless a sibling attends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatLock {
    /// The lock's length (often 6, a primary school's span).
    pub years: u32,
    /// The category a locked applicant drops to (position in
    /// [`Rules::categories`]; default the last).
    pub category: usize,
}

/// Whether the children of one family draw one lottery number together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LotteryTwins {
    /// Each child draws its own number (today's rule).
    #[default]
    Apart,
    /// A family (`family_id`) draws one number and is admitted together or
    /// not at all.
    Together,
}

/// The priority rules of a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// Declared extra columns of `students.csv`, in declaration order.
    pub columns: Vec<(String, ColumnType)>,
    /// Categories in priority order (tier 1 first).
    pub categories: Vec<CategoryRule>,
    /// Sub-tables in order.
    pub subtables: Vec<Subtable>,
    /// Ranking keys: `Category` first, `Lottery` last.
    pub order: Vec<OrderKey>,
    /// Reserved seats.
    pub reserved: Vec<Reserved>,
    /// The seat lock, when the policy has one.
    pub seat_lock: Option<SeatLock>,
    /// How twins draw.
    pub twins: LotteryTwins,
}

impl Rules {
    /// Today's rules: one category per entry of `policy.priority`, matching
    /// applicants by [`Category::of`]; ranked by category then lottery.
    pub fn from_priority(priority: &[Category]) -> Rules {
        Rules {
            columns: Vec::new(),
            categories: priority
                .iter()
                .map(|c| CategoryRule {
                    name: c.key().to_string(),
                    when: When(vec![Condition {
                        column: ColumnRef::Builtin(Builtin::DefaultCategory),
                        name: Builtin::DefaultCategory.name().to_string(),
                        cmp: Cmp::Eq,
                        value: Value::Text(c.key().into()),
                    }]),
                    accept_overflow: None,
                    order: None,
                })
                .collect(),
            subtables: Vec::new(),
            order: vec![OrderKey::Category, OrderKey::Lottery],
            reserved: Vec::new(),
            seat_lock: None,
            twins: LotteryTwins::Apart,
        }
    }

    /// An applicant's value in a column.
    pub fn value<'s>(&self, st: &'s Student, c: ColumnRef) -> ValueRef<'s> {
        match c {
            ColumnRef::Builtin(b) => b.value(st),
            ColumnRef::Declared(i) => st.extra.get(i).map_or(ValueRef::Missing, Value::as_ref),
        }
    }

    /// Whether every condition of `w` holds for the applicant.
    pub fn matches(&self, st: &Student, w: &When) -> bool {
        w.0.iter().all(|c| c.holds(self.value(st, c.column)))
    }

    /// The applicant's category (position in `categories`): the first it
    /// matches; the last when it matches none (as today, where a category
    /// left out of `priority` ranked last).
    pub fn category_of(&self, st: &Student) -> usize {
        self.categories
            .iter()
            .position(|c| self.matches(st, &c.when))
            .unwrap_or(self.categories.len().saturating_sub(1))
    }

    /// Whether the applicant matched its category's condition (false: it
    /// matched none and ranks in the last).
    pub fn matched(&self, st: &Student, category: usize) -> bool {
        self.categories
            .get(category)
            .is_some_and(|c| self.matches(st, &c.when))
    }

    /// The applicant's sub-table (position in `subtables`; `subtables.len()`
    /// when it matches none).
    pub fn subtable_of(&self, st: &Student) -> usize {
        self.subtables
            .iter()
            .position(|t| self.matches(st, &t.when))
            .unwrap_or(self.subtables.len())
    }

    /// The keys after the category that rank members of `category`.
    pub fn order_of(&self, category: usize) -> &[OrderKey] {
        self.categories
            .get(category)
            .and_then(|c| c.order.as_deref())
            .unwrap_or(&self.order)
    }

    /// Whether these are today's rules: nothing but categories and the
    /// lottery, so that outputs stay as they were.
    pub fn is_plain(&self) -> bool {
        self.columns.is_empty()
            && self.subtables.is_empty()
            && self.order == [OrderKey::Category, OrderKey::Lottery]
            && self
                .categories
                .iter()
                .all(|c| c.order.is_none() && c.accept_overflow.is_none())
            && self.reserved.is_empty()
            && self.seat_lock.is_none()
            && self.twins == LotteryTwins::Apart
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_satisfies_no_condition() {
        let c = Condition {
            column: ColumnRef::Declared(0),
            name: "x".into(),
            cmp: Cmp::Ne,
            value: Value::Bool(true),
        };
        assert!(!c.holds(ValueRef::Missing));
        assert!(c.holds(ValueRef::Bool(false)));
        assert!(!c.holds(ValueRef::Bool(true)));
    }
}
