//! Turning a [`Plan`] into a tantivy query, and expanding prefixes against
//! the index's listed words and dictionary of stems.

use std::collections::BTreeSet;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, Term};

use super::bm25::{Bm25Query, FieldWeight};
use super::plan::{Filter, Leaf, Matcher, Node, Plan, PrefixExpander, prefix_stems};
use super::pruned::{Pair, PrunedQuery};
use crate::error::{Error, Result};
use crate::schema::{Fields, KIND_PASSAGE, TITLE_WEIGHT, TextField};

/// At most this many stems are searched for one `word*`, the most
/// frequent first.
pub const MAX_PREFIX_EXPANSIONS: usize = 64;

/// The tantivy query of a plan.
pub fn to_query(plan: &Plan, fields: &Fields) -> Box<dyn Query> {
    node_query(&plan.root, plan, fields)
}

fn node_query(node: &Node, plan: &Plan, fields: &Fields) -> Box<dyn Query> {
    match node {
        Node::Bool(clauses) => {
            if let Some(query) = pruned_query(clauses, plan, fields) {
                return Box::new(query);
            }
            Box::new(BooleanQuery::new(
                clauses
                    .iter()
                    .map(|(occur, child)| (*occur, node_query(child, plan, fields)))
                    .collect(),
            ))
        }
        Node::Boost(inner, boost) => {
            Box::new(BoostQuery::new(node_query(inner, plan, fields), *boost))
        }
        Node::Leaf(id) => leaf_query(&plan.leaves[*id], fields),
        Node::Filter(filter) => filter_query(filter, fields),
        // Every passage, not the record-only documents of empty files.
        Node::All => Box::new(TermQuery::new(
            Term::from_field_text(fields.kind, KIND_PASSAGE),
            IndexRecordOption::Basic,
        )),
    }
}

/// The clauses of a `--plain --any` plan as a [`PrunedQuery`]: optional
/// words (each a term in every field, maybe boosted), then optional
/// boosted pairs of two of those words (a phrase in some of their fields).
/// `None` for any other shape.
fn pruned_query(clauses: &[(Occur, Node)], plan: &Plan, fields: &Fields) -> Option<PrunedQuery> {
    let leaf = |node: &Node| match node {
        Node::Leaf(id) => Some(&plan.leaves[*id]),
        Node::Boost(inner, _) => match inner.as_ref() {
            Node::Leaf(id) => Some(&plan.leaves[*id]),
            _ => None,
        },
        _ => None,
    };
    if clauses.iter().any(|(occur, _)| *occur != Occur::Should) {
        return None;
    }
    let count = clauses
        .iter()
        .take_while(|(_, node)| leaf(node).and_then(|l| combined_words(l, fields)).is_some())
        .count();
    let (words, pairs) = clauses.split_at(count);
    if words.is_empty() || pairs.is_empty() {
        return None;
    }
    // Each word's text, the same in all its fields, and those fields.
    let mut texts = Vec::with_capacity(words.len());
    for (_, node) in words {
        let targets = &leaf(node)?.targets;
        let Some((_, Matcher::Term(text))) = targets.first() else {
            return None;
        };
        if targets
            .iter()
            .any(|(_, m)| *m != Matcher::Term(text.clone()))
        {
            return None;
        }
        texts.push((
            text.as_str(),
            targets.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        ));
    }
    let mut out = Vec::with_capacity(pairs.len());
    for (_, node) in pairs {
        let (Node::Boost(inner, boost), Some(pair)) = (node, leaf(node)) else {
            return None;
        };
        let Node::Leaf(_) = inner.as_ref() else {
            return None;
        };
        let mut ids = None;
        let mut per_field = Vec::with_capacity(pair.targets.len());
        for (field, matcher) in &pair.targets {
            let Matcher::Phrase { terms, .. } = matcher else {
                return None;
            };
            let [(_, a), (_, b)] = terms.as_slice() else {
                return None;
            };
            // Both words searched as words in this field too: the phrase
            // matches only where they do.
            let find = |word: &str| {
                texts
                    .iter()
                    .position(|(t, fs)| *t == word && fs.contains(field))
            };
            let found = [find(a)?, find(b)?];
            if *ids.get_or_insert(found) != found {
                return None;
            }
            let field_boost = match field {
                TextField::Title => Some(TITLE_WEIGHT),
                TextField::Body => None,
            };
            per_field.push((matcher_query(*field, matcher, fields).into(), field_boost));
        }
        out.push(Pair {
            words: ids?,
            boost: *boost,
            fields: per_field,
        });
    }
    let words = words
        .iter()
        .map(|(_, node)| node_query(node, plan, fields).into())
        .collect();
    Some(PrunedQuery::new(words, out))
}

/// The query of a metadata condition (constant score).
pub fn filter_query(filter: &Filter, fields: &Fields) -> Box<dyn Query> {
    use std::ops::Bound;
    let query: Box<dyn Query> = match filter {
        Filter::Date { from, to } => {
            let term = |s: i64| Term::from_field_i64(fields.date_ts, s);
            let lower = from.map_or(Bound::Unbounded, |s| Bound::Included(term(s)));
            let upper = to.map_or(Bound::Unbounded, |s| Bound::Excluded(term(s)));
            // Unbounded on both sides still requires a date.
            let lower = match (&lower, &upper) {
                (Bound::Unbounded, Bound::Unbounded) => Bound::Included(term(i64::MIN)),
                _ => lower,
            };
            Box::new(RangeQuery::new(lower, upper))
        }
        Filter::Source(source) => Box::new(TermQuery::new(
            Term::from_field_text(fields.source_key, source),
            IndexRecordOption::Basic,
        )),
    };
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// How a field counts in a word's BM25F score. Titles run from three
/// words to a whole abstract (LISA), so their length is normalised fully.
pub(crate) fn field_weight(field: TextField) -> FieldWeight {
    match field {
        TextField::Title => FieldWeight {
            weight: TITLE_WEIGHT,
            b: 1.0,
        },
        TextField::Body => FieldWeight {
            weight: 1.0,
            b: 0.75,
        },
    }
}

/// A leaf's query. A word searched in several fields is one BM25F query
/// over them; phrases and prefixes are a union of per-field queries, the
/// title's boosted.
pub(crate) fn leaf_query(leaf: &Leaf, fields: &Fields) -> Box<dyn Query> {
    if let Some(words) = combined_words(leaf, fields) {
        return Box::new(Bm25Query::new(words));
    }
    let mut per_field: Vec<Box<dyn Query>> = leaf
        .targets
        .iter()
        .map(|(field, matcher)| {
            let query = matcher_query(*field, matcher, fields);
            match field {
                TextField::Title => {
                    Box::new(BoostQuery::new(query, TITLE_WEIGHT)) as Box<dyn Query>
                }
                TextField::Body => query,
            }
        })
        .collect();
    if per_field.len() == 1 {
        return per_field.pop().unwrap_or_else(|| Box::new(EmptyQuery));
    }
    Box::new(BooleanQuery::union(per_field))
}

/// The terms of a leaf that is one word in more than one field.
pub(crate) fn combined_words(leaf: &Leaf, fields: &Fields) -> Option<Vec<(Term, FieldWeight)>> {
    if leaf.targets.len() < 2 {
        return None;
    }
    leaf.targets
        .iter()
        .map(|(field, matcher)| match matcher {
            Matcher::Term(text) => Some((
                Term::from_field_text(fields.stemmed(*field), text),
                field_weight(*field),
            )),
            _ => None,
        })
        .collect()
}

pub(crate) fn matcher_query(
    field: TextField,
    matcher: &Matcher,
    fields: &Fields,
) -> Box<dyn Query> {
    match matcher {
        Matcher::Term(text) => term_query(fields.stemmed(field), field, text),
        Matcher::Phrase { terms, slop } => {
            let stemmed = fields.stemmed(field);
            let terms = terms
                .iter()
                .map(|(offset, text)| (*offset, Term::from_field_text(stemmed, text)))
                .collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, *slop))
        }
        Matcher::Prefix { expansions, .. } => {
            let stemmed = fields.stemmed(field);
            match expansions.as_slice() {
                [] => Box::new(EmptyQuery),
                [one] => term_query(stemmed, field, one),
                many => Box::new(DisjunctionMaxQuery::new(
                    many.iter().map(|w| term_query(stemmed, field, w)).collect(),
                )),
            }
        }
    }
}

/// One word in one field (`field`, a field of `text_field`).
pub(crate) fn term_query(field: Field, text_field: TextField, text: &str) -> Box<dyn Query> {
    let weight = FieldWeight {
        weight: 1.0,
        ..field_weight(text_field)
    };
    Box::new(Bm25Query::new(vec![(
        Term::from_field_text(field, text),
        weight,
    )]))
}

/// Expands prefixes over every segment: the listed words that start with
/// the prefix, each turned into its stem (as a word of a query is), and
/// the field's stems that start with it, keeping the stems the field
/// holds.
pub struct SearcherExpander<'a> {
    pub searcher: &'a Searcher,
    pub fields: &'a Fields,
    pub dir: &'a std::path::Path,
}

impl SearcherExpander<'_> {
    /// The terms of `field` that start with `prefix`, in every segment,
    /// less those only deleted documents hold (of files since changed or
    /// removed, until a merge drops them).
    fn terms(&self, field: Field, prefix: &str) -> Result<BTreeSet<String>> {
        let end = prefix_end(prefix.as_bytes());
        let mut found = BTreeSet::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment
                .inverted_index(field)
                .map_err(|e| Error::index(self.dir, e))?;
            let mut range = inverted.terms().range().ge(prefix.as_bytes());
            if let Some(end) = &end {
                range = range.lt(end);
            }
            let mut stream = range.into_stream().map_err(|e| Error::io(self.dir, e))?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if found.contains(word) {
                    continue;
                }
                if let Some(alive) = segment.alive_bitset() {
                    let mut postings = inverted
                        .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                        .map_err(|e| Error::io(self.dir, e))?;
                    let mut live = false;
                    while postings.doc() != tantivy::TERMINATED {
                        if alive.is_alive(postings.doc()) {
                            live = true;
                            break;
                        }
                        postings.advance();
                    }
                    if !live {
                        continue;
                    }
                }
                found.insert(word.to_string());
            }
        }
        Ok(found)
    }
}

impl PrefixExpander for SearcherExpander<'_> {
    fn expand(&self, field: TextField, prefix: &str) -> Result<(Vec<String>, bool)> {
        let listed = self.terms(self.fields.words, prefix)?;
        let field = self.fields.stemmed(field);
        let mut stems = prefix_stems(listed.iter().map(String::as_str), prefix);
        stems.extend(self.terms(field, prefix)?);
        let mut weighed = Vec::with_capacity(stems.len());
        for stem in stems {
            let freq = self
                .searcher
                .doc_freq(&Term::from_field_text(field, &stem))
                .map_err(|e| Error::index(self.dir, e))?;
            if freq > 0 {
                weighed.push((freq, stem));
            }
        }
        weighed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let truncated = weighed.len() > MAX_PREFIX_EXPANSIONS;
        weighed.truncate(MAX_PREFIX_EXPANSIONS);
        Ok((weighed.into_iter().map(|(_, w)| w).collect(), truncated))
    }
}

/// The smallest byte string greater than every string starting with
/// `prefix`, or `None` when there is none (all `0xFF`).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_increments_the_last_byte() {
        assert_eq!(prefix_end(b"intru"), Some(b"intrv".to_vec()));
        assert_eq!(prefix_end(b"a\xFF"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xFF\xFF"), None);
    }
}
