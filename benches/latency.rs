//! Search latency in process: opens an index once, warms up (`--warmup`
//! passes over all queries), then times every `search::search` call with
//! `Instant` and prints p50, p95, p99, mean and max per query set, with
//! and without highlighting, as a Markdown table on stdout. Each query runs
//! `--rounds` times; its time is the median of its rounds.
//!
//! ```text
//! cargo bench --bench latency -- --index DIR --queries FILE... [--label NAME]
//!     [--limit 10] [--rounds 3] [--warmup 1] [--breakdown] [--slowest N]
//! ```
//!
//! A query file ending in `.jsonl` is a BEIR `queries.jsonl` (`_id`,
//! `text`): its queries run as `quarry eval` reads them, plain words with
//! any word enough (`quarry search --plain --any`). Any other file holds
//! one keyword query per line (`#` starts a comment): they run as `quarry
//! search QUERY` does by default (`Request::new`). A set is named after its
//! file (the parent folder for `queries.jsonl`).
//!
//! `--breakdown` adds a table of where the time goes, over all queries:
//! opening a reader, reading the commit payload, a count-only search
//! (limit 0), the hits without and with highlighting, and the same with
//! one reader shared by all searches (`search::search_with`). `--slowest N`
//! lists the N slowest queries of each set (highlighted).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use quarry::index::{self, IndexHandle};
use quarry::search::{self, Mode, Request};

/// What to run, from the command line.
struct Args {
    index: PathBuf,
    queries: Vec<PathBuf>,
    label: String,
    limit: usize,
    rounds: usize,
    warmup: usize,
    breakdown: bool,
    slowest: usize,
}

/// A named list of requests (highlighting on; switched off per run).
struct QuerySet {
    name: String,
    requests: Vec<Request>,
}

/// Latency figures of one run over a set, in milliseconds.
struct Summary {
    queries: usize,
    no_hits: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    mean: f64,
    max: f64,
}

fn main() {
    if let Err(e) = run() {
        let _ = writeln!(std::io::stderr(), "error: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1))?;
    let handle = index::open_for_search(&args.index).map_err(|e| e.to_string())?;
    let sets = args
        .queries
        .iter()
        .map(|path| load_set(path, args.limit))
        .collect::<Result<Vec<_>, _>>()?;
    let all: Vec<Request> = sets.iter().flat_map(|s| s.requests.clone()).collect();
    for _ in 0..args.warmup {
        time_all(&handle, &all, true)?;
    }
    let mut out = std::io::stdout().lock();
    let w = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        "| index | query set | queries | no hits | highlight | p50 ms | p95 ms | p99 ms | mean ms | max ms |"
    )
    .map_err(w)?;
    writeln!(out, "|---|---|---:|---:|---|---:|---:|---:|---:|---:|").map_err(w)?;
    let mut everything = [Vec::new(), Vec::new()];
    for set in &sets {
        for (i, highlight) in [true, false].into_iter().enumerate() {
            let (times, no_hits) = rounds(&handle, &set.requests, highlight, args.rounds)?;
            let summary = summarize(&times, no_hits);
            row(&mut out, &args.label, &set.name, highlight, &summary).map_err(w)?;
            everything[i].push((times, no_hits));
        }
    }
    for (i, highlight) in [true, false].into_iter().enumerate() {
        let times: Vec<Duration> = everything[i].iter().flat_map(|(t, _)| t.clone()).collect();
        let no_hits = everything[i].iter().map(|(_, n)| n).sum();
        let summary = summarize(&times, no_hits);
        row(&mut out, &args.label, "**all**", highlight, &summary).map_err(w)?;
    }
    if args.breakdown {
        writeln!(out).map_err(w)?;
        breakdown(&mut out, &handle, &all, &args)?;
    }
    if args.slowest > 0 {
        writeln!(out).map_err(w)?;
        let times = everything[0].iter().map(|(t, _)| t.as_slice());
        slowest(&mut out, &args, &sets, times).map_err(w)?;
    }
    Ok(())
}

fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        index: PathBuf::new(),
        queries: Vec::new(),
        label: String::new(),
        limit: 10,
        rounds: 3,
        warmup: 1,
        breakdown: false,
        slowest: 0,
    };
    let number = |v: Option<String>, flag: &str| {
        v.and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| format!("{flag} needs a number"))
    };
    let mut in_queries = false;
    while let Some(arg) = raw.next() {
        match arg.as_str() {
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => in_queries = false,
            "--index" => args.index = raw.next().ok_or("--index needs a folder")?.into(),
            "--label" => args.label = raw.next().ok_or("--label needs a name")?,
            "--limit" => args.limit = number(raw.next(), "--limit")?,
            "--rounds" => args.rounds = number(raw.next(), "--rounds")?.max(1),
            "--warmup" => args.warmup = number(raw.next(), "--warmup")?,
            "--breakdown" => args.breakdown = true,
            "--slowest" => args.slowest = number(raw.next(), "--slowest")?,
            "--queries" => in_queries = true,
            other if in_queries && !other.starts_with("--") => args.queries.push(other.into()),
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    if args.index.as_os_str().is_empty() || args.queries.is_empty() {
        return Err("usage: latency --index DIR --queries FILE... [--label NAME] [--limit N] [--rounds N] [--warmup N] [--breakdown] [--slowest N]".into());
    }
    if args.label.is_empty() {
        args.label = args.index.display().to_string();
    }
    Ok(args)
}

/// Reads a query file: BEIR JSON Lines (run like `quarry eval`) or one
/// keyword query per line (run like `quarry search`).
fn load_set(path: &Path, limit: usize) -> Result<QuerySet, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let beir = path.extension().is_some_and(|e| e == "jsonl");
    let requests: Vec<Request> = if beir {
        quarry::eval::qrels::parse_queries(&text)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .into_iter()
            .map(|(_, q)| Request {
                mode: Mode::Any,
                plain: true,
                limit,
                ..Request::new(&q)
            })
            .collect()
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|q| Request {
                limit,
                ..Request::new(q)
            })
            .collect()
    };
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string());
    let name = match (beir, path.parent().and_then(Path::file_name)) {
        (true, Some(dir)) if stem.as_deref() == Some("queries") => dir.to_string_lossy().into(),
        _ => stem.unwrap_or_default(),
    };
    Ok(QuerySet { name, requests })
}

/// Runs every request `rounds` times (all of them, then again); returns
/// each request's median time and how many requests found nothing. The
/// median over rounds keeps a moment of contention on a shared machine
/// from landing in the tail.
fn rounds(
    handle: &IndexHandle,
    requests: &[Request],
    highlight: bool,
    rounds: usize,
) -> Result<(Vec<Duration>, usize), String> {
    let mut per_query = vec![Vec::with_capacity(rounds); requests.len()];
    let mut no_hits = 0;
    for _ in 0..rounds {
        let (times, n) = time_all(handle, requests, highlight)?;
        for (all, t) in per_query.iter_mut().zip(times) {
            all.push(t);
        }
        no_hits = n;
    }
    Ok((per_query.into_iter().map(median).collect(), no_hits))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Times one `search::search` call per request.
fn time_all(
    handle: &IndexHandle,
    requests: &[Request],
    highlight: bool,
) -> Result<(Vec<Duration>, usize), String> {
    let mut times = Vec::with_capacity(requests.len());
    let mut no_hits = 0;
    for request in requests {
        let request = Request {
            highlight,
            ..request.clone()
        };
        let started = Instant::now();
        let outcome = search::search(handle, &request);
        times.push(started.elapsed());
        match outcome {
            Ok(o) if std::hint::black_box(&o.hits).is_empty() => no_hits += 1,
            Ok(_) => {}
            Err(e) => return Err(format!("query {:?}: {e}", request.query)),
        }
    }
    Ok((times, no_hits))
}

/// Times highlighted searches that share one reader, as a long-lived
/// process would run them (median of the rounds per request).
fn shared_reader(
    handle: &IndexHandle,
    requests: &[Request],
    rounds: usize,
) -> Result<Vec<Duration>, String> {
    let reader = handle.reader().map_err(|e| e.to_string())?;
    let searcher = reader.searcher();
    let mut per_query = vec![Vec::with_capacity(rounds); requests.len()];
    for _ in 0..rounds {
        for (request, times) in requests.iter().zip(&mut per_query) {
            let started = Instant::now();
            let outcome = search::search_with(handle, &searcher, request);
            times.push(started.elapsed());
            std::hint::black_box(outcome.map_err(|e| format!("query {:?}: {e}", request.query))?);
        }
    }
    Ok(per_query.into_iter().map(median).collect())
}

/// Nearest-rank percentiles, mean and max of `times`, in milliseconds.
fn summarize(times: &[Duration], no_hits: usize) -> Summary {
    let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        let rank = (p * ms.len() as f64).ceil() as usize;
        ms.get(rank.saturating_sub(1)).copied().unwrap_or(0.0)
    };
    Summary {
        queries: ms.len(),
        no_hits,
        p50: pick(0.50),
        p95: pick(0.95),
        p99: pick(0.99),
        mean: ms.iter().sum::<f64>() / ms.len().max(1) as f64,
        max: ms.last().copied().unwrap_or(0.0),
    }
}

fn row(
    out: &mut impl Write,
    label: &str,
    set: &str,
    highlight: bool,
    s: &Summary,
) -> std::io::Result<()> {
    writeln!(
        out,
        "| {label} | {set} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2} |",
        s.queries,
        s.no_hits,
        if highlight { "yes" } else { "no" },
        s.p50,
        s.p95,
        s.p99,
        s.mean,
        s.max
    )
}

/// The `n` slowest queries of each set: `times` holds each set's
/// per-query times.
fn slowest<'a>(
    out: &mut impl Write,
    args: &Args,
    sets: &[QuerySet],
    times: impl Iterator<Item = &'a [Duration]>,
) -> std::io::Result<()> {
    writeln!(out, "| index | query set | slowest queries | ms |")?;
    writeln!(out, "|---|---|---|---:|")?;
    for (set, times) in sets.iter().zip(times) {
        let mut all: Vec<(Duration, &str)> = times
            .iter()
            .zip(&set.requests)
            .map(|(t, r)| (*t, r.query.as_str()))
            .collect();
        all.sort_by_key(|&(time, _)| std::cmp::Reverse(time));
        for (time, query) in all.into_iter().take(args.slowest) {
            let more = if query.chars().count() > 60 {
                "…"
            } else {
                ""
            };
            let query = query
                .chars()
                .take(60)
                .collect::<String>()
                .replace('|', "\\|");
            let ms = time.as_secs_f64() * 1e3;
            let (label, name) = (&args.label, &set.name);
            writeln!(out, "| {label} | {name} | `{query}{more}` | {ms:.1} |")?;
        }
    }
    Ok(())
}

/// Where the time of a search goes, over all queries: each step adds work
/// to the one before, so the differences of the means are the parts.
fn breakdown(
    out: &mut impl Write,
    handle: &IndexHandle,
    all: &[Request],
    args: &Args,
) -> Result<(), String> {
    let w = |e: std::io::Error| e.to_string();
    writeln!(out, "| index | step | p50 ms | p99 ms | mean ms |").map_err(w)?;
    writeln!(out, "|---|---|---:|---:|---:|").map_err(w)?;
    let mut reader_times = Vec::with_capacity(all.len());
    for _ in 0..all.len() {
        let started = Instant::now();
        let reader = handle.reader().map_err(|e| e.to_string())?;
        std::hint::black_box(reader.searcher());
        reader_times.push(started.elapsed());
    }
    let mut corpus_times = Vec::with_capacity(all.len());
    for _ in 0..all.len() {
        let started = Instant::now();
        std::hint::black_box(handle.corpus());
        corpus_times.push(started.elapsed());
    }
    let count_only: Vec<Request> = all
        .iter()
        .map(|r| Request {
            limit: 0,
            ..r.clone()
        })
        .collect();
    let n = args.limit;
    let steps = [
        ("open a reader (`IndexHandle::reader`)".into(), reader_times),
        (
            "read the commit payload (`IndexHandle::corpus`)".into(),
            corpus_times,
        ),
        (
            "search, count only (limit 0)".into(),
            rounds(handle, &count_only, false, args.rounds)?.0,
        ),
        (
            format!("search, {n} hits, no highlighting"),
            rounds(handle, all, false, args.rounds)?.0,
        ),
        (
            format!("search, {n} hits, highlighted"),
            rounds(handle, all, true, args.rounds)?.0,
        ),
        (
            "same, one reader for all (`search::search_with`)".into(),
            shared_reader(handle, all, args.rounds)?,
        ),
    ];
    for (step, times) in steps as [(String, Vec<Duration>); 6] {
        let s = summarize(&times, 0);
        writeln!(
            out,
            "| {} | {step} | {:.3} | {:.3} | {:.3} |",
            args.label, s.p50, s.p99, s.mean
        )
        .map_err(w)?;
    }
    Ok(())
}
