//! The values of the enumerated options, as clap parses them: a bad value
//! is a usage error (exit code 2) listing the possible values, and `--help`
//! lists them too. The spellings are the ones the options always took.
//!
//! The library's types are used directly (no command-line mirror types);
//! `Encoding` is also read from the scenario file (`encoding = …`) by its
//! `FromStr`, and a test keeps both readings the same.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::domain::language::Language;
use crate::io::Encoding;
use crate::planning::compare::TotalsColumn;
use crate::planning::Method;
use crate::rules::place::{Mechanism, TieBreak};

/// `--mechanism`. The choice mechanisms parse with single tie-breaking;
/// `--tie-breaking` changes it (`Mechanism::with_tie_break`).
impl ValueEnum for Mechanism {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Mechanism::Zoned,
            Mechanism::DeferredAcceptance(TieBreak::Single),
            Mechanism::Boston(TieBreak::Single),
            Mechanism::MinDistance,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Mechanism::Zoned => PossibleValue::new("zoned"),
            Mechanism::DeferredAcceptance(_) => {
                PossibleValue::new("deferred-acceptance").alias("da")
            }
            Mechanism::Boston(_) => PossibleValue::new("boston"),
            Mechanism::MinDistance => PossibleValue::new("min-distance"),
        })
    }
}

/// `--tie-breaking`.
impl ValueEnum for TieBreak {
    fn value_variants<'a>() -> &'a [Self] {
        &[TieBreak::Single, TieBreak::Multiple]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            TieBreak::Single => "single",
            TieBreak::Multiple => "multiple",
        }))
    }
}

/// `--method` of `zones` and `optimize-closures`.
impl ValueEnum for Method {
    fn value_variants<'a>() -> &'a [Self] {
        &[Method::Auto, Method::Mip, Method::Heuristic]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            Method::Auto => "auto",
            Method::Mip => "mip",
            Method::Heuristic => "heuristic",
        }))
    }
}

/// `sweep --sort`: a column of `sweep.csv`, by its header.
impl ValueEnum for TotalsColumn {
    fn value_variants<'a>() -> &'a [Self] {
        &TotalsColumn::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

/// `--encoding`, read case-insensitively (the option sets `ignore_case`)
/// with the aliases planners write (`utf8`, `utf_8`, `gbk`, `gb2312`).
impl ValueEnum for Encoding {
    fn value_variants<'a>() -> &'a [Self] {
        &[Encoding::Auto, Encoding::Utf8, Encoding::Gb18030]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Encoding::Auto => PossibleValue::new("auto"),
            Encoding::Utf8 => PossibleValue::new("utf-8").aliases(["utf8", "utf_8"]),
            Encoding::Gb18030 => PossibleValue::new("gb18030").aliases(["gbk", "gb2312"]),
        })
    }
}

/// `--lang`: the same spellings as the scenario's `language` key.
impl ValueEnum for Language {
    fn value_variants<'a>() -> &'a [Self] {
        &[Language::Zh, Language::En]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Language::Zh => PossibleValue::new("zh").aliases(["zh-cn", "chinese", "中文"]),
            Language::En => PossibleValue::new("en").aliases(["english"]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every spelling of every value, names and aliases.
    fn spellings<T: ValueEnum>() -> Vec<(T, String)> {
        T::value_variants()
            .iter()
            .flat_map(|v| {
                let p = v.to_possible_value().unwrap();
                p.get_name_and_aliases()
                    .map(|s| (v.clone(), s.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn encodings_read_the_same_on_the_command_line_and_in_a_scenario() {
        for (e, s) in spellings::<Encoding>() {
            for s in [s.clone(), s.to_uppercase()] {
                assert_eq!(s.parse::<Encoding>(), Ok(e), "{s}");
                assert_eq!(Encoding::from_str(&s, true), Ok(e), "{s}");
            }
        }
        assert!(Encoding::from_str("latin1", true).is_err());
        for (l, s) in spellings::<Language>() {
            assert_eq!(s.parse::<Language>(), Ok(l), "{s}");
        }
        assert!("latin1".parse::<Encoding>().is_err());
    }

    #[test]
    fn the_options_take_the_spellings_they_always_took() {
        fn names<T: ValueEnum>(v: Vec<(T, String)>) -> Vec<String> {
            v.into_iter().map(|x| x.1).collect()
        }
        assert_eq!(
            names(spellings::<Mechanism>()),
            [
                "zoned",
                "deferred-acceptance",
                "da",
                "boston",
                "min-distance"
            ]
        );
        assert_eq!(names(spellings::<TieBreak>()), ["single", "multiple"]);
        assert_eq!(names(spellings::<Method>()), ["auto", "mip", "heuristic"]);
        assert_eq!(
            names(spellings::<TotalsColumn>()),
            crate::report::compare::TOTALS_HEADER
        );
        assert_eq!(
            Mechanism::from_str("da", false),
            Ok(Mechanism::DeferredAcceptance(TieBreak::Single))
        );
        assert!(Mechanism::from_str("Zoned", false).is_err());
    }
}
