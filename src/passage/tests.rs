//! Unit tests, compiled only under `#[cfg(test)]`: an `unwrap` or `expect`
//! here fails the test on bad data, which is what it is for.

use proptest::prelude::*;

use super::*;

fn texts(text: &str, bounds: Bounds) -> Vec<String> {
    split(text, &[], bounds)
        .into_iter()
        .map(|r| text[r].to_string())
        .collect()
}

fn sentence(i: usize) -> String {
    format!("Sentence number {i} talks about trade and cyber theft in some detail.")
}

/// Every non-whitespace byte is in exactly one passage; passages are in
/// order, trimmed, non-empty and on char boundaries.
fn assert_tiles(text: &str, passages: &[Range<usize>]) {
    let mut covered = vec![false; text.len()];
    let mut prev_end = 0;
    for r in passages {
        assert!(
            r.start >= prev_end,
            "passages overlap or are out of order: {passages:?}"
        );
        assert!(r.start < r.end, "empty passage {r:?}");
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        let slice = &text[r.clone()];
        assert_eq!(slice.trim(), slice, "passage not trimmed");
        covered[r.clone()].iter_mut().for_each(|c| *c = true);
        prev_end = r.end;
    }
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() {
            assert!(covered[i], "byte {i} ({c:?}) is in no passage");
        }
    }
}

#[test]
fn short_paragraphs_are_packed_into_one_passage() {
    let text = "A title\n\nOne short paragraph.\n\nAnother short one.\n";
    let passages = split(text, &[], Bounds::default());
    assert_eq!(passages, vec![0..text.trim_end().len()]);
}

#[test]
fn paragraphs_at_target_size_stay_apart() {
    let para = |n: usize| (0..n).map(|_| "word").collect::<Vec<_>>().join(" ");
    let text = format!("{}\n\n{}", para(100), para(100));
    let passages = texts(&text, Bounds::default());
    assert_eq!(passages.len(), 2);
    assert!(passages.iter().all(|p| size(p) == 100));
}

#[test]
fn a_text_without_blank_lines_is_cut_at_sentences() {
    let text: String = (0..60).map(sentence).collect::<Vec<_>>().join(" ");
    let bounds = Bounds::default();
    let passages = texts(&text, bounds);
    assert!(passages.len() >= 5, "got {} passages", passages.len());
    for p in &passages {
        assert!(size(p) <= bounds.max);
        assert!(
            p.starts_with("Sentence number"),
            "cut inside a sentence: {p:?}"
        );
        assert!(p.ends_with("detail."), "cut inside a sentence: {p:?}");
    }
}

#[test]
fn hard_wrapped_lines_do_not_count_as_sentence_ends() {
    // One long paragraph wrapped at ~40 columns: cuts must still fall at
    // full stops, not at line ends.
    let flat: String = (0..60).map(sentence).collect::<Vec<_>>().join(" ");
    let mut wrapped = String::new();
    for (i, word) in flat.split(' ').enumerate() {
        wrapped.push_str(word);
        wrapped.push(if i % 7 == 6 { '\n' } else { ' ' });
    }
    for p in texts(wrapped.trim_end(), Bounds::default()) {
        assert!(p.starts_with("Sentence"), "cut at a line break: {p:?}");
    }
}

#[test]
fn abbreviations_and_initials_do_not_end_sentences() {
    let starts = sentence_starts("Mr. Smith met Dr. J. Jones in the U.S. yesterday. Then he left.");
    assert_eq!(starts.len(), 1);
}

#[test]
fn a_sentence_longer_than_the_maximum_is_cut_at_words() {
    let text = (0..500)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let passages = texts(&text, Bounds::default());
    assert!(passages.len() >= 3);
    assert!(passages.iter().all(|p| size(p) <= 200));
}

#[test]
fn text_without_any_whitespace_is_still_cut() {
    let text = "東京タワー".repeat(2000);
    let passages = split(&text, &[], Bounds::default());
    assert!(passages.len() > 1);
    assert_tiles(&text, &passages);
}

#[test]
fn a_hard_break_starts_a_new_passage() {
    let text = "Intro paragraph.\n\n# Heading\n\nBody under heading.";
    let heading = text.find("# Heading").unwrap();
    let passages = split(text, &[heading], Bounds::default());
    assert_eq!(passages.len(), 2);
    assert_eq!(passages[1].start, heading);
}

#[test]
fn a_short_last_paragraph_joins_the_one_before() {
    let long = (0..150).map(|_| "word").collect::<Vec<_>>().join(" ");
    let text = format!("{long}\n\nShort tail.");
    let passages = split(&text, &[], Bounds::default());
    assert_eq!(passages, vec![0..text.len()]);
}

#[test]
fn empty_and_blank_texts_have_no_passages() {
    assert!(split("", &[], Bounds::default()).is_empty());
    assert!(split(" \n\n \t\n", &[], Bounds::default()).is_empty());
}

fn arbitrary_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("theft".to_string()),
        Just("Intrusions.".to_string()),
        Just("Mr.".to_string()),
        Just("café".to_string()),
        Just("cafe\u{301}".to_string()),
        Just("東京".to_string()),
        Just("😀".to_string()),
        "[a-z]{1,30}",
    ];
    let sep = prop_oneof![
        4 => Just(" ".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("\n\n".to_string()),
        1 => Just("\r\n".to_string()),
        1 => Just(". ".to_string()),
    ];
    joined(word, sep, 0..700)
}

/// Texts of `words` each followed by a separator.
fn joined(
    word: impl Strategy<Value = String>,
    sep: impl Strategy<Value = String>,
    parts: Range<usize>,
) -> impl Strategy<Value = String> {
    prop::collection::vec((word, sep), parts)
        .prop_map(|parts| parts.into_iter().map(|(w, s)| w + &s).collect())
}

proptest! {
    #[test]
    fn passages_tile_the_text_within_bounds(text in arbitrary_text()) {
        let bounds = Bounds::default();
        let passages = split(&text, &[], bounds);
        assert_tiles(&text, &passages);
        for r in &passages {
            prop_assert!(size(&text[r.clone()]) <= bounds.max);
        }
    }

    #[test]
    fn hard_breaks_are_respected(text in arbitrary_text(), at in 0usize..5000) {
        let at = (0..=at.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let passages = split(&text, &[at], Bounds::default());
        assert_tiles(&text, &passages);
        for r in &passages {
            prop_assert!(!(r.start < at && r.end > at), "{r:?} spans the break at {at}");
        }
    }
}

/// `text` given to a [`Splitter`] in chunks that end after the blank lines
/// chosen by `cuts` (a cut is taken at a blank line when its bit is set).
fn split_in_chunks(text: &str, bounds: Bounds, cuts: u64) -> Vec<Range<usize>> {
    let mut splitter = Splitter::new(bounds);
    let mut passages = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    let mut blank = 0;
    for line in text.split_inclusive('\n') {
        offset += line.len();
        if line.trim().is_empty() {
            if cuts >> (blank % 64) & 1 == 1 {
                splitter.push(&text[start..offset], &mut passages);
                start = offset;
            }
            blank += 1;
        }
    }
    splitter.push(&text[start..], &mut passages);
    splitter.finish(&mut passages);
    passages
}

proptest! {
    #[test]
    fn a_text_split_chunk_by_chunk_gives_the_passages_of_the_whole(
        text in arbitrary_text(),
        cuts in any::<u64>(),
        small in any::<bool>(),
    ) {
        let bounds = if small {
            Bounds { min: 3, target: 6, max: 10 }
        } else {
            Bounds::default()
        };
        prop_assert_eq!(split_in_chunks(&text, bounds, cuts), split(&text, &[], bounds));
    }
}

#[test]
fn text_before_the_first_pending_passage_is_not_needed_any_more() {
    let bounds = Bounds {
        min: 1,
        target: 2,
        max: 3,
    };
    let mut splitter = Splitter::new(bounds);
    let mut passages = Vec::new();
    let text = "a b\n\nc d\n\ne f\n\ng h\n\n";
    splitter.push(text, &mut passages);
    let pending = splitter.pending_start().unwrap();
    assert!(
        passages.iter().all(|p| p.end <= pending),
        "{passages:?} {pending}"
    );
    assert_eq!(&text[pending..pending + 1], "e");
    splitter.finish(&mut passages);
    assert_eq!(passages, split(text, &[], bounds));
}

/// [`size`] as its doc states it: a unit per started `CHARS_PER_WORD`
/// chars of each whitespace-separated chunk.
fn by_chars(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| w.chars().count().div_ceil(CHARS_PER_WORD))
        .sum()
}

proptest! {
    #[test]
    fn ascii_text_is_sized_as_any_text(text in "[ -~\t\n\r\x0b\x0c\x00-\x08]{0,80}") {
        prop_assert_eq!(size(&text), by_chars(&text));
    }

    #[test]
    fn any_text_is_sized_by_its_chars(
        text in "([\\PC]{0,30}[ \u{85}\u{A0}\u{2003}\u{3000}\n]{0,2}){0,4}"
    ) {
        prop_assert_eq!(size(&text), by_chars(&text));
    }

    #[test]
    fn long_ascii_runs_count_a_unit_per_started_twelve_chars(
        text in "([a-z.]{0,40}[ \t\n]{0,2}){0,5}"
    ) {
        prop_assert_eq!(size(&text), by_chars(&text));
    }

    /// A block to be cut is cut into units; there are as many as its size,
    /// each at most twelve chars of one chunk, in order.
    #[test]
    fn a_block_has_as_many_units_as_its_size(
        text in "([a-z.]{0,20}[é東]?[ \n]{0,2}){0,6}"
    ) {
        let all = units(&text, 0..text.len());
        prop_assert_eq!(all.len(), by_chars(&text));
        for pair in all.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start);
        }
        for unit in &all {
            let slice = &text[unit.start..unit.end];
            prop_assert!(!slice.is_empty() && !slice.contains(char::is_whitespace));
            prop_assert!(slice.chars().count() <= CHARS_PER_WORD);
        }
    }
}

/// Words and separators where sentence rules look back and ahead:
/// abbreviations, initials, closing quotes and brackets, numbers after a
/// full stop, capitalised and lowercase words.
fn sentence_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("The".to_string()),
        Just("theft".to_string()),
        Just("Mr.".to_string()),
        Just("U.S.".to_string()),
        Just("J.".to_string()),
        Just("etc.".to_string()),
        Just("end.”".to_string()),
        Just("(12)".to_string()),
        Just("3.5".to_string()),
        Just("“Quote".to_string()),
        Just("why?".to_string()),
        Just("Ο".to_string()),
        Just("東京。".to_string()),
        "[A-Za-z]{1,8}[.!?]?",
    ];
    let sep = prop_oneof![
        6 => Just(" ".to_string()),
        1 => Just("\n".to_string()),
        1 => Just(". ".to_string()),
        1 => Just(" - ".to_string()),
    ];
    joined(word, sep, 1..400)
}

proptest! {
    #[test]
    fn sentence_starts_found_around_the_cuts_are_those_of_the_whole_block(
        text in sentence_text(),
        small in any::<bool>(),
    ) {
        let bounds = if small {
            Bounds { min: 3, target: 6, max: 10 }
        } else {
            Bounds::default()
        };
        for block in blocks(&text, &[]) {
            let whole = sentence_starts(&text[block.clone()]);
            let mut units = units(&text, block.clone());
            mark_sentence_starts(&mut units, &text, block.clone(), bounds);
            for window in cut_windows(units.len(), bounds) {
                for unit in &units[window] {
                    let expected = unit.chunk_start && whole.contains(&(unit.start - block.start));
                    prop_assert_eq!(unit.sentence_start, expected, "unit at {}", unit.start);
                }
            }
        }
    }
}
