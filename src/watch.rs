//! `quarry watch`: catch up once, then follow the corpus.
//!
//! File system events (notify, recursive) are debounced: a batch is taken
//! once no event has arrived for [`QUIET`], so a file still being written
//! is not read half-way, and an editor's save (temp file + rename) lands
//! as one change. Each batch re-checks the corpus the way `index` does (a
//! walk and a stat per file; only changed files are read), so renames,
//! deletions and a lost event queue (overflow) need no special handling.
//! The writer lock is held throughout: other writers fail with exit 3.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::error::{Error, Result};
use crate::index::{self, Reporter, Session};

/// Quiet time after the last event before a batch is applied.
pub const QUIET: Duration = Duration::from_millis(400);
/// How often the loop checks for a stop request.
const POLL: Duration = Duration::from_millis(100);

/// What a watch session reports to its caller.
pub trait Events: Reporter {
    /// A batch (or the catch-up) was applied.
    fn applied(&mut self, report: &index::Report);
    /// The catch-up is done; events are being followed.
    fn watching(&mut self, corpus: &Path);
}

/// Follows `corpus` into the index at `index_dir` until `stop` is set, then
/// commits what is pending.
pub fn watch(
    corpus: &Path,
    index_dir: &Path,
    options: &index::Options,
    stop: &AtomicBool,
    events: &mut dyn Events,
) -> Result<()> {
    let (mut session, rebuilt) = Session::open(corpus, index_dir, options, stop, events)?;
    if let Some(report) = rebuilt {
        events.applied(&report);
    }
    let report = session.sync(options, stop, events)?;
    events.applied(&report);
    let (tx, rx) = channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(QUIET, None, tx).map_err(|e| watch_error(corpus, e))?;
    debouncer
        .watch(corpus, RecursiveMode::Recursive)
        .map_err(|e| watch_error(corpus, e))?;
    events.watching(corpus);
    let index_dir = index_dir
        .canonicalize()
        .unwrap_or_else(|_| index_dir.to_path_buf());
    while !stop.load(Ordering::SeqCst) {
        let batch = match rx.recv_timeout(POLL) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if !relevant(&batch, &index_dir, events) {
            tracing::trace!("event batch inside the index folder, ignored");
            continue;
        }
        tracing::debug!("event batch: syncing");
        let report = session.sync(options, stop, events)?;
        if report.commits > 0 || report.failed > 0 {
            events.applied(&report);
        }
    }
    drop(debouncer);
    // Events still inside the quiet window when the signal came: one last
    // pass picks them up (a second signal exits at once).
    let last_pass = AtomicBool::new(false);
    let report = session.sync(options, &last_pass, events)?;
    if report.commits > 0 || report.failed > 0 {
        events.applied(&report);
    }
    session.finish()
}

/// Whether a batch may change the index: any event outside the index
/// folder, or an error (a lost event queue means: rescan).
fn relevant(batch: &DebounceEventResult, index_dir: &PathBuf, events: &mut dyn Events) -> bool {
    match batch {
        Ok(list) => list.iter().any(|event| {
            event.need_rescan() || event.paths.iter().any(|p| !p.starts_with(index_dir))
        }),
        Err(errors) => {
            for error in errors {
                events.warn(&format!("file events: {error}; rescanning"));
            }
            true
        }
    }
}

fn watch_error(corpus: &Path, e: notify_debouncer_full::notify::Error) -> Error {
    Error::CorpusMissing {
        path: corpus.to_path_buf(),
        reason: format!("cannot watch it: {e}"),
    }
}
