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
pub mod output;
pub mod passage;
pub mod schema;
pub mod search;
pub mod settings;

use std::io::{self, BufWriter, Write};

use cli::{Cli, Command, IndexArgs, OutputFormat, SearchArgs};
use error::{EXIT_NO_HITS, EXIT_OK, Error, Result};
use output::messages;
use settings::SearchSettings;

/// Runs a command; returns the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Index(args) => run_index(args),
        Command::Search(args) => run_search(args),
    }
}

fn run_index(args: IndexArgs) -> Result<i32> {
    let report = index::build(&args.paths.corpus, &args.paths.index, &mut |w| {
        messages::warning(w)
    })?;
    messages::status(&index_summary(&report));
    Ok(EXIT_OK)
}

/// `indexed 14 documents (86 passages), skipped 2 files in 0.03 s`, plus
/// the count of unreadable files when there are some.
fn index_summary(report: &index::BuildReport) -> String {
    let mut line = format!(
        "indexed {} ({}), skipped {}",
        count(report.files, "document"),
        count(report.passages, "passage"),
        count(report.skipped, "file"),
    );
    if report.failed > 0 {
        line.push_str(&format!(", {} unreadable", count(report.failed, "file")));
    }
    line.push_str(&format!(" in {:.2} s", report.elapsed.as_secs_f64()));
    line
}

fn run_search(args: SearchArgs) -> Result<i32> {
    let settings = SearchSettings::new(args);
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
    let handle = index::open(&settings.index)?;
    let outcome = search::search(&handle, &settings.request)?;
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

fn run_index_quietly(settings: &SearchSettings) -> Result<()> {
    let report = index::build(&settings.corpus, &settings.index, &mut |w| {
        messages::warning(w)
    })?;
    messages::status(&index_summary(&report));
    Ok(())
}

/// Prints the results on stdout; a closed pipe ends the output quietly.
fn print(settings: &SearchSettings, outcome: &search::Outcome) -> Result<()> {
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let written = match settings.format {
        OutputFormat::Human => output::human::write_search(&mut w, outcome, &settings.styles)
            .and_then(|()| {
                w.flush()?;
                if settings.request.limit > 0 {
                    messages::status(&search_summary(outcome, settings.request.offset));
                }
                Ok(())
            }),
        OutputFormat::Json => output::json::write_search(&mut w, &settings.request.query, outcome),
    };
    match written.and_then(|()| w.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(e)),
        Ok(()) => Ok(()),
    }
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
