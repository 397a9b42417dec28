//! Exact highlighting: the plan evaluated on a passage's own tokens.
//!
//! A leaf marks the tokens it matches (stemmed terms, prefix expansions,
//! phrase occurrences); a boolean node passes on the marks of the children
//! that matched, and never those of a negated child or of an `OR` branch
//! that did not match. So a highlight always covers something the query
//! matched, and a word of a `NOT` clause is never marked.

use std::collections::HashSet;
use std::ops::Range;

use tantivy::query::Occur;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::plan::{Matcher, Node, Plan};
use crate::schema::{self, TextField};

/// A token of a passage: its position (as indexed), its byte range, and
/// its stemmed and unstemmed terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub position: usize,
    pub from: usize,
    pub to: usize,
    pub stem: String,
    pub word: String,
}

/// The analyzers of the text fields, kept to tokenize many passages.
pub struct Analyzers {
    stemmed: TextAnalyzer,
    words: TextAnalyzer,
}

impl Default for Analyzers {
    fn default() -> Analyzers {
        Analyzers {
            stemmed: schema::stemmed_analyzer(),
            words: schema::words_analyzer(),
        }
    }
}

impl Analyzers {
    /// The tokens of `text`, as the index saw them.
    pub fn tokens(&mut self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut stream = self.words.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            tokens.push(Token {
                position: t.position,
                from: t.offset_from,
                to: t.offset_to,
                stem: String::new(),
                word: t.text.clone(),
            });
        }
        // Both analyzers share the tokenizer, so the stemmed stream is the
        // words stream minus its stop words: match tokens by offset. A stop
        // word keeps an empty stem and never matches a stemmed term.
        let mut stream = self.stemmed.token_stream(text);
        let mut next = tokens.iter_mut().peekable();
        while stream.advance() {
            let stemmed = stream.token();
            while next.next_if(|t| t.from < stemmed.offset_from).is_some() {}
            if let Some(token) = next.next_if(|t| t.from == stemmed.offset_from) {
                token.stem.clone_from(&stemmed.text);
            }
        }
        tokens
    }
}

/// The terms a plan can match: stemmed terms (of words, phrases and prefix
/// expansions) and the first byte of each. A token whose stem is none of
/// them can match nothing, so highlighting skips it.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    stems: HashSet<String>,
    /// `stem_starts[b]`: some stem starts with byte `b`.
    stem_starts: Vec<bool>,
}

impl Vocabulary {
    pub fn of(plan: &Plan) -> Vocabulary {
        let mut vocabulary = Vocabulary {
            stem_starts: vec![false; 256],
            ..Vocabulary::default()
        };
        for (_, matcher) in plan.leaves.iter().flat_map(|leaf| &leaf.targets) {
            match matcher {
                Matcher::Term(term) => vocabulary.add_stem(term),
                Matcher::Phrase { terms, .. } => {
                    terms.iter().for_each(|(_, term)| vocabulary.add_stem(term));
                }
                Matcher::Prefix { expansions, .. } => {
                    expansions.iter().for_each(|stem| vocabulary.add_stem(stem));
                }
            }
        }
        vocabulary
    }

    fn add_stem(&mut self, stem: &str) {
        if let Some(&b) = stem.as_bytes().first() {
            self.stem_starts[usize::from(b)] = true;
            self.stems.insert(stem.to_string());
        }
    }

    /// The stem of `word` if it is one of the plan's. English Snowball
    /// keeps a word's first letter (even its irregular forms: `dying` →
    /// `die`, `skies` → `sky`), so only words starting like some stem are
    /// stemmed at all.
    fn stem_of(&self, word: &str) -> Option<String> {
        let &first = word.as_bytes().first()?;
        if !self.stem_starts[usize::from(first)] {
            return None;
        }
        schema::stem(word).filter(|stem| self.stems.contains(stem))
    }
}

impl Analyzers {
    /// The tokens of `text` that `vocabulary` can match, with positions
    /// as indexed: what [`Analyzers::tokens`] gives, less the tokens no
    /// matcher looks at, and with only their stems (the words left empty:
    /// no matcher compares them). Highlighting sees the same matches
    /// for a fraction of the work: most words of a passage are never
    /// stemmed.
    pub fn tokens_for(&mut self, text: &str, vocabulary: &Vocabulary) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut stream = self.words.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            if let Some(stem) = vocabulary.stem_of(&t.text) {
                tokens.push(Token {
                    position: t.position,
                    from: t.offset_from,
                    to: t.offset_to,
                    stem,
                    word: String::new(),
                });
            }
        }
        tokens
    }
}

/// A highlighted byte range and the leaves (as a bit set, leaf id mod 64)
/// that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub range: Range<usize>,
    pub leaves: u64,
}

/// The highlights of one passage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// Whether the plan matches the passage (it may not, for sloppy phrases
    /// of three or more words, where tantivy's matching is not exact).
    pub matched: bool,
    pub title: Vec<Highlight>,
    pub body: Vec<Highlight>,
}

#[derive(Clone, Debug)]
struct Mark {
    field: TextField,
    range: Range<usize>,
    leaf: usize,
}

/// Evaluates `plan` on a passage's title and body tokens.
pub fn highlight(plan: &Plan, title: &[Token], body: &[Token]) -> Marks {
    let tokens = |field: TextField| match field {
        TextField::Title => title,
        TextField::Body => body,
    };
    let Some(marks) = eval(&plan.root, plan, &tokens) else {
        return Marks::default();
    };
    let of = |field: TextField| {
        merge(
            marks
                .iter()
                .filter(|m| m.field == field)
                .map(|m| Highlight {
                    range: m.range.clone(),
                    leaves: 1 << (m.leaf % 64),
                })
                .collect(),
        )
    };
    Marks {
        matched: true,
        title: of(TextField::Title),
        body: of(TextField::Body),
    }
}

/// The marks of a node, or `None` when it does not match.
fn eval<'t>(
    node: &Node,
    plan: &Plan,
    tokens: &dyn Fn(TextField) -> &'t [Token],
) -> Option<Vec<Mark>> {
    match node {
        // tantivy applied metadata conditions already; they mark nothing.
        Node::All | Node::Filter(_) => Some(Vec::new()),
        Node::Boost(inner, _) => eval(inner, plan, tokens),
        Node::Leaf(id) => {
            let marks: Vec<Mark> = plan.leaves[*id]
                .targets
                .iter()
                .flat_map(|(field, matcher)| {
                    matches(matcher, tokens(*field))
                        .into_iter()
                        .map(|range| Mark {
                            field: *field,
                            range,
                            leaf: *id,
                        })
                })
                .collect();
            (!marks.is_empty()).then_some(marks)
        }
        Node::Bool(clauses) => {
            let mut marks = Vec::new();
            let mut required = false;
            let mut optional = false;
            for (occur, child) in clauses {
                let got = eval(child, plan, tokens);
                match occur {
                    Occur::MustNot if got.is_some() => return None,
                    Occur::MustNot => {}
                    Occur::Must => {
                        required = true;
                        marks.extend(got?);
                    }
                    Occur::Should => {
                        if let Some(got) = got {
                            optional = true;
                            marks.extend(got);
                        }
                    }
                }
            }
            (required || optional).then_some(marks)
        }
    }
}

/// The byte ranges a matcher finds in a field's tokens.
fn matches(matcher: &Matcher, tokens: &[Token]) -> Vec<Range<usize>> {
    match matcher {
        Matcher::Term(term) => tokens
            .iter()
            .filter(|t| &t.stem == term)
            .map(|t| t.from..t.to)
            .collect(),
        Matcher::Prefix { expansions, .. } => tokens
            .iter()
            .filter(|t| expansions.contains(&t.stem))
            .map(|t| t.from..t.to)
            .collect(),
        Matcher::Phrase { terms, slop } => phrase_matches(tokens, terms, *slop),
    }
}

/// Phrase occurrences: one token per phrase term such that the spread of
/// `position − offset` is at most `slop` (a token may serve two equal
/// terms). This is tantivy's rule for exact phrases and for phrases of two
/// words. An exact occurrence is one range from its first to its last
/// token; with slop, each matched token is its own range.
fn phrase_matches(tokens: &[Token], terms: &[(usize, String)], slop: u32) -> Vec<Range<usize>> {
    // For each term, the shifted positions (position − offset) of its tokens.
    let shifted: Vec<Vec<(i64, usize)>> = terms
        .iter()
        .map(|(offset, term)| {
            tokens
                .iter()
                .enumerate()
                .filter(|(_, t)| &t.stem == term)
                .map(|(i, t)| (t.position as i64 - *offset as i64, i))
                .collect()
        })
        .collect();
    if shifted.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let mut starts: Vec<i64> = shifted.iter().flatten().map(|(s, _)| *s).collect();
    starts.sort_unstable();
    starts.dedup();
    let slop = i64::from(slop);
    let mut out = Vec::new();
    for lo in starts {
        let inside = |list: &Vec<(i64, usize)>| -> Vec<usize> {
            list.iter()
                .filter(|(s, _)| *s >= lo && *s <= lo + slop)
                .map(|(_, i)| *i)
                .collect()
        };
        let chosen: Vec<Vec<usize>> = shifted.iter().map(inside).collect();
        if chosen.iter().any(Vec::is_empty) {
            continue;
        }
        let all = chosen.iter().flatten().map(|&i| &tokens[i]);
        if slop == 0 {
            let from = all.clone().map(|t| t.from).min().unwrap_or(0);
            let to = all.map(|t| t.to).max().unwrap_or(0);
            out.push(from..to);
        } else {
            out.extend(all.map(|t| t.from..t.to));
        }
    }
    out
}

/// Sorts highlights and merges those that overlap or touch.
fn merge(mut highlights: Vec<Highlight>) -> Vec<Highlight> {
    highlights.sort_by_key(|h| (h.range.start, h.range.end));
    let mut out: Vec<Highlight> = Vec::with_capacity(highlights.len());
    for h in highlights {
        match out.last_mut() {
            Some(last) if h.range.start <= last.range.end => {
                last.range.end = last.range.end.max(h.range.end);
                last.leaves |= h.leaves;
            }
            _ => out.push(h),
        }
    }
    out
}

#[cfg(test)]
mod tests;
