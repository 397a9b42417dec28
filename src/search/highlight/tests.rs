//! Unit tests, compiled only under `#[cfg(test)]`: an `unwrap` or `expect`
//! here fails the test on bad data, which is what it is for.

use proptest::prelude::*;

use super::*;
use crate::search::plan::{Mode, plan};

use crate::search::plan::tests::Words;

/// The highlighted substrings of `body` for `query`.
fn marked(query: &str, body: &str) -> Vec<String> {
    let expander = Words(vec!["intrusion", "intrusions", "intruder", "running"]);
    let p = plan(query, Mode::All, &expander).unwrap();
    let mut analyzers = Analyzers::default();
    let marks = highlight(&p, &analyzers.tokens(""), &analyzers.tokens(body));
    marks
        .body
        .iter()
        .map(|h| body[h.range.clone()].to_string())
        .collect()
}

#[test]
fn stemmed_variants_are_marked() {
    assert_eq!(
        marked("intrusion", "Two intrusions and one Intrusion."),
        ["intrusions", "Intrusion"]
    );
}

#[test]
fn a_phrase_is_marked_only_where_it_occurs() {
    let body = "cyber attacks and the theft of data; cyber theft again";
    assert_eq!(marked("\"cyber theft\"", body), ["cyber theft"]);
}

#[test]
fn sloppy_phrases_mark_their_words_only() {
    let body = "pipe and cable routing; routing elsewhere";
    assert_eq!(marked("\"pipe routing\"~2", body), ["pipe", "routing"]);
    assert!(marked("\"pipe routing\"~1", body).is_empty());
}

#[test]
fn negated_words_are_never_marked() {
    assert_eq!(marked("cyber -espionage", "cyber crime"), ["cyber"]);
    assert!(marked("cyber -espionage", "cyber espionage").is_empty());
    assert_eq!(marked("cyber AND NOT espionage", "cyber crime"), ["cyber"]);
}

#[test]
fn branches_that_did_not_match_are_not_marked() {
    // (+a +b) OR c on "a c": only c matched.
    assert_eq!(
        marked("(alpha AND beta) OR gamma", "alpha gamma"),
        ["gamma"]
    );
}

#[test]
fn prefixes_mark_every_word_with_the_stem_of_an_expansion() {
    // The indexed words are intrusion, intrusions, intruder and running:
    // `intru*` searches their stems (intrus, intrud), as if each had been
    // typed, so `intrude` is marked too.
    assert_eq!(
        marked("intru*", "An intruder, intrusions, intrude, intrepid."),
        ["intruder", "intrusions", "intrude"]
    );
    assert_eq!(
        marked("runn*", "Running and runs, rung"),
        ["Running", "runs"]
    );
    assert!(marked("runs*", "Running and runs").is_empty());
}

#[test]
fn adjacent_marks_merge_into_one_range() {
    assert_eq!(marked("cyber OR theft", "cyber theft"), ["cyber", "theft"]);
    assert_eq!(
        marked("\"cyber theft\" OR theft", "cyber theft"),
        ["cyber theft"]
    );
}

#[test]
fn a_passage_the_plan_does_not_match_gets_no_marks() {
    let expander = Words(vec![]);
    let p = plan("alpha beta", Mode::All, &expander).unwrap();
    let mut a = Analyzers::default();
    let marks = highlight(&p, &a.tokens(""), &a.tokens("alpha only"));
    assert!(!marks.matched);
    assert!(marks.body.is_empty());
}

#[test]
fn title_matches_are_marked_in_the_title() {
    let p = plan("title:westinghouse", Mode::All, &Words(vec![])).unwrap();
    let mut a = Analyzers::default();
    let marks = highlight(
        &p,
        &a.tokens("Westinghouse case"),
        &a.tokens("westinghouse"),
    );
    assert_eq!(marks.title.len(), 1);
    assert!(
        marks.body.is_empty(),
        "a title: query must not mark the body"
    );
}

fn word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "cyber",
        "theft",
        "thefts",
        "intrusion",
        "intrusions",
        "café",
        "cafe\u{301}",
        "of",
        "the",
        "Theft",
        "dying",
        "die",
        "skies",
        "sky",
        "ugly",
        "running",
    ])
}

fn query() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        word().prop_map(str::to_string),
        (word(), word()).prop_map(|(a, b)| format!("\"{a} {b}\"")),
        (word(), word(), 0u32..3).prop_map(|(a, b, s)| format!("\"{a} {b}\"~{s}")),
        Just("intru*".to_string()),
    ];
    prop::collection::vec((leaf, prop::sample::select(vec!["", "-", "OR "])), 1..4).prop_map(
        |parts| {
            let mut q: Vec<String> = parts.iter().map(|(l, op)| format!("{op}{l}")).collect();
            if q.iter().all(|p| p.starts_with('-')) {
                q.push("cyber".to_string());
            }
            q.join(" ").trim_start_matches("OR ").to_string()
        },
    )
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (word(), prop::sample::select(vec![" ", ", ", ".\n", "  "])),
        0..40,
    )
    .prop_map(|parts| parts.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every range is inside the text, on char boundaries, sorted,
    /// disjoint, and starts and ends on a token that a positive leaf of the
    /// query matches.
    #[test]
    fn highlights_are_well_formed_and_cover_matching_tokens(q in query(), body in text()) {
        let expander = Words(vec!["intrusion", "intrusions"]);
        let Ok(p) = plan(&q, Mode::All, &expander) else { return Ok(()) };
        let mut a = Analyzers::default();
        let tokens = a.tokens(&body);
        let marks = highlight(&p, &[], &tokens);
        let mut prev_end = 0;
        for h in &marks.body {
            prop_assert!(h.range.start >= prev_end && h.range.start < h.range.end);
            prop_assert!(h.range.end <= body.len());
            prop_assert!(body.is_char_boundary(h.range.start) && body.is_char_boundary(h.range.end));
            prev_end = h.range.end + 1;
            let first = tokens.iter().find(|t| t.from == h.range.start);
            let last = tokens.iter().find(|t| t.to == h.range.end);
            prop_assert!(first.is_some() && last.is_some(), "range {:?} not on tokens", h.range);
            let known = |t: &Token| p.leaves.iter().flat_map(|l| &l.targets).any(|(_, m)| match m {
                Matcher::Term(term) => &t.stem == term,
                Matcher::Phrase { terms, .. } => terms.iter().any(|(_, term)| &t.stem == term),
                Matcher::Prefix { expansions, .. } => expansions.contains(&t.stem),
            });
            let plausible = known(first.unwrap()) && known(last.unwrap());
            prop_assert!(plausible, "marked {:?} for {q}", h.range);
        }
        if !marks.matched {
            prop_assert!(marks.body.is_empty());
        }
    }

    /// Highlighting from only the tokens a plan can match (what searches
    /// do) gives the marks of all tokens, in the title and the body.
    #[test]
    fn the_tokens_a_plan_can_match_give_the_same_marks(
        q in query(),
        title in text(),
        body in text(),
    ) {
        let expander = Words(vec!["intrusion", "intrusions", "intruder"]);
        let Ok(p) = plan(&q, Mode::All, &expander) else { return Ok(()) };
        let mut a = Analyzers::default();
        let vocabulary = Vocabulary::of(&p);
        let all = highlight(&p, &a.tokens(&title), &a.tokens(&body));
        let some = highlight(
            &p,
            &a.tokens_for(&title, &vocabulary),
            &a.tokens_for(&body, &vocabulary),
        );
        prop_assert_eq!(all, some);
    }

    /// Negation only removes highlights: with `-w` added, no token whose
    /// stem is w's stem is marked.
    #[test]
    fn negated_words_are_never_marked_prop(q in query(), body in text(), neg in word()) {
        let full = format!("{q} -{neg}");
        let Ok(p) = plan(&full, Mode::All, &Words(vec![])) else { return Ok(()) };
        let mut a = Analyzers::default();
        let tokens = a.tokens(&body);
        let neg_stem = a.tokens(neg)[0].stem.clone();
        // A stop word has no stem: it is not searchable, so `-of` excludes
        // nothing (as in Lucene).
        prop_assume!(!neg_stem.is_empty());
        let marks = highlight(&p, &[], &tokens);
        if tokens.iter().any(|t| t.stem == neg_stem) {
            prop_assert!(!marks.matched && marks.body.is_empty());
        }
    }
}

#[test]
fn stop_words_keep_the_other_tokens_aligned() {
    let mut a = Analyzers::default();
    let tokens = a.tokens("The cyber theft of data");
    let pairs: Vec<(&str, &str)> = tokens
        .iter()
        .map(|t| (t.word.as_str(), t.stem.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("the", ""),
            ("cyber", "cyber"),
            ("theft", "theft"),
            ("of", ""),
            ("data", "data")
        ]
    );
    let body = "The cyber theft finding";
    assert_eq!(marked("\"cyber theft\"", body), ["cyber theft"]);
}
