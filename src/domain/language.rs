//! The language of what a planner reads: terminal tables, reasons,
//! reports, map legends (issue 17: Chinese first).
//!
//! CSV column names are stable English ids in every language (scripts read
//! them); the Excel workbooks carry Chinese headers. The language is chosen
//! by `--lang zh|en`, else the scenario's `language = "zh" | "en"`, else
//! Chinese ([`Language::default`]).

use std::str::FromStr;

/// Chinese (simplified, the default) or English.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// 简体中文, the bureau's language and the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Language {
    /// The value of `<html lang>` and of the option: `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// Pick the text of this language from a pair.
    ///
    /// ```
    /// use sunshine::domain::language::Language;
    /// assert_eq!(Language::Zh.pick("学校", "school"), "学校");
    /// assert_eq!(Language::En.pick("学校", "school"), "school");
    /// ```
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Zh => zh,
            Language::En => en,
        }
    }

    /// The language of a run: the command line's, else the scenario's,
    /// else Chinese.
    pub fn resolve(cli: Option<Language>, scenario: Option<Language>) -> Language {
        cli.or(scenario).unwrap_or_default()
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "zh" | "zh-cn" | "zh-hans" | "chinese" | "中文" => Ok(Language::Zh),
            "en" | "en-us" | "en-gb" | "english" | "英文" => Ok(Language::En),
            other => Err(format!("unknown language `{other}`; expected zh or en")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!("ZH".parse(), Ok(Language::Zh));
        assert_eq!("zh_CN".parse(), Ok(Language::Zh));
        assert_eq!("en".parse(), Ok(Language::En));
        assert!("fr".parse::<Language>().is_err());
        assert_eq!(Language::resolve(None, None), Language::Zh);
        assert_eq!(
            Language::resolve(Some(Language::En), Some(Language::Zh)),
            Language::En
        );
    }
}
