//! Searching: plan the query, run it, pick the hits, highlight them.
//!
//! Hits are ranked by BM25 score, ties broken by path then passage number,
//! so the order does not depend on how the index happens to be segmented.

pub mod batch;
mod bm25;
mod collect;
pub mod extras;
pub mod highlight;
pub mod plan;
mod pruned;
pub mod query;
pub mod window;

use std::time::{Duration, Instant};

use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

pub use highlight::{Highlight, Marks};
pub use plan::{Filter, Mode, Plan};
pub use window::{WINDOW_CHARS, Window};

use crate::error::{Error, Result};
use crate::index::IndexHandle;
use collect::Ranked;
use highlight::Analyzers;
use query::SearcherExpander;

/// What to search for.
#[derive(Clone, Debug)]
pub struct Request {
    pub query: String,
    pub mode: Mode,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip first.
    pub offset: usize,
    /// Metadata conditions every hit must meet (`--since`, `--source`…).
    pub filters: Vec<Filter>,
    /// A glob every hit's path key must match (`--path 'reports/**'`).
    pub path_glob: Option<String>,
    pub sort: Sort,
    /// At most this many passages per document (0: no limit).
    pub per_doc: usize,
    /// Neighbouring passages to show around each hit.
    pub context: usize,
    /// Break each hit's score into its parts.
    pub explain: bool,
    /// The query is plain words (no operators), see [`plan::plain`].
    pub plain: bool,
    /// Count each shown document's other matching passages (`--per-doc`
    /// headers); batch runs skip it.
    pub count_more: bool,
    /// Compute each hit's highlights and the window around them; when
    /// false, `marks` stays empty and the window is the whole passage (no
    /// tokenizing, no sentence boundaries: what a search costs without).
    pub highlight: bool,
}

impl Request {
    /// A request for `query` with the defaults of `quarry search`.
    pub fn new(query: &str) -> Request {
        Request {
            query: query.to_string(),
            mode: Mode::All,
            limit: 10,
            offset: 0,
            filters: Vec::new(),
            path_glob: None,
            sort: Sort::Relevance,
            per_doc: 2,
            context: 0,
            explain: false,
            plain: false,
            count_more: true,
            highlight: true,
        }
    }

    /// The plan of this request's query in `mode`.
    fn plan(&self, mode: Mode, expander: &dyn plan::PrefixExpander) -> Result<Plan> {
        if self.plain {
            plan::plain(&self.query, mode)
        } else {
            plan::plan(&self.query, mode, expander)
        }
    }
}

/// The order of hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best score first.
    #[default]
    Relevance,
    /// Newest publication date first, undated documents last; score breaks
    /// ties.
    Date,
}

/// One passage that matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// 1-based, counting the skipped hits.
    pub rank: usize,
    pub score: f32,
    pub path: String,
    pub passage: u64,
    /// Byte range of the passage in the document's text.
    pub start: u64,
    pub end: u64,
    pub title: String,
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    /// The whole passage.
    pub text: String,
    /// Byte ranges in `title` and `text` that matched.
    pub marks: Marks,
    /// The part of `text` worth showing.
    pub window: Window,
    /// The document's file changed or vanished since it was indexed.
    pub stale: bool,
    /// 1-based page of a paged document (PDF).
    pub page: Option<u32>,
    pub author: Option<String>,
    /// The record id inside a collection file (JSON Lines).
    pub doc_id: Option<String>,
    /// Matching passages of this document not shown (`--per-doc`).
    pub more_in_document: usize,
    /// Neighbouring passages (`--context`): number and text, in order.
    pub before: Vec<(u64, String)>,
    pub after: Vec<(u64, String)>,
    /// How the score was computed (`--explain`).
    pub explanation: Option<extras::Explanation>,
    /// Where the passage is in the index searched.
    pub address: Option<DocAddress>,
}

/// The result of a search.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub hits: Vec<Hit>,
    /// Passages that matched, beyond the limit too.
    pub total_hits: usize,
    /// No passage had every word, so any word was enough.
    pub fallback_any: bool,
    /// Some `word*` matched more indexed words than are searched.
    pub truncated_prefixes: Vec<String>,
    pub elapsed: Duration,
    /// The corpus root the index was built from (for links to the files).
    pub corpus: Option<std::path::PathBuf>,
}

/// Runs a search on an open index, on its last commit (with the searcher
/// the handle keeps while the index does not change).
pub fn search(handle: &IndexHandle, request: &Request) -> Result<Outcome> {
    let started = Instant::now();
    let (searcher, corpus) = handle.snapshot()?;
    run(handle, &searcher, corpus, request, started)
}

/// Runs a search with a searcher the caller keeps, so that many searches
/// share one reader: opening a reader maps the segment files again and
/// takes a good part of a short search (see `BENCHMARKS.md`).
pub fn search_with(
    handle: &IndexHandle,
    searcher: &Searcher,
    request: &Request,
) -> Result<Outcome> {
    let started = Instant::now();
    run(handle, searcher, handle.corpus(), request, started)
}

fn run(
    handle: &IndexHandle,
    searcher: &Searcher,
    corpus: Option<std::path::PathBuf>,
    request: &Request,
    started: Instant,
) -> Result<Outcome> {
    let expander = SearcherExpander {
        searcher,
        fields: &handle.fields,
        dir: &handle.dir,
    };
    let mut plan = request.plan(request.mode, &expander)?;
    tracing::debug!(query = %request.query, plan = ?plan.root, leaves = plan.leaves.len(), "query planned");
    let mut found = collect::collect(handle, searcher, &plan, request)?;
    let mut fallback_any = false;
    if found.total == 0 && request.mode == Mode::All && plan.has_implicit_and {
        plan = request.plan(Mode::Any, &expander)?;
        found = collect::collect(handle, searcher, &plan, request)?;
        fallback_any = true;
    }
    let mut hits = hits(handle, searcher, &plan, request, found.top, &corpus)?;
    for hit in &mut hits {
        hit.more_in_document = found
            .more
            .get(&crate::schema::document_key(&hit.path))
            .copied()
            .unwrap_or(0);
    }
    if request.context > 0 {
        extras::add_context(handle, searcher, &mut hits, request.context)?;
    }
    if request.explain {
        extras::add_explanations(handle, searcher, &plan, &mut hits)?;
    }
    let total_hits = found.total;
    tracing::debug!(total_hits, shown = hits.len(), elapsed = ?started.elapsed(), "search done");
    Ok(Outcome {
        corpus,
        hits,
        total_hits,
        fallback_any,
        truncated_prefixes: truncated_prefixes(&plan),
        elapsed: started.elapsed(),
    })
}

fn hits(
    handle: &IndexHandle,
    searcher: &Searcher,
    plan: &Plan,
    request: &Request,
    top: Ranked,
    corpus: &Option<std::path::PathBuf>,
) -> Result<Vec<Hit>> {
    let f = &handle.fields;
    let mut analyzers = Analyzers::default();
    let vocabulary = highlight::Vocabulary::of(plan);
    let weights = if request.highlight {
        leaf_weights(plan, searcher, f)
    } else {
        Vec::new()
    };
    let mut staleness = Staleness::new(corpus.clone());
    let mut hits = Vec::with_capacity(top.len());
    for (i, (score, address)) in top.into_iter().enumerate() {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| Error::index(&handle.dir, e))?;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let path = text_of(f.path).unwrap_or_default();
        let mtime = doc
            .get_first(f.file_mtime)
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        let file = text_of(f.file).unwrap_or_else(|| path.clone());
        let stale = staleness.check(&file, u64_of(f.file_size), mtime);
        let page = doc
            .get_first(f.page)
            .and_then(|v| v.as_u64())
            .and_then(|p| u32::try_from(p).ok());
        let title = text_of(f.title).unwrap_or_default();
        let text = text_of(f.body).unwrap_or_default();
        let (marks, window) = if request.highlight {
            let marks = highlight::highlight(
                plan,
                &analyzers.tokens_for(&title, &vocabulary),
                &analyzers.tokens_for(&text, &vocabulary),
            );
            let window = window::window(&text, &marks.body, &weights, WINDOW_CHARS);
            (marks, window)
        } else {
            let whole = Window {
                range: 0..text.len(),
                cut_start: false,
                cut_end: false,
            };
            (Marks::default(), whole)
        };
        hits.push(Hit {
            rank: request.offset + i + 1,
            score,
            path,
            passage: u64_of(f.passage),
            start: u64_of(f.start),
            end: u64_of(f.end),
            title,
            date: text_of(f.date),
            source: text_of(f.source),
            url: text_of(f.url),
            text,
            marks,
            window,
            stale,
            page,
            author: text_of(f.author),
            doc_id: text_of(f.doc_id),
            more_in_document: 0,
            before: Vec::new(),
            after: Vec::new(),
            explanation: None,
            address: Some(address),
        });
    }
    Ok(hits)
}

/// Tells whether a hit's file changed (size or mtime) or vanished since it
/// was indexed, looking each file up once per search.
struct Staleness {
    corpus: Option<std::path::PathBuf>,
    seen: std::collections::HashMap<String, bool>,
}

impl Staleness {
    fn new(corpus: Option<std::path::PathBuf>) -> Staleness {
        Staleness {
            corpus,
            seen: std::collections::HashMap::new(),
        }
    }

    fn check(&mut self, path: &str, size: u64, mtime: i64) -> bool {
        let Some(root) = &self.corpus else {
            return false;
        };
        *self.seen.entry(path.to_string()).or_insert_with(|| {
            match std::fs::metadata(root.join(crate::corpus::key_to_path(path))) {
                Ok(meta) => meta.len() != size || crate::corpus::mtime_nanos(&meta) != mtime,
                Err(_) => true,
            }
        })
    }
}

/// The weight of each leaf for choosing windows: the idf of its term in
/// the body field (a phrase adds up its terms; a prefix counts the passages
/// of all its stems).
fn leaf_weights(plan: &Plan, searcher: &Searcher, fields: &crate::schema::Fields) -> Vec<f32> {
    // Passages, as the ranking counts them (not record-only documents).
    use tantivy::query::Bm25StatisticsProvider;
    let total = bm25::PassageStatistics::new(searcher, fields.kind)
        .and_then(|stats| stats.total_num_docs())
        .unwrap_or(0) as f32;
    let idf = |freq: u64| (1.0 + (total - freq as f32 + 0.5) / (freq as f32 + 0.5)).ln();
    let freq = |field, text: &str| {
        searcher
            .doc_freq(&tantivy::Term::from_field_text(field, text))
            .unwrap_or(0)
    };
    plan.leaves
        .iter()
        .map(|leaf| {
            let Some((_, matcher)) = leaf.targets.last() else {
                return 1.0;
            };
            match matcher {
                plan::Matcher::Term(t) => idf(freq(fields.body, t)),
                plan::Matcher::Phrase { terms, .. } => {
                    terms.iter().map(|(_, t)| idf(freq(fields.body, t))).sum()
                }
                plan::Matcher::Prefix { expansions, .. } => {
                    idf(expansions.iter().map(|w| freq(fields.body, w)).sum())
                }
            }
        })
        .collect()
}

fn truncated_prefixes(plan: &Plan) -> Vec<String> {
    let mut out: Vec<String> = plan
        .leaves
        .iter()
        .flat_map(|leaf| &leaf.targets)
        .filter_map(|(_, m)| match m {
            plan::Matcher::Prefix {
                prefix,
                truncated: true,
                ..
            } => Some(format!("{prefix}*")),
            _ => None,
        })
        .collect();
    out.dedup();
    out
}
