//! The progress bar of the commands that can run over a second (`place`,
//! `odds`, `compare`, `sweep`, `zones`, `optimize-closures`, `forecast`,
//! `verify`). It draws on stderr only when stderr is a terminal, so
//! captured output never holds it, never with `--quiet`, and it is cleared
//! when done (or dropped on an error).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Global;

/// A bar of a known number of steps.
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar counting `len` steps of `unit` (`draws`, `scenarios`):
    /// `[elapsed] ████░░ 120/1000 draws`.
    pub fn counting(len: usize, unit: &str, g: &Global) -> Progress {
        Progress::new(len as u64, &format!("{{pos}}/{{len}} {unit}"), g)
    }

    /// A bar through `len` named stages: `[elapsed] ████░░ Overflow …`
    /// ([`Progress::stage`] names the current one).
    pub fn stages(len: u64, g: &Global) -> Progress {
        let p = Progress::new(len, "{msg}", g);
        // a stage may be one long call: keep the spinner and clock moving
        p.0.enable_steady_tick(std::time::Duration::from_millis(120));
        p
    }

    fn new(len: u64, tail: &str, g: &Global) -> Progress {
        let bar = ProgressBar::new(len);
        if g.quiet {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template(&format!("{{spinner}} [{{elapsed}}] {{bar:30}} {tail}"))
                .expect("a valid template: its only placeholders are indicatif's"),
        );
        Progress(bar)
    }

    /// One more step done.
    pub fn step(&self) {
        self.0.inc(1);
    }

    /// Stage `at` of the bar's stages has begun.
    pub fn stage(&self, at: u64, name: String) {
        self.0.set_position(at);
        self.0.set_message(name);
    }

    /// Done: clear the bar before the report is printed.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
