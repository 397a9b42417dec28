//! The floor under `quarry index`: what its stages cost alone on a JSON
//! Lines corpus (`title` and `text` fields), each timed apart.
//!
//! - splitting: quarry's passage splitter over every record, one thread;
//! - analyzing: quarry's stemmed analyzer over every passage, one thread;
//! - tantivy: indexing the passages (title and body, stemmed with
//!   positions and stored, nothing else) with `--threads` indexing
//!   threads, from passages cut beforehand; once with quarry's analyzer,
//!   once with tantivy's own `en_stem`.
//!
//! Each stage runs `--rounds` times; the fastest run is printed, with the
//! least CPU time (all threads) of the runs: the host is shared and noisy,
//! and CPU time swings less with its load than wall time.
//!
//! Usage: cargo bench --bench floor -- FILE.jsonl [--threads 2] [--rounds 3]
//! [--only split|analyzing|tantivy|quarry]

use std::io::Write;
use std::time::{Duration, Instant};

use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenStream;
use tantivy::{Index, TantivyDocument};

struct Args {
    path: String,
    threads: usize,
    rounds: usize,
    /// Only the stages whose name starts so (`split`, `analyz`, `tantivy`).
    only: Option<String>,
}

impl Args {
    fn runs(&self, stage: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| stage.starts_with(only.as_str()))
    }
}

fn args() -> Args {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut parsed = Args {
        path: String::new(),
        threads: 2,
        rounds: 3,
        only: None,
    };
    while let Some(arg) = args.next() {
        let mut number = || args.next().and_then(|n| n.parse().ok()).expect("a number");
        match arg.as_str() {
            "--threads" => parsed.threads = number(),
            "--rounds" => parsed.rounds = number(),
            "--only" => parsed.only = args.next(),
            _ => parsed.path = arg,
        }
    }
    assert!(
        !parsed.path.is_empty(),
        "usage: floor FILE.jsonl [--threads N] [--rounds N] [--only STAGE]"
    );
    parsed
}

/// The wall and CPU time (every thread of the process) of a run.
#[derive(Clone, Copy, Default)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

/// The fastest of `rounds` runs of `run` (by wall time), and the least CPU
/// time any of them took.
fn fastest(rounds: usize, mut run: impl FnMut()) -> Took {
    let runs: Vec<Took> = (0..rounds.max(1))
        .map(|_| {
            let (started, cpu) = (Instant::now(), cpu_time::ProcessTime::now());
            run();
            Took {
                wall: started.elapsed(),
                cpu: cpu.elapsed(),
            }
        })
        .collect();
    Took {
        wall: runs.iter().map(|t| t.wall).min().unwrap_or_default(),
        cpu: runs.iter().map(|t| t.cpu).min().unwrap_or_default(),
    }
}

fn main() {
    let args = args();
    let data = std::fs::read_to_string(&args.path).expect("read the corpus");
    let mut metadata = Vec::new();
    let records: Vec<(String, String)> = data
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).expect("a JSON record");
            let field = |name: &str| match &record[name] {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            metadata.push(Metadata {
                id: field("id").unwrap_or_default(),
                date: field("date").and_then(|d| quarry::corpus::normalize_date(&d)),
                source: field("source"),
                url: field("url"),
            });
            (
                field("title").unwrap_or_default(),
                field("text").unwrap_or_default(),
            )
        })
        .collect();
    let bounds = quarry::passage::Bounds::default();
    let mb = data.len() as f64 / 1e6;
    let mut lines = Vec::new();
    let mut line = |stage: &str, took: Took, extra: String| {
        let secs = took.wall.as_secs_f64();
        lines.push(format!(
            "{stage:<38} {secs:6.2} s {:7.1} MB/s {:6.2} s CPU{extra}",
            mb / secs,
            took.cpu.as_secs_f64()
        ));
    };
    let mut passages = Vec::new();
    let rounds = if args.runs("splitting") {
        args.rounds
    } else {
        1
    };
    let split = fastest(rounds, || {
        passages = records
            .iter()
            .map(|(_, text)| quarry::passage::split(text, &[], bounds))
            .collect();
    });
    if args.runs("splitting") {
        line("splitting (1 thread)", split, String::new());
    }
    if args.runs("analyzing") {
        let mut tokens = 0;
        let analyze = fastest(args.rounds, || {
            let mut analyzer = quarry::schema::stemmed_analyzer();
            tokens = 0;
            for ((_, text), ranges) in records.iter().zip(&passages) {
                for range in ranges {
                    let mut stream = analyzer.token_stream(&text[range.clone()]);
                    while stream.advance() {
                        tokens += 1;
                    }
                }
            }
        });
        line(
            "analyzing (1 thread)",
            analyze,
            format!("  ({tokens} tokens)"),
        );
    }
    if args.runs("tantivy") {
        let threads = args.threads;
        for tokenizer in [quarry::schema::STEMMED_ANALYZER, "en_stem"] {
            let took = fastest(args.rounds, || {
                index(tokenizer, &records, &passages, threads);
            });
            line(
                &format!("tantivy, {tokenizer} ({threads} threads)"),
                took,
                String::new(),
            );
        }
    }
    if args.runs("quarry") {
        let threads = args.threads;
        let took = fastest(args.rounds, || {
            index_as_quarry(&records, &metadata, &passages, threads);
        });
        line(
            &format!("quarry's schema ({threads} threads)"),
            took,
            String::new(),
        );
    }
    let count: usize = passages.iter().map(Vec::len).sum();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{mb:.1} MB, {} records, {count} passages",
        records.len()
    )
    .expect("stdout");
    for l in lines {
        writeln!(out, "{l}").expect("stdout");
    }
}

/// Indexes the passages (title and body) into a new index in a temporary
/// folder, committed.
fn index(
    tokenizer: &str,
    records: &[(String, String)],
    passages: &[Vec<std::ops::Range<usize>>],
    threads: usize,
) {
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let mut schema = Schema::builder();
    let title = schema.add_text_field("title", text.clone());
    let body = schema.add_text_field("body", text);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let index = Index::create_in_dir(dir.path(), schema.build()).expect("an index");
    index.tokenizers().register(
        quarry::schema::STEMMED_ANALYZER,
        quarry::schema::stemmed_analyzer(),
    );
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, 100 << 20)
        .expect("a writer");
    for ((t, text), ranges) in records.iter().zip(passages) {
        for range in ranges {
            let mut doc = TantivyDocument::default();
            doc.add_text(title, t);
            doc.add_text(body, &text[range.clone()]);
            writer.add_document(doc).expect("a passage added");
        }
    }
    writer.commit().expect("a commit");
    writer.wait_merging_threads().expect("merges");
}

/// What `quarry index` reads of a record besides its title and text.
struct Metadata {
    id: String,
    date: Option<quarry::corpus::PubDate>,
    source: Option<String>,
    url: Option<String>,
}

/// Indexes the passages as `quarry index` writes them (one JSON Lines file
/// `g.jsonl`, each record a document) into a new index, committed.
fn index_as_quarry(
    records: &[(String, String)],
    metadata: &[Metadata],
    passages: &[Vec<std::ops::Range<usize>>],
    threads: usize,
) {
    let (schema, fields) = quarry::schema::build_schema();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let index = Index::create_in_dir(dir.path(), schema).expect("an index");
    quarry::schema::register_analyzers(&index);
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, 100 << 20)
        .expect("a writer");
    let file = "g.jsonl";
    let stamp = (1 << 30, 1_700_000_000_000_000_000);
    let mut first = None;
    let mut count = 0;
    for (((title, text), meta), ranges) in records.iter().zip(metadata).zip(passages) {
        let path = format!("{file}#{}", meta.id);
        for (number, range) in ranges.iter().enumerate() {
            let doc = fields.document(&quarry::schema::PassageDoc {
                path: &path,
                file,
                doc_id: Some(&meta.id),
                passage: number as u64,
                start: range.start as u64,
                end: range.end as u64,
                page: None,
                title,
                body: &text[range.clone()],
                date: meta.date.as_ref().map(|d| (d.iso.as_str(), d.seconds)),
                source: meta.source.as_deref(),
                url: meta.url.as_deref(),
                author: None,
                stamp,
                record: None,
            });
            count += 1;
            if first.is_none() {
                first = Some(doc);
            } else {
                writer.add_document(doc).expect("a passage added");
            }
        }
    }
    if let Some(mut doc) = first {
        let record = quarry::schema::FileRecord {
            size: stamp.0,
            mtime: stamp.1,
            hash: 1,
            extractor: 1,
            passages: count,
            failed: false,
        };
        fields.add_record(&mut doc, &record);
        writer.add_document(doc).expect("a passage added");
    }
    writer.commit().expect("a commit");
    writer.wait_merging_threads().expect("merges");
}
