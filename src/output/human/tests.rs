//! Unit tests, compiled only under `#[cfg(test)]`: an `unwrap` or `expect`
//! here fails the test on bad data, which is what it is for.

#![allow(clippy::single_range_in_vec_init)]

use std::time::Duration;

use super::*;
use crate::search::{Marks, Window};

fn hit(text: &str, highlights: Vec<Range<usize>>, window: Window) -> Hit {
    Hit {
        rank: 1,
        score: 1.5,
        path: "reports/x.md".to_string(),
        passage: 3,
        start: 100,
        end: 100 + text.len() as u64,
        title: "Cyber report".to_string(),
        date: Some("2018-03-22".to_string()),
        source: None,
        url: None,
        text: text.to_string(),
        marks: Marks {
            matched: true,
            title: vec![Highlight {
                range: 0..5,
                leaves: 1,
            }],
            body: highlights
                .into_iter()
                .map(|range| Highlight { range, leaves: 1 })
                .collect(),
        },
        window,
        stale: false,
        page: None,
        author: None,
        doc_id: None,
        more_in_document: 0,
        before: Vec::new(),
        after: Vec::new(),
        explanation: None,
        address: None,
    }
}

fn render(hits: Vec<Hit>, styles: &Styles) -> String {
    let outcome = Outcome {
        total_hits: hits.len(),
        hits,
        fallback_any: false,
        truncated_prefixes: Vec::new(),
        elapsed: Duration::from_millis(1),
        corpus: None,
    };
    let mut out = Vec::new();
    let look = Look {
        styles: *styles,
        ..Look::plain()
    };
    write_search(&mut out, &outcome, &look, None).unwrap();
    String::from_utf8(out).unwrap()
}

fn whole(text: &str) -> Window {
    Window {
        range: 0..text.len(),
        cut_start: false,
        cut_end: false,
    }
}

#[test]
fn plain_output_has_header_and_indented_passage() {
    let text = "The cyber theft\nfinding.";
    let got = render(vec![hit(text, vec![4..15], whole(text))], &Styles::plain());
    assert_eq!(
        got,
        "1. Cyber report — reports/x.md#3 — 2018-03-22\n   The cyber theft finding.\n"
    );
}

#[test]
fn colour_output_styles_exactly_the_highlights() {
    let text = "The cyber theft finding.";
    let got = render(
        vec![hit(text, vec![4..15], whole(text))],
        &Styles::colored(),
    );
    let hl = Styles::colored().highlight;
    assert!(got.contains(&format!("{hl}cyber theft{hl:#}")), "{got:?}");
    assert!(
        got.contains(&format!("{hl}Cyber{hl:#}")),
        "title highlight missing: {got:?}"
    );
    assert!(!got.contains(&format!("{hl}The")));
}

#[test]
fn cut_windows_get_ellipses() {
    let text = "aaa bbb ccc ddd";
    let window = Window {
        range: 4..11,
        cut_start: true,
        cut_end: true,
    };
    let got = render(vec![hit(text, vec![4..7], window)], &Styles::plain());
    assert!(got.ends_with("   …bbb ccc…\n"), "{got:?}");
}

#[test]
fn control_characters_and_bidi_overrides_are_not_written() {
    let text = "evil \u{1b}[2J text \u{202E}reversed";
    let got = render(vec![hit(text, vec![], whole(text))], &Styles::plain());
    assert!(
        !got.contains('\u{1b}') && !got.contains('\u{202E}'),
        "{got:?}"
    );
}

#[test]
fn long_passages_wrap_without_losing_words() {
    let text = "word ".repeat(100);
    let got = render(
        vec![hit(text.trim(), vec![], whole(text.trim()))],
        &Styles::plain(),
    );
    let lines: Vec<&str> = got.lines().skip(1).collect();
    assert!(lines.len() > 1);
    assert!(
        lines
            .iter()
            .all(|l| l.chars().count() <= WIDTH + INDENT.len())
    );
    let words: usize = lines.iter().map(|l| l.split_whitespace().count()).sum();
    assert_eq!(words, 100);
}

#[test]
fn a_blank_line_in_the_passage_starts_a_new_line() {
    let text = "A heading\n\nThe paragraph\nwraps here.";
    let got = render(vec![hit(text, vec![], whole(text))], &Styles::plain());
    assert!(
        got.ends_with("   A heading\n   The paragraph wraps here.\n"),
        "{got:?}"
    );
}

#[test]
fn hits_are_separated_by_a_blank_line() {
    let text = "one";
    let got = render(
        vec![
            hit(text, vec![], whole(text)),
            hit(text, vec![], whole(text)),
        ],
        &Styles::plain(),
    );
    assert_eq!(got.matches("\n\n").count(), 1);
}

#[test]
fn a_stale_hit_is_marked_in_its_header() {
    let text = "one";
    let mut stale = hit(text, vec![], whole(text));
    stale.stale = true;
    let got = render(vec![stale], &Styles::plain());
    assert!(
        got.starts_with(
            "1. Cyber report — reports/x.md#3 [stale: changed since indexed] — 2018-03-22\n"
        ),
        "{got:?}"
    );
}

#[test]
fn a_paged_hit_shows_its_page() {
    let text = "one";
    let mut paged = hit(text, vec![], whole(text));
    paged.page = Some(12);
    let got = render(vec![paged], &Styles::plain());
    assert!(
        got.starts_with("1. Cyber report — reports/x.md#3 p. 12 — 2018-03-22\n"),
        "{got:?}"
    );
}

#[test]
fn other_hits_of_the_document_are_counted_in_the_header() {
    let text = "one";
    let mut h = hit(text, vec![], whole(text));
    h.more_in_document = 3;
    let got = render(vec![h], &Styles::plain());
    assert!(
        got.starts_with(
            "1. Cyber report — reports/x.md#3 — 2018-03-22 (+3 more in this document)\n"
        ),
        "{got:?}"
    );
}

#[test]
fn context_passages_surround_the_hit() {
    let text = "middle";
    let mut h = hit(text, vec![], whole(text));
    h.before = vec![(2, "before text".to_string())];
    h.after = vec![(4, "after text".to_string())];
    let got = render(vec![h], &Styles::plain());
    assert!(
        got.ends_with("   before text\n   middle\n   after text\n"),
        "{got:?}"
    );
}

#[test]
fn hyperlinks_point_at_the_file_and_pdf_page() {
    let text = "one";
    let mut h = hit(text, vec![], whole(text));
    h.path = "reports/a b.pdf".to_string();
    h.page = Some(7);
    let outcome = Outcome {
        total_hits: 1,
        hits: vec![h],
        fallback_any: false,
        truncated_prefixes: Vec::new(),
        elapsed: Duration::from_millis(1),
        corpus: None,
    };
    let look = Look {
        hyperlinks: true,
        ..Look::plain()
    };
    let mut out = Vec::new();
    write_search(
        &mut out,
        &outcome,
        &look,
        Some(std::path::Path::new("/data/corpus")),
    )
    .unwrap();
    let got = String::from_utf8(out).unwrap();
    assert!(got.contains("\x1b]8;;file:///data/corpus/reports/a%20b.pdf#page=7\x1b\\reports/a b.pdf#3\x1b]8;;\x1b\\"), "{got:?}");
}
