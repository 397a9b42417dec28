//! The reporter of an `index` run on a terminal: warnings on stderr, and a
//! progress bar (indicatif) that appears only when stderr is a terminal
//! and the run has lasted long enough to need one.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::messages;
use crate::index::Reporter;

/// A run shorter than this never shows a bar.
const SHOW_AFTER: Duration = Duration::from_millis(800);

/// Warnings, and a progress bar when useful.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    /// stderr is a terminal: a bar may be drawn.
    terminal: bool,
    shown: bool,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            shown: false,
        }
    }
}

impl Default for Progress {
    fn default() -> Progress {
        Progress::new()
    }
}

impl Reporter for Progress {
    fn warn(&mut self, message: &str) {
        self.bar.suspend(|| messages::warning(message));
    }

    fn start(&mut self, total: usize) {
        self.bar.set_length(total as u64);
        self.started = Instant::now();
    }

    fn tick(&mut self) {
        self.bar.inc(1);
        if self.terminal && !self.shown && self.started.elapsed() >= SHOW_AFTER {
            let style = ProgressStyle::with_template("{bar:40} {pos}/{len} files, {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            self.bar.set_style(style);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A reporter that only forwards warnings (no bar), for nested runs.
pub struct WarningsOnly;

impl Reporter for WarningsOnly {
    fn warn(&mut self, message: &str) {
        messages::warning(message);
    }
}

/// What `watch` prints: warnings, a summary line per applied batch, and
/// the line that says events are being followed.
pub struct WatchMessages;

impl Reporter for WatchMessages {
    fn warn(&mut self, message: &str) {
        messages::warning(message);
    }
}

impl crate::watch::Events for WatchMessages {
    fn applied(&mut self, report: &crate::index::Report) {
        if report.rebuilt {
            messages::note("rebuilt the index (it was built by another version of quarry)");
        }
        messages::status(&super::summary::index_line(report));
    }

    fn watching(&mut self, corpus: &std::path::Path) {
        messages::status(&format!("watching {} (Ctrl-C to stop)", corpus.display()));
    }
}
