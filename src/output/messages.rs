//! Messages on stderr: warnings, notes and errors, one line each, made safe
//! for a terminal. The only place that writes to stderr.

#![allow(clippy::print_stderr)]

use std::sync::atomic::{AtomicU8, Ordering};

use super::sanitize;

/// 0: errors only (`-q`), 1: normal, 2: debug (`-v`), 3: trace (`-vv`).
static LEVEL: AtomicU8 = AtomicU8::new(1);

/// Sets how much is said on stderr, and starts debug logging (tracing)
/// from level 2.
pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
    if level >= 2 {
        let filter = if level >= 3 {
            "quarry=trace"
        } else {
            "quarry=debug"
        };
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .without_time()
            .try_init();
    }
}

fn normal() -> bool {
    LEVEL.load(Ordering::Relaxed) >= 1
}

/// `warning: …` for a problem that did not stop the run.
pub fn warning(message: &str) {
    if !normal() {
        return;
    }
    eprintln!("warning: {}", sanitize::line(message));
}

/// `note: …` for something the user should know about the results.
pub fn note(message: &str) {
    if !normal() {
        return;
    }
    eprintln!("note: {}", sanitize::line(message));
}

/// `error: …` for what stopped the command.
pub fn error(message: &str) {
    eprintln!("error: {}", sanitize::line(message));
}

/// A plain status line (summaries, timings).
pub fn status(message: &str) {
    if !normal() {
        return;
    }
    eprintln!("{}", sanitize::line(message));
}
