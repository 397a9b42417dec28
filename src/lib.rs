//! quarry: full-text search over a folder of articles and reports.
//!
//! A *corpus* (folder) holds *documents* (files); each document is cut into
//! *passages* ([`passage`]), one tantivy document each ([`schema`],
//! [`index`]). A search ([`search`]) returns *hits*: ranked passages with
//! *highlights*, the byte ranges that matched. One function per command
//! lives here; `main.rs` only maps the result to an exit code.

pub mod cli;
pub mod config;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod index;
mod inspect;
pub mod interrupt;
pub mod output;
pub mod passage;
pub mod schema;
pub mod search;
pub mod settings;
pub mod watch;

use std::io::{self, BufWriter, Write};

use std::sync::atomic::AtomicBool;

use clap::ArgMatches;
use cli::{
    Cli, Command, IndexArgs, LogArgs, OutputFormat, ReportFormat, SearchArgs, StatusArgs,
    VerifyArgs, WatchArgs,
};
use config::Config;
use error::{EXIT_NO_HITS, EXIT_OK, Error, Result};
use output::progress::{Progress, WarningsOnly};
use output::{messages, summary};
use settings::SearchSettings;

/// Runs a command; returns the exit code. `matches` (from clap) tells
/// which values were given on the command line, so that the
/// configuration file can fill in the others.
pub fn run(cli: Cli, matches: Option<&ArgMatches>) -> Result<i32> {
    let sub = matches.and_then(|m| m.subcommand().map(|(_, sub)| sub));
    match cli.command {
        Command::Index(args) => {
            set_log(&args.log);
            run_index(args, &Config::load()?, sub)
        }
        Command::Status(args) => {
            set_log(&args.log);
            run_status(args, &Config::load()?, sub)
        }
        Command::Verify(args) => {
            set_log(&args.log);
            run_verify(args, &Config::load()?, sub)
        }
        Command::Watch(args) => {
            set_log(&args.log);
            run_watch(args, &Config::load()?, sub)
        }
        Command::Search(args) => {
            set_log(&args.log);
            run_search(args, &Config::load()?, sub)
        }
        Command::Eval(args) => {
            set_log(&args.log);
            eval::command(args, &Config::load()?, sub)
        }
        Command::Stats(args) => {
            set_log(&args.log);
            inspect::stats(args, &Config::load()?, sub)
        }
        Command::Show(args) => inspect::show(args, &Config::load()?, sub),
        Command::Config(args) => inspect::config(args, &Config::load()?, sub),
        Command::Completions(args) => inspect::completions(args),
        Command::Man => inspect::man(),
    }
}

/// `-q` silences all but errors; `-v`, `-vv` turn on debug and trace logs.
fn set_log(log: &LogArgs) {
    let level = if log.quiet { 0 } else { 1 + log.verbose };
    messages::set_level(level);
}

fn run_index(args: IndexArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let places = settings::places(&args.paths, config, matches);
    let options = index::Options {
        checksum: args.checksum,
        allow_empty: args.allow_empty,
        rebuild: args.rebuild,
        retry_failed: args.retry_failed,
        ..settings::reading_options(&args.reading, config)?
    };
    let (corpus, index_dir) = (places.corpus.0, places.index.0);
    let interrupt = interrupt::Interrupt::install();
    let mut progress = Progress::new();
    let report = index::update(
        &corpus,
        &index_dir,
        &options,
        interrupt.flag(),
        &mut progress,
    )?;
    if report.rebuilt {
        messages::note(&format!("rebuilt the index at {}", index_dir.display()));
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

fn run_watch(args: WatchArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let interrupt = interrupt::Interrupt::install();
    let places = settings::places(&args.paths, config, matches);
    let options = settings::reading_options(&args.reading, config)?;
    watch::watch(
        &places.corpus.0,
        &places.index.0,
        &options,
        interrupt.flag(),
        &mut output::progress::WatchMessages,
    )?;
    Ok(EXIT_OK)
}

fn run_verify(args: VerifyArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let (index_dir, _) = config.pick(
        matches,
        "index",
        "QUARRY_INDEX",
        args.index.clone(),
        config.values.index.clone(),
    );
    let index_dir = config::expand_home(&index_dir);
    if !index::exists(&index_dir) {
        return Err(Error::NoIndex { path: index_dir });
    }
    let found = index::verify(&index_dir)?;
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

fn run_status(args: StatusArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let places = settings::places(&args.paths, config, matches);
    let mut options = settings::reading_options(&cli::ReadingArgs::default(), config)?;
    options.walk.follow_symlinks = args.follow_symlinks;
    let status = index::status(&places.corpus.0, &places.index.0, args.checksum, &options)?;
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
pub(crate) fn write_stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    match f(&mut w).and_then(|()| w.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(e)),
        Ok(()) => Ok(()),
    }
}

fn run_search(args: SearchArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let settings = SearchSettings::new(args, config, matches)?;
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
        run_index_quietly(&settings, config)?;
    }
    if let Some(batch) = &settings.batch {
        return run_batch(&settings, batch);
    }
    if settings.count_only {
        let outcome = search_with_retry(&settings, 0)?;
        write_stdout(|w| writeln!(w, "{}", outcome.total_hits))?;
        return Ok(if outcome.total_hits > 0 {
            EXIT_OK
        } else {
            EXIT_NO_HITS
        });
    }
    if settings.format == OutputFormat::Paths {
        return print_paths(&settings);
    }
    let outcome = search_with_retry(&settings, settings.request.limit)?;
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
fn search_with_retry(settings: &SearchSettings, limit: usize) -> Result<search::Outcome> {
    let request = search::Request {
        limit,
        ..settings.request.clone()
    };
    let mut attempts = 0;
    loop {
        let result =
            index::open_for_search(&settings.index).and_then(|h| search::search(&h, &request));
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
fn run_index_quietly(settings: &SearchSettings, config: &Config) -> Result<()> {
    let never = AtomicBool::new(false);
    let options = settings::reading_options(&cli::ReadingArgs::default(), config)?;
    let report = index::update(
        &settings.corpus,
        &settings.index,
        &options,
        &never,
        &mut WarningsOnly,
    )?;
    messages::status(&summary::index_line(&report));
    Ok(())
}

/// `--queries FILE` or `--format trec`: TREC run lines for every query.
fn run_batch(settings: &SearchSettings, batch: &settings::Batch) -> Result<i32> {
    if settings.format != OutputFormat::Trec {
        return Err(Error::Argument {
            flag: "--queries",
            reason: "batch runs print TREC runs: add --format trec".to_string(),
        });
    }
    let queries = match &batch.queries {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            eval::qrels::parse_queries(&text).map_err(|reason| Error::Argument {
                flag: "--queries",
                reason: format!("{}: {reason}", path.display()),
            })?
        }
        None => vec![("1".to_string(), settings.request.query.clone())],
    };
    let handle = index::open_for_search(&settings.index)?;
    let runs = search::batch::run(
        &handle,
        &queries,
        &settings.request,
        batch.granularity,
        &mut |w| messages::warning(w),
    )?;
    let mut any = false;
    write_stdout(|w| {
        for (qid, ranking) in &runs {
            for (rank, (docid, score)) in ranking.iter().enumerate() {
                any = true;
                writeln!(
                    w,
                    "{qid} Q0 {docid} {} {score:.6} {}",
                    rank + 1,
                    batch.run_tag
                )?;
            }
        }
        Ok(())
    })?;
    Ok(if any { EXIT_OK } else { EXIT_NO_HITS })
}

/// `--format paths`: every matching document once, best first (like
/// `rg -l`).
fn print_paths(settings: &SearchSettings) -> Result<i32> {
    let request = search::Request {
        per_doc: 1,
        offset: 0,
        context: 0,
        explain: false,
        ..settings.request.clone()
    };
    let outcome = index::open_for_search(&settings.index).and_then(|h| {
        let total = search::search(
            &h,
            &search::Request {
                limit: 0,
                ..request.clone()
            },
        )?
        .total_hits;
        search::search(
            &h,
            &search::Request {
                limit: total.max(1),
                ..request
            },
        )
    })?;
    write_stdout(|w| {
        for hit in &outcome.hits {
            writeln!(w, "{}", output::sanitize::line(&hit.path))?;
        }
        Ok(())
    })?;
    Ok(if outcome.total_hits > 0 {
        EXIT_OK
    } else {
        EXIT_NO_HITS
    })
}

/// Prints the results on stdout; a closed pipe ends the output quietly.
fn print(settings: &SearchSettings, outcome: &search::Outcome) -> Result<()> {
    write_stdout(|w| match settings.format {
        OutputFormat::Human | OutputFormat::Paths | OutputFormat::Trec => {
            output::human::write_search(w, outcome, &settings.look, outcome.corpus.as_deref())
        }
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
