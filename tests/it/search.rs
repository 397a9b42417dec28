//! The query language and exit codes of `quarry search`.

use crate::harness::{TestEnv, paths};

fn pipes() -> TestEnv {
    TestEnv::new(&[
        (
            "adjacent.txt",
            "The contractor copied the pipe routing plans for the new reactor.",
        ),
        (
            "apart.txt",
            "Every pipe needs careful routing through the turbine hall.",
        ),
    ])
}

#[test]
fn a_quoted_phrase_needs_its_words_adjacent() {
    let env = pipes();
    let (hits, summary) = env.search_json(&["\"pipe routing\""]);
    assert_eq!(paths(&hits), ["adjacent.txt"]);
    assert_eq!(summary.total_hits, 1);
}

#[test]
fn a_phrase_with_slop_allows_words_in_between() {
    let env = pipes();
    // "pipe needs careful routing": two words in between.
    let (hits, _) = env.search_json(&["\"pipe routing\"~3"]);
    let mut found = paths(&hits);
    found.sort_unstable();
    assert_eq!(found, ["adjacent.txt", "apart.txt"]);
    let (hits, _) = env.search_json(&["\"pipe routing\"~1"]);
    assert_eq!(
        paths(&hits),
        ["adjacent.txt"],
        "slop 1 is not enough for two words between"
    );
}

#[test]
fn a_prefix_finds_every_word_that_starts_with_it() {
    let env = TestEnv::new(&[
        ("a.txt", "Network intrusion detection failed twice."),
        ("b.txt", "The intruders left no trace behind."),
        ("c.txt", "They intrude only at night."),
        ("d.txt", "An introduction to gardening in spring."),
    ]);
    let (hits, summary) = env.search_json(&["intru*"]);
    let mut found = paths(&hits);
    found.sort_unstable();
    assert_eq!(found, ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(summary.total_hits, 3);
}

#[test]
fn a_prefix_searches_each_indexed_word_it_starts_as_a_word() {
    // The stem of "running" is "run": a prefix over stems would miss it.
    // The prefix finds "running" among the indexed words and searches it
    // as the query `running` would, so "runs" (stem "run") matches too.
    let env = TestEnv::new(&[
        ("a.txt", "She was running late for the ferry."),
        ("b.txt", "He runs along the harbour every day."),
    ]);
    let (hits, _) = env.search_json(&["runn*"]);
    let mut marked: Vec<(&str, Vec<&str>)> =
        hits.iter().map(|h| (h.path.as_str(), h.marked())).collect();
    marked.sort();
    assert_eq!(
        marked,
        [("a.txt", vec!["running"]), ("b.txt", vec!["runs"])]
    );
    // Without an indexed word that starts with "runn", nothing matches,
    // although "run" is indexed.
    let env = TestEnv::new(&[("b.txt", "He runs along the harbour every day.")]);
    let (hits, summary) = env.search_json(&["runn*"]);
    assert!(hits.is_empty(), "{hits:?}");
    assert_eq!(summary.total_hits, 0);
}

#[test]
fn a_prefix_of_a_stem_finds_its_words() {
    // No word starts with "happi", but the stem of "happy" does.
    let env = TestEnv::new(&[
        ("a.txt", "They were happy to sign the accord."),
        ("b.txt", "The harbour was quiet."),
    ]);
    let (hits, _) = env.search_json(&["happi*"]);
    assert_eq!(paths(&hits), ["a.txt"]);
    assert_eq!(hits[0].marked(), ["happy"]);
}

#[test]
fn a_prefix_finds_words_from_every_part_of_a_file_with_many_words() {
    // An indexing thread forgets a file's listed words after 50,000 (and
    // lists later ones again): words from the first passages and from the
    // last must both be found. Each is one that only the listed words give
    // back: `qabcdezings*` is no prefix of its stem.
    let words: Vec<String> = (0..60_000)
        .map(|i| {
            let letters: String = format!("{i:05}")
                .bytes()
                .map(|d| char::from(b'a' + (d - b'0')))
                .collect();
            format!("q{letters}zings")
        })
        .collect();
    let text = words
        .chunks(100)
        .map(|chunk| chunk.join(" "))
        .collect::<Vec<_>>()
        .join(".\n\n");
    let env = TestEnv::new(&[("many.txt", &text)]);
    // One indexing thread, so that it does list 50,000 words and start over.
    env.index_with(&["--threads", "1"]).assert_code(0);
    for word in [&words[0], &words[30_000], &words[59_999]] {
        let (hits, _) = env.search_json(&[&format!("{word}*")]);
        assert_eq!(hits.len(), 1, "{word}*");
        assert_eq!(hits[0].marked(), [word.as_str()], "{word}*");
    }
}

fn cyber() -> TestEnv {
    TestEnv::new(&[
        ("first.txt", "Cyber attacks on regional banks rose sharply."),
        ("second.txt", "Cyber theft of turbine designs was reported."),
    ])
}

#[test]
fn negation_excludes_passages_in_every_spelling() {
    let env = cyber();
    for query in ["cyber -theft", "cyber NOT theft", "cyber AND NOT theft"] {
        let (hits, summary) = env.search_json(&[query]);
        assert_eq!(paths(&hits), ["first.txt"], "for {query}");
        assert_eq!(summary.total_hits, 1, "for {query}");
    }
}

#[test]
fn a_query_of_only_negations_is_refused() {
    let env = cyber();
    env.index();
    let out = env.search(&["--", "-theft"]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    let errors = out.stderr_lines("error:");
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].contains("-theft"),
        "the error names the query: {}",
        errors[0]
    );
}

#[test]
fn a_word_finds_its_other_forms() {
    let env = TestEnv::new(&[("a.txt", "Several intrusions were recorded last year.")]);
    let (hits, _) = env.search_json(&["intrusion"]);
    assert_eq!(paths(&hits), ["a.txt"]);
    assert_eq!(hits[0].marked(), ["intrusions"]);
}

#[test]
fn a_field_query_searches_only_that_field() {
    let env = TestEnv::new(&[
        (
            "indictment.txt",
            "Westinghouse indictment\n\nFive officers were charged in May.",
        ),
        (
            "trade.txt",
            "Trade news\n\nThe Westinghouse plant was mentioned in passing.",
        ),
    ]);
    let (hits, _) = env.search_json(&["title:westinghouse"]);
    assert_eq!(paths(&hits), ["indictment.txt"]);
    assert_eq!(hits[0].title, "Westinghouse indictment");
    // Without the field, both match.
    let (hits, _) = env.search_json(&["westinghouse"]);
    assert_eq!(hits.len(), 2);
}

fn thefts() -> TestEnv {
    TestEnv::new(&[
        ("one.txt", "Cyber theft of pipe designs was charged."),
        ("two.txt", "Cyber attacks hit the power grid."),
        ("three.txt", "The theft of paintings shocked the town."),
    ])
}

#[test]
fn words_are_all_required_by_default() {
    let env = thefts();
    env.index();
    let out = env.search(&["--format", "json", "cyber theft"]);
    out.assert_code(0);
    assert!(out.stderr_lines("note:").is_empty(), "{}", out.stderr);
    let (hits, summary) = out.json();
    assert_eq!(paths(&hits), ["one.txt"]);
    assert_eq!(summary.total_hits, 1);
    assert!(!summary.fallback_any);
}

#[test]
fn any_flag_accepts_passages_with_either_word() {
    let env = thefts();
    env.index();
    let out = env.search(&["--format", "json", "--any", "cyber theft"]);
    out.assert_code(0);
    assert!(out.stderr_lines("note:").is_empty(), "{}", out.stderr);
    let (hits, summary) = out.json();
    assert_eq!(hits[0].path, "one.txt", "both words rank first");
    let mut found = paths(&hits);
    found.sort_unstable();
    assert_eq!(found, ["one.txt", "three.txt", "two.txt"]);
    assert!(!summary.fallback_any);
}

#[test]
fn without_a_passage_having_all_words_any_word_is_enough_with_a_note() {
    let env = TestEnv::new(&[
        ("two.txt", "Cyber attacks hit the power grid."),
        ("three.txt", "The theft of paintings shocked the town."),
    ]);
    env.index();
    let out = env.search(&["--format", "json", "cyber theft"]);
    out.assert_code(0);
    assert_eq!(out.stderr_lines("note:").len(), 1, "{}", out.stderr);
    let (hits, summary) = out.json();
    let mut found = paths(&hits);
    found.sort_unstable();
    assert_eq!(found, ["three.txt", "two.txt"]);
    assert!(summary.fallback_any);
    assert_eq!(summary.total_hits, 2);

    let out = env.search(&["--format", "json", "--any", "cyber theft"]);
    out.assert_code(0);
    assert!(out.stderr_lines("note:").is_empty(), "{}", out.stderr);
    assert!(!out.json().1.fallback_any);
}

#[test]
fn exit_code_is_0_with_hits_and_1_without() {
    let env = cyber();
    env.index();
    let out = env.search(&["banks"]);
    out.assert_code(0);
    assert!(out.stdout.contains("first.txt"), "{}", out.stdout);

    let out = env.search(&["zeppelin"]);
    out.assert_code(1);
    assert_eq!(out.stdout, "");
    assert!(out.stderr_lines("error:").is_empty(), "{}", out.stderr);
}

#[test]
fn a_bad_query_is_exit_2_with_one_error_line() {
    let env = cyber();
    env.index();
    for query in ["foo:bar", "\"unclosed"] {
        let out = env.search(&[query]);
        assert_eq!(out.code, 2, "for {query}: {out:#?}");
        assert_eq!(out.stdout, "", "for {query}");
        assert!(
            !out.stderr.contains("panicked"),
            "for {query}: {}",
            out.stderr
        );
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "for {query}: {}", out.stderr);
        assert!(
            lines[0].starts_with("error:"),
            "for {query}: {}",
            out.stderr
        );
    }
}

#[test]
fn an_unknown_field_error_names_the_field() {
    let env = cyber();
    env.index();
    let out = env.search(&["foo:bar"]);
    out.assert_code(2);
    assert!(out.stderr.contains("unknown field 'foo'"), "{}", out.stderr);
}

#[test]
fn a_missing_index_without_a_corpus_is_exit_2() {
    let env = TestEnv::new(&[]);
    let out = env.run(&[
        "search",
        "--corpus",
        "no-such-corpus",
        "--index",
        "no-such-index",
        "--color",
        "never",
        "cyber",
    ]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(lines[0].starts_with("error:"), "{}", out.stderr);
    assert!(lines[0].contains("no-such-index"), "{}", out.stderr);
    assert!(
        !env.root().join("no-such-index").exists(),
        "nothing was created"
    );
}

#[test]
fn equal_scores_are_ordered_by_path() {
    let text = "The lighthouse keeper wrote in his log every evening.";
    let env = TestEnv::new(&[("c.txt", text), ("b.txt", text), ("a.txt", text)]);
    let (hits, _) = env.search_json(&["lighthouse"]);
    assert_eq!(paths(&hits), ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(hits[0].score, hits[2].score);
    let ranks: Vec<usize> = hits.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [1, 2, 3]);
}

#[test]
fn the_fallback_to_any_word_still_excludes_negated_words() {
    let env = TestEnv::new(&[
        ("two.txt", "Cyber attacks hit the power grid."),
        ("three.txt", "The theft of paintings shocked the town."),
        ("four.txt", "Art theft and cyber crime are both rising."),
    ]);
    let (hits, summary) = env.search_json(&["cyber theft -art"]);
    assert!(summary.fallback_any);
    let mut found = paths(&hits);
    found.sort_unstable();
    assert_eq!(found, ["three.txt", "two.txt"]);
}

#[test]
fn a_prefix_with_too_many_words_searches_the_most_frequent_with_a_note() {
    // 70 distinct words starting with "zork"; zorkfrequent is in every file.
    let words: Vec<String> = (0..70).map(|i| format!("zork{i}x")).collect();
    let files: Vec<(String, String)> = words
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| {
            (
                format!("f{i}.txt"),
                format!("zorkfrequent {}", chunk.join(" ")),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let env = TestEnv::new(&pairs);
    env.index();
    let out = env.search(&["--format", "json", "zork*"]);
    out.assert_code(0);
    let notes = out.stderr_lines("note:");
    assert_eq!(notes.len(), 1, "{}", out.stderr);
    assert!(
        notes[0].contains("zork*") && notes[0].contains("64"),
        "{}",
        notes[0]
    );
    let (hits, summary) = out.json();
    assert_eq!(
        summary.total_hits, 7,
        "zorkfrequent is searched in every file"
    );
    let mut marked: Vec<&str> = hits.iter().flat_map(|h| h.marked()).collect();
    marked.sort_unstable();
    marked.dedup();
    assert!(marked.contains(&"zorkfrequent"));
    assert!(marked.len() <= 64, "{} words marked", marked.len());
    assert!(marked.iter().all(|w| w.starts_with("zork")), "{marked:?}");
}

/// The paths of the hits of `walrus` with `args`, in order.
fn walrus_paths(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let (hits, _) = env.search_json(&[&["walrus"], args].concat());
    paths(&hits).iter().map(|p| p.to_string()).collect()
}

#[test]
fn equal_scores_are_ordered_by_path_on_every_page() {
    // Identical documents score the same. a and b are indexed by a later
    // run, so they come after c, d, e in the index's own order.
    let same = "An identical note about walrus colonies.";
    let env = TestEnv::new(&[
        ("c.txt", same),
        ("e.txt", same),
        ("d.txt", same),
        ("z.txt", "Walrus walrus walrus: the best match by far."),
    ]);
    env.index();
    env.write("b.txt", same);
    env.write("a.txt", same);
    env.index();
    let page = |args: &[&str]| walrus_paths(&env, args);
    // Ties inside the page.
    assert_eq!(
        page(&["-n", "6"]),
        ["z.txt", "a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    );
    // Ties across the end of the page, and after an offset.
    assert_eq!(page(&["-n", "2"]), ["z.txt", "a.txt"]);
    assert_eq!(page(&["-n", "2", "--offset", "2"]), ["b.txt", "c.txt"]);
    assert_eq!(page(&["-n", "2", "--offset", "4"]), ["d.txt", "e.txt"]);
}

/// One open index handle searched again after other processes commit: it
/// keeps its searcher while nothing changes and sees every new commit
/// (an added file, then a deleted one, then a rebuild swapped in).
#[test]
fn a_kept_index_handle_sees_each_new_commit() {
    let env = TestEnv::new(&[("first.txt", "The tariff dispute went to arbitration.")]);
    env.index();
    let handle = quarry::index::open_for_search(&env.index_dir()).expect("open the index");
    let found = |handle: &quarry::index::IndexHandle| {
        let outcome = quarry::search::search(handle, &quarry::search::Request::new("tariff"))
            .expect("search");
        let mut paths: Vec<String> = outcome.hits.into_iter().map(|h| h.path).collect();
        paths.sort();
        paths
    };
    assert_eq!(found(&handle), ["first.txt"]);
    assert_eq!(found(&handle), ["first.txt"]);
    env.write("second.txt", "A second tariff ruling followed.");
    env.index();
    assert_eq!(found(&handle), ["first.txt", "second.txt"]);
    std::fs::remove_file(env.corpus().join("first.txt")).expect("delete a corpus file");
    env.index();
    assert_eq!(found(&handle), ["second.txt"]);
    // A rebuild swaps a new index folder in: new segments, new meta.json.
    env.write("third.txt", "A third tariff case opened.");
    env.index_with(&["--rebuild"]).assert_code(0);
    assert_eq!(found(&handle), ["second.txt", "third.txt"]);
}

/// Equal scores inside one segment (one indexing thread): records written
/// in the reverse order of their path keys still come out by path, on a
/// page and across its end.
#[test]
fn equal_scores_in_one_segment_are_ordered_by_path() {
    let record = |id: &str| {
        format!(r#"{{"id": "{id}", "text": "An identical note about walrus colonies."}}"#)
    };
    let lines = ["r4", "r3", "r1", "r2"].map(record).join("\n");
    let env = TestEnv::new(&[("notes.jsonl", lines.as_str())]);
    let (corpus, index) = (env.corpus(), env.index_dir());
    let out = env.run(&[
        "index",
        "--threads",
        "1",
        "--corpus",
        corpus.to_str().expect("a UTF-8 path"),
        "--index",
        index.to_str().expect("a UTF-8 path"),
    ]);
    out.assert_code(0);
    let page = |args: &[&str]| walrus_paths(&env, args);
    let all = [
        "notes.jsonl#r1",
        "notes.jsonl#r2",
        "notes.jsonl#r3",
        "notes.jsonl#r4",
    ];
    assert_eq!(page(&[]), all);
    assert_eq!(page(&["-n", "1", "--offset", "1"]), all[1..2]);
}
