//! Typed values of applicant columns: calendar days as planners write them
//! (ISO, slashes, 年月日, Excel serial dates) and the values a condition or
//! ranking key compares (issue 14).
//!
//! ```
//! use sunshine::domain::value::{parse_date, Day};
//! let d = parse_date("2019年3月5日").unwrap();
//! assert_eq!(parse_date("2019/3/5"), Some(d));
//! assert_eq!(parse_date("2019-03-05"), Some(d));
//! assert_eq!(parse_date("43529"), Some(d)); // Excel's serial for that day
//! assert_eq!(d.to_string(), "2019-03-05");
//! assert_eq!(parse_date("2019-02-30"), None);
//! ```

use std::fmt;

/// A calendar day, counted from 1970-01-01 (negative before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// The day of a proleptic Gregorian date; `None` for a date that does
    /// not exist (2019-02-30) or a year outside 1900–2200.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Day> {
        if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || d == 0 {
            return None;
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if d > len[m as usize - 1] {
            return None;
        }
        // days from civil (H. Hinnant, "chrono-compatible low-level date
        // algorithms")
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    /// (year, month, day) of this day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A date as planners' files hold it: `2019-03-05`, `2019-3-5`,
/// `2019/3/5`, `2019.3.5`, `2019年3月5日`, `20190305`, or an Excel serial
/// date (`43529`: days since 1899-12-30 in Excel's 1900 system; serial 60,
/// Excel's non-existent 1900-02-29, is refused). A time of day after a
/// space (`2019/3/5 0:00`, as Excel exports dates) is ignored. `None` for
/// anything else.
pub fn parse_date(s: &str) -> Option<Day> {
    let s = s.trim();
    let s = s.split_once(' ').map_or(s, |(d, _)| d);
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        if s.len() == 8 {
            let n: u32 = s.parse().ok()?;
            return Day::from_ymd((n / 10_000) as i32, n / 100 % 100, n % 100);
        }
        let serial: i32 = s.parse().ok()?;
        return match serial {
            1..=59 => Some(Day(
                Day::from_ymd(1899, 12, 31).unwrap_or(Day(-25_568)).0 + serial
            )),
            61..=2_958_465 => Day::from_ymd(1900, 3, 1).map(|d| Day(d.0 + serial - 61)),
            _ => None,
        };
    }
    // an Excel serial saved with a decimal part of zero ("43529.0")
    if let Some(whole) = s.strip_suffix(".0") {
        if !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) {
            return parse_date(whole);
        }
    }
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts[..] else {
        return None;
    };
    let num = |p: &str, max_len: usize| {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    Day::from_ymd(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)
}

/// The type of an applicant column a condition or order key uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// `true`/`false` (also 是/否, 1/0, yes/no as the reader accepts).
    Bool,
    /// A short text from a fixed set (`none`/`mild`/`severe`).
    Enum,
    /// A number (points 积分, scores).
    Number,
    /// A calendar date ([`parse_date`]).
    Date,
}

impl ColumnType {
    /// The type's name in `[policy.columns]`.
    pub fn key(self) -> &'static str {
        match self {
            ColumnType::Bool => "bool",
            ColumnType::Enum => "enum",
            ColumnType::Number => "number",
            ColumnType::Date => "date",
        }
    }

    /// The type named `s` in `[policy.columns]`.
    pub fn parse(s: &str) -> Option<ColumnType> {
        [
            ColumnType::Bool,
            ColumnType::Enum,
            ColumnType::Number,
            ColumnType::Date,
        ]
        .into_iter()
        .find(|t| t.key() == s)
    }
}

/// One applicant's value in a column.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An empty cell: no condition on the column holds, and the applicant
    /// ranks after every applicant with a value on a key of the column.
    Missing,
    /// A bool column's value.
    Bool(bool),
    /// An enum column's value, as written (trimmed).
    Text(Box<str>),
    /// A number column's value (finite).
    Number(f64),
    /// A date column's value.
    Date(Day),
}

/// A value borrowed from an applicant's row or from a built-in column's
/// fixed texts: conditions compare these, so evaluating a category costs no
/// allocation (it runs once per applicant and school).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// An empty cell.
    Missing,
    /// A bool.
    Bool(bool),
    /// An enum's text.
    Text(&'a str),
    /// A number.
    Number(f64),
    /// A date.
    Date(Day),
}

impl Value {
    /// The value, borrowed.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Missing => ValueRef::Missing,
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Text(t) => ValueRef::Text(t),
            Value::Number(x) => ValueRef::Number(*x),
            Value::Date(d) => ValueRef::Date(*d),
        }
    }
}

impl ValueRef<'_> {
    /// The value, owned.
    pub fn to_owned(self) -> Value {
        match self {
            ValueRef::Missing => Value::Missing,
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Text(t) => Value::Text(t.into()),
            ValueRef::Number(x) => Value::Number(x),
            ValueRef::Date(d) => Value::Date(d),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Missing => f.write_str("(empty)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(t) => f.write_str(t),
            Value::Number(x) => write!(f, "{x}"),
            Value::Date(d) => write!(f, "{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_formats_agree() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2019, 3, 5),
            (1900, 3, 1),
            (2200, 12, 31),
        ] {
            let day = Day::from_ymd(y, m, d).unwrap();
            assert_eq!(day.ymd(), (y, m, d));
        }
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(Day::from_ymd(1900, 2, 29), None);
        let d = Day::from_ymd(2019, 3, 5);
        for s in [
            "2019-03-05",
            "2019-3-5",
            "2019/3/5",
            "2019/03/05",
            "2019.3.5",
            "2019年3月5日",
            "2019年03月05日",
            "20190305",
            "43529",
            "43529.0",
            "2019/3/5 0:00",
            " 2019-03-05 ",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        // Excel's 1900 system: 1 = 1900-01-01, 59 = 1900-02-28, 61 = 1900-03-01
        assert_eq!(parse_date("1"), Day::from_ymd(1900, 1, 1));
        assert_eq!(parse_date("59"), Day::from_ymd(1900, 2, 28));
        assert_eq!(parse_date("61"), Day::from_ymd(1900, 3, 1));
        for bad in [
            "",
            "60",
            "0",
            "2019-13-01",
            "2019-02-29",
            "5/3/2019",
            "2019-3",
            "abc",
            "2019年3月",
            "-43529",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
