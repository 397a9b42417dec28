//! Any query string: `plan()` answers Ok or Err in both modes, never panics,
//! and a plan only refers to leaves it has.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::schema::TextField;
use quarry::search::plan::{Mode, Node, PrefixExpander, plan};

/// Expands a prefix over a fixed small vocabulary.
struct Fixed;

const WORDS: &[&str] = &[
    "alpha",
    "alpine",
    "beta",
    "intrusion",
    "intruders",
    "network",
    "zürich",
];

impl PrefixExpander for Fixed {
    fn expand(
        &self,
        _field: TextField,
        prefix: &str,
    ) -> quarry::error::Result<(Vec<String>, bool)> {
        let words = WORDS
            .iter()
            .filter(|w| w.starts_with(prefix))
            .map(|w| w.to_string());
        Ok((words.collect(), false))
    }
}

fn leaves_in_range(node: &Node, leaves: usize) -> bool {
    match node {
        Node::Leaf(id) => *id < leaves,
        Node::Bool(clauses) => clauses.iter().all(|(_, n)| leaves_in_range(n, leaves)),
        Node::Boost(inner, _) => leaves_in_range(inner, leaves),
        Node::All | Node::Filter(_) => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    for mode in [Mode::All, Mode::Any] {
        if let Ok(p) = plan(&query, mode, &Fixed) {
            assert!(leaves_in_range(&p.root, p.leaves.len()), "{query:?}: {p:?}");
        }
    }
});
