//! Messages on stderr: warnings, notes and errors, one line each, made safe
//! for a terminal. The only place that writes to stderr.

#![allow(clippy::print_stderr)]

use super::sanitize;

/// `warning: …` for a problem that did not stop the run.
pub fn warning(message: &str) {
    eprintln!("warning: {}", sanitize::line(message));
}

/// `note: …` for something the user should know about the results.
pub fn note(message: &str) {
    eprintln!("note: {}", sanitize::line(message));
}

/// `error: …` for what stopped the command.
pub fn error(message: &str) {
    eprintln!("error: {}", sanitize::line(message));
}

/// A plain status line (summaries, timings).
pub fn status(message: &str) {
    eprintln!("{}", sanitize::line(message));
}
