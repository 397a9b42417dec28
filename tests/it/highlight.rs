//! What is highlighted: exactly what the query matched, never a word of a
//! failed branch or of a negation.

use crate::harness::{Hit, TestEnv};

/// The one hit of `query` on a corpus of one passage.
fn only_hit(text: &str, query: &str) -> Hit {
    let env = TestEnv::new(&[("doc.txt", text)]);
    let (mut hits, _) = env.search_json(&[query]);
    assert_eq!(hits.len(), 1, "for {query}: {hits:?}");
    hits.remove(0)
}

#[test]
fn prefix_highlights_cover_exactly_the_expanded_words() {
    let env = TestEnv::new(&[
        ("a.txt", "Network intrusion detection failed twice."),
        ("b.txt", "The intruders left no trace behind."),
        ("c.txt", "They intrude only at night, an introduction."),
    ]);
    let (hits, _) = env.search_json(&["intru*"]);
    let mut marked: Vec<&str> = hits.iter().flat_map(Hit::marked).collect();
    marked.sort_unstable();
    assert_eq!(marked, ["intrude", "intruders", "intrusion"]);
}

#[test]
fn a_phrase_marks_its_occurrence_not_its_lone_words() {
    let text = "cyber attacks and the theft of cyber theft data";
    let hit = only_hit(text, "\"cyber theft\"");
    let at = text.find("cyber theft").expect("the phrase is there");
    assert_eq!(hit.highlights, [[at, at + "cyber theft".len()]]);
}

#[test]
fn a_negated_word_absent_from_the_passage_marks_only_the_positive_word() {
    let hit = only_hit(
        "cyber attacks were common in the region",
        "cyber -espionage",
    );
    assert_eq!(hit.marked(), ["cyber"]);
}

#[test]
fn words_of_a_not_clause_are_never_marked() {
    let env = TestEnv::new(&[("doc.txt", "zinc mines opened, and copper mines closed")]);
    let (hits, _) = env.search_json(&["mines NOT (gold AND copper)"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].marked(), ["mines", "mines"]);
}

#[test]
fn an_or_branch_that_did_not_match_is_not_marked() {
    let text = "zinc and copper mines near the river";
    // "copper wire" is not in the passage: copper must stay plain.
    let hit = only_hit(text, "(\"copper wire\" OR zinc) mines");
    assert_eq!(hit.marked(), ["zinc", "mines"]);
    // copper AND gold fails (no gold): copper must stay plain.
    let hit = only_hit(text, "((copper AND gold) OR zinc) mines");
    assert_eq!(hit.marked(), ["zinc", "mines"]);
    // Both branches match: both are marked.
    let hit = only_hit(text, "(copper OR zinc) mines");
    assert_eq!(hit.marked(), ["zinc", "copper", "mines"]);
}
