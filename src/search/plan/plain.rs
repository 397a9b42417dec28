//! `--plain` queries: natural-language text (a question, a topic
//! description), words only. `?`, `:`, quotes and parentheses are text,
//! not syntax.
//!
//! Three things make such a query rank well (BENCHMARKS.md has the
//! measurements):
//! - one clause per distinct word, boosted by how often it occurs in the
//!   query, saturated as Okapi BM25 saturates query term frequency
//!   ([`K3`]; tantivy 0.27's parser keeps one clause per word and drops
//!   the repeats);
//! - English function words ("what", "would", "between"…) are dropped from
//!   the query, on top of the stop words the index itself drops: in a
//!   question they carry no topic. The index keeps them, so phrase queries
//!   still match them;
//! - each pair of neighbouring query words (after those are dropped) adds a
//!   small bonus to passages where the two stand within [`PAIR_SLOP`] of
//!   each other, in order.

use std::collections::{HashMap, HashSet};

use tantivy::query::Occur;

use super::{Leaf, Matcher, Mode, Node, Plan, analyze, head};
use crate::error::{Error, Result};
use crate::schema::{self, TextField};

/// Longest `--plain` query accepted, in bytes.
pub const MAX_PLAIN_BYTES: usize = 64 * 1024;
/// Most distinct words in a `--plain` query.
pub const MAX_PLAIN_TERMS: usize = 1024;

/// Query term frequency saturation (Okapi BM25's k3): a word that occurs
/// n times in the query weighs (k3 + 1)·n / (k3 + n), so 1 for one
/// occurrence, about 1.8 for two, never more than k3 + 1. Okapi used 7 at
/// TREC; linear weights (no saturation) rank worse on the IR collections,
/// where long topic descriptions repeat their subject (BENCHMARKS.md).
pub const K3: f32 = 7.0;

/// Weight of a neighbouring pair's bonus, relative to a word's own score.
pub const PAIR_BOOST: f32 = 0.1;
/// How far apart a neighbouring pair's words may stand (tantivy's phrase
/// slop: extra positions allowed between them, in order).
pub const PAIR_SLOP: u32 = 2;

/// Function words dropped from plain queries: pronouns, auxiliary and
/// modal verbs, articles and determiners, prepositions, conjunctions,
/// question words and a few adverbs of degree. Our own list, grouped by
/// part of speech.
const FUNCTION_WORDS: &[&str] = &[
    // pronouns
    "i",
    "me",
    "my",
    "myself",
    "mine",
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    // question words and relatives
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how",
    // auxiliary and modal verbs
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "would",
    "should",
    "could",
    "ought",
    "can",
    "may",
    "might",
    "must",
    "shall",
    "will",
    // articles and determiners
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "own",
    "same",
    // prepositions
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    // conjunctions and negation
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "nor",
    "not",
    "no",
    "than",
    // what is left of contractions once split at the apostrophe (I'm,
    // I've, I'd, I'll, we're)
    "m",
    "ve",
    "d",
    "ll",
    "re",
    // adverbs
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "so",
    "too",
    "very",
    "just",
    "also",
    "only",
];

/// Plans a `--plain` query, see the module's documentation. A query made
/// only of function words keeps them.
pub fn plain(text: &str, mode: Mode) -> Result<Plan> {
    if text.len() > MAX_PLAIN_BYTES {
        let reason = format!("it is longer than the limit of {MAX_PLAIN_BYTES} bytes");
        return Err(Error::query(head(text), reason));
    }
    let mut analyzer = schema::stemmed_analyzer();
    let all: Vec<String> = analyze(&mut analyzer, text)
        .into_iter()
        .map(|(_, term)| term)
        .collect();
    let function = function_words();
    let mut words: Vec<String> = all
        .iter()
        .filter(|t| !function.contains(t.as_str()))
        .cloned()
        .collect();
    if words.is_empty() {
        words = all;
    }
    let mut order: Vec<&str> = Vec::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for term in &words {
        let count = counts.entry(term).or_insert(0);
        if *count == 0 {
            order.push(term);
        }
        *count += 1;
    }
    if order.is_empty() {
        return Err(Error::query(head(text), "it has no searchable words"));
    }
    if order.len() > MAX_PLAIN_TERMS {
        return Err(Error::query(
            head(text),
            format!(
                "it has {} distinct words, more than the limit of {MAX_PLAIN_TERMS}",
                order.len()
            ),
        ));
    }
    let occur = match mode {
        Mode::All => Occur::Must,
        Mode::Any => Occur::Should,
    };
    let mut leaves = Vec::new();
    let mut clauses = Vec::new();
    for term in order {
        leaves.push(Leaf {
            targets: every_field(|| Matcher::Term(term.to_string())),
        });
        let leaf = Node::Leaf(leaves.len() - 1);
        let node = match counts[term] {
            1 => leaf,
            n => Node::Boost(Box::new(leaf), query_weight(n)),
        };
        clauses.push((occur, node));
    }
    let has_implicit_and = mode == Mode::All && clauses.len() > 1;
    let mut pairs = HashSet::new();
    for pair in words.windows(2) {
        let [a, b] = pair else { continue };
        if a == b || !pairs.insert((a, b)) {
            continue;
        }
        leaves.push(Leaf {
            targets: every_field(|| Matcher::Phrase {
                terms: vec![(0, a.clone()), (1, b.clone())],
                slop: PAIR_SLOP,
            }),
        });
        let leaf = Node::Leaf(leaves.len() - 1);
        clauses.push((Occur::Should, Node::Boost(Box::new(leaf), PAIR_BOOST)));
    }
    let root = if clauses.len() == 1 {
        clauses.pop().map_or(Node::All, |(_, node)| node)
    } else {
        Node::Bool(clauses)
    };
    Ok(Plan {
        root,
        leaves,
        has_implicit_and,
    })
}

/// The weight of a word that occurs `n` times in the query (see [`K3`]).
fn query_weight(n: usize) -> f32 {
    let n = n as f32;
    (K3 + 1.0) * n / (K3 + n)
}

fn every_field(matcher: impl Fn() -> Matcher) -> Vec<(TextField, Matcher)> {
    TextField::ALL.iter().map(|&f| (f, matcher())).collect()
}

/// [`FUNCTION_WORDS`] as the analyzer gives them (stemmed, without the
/// index's own stop words).
fn function_words() -> &'static HashSet<String> {
    static WORDS: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut analyzer = schema::stemmed_analyzer();
        FUNCTION_WORDS
            .iter()
            .flat_map(|w| analyze(&mut analyzer, w))
            .map(|(_, term)| term)
            .collect()
    })
}
