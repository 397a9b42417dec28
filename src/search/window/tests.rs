//! Unit tests, compiled only under `#[cfg(test)]`: an `unwrap` or `expect`
//! here fails the test on bad data, which is what it is for.

use super::*;

fn hl(text: &str, word: &str, leaf: u32) -> Vec<Highlight> {
    text.match_indices(word)
        .map(|(i, w)| Highlight {
            range: i..i + w.len(),
            leaves: 1 << leaf,
        })
        .collect()
}

fn filler(n: usize) -> String {
    (0..n)
        .map(|i| format!("Sentence {i} is filler text here."))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_short_passage_is_shown_whole() {
    let text = "short text with a match";
    let w = window(text, &hl(text, "match", 0), &[], 300);
    assert_eq!(
        w,
        Window {
            range: 0..text.len(),
            cut_start: false,
            cut_end: false
        }
    );
}

#[test]
fn the_window_surrounds_the_highlight_within_budget() {
    let text = format!("{} The needle is here. {}", filler(20), filler(20));
    let h = hl(&text, "needle", 0);
    let w = window(&text, &h, &[], 300);
    assert!(w.range.start <= h[0].range.start && w.range.end >= h[0].range.end);
    assert!(text[w.range.clone()].chars().count() <= 300);
    assert!(w.cut_start && w.cut_end);
    assert_eq!(&text[w.range.clone()], text[w.range.clone()].trim());
}

#[test]
fn the_window_starts_at_a_sentence_when_one_starts_before_the_highlight() {
    let text = format!("{} The needle is here. {}", filler(20), filler(20));
    let w = window(&text, &hl(&text, "needle", 0), &[], 300);
    assert!(
        text[w.range.clone()].starts_with("Sentence"),
        "{:?}",
        &text[w.range.clone()]
    );
}

#[test]
fn the_cluster_with_more_distinct_words_wins() {
    let text = format!(
        "alpha alpha alpha. {} alpha beta together. {}",
        filler(20),
        filler(20)
    );
    let mut h = hl(&text, "alpha", 0);
    h.extend(hl(&text, "beta", 1));
    h.sort_by_key(|h| h.range.start);
    let w = window(&text, &h, &[], 120);
    let beta = text.find("beta").unwrap();
    assert!(
        w.range.contains(&beta),
        "window {:?} misses beta at {beta}",
        w.range
    );
}

#[test]
fn without_highlights_the_window_is_the_start() {
    let text = filler(40);
    let w = window(&text, &[], &[], 300);
    assert_eq!(w.range.start, 0);
    assert!(!w.cut_start && w.cut_end);
    assert!(text[w.range.clone()].chars().count() <= 300);
}

#[test]
fn window_edges_fall_on_char_boundaries_in_multibyte_text() {
    let text = "Ünïcödé wörds ".repeat(60) + "needle " + &"çàfé ".repeat(80);
    let h = hl(&text, "needle", 0);
    let w = window(&text, &h, &[], 100);
    assert!(text.is_char_boundary(w.range.start) && text.is_char_boundary(w.range.end));
    assert!(w.range.start <= h[0].range.start && w.range.end >= h[0].range.end);
}

#[test]
fn a_rare_word_outweighs_several_common_ones() {
    let text = format!(
        "common common common. {} rare here. {}",
        filler(20),
        filler(20)
    );
    let mut h = hl(&text, "common", 0);
    h.extend(hl(&text, "rare", 1));
    h.sort_by_key(|h| h.range.start);
    let w = window(&text, &h, &[0.5, 4.0], 120);
    let rare = text.find("rare").unwrap();
    assert!(
        w.range.contains(&rare),
        "window {:?} misses the rare word",
        w.range
    );
}
