//! What a hit can carry besides its passage: the passages around it
//! (`--context`) and the breakdown of its score (`--explain`).

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use super::Hit;
use crate::error::{Error, Result};
use crate::index::IndexHandle;

/// One node of a score explanation: a value, what it is, and its parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub value: f32,
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Explanation>,
}

/// Adds to each hit the `n` passages before and after it in its document.
pub fn add_context(
    handle: &IndexHandle,
    searcher: &Searcher,
    hits: &mut [Hit],
    n: usize,
) -> Result<()> {
    let f = &handle.fields;
    for hit in hits {
        let from = hit.passage.saturating_sub(n as u64);
        let to = hit.passage + n as u64;
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.path, &hit.path),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (
                Occur::Must,
                Box::new(RangeQuery::new(
                    std::ops::Bound::Included(Term::from_field_u64(f.passage, from)),
                    std::ops::Bound::Included(Term::from_field_u64(f.passage, to)),
                )),
            ),
        ]);
        let found = searcher
            .search(&query, &TopDocs::with_limit(2 * n + 1).order_by_score())
            .map_err(|e| Error::index(&handle.dir, e))?;
        let mut around: Vec<(u64, String)> = Vec::new();
        for (_, address) in found {
            let doc: TantivyDocument = searcher
                .doc(address)
                .map_err(|e| Error::index(&handle.dir, e))?;
            let number = doc
                .get_first(f.passage)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            let text = doc
                .get_first(f.body)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            if number != hit.passage {
                around.push((number, text.to_string()));
            }
        }
        around.sort_by_key(|(number, _)| *number);
        let (before, after): (Vec<_>, Vec<_>) = around
            .into_iter()
            .partition(|(number, _)| *number < hit.passage);
        hit.before = before;
        hit.after = after;
    }
    Ok(())
}

/// Adds to each hit tantivy's explanation of its score (per term BM25
/// parts, boosts).
pub fn add_explanations(
    handle: &IndexHandle,
    searcher: &Searcher,
    query: &dyn Query,
    hits: &mut [Hit],
) -> Result<()> {
    for hit in hits {
        let Some(address) = hit.address else {
            continue;
        };
        let explanation = query
            .explain(searcher, address)
            .map_err(|e| Error::index(&handle.dir, e))?;
        hit.explanation = serde_json::from_str(&explanation.to_pretty_json()).ok();
    }
    Ok(())
}
