//! quarry's two analyzers, each one pass over the text instead of a chain
//! of five token filters, giving exactly the tokens of that chain:
//!
//! - words (`quarry_words`): [`WordTokenizer`](super::WordTokenizer),
//!   tokens of 40 bytes or more dropped, lowercase, ASCII folding;
//! - stemmed (`quarry_en`): the same, then stop words dropped and English
//!   Snowball stemming.
//!
//! Each thread keeps a `Scratch`: a bounded cache of stems (most words
//! repeat) and the buffers of normalisation. A word is read, normalised and
//! stemmed straight into the token, with no list of the text's words in
//! between. An ASCII word is lowercased in place; any other word goes
//! through tantivy's own `LowerCaser` and `AsciiFoldingFilter`, and every
//! stem comes from the Snowball crate tantivy's `Stemmer` runs, so the
//! output cannot drift from the chain (tests compare the two).
//!
//! The stemmed analyzer an index writer runs ([`Analyzer::indexing`])
//! also notes each word whose stem differs from it, for the passage's
//! `words` field to list (see `words.rs`).

use std::cell::RefCell;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

use super::tokenizer::{next_word, normalize_into};
use super::words::Pending;
use super::{MAX_TOKEN_BYTES, STOP_WORDS};

/// The stem cache has 2^this slots of 32 bytes (2 MiB per thread), in
/// sets of two. A miss runs Snowball (about half a microsecond), so on a
/// book-sized vocabulary a bigger, two-way cache pays for its slower
/// lookups: analyzing 62 MB of Gutenberg took 0.82–0.87 s against
/// 0.99–1.10 s with 2^15 direct-mapped slots (BENCHMARKS.md).
const STEM_CACHE_BITS: u32 = 16;

/// One of quarry's analyzers (see the module doc).
#[derive(Clone, Copy, Debug)]
pub struct Analyzer {
    /// Stop words dropped and words stemmed (`quarry_en`).
    stemmed: bool,
    /// Words whose stem differs are noted for the passage's listed words
    /// (see [`super::words`]): the stemmed analyzer of an index writer.
    collect: bool,
}

impl Analyzer {
    /// The analyzer of the stemmed fields, as searches run it.
    pub fn stemmed() -> Analyzer {
        Analyzer {
            stemmed: true,
            collect: false,
        }
    }

    /// The analyzer of the stemmed fields, as an index writer runs it: it
    /// also notes the words a stem changes.
    pub fn indexing() -> Analyzer {
        Analyzer {
            stemmed: true,
            collect: true,
        }
    }

    /// The analyzer of unstemmed words (prefixes, highlighting).
    pub fn words() -> Analyzer {
        Analyzer {
            stemmed: false,
            collect: false,
        }
    }
}

/// A thread's reusable state: the stem cache and the buffers of
/// normalisation.
#[derive(Default)]
struct Scratch {
    /// Normalised words and their stems.
    stems: StemCache,
    folding: Folding,
    /// A normalised word.
    word: String,
}

/// Normalises words (NFKC, lowercase, ASCII folding) as the analyzers do.
#[derive(Default)]
struct Folding {
    /// The normal form of a word being analyzed.
    normal: String,
    /// `LowerCaser` + `AsciiFoldingFilter` over one whole word.
    fold: Option<TextAnalyzer>,
}

impl Folding {
    /// Appends the normalised form of `word` (a word of [`next_word`],
    /// `ascii` as it says) to `out`; false, with nothing appended, for a
    /// word too long to index.
    fn fold(&mut self, word: &str, ascii: bool, out: &mut String) -> bool {
        if ascii {
            if word.len() >= MAX_TOKEN_BYTES {
                return false;
            }
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
            return true;
        }
        self.normal.clear();
        normalize_into(word, &mut self.normal);
        if self.normal.len() >= MAX_TOKEN_BYTES {
            return false;
        }
        let fold = self.fold.get_or_insert_with(|| {
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build()
        });
        whole_word(fold, &self.normal, out);
        true
    }
}

/// Most scratches a thread keeps: one per token stream alive at once (a
/// search holds a words stream while it runs a stemmed one).
const SCRATCH_POOL: usize = 4;

thread_local! {
    /// A token stream takes a scratch while it runs and gives it back when
    /// it is dropped; a stream started while another runs takes another.
    static SCRATCH: RefCell<Vec<Scratch>> = const { RefCell::new(Vec::new()) };
}

impl Scratch {
    fn take() -> Scratch {
        SCRATCH.with(|s| s.borrow_mut().pop()).unwrap_or_default()
    }

    fn put_back(self) {
        SCRATCH.with(|s| {
            let mut pool = s.borrow_mut();
            if pool.len() < SCRATCH_POOL {
                pool.push(self);
            }
        });
    }
}

/// What tantivy's `Stemmer::new(Language::English)` runs, without a token
/// stream around the word.
fn snowball(word: &str) -> std::borrow::Cow<'_, str> {
    frostem::Stemmer::new(frostem::Algorithm::English).stem(word)
}

/// The stem the stemmed analyzer gives a word as the words analyzer gives
/// it (normalised), or `None` for a stop word: for the words of a passage
/// that highlighting must stem (through the thread's stem cache: a long
/// query may have a stem for every word of a passage).
pub fn stem(word: &str) -> Option<String> {
    let mut scratch = Scratch::take();
    let mut stem = String::new();
    let found = scratch.stems.stem_into(word, &mut stem);
    scratch.put_back();
    found.then_some(stem)
}

/// The short ASCII word at `word` of `text` (`ascii` as [`next_word`]
/// says) packed and lowercased straight from the text: what [`pack`] gives
/// for its normalised form, without making that form. The word is read as
/// one 16-byte load when the text goes on that far (its bytes past the word
/// masked off).
fn pack_ascii(text: &str, word: std::ops::Range<usize>, ascii: bool) -> Option<u128> {
    let len = word.len();
    if !ascii || len > PACKED_MAX {
        return None;
    }
    let bytes = text.as_bytes();
    let raw = match bytes
        .get(word.start..word.start + 16)
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
    {
        Some(sixteen) => u128::from_le_bytes(sixteen) & ((1 << (8 * len)) - 1),
        None => {
            let mut padded = [0u8; 16];
            padded[..len].copy_from_slice(bytes.get(word)?);
            u128::from_le_bytes(padded)
        }
    };
    Some(ascii_lowercase(raw) | ((len as u128) << 120))
}

/// `0x01` in every byte.
const ONES: u128 = u128::MAX / 0xFF;

/// Every byte of `x` (all below 0x80) lowercased, sixteen at once: a byte
/// from `A` to `Z` gains 0x20. Adding 0x3F sets a byte's top bit from `A`
/// up, adding 0x25 from past `Z` up, and no sum carries into the next byte.
fn ascii_lowercase(x: u128) -> u128 {
    let from_a = x + ONES * 0x3F;
    let past_z = x + ONES * 0x25;
    x | ((from_a & !past_z & (ONES * 0x80)) >> 2)
}

/// Bytes of the longest word (or stem) the cache holds; longer ones are
/// stemmed every time (they are rare).
const PACKED_MAX: usize = 15;

/// A short string in 16 bytes: its bytes, zero-padded, and its length in
/// the last byte. Compared as one integer, never through `memcmp`.
pub(super) fn pack(s: &str) -> Option<u128> {
    let mut bytes = [0u8; 16];
    bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
    if s.len() > PACKED_MAX {
        return None;
    }
    bytes[15] = s.len() as u8;
    Some(u128::from_le_bytes(bytes))
}

/// Appends a string [`pack`]ed into `packed` to `out`; false when `packed`
/// is no packed string.
pub(super) fn unpack_into(packed: u128, out: &mut String) -> bool {
    let mut bytes = Aligned(packed.to_le_bytes());
    let len = usize::from(bytes.0[15]);
    if len > PACKED_MAX {
        return false;
    }
    // One validation and one copy: pushing ASCII bytes char by char cost
    // three times as many instructions (BENCHMARKS.md). All 16 bytes are
    // checked, aligned, the length byte as a NUL: the whole run then took
    // 0.5% fewer instructions than checking the string alone, or the 16
    // bytes with the length byte left in (the code compiled around it
    // differs; measured with callgrind, not reasoned).
    bytes.0[15] = 0;
    match std::str::from_utf8(&bytes.0).map(|s| s.get(..len)) {
        Ok(Some(s)) => {
            out.push_str(s);
            true
        }
        _ => false,
    }
}

/// Sixteen bytes on a 16-byte boundary.
#[repr(align(16))]
struct Aligned([u8; 16]);

/// A cached stem: a packed string, or [`Stem::STOP`].
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stem(u128);

impl Stem {
    /// A stop word (no packed string has 0xFF as its length).
    const STOP: Stem = Stem(0xFF << 120);

    /// Appends the stem to `out`; false for a stop word.
    fn unpack_into(self, out: &mut String) -> bool {
        unpack_into(self.0, out)
    }
}

/// A two-way set-associative cache of stems: each word has one set of two
/// slots (one cache line), and a word missing from a full set replaces the
/// one used less lately. A word is compared whole, so a hit is always its
/// own stem. It starts small (a search stems a few passages) and grows,
/// emptied, to 2^[`STEM_CACHE_BITS`] slots once it has missed more words
/// than it has slots (indexing).
struct StemCache {
    /// The sets; an empty slot has word 0, which no word packs to.
    sets: Vec<Set>,
    /// The sets are 2^bits.
    bits: u32,
    /// Words stored since the sets were made.
    stored: usize,
}

/// Two cached words and their stems in one cache line, the one used last
/// first.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Set([(u128, Stem); 2]);

impl Set {
    const EMPTY: Set = Set([(0, Stem::STOP); 2]);
}

/// The stem cache starts with 2^this slots (32 KiB).
const STEM_CACHE_FIRST_BITS: u32 = 10;

impl Default for StemCache {
    /// Empty: the sets are made at the first stem (a scratch used only
    /// for unstemmed words never needs them).
    fn default() -> StemCache {
        StemCache {
            sets: Vec::new(),
            bits: 0,
            stored: 0,
        }
    }
}

impl StemCache {
    /// Writes the stem of `word` (normalised) into `out`; false for a stop
    /// word.
    fn stem_into(&mut self, word: &str, out: &mut String) -> bool {
        out.clear();
        let packed = pack(word);
        if let Some(stem) = packed.and_then(|w| self.get(w)) {
            return stem.unpack_into(out);
        }
        let stop = STOP_WORDS.contains(&word);
        if !stop {
            out.push_str(&snowball(word));
        }
        let stem = if stop {
            Some(Stem::STOP)
        } else {
            pack(out).map(Stem)
        };
        if let (Some(word), Some(stem)) = (packed, stem) {
            self.put(word, stem);
        }
        !stop
    }

    fn set(&self, word: u128) -> usize {
        let folded = (word as u64) ^ ((word >> 64) as u64).rotate_left(29);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    fn get(&mut self, word: u128) -> Option<Stem> {
        if self.sets.is_empty() {
            return None;
        }
        let i = self.set(word);
        let set = &mut self.sets[i].0;
        if set[0].0 == word {
            Some(set[0].1)
        } else if set[1].0 == word {
            set.swap(0, 1);
            Some(set[0].1)
        } else {
            None
        }
    }

    fn put(&mut self, word: u128, stem: Stem) {
        let slots = 2 * self.sets.len();
        if self.sets.is_empty() || (self.stored > slots && self.bits + 1 < STEM_CACHE_BITS) {
            self.bits = (self.bits + 5).clamp(STEM_CACHE_FIRST_BITS - 1, STEM_CACHE_BITS - 1);
            self.sets = vec![Set::EMPTY; 1 << self.bits];
            self.stored = 0;
        }
        let i = self.set(word);
        let set = &mut self.sets[i].0;
        set[1] = set[0];
        set[0] = (word, stem);
        self.stored += 1;
    }
}

/// Runs an analyzer over `word` as one token and appends its output.
fn whole_word(analyzer: &mut TextAnalyzer, word: &str, out: &mut String) {
    let mut stream = analyzer.token_stream(word);
    if stream.advance() {
        out.push_str(&stream.token().text);
    }
}

/// The stream of an [`Analyzer`]: the words of the text, filtered and
/// stemmed as the analyzer says.
pub struct AnalyzerStream<'a> {
    text: &'a str,
    scratch: Option<Scratch>,
    stemmed: bool,
    /// Where the next word is looked for.
    from: usize,
    /// Words read so far (too long ones and stop words included: they keep
    /// their positions).
    words: usize,
    token: Token,
    /// Where words whose stem differs are noted, when collecting.
    changed: Option<Pending>,
}

impl Tokenizer for Analyzer {
    type TokenStream<'a> = AnalyzerStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalyzerStream<'a> {
        AnalyzerStream {
            text,
            scratch: Some(Scratch::take()),
            stemmed: self.stemmed,
            from: 0,
            words: 0,
            token: Token::default(),
            changed: self.collect.then(Pending::take),
        }
    }
}

impl TokenStream for AnalyzerStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(scratch) = self.scratch.as_mut() else {
            return false;
        };
        while let Some((range, ascii)) = next_word(self.text, self.from) {
            self.from = range.end;
            self.words += 1;
            let word = &self.text[range.clone()];
            let cached = match pack_ascii(self.text, range.clone(), ascii) {
                Some(packed) if self.stemmed => scratch.stems.get(packed).map(|s| (packed, s)),
                _ => None,
            };
            if let Some((packed, stem)) = cached {
                // Most tokens: a short ASCII word whose stem is cached.
                self.token.text.clear();
                if !stem.unpack_into(&mut self.token.text) {
                    continue; // a stop word
                }
                if let Some(changed) = self.changed.as_mut().filter(|_| stem.0 != packed) {
                    changed.push_packed(packed);
                }
            } else if self.stemmed {
                scratch.word.clear();
                if !scratch.folding.fold(word, ascii, &mut scratch.word)
                    || !scratch.stems.stem_into(&scratch.word, &mut self.token.text)
                {
                    continue;
                }
                if let Some(changed) = self
                    .changed
                    .as_mut()
                    .filter(|_| scratch.word != self.token.text)
                {
                    changed.push(&scratch.word);
                }
            } else {
                self.token.text.clear();
                if !scratch.folding.fold(word, ascii, &mut self.token.text) {
                    continue;
                }
            }
            self.token.offset_from = range.start;
            self.token.offset_to = range.end;
            self.token.position = self.words - 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Drop for AnalyzerStream<'_> {
    fn drop(&mut self) {
        if let Some(scratch) = self.scratch.take() {
            scratch.put_back();
        }
        if let Some(changed) = self.changed.take() {
            changed.put_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::WordTokenizer;
    use proptest::prelude::*;
    use tantivy::tokenizer::{Language, RemoveLongFilter, Stemmer, StopWordFilter};

    /// The filter chain the analyzers stand for.
    fn chain(stemmed: bool) -> TextAnalyzer {
        let words = TextAnalyzer::builder(WordTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter);
        if stemmed {
            words
                .filter(StopWordFilter::remove(
                    STOP_WORDS.iter().map(|w| w.to_string()),
                ))
                .filter(Stemmer::new(Language::English))
                .build()
        } else {
            words.build()
        }
    }

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().clone());
        }
        out
    }

    fn assert_same_as_chain(text: &str) {
        for analyzer in [Analyzer::stemmed(), Analyzer::indexing(), Analyzer::words()] {
            let mut fused = TextAnalyzer::from(analyzer);
            // Twice: the second run takes the words from the scratch.
            for _ in 0..2 {
                assert_eq!(
                    tokens(&mut fused, text),
                    tokens(&mut chain(analyzer.stemmed), text),
                    "{analyzer:?}: {text:?}"
                );
            }
        }
        // Words the indexing analyzer noted are the listed words' business.
        super::super::words::Pending::take();
    }

    #[test]
    fn tokens_are_those_of_the_filter_chain() {
        for text in [
            "",
            "The Intrusions, the RUNNING of the cafe\u{301}s; naïve Straße İstanbul ΣΊΣΥΦΟΣ",
            "１２３ ﬁnance e-mail U.S. 3.14 it is a test of ÆON and œuvre",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x",
            "ééééééééééééééééééé éééééééééééééééééééé 東京 في مدينة",
        ] {
            assert_same_as_chain(text);
        }
    }

    /// Highlighting stems only the words that start like a query stem
    /// (`search::highlight::Vocabulary`): that holds for every word of the
    /// sample corpus and for Snowball's irregular forms.
    #[test]
    fn a_stem_starts_with_its_word_s_first_byte() {
        let mut words = Analyzer::words();
        let mut checked = 0;
        let mut check = |text: &str| {
            let mut stream = words.token_stream(text);
            while stream.advance() {
                let word = &stream.token().text;
                if let Some(stem) = stem(word) {
                    assert_eq!(
                        stem.as_bytes().first(),
                        word.as_bytes().first(),
                        "{word} → {stem}"
                    );
                    checked += 1;
                }
            }
        };
        check("skis skies dying lying tying idly gently ugly early only singly sky news");
        check("Ýmir Éire œuvre ÆSIR İstanbul ﬁnance ２０２６ ½ yes yelling");
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for entry in walkdir::WalkDir::new(corpus).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                check(&text);
            }
        }
        assert!(checked > 5_000, "only {checked} words checked");
    }

    #[test]
    fn words_that_share_a_cache_slot_keep_their_own_stems() {
        // Many more words than slots, some too long to be cached, all
        // analyzed twice (the second time mostly from the cache).
        let text: String = (0..(3usize << STEM_CACHE_BITS))
            .map(|i| format!("w{i}ing connect{i}ations "))
            .collect();
        assert_same_as_chain(&text);
    }

    #[test]
    fn packed_strings_round_trip_and_long_ones_are_not_packed() {
        for s in ["a", "running", "éclair", "fifteen-bytes!!"] {
            let mut out = String::new();
            assert!(Stem(pack(s).unwrap()).unpack_into(&mut out));
            assert_eq!(out, s);
        }
        assert_eq!(pack("sixteen bytes!!!"), None);
        assert!(!Stem::STOP.unpack_into(&mut String::new()));
    }

    #[test]
    fn a_thread_keeps_a_few_scratches_for_streams_alive_at_once() {
        let mut a = TextAnalyzer::from(Analyzer::words());
        let mut b = TextAnalyzer::from(Analyzer::stemmed());
        for _ in 0..3 {
            let mut first = a.token_stream("alpha beta");
            let mut second = b.token_stream("running fast");
            assert!(first.advance() && second.advance());
            assert_eq!(
                (&*first.token().text, &*second.token().text),
                ("alpha", "run")
            );
        }
        assert_eq!(SCRATCH.with(|s| s.borrow().len()), 2);
    }

    #[test]
    fn nested_streams_do_not_share_words() {
        let mut outer = TextAnalyzer::from(Analyzer::words());
        let mut inner = TextAnalyzer::from(Analyzer::words());
        let mut a = outer.token_stream("alpha beta");
        assert!(a.advance());
        assert_eq!(
            tokens(&mut inner, "gamma"),
            tokens(&mut chain(false), "gamma")
        );
        assert!(a.advance());
        assert_eq!(a.token().text, "beta");
    }

    proptest! {
        #[test]
        fn any_text_gives_the_tokens_of_the_chain(text in "\\PC{0,80}") {
            assert_same_as_chain(&text);
        }

        #[test]
        fn mixed_script_words_give_the_tokens_of_the_chain(
            text in "([a-zA-Zéèà ÉÀßæœøİıΣσςﬁ１２３\u{301}\u{308}.,'-]{1,12} ?){0,20}"
        ) {
            assert_same_as_chain(&text);
        }

        /// A wrong packing would only cost cache misses (the analyzer then
        /// folds and packs the word the slow way), so it is checked here.
        #[test]
        fn an_ascii_word_packs_from_the_text_as_its_lowercase_form_packs(
            before in "[ -~]{0,3}",
            word in "[A-Za-z0-9]{1,20}",
            after in "\\PC{0,20}",
        ) {
            let text = format!("{before}{word}{after}");
            let range = before.len()..before.len() + word.len();
            prop_assert_eq!(
                pack_ascii(&text, range, true),
                pack(&word.to_ascii_lowercase())
            );
        }
    }
}
