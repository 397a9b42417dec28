//! The commands that look at things rather than change them: `stats`,
//! `show`, `config`, `completions` and `man`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use clap::{ArgMatches, CommandFactory};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::cli::{Cli, CompletionsArgs, ConfigArgs, ReportFormat, ShowArgs, ShowFormat, StatsArgs};
use crate::config::Config;
use crate::error::{EXIT_NO_HITS, EXIT_OK, Error, Result};
use crate::index::{self, IndexHandle};
use crate::search::highlight::{Analyzers, highlight};
use crate::search::plan::{Mode, plan};
use crate::search::query::SearcherExpander;
use crate::{output, settings, write_stdout};

/// What `stats` reports.
#[derive(Debug, Default, Serialize)]
pub struct Stats {
    pub r#type: &'static str,
    pub files: usize,
    pub documents: usize,
    pub passages: u64,
    pub words: u64,
    pub distinct_terms: usize,
    pub index_bytes: u64,
    /// When the last commit was made (ISO 8601, UTC).
    pub last_update: Option<String>,
    pub formats: BTreeMap<String, usize>,
    pub sources: BTreeMap<String, usize>,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub skipped: BTreeMap<String, String>,
}

/// `quarry stats`.
pub fn stats(args: StatsArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let places = settings::places(&args.paths, config, matches);
    let handle = open_existing(&places.index.0)?;
    let stats = gather(&handle)?;
    write_stdout(|w| match args.format {
        ReportFormat::Json => {
            serde_json::to_writer(&mut *w, &stats)?;
            writeln!(w)
        }
        ReportFormat::Human => write_stats(w, &stats),
    })?;
    Ok(EXIT_OK)
}

fn gather(handle: &IndexHandle) -> Result<Stats> {
    let err = |e| Error::index(&handle.dir, e);
    let searcher = handle.reader()?.searcher();
    let manifest = handle.manifest()?;
    let f = &handle.fields;
    let mut stats = Stats {
        r#type: "stats",
        files: manifest.files.len(),
        passages: manifest.passages(),
        ..Stats::default()
    };
    let mut terms = BTreeSet::new();
    let mut documents = BTreeSet::new();
    let mut dates: Vec<(i64, String)> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(f.body).map_err(err)?;
        stats.words += inverted.total_num_tokens();
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| Error::io(&handle.dir, e))?;
        while stream.advance() {
            terms.insert(stream.key().to_vec());
        }
        let store = segment
            .get_store_reader(64)
            .map_err(|e| Error::io(&handle.dir, e))?;
        for doc in segment.doc_ids_alive() {
            let stored: TantivyDocument = store.get(doc).map_err(err)?;
            let text = |field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let path = text(f.path).unwrap_or_default();
            let file = text(f.file).unwrap_or_else(|| path.clone());
            if let Some(failure) = text(f.failure) {
                stats.skipped.insert(file, failure);
                continue;
            }
            if stored.get_first(f.passage).and_then(|v| v.as_u64()) != Some(0)
                || text(f.body).is_none()
            {
                continue;
            }
            if documents.insert(path) {
                let ext = Path::new(&file)
                    .extension()
                    .map_or("none".to_string(), |e| e.to_string_lossy().to_lowercase());
                *stats.formats.entry(ext).or_default() += 1;
                let source = text(f.source).unwrap_or_else(|| "(none)".to_string());
                *stats.sources.entry(source).or_default() += 1;
                if let (Some(iso), Some(ts)) = (
                    text(f.date),
                    stored.get_first(f.date_ts).and_then(|v| v.as_i64()),
                ) {
                    dates.push((ts, iso));
                }
            }
        }
    }
    stats.documents = documents.len();
    stats.distinct_terms = terms.len();
    dates.sort();
    stats.first_date = dates.first().map(|d| d.1.clone());
    stats.last_date = dates.last().map(|d| d.1.clone());
    stats.index_bytes = std::fs::read_dir(&handle.dir)
        .map_err(|e| Error::io(&handle.dir, e))?
        .filter_map(|e| e.ok()?.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    stats.last_update = index::read_payload(&handle.dir, &handle.index)?
        .and_then(|p| p.committed_at)
        .and_then(|ns| jiff::Timestamp::from_nanosecond(i128::from(ns)).ok())
        .map(|ts| ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
    Ok(stats)
}

fn write_stats(w: &mut dyn Write, s: &Stats) -> std::io::Result<()> {
    writeln!(w, "documents      {} (from {} files)", s.documents, s.files)?;
    writeln!(w, "passages       {}", s.passages)?;
    writeln!(w, "words          {}", s.words)?;
    writeln!(w, "distinct terms {}", s.distinct_terms)?;
    writeln!(
        w,
        "index size     {:.1} MiB",
        s.index_bytes as f64 / (1024.0 * 1024.0)
    )?;
    writeln!(
        w,
        "last update    {}",
        s.last_update.as_deref().unwrap_or("never")
    )?;
    let dates = match (&s.first_date, &s.last_date) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no dated documents".to_string(),
    };
    writeln!(w, "dates          {dates}")?;
    let list = |m: &BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{} {v}", output::sanitize::line(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(w, "formats        {}", list(&s.formats))?;
    writeln!(w, "sources        {}", list(&s.sources))?;
    writeln!(w, "skipped        {}", s.skipped.len())?;
    for (file, reason) in &s.skipped {
        writeln!(
            w,
            "  {}: {}",
            output::sanitize::line(file),
            output::sanitize::line(reason)
        )?;
    }
    Ok(())
}

/// One passage as `show` prints it.
#[derive(Debug, Serialize)]
struct ShownPassage {
    passage: u64,
    start: u64,
    end: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u64>,
    text: String,
    highlights: Vec<[usize; 2]>,
}

/// A document as `show` prints it.
#[derive(Debug, Serialize)]
struct Shown {
    r#type: &'static str,
    path: String,
    title: String,
    date: Option<String>,
    source: Option<String>,
    url: Option<String>,
    author: Option<String>,
    passages: Vec<ShownPassage>,
}

/// `quarry show PATH[#PASSAGE]`.
pub fn show(args: ShowArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let places = settings::places(&args.paths, config, matches);
    let look = settings::look(&args.style, config, matches)?;
    let handle = open_existing(&places.index.0)?;
    let (path, only) = split_target(&handle, &args.target)?;
    let searcher = handle.reader()?.searcher();
    let f = &handle.fields;
    let query = TermQuery::new(
        Term::from_field_text(f.path, &path),
        IndexRecordOption::Basic,
    );
    let found = searcher
        .search(&query, &TopDocs::with_limit(1_000_000).order_by_score())
        .map_err(|e| Error::index(&handle.dir, e))?;
    let mut docs: Vec<TantivyDocument> = Vec::new();
    for (_, address) in found {
        docs.push(
            searcher
                .doc(address)
                .map_err(|e| Error::index(&handle.dir, e))?,
        );
    }
    docs.retain(|d| d.get_first(f.body).is_some());
    docs.sort_by_key(|d| d.get_first(f.passage).and_then(|v| v.as_u64()).unwrap_or(0));
    if docs.is_empty() {
        return Err(Error::NotFound {
            what: format!("no document '{path}' in the index"),
        });
    }
    let plan = match &args.query {
        Some(q) => {
            let expander = SearcherExpander {
                searcher: &searcher,
                fields: f,
                dir: &handle.dir,
            };
            Some(plan(q, Mode::Any, &expander)?)
        }
        None => None,
    };
    let text = |d: &TantivyDocument, field| {
        d.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let number = |d: &TantivyDocument| d.get_first(f.passage).and_then(|v| v.as_u64()).unwrap_or(0);
    if let Some(n) = only
        && !docs.iter().any(|d| number(d) == n)
    {
        return Err(Error::NotFound {
            what: format!("{path} has no passage {n} (it has {})", docs.len()),
        });
    }
    let first = &docs[0];
    let mut analyzers = Analyzers::default();
    let mut shown = Shown {
        r#type: "document",
        path: path.clone(),
        title: text(first, f.title).unwrap_or_default(),
        date: text(first, f.date),
        source: text(first, f.source),
        url: text(first, f.url),
        author: text(first, f.author),
        passages: Vec::new(),
    };
    for doc in &docs {
        let n = number(doc);
        if let Some(target) = only
            && n.abs_diff(target) > args.context as u64
        {
            continue;
        }
        let body = text(doc, f.body).unwrap_or_default();
        let highlights = match &plan {
            Some(plan) => highlight(plan, &[], &analyzers.tokens(&body))
                .body
                .iter()
                .map(|h| [h.range.start, h.range.end])
                .collect(),
            None => Vec::new(),
        };
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        shown.passages.push(ShownPassage {
            passage: n,
            start: u64_of(f.start),
            end: u64_of(f.end),
            page: doc.get_first(f.page).and_then(|v| v.as_u64()),
            text: body,
            highlights,
        });
    }
    write_stdout(|w| match args.format {
        ShowFormat::Json => {
            serde_json::to_writer(&mut *w, &shown)?;
            writeln!(w)
        }
        ShowFormat::Paths => writeln!(w, "{}", output::sanitize::line(&shown.path)),
        ShowFormat::Human => write_shown(w, &shown, only, &look),
    })?;
    Ok(if shown.passages.is_empty() {
        EXIT_NO_HITS
    } else {
        EXIT_OK
    })
}

/// Opens the index for reading, or says there is none.
fn open_existing(dir: &Path) -> Result<IndexHandle> {
    if !index::exists(dir) {
        return Err(Error::NoIndex {
            path: dir.to_path_buf(),
        });
    }
    index::open_for_search(dir)
}

/// `PATH#N` → (PATH, N) when PATH is a document and N a number; otherwise
/// the whole target is the path (a JSON Lines key holds a `#` itself).
fn split_target(handle: &IndexHandle, target: &str) -> Result<(String, Option<u64>)> {
    if let Some((path, n)) = target.rsplit_once('#')
        && let Ok(n) = n.parse::<u64>()
        && has_document(handle, path)?
    {
        return Ok((path.to_string(), Some(n)));
    }
    Ok((target.to_string(), None))
}

fn has_document(handle: &IndexHandle, path: &str) -> Result<bool> {
    let searcher = handle.reader()?.searcher();
    let term = Term::from_field_text(handle.fields.path, path);
    Ok(searcher
        .doc_freq(&term)
        .map_err(|e| Error::index(&handle.dir, e))?
        > 0)
}

fn write_shown(
    w: &mut dyn Write,
    shown: &Shown,
    only: Option<u64>,
    look: &output::human::Look,
) -> std::io::Result<()> {
    let styles = &look.styles;
    let (title, path) = (styles.title, styles.path);
    writeln!(
        w,
        "{title}{}{title:#}",
        output::sanitize::line(&shown.title)
    )?;
    writeln!(w, "{path}{}{path:#}", output::sanitize::line(&shown.path))?;
    for (label, value) in [
        ("date", &shown.date),
        ("source", &shown.source),
        ("url", &shown.url),
        ("author", &shown.author),
    ] {
        if let Some(value) = value {
            writeln!(w, "{label}: {}", output::sanitize::line(value))?;
        }
    }
    for p in &shown.passages {
        writeln!(w)?;
        let page = p.page.map(|n| format!(" p. {n}")).unwrap_or_default();
        let style = if only.is_some_and(|n| n != p.passage) {
            styles.context
        } else {
            styles.rank
        };
        writeln!(w, "{style}#{}{page}{style:#}", p.passage)?;
        output::human::write_passage(
            w,
            &p.text,
            &p.highlights,
            only.is_some_and(|n| n != p.passage),
            look,
        )?;
    }
    Ok(())
}

/// `quarry config`: each setting, its value, and where it comes from.
pub fn config(args: ConfigArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let places = settings::places(&args.paths, config, matches);
    let file = &config.values;
    let from_file = |set: bool| match (&config.file, set) {
        (Some(path), true) => format!("config file ({})", path.display()),
        _ => "default".to_string(),
    };
    let bounds = file.passage.map_or_else(
        || {
            let b = crate::passage::Bounds::default();
            format!("{} / {} / {} words", b.min, b.target, b.max)
        },
        |p| format!("{} / {} / {} words", p.min, p.target, p.max),
    );
    let corpus_root = &places.corpus.0;
    let ignore = corpus_root.join(crate::corpus::IGNORE_FILE);
    let rows: Vec<(&str, String, String)> = vec![
        (
            "config file",
            config
                .file
                .as_ref()
                .map_or("none".to_string(), |p| p.display().to_string()),
            "QUARRY_CONFIG, ./quarry.toml, user config dir".to_string(),
        ),
        (
            "corpus",
            places.corpus.0.display().to_string(),
            places.corpus.1.to_string(),
        ),
        (
            "index",
            places.index.0.display().to_string(),
            places.index.1.to_string(),
        ),
        (
            "include",
            format!("{:?}", file.include),
            from_file(!file.include.is_empty()),
        ),
        (
            "exclude",
            format!("{:?}", file.exclude),
            from_file(!file.exclude.is_empty()),
        ),
        (
            "ignore file",
            if ignore.is_file() {
                ignore.display().to_string()
            } else {
                "none".to_string()
            },
            format!("{} in the corpus", crate::corpus::IGNORE_FILE),
        ),
        (
            "language",
            file.language
                .clone()
                .unwrap_or_else(|| "english".to_string()),
            from_file(file.language.is_some()),
        ),
        ("passage bounds", bounds, from_file(file.passage.is_some())),
        (
            "limit",
            file.limit.unwrap_or(10).to_string(),
            from_file(file.limit.is_some()),
        ),
        (
            "color",
            file.color.clone().unwrap_or_else(|| "auto".to_string()),
            from_file(file.color.is_some()),
        ),
    ];
    write_stdout(|w| {
        for (key, value, origin) in &rows {
            writeln!(w, "{key:<15} {}  ({origin})", output::sanitize::line(value))?;
        }
        Ok(())
    })?;
    Ok(EXIT_OK)
}

/// `quarry completions SHELL`.
pub fn completions(args: CompletionsArgs) -> Result<i32> {
    let mut command = Cli::command();
    write_stdout(|w| {
        clap_complete::generate(args.shell, &mut command, "quarry", w);
        Ok(())
    })?;
    Ok(EXIT_OK)
}

/// `quarry man`: the man page, roff, on stdout.
pub fn man() -> Result<i32> {
    let page = clap_mangen::Man::new(Cli::command());
    write_stdout(|w| page.render(w))?;
    Ok(EXIT_OK)
}
