//! The `--format json` contract: one strict object per hit, a summary last,
//! ranks and highlights that a script can rely on.

use crate::harness::{Hit, TestEnv, paths};

/// Five documents about quartz, with more or less of it, and non-ASCII
/// text around the matches.
fn quartz() -> TestEnv {
    TestEnv::new(&[
        (
            "a.txt",
            "Quartz, quartz and more quartz: the Zürich café sold quartz crystals.",
        ),
        (
            "b.txt",
            "Naïve collectors prefer quartz to feldspar — «quartz» is cheap.",
        ),
        (
            "c.txt",
            "The museum shows one quartz geode among many fossils and old maps of the valley.",
        ),
        (
            "d.txt",
            "Rose quartz, smoky quartz; both were found in the Ærø cliffs.",
        ),
        (
            "e.txt",
            "A single grain of quartz was found in the sample, with clay, mica and iron oxide besides.",
        ),
        ("f.txt", "Feldspar and mica only."),
    ])
}

fn assert_highlights_well_formed(hit: &Hit) {
    let mut previous_end = None;
    for &[start, end] in &hit.highlights {
        assert!(start < end, "empty highlight {start}..{end} in {hit:?}");
        assert!(
            end <= hit.text.len(),
            "highlight {start}..{end} past the text in {hit:?}"
        );
        assert!(
            hit.text.is_char_boundary(start) && hit.text.is_char_boundary(end),
            "highlight {start}..{end} splits a char in {hit:?}"
        );
        if let Some(previous) = previous_end {
            assert!(
                previous < start,
                "highlights overlap, touch or are unsorted in {hit:?}"
            );
        }
        previous_end = Some(end);
    }
}

#[test]
fn every_hit_has_well_formed_highlights_and_ranks_from_1() {
    let env = quartz();
    let (hits, summary) = env.search_json(&["quartz"]);
    assert_eq!(hits.len(), 5);
    assert_eq!(summary.total_hits, 5);
    assert_eq!(summary.returned, 5);
    let ranks: Vec<usize> = hits.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5]);
    for pair in hits.windows(2) {
        assert!(
            pair[0].score >= pair[1].score,
            "scores not descending: {pair:?}"
        );
    }
    for hit in &hits {
        assert_highlights_well_formed(hit);
        assert!(!hit.highlights.is_empty(), "{hit:?}");
        for word in hit.marked() {
            assert_eq!(word.to_lowercase(), "quartz", "in {hit:?}");
        }
        let count = hit.text.to_lowercase().matches("quartz").count();
        assert_eq!(
            hit.highlights.len(),
            count,
            "every quartz marked in {hit:?}"
        );
    }
}

#[test]
fn limit_and_offset_page_through_the_same_ranking() {
    let env = quartz();
    let (all, _) = env.search_json(&["quartz"]);
    let (page, summary) = env.search_json(&["--limit", "2", "--offset", "1", "quartz"]);
    let ranks: Vec<usize> = page.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [2, 3]);
    assert_eq!(paths(&page), paths(&all[1..3]));
    assert_eq!(summary.returned, 2);
    assert_eq!(
        summary.total_hits, 5,
        "total counts every match, not the page"
    );
}

#[test]
fn an_offset_past_the_end_returns_no_hits_but_counts_them() {
    let env = quartz();
    let out = env.search(&["--format", "json", "--offset", "10", "quartz"]);
    let (hits, summary) = out.json();
    assert!(hits.is_empty());
    assert_eq!(summary.returned, 0);
    assert_eq!(summary.total_hits, 5);
    out.assert_code(0);
}

#[test]
fn the_summary_repeats_the_query_and_comes_last() {
    let env = quartz();
    let out = env.search(&["--format", "json", "--", "quartz", "-feldspar"]);
    out.assert_code(0);
    let last = out.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("{\"type\":\"summary\""), "{last}");
    let (hits, summary) = out.json();
    assert_eq!(
        summary.query, "quartz -feldspar",
        "arguments are joined with spaces"
    );
    let mut found = paths(&hits);
    found.sort_unstable();
    assert_eq!(found, ["a.txt", "c.txt", "d.txt", "e.txt"]);
    assert!(summary.elapsed_ms >= 0.0);
    assert!(!summary.fallback_any);
}

#[test]
fn no_hits_in_json_is_a_lone_summary_and_exit_1() {
    let env = quartz();
    let out = env.search(&["--format", "json", "zeppelin"]);
    out.assert_code(1);
    let (hits, summary) = out.json();
    assert!(hits.is_empty());
    assert_eq!((summary.total_hits, summary.returned), (0, 0));
}
