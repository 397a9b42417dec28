//! quarry: full-text search over a folder of articles and reports.
//!
//! A *corpus* (folder) holds *documents* (files); each document is cut into
//! *passages* ([`passage`]), one tantivy document each ([`schema`],
//! [`index`]). A search ([`search`]) returns *hits*: ranked passages with
//! *highlights*, the byte ranges that matched. One function per command
//! lives here; `main.rs` only maps the result to an exit code.

pub mod cli;
pub mod corpus;
pub mod error;
pub mod index;
pub mod interrupt;
pub mod output;
pub mod passage;
pub mod schema;
pub mod search;
pub mod settings;
pub mod watch;

use std::io::{self, BufWriter, Write};

use std::sync::atomic::AtomicBool;

use cli::{
    Cli, Command, IndexArgs, OutputFormat, ReportFormat, SearchArgs, StatusArgs, VerifyArgs,
    WatchArgs,
};
use error::{EXIT_NO_HITS, EXIT_OK, Error, Result};
use output::progress::{Progress, WarningsOnly};
use output::{messages, summary};
use settings::SearchSettings;

/// Runs a command; returns the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Index(args) => run_index(args),
        Command::Status(args) => run_status(args),
        Command::Verify(args) => run_verify(args),
        Command::Watch(args) => run_watch(args),
        Command::ExtractPdf(args) => Ok(corpus::pdf::child_main(args.memory)),
        Command::Search(args) => run_search(args),
    }
}

fn run_index(args: IndexArgs) -> Result<i32> {
    let options = index::Options {
        checksum: args.checksum,
        allow_empty: args.allow_empty,
        rebuild: args.rebuild,
        retry_failed: args.retry_failed,
        ..settings::reading_options(&args.reading)?
    };
    let interrupt = interrupt::Interrupt::install();
    let mut progress = Progress::new();
    let report = index::update(
        &args.paths.corpus,
        &args.paths.index,
        &options,
        interrupt.flag(),
        &mut progress,
    )?;
    if report.rebuilt {
        messages::note(&format!(
            "rebuilt the index at {}",
            args.paths.index.display()
        ));
    }
    if report.interrupted {
        messages::note(
            "interrupted: what was done so far is committed; run 'quarry index' again to finish",
        );
    }
    match args.format {
        ReportFormat::Human => messages::status(&summary::index_line(&report)),
        ReportFormat::Json => write_stdout(|w| summary::write_index_json(w, &report))?,
    }
    Ok(interrupt
        .exit_code()
        .filter(|_| report.interrupted)
        .unwrap_or(EXIT_OK))
}

fn run_watch(args: WatchArgs) -> Result<i32> {
    let interrupt = interrupt::Interrupt::install();
    let options = settings::reading_options(&args.reading)?;
    watch::watch(
        &args.paths.corpus,
        &args.paths.index,
        &options,
        interrupt.flag(),
        &mut output::progress::WatchMessages,
    )?;
    Ok(EXIT_OK)
}

fn run_verify(args: VerifyArgs) -> Result<i32> {
    let found = index::verify(&args.index)?;
    write_stdout(|w| match args.format {
        ReportFormat::Human => summary::write_verify(w, &found),
        ReportFormat::Json => summary::write_verify_json(w, &found),
    })?;
    Ok(if found.is_clean() {
        EXIT_OK
    } else {
        error::EXIT_DAMAGED
    })
}

fn run_status(args: StatusArgs) -> Result<i32> {
    let status = index::status(
        &args.paths.corpus,
        &args.paths.index,
        args.checksum,
        args.follow_symlinks,
    )?;
    for (path, reason) in &status.errors {
        messages::warning(&format!("{path}: {reason}"));
    }
    write_stdout(|w| match args.format {
        ReportFormat::Human => summary::write_status(w, &status),
        ReportFormat::Json => summary::write_status_json(w, &status),
    })?;
    Ok(EXIT_OK)
}

/// Writes to a locked, buffered stdout; a closed pipe ends output quietly.
fn write_stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    match f(&mut w).and_then(|()| w.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(e)),
        Ok(()) => Ok(()),
    }
}

fn run_search(args: SearchArgs) -> Result<i32> {
    let settings = SearchSettings::new(args)?;
    if !index::exists(&settings.index) {
        if !settings.corpus.is_dir() {
            return Err(Error::IndexMissing {
                index: settings.index.clone(),
                corpus: settings.corpus.clone(),
            });
        }
        messages::note(&format!(
            "no index at {}: indexing {} first",
            settings.index.display(),
            settings.corpus.display()
        ));
        run_index_quietly(&settings)?;
    }
    let outcome = search_with_retry(&settings)?;
    if outcome.fallback_any {
        messages::note("no passage has all the words; showing passages with any of them");
    }
    for prefix in &outcome.truncated_prefixes {
        messages::note(&format!(
            "{prefix} matches more than {} words; searching the most frequent",
            search::query::MAX_PREFIX_EXPANSIONS
        ));
    }
    print(&settings, &outcome)?;
    Ok(if outcome.total_hits > 0 {
        EXIT_OK
    } else {
        EXIT_NO_HITS
    })
}

/// Opens the index and searches it. A rebuild swapping the index folder, or
/// a writer's garbage collection, can remove a file between reading
/// `meta.json` and opening the segments: then open again, a few times.
fn search_with_retry(settings: &SearchSettings) -> Result<search::Outcome> {
    let mut attempts = 0;
    loop {
        let result = index::open_for_search(&settings.index)
            .and_then(|h| search::search(&h, &settings.request));
        match result {
            Err(e) if attempts < 5 && e.is_vanished_file() => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20 * attempts));
            }
            other => return other,
        }
    }
}

/// The first search of a corpus builds its index (no progress bar, no
/// signal handling: an interrupted first build leaves no index behind).
fn run_index_quietly(settings: &SearchSettings) -> Result<()> {
    let never = AtomicBool::new(false);
    let report = index::update(
        &settings.corpus,
        &settings.index,
        &index::Options::default(),
        &never,
        &mut WarningsOnly,
    )?;
    messages::status(&summary::index_line(&report));
    Ok(())
}

/// Prints the results on stdout; a closed pipe ends the output quietly.
fn print(settings: &SearchSettings, outcome: &search::Outcome) -> Result<()> {
    write_stdout(|w| match settings.format {
        OutputFormat::Human => output::human::write_search(w, outcome, &settings.styles),
        OutputFormat::Json => output::json::write_search(w, &settings.request.query, outcome),
    })?;
    if settings.format == OutputFormat::Human && settings.request.limit > 0 {
        messages::status(&search_summary(outcome, settings.request.offset));
    }
    Ok(())
}

fn search_summary(outcome: &search::Outcome, offset: usize) -> String {
    let ms = outcome.elapsed.as_secs_f64() * 1000.0;
    match outcome.hits.len() {
        0 if outcome.total_hits == 0 => format!("no hits ({ms:.1} ms)"),
        0 => format!(
            "{}, none after offset {offset} ({ms:.1} ms)",
            count(outcome.total_hits, "hit")
        ),
        n => format!(
            "{}, showing {}-{} ({ms:.1} ms)",
            count(outcome.total_hits, "hit"),
            offset + 1,
            offset + n
        ),
    }
}

/// `1 hit`, `2 hits`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
