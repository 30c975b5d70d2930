//! `sunshine forecast`: enrollment projected by cohort survival, capacity
//! shortfalls (学位预警), and optionally a backtest on the last years of
//! history.

use std::path::PathBuf;

use super::progress::Progress;
use super::shared::ForecastData;
use super::shared::{finish, load, print_warnings};
use super::Global;
use crate::domain::language::Language;
use crate::planning::forecast::{self as fc, ForecastError, Note, MAX_YEARS};
use crate::report::forecast::{html_and_svgs, outputs, terminal, ReportInputs};
use crate::report::forecast_moves::Changes;
use crate::report::tr;
use crate::{Diagnostics, Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    scenario: PathBuf,
    /// Years to project after the last year of history (1 to 50).
    #[arg(long, default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_YEARS)))]
    years: u32,
    /// Also hide the last K years of history, project them and report
    /// MAPE (1 to the history's years − 2).
    #[arg(long,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_YEARS)))]
    backtest: Option<u32>,
    #[arg(long, default_value = "out/forecast")]
    out: PathBuf,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let input = load(&self.scenario, g)?;
        let lang = g.language(input.language);
        let dataset = &input.scenario.dataset;
        let mut diags = Diagnostics::new();
        let Some(fd) = ForecastData::read(&input, &mut diags) else {
            return Err(Error::Input(diags));
        };
        let inputs = fd.inputs(&input);
        let history = &fd.history;
        // a note is about the dataset's births.csv or enrollment_history.csv
        let note = |d: &mut Diagnostics, n: &Note, error: bool| {
            let path = dataset.join(n.source.file());
            if error {
                d.error(&path, None, None, n.message.clone());
            } else {
                d.warning(&path, None, None, n.message.clone());
            }
        };
        let bar = Progress::stages(1, g);
        bar.stage(0, tr!(lang, "预测", "projecting"));
        let f = fc::run(
            &inputs,
            &input.scenario,
            self.years,
            self.backtest,
            &input.scenario.forecast,
        )
        .map_err(|e| match e {
            ForecastError::Inputs(notes) => {
                notes.iter().for_each(|n| note(&mut diags, n, true));
                Error::Input(std::mem::take(&mut diags))
            }
            ForecastError::Backtest(msg) => Error::Usage(msg),
        })?;
        bar.finish();
        let mut warnings = Diagnostics::new();
        for n in &f.projection.notes {
            note(&mut warnings, n, false);
        }
        print_warnings(&warnings, g.max_errors);
        let bt = match f.backtest {
            Some(Err(notes)) => {
                notes.iter().for_each(|n| note(&mut diags, n, true));
                return Err(Error::Input(diags));
            }
            Some(Ok(b)) => Some(b),
            None => None,
        };
        let (p, rows) = (&f.projection, &f.shortfall);
        // where the pupils went, for a scenario that changes the network
        let changes = Changes::of(&f.timeline.last().data, &f.moves, p, &f.baseline);
        // every school of every year (the scenario's new ones included)
        let data = &f.timeline.last().data;
        let mut files = outputs(
            data,
            p,
            rows,
            bt.as_ref()
                .map(|b| (&b.per_school, b.district, b.years as usize)),
            changes.as_ref(),
            lang,
        );
        html_and_svgs(
            &ReportInputs {
                data,
                projection: p,
                rows,
                history,
                boundary: input.boundary.as_ref(),
                backtest: bt.as_ref().map(|b| (b.district, b.years as usize)),
                changes: changes.as_ref(),
                entry: Some((&f.entry_warnings, &input.scenario.forecast)),
                lang,
            },
            &mut files,
        );
        files.add(
            "warnings_entry.csv",
            crate::report::forecast_entry::csv(data, &f.entry_warnings),
        );
        let mut text = terminal(data, rows, p.last_year, lang);
        text.push_str(&entry_line(data, &f.entry_warnings, lang));
        if let Some(c) = &changes {
            text.push_str(&c.terminal(lang));
        }
        if let Some(b) = &bt {
            text.push_str(&match lang {
                Language::Zh => format!(
                    "回测：隐去最近 {} 年，全区 MAPE {:.2}%\n",
                    b.years, b.district
                ),
                Language::En => format!(
                    "Backtest: hiding the last {} years, district MAPE {:.2}%\n",
                    b.years, b.district
                ),
            });
            if b.by_lead.len() > 1 {
                let leads: Vec<String> = b
                    .by_lead
                    .iter()
                    .map(|(l, e)| match lang {
                        Language::Zh => format!("提前{l}年 {e:.2}%"),
                        Language::En => {
                            format!("{l} year{} ahead {e:.2}%", if *l == 1 { "" } else { "s" })
                        }
                    })
                    .collect();
                text.push_str(&format!(
                    "  {}{}\n",
                    lang.pick("按预测提前年数：", "by lead time: "),
                    leads.join(", ")
                ));
            }
        }
        crate::report::workbook::add(&mut files, "forecast.xlsx", lang)?;
        finish(g, files, &self.out, &text, lang)
    }
}

/// The terminal's line on the entry-grade warnings (学位预警 of the next
/// three intakes): counts by level and the red ones by name.
fn entry_line(
    data: &crate::domain::model::Dataset,
    w: &fc::EntryWarnings,
    lang: Language,
) -> String {
    let count = |l: fc::Warning| w.rows.iter().filter(|r| r.level == l).count();
    let years = match (
        w.rows.iter().map(|r| r.year).min(),
        w.rows.iter().map(|r| r.year).max(),
    ) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => return String::new(),
    };
    let (red, yellow) = (count(fc::Warning::Red), count(fc::Warning::Yellow));
    let mut out = match lang {
        Language::Zh => format!(
            "入学学位预警 {years}（未来三届）：红色 {red} 个，黄色 {yellow} 个\n"
        ),
        Language::En => format!(
            "Entry-grade warnings {years} (入学学位预警, next three intakes): {red} red, {yellow} yellow\n"
        ),
    };
    for r in w.rows.iter().filter(|r| r.level == fc::Warning::Red) {
        out.push_str(&crate::report::tr!(
            lang,
            "  红色  {} {} {}年级 {}年：预计 {:.0} 人，学位 {}（{:.0}%）\n",
            "  red  {} {} grade {} {}: {:.0} expected for {} seats ({:.0}%)\n",
            data.school(r.school).id,
            data.school(r.school).name,
            r.grade.number(),
            r.year,
            r.expected,
            r.seats,
            100.0 * r.ratio
        ));
    }
    out
}
