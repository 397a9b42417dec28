//! Batch search: many queries against one open index, for TREC runs and
//! `quarry eval`. No highlighting, no windows: only ranked document ids.

use tantivy::TantivyDocument;
use tantivy::schema::Value;

use super::collect::collect;
use super::query::SearcherExpander;
use super::{Mode, Request};
use crate::error::{Error, Result};
use crate::index::IndexHandle;

/// What a batch run ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    /// Each document once, scored by its best passage.
    Document,
    /// Each passage, as `docid#passage`.
    Passage,
}

/// One query's ranked results: (doc id, score), best first.
pub type Ranking = Vec<(String, f32)>;

/// Runs every `(qid, text)` query with `template`'s settings (its query
/// text is replaced). A query that cannot be planned is reported to
/// `warn` and gets no results; the batch goes on.
pub fn run(
    handle: &IndexHandle,
    queries: &[(String, String)],
    template: &Request,
    granularity: Granularity,
    warn: &mut dyn FnMut(&str),
) -> Result<Vec<(String, Ranking)>> {
    let reader = handle.reader()?;
    let searcher = reader.searcher();
    let expander = SearcherExpander {
        searcher: &searcher,
        fields: &handle.fields,
        dir: &handle.dir,
    };
    let f = &handle.fields;
    let mut out = Vec::with_capacity(queries.len());
    for (qid, text) in queries {
        let request = Request {
            query: text.clone(),
            offset: 0,
            per_doc: match granularity {
                Granularity::Document => 1,
                Granularity::Passage => 0,
            },
            count_more: false,
            context: 0,
            explain: false,
            ..template.clone()
        };
        let mut plan = match request.plan(request.mode, &expander) {
            Ok(plan) => plan,
            Err(e) => {
                warn(&format!("query {qid}: {e}"));
                out.push((qid.clone(), Vec::new()));
                continue;
            }
        };
        let mut found = collect(handle, &searcher, &plan, &request)?;
        if found.total == 0 && request.mode == Mode::All && plan.has_implicit_and {
            plan = request.plan(Mode::Any, &expander)?;
            found = collect(handle, &searcher, &plan, &request)?;
        }
        let mut ranking = Vec::with_capacity(found.top.len());
        for (score, address) in found.top {
            let doc: TantivyDocument = searcher
                .doc(address)
                .map_err(|e| Error::index(&handle.dir, e))?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let id = text(f.doc_id).or_else(|| text(f.path)).unwrap_or_default();
            let id = match granularity {
                Granularity::Document => id,
                Granularity::Passage => {
                    let passage = doc
                        .get_first(f.passage)
                        .and_then(|v| v.as_u64())
                        .unwrap_or(0);
                    format!("{id}#{passage}")
                }
            };
            ranking.push((id, score));
        }
        out.push((qid.clone(), ranking));
    }
    Ok(out)
}
