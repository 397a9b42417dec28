//! Search latency in process: opens an index once, warms up (`--warmup`
//! passes over all queries), then times every `search::search` call (which
//! reuses the handle's searcher while the index does not change) with
//! `Instant` and prints p50, p95, p99, mean and max per query set, with
//! and without highlighting, as a Markdown table on stdout. Each query runs
//! `--rounds` times; its time is the median of its rounds. The variants of
//! one query (with and without highlighting, the steps of `--breakdown`)
//! run back to back, so that a busy moment of a shared machine weighs on
//! all of them alike.
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
//! (limit 0), the hits without and with highlighting, and the same with a
//! new `IndexHandle`, so a new reader, per search. `--slowest N`
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

/// A named list of requests (highlighting on; switched off per variant).
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
    let steps: &[Step] = if args.breakdown {
        &Step::ALL
    } else {
        &[Step::Highlighted, Step::Hits]
    };
    for _ in 0..args.warmup {
        pass(&handle, &all, &[Step::Highlighted])?;
    }
    let m = measure(&handle, &all, steps, args.rounds)?;
    let mut out = std::io::stdout().lock();
    let w = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        "| index | query set | queries | no hits | highlight | p50 ms | p95 ms | p99 ms | mean ms | max ms |"
    )
    .map_err(w)?;
    writeln!(out, "|---|---|---:|---:|---|---:|---:|---:|---:|---:|").map_err(w)?;
    let mut ranges = Vec::new();
    let mut start = 0;
    for set in &sets {
        ranges.push((set.name.as_str(), start..start + set.requests.len()));
        start += set.requests.len();
    }
    ranges.push(("**all**", 0..all.len()));
    for (name, range) in &ranges {
        let no_hits = m.no_hits[range.clone()].iter().filter(|&&n| n).count();
        for (step, highlight) in [(Step::Highlighted, true), (Step::Hits, false)] {
            let summary = summarize(&m.times(step)[range.clone()], no_hits);
            row(&mut out, &args.label, name, highlight, &summary).map_err(w)?;
        }
    }
    if args.breakdown {
        writeln!(out).map_err(w)?;
        breakdown(&mut out, &args, &m).map_err(w)?;
    }
    if args.slowest > 0 {
        writeln!(out).map_err(w)?;
        let times = ranges[..sets.len()]
            .iter()
            .map(|(_, r)| &m.times(Step::Highlighted)[r.clone()]);
        slowest(&mut out, &args, &sets, times).map_err(w)?;
    }
    Ok(())
}

/// What one timed call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// `IndexHandle::reader` and its searcher, nothing else.
    OpenReader,
    /// `IndexHandle::corpus`: reading the commit payload from `meta.json`.
    ReadPayload,
    /// `search::search` with limit 0: plan, count, no hits fetched.
    CountOnly,
    /// `search::search` without highlighting.
    Hits,
    /// `search::search` as `quarry search` runs it.
    Highlighted,
    /// The same with a new `IndexHandle` per search (`index::open_for_search`),
    /// so a new reader each time: what one `quarry search` process does
    /// after it starts.
    NewHandle,
}

impl Step {
    const ALL: [Step; 6] = [
        Step::OpenReader,
        Step::ReadPayload,
        Step::CountOnly,
        Step::Hits,
        Step::Highlighted,
        Step::NewHandle,
    ];

    fn label(self, limit: usize) -> String {
        match self {
            Step::OpenReader => "open a reader (`IndexHandle::reader`)".into(),
            Step::ReadPayload => "read the commit payload (`IndexHandle::corpus`)".into(),
            Step::CountOnly => "search, count only (limit 0)".into(),
            Step::Hits => format!("search, {limit} hits, no highlighting"),
            Step::Highlighted => format!("search, {limit} hits, highlighted"),
            Step::NewHandle => "same, a new handle and reader per search".into(),
        }
    }
}

/// Per step, per query: the median time over the rounds.
struct Measured {
    steps: Vec<Step>,
    medians: Vec<Vec<Duration>>,
    /// Per query: the highlighted search found nothing.
    no_hits: Vec<bool>,
}

impl Measured {
    fn times(&self, step: Step) -> &[Duration] {
        let i = self.steps.iter().position(|&s| s == step).unwrap_or(0);
        &self.medians[i]
    }
}

/// Runs `rounds` rounds, each one pass over the queries (every step of a
/// query back to back).
fn measure(
    handle: &IndexHandle,
    requests: &[Request],
    steps: &[Step],
    rounds: usize,
) -> Result<Measured, String> {
    let mut samples = vec![vec![Vec::with_capacity(rounds); requests.len()]; steps.len()];
    let mut no_hits = vec![false; requests.len()];
    for _ in 0..rounds {
        let (times, empty) = pass(handle, requests, steps)?;
        no_hits = empty;
        for (per_query, got) in samples.iter_mut().zip(&times) {
            for (query, t) in per_query.iter_mut().zip(got) {
                query.push(*t);
            }
        }
    }
    let medians = samples
        .into_iter()
        .map(|per_query| per_query.into_iter().map(median).collect())
        .collect();
    Ok(Measured {
        steps: steps.to_vec(),
        medians,
        no_hits,
    })
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// One pass: for each query, each step once. Returns the times per step
/// and, per query, whether the highlighted search found nothing.
fn pass(
    handle: &IndexHandle,
    requests: &[Request],
    steps: &[Step],
) -> Result<(Vec<Vec<Duration>>, Vec<bool>), String> {
    let mut times = vec![Vec::with_capacity(requests.len()); steps.len()];
    let mut no_hits = Vec::with_capacity(requests.len());
    for request in requests {
        let mut empty = false;
        for (i, &step) in steps.iter().enumerate() {
            let (time, hits) = time_step(handle, request, step)?;
            times[i].push(time);
            empty |= step == Step::Highlighted && hits == 0;
        }
        no_hits.push(empty);
    }
    Ok((times, no_hits))
}

/// Times one step of one request; also returns the hits it found.
fn time_step(
    handle: &IndexHandle,
    request: &Request,
    step: Step,
) -> Result<(Duration, usize), String> {
    let fail = |e: quarry::error::Error| format!("query {:?}: {e}", request.query);
    let request = Request {
        highlight: matches!(step, Step::Highlighted | Step::NewHandle),
        limit: if step == Step::CountOnly {
            0
        } else {
            request.limit
        },
        ..request.clone()
    };
    let started = Instant::now();
    let hits = match step {
        Step::OpenReader => {
            let reader = handle.reader().map_err(fail)?;
            std::hint::black_box(reader.searcher());
            0
        }
        Step::ReadPayload => {
            std::hint::black_box(handle.corpus());
            0
        }
        Step::NewHandle => {
            let handle = index::open_for_search(&handle.dir).map_err(fail)?;
            std::hint::black_box(search::search(&handle, &request).map_err(fail)?)
                .hits
                .len()
        }
        _ => std::hint::black_box(search::search(handle, &request).map_err(fail)?)
            .hits
            .len(),
    };
    Ok((started.elapsed(), hits))
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

/// Where the time of a search goes, over all queries: each search step
/// adds work to the one before, so the differences of the means are the
/// parts.
fn breakdown(out: &mut impl Write, args: &Args, m: &Measured) -> std::io::Result<()> {
    writeln!(out, "| index | step | p50 ms | p99 ms | mean ms |")?;
    writeln!(out, "|---|---|---:|---:|---:|")?;
    for &step in &m.steps {
        let s = summarize(m.times(step), 0);
        let (label, step) = (&args.label, step.label(args.limit));
        writeln!(
            out,
            "| {label} | {step} | {:.3} | {:.3} | {:.3} |",
            s.p50, s.p99, s.mean
        )?;
    }
    Ok(())
}
