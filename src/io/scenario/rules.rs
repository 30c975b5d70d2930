//! The priority-rule keys of `[policy]` (issue 14, README "Scenario
//! keys"): `[policy.columns]`, `[[policy.categories]]`,
//! `[[policy.subtables]]`, `order`, `[[policy.reserved]]`,
//! `seat_lock_years`, `seat_lock_category` and `twins`, read into
//! [`Rules`].
//!
//! The keys are kept as written, with the file each came from, so that a
//! scenario that `extends` a base inherits every key it does not set and
//! the combination is checked as a whole: a base's order key on a column
//! the child no longer declares is still found. Every problem is reported
//! with file:line:column and reading goes on, so one run lists them all.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::{line_col, Loc};
use crate::domain::diag::{Column, Diagnostics};
use crate::domain::model::{SchoolId, MAX_SEATS};
use crate::domain::priority::{
    Builtin, CategoryRule, Cmp, ColumnRef, Condition, LotteryTwins, OrderKey, Reserved,
    ReservedAmount, Rules, SeatLock, Subtable, When,
};
use crate::domain::scenario::Category;
use crate::domain::value::{parse_date, ColumnType, Day, Value};

/// At most this many categories (a tier is a `u8`; no published rule has
/// more than a dozen).
pub const MAX_CATEGORIES: usize = 200;

/// The longest seat lock: a nine-year school's span plus three years.
const MAX_LOCK_YEARS: i64 = 12;

/// students.csv columns with a fixed meaning, which `[policy.columns]`
/// cannot declare again (the built-in condition columns are refused too).
pub use crate::io::dataset::STUDENT_COLUMNS as FIXED_STUDENT_COLUMNS;

/// The text of a scenario file, for locating the keys it gave.
#[derive(Debug)]
pub(super) struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    fn err(&self, diags: &mut Diagnostics, offset: usize, msg: impl Into<String>) {
        let (line, col) = line_col(&self.text, offset);
        diags.error(&self.path, Some(line), Some(Column::Char(col)), msg);
    }

    fn loc(&self, offset: usize) -> Loc {
        let (line, col) = line_col(&self.text, offset);
        Loc(self.path.clone(), line, col)
    }

    /// Where the key of the value at `value_at` starts (`foo` in
    /// `foo = true`, `"a b"` in `"a b" = 1`): the toml parser gives spans
    /// of values but not of table keys. The value's own offset when the
    /// text before it is not `key =`.
    fn key_before(&self, value_at: usize) -> usize {
        key_before(&self.text, value_at)
    }
}

/// Where the key of the value at `value_at` in `text` starts (see
/// [`Source::key_before`]).
pub(super) fn key_before(text: &str, value_at: usize) -> usize {
    let before = text.get(..value_at).unwrap_or("").trim_end();
    let Some(key) = before.strip_suffix('=').map(str::trim_end) else {
        return value_at;
    };
    let start = match key.chars().last() {
        Some(q @ ('"' | '\'')) => key[..key.len() - 1].rfind(q),
        Some(_) => Some(
            key.rfind(|c: char| c.is_whitespace() || matches!(c, '{' | ',' | '.' | ']'))
                .map_or(0, |i| i + 1),
        ),
        None => None,
    };
    start.unwrap_or(value_at)
}

/// A key's value and the file it was written in.
type At<T> = (Arc<Source>, T);

/// `[policy.columns]`: name → type, in the order written.
#[derive(Clone, Debug, Default)]
pub(super) struct RawColumns(Vec<(String, Spanned<String>)>);

/// A `when` table: column → constant or comparison table, in the order
/// written.
#[derive(Clone, Debug, Default)]
pub(super) struct RawWhen(Vec<(String, Spanned<RawCond>)>);

/// One entry of a `when` table.
#[derive(Clone, Debug)]
pub(super) enum RawCond {
    /// `col = value`: equality.
    Scalar(toml::Value),
    /// `col = { "<=" = value, … }`: operator → constant.
    Ops(Vec<(String, Spanned<toml::Value>)>),
}

#[derive(Clone, Debug, Deserialize)]
pub(super) struct RawCategory {
    name: Spanned<String>,
    when: Option<RawWhen>,
    order: Option<Spanned<Vec<Spanned<String>>>>,
    accept_overflow: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
pub(super) struct RawSubtable {
    name: Spanned<String>,
    when: Option<RawWhen>,
}

#[derive(Clone, Debug, Deserialize)]
pub(super) struct RawReserved {
    school: Spanned<String>,
    category: Spanned<String>,
    seats: Option<Spanned<i64>>,
    share: Option<Spanned<f64>>,
}

/// The rule keys of one `[policy]` table, as serde reads them (fields of
/// `RawPolicy`, so unknown keys inside them are reported as elsewhere).
#[derive(Debug, Default)]
pub(super) struct RawRuleKeys {
    pub columns: Option<RawColumns>,
    pub categories: Option<Vec<RawCategory>>,
    pub subtables: Option<Vec<RawSubtable>>,
    pub order: Option<Spanned<Vec<Spanned<String>>>>,
    pub reserved: Option<Vec<RawReserved>>,
    pub seat_lock_years: Option<Spanned<i64>>,
    pub seat_lock_category: Option<Spanned<String>>,
    pub twins: Option<Spanned<String>>,
    /// `feeder_category` (issue 15): resolved with the categories.
    pub feeder_category: Option<Spanned<String>>,
}

/// The rule keys in force for a scenario: its own over its base's.
#[derive(Clone, Debug, Default)]
pub(super) struct RuleKeys {
    /// Declared columns: a base's, then the file's own (a name declared
    /// again takes the new type at its old position).
    columns: Vec<At<(String, Spanned<String>)>>,
    categories: Option<At<Vec<RawCategory>>>,
    subtables: Option<At<Vec<RawSubtable>>>,
    order: Option<At<Spanned<Vec<Spanned<String>>>>>,
    reserved: Option<At<Vec<RawReserved>>>,
    seat_lock_years: Option<At<Spanned<i64>>>,
    seat_lock_category: Option<At<Spanned<String>>>,
    twins: Option<At<Spanned<String>>>,
    feeder_category: Option<At<Spanned<String>>>,
}

/// Where the rule entries that the dataset is checked against are written.
#[derive(Clone, Debug, Default)]
pub(super) struct RuleSites {
    /// Each declared column (as in [`Rules::columns`]).
    pub columns: Vec<Loc>,
    /// Each reservation (as in [`Rules::reserved`]): its school, its amount.
    pub reserved: Vec<(Loc, Loc)>,
    /// `seat_lock_years`.
    pub seat_lock: Option<Loc>,
}

impl RuleKeys {
    /// This file's keys (`own`, written in `src`) over a base's. `priority`
    /// set in this file replaces a base's categories (they come from the
    /// priority then); set together with `[[policy.categories]]` it is an
    /// error.
    pub fn over(
        base: Option<&RuleKeys>,
        own: RawRuleKeys,
        priority: Option<usize>,
        src: &Arc<Source>,
        diags: &mut Diagnostics,
    ) -> RuleKeys {
        let mut k = base.cloned().unwrap_or_default();
        fn at<T>(src: &Arc<Source>, v: T) -> At<T> {
            (src.clone(), v)
        }
        for (name, ty) in own.columns.map(|c| c.0).unwrap_or_default() {
            match k.columns.iter_mut().find(|(_, (n, _))| *n == name) {
                Some(slot) => *slot = at(src, (name, ty)),
                None => k.columns.push(at(src, (name, ty))),
            }
        }
        match (priority, own.categories) {
            (Some(p), Some(_)) => {
                src.err(diags, p, "priority together with [[policy.categories]]; expected one of them (the categories replace priority's five)");
            }
            (Some(_), None) => k.categories = None,
            (None, Some(c)) => k.categories = Some(at(src, c)),
            (None, None) => {}
        }
        if let Some(v) = own.subtables {
            k.subtables = Some(at(src, v));
        }
        if let Some(v) = own.order {
            k.order = Some(at(src, v));
        }
        if let Some(v) = own.reserved {
            k.reserved = Some(at(src, v));
        }
        if let Some(v) = own.seat_lock_years {
            k.seat_lock_years = Some(at(src, v));
        }
        if let Some(v) = own.seat_lock_category {
            k.seat_lock_category = Some(at(src, v));
        }
        if let Some(v) = own.twins {
            k.twins = Some(at(src, v));
        }
        if let Some(v) = own.feeder_category {
            k.feeder_category = Some(at(src, v));
        }
        k
    }

    /// `feeder_category` (issue 15): the category (0-based, in the rules'
    /// order) a `priority` feeder route gives at its junior school, by name
    /// among `names`; default the first. An unknown name is an error with
    /// a did-you-mean (and the first category is used).
    pub fn feeder_category(&self, names: &[&str], diags: &mut Diagnostics) -> usize {
        let Some((src, c)) = &self.feeder_category else {
            return 0;
        };
        match names.iter().position(|n| n == c.get_ref()) {
            Some(i) => i,
            None => {
                src.err(
                    diags,
                    c.span().start,
                    format!(
                        "feeder_category `{}` is not a category{}; expected one of {}",
                        c.get_ref(),
                        crate::io::table::did_you_mean(c.get_ref(), names.iter().copied()),
                        one_each(names)
                    ),
                );
                0
            }
        }
    }

    /// The rules these keys give (with the categories of `priority` when
    /// no `[[policy.categories]]` is in force), and where the entries
    /// checked against the dataset are written. Problems go to `diags`.
    pub fn resolve(&self, priority: &[Category], diags: &mut Diagnostics) -> (Rules, RuleSites) {
        let mut rules = Rules::from_priority(priority);
        let mut sites = RuleSites::default();
        let mut r = Resolver {
            columns: Vec::new(),
            has_subtables: false,
            diags,
        };
        for (src, (name, ty)) in &self.columns {
            if let Some(c) = r.column_decl(src, name, ty) {
                rules.columns.push(c);
                sites.columns.push(src.loc(src.key_before(ty.span().start)));
            }
        }
        if let Some((src, subs)) = &self.subtables {
            rules.subtables = r.subtables(src, subs);
        }
        r.has_subtables = !rules.subtables.is_empty();
        if let Some((src, cats)) = &self.categories {
            rules.categories = r.categories(src, cats);
        }
        if let Some((src, order)) = &self.order {
            rules.order = r.order(src, order, true);
        }
        let names: Vec<&str> = rules.categories.iter().map(|c| c.name.as_str()).collect();
        if let Some((src, list)) = &self.reserved {
            for (res, at) in r.reserved(src, list, &names) {
                rules.reserved.push(res);
                sites.reserved.push(at);
            }
        }
        rules.seat_lock = self.seat_lock(&mut r, &names, &mut sites);
        if let Some((src, t)) = &self.twins {
            rules.twins = match t.get_ref().as_str() {
                "apart" => LotteryTwins::Apart,
                "together" => LotteryTwins::Together,
                other => {
                    src.err(
                        r.diags,
                        t.span().start,
                        format!("twins `{other}`; expected \"apart\" or \"together\""),
                    );
                    LotteryTwins::Apart
                }
            };
        }
        (rules, sites)
    }

    /// `seat_lock_years` (1 to 12) and `seat_lock_category` (a category;
    /// default the last).
    fn seat_lock(
        &self,
        r: &mut Resolver<'_>,
        names: &[&str],
        sites: &mut RuleSites,
    ) -> Option<SeatLock> {
        let category = match &self.seat_lock_category {
            None => names.len().checked_sub(1),
            Some((src, c)) => {
                let found = names.iter().position(|n| n == c.get_ref());
                if found.is_none() {
                    src.err(
                        r.diags,
                        c.span().start,
                        format!(
                            "seat_lock_category `{}` is not a category; expected one of {}",
                            c.get_ref(),
                            one_each(names)
                        ),
                    );
                }
                if self.seat_lock_years.is_none() {
                    src.err(
                        r.diags,
                        c.span().start,
                        "seat_lock_category without seat_lock_years; expected seat_lock_years = N (the lock's length in years) with it",
                    );
                }
                found
            }
        };
        let (src, y) = self.seat_lock_years.as_ref()?;
        let years = *y.get_ref();
        if !(1..=MAX_LOCK_YEARS).contains(&years) {
            src.err(
                r.diags,
                y.span().start,
                format!("seat_lock_years {years}; expected 1 to {MAX_LOCK_YEARS} years"),
            );
            return None;
        }
        sites.seat_lock = Some(src.loc(y.span().start));
        Some(SeatLock {
            years: u32::try_from(years).ok()?,
            category: category?,
        })
    }
}

/// The state of resolving one scenario's rule keys.
struct Resolver<'a> {
    /// Declared columns; `None` as type when the declaration was wrong (its
    /// uses are then not reported again).
    columns: Vec<(String, Option<ColumnType>)>,
    has_subtables: bool,
    diags: &'a mut Diagnostics,
}

/// What a column name in a condition or order key refers to.
enum Lookup {
    Found(ColumnRef, ColumnType, &'static [&'static str]),
    /// Declared with a wrong type (already reported).
    Broken,
    Unknown,
}

impl Resolver<'_> {
    /// One `[policy.columns]` entry: a new name and a known type.
    fn column_decl(
        &mut self,
        src: &Source,
        name: &str,
        ty: &Spanned<String>,
    ) -> Option<(String, ColumnType)> {
        let n = name.trim();
        let name_at = src.key_before(ty.span().start);
        let folded = n.to_lowercase();
        let mut ok = true;
        if n.is_empty() {
            src.err(
                self.diags,
                name_at,
                "empty column name in [policy.columns]; expected the name of a students.csv column",
            );
            ok = false;
        } else if Builtin::parse(&folded).is_some()
            || FIXED_STUDENT_COLUMNS.contains(&folded.as_str())
        {
            src.err(
                self.diags,
                name_at,
                format!("column `{n}` has a fixed meaning in students.csv; expected a column of your own (a built-in column needs no declaration)"),
            );
            ok = false;
        } else if ["category", "subtable", "lottery"].contains(&folded.as_str()) {
            src.err(
                self.diags,
                name_at,
                format!("column `{n}` has the name of an order key; expected another name (\"{folded}\" in `order` means the {folded})"),
            );
            ok = false;
        }
        let t = ColumnType::parse(ty.get_ref());
        if t.is_none() {
            src.err(
                self.diags,
                ty.span().start,
                format!(
                    "column `{n}`: type `{}`; expected \"bool\", \"enum\", \"number\" or \"date\"",
                    ty.get_ref()
                ),
            );
        }
        // a declaration with a fixed name is dropped: uses then mean the
        // built-in column
        if ok {
            self.columns.push((n.to_string(), t));
        }
        Some((n.to_string(), t?)).filter(|_| ok)
    }

    fn lookup(&self, name: &str) -> Lookup {
        if let Some(i) = self.columns.iter().position(|(n, _)| n == name) {
            // the position among the declarations that were kept
            let ix = self.columns[..i]
                .iter()
                .filter(|(_, t)| t.is_some())
                .count();
            return match self.columns[i].1 {
                Some(t) => Lookup::Found(ColumnRef::Declared(ix), t, &[]),
                None => Lookup::Broken,
            };
        }
        match Builtin::parse(name) {
            Some(b) => Lookup::Found(ColumnRef::Builtin(b), b.ty(), b.choices()),
            None => Lookup::Unknown,
        }
    }

    fn unknown_column(&mut self, src: &Source, at: usize, name: &str) {
        let builtins: Vec<&str> = Builtin::ALL.iter().map(|b| b.name()).collect();
        let declared: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        let hint = declared
            .iter()
            .chain(&builtins)
            .find(|k| crate::io::table::looks_like(name, k))
            .map_or(String::new(), |k| format!(" (did you mean `{k}`?)"));
        let declared = if declared.is_empty() {
            "none yet".to_string()
        } else {
            declared.join(", ")
        };
        src.err(
            self.diags,
            at,
            format!(
                "unknown column `{name}`{hint}; expected a built-in column ({}) or one declared in [policy.columns] ({declared})",
                builtins.join(", ")
            ),
        );
    }

    /// A `when` table: all of its conditions.
    fn when(&mut self, src: &Source, raw: Option<&RawWhen>) -> When {
        let mut out = Vec::new();
        for (key, cond) in raw.map_or(&[][..], |w| &w.0[..]) {
            let name = key.as_str();
            let (column, ty, choices) = match self.lookup(name) {
                Lookup::Found(c, t, ch) => (c, t, ch),
                Lookup::Broken => continue,
                Lookup::Unknown => {
                    self.unknown_column(src, src.key_before(cond.span().start), name);
                    continue;
                }
            };
            let ops: Vec<(Cmp, &toml::Value, usize)> = match cond.get_ref() {
                RawCond::Scalar(v) => vec![(Cmp::Eq, v, cond.span().start)],
                RawCond::Ops(list) if list.is_empty() => {
                    src.err(self.diags, cond.span().start, format!("empty comparison for `{name}`; expected {{ \"<=\" = value }} or `{name} = value`"));
                    continue;
                }
                RawCond::Ops(list) => list
                    .iter()
                    .filter_map(|(op, v)| match Cmp::parse(op) {
                        Some(c) => Some((c, v.get_ref(), v.span().start)),
                        None => {
                            src.err(self.diags, v.span().start, format!("unknown operator `{op}` for `{name}`; expected one of =, ==, !=, <, <=, >, >="));
                            None
                        }
                    })
                    .collect(),
            };
            for (cmp, v, at) in ops {
                let ordering = !matches!(cmp, Cmp::Eq | Cmp::Ne);
                if ordering && matches!(ty, ColumnType::Bool | ColumnType::Enum) {
                    src.err(
                        self.diags,
                        at,
                        format!(
                            "operator `{}` on the {} column `{name}`; expected = or != ({} column has no order)",
                            cmp.symbol(),
                            ty.key(),
                            a(ty)
                        ),
                    );
                    continue;
                }
                if let Some(value) = self.constant(src, at, name, ty, choices, v) {
                    out.push(Condition {
                        column,
                        name: name.to_string(),
                        cmp,
                        value,
                    });
                }
            }
        }
        When(out)
    }

    /// A condition's constant, of the column's type.
    fn constant(
        &mut self,
        src: &Source,
        at: usize,
        name: &str,
        ty: ColumnType,
        choices: &[&str],
        v: &toml::Value,
    ) -> Option<Value> {
        use toml::Value as T;
        let found = Found(v);
        let (value, expected) = match (ty, v) {
            (ColumnType::Bool, T::Boolean(b)) => (Some(Value::Bool(*b)), String::new()),
            (ColumnType::Bool, _) => (None, format!("`{name}` is a bool column; expected true or false, found {found}")),
            (ColumnType::Number, T::Integer(i)) => (Some(Value::Number(*i as f64)), String::new()),
            (ColumnType::Number, T::Float(x)) if x.is_finite() => (Some(Value::Number(*x)), String::new()),
            (ColumnType::Number, _) => (None, format!("`{name}` is a number column; expected a finite number, found {found}")),
            (ColumnType::Enum, T::String(s)) if s.trim().is_empty() => (None, format!("empty text for `{name}`; expected a value in quotes")),
            (ColumnType::Enum, T::String(s)) if !choices.is_empty() && !choices.contains(&s.trim()) => (
                None,
                format!("`{s}` is not a value of `{name}`; expected one of {}", choices.join(", ")),
            ),
            (ColumnType::Enum, T::String(s)) => (Some(Value::Text(s.trim().into())), String::new()),
            (ColumnType::Enum, _) => (None, format!("`{name}` is an enum column; expected a value in quotes, found {found}")),
            (ColumnType::Date, T::String(s)) => match parse_date(s) {
                Some(d) => (Some(Value::Date(d)), String::new()),
                None => (None, format!("`{s}` is not a date; expected 2019-03-05, 2019/3/5, 2019年3月5日 or an Excel serial date")),
            },
            (ColumnType::Date, T::Datetime(dt)) => {
                let day = match (dt.date, dt.time, dt.offset) {
                    (Some(d), None, None) => {
                        Day::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    }
                    _ => None,
                };
                match day {
                    Some(d) => (Some(Value::Date(d)), String::new()),
                    None => (None, format!("`{dt}` is not a date from 1900 to 2200 without a time; expected a date such as 2019-03-05")),
                }
            }
            (ColumnType::Date, _) => (None, format!("`{name}` is a date column; expected a date such as 2019-03-05 or \"2019年3月5日\", found {found}")),
        };
        if value.is_none() {
            src.err(self.diags, at, expected);
        }
        value
    }

    /// `[[policy.subtables]]`: named (each name once), with conditions.
    fn subtables(&mut self, src: &Source, raw: &[RawSubtable]) -> Vec<Subtable> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for t in raw {
            let name = self.name(src, &t.name, &mut seen, "sub-table");
            let when = self.when(src, t.when.as_ref());
            out.push(Subtable { name, when });
        }
        out
    }

    /// A category's or sub-table's name: not empty, not used before.
    fn name(
        &mut self,
        src: &Source,
        n: &Spanned<String>,
        seen: &mut HashSet<String>,
        what: &str,
    ) -> String {
        let name = n.get_ref().trim().to_string();
        if name.is_empty() {
            src.err(
                self.diags,
                n.span().start,
                format!("empty {what} name; expected a name such as the published one"),
            );
        } else if !seen.insert(name.clone()) {
            src.err(
                self.diags,
                n.span().start,
                format!("{what} `{name}` is named twice; expected each name once"),
            );
        }
        name
    }

    /// `[[policy.categories]]`: 1 to [`MAX_CATEGORIES`], in priority order.
    fn categories(&mut self, src: &Source, raw: &[RawCategory]) -> Vec<CategoryRule> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (i, c) in raw.iter().enumerate() {
            if i == MAX_CATEGORIES {
                src.err(
                    self.diags,
                    c.name.span().start,
                    format!(
                        "more than {MAX_CATEGORIES} categories; expected at most {MAX_CATEGORIES}"
                    ),
                );
                break;
            }
            let name = self.name(src, &c.name, &mut seen, "category");
            let when = self.when(src, c.when.as_ref());
            let order = c.order.as_ref().map(|o| self.order(src, o, false));
            out.push(CategoryRule {
                name,
                when,
                accept_overflow: c.accept_overflow,
                order,
            });
        }
        out
    }

    /// `policy.order` (`full`: from "category" to "lottery") or a
    /// category's own `order` (the keys after the category, to "lottery").
    fn order(
        &mut self,
        src: &Source,
        raw: &Spanned<Vec<Spanned<String>>>,
        full: bool,
    ) -> Vec<OrderKey> {
        let list = raw.get_ref();
        let want = if full {
            "\"category\" first and \"lottery\" last"
        } else {
            "keys after the category, \"lottery\" last"
        };
        if list.is_empty() {
            src.err(
                self.diags,
                raw.span().start,
                format!("empty order; expected {want}"),
            );
            return Vec::new();
        }
        // (name, descending?) of each key: "points desc" → ("points", Some(true))
        let split = |item: &Spanned<String>| {
            let text = item.get_ref().trim().to_string();
            match text.rsplit_once(' ') {
                Some((n, "asc")) => (n.trim().to_string(), Some(false)),
                Some((n, "desc")) => (n.trim().to_string(), Some(true)),
                _ => (text, None),
            }
        };
        let keys: Vec<(String, Option<bool>)> = list.iter().map(split).collect();
        let last = list.len() - 1;
        let first_ok = !full || keys[0].0 == "category";
        if !first_ok {
            src.err(
                self.diags,
                list[0].span().start,
                format!(
                    "order starts with `{}`; expected \"category\" first",
                    list[0].get_ref()
                ),
            );
        }
        let last_ok = keys[last].0 == "lottery";
        if !last_ok {
            src.err(
                self.diags,
                list[last].span().start,
                format!(
                    "order ends with `{}`; expected \"lottery\" last",
                    list[last].get_ref()
                ),
            );
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let mut out = Vec::new();
        for (i, (item, (name, dir))) in list.iter().zip(&keys).enumerate() {
            let at = item.span().start;
            if !seen.insert(name) {
                src.err(
                    self.diags,
                    at,
                    format!("order key `{name}` is given twice; expected each key once"),
                );
                continue;
            }
            let key = match name.as_str() {
                "category" if !full => {
                    src.err(self.diags, at, "\"category\" in a category's own order; expected only the keys after the category (it ranks inside its category)");
                    None
                }
                "category" | "lottery" if dir.is_some() => {
                    src.err(
                        self.diags,
                        at,
                        format!(
                            "`{}` with asc/desc; expected \"{name}\" alone",
                            item.get_ref()
                        ),
                    );
                    None
                }
                "category" if i == 0 => Some(OrderKey::Category),
                "lottery" if i == last => Some(OrderKey::Lottery),
                // out of place: reported once, by the first/last checks
                // when those positions are wrong, else here
                "category" | "lottery" => {
                    if first_ok && last_ok {
                        src.err(self.diags, at, format!("`{name}` at position {}; expected \"category\" first and \"lottery\" last", i + 1));
                    }
                    None
                }
                "subtable" if dir.is_some() => {
                    src.err(self.diags, at, "`subtable` with asc/desc; expected \"subtable\" (sub-tables rank in their listed order)");
                    None
                }
                "subtable" if !self.has_subtables => {
                    src.err(self.diags, at, "order key \"subtable\" without [[policy.subtables]]; expected sub-tables declared, or no \"subtable\" key");
                    None
                }
                "subtable" => Some(OrderKey::Subtable),
                _ => self.column_key(src, at, name, *dir),
            };
            out.extend(key);
        }
        out
    }

    /// An order key on a date or number column.
    fn column_key(
        &mut self,
        src: &Source,
        at: usize,
        name: &str,
        dir: Option<bool>,
    ) -> Option<OrderKey> {
        match self.lookup(name) {
            Lookup::Found(column, ty @ (ColumnType::Date | ColumnType::Number), _) => {
                Some(OrderKey::Column {
                    column,
                    name: name.to_string(),
                    ty,
                    // earlier dates first, higher numbers (points) first
                    descending: dir.unwrap_or(ty == ColumnType::Number),
                })
            }
            Lookup::Found(_, ty, _) => {
                src.err(self.diags, at, format!("order key `{name}` is {} column; expected a date or number column (or category, subtable, lottery)", a(ty)));
                None
            }
            Lookup::Broken => None,
            Lookup::Unknown => {
                src.err(self.diags, at, format!("unknown order key `{name}`; expected category, subtable, lottery, or a date or number column (built-in or declared in [policy.columns]), optionally with \" asc\" or \" desc\""));
                None
            }
        }
    }

    /// `[[policy.reserved]]`, each with where it is written.
    fn reserved(
        &mut self,
        src: &Source,
        raw: &[RawReserved],
        names: &[&str],
    ) -> Vec<(Reserved, (Loc, Loc))> {
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut out = Vec::new();
        for r in raw {
            let school = r.school.get_ref().trim();
            let every = school == "*";
            let cat = r.category.get_ref();
            let category = names.iter().position(|n| n == cat);
            if category.is_none() {
                src.err(
                    self.diags,
                    r.category.span().start,
                    format!(
                        "reserved: unknown category `{cat}`; expected one of {}",
                        one_each(names)
                    ),
                );
            }
            if school.is_empty() {
                src.err(self.diags, r.school.span().start, "reserved: empty school; expected a school_id from schools.csv or \"*\" (every school)");
            }
            if !seen.insert((school.to_string(), cat.clone())) {
                src.err(self.diags, r.school.span().start, format!("reserved: `{school}` and category `{cat}` are given twice; expected each school and category once"));
            }
            let amount = match (&r.seats, &r.share) {
                (Some(_), Some(s)) => {
                    src.err(
                        self.diags,
                        s.span().start,
                        "reserved: both seats and share; expected one of them",
                    );
                    None
                }
                (None, None) => {
                    src.err(
                        self.diags,
                        r.school.span().start,
                        "reserved: neither seats nor share; expected seats = N or share = 0.1",
                    );
                    None
                }
                (Some(n), None) if every => {
                    src.err(self.diags, n.span().start, "reserved: seats with school \"*\"; expected share = 0.1 (schools differ in size)");
                    None
                }
                (Some(n), None) => {
                    let x = *n.get_ref();
                    match u32::try_from(x) {
                        Ok(v) if (1..=MAX_SEATS).contains(&v) => Some(ReservedAmount::Seats(v)),
                        _ => {
                            src.err(
                                self.diags,
                                n.span().start,
                                format!(
                                    "reserved: seats {x}; expected 1 to the school's entry seats"
                                ),
                            );
                            None
                        }
                    }
                }
                (None, Some(s)) => {
                    let x = *s.get_ref();
                    if x > 0.0 && x <= 1.0 {
                        Some(ReservedAmount::Share(x))
                    } else {
                        src.err(self.diags, s.span().start, format!("reserved: share {x}; expected more than 0 and at most 1 (0.1 = a tenth of the seats)"));
                        None
                    }
                }
            };
            let amount_at = r
                .seats
                .as_ref()
                .map(|s| s.span().start)
                .or(r.share.as_ref().map(|s| s.span().start))
                .unwrap_or(r.school.span().start);
            if let (Some(category), Some(amount)) = (category, amount) {
                out.push((
                    Reserved {
                        school: (!every).then(|| SchoolId::new(school)),
                        category,
                        amount,
                    },
                    (src.loc(r.school.span().start), src.loc(amount_at)),
                ));
            }
        }
        out
    }
}

/// Category names for a message, each once, in priority order.
fn one_each(names: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for n in names {
        if !out.contains(n) {
            out.push(n);
        }
    }
    out.join(", ")
}

/// A column type with its article ("a date", "an enum").
fn a(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Bool => "a bool",
        ColumnType::Enum => "an enum",
        ColumnType::Number => "a number",
        ColumnType::Date => "a date",
    }
}

/// How a TOML value is described in "found …".
struct Found<'a>(&'a toml::Value);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            toml::Value::String(s) => write!(f, "the text \"{s}\""),
            toml::Value::Integer(i) => write!(f, "the number {i}"),
            toml::Value::Float(x) => write!(f, "the number {x}"),
            toml::Value::Boolean(b) => write!(f, "{b}"),
            toml::Value::Datetime(d) => write!(f, "the date {d}"),
            toml::Value::Array(_) => f.write_str("a list"),
            toml::Value::Table(_) => f.write_str("a table"),
        }
    }
}

/// Entries of a TOML table in the order written (the parser's tables are
/// sorted by key; the spans give the order back).
fn ordered<'de, V: Deserialize<'de>, A: MapAccess<'de>>(
    mut map: A,
) -> Result<Vec<(String, Spanned<V>)>, A::Error> {
    let mut out: Vec<(String, Spanned<V>)> = Vec::new();
    while let Some(k) = map.next_key::<String>()? {
        out.push((k, map.next_value()?));
    }
    out.sort_by_key(|(_, v)| v.span().start);
    Ok(out)
}

impl<'de> Deserialize<'de> for RawColumns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawColumns;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of column = \"type\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawColumns, A::Error> {
                ordered(map).map(RawColumns)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for RawWhen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawWhen;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of conditions, e.g. { migrant = true }")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawWhen, A::Error> {
                ordered(map).map(RawWhen)
            }
        }
        d.deserialize_map(V)
    }
}

/// The key under which the toml parser hands over a date literal (a
/// one-entry map; `toml_datetime`'s private field name).
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for RawCond {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCond;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a table of comparisons, e.g. { \"<=\" = 80 }")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawCond, E> {
                Ok(RawCond::Scalar(toml::Value::Boolean(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCond, E> {
                Ok(RawCond::Scalar(toml::Value::Integer(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCond, E> {
                match i64::try_from(v) {
                    Ok(i) => self.visit_i64(i),
                    Err(_) => self.visit_f64(v as f64),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawCond, E> {
                Ok(RawCond::Scalar(toml::Value::Float(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCond, E> {
                Ok(RawCond::Scalar(toml::Value::String(v.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawCond, A::Error> {
                let v = toml::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(RawCond::Scalar(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawCond, A::Error> {
                let mut ops = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    if k == TOML_DATETIME && ops.is_empty() {
                        let s: String = map.next_value()?;
                        let dt: toml::value::Datetime = s.parse().map_err(de::Error::custom)?;
                        return Ok(RawCond::Scalar(toml::Value::Datetime(dt)));
                    }
                    ops.push((k, map.next_value::<Spanned<toml::Value>>()?));
                }
                ops.sort_by_key(|(_, v)| v.span().start);
                Ok(RawCond::Ops(ops))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{parse, read};
    use super::*;
    use crate::domain::model::Grade;
    use crate::domain::scenario::Policy;

    const OK: &str = "name = \"t\"\nyear = 2025\ndataset = \"d\"\nlevel = \"primary\"\n";

    fn parse_str(extra: &str) -> (Option<Rules>, Vec<String>) {
        let mut d = Diagnostics::new();
        let f = parse(Path::new("s.toml"), format!("{OK}{extra}"), &mut d);
        (
            f.map(|f| f.scenario.policy.rules),
            d.iter().map(|x| x.to_string()).collect(),
        )
    }

    const FULL: &str = r#"[policy]
order = ["category", "subtable", "property_date", "hukou_date desc", "lottery"]
seat_lock_years = 6
seat_lock_category = "其他"
twins = "together"

[policy.columns]
preferential = "bool"
hukou_date = "date"
property_date = "date"
points = "number"
district = "enum"

[[policy.categories]]
name = "优抚对象"
when = { preferential = true }
[[policy.categories]]
name = "房户一致"
when = { hukou_in_block = true, property_in_block = true }
[[policy.categories]]
name = "随迁子女"
when = { migrant = true, hukou_date = { "<=" = "2024-08-31", ">" = 2019-01-01 }, district = { "!=" = "北区" } }
order = ["points", "lottery"]
accept_overflow = false
[[policy.categories]]
name = "其他"

[[policy.subtables]]
name = "A"
when = { disability = "none", score = { ">=" = 60 } }
[[policy.subtables]]
name = "B"

[[policy.reserved]]
school = "LT-P21"
category = "随迁子女"
seats = 20
[[policy.reserved]]
school = "*"
category = "优抚对象"
share = 0.1
"#;

    #[test]
    fn a_full_rule_set_is_read() {
        let (rules, msgs) = parse_str(FULL);
        assert!(msgs.is_empty(), "{msgs:?}");
        let r = rules.unwrap();
        let names: Vec<&str> = r.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "preferential",
                "hukou_date",
                "property_date",
                "points",
                "district"
            ]
        );
        assert_eq!(r.columns[1].1, ColumnType::Date);
        assert_eq!(r.columns[4].1, ColumnType::Enum);
        let cats: Vec<&str> = r.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cats, ["优抚对象", "房户一致", "随迁子女", "其他"]);
        let day = |y, m, d| Value::Date(Day::from_ymd(y, m, d).unwrap());
        let migrant = &r.categories[2];
        assert_eq!(
            migrant.when.0,
            vec![
                Condition {
                    column: ColumnRef::Builtin(Builtin::Migrant),
                    name: "migrant".into(),
                    cmp: Cmp::Eq,
                    value: Value::Bool(true)
                },
                Condition {
                    column: ColumnRef::Declared(1),
                    name: "hukou_date".into(),
                    cmp: Cmp::Le,
                    value: day(2024, 8, 31)
                },
                Condition {
                    column: ColumnRef::Declared(1),
                    name: "hukou_date".into(),
                    cmp: Cmp::Gt,
                    value: day(2019, 1, 1)
                },
                Condition {
                    column: ColumnRef::Declared(4),
                    name: "district".into(),
                    cmp: Cmp::Ne,
                    value: Value::Text("北区".into())
                },
            ]
        );
        assert_eq!(migrant.accept_overflow, Some(false));
        assert_eq!(
            migrant.order,
            Some(vec![
                OrderKey::Column {
                    column: ColumnRef::Declared(3),
                    name: "points".into(),
                    ty: ColumnType::Number,
                    descending: true
                },
                OrderKey::Lottery
            ])
        );
        assert!(r.categories[3].when.0.is_empty());
        assert_eq!(r.categories[3].accept_overflow, None);
        assert_eq!(
            r.order,
            vec![
                OrderKey::Category,
                OrderKey::Subtable,
                OrderKey::Column {
                    column: ColumnRef::Declared(2),
                    name: "property_date".into(),
                    ty: ColumnType::Date,
                    descending: false
                },
                OrderKey::Column {
                    column: ColumnRef::Declared(1),
                    name: "hukou_date".into(),
                    ty: ColumnType::Date,
                    descending: true
                },
                OrderKey::Lottery
            ]
        );
        assert_eq!(r.subtables.len(), 2);
        assert_eq!(r.subtables[0].when.0.len(), 2);
        assert_eq!(r.subtables[0].when.0[1].value, Value::Number(60.0));
        assert_eq!(
            r.reserved,
            vec![
                Reserved {
                    school: Some(SchoolId::new("LT-P21")),
                    category: 2,
                    amount: ReservedAmount::Seats(20)
                },
                Reserved {
                    school: None,
                    category: 0,
                    amount: ReservedAmount::Share(0.1)
                },
            ]
        );
        assert_eq!(
            r.seat_lock,
            Some(SeatLock {
                years: 6,
                category: 3
            })
        );
        assert_eq!(r.twins, LotteryTwins::Together);
        assert!(!r.is_plain());
    }

    #[test]
    fn without_rule_keys_the_rules_are_todays() {
        let (rules, msgs) = parse_str("[policy]\nlottery_seed = 3\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(rules.unwrap(), Policy::defaults(Grade::One).rules);
        // priority without categories: the categories follow it, the
        // other rule keys stay
        let (rules, msgs) = parse_str(
            "[policy]\ntwins = \"together\"\npriority = [\"other\", \"hukou_only\", \"property_only\", \"hukou_and_property\", \"migrant_resident\"]\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let r = rules.unwrap();
        let prio = [
            Category::Other,
            Category::HukouOnly,
            Category::PropertyOnly,
            Category::HukouAndProperty,
            Category::MigrantResident,
        ];
        assert_eq!(r.categories, Rules::from_priority(&prio).categories);
        assert_eq!(r.twins, LotteryTwins::Together);
        assert_eq!(r.order, [OrderKey::Category, OrderKey::Lottery]);
    }

    /// Each bad input, and the start of its message with line:column.
    #[test]
    fn every_bad_rule_is_an_error_at_its_position() {
        let cats = "[[policy.categories]]\nname = \"a\"\n";
        let prio = "priority = [\"hukou_and_property\", \"property_only\", \"hukou_only\", \"migrant_resident\", \"other\"]";
        let reserved = |body: &str| format!("[[policy.reserved]]\nschool = \"A\"\n{body}");
        let cases: Vec<(String, &str)> = vec![
            (format!("{cats}when = {{ foo = true }}\n"), "s.toml:7:10: unknown column `foo`; expected a built-in column (hukou_in_block"),
            (format!("{cats}when = {{ migrant = 1 }}\n"), "s.toml:7:20: `migrant` is a bool column; expected true or false, found the number 1"),
            (format!("{cats}when = {{ score = \"high\" }}\n"), "s.toml:7:18: `score` is a number column; expected a finite number, found the text \"high\""),
            (format!("{cats}when = {{ gender = true }}\n"), "s.toml:7:19: `gender` is an enum column; expected a value in quotes, found true"),
            (format!("{cats}when = {{ migrant = {{ \"<\" = true }} }}\n"), "s.toml:7:28: operator `<` on the bool column `migrant`; expected = or !="),
            (format!("{cats}when = {{ gender = {{ \">\" = \"F\" }} }}\n"), "s.toml:7:27: operator `>` on the enum column `gender`"),
            (format!("{cats}when = {{ gender = {{ \"~\" = \"F\" }} }}\n"), "s.toml:7:27: unknown operator `~` for `gender`"),
            (format!("[policy.columns]\nd = \"date\"\n{cats}when = {{ d = {{ \"<=\" = \"2024-13-01\" }} }}\n"), "s.toml:9:23: `2024-13-01` is not a date; expected 2019-03-05, 2019/3/5, 2019年3月5日 or an Excel serial date"),
            (format!("[policy.columns]\nd = \"date\"\n{cats}when = {{ d = 2024-08-31T10:00:00 }}\n"), "s.toml:9:14: `2024-08-31T10:00:00` is not a date from 1900 to 2200 without a time"),
            (format!("{cats}when = {{ disability = \"bad\" }}\n"), "s.toml:7:23: `bad` is not a value of `disability`; expected one of none, mild, severe"),
            (format!("{cats}{cats}"), "s.toml:8:8: category `a` is named twice; expected each name once"),
            ("[[policy.categories]]\nname = \" \"\n".into(), "s.toml:6:8: empty category name"),
            (format!("[policy]\n{prio}\n{cats}"), "s.toml:6:12: priority together with [[policy.categories]]"),
            ("[policy]\norder = []\n".into(), "s.toml:6:9: empty order; expected \"category\" first and \"lottery\" last"),
            ("[policy]\norder = [\"lottery\"]\n".into(), "s.toml:6:10: order starts with `lottery`; expected \"category\" first"),
            ("[policy]\norder = [\"category\"]\n".into(), "s.toml:6:10: order ends with `category`; expected \"lottery\" last"),
            ("[policy]\norder = [\"category\", \"score\", \"score\", \"lottery\"]\n".into(), "s.toml:6:31: order key `score` is given twice"),
            ("[policy]\norder = [\"category\", \"points\", \"lottery\"]\n".into(), "s.toml:6:22: unknown order key `points`"),
            ("[policy]\norder = [\"category\", \"migrant\", \"lottery\"]\n".into(), "s.toml:6:22: order key `migrant` is a bool column; expected a date or number column"),
            ("[policy]\norder = [\"category\", \"gender asc\", \"lottery\"]\n".into(), "s.toml:6:22: order key `gender` is an enum column"),
            ("[policy]\norder = [\"category\", \"subtable\", \"lottery\"]\n".into(), "s.toml:6:22: order key \"subtable\" without [[policy.subtables]]"),
            (format!("{cats}order = [\"category\", \"lottery\"]\n"), "s.toml:7:10: \"category\" in a category's own order"),
            (format!("{cats}order = [\"score\"]\n"), "s.toml:7:10: order ends with `score`; expected \"lottery\" last"),
            (reserved("category = \"vip\"\nseats = 3\n"), "s.toml:7:12: reserved: unknown category `vip`; expected one of hukou_and_property"),
            ("[[policy.reserved]]\nschool = \"*\"\ncategory = \"other\"\nseats = 3\n".into(), "s.toml:8:9: reserved: seats with school \"*\""),
            (reserved("category = \"other\"\nseats = 3\nshare = 0.1\n"), "s.toml:9:9: reserved: both seats and share"),
            (reserved("category = \"other\"\n"), "s.toml:6:10: reserved: neither seats nor share"),
            (reserved("category = \"other\"\nshare = 1.5\n"), "s.toml:8:9: reserved: share 1.5; expected more than 0 and at most 1"),
            (reserved("category = \"other\"\nshare = 0\n"), "s.toml:8:9: reserved: share 0; expected more than 0"),
            (reserved("category = \"other\"\nseats = 0\n"), "s.toml:8:9: reserved: seats 0; expected 1 to"),
            (format!("{}{}", reserved("category = \"other\"\nseats = 1\n"), reserved("category = \"other\"\nseats = 2\n")), "s.toml:10:10: reserved: `A` and category `other` are given twice"),
            ("[policy]\nseat_lock_years = 6\nseat_lock_category = \"x\"\n".into(), "s.toml:7:22: seat_lock_category `x` is not a category; expected one of hukou_and_property"),
            ("[policy]\nseat_lock_category = \"other\"\n".into(), "s.toml:6:22: seat_lock_category without seat_lock_years"),
            ("[policy]\nseat_lock_years = 13\n".into(), "s.toml:6:19: seat_lock_years 13; expected 1 to 12 years"),
            ("[policy]\nseat_lock_years = 0\n".into(), "s.toml:6:19: seat_lock_years 0; expected 1 to 12 years"),
            ("[policy]\ntwins = \"both\"\n".into(), "s.toml:6:9: twins `both`; expected \"apart\" or \"together\""),
            ("[policy.columns]\nx = \"text\"\n".into(), "s.toml:6:5: column `x`: type `text`; expected \"bool\", \"enum\", \"number\" or \"date\""),
            ("[policy.columns]\nproperty_id = \"bool\"\n".into(), "s.toml:6:1: column `property_id` has a fixed meaning in students.csv"),
            ("[policy.columns]\nMigrant = \"bool\"\n".into(), "s.toml:6:1: column `Migrant` has a fixed meaning"),
            ("[policy.columns]\nlottery = \"number\"\n".into(), "s.toml:6:1: column `lottery` has the name of an order key"),
            (format!("{cats}nmae = \"x\"\n"), "s.toml:7:1: unknown key `policy.categories.0.nmae`"),
            ("[[policy.subtables]]\nname = \"A\"\n[[policy.subtables]]\nname = \"A\"\n".into(), "s.toml:8:8: sub-table `A` is named twice"),
        ];
        let mut failed = Vec::new();
        for (text, want) in &cases {
            let (rules, msgs) = parse_str(text);
            if rules.is_some() || !msgs.iter().any(|m| m.starts_with(want)) {
                failed.push(format!("{text}\n  want {want}\n  got  {msgs:?}"));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn all_problems_are_listed_in_one_run() {
        let text = "[policy]\norder = [\"category\", \"points\", \"lottery\"]\ntwins = \"both\"\nseat_lock_years = 20\n[[policy.categories]]\nname = \"a\"\nwhen = { foo = 1, migrant = \"yes\" }\n[[policy.categories]]\nname = \"a\"\n";
        let (rules, msgs) = parse_str(text);
        assert!(rules.is_none());
        assert_eq!(msgs.len(), 6, "{msgs:?}");
    }

    #[test]
    fn a_child_scenario_inherits_the_rules_it_does_not_set() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("base.toml"), format!("{OK}{FULL}")).unwrap();
        let child = |name: &str, body: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, format!("extends = \"base.toml\"\n{body}")).unwrap();
            let mut d = Diagnostics::new();
            let f = read(&p, &mut d);
            (
                f.map(|f| f.scenario.policy.rules),
                d.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            )
        };
        let (base, msgs) = parse_str(FULL);
        assert!(msgs.is_empty(), "{msgs:?}");
        let base = base.unwrap();
        let (same, msgs) = child("same.toml", "[policy]\nlottery_seed = 9\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(same.unwrap(), base);
        // own keys replace the base's; columns add to the base's
        let (r, msgs) = child(
            "own.toml",
            "[policy]\ntwins = \"apart\"\norder = [\"category\", \"bonus\", \"lottery\"]\n[policy.columns]\nbonus = \"number\"\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let r = r.unwrap();
        assert_eq!(r.twins, LotteryTwins::Apart);
        assert_eq!(r.columns.len(), 6);
        assert_eq!(r.categories, base.categories);
        assert_eq!(r.reserved, base.reserved);
        assert!(matches!(
            r.order[1],
            OrderKey::Column {
                column: ColumnRef::Declared(5),
                ..
            }
        ));
        // priority replaces the base's categories: the base's reserved
        // category names no longer exist, found at the base's entry
        let (r, msgs) = child(
            "prio.toml",
            "[policy]\npriority = [\"hukou_and_property\", \"property_only\", \"hukou_only\", \"migrant_resident\", \"other\"]\n",
        );
        assert!(r.is_none());
        let base_path = dir.path().join("base.toml");
        let at = format!(
            "{}:40:12: reserved: unknown category `随迁子女`",
            base_path.display()
        );
        assert!(msgs.iter().any(|m| m.starts_with(&at)), "{msgs:?}");
    }
}
