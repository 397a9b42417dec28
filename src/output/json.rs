//! The JSON Lines printer.
//!
//! One object per line, tagged by `type`:
//! - `hit`: `rank`, `score`, `path`, `title`, `date`, `source`, `url`
//!   (null when unknown), `passage`, `start`, `end` (byte range of the
//!   passage in the document's extracted text), `text` (the whole passage)
//!   `highlights` (`[start, end]` byte ranges inside `text`), `stale`
//!   (the file changed or vanished since it was indexed), and only when
//!   known `page` (PDF, 1-based) and `author`; with `--per-doc`,
//!   `more_in_document` (when not 0); with `--context`, `context` (the
//!   neighbouring passages, `{passage, text}`); with `--explain`, `explain`
//!   (`{value, description, details}`);
//! - `summary`, last: `query`, `total_hits`, `returned`, `elapsed_ms`,
//!   `fallback_any`.

use std::io::{self, Write};

use serde::Serialize;

use crate::search::{Hit, Outcome};

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Message<'a> {
    Hit(HitJson<'a>),
    Summary(SummaryJson<'a>),
}

#[derive(Serialize)]
struct HitJson<'a> {
    rank: usize,
    score: f32,
    path: &'a str,
    title: &'a str,
    date: Option<&'a str>,
    source: Option<&'a str>,
    url: Option<&'a str>,
    passage: u64,
    start: u64,
    end: u64,
    text: &'a str,
    highlights: Vec<[usize; 2]>,
    stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    /// Matching passages of the document not shown (`--per-doc`).
    #[serde(skip_serializing_if = "is_zero")]
    more_in_document: usize,
    /// Neighbouring passages (`--context`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    context: Vec<ContextJson<'a>>,
    /// The score's breakdown (`--explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a crate::search::extras::Explanation>,
}

#[derive(Serialize)]
struct ContextJson<'a> {
    passage: u64,
    text: &'a str,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    query: &'a str,
    total_hits: usize,
    returned: usize,
    elapsed_ms: f64,
    fallback_any: bool,
}

impl<'a> From<&'a Hit> for HitJson<'a> {
    fn from(hit: &'a Hit) -> HitJson<'a> {
        HitJson {
            rank: hit.rank,
            score: hit.score,
            path: &hit.path,
            title: &hit.title,
            date: hit.date.as_deref(),
            source: hit.source.as_deref(),
            url: hit.url.as_deref(),
            passage: hit.passage,
            start: hit.start,
            end: hit.end,
            text: &hit.text,
            highlights: hit
                .marks
                .body
                .iter()
                .map(|h| [h.range.start, h.range.end])
                .collect(),
            stale: hit.stale,
            page: hit.page,
            author: hit.author.as_deref(),
            more_in_document: hit.more_in_document,
            context: hit
                .before
                .iter()
                .chain(&hit.after)
                .map(|(passage, text)| ContextJson {
                    passage: *passage,
                    text,
                })
                .collect(),
            explain: hit.explanation.as_ref(),
        }
    }
}

/// Writes every hit, then the summary.
pub fn write_search(w: &mut dyn Write, query: &str, outcome: &Outcome) -> io::Result<()> {
    for hit in &outcome.hits {
        write_line(w, &Message::Hit(hit.into()))?;
    }
    let summary = SummaryJson {
        query,
        total_hits: outcome.total_hits,
        returned: outcome.hits.len(),
        elapsed_ms: (outcome.elapsed.as_secs_f64() * 1e6).round() / 1000.0,
        fallback_any: outcome.fallback_any,
    };
    write_line(w, &Message::Summary(summary))
}

fn write_line(w: &mut dyn Write, message: &Message<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *w, message)?;
    w.write_all(b"\n")
}
