//! Cutting a document's text into passages, the unit that is indexed,
//! ranked and shown.
//!
//! Paragraphs (runs of non-blank lines) are the natural unit. Short
//! paragraphs are packed together, long ones are cut at sentence
//! boundaries (at word boundaries when a sentence is too long), so that a
//! passage holds about [`Bounds::target`] words and never more than
//! [`Bounds::max`]. A *hard break* (a heading, later a PDF page) always
//! starts a new passage. Passages are byte ranges of the text, trimmed of
//! surrounding whitespace; they are in order and never overlap.
//!
//! Size is counted in words: whitespace-separated chunks, where a chunk
//! longer than [`CHARS_PER_WORD`] chars (minified text, CJK runs) counts one
//! word per that many chars, so that text without spaces is cut too.

use std::ops::{Range, RangeInclusive};

use unicode_segmentation::UnicodeSegmentation;

/// A run of chars without whitespace counts one word per this many chars.
pub const CHARS_PER_WORD: usize = 12;

/// Passage size bounds, in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// A passage shorter than this is merged with a neighbour of its section
    /// when the result stays within `max`.
    pub min: usize,
    /// Short paragraphs are packed up to this size; long ones are cut into
    /// pieces of about this size.
    pub target: usize,
    /// No passage is larger than this.
    pub max: usize,
}

impl Default for Bounds {
    /// 40 / 120 / 200 words: a paragraph or two of an article, long enough
    /// for BM25 to see a topic and short enough to read in a result list.
    fn default() -> Bounds {
        Bounds {
            min: 40,
            target: 120,
            max: 200,
        }
    }
}

/// A unit of size one: a word, or a [`CHARS_PER_WORD`] slice of a long one.
#[derive(Clone, Copy, Debug)]
struct Unit {
    start: usize,
    end: usize,
    /// The unit starts a whitespace-separated chunk (a sentence can only
    /// start there).
    chunk_start: bool,
    /// A sentence starts with this unit (marked only in blocks to be cut).
    sentence_start: bool,
}

/// A span of text of a known size in one section.
#[derive(Clone, Debug)]
struct Piece {
    range: Range<usize>,
    size: usize,
    section: usize,
}

/// Splits `text` into passages. `hard_breaks` are byte offsets where a new
/// section starts (each must be a char boundary; others are ignored).
///
/// ```
/// use quarry::passage::{split, Bounds};
/// let text = "Title\n\nFirst paragraph.\n\nSecond paragraph.";
/// let passages = split(text, &[], Bounds::default());
/// assert_eq!(passages, vec![0..text.len()]);
/// ```
pub fn split(text: &str, hard_breaks: &[usize], bounds: Bounds) -> Vec<Range<usize>> {
    let mut packer = Packer::new(bounds);
    for piece in pieces(text, hard_breaks, bounds) {
        packer.add(piece);
    }
    let mut passages = Vec::new();
    packer.finish(&mut passages);
    passages
}

/// Cuts a text that arrives a chunk at a time into the passages [`split`]
/// gives for the whole text (without hard breaks), giving each passage as
/// soon as no later text can change it. A chunk must end after a blank
/// line or at the end of the text, so that no paragraph spans two chunks.
///
/// ```
/// use quarry::passage::{split, Bounds, Splitter};
/// let text = "One paragraph.\n\nAnother one.\n";
/// let mut splitter = Splitter::new(Bounds::default());
/// let mut passages = Vec::new();
/// splitter.push("One paragraph.\n\n", &mut passages);
/// splitter.push("Another one.\n", &mut passages);
/// splitter.finish(&mut passages);
/// assert_eq!(passages, split(text, &[], Bounds::default()));
/// ```
pub struct Splitter {
    packer: Packer,
    /// Bytes of text before the next chunk.
    base: usize,
}

impl Splitter {
    pub fn new(bounds: Bounds) -> Splitter {
        Splitter {
            packer: Packer::new(bounds),
            base: 0,
        }
    }

    /// Adds the next chunk of the text, and appends to `out` the passages
    /// (byte ranges of the whole text) that are now final.
    pub fn push(&mut self, chunk: &str, out: &mut Vec<Range<usize>>) {
        for mut piece in pieces(chunk, &[], self.packer.bounds) {
            piece.range = piece.range.start + self.base..piece.range.end + self.base;
            self.packer.add(piece);
        }
        self.base += chunk.len();
        self.packer.take_final(out);
    }

    /// Where the first passage not given out yet starts: text before it
    /// is no longer needed.
    pub fn pending_start(&self) -> Option<usize> {
        self.packer.passages.first().map(|p| p.range.start)
    }

    /// Appends the last passages to `out`.
    pub fn finish(self, out: &mut Vec<Range<usize>>) {
        self.packer.finish(out);
    }
}

/// The pieces of a text: its paragraphs, long ones cut (byte ranges of
/// `text`).
fn pieces(text: &str, hard_breaks: &[usize], bounds: Bounds) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for block in blocks(text, hard_breaks) {
        let section = hard_breaks.iter().filter(|&&b| b <= block.start).count();
        let size = size(&text[block.clone()]);
        if size > bounds.max {
            // Only a block that is cut needs its units, and its sentence
            // starts (segmentation is the costly part of splitting).
            let mut units = units(text, block.clone());
            mark_sentence_starts(&mut units, text, block.clone(), bounds);
            pieces.extend(cut(&units, bounds).into_iter().map(|(range, size)| Piece {
                range,
                size,
                section,
            }));
        } else if size > 0 {
            pieces.push(Piece {
                range: block,
                size,
                section,
            });
        }
    }
    pieces
}

/// Paragraphs: maximal runs of non-blank lines, trimmed, also cut at hard
/// breaks that fall inside them.
fn blocks(text: &str, hard_breaks: &[usize]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut current: Option<Range<usize>> = None;
    let mut line_start = 0;
    // Lines end after each '\n' (found by `memchr`, many times faster on
    // lines of a few dozen bytes than the standard library's search).
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1);
    for line_end in ends.chain(std::iter::once(text.len())) {
        let line = &text[line_start..line_end];
        let offset = line_start;
        line_start = line_end;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            out.extend(current.take());
            continue;
        }
        let start = offset + (trimmed.as_ptr() as usize - line.as_ptr() as usize);
        let end = start + trimmed.len();
        match current.as_mut() {
            Some(block) => block.end = end,
            None => current = Some(start..end),
        }
    }
    out.extend(current);
    let mut cut_blocks = Vec::with_capacity(out.len());
    for block in out {
        let mut start = block.start;
        for &b in hard_breaks {
            if b > start && b < block.end && text.is_char_boundary(b) {
                let left = trim_range(text, start..b);
                if !left.is_empty() {
                    cut_blocks.push(left);
                }
                start = b;
            }
        }
        let rest = trim_range(text, start..block.end);
        if !rest.is_empty() {
            cut_blocks.push(rest);
        }
    }
    cut_blocks
}

fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    start..end.max(start)
}

/// The size units of a block (sentence starts not marked yet).
fn units(text: &str, block: Range<usize>) -> Vec<Unit> {
    let slice = &text[block.clone()];
    let mut out = Vec::new();
    for (offset, chunk) in slice
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - slice.as_ptr() as usize, w))
    {
        if chunk.len() <= CHARS_PER_WORD {
            // At most that many chars: one unit (most words).
            out.push(Unit {
                start: block.start + offset,
                end: block.start + offset + chunk.len(),
                chunk_start: true,
                sentence_start: false,
            });
            continue;
        }
        let mut first = true;
        let mut chars = chunk.char_indices().peekable();
        while let Some(&(from, _)) = chars.peek() {
            let to = chars
                .nth(CHARS_PER_WORD - 1)
                .and_then(|_| chars.peek().map(|&(i, _)| i))
                .unwrap_or(chunk.len());
            out.push(Unit {
                start: block.start + offset + from,
                end: block.start + offset + to,
                chunk_start: first,
                sentence_start: false,
            });
            first = false;
        }
    }
    out
}

/// Marks the units of `block` that [`cut`] may cut at and that start a
/// sentence: the first unit of a chunk that begins where
/// [`sentence_starts`] puts a sentence start. Sentences are looked for
/// only around those units ([`cut_windows`]: about half of a long block),
/// with enough text on each side that the starts found are those of the
/// whole block (see [`CONTEXT_CHUNKS`]).
fn mark_sentence_starts(units: &mut [Unit], text: &str, block: Range<usize>, bounds: Bounds) {
    // Each window with the text around it; windows whose texts overlap
    // are read as one (a block of a few long chunks is read once).
    let mut reads: Vec<(Range<usize>, RangeInclusive<usize>)> = Vec::new();
    for window in cut_windows(units.len(), bounds) {
        let (first, last) = (*window.start(), *window.end());
        let start = units[first.saturating_sub(CONTEXT_UNITS)..first]
            .iter()
            .rev()
            .filter(|u| u.chunk_start)
            .nth(CONTEXT_CHUNKS - 1)
            .map_or(block.start, |u| u.start);
        let end = context_end(units, last, text).unwrap_or(block.end);
        match reads.last_mut() {
            Some((read, windows)) if read.end > start => {
                read.end = read.end.max(end);
                *windows = *windows.start()..=last;
            }
            _ => reads.push((start..end, window)),
        }
    }
    for (read, windows) in reads {
        let starts = sentence_starts(&text[read.clone()]);
        let mut next_sentence = starts.iter().peekable();
        for unit in units[windows].iter_mut().filter(|u| u.chunk_start) {
            let offset = unit.start - read.start;
            while next_sentence.next_if(|&&s| s < offset).is_some() {}
            unit.sentence_start = next_sentence.next_if(|&&s| s == offset).is_some();
        }
    }
}

/// Most units looked at for the context of a window on either side;
/// past them the context runs to the block's edge (chunks that long are
/// not words).
const CONTEXT_UNITS: usize = 64;

/// Whole chunks of text kept before a window of units whose sentence
/// starts are wanted. Whether a sentence starts at a chunk looks back only
/// to the sentence end before it (a terminator, closing quotes and
/// brackets in the same chunk, then spaces) and to the word that ends
/// there (initials, abbreviations): the chunk before, never further.
const CONTEXT_CHUNKS: usize = 4;

/// Where the text read after the unit `last` can end: after at least two
/// more chunks, and after the first chunk past `last` that has a letter.
/// Whether a sentence starts after a full stop can look ahead over any
/// run of digits, spaces and punctuation for a lowercase letter (UAX #29,
/// SB8); the first letter settles it. `None`: read to the block's end.
fn context_end(units: &[Unit], last: usize, text: &str) -> Option<usize> {
    let mut chunks = 0;
    let mut letter = false;
    for (i, unit) in units.iter().enumerate().skip(last + 1).take(CONTEXT_UNITS) {
        if unit.chunk_start {
            if chunks >= 2 && letter {
                return Some(units[i - 1].end);
            }
            chunks += 1;
        }
        letter = letter || text[unit.start..unit.end].chars().any(char::is_alphabetic);
    }
    None
}

/// How [`cut`] cuts a block of `n` units: into `k` pieces, each cut within
/// `tolerance` units of its ideal place.
fn cut_plan(n: usize, bounds: Bounds) -> (usize, usize) {
    let target = bounds.target.clamp(1, bounds.max.max(1));
    (n.div_ceil(target), target / 4)
}

/// The units [`cut`] may cut a block of `n` units at, as sorted, disjoint
/// ranges of unit indices: those within the tolerance of an ideal cut.
fn cut_windows(n: usize, bounds: Bounds) -> Vec<RangeInclusive<usize>> {
    let (k, tolerance) = cut_plan(n, bounds);
    let mut windows: Vec<RangeInclusive<usize>> = Vec::new();
    for i in 1..k {
        let ideal = i * n / k;
        let lo = ideal.saturating_sub(tolerance);
        let hi = (ideal + tolerance).min(n.saturating_sub(1));
        match windows.last_mut() {
            Some(w) if *w.end() + 1 >= lo => *w = *w.start()..=hi,
            _ => windows.push(lo..=hi),
        }
    }
    windows
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "no", "p", "pp", "fig", "inc", "co",
    "ltd", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "jan", "feb", "mar", "apr", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "corp",
];

/// Byte offsets (relative to `block`) where a sentence starts, excluding
/// the block start. UAX #29 treats every line break as a boundary, so line
/// breaks are read as spaces (same length, offsets unchanged); a boundary
/// after an abbreviation or an initial, or before a lowercase word or a
/// digit, is dropped.
pub(crate) fn sentence_starts(block: &str) -> Vec<usize> {
    // Line breaks are whitespace to everything below but the segmenter:
    // quarry's own segmenter reads them as spaces and works on the block
    // itself; the crate gets a copy with spaces in their place.
    let flat: String;
    let (text, bounds) = match sentences::sentence_starts(block) {
        Some(bounds) => (block, bounds),
        None => {
            flat = block
                .chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                .collect();
            let bounds = flat.split_sentence_bound_indices().skip(1);
            (flat.as_str(), bounds.map(|(offset, _)| offset).collect())
        }
    };
    let flat = text;
    let mut out = Vec::new();
    for offset in bounds {
        let before = flat[..offset].trim_end();
        let after = &flat[offset..];
        let last_word = before
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("")
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .trim_end_matches('.')
            .to_lowercase();
        let initial = last_word.chars().count() == 1 && before.ends_with('.');
        let abbreviation = before.ends_with('.') && ABBREVIATIONS.contains(&last_word.as_str());
        let continues = after
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
        if !(initial || abbreviation || continues) {
            out.push(offset);
        }
    }
    out
}

/// Cuts an oversized block into balanced pieces of about `target` units,
/// preferring sentence starts within a quarter of the target of each ideal
/// cut, else cutting at the ideal unit. Returns each piece with its size.
fn cut(units: &[Unit], bounds: Bounds) -> Vec<(Range<usize>, usize)> {
    let n = units.len();
    let (k, tolerance) = cut_plan(n, bounds);
    let mut cuts = vec![0];
    for i in 1..k {
        let prev = *cuts.last().unwrap_or(&0);
        let ideal = i * n / k;
        let lo = ideal.saturating_sub(tolerance).max(prev + 1);
        let hi = (ideal + tolerance).min(n - 1).min(prev + bounds.max);
        let best = (lo..=hi)
            .filter(|&j| units[j].sentence_start)
            .min_by_key(|&j| j.abs_diff(ideal));
        let chosen = best.unwrap_or(ideal.clamp(lo, hi.max(lo)));
        if chosen > prev && chosen < n {
            cuts.push(chosen);
        }
    }
    cuts.push(n);
    cuts.windows(2)
        .map(|w| (units[w[0]].start..units[w[1] - 1].end, w[1] - w[0]))
        .collect()
}

/// Packs pieces into passages within their sections, a piece at a time.
/// Only the last two passages can still change (a piece joins the last;
/// a short last one joins the one before): earlier ones are final.
struct Packer {
    bounds: Bounds,
    passages: Vec<Piece>,
}

impl Packer {
    fn new(bounds: Bounds) -> Packer {
        Packer {
            bounds,
            passages: Vec::new(),
        }
    }

    fn add(&mut self, piece: Piece) {
        let bounds = self.bounds;
        if let Some(last) = self.passages.last_mut() {
            let joined = last.size + piece.size;
            let fits = last.size < bounds.min || joined <= bounds.target;
            if last.section == piece.section && fits && joined <= bounds.max {
                last.range.end = piece.range.end;
                last.size = joined;
                return;
            }
            merge_short_tail(&mut self.passages, bounds);
        }
        self.passages.push(piece);
    }

    /// Moves the passages that can no longer change to `out`.
    fn take_final(&mut self, out: &mut Vec<Range<usize>>) {
        let done = self.passages.len().saturating_sub(2);
        out.extend(self.passages.drain(..done).map(|p| p.range));
    }

    fn finish(mut self, out: &mut Vec<Range<usize>>) {
        merge_short_tail(&mut self.passages, self.bounds);
        out.extend(self.passages.into_iter().map(|p| p.range));
    }
}

/// Merges the last passage into the one before it when it is short, both
/// are in one section and the result stays within `max`.
fn merge_short_tail(passages: &mut Vec<Piece>, bounds: Bounds) {
    let [.., prev, last] = passages.as_mut_slice() else {
        return;
    };
    if last.size < bounds.min && prev.section == last.section && prev.size + last.size <= bounds.max
    {
        prev.range.end = last.range.end;
        prev.size += last.size;
        passages.pop();
    }
}

/// The size of a text in words, as the splitter counts it: one unit per
/// started [`CHARS_PER_WORD`] chars of each whitespace-separated chunk.
/// ASCII is read eight bytes at a time: a mask of its whitespace bytes
/// gives where chunks end.
pub fn size(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut size = 0;
    // Chars of the chunk being read, so far.
    let mut chunk = 0;
    let mut end_chunk = |chunk: &mut usize| {
        size += chunk.div_ceil(CHARS_PER_WORD);
        *chunk = 0;
    };
    let mut i = 0;
    while i < bytes.len() {
        if let Some(eight) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(<[u8; 8]>::try_from(eight).unwrap_or_default());
            if word & 0x8080_8080_8080_8080 == 0 {
                let mut spaces = ascii_spaces(word);
                let mut from = 0;
                while spaces != 0 {
                    let at = (spaces.trailing_zeros() / 8) as usize;
                    chunk += at - from;
                    end_chunk(&mut chunk);
                    from = at + 1;
                    spaces &= spaces - 1;
                }
                chunk += 8 - from;
                i += 8;
                continue;
            }
        }
        // A byte at a time: near the end, or where a char is not ASCII.
        let b = bytes[i];
        if b < 0x80 {
            if is_ascii_space(b) {
                end_chunk(&mut chunk);
            } else {
                chunk += 1;
            }
            i += 1;
        } else if b < 0xC0 {
            i += 1; // inside a char counted at its first byte
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            if c.is_whitespace() {
                end_chunk(&mut chunk);
            } else {
                chunk += 1;
            }
            i += c.len_utf8();
        }
    }
    end_chunk(&mut chunk);
    size
}

/// Whitespace as `char::is_whitespace` has it in ASCII: tab, line feed,
/// vertical tab, form feed, carriage return, space.
fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// The high bit of each byte of eight ASCII bytes that [`is_ascii_space`].
fn ascii_spaces(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let ones = |b: u8| u64::from_le_bytes([b; 8]);
    // A zero byte of `word ^ spaces`, exactly (no borrow between bytes).
    let x = word ^ ones(b' ');
    let blank = !(((x & LOW7) + LOW7) | x | LOW7);
    // Bytes below 0x80 plus 0x77 reach 0x80 from 9 up, plus 0x72 from 14
    // up, with no carry between bytes.
    let control = (word + ones(0x80 - b'\t')) & !(word + ones(0x80 - b'\r' - 1)) & HIGH;
    blank | control
}

mod sentences;
#[cfg(test)]
mod tests;
