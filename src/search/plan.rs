//! The query plan: the user's query parsed once into tantivy's grammar AST
//! and turned into one tree that both builds the tantivy query
//! ([`super::query`]) and decides what to highlight ([`super::highlight`]),
//! so that what is marked and what matched cannot disagree.
//!
//! Differences from tantivy's own `QueryParser`, each on purpose:
//! - `word*` is a true prefix over the indexed words (tantivy reads it as
//!   the plain word `word`): every word that starts so, each searched as a
//!   word is (by its stem), and every stem that starts so;
//! - words are ANDed by default, and a run of words joined by `OR` forms
//!   one group: `a b OR c` means `a AND (b OR c)`;
//! - a nested clause of only negations (`a AND NOT b`) means "not b"
//!   (tantivy 0.27 matches nothing there);
//! - a query of only negations is refused rather than matching everything.

use tantivy::query::Occur;
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::error::{Error, Result};
use crate::schema::{self, TextField};

mod plain;

/// How words without an operator combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every word must match (the default).
    All,
    /// Any word is enough; more matching words rank higher.
    Any,
}

/// Index of a leaf in [`Plan::leaves`].
pub type LeafId = usize;

/// A node of the plan.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Bool(Vec<(Occur, Node)>),
    Boost(Box<Node>, f32),
    Leaf(LeafId),
    /// Every passage (used under a clause of only negations).
    All,
    /// A condition on metadata: matches or not, never scores or highlights.
    Filter(Filter),
}

/// A metadata condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Publication date in `[from, to)` (seconds since the epoch); `None`
    /// is unbounded. Documents without a date never match.
    Date { from: Option<i64>, to: Option<i64> },
    /// Source, exactly, ignoring case (stored lowercased).
    Source(String),
}

impl Filter {
    /// `[from, to]` given as dates (`2018-01-01`, `2018-03`, `2018`): both
    /// ends inclusive, each end covering its whole period.
    pub fn date_range(from: Option<&str>, to: Option<&str>) -> std::result::Result<Filter, String> {
        let parse = |text: &str| {
            crate::corpus::normalize_date(text)
                .ok_or_else(|| format!("'{text}' is not a date (use YYYY-MM-DD)"))
        };
        let from = from.map(parse).transpose()?.map(|d| d.seconds);
        let to = to.map(parse).transpose()?.map(|d| d.end_seconds());
        Ok(Filter::Date { from, to })
    }
}

/// One literal of the query, searched in one or more fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    pub targets: Vec<(TextField, Matcher)>,
}

/// What a leaf looks for in a field, as analyzed terms.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// A stemmed term.
    Term(String),
    /// Stemmed terms with their positions relative to the first, and the
    /// slop (0 = exact phrase).
    Phrase {
        terms: Vec<(usize, String)>,
        slop: u32,
    },
    /// The stems of the indexed words that start with `prefix`, and the
    /// indexed stems that do: the same set is searched and highlighted.
    Prefix {
        prefix: String,
        expansions: Vec<String>,
        truncated: bool,
    },
}

/// The plan of a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub root: Node,
    pub leaves: Vec<Leaf>,
    /// Some words were joined by the implicit AND: searching again with
    /// [`Mode::Any`] could find more.
    pub has_implicit_and: bool,
}

/// Finds the stems of the indexed words that start with a prefix.
pub trait PrefixExpander {
    /// At most a bounded number of stems that `field` holds, most frequent
    /// first, and whether some were left out.
    fn expand(&self, field: TextField, prefix: &str) -> Result<(Vec<String>, bool)>;
}

/// What `prefix*` searches in a text of `words`, each stem once, in
/// order: the stems of the words that start with `prefix`, and the stems
/// that do (stop words have none). An index finds the first in its
/// listed words (`words` field) and the second in its dictionary of stems.
pub fn prefix_stems<'a>(
    words: impl IntoIterator<Item = &'a str>,
    prefix: &str,
) -> std::collections::BTreeSet<String> {
    words
        .into_iter()
        .filter_map(|word| {
            let stem = schema::stem(word)?;
            (word.starts_with(prefix) || stem.starts_with(prefix)).then_some(stem)
        })
        .collect()
}

/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 4096;
/// Most terms (words of all leaves, phrase words included) in one query.
pub const MAX_TERMS: usize = 64;
/// Largest boost accepted (`word^1000`): more would overflow scores.
pub const MAX_BOOST: f64 = 1000.0;
/// Largest phrase slop accepted (`"a b"~100`).
pub const MAX_SLOP: u32 = 100;
/// Deepest nesting of parentheses accepted: tantivy's grammar recurses per
/// level and overflows the stack on a few thousand.
pub const MAX_DEPTH: usize = 32;

pub use plain::{MAX_PLAIN_BYTES, MAX_PLAIN_TERMS, plain};

/// Plans `query` in `mode`.
pub fn plan(query: &str, mode: Mode, expander: &dyn PrefixExpander) -> Result<Plan> {
    check_limits(query)?;
    let ast = tantivy::query_grammar::parse_query(query).map_err(|_| syntax_error(query))?;
    let mut planner = Planner {
        query,
        mode,
        expander,
        stemmed: schema::stemmed_analyzer(),
        words: schema::words_analyzer(),
        leaves: Vec::new(),
        has_implicit_and: false,
    };
    let mut root = planner
        .node(ast)?
        .ok_or_else(|| Error::query(query, "it has no searchable words"))?;
    fill_negative_clauses(&mut root, true);
    let terms: usize = planner
        .leaves
        .iter()
        .filter_map(|leaf| leaf.targets.first())
        .map(|(_, m)| match m {
            Matcher::Phrase { terms, .. } => terms.len(),
            _ => 1,
        })
        .sum();
    if terms > MAX_TERMS {
        return Err(Error::query(
            head(query),
            format!("it has {terms} terms, more than the limit of {MAX_TERMS}"),
        ));
    }
    if let Node::Bool(clauses) = &root
        && clauses.iter().all(|(occur, _)| *occur == Occur::MustNot)
    {
        return Err(Error::query(
            query,
            "it only excludes words; add a word to search for",
        ));
    }
    Ok(Plan {
        root,
        leaves: planner.leaves,
        has_implicit_and: planner.has_implicit_and,
    })
}

/// Refuses queries too long or too deeply nested to parse safely, before
/// the parser sees them.
fn check_limits(query: &str) -> Result<()> {
    if query.len() > MAX_QUERY_BYTES {
        let reason = format!("it is longer than the limit of {MAX_QUERY_BYTES} bytes");
        return Err(Error::query(head(query), reason));
    }
    // Every parenthesis counts, quoted or not: tracking quotes would have
    // to mirror the grammar's escapes (`\"`), and a miss lets a deep query
    // through to a recursive parser. Forty parentheses inside a phrase are
    // refused too, which costs nothing real.
    let mut depth = 0usize;
    for c in query.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            let reason = format!("parentheses nest deeper than the limit of {MAX_DEPTH}");
            return Err(Error::query(head(query), reason));
        }
    }
    Ok(())
}

/// The first 60 chars of an oversized query, to name it in an error.
fn head(query: &str) -> &str {
    let end = query.char_indices().nth(60).map_or(query.len(), |(i, _)| i);
    &query[..end]
}

fn syntax_error(query: &str) -> Error {
    let (_, errors) = tantivy::query_grammar::parse_query_lenient(query);
    let reason = errors.first().map_or_else(
        || "syntax error".to_string(),
        |e| format!("{} at character {}", e.message, e.pos + 1),
    );
    Error::query(query, reason)
}

struct Planner<'a> {
    query: &'a str,
    mode: Mode,
    expander: &'a dyn PrefixExpander,
    stemmed: TextAnalyzer,
    words: TextAnalyzer,
    leaves: Vec<Leaf>,
    has_implicit_and: bool,
}

impl Planner<'_> {
    /// The plan of an AST node, or `None` when nothing searchable is left
    /// (a literal of punctuation only).
    fn node(&mut self, ast: UserInputAst) -> Result<Option<Node>> {
        match ast {
            UserInputAst::Clause(children) => self.clause(children),
            UserInputAst::Boost(inner, boost) => {
                let boost = boost.into_inner();
                if !(0.0..=MAX_BOOST).contains(&boost) {
                    return Err(Error::query(
                        self.query,
                        format!("boost {boost} is outside 0 to {MAX_BOOST}"),
                    ));
                }
                Ok(self
                    .node(*inner)?
                    .map(|node| Node::Boost(Box::new(node), boost as f32)))
            }
            UserInputAst::Leaf(leaf) => self.leaf(*leaf),
        }
    }

    fn clause(&mut self, children: Vec<(Option<Occur>, UserInputAst)>) -> Result<Option<Node>> {
        let mut clauses: Vec<(Occur, Node)> = Vec::new();
        let mut or_run: Vec<Node> = Vec::new();
        let mut implicit = 0;
        let mut has_or_run = false;
        for (occur, child) in children {
            let Some(node) = self.node(child)? else {
                continue;
            };
            if occur == Some(Occur::Should) {
                or_run.push(node);
                continue;
            }
            if !or_run.is_empty() {
                clauses.push(self.or_group(std::mem::take(&mut or_run)));
                has_or_run = true;
            }
            let occur = match (occur, &node) {
                // A metadata condition is a requirement in any mode.
                (None, Node::Filter(_)) => Occur::Must,
                (Some(occur), _) => occur,
                (None, _) => {
                    implicit += 1;
                    self.default_occur()
                }
            };
            clauses.push((occur, node));
        }
        if !or_run.is_empty() {
            if clauses.is_empty() {
                clauses = or_run.into_iter().map(|n| (Occur::Should, n)).collect();
            } else {
                clauses.push(self.or_group(or_run));
                has_or_run = true;
            }
        }
        if self.mode == Mode::All && implicit + usize::from(has_or_run) > 1 {
            self.has_implicit_and = true;
        }
        Ok(simplify(clauses))
    }

    fn default_occur(&self) -> Occur {
        match self.mode {
            Mode::All => Occur::Must,
            Mode::Any => Occur::Should,
        }
    }

    /// Words joined by OR next to other words: one required group.
    fn or_group(&self, run: Vec<Node>) -> (Occur, Node) {
        let node = if run.len() == 1 {
            run.into_iter().next().unwrap_or(Node::All)
        } else {
            Node::Bool(run.into_iter().map(|n| (Occur::Should, n)).collect())
        };
        (self.default_occur(), node)
    }

    fn leaf(&mut self, leaf: UserInputLeaf) -> Result<Option<Node>> {
        match leaf {
            UserInputLeaf::Literal(literal) => self.literal(literal),
            UserInputLeaf::All => Ok(Some(Node::All)),
            UserInputLeaf::Range {
                field: Some(field),
                lower,
                upper,
            } if field == "date" => {
                let bound = |b: &tantivy::query_grammar::UserInputBound| match b {
                    tantivy::query_grammar::UserInputBound::Unbounded => None,
                    other => Some(other.term_str().to_string()),
                };
                let (from, to) = (bound(&lower), bound(&upper));
                let filter = Filter::date_range(from.as_deref(), to.as_deref())
                    .map_err(|reason| Error::query(self.query, reason))?;
                Ok(Some(Node::Filter(filter)))
            }
            UserInputLeaf::Range { .. } => {
                Err(self.unsupported("range queries other than date:[A TO B]"))
            }
            UserInputLeaf::Set { .. } => Err(self.unsupported("set queries (IN [...])")),
            UserInputLeaf::Exists { .. } => Err(self.unsupported("field existence queries")),
            UserInputLeaf::Regex { .. } => Err(self.unsupported("regular expressions")),
        }
    }

    fn unsupported(&self, what: &str) -> Error {
        Error::query(self.query, format!("{what} are not supported"))
    }

    fn literal(&mut self, literal: UserInputLiteral) -> Result<Option<Node>> {
        match literal.field_name.as_deref() {
            Some("source") => {
                let source = literal.phrase.trim().to_lowercase();
                return Ok(Some(Node::Filter(Filter::Source(source))));
            }
            Some("date") => {
                let filter = Filter::date_range(Some(&literal.phrase), Some(&literal.phrase))
                    .map_err(|reason| Error::query(self.query, reason))?;
                return Ok(Some(Node::Filter(filter)));
            }
            _ => {}
        }
        let fields = match &literal.field_name {
            None => TextField::ALL.to_vec(),
            Some(name) => vec![TextField::from_name(name).ok_or_else(|| {
                Error::query(
                    self.query,
                    format!(
                        "unknown field '{name}' (fields: title, body, source, date; quote the text to search for it)"
                    ),
                )
            })?],
        };
        let matcher = match prefix_of(&literal) {
            Some(prefix) => return self.prefix(&fields, prefix).map(Some),
            None => self.terms(&literal)?,
        };
        let Some(matcher) = matcher else {
            return Ok(None);
        };
        let targets = fields.into_iter().map(|f| (f, matcher.clone())).collect();
        Ok(Some(self.push(Leaf { targets })))
    }

    fn push(&mut self, leaf: Leaf) -> Node {
        self.leaves.push(leaf);
        Node::Leaf(self.leaves.len() - 1)
    }

    /// A term or a phrase from the literal's stemmed tokens.
    fn terms(&mut self, literal: &UserInputLiteral) -> Result<Option<Matcher>> {
        if literal.slop > MAX_SLOP {
            return Err(Error::query(
                self.query,
                format!(
                    "phrase slop {} is over the limit of {MAX_SLOP}",
                    literal.slop
                ),
            ));
        }
        Ok(self.terms_unchecked(literal))
    }

    fn terms_unchecked(&mut self, literal: &UserInputLiteral) -> Option<Matcher> {
        let tokens = analyze(&mut self.stemmed, &literal.phrase);
        match tokens.as_slice() {
            [] => None,
            [(_, term)] => Some(Matcher::Term(term.clone())),
            [(first, _), ..] => Some(Matcher::Phrase {
                terms: tokens.iter().map(|(p, t)| (p - first, t.clone())).collect(),
                slop: literal.slop,
            }),
        }
    }

    fn prefix(&mut self, fields: &[TextField], prefix: &str) -> Result<Node> {
        let tokens = analyze(&mut self.words, prefix);
        let [(_, word)] = tokens.as_slice() else {
            return Err(Error::query(
                self.query,
                format!("the prefix '{prefix}*' must be a single word"),
            ));
        };
        let mut targets = Vec::new();
        for &field in fields {
            let (expansions, truncated) = self.expander.expand(field, word)?;
            let matcher = Matcher::Prefix {
                prefix: word.clone(),
                expansions,
                truncated,
            };
            targets.push((field, matcher));
        }
        Ok(self.push(Leaf { targets }))
    }
}

/// The prefix text of `word*` (one trailing star) or of a quoted `"word"*`.
fn prefix_of(literal: &UserInputLiteral) -> Option<&str> {
    let text = literal.phrase.as_str();
    if literal.prefix {
        return Some(text);
    }
    let stem = text.strip_suffix('*')?;
    (literal.delimiter == Delimiter::None && !stem.is_empty() && !stem.contains('*'))
        .then_some(stem)
}

/// (position, term) of each token of `text`.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.position, token.text.clone()));
    }
    out
}

/// Drops empty clauses, unwraps a clause of one positive child, and gives a
/// clause of only negations an `All` to subtract from.
fn simplify(mut clauses: Vec<(Occur, Node)>) -> Option<Node> {
    match clauses.as_slice() {
        [] => None,
        [(Occur::Must | Occur::Should, _)] => clauses.pop().map(|(_, node)| node),
        _ => Some(Node::Bool(clauses)),
    }
}

/// Gives nested clauses of only negations an `All` child, so that
/// `a AND NOT b` means a without b. The root is left alone (a query of
/// only negations is refused).
fn fill_negative_clauses(node: &mut Node, is_root: bool) {
    match node {
        Node::Bool(clauses) => {
            for (_, child) in clauses.iter_mut() {
                fill_negative_clauses(child, false);
            }
            if !is_root && clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                clauses.push((Occur::Must, Node::All));
            }
        }
        Node::Boost(inner, _) => fill_negative_clauses(inner, is_root),
        Node::Leaf(_) | Node::All | Node::Filter(_) => {}
    }
}

#[cfg(test)]
pub(crate) mod tests;
