//! What a hit can carry besides its passage: the passages around it
//! (`--context`) and the breakdown of its score (`--explain`).

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::bm25::PassageStatistics;
use super::plan::{Matcher, Node, Plan};
use super::{Hit, query};
use crate::error::{Error, Result};
use crate::index::IndexHandle;
use crate::schema::{TITLE_WEIGHT, TextField};

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

/// Adds to each hit the breakdown of its score, following the plan the
/// way the tantivy query scores it: a boolean node sums its matching
/// clauses, a boost multiplies, a prefix takes its best word, a title match
/// carries the title boost, and each term or phrase is tantivy's own BM25
/// explanation. (tantivy's explanation of a whole boolean query trips a
/// debug assertion on unions in 0.27; leaves are safe.)
pub fn add_explanations(
    handle: &IndexHandle,
    searcher: &Searcher,
    plan: &Plan,
    hits: &mut [Hit],
) -> Result<()> {
    let stats = PassageStatistics::new(searcher, handle.fields.kind)
        .map_err(|e| Error::index(&handle.dir, e))?;
    for hit in hits {
        let Some(address) = hit.address else {
            continue;
        };
        hit.explanation = explain_node(&plan.root, plan, handle, &stats, address)?;
    }
    Ok(())
}

fn explain_node(
    node: &Node,
    plan: &Plan,
    handle: &IndexHandle,
    stats: &PassageStatistics,
    address: DocAddress,
) -> Result<Option<Explanation>> {
    Ok(match node {
        Node::All | Node::Filter(_) => None,
        Node::Boost(inner, boost) => {
            explain_node(inner, plan, handle, stats, address)?.map(|e| Explanation {
                value: e.value * boost,
                description: format!("boost {boost} ×"),
                details: vec![e],
            })
        }
        Node::Bool(clauses) => {
            let mut details = Vec::new();
            for (occur, child) in clauses {
                if *occur == Occur::MustNot {
                    continue;
                }
                details.extend(explain_node(child, plan, handle, stats, address)?);
            }
            sum("sum of the matching clauses", details)
        }
        Node::Leaf(id) if query::combined_words(&plan.leaves[*id], &handle.fields).is_some() => {
            explain_query(
                query::leaf_query(&plan.leaves[*id], &handle.fields).as_ref(),
                stats,
                address,
            )
        }
        Node::Leaf(id) => {
            let mut details = Vec::new();
            for (field, matcher) in &plan.leaves[*id].targets {
                details.extend(explain_target(*field, matcher, handle, stats, address)?);
            }
            sum("sum over fields", details)
        }
    })
}

fn sum(description: &str, details: Vec<Explanation>) -> Option<Explanation> {
    match details.len() {
        0 => None,
        1 => details.into_iter().next(),
        _ => Some(Explanation {
            value: details.iter().map(|d| d.value).sum(),
            description: description.to_string(),
            details,
        }),
    }
}

/// tantivy's explanation of one query's score, in our form; `None` when
/// the passage does not match it.
fn explain_query(
    query: &dyn Query,
    stats: &PassageStatistics,
    address: DocAddress,
) -> Option<Explanation> {
    stats
        .explain(query, address)
        .ok()
        .and_then(|e| serde_json::from_str::<Explanation>(&e.to_pretty_json()).ok())
}

/// One field's match of a leaf.
fn explain_target(
    field: TextField,
    matcher: &Matcher,
    handle: &IndexHandle,
    stats: &PassageStatistics,
    address: DocAddress,
) -> Result<Option<Explanation>> {
    let leaf = |query: &dyn Query| -> Result<Option<Explanation>> {
        Ok(explain_query(query, stats, address))
    };
    let found = match matcher {
        Matcher::Prefix { expansions, .. } => {
            let stemmed = handle.fields.stemmed(field);
            let mut best: Option<Explanation> = None;
            for stem in expansions {
                if let Some(e) = leaf(query::term_query(stemmed, field, stem).as_ref())?
                    && best.as_ref().is_none_or(|b| e.value > b.value)
                {
                    best = Some(e);
                }
            }
            best.map(|e| Explanation {
                value: e.value,
                description: "best word of the prefix".to_string(),
                details: vec![e],
            })
        }
        _ => leaf(query::matcher_query(field, matcher, &handle.fields).as_ref())?,
    };
    Ok(found.map(|e| match field {
        TextField::Title => Explanation {
            value: e.value * TITLE_WEIGHT,
            description: format!("title match, boost {TITLE_WEIGHT} ×"),
            details: vec![e],
        },
        TextField::Body => e,
    }))
}
