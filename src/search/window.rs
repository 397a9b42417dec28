//! The window of a long passage that is shown: the part around its best
//! cluster of highlights, snapped to sentence or word boundaries.
//!
//! The cluster is the run of consecutive highlights, fitting in the budget,
//! with the greatest weight of distinct query leaves (a leaf weighs its
//! idf, so a rare word or a phrase beats a common word), then the most
//! highlights, then the shortest span, then the earliest start. The budget left over is spent
//! half before and half after the run.

use std::ops::Range;

use super::highlight::Highlight;
use crate::passage::sentence_starts;

/// Budget of a window, in chars.
pub const WINDOW_CHARS: usize = 300;

/// The part of a passage to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// Byte range inside the passage text.
    pub range: Range<usize>,
    /// Text was left out before the window.
    pub cut_start: bool,
    /// Text was left out after the window.
    pub cut_end: bool,
}

/// The sentence starts of a passage, found once, when first needed (both
/// ends of a window may snap to them).
#[derive(Default)]
struct Sentences(std::cell::OnceCell<Vec<usize>>);

impl Sentences {
    fn of(&self, text: &str) -> &[usize] {
        self.0.get_or_init(|| sentence_starts(text))
    }
}

/// Char positions of a text, to convert between bytes and chars.
struct Chars {
    /// Byte offset of each char, then the text length.
    bytes: Vec<usize>,
}

impl Chars {
    fn new(text: &str) -> Chars {
        let mut bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bytes.push(text.len());
        Chars { bytes }
    }
    fn len(&self) -> usize {
        self.bytes.len() - 1
    }
    fn char_of(&self, byte: usize) -> usize {
        self.bytes.binary_search(&byte).unwrap_or_else(|i| i)
    }
    fn byte_of(&self, char: usize) -> usize {
        self.bytes[char.min(self.len())]
    }
}

/// Chooses the window of `text` to show for `highlights` (sorted, disjoint
/// byte ranges of `text`), at most `budget` chars unless a single
/// highlight is longer. A text of at most 1.2 × budget is shown whole.
/// `weights[leaf]` is the weight of a query leaf (missing leaves weigh 1).
pub fn window(text: &str, highlights: &[Highlight], weights: &[f32], budget: usize) -> Window {
    let chars = Chars::new(text);
    let whole = Window {
        range: 0..text.len(),
        cut_start: false,
        cut_end: false,
    };
    if chars.len() <= budget + budget / 5 {
        return whole;
    }
    let Some(run) = best_run(highlights, weights, &chars, budget) else {
        let end = snap_end(text, &chars, &Sentences::default(), 0, budget, 0);
        return finish(text, 0..end);
    };
    let first = run.start;
    let last = run.end;
    let span = chars.char_of(last) - chars.char_of(first);
    let slack = budget.saturating_sub(span);
    let mut before = slack / 2;
    let mut after = slack - before;
    let first_char = chars.char_of(first);
    if before > first_char {
        after += before - first_char;
        before = first_char;
    }
    let last_char = chars.char_of(last);
    if last_char + after > chars.len() {
        before = (before + last_char + after - chars.len()).min(first_char);
        after = chars.len() - last_char;
    }
    let sentences = Sentences::default();
    let (start, freed) = snap_start(text, &chars, &sentences, first_char - before, first);
    let end = snap_end(
        text,
        &chars,
        &sentences,
        last,
        last_char + after + freed,
        last_char,
    );
    finish(text, start..end)
}

/// The byte range from the first to the last highlight of the best run.
fn best_run(
    highlights: &[Highlight],
    weights: &[f32],
    chars: &Chars,
    budget: usize,
) -> Option<Range<usize>> {
    // (weight of distinct leaves in thousandths, highlights, shorter span).
    type Key = (u64, usize, std::cmp::Reverse<usize>);
    let mut best: Option<(Key, Range<usize>)> = None;
    for i in 0..highlights.len() {
        let start = chars.char_of(highlights[i].range.start);
        let mut leaves = 0u64;
        for (j, h) in highlights.iter().enumerate().skip(i) {
            let span = chars.char_of(h.range.end) - start;
            if span > budget && j > i {
                break;
            }
            leaves |= h.leaves;
            let key = (
                weight_of(leaves, weights),
                j - i + 1,
                std::cmp::Reverse(span),
            );
            // Strictly better only: among equals the earliest run stays.
            if best.as_ref().is_none_or(|(k, _)| key > *k) {
                best = Some((key, highlights[i].range.start..h.range.end));
            }
        }
    }
    best.map(|(_, range)| range)
}

/// The summed weight of a set of leaves (bit i = leaf i mod 64), in
/// thousandths so that keys compare exactly.
fn weight_of(leaves: u64, weights: &[f32]) -> u64 {
    (0..64)
        .filter(|bit| leaves & (1 << bit) != 0)
        .map(|bit| (weights.get(bit).copied().unwrap_or(1.0).max(0.0) * 1000.0) as u64)
        .sum()
}

/// Moves a window start (in chars) to the earliest sentence start between
/// it and the first highlight, or else forward to a word start. Returns the
/// byte start and the chars freed for the end.
fn snap_start(
    text: &str,
    chars: &Chars,
    sentences: &Sentences,
    start: usize,
    first: usize,
) -> (usize, usize) {
    if start == 0 {
        return (0, 0);
    }
    let byte = chars.byte_of(start);
    if let Some(&s) = sentences
        .of(text)
        .iter()
        .find(|&&s| s >= byte && s <= first)
    {
        return (s, chars.char_of(s) - start);
    }
    let word_start = text[byte..first]
        .find(char::is_whitespace)
        .map_or(byte, |i| byte + i);
    let skipped = text[word_start..first]
        .find(|c: char| !c.is_whitespace())
        .map_or(first, |i| word_start + i);
    (skipped, 0)
}

/// A window end (in chars) moved back to a sentence end in the last fifth
/// of the window, or else to a word end, never before `last` (bytes).
fn snap_end(
    text: &str,
    chars: &Chars,
    sentences: &Sentences,
    last: usize,
    end: usize,
    last_char: usize,
) -> usize {
    if end >= chars.len() {
        return text.len();
    }
    let byte = chars.byte_of(end);
    let floor = chars.byte_of(end.saturating_sub((end - last_char) / 5).max(last_char));
    let sentence_end = sentences
        .of(text)
        .iter()
        .copied()
        .filter(|&s| s > floor.max(last) && s <= byte)
        .max();
    if let Some(s) = sentence_end {
        return s;
    }
    match text[last..byte].rfind(char::is_whitespace) {
        Some(i) => last + i,
        None if last > 0 => last,
        None => byte,
    }
}

/// Trims whitespace at both ends and sets the cut flags.
fn finish(text: &str, range: Range<usize>) -> Window {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = (range.start + slice.trim_end().len()).max(start);
    Window {
        cut_start: !text[..start].trim().is_empty(),
        cut_end: !text[end..].trim().is_empty(),
        range: start..end,
    }
}

#[cfg(test)]
mod tests;
