//! The words of a file that stemming changes (`running`, not `run`), for
//! `word*` prefixes: the dictionary of stems cannot give them back.
//!
//! Each passage lists, in its `words` field (doc ids only), the words of
//! its title and body whose stem differs from them and that its indexing
//! thread has not listed for the same file yet. A file's words are thus
//! listed about once per indexing thread (tantivy gives each new segment
//! fresh tokenizers, so once per segment being written), and they go with
//! its passages when the file is deleted or replaced.
//!
//! The analyzer finds them: when tantivy's indexing thread runs the
//! stemmed analyzer over a passage's title and body, the analyzer has just
//! stemmed each word, and notes in the thread's [`Pending`] each one whose
//! stem differs. tantivy then indexes the passage's `words` field, whose
//! value is the file's key: its tokenizer, [`ListedWords`], takes the
//! pending words and gives those it has not given for that file yet. No
//! word is read twice. This relies on tantivy 0.27 indexing a document's
//! fields one after the other on one thread, in field order
//! (`InvertedIndexPluginWriter::index_document` sorts them), with `words`
//! after `title` and `body` in the schema; a test checks it.

use std::cell::RefCell;

use rustc_hash::FxHashSet;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::analyzer::{pack, unpack_into};

/// A tokenizer forgets a file's words once it has listed this many (a
/// collection file or a book dump has hundreds of thousands), so that it
/// holds a few MiB at most; words met again after that are listed again.
const FULL: usize = 50_000;

/// Pending words a thread keeps at most. Only the stemmed analyzer of an
/// index writer notes words, and the `words` field of every passage takes
/// them; words noted by a stream that tantivy did not follow with a
/// `words` field (none does today) are dropped past this bound.
const MAX_PENDING: usize = 1 << 20;

thread_local! {
    static PENDING: RefCell<Pending> = RefCell::new(Pending::default());
}

/// Strings one after the other in one buffer (no allocation each).
#[derive(Clone, Default)]
struct Strings {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

impl Strings {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    /// The `i`th string.
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j]);
        self.text.get(start..end)
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).filter_map(|i| self.get(i))
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }
}

/// Normalised words whose stem differs from them, noted by the stemmed
/// analyzer for the passage being indexed on this thread: short ones
/// [`pack`]ed, longer ones as text.
#[derive(Default)]
pub(super) struct Pending {
    short: Vec<u128>,
    long: Strings,
}

impl Pending {
    /// Takes the thread's pending words (its buffers come back with
    /// [`Pending::put_back`]).
    pub(super) fn take() -> Pending {
        PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()))
    }

    /// Gives pending words back to the thread, after any noted since they
    /// were taken.
    pub(super) fn put_back(mut self) {
        PENDING.with(|p| {
            let mut kept = p.borrow_mut();
            if !kept.is_empty() {
                self.append(&kept);
            }
            if self.short.len() + self.long.len() > MAX_PENDING {
                self.clear();
            }
            *kept = self;
        });
    }

    /// Notes a normalised word, packed.
    pub(super) fn push_packed(&mut self, word: u128) {
        self.short.push(word);
    }

    /// Notes a normalised word.
    pub(super) fn push(&mut self, word: &str) {
        match pack(word) {
            Some(packed) => self.short.push(packed),
            None => self.long.push(word),
        }
    }

    fn is_empty(&self) -> bool {
        self.short.is_empty() && self.long.len() == 0
    }

    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }

    fn append(&mut self, other: &Pending) {
        self.short.extend_from_slice(&other.short);
        for word in other.long.iter() {
            self.long.push(word);
        }
    }
}

/// Slots of the cache of recent words: 2^this.
const RECENT_BITS: u32 = 11;

/// Past this many filled slots, a start empties the whole cache of recent
/// words.
const FEW_FILLED: usize = 1 << (RECENT_BITS - 3);

/// The words a tokenizer has listed for one file. A word repeated, the
/// common case, is usually found in a small cache of recent words (which
/// stays in the processor's first-level cache) before the set is looked
/// at.
#[derive(Clone)]
struct Listed {
    /// The file's key.
    file: String,
    short: FxHashSet<u128>,
    long: FxHashSet<Box<str>>,
    /// Packed words lately listed, each in the slot its hash picks (0 is
    /// no word).
    recent: Vec<u128>,
    /// The slots of `recent` filled since the last start, while few: a
    /// small file's start empties those instead of all 32 KiB (4% of
    /// indexing 2,225 news articles went to emptying the whole cache).
    filled: Vec<u16>,
}

impl Default for Listed {
    fn default() -> Listed {
        Listed {
            file: String::new(),
            short: FxHashSet::default(),
            long: FxHashSet::default(),
            recent: vec![0; 1 << RECENT_BITS],
            filled: Vec::new(),
        }
    }
}

impl Listed {
    /// Starts over, for `file` (or for the same file, once full).
    fn start(&mut self, file: &str) {
        self.file.clear();
        self.file.push_str(file);
        self.short.clear();
        self.long.clear();
        if self.filled.len() < FEW_FILLED {
            for &slot in &self.filled {
                self.recent[usize::from(slot)] = 0;
            }
        } else {
            self.recent.fill(0);
        }
        self.filled.clear();
    }

    /// Lists a packed word; false when it was listed already.
    fn insert_packed(&mut self, packed: u128) -> bool {
        let mixed = (packed as u64) ^ ((packed >> 64) as u64);
        let slot = mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT_BITS);
        let recent = &mut self.recent[slot as usize];
        if *recent == packed {
            return false;
        }
        if *recent == 0 && self.filled.len() < FEW_FILLED {
            self.filled.push(slot as u16);
        }
        *recent = packed;
        self.short.insert(packed)
    }

    /// Lists a long word; false when it was listed already.
    fn insert_long(&mut self, word: &str) -> bool {
        !self.long.contains(word) && self.long.insert(word.into())
    }

    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }
}

/// The tokenizer of the `words` field: its text is the file's key, and its
/// tokens are the words the stemmed analyzer noted for this passage that
/// the file has not listed yet (see the module doc).
#[derive(Clone, Default)]
pub struct ListedWords {
    listed: Listed,
    /// The words of the stream.
    new: Strings,
    /// A word being unpacked.
    word: String,
    token: Token,
}

/// The stream of [`ListedWords`].
pub struct ListedWordsStream<'a> {
    new: &'a Strings,
    next: usize,
    token: &'a mut Token,
}

impl Tokenizer for ListedWords {
    type TokenStream<'a> = ListedWordsStream<'a>;

    fn token_stream<'a>(&'a mut self, file: &'a str) -> ListedWordsStream<'a> {
        let mut pending = Pending::take();
        if self.listed.file != file || self.listed.len() >= FULL {
            self.listed.start(file);
        }
        self.new.clear();
        for &packed in &pending.short {
            self.word.clear();
            if self.listed.insert_packed(packed) && unpack_into(packed, &mut self.word) {
                self.new.push(&self.word);
            }
        }
        for word in pending.long.iter() {
            if self.listed.insert_long(word) {
                self.new.push(word);
            }
        }
        pending.clear();
        pending.put_back();
        self.token.reset();
        ListedWordsStream {
            new: &self.new,
            next: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for ListedWordsStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(word) = self.new.get(self.next) else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(word);
        self.token.position = self.next;
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::super::analyzer::Analyzer;
    use super::*;

    /// Runs the collecting analyzer over `texts` (a passage's title and
    /// body), then the words tokenizer for `file`: the words it lists,
    /// sorted.
    fn listed(words: &mut ListedWords, file: &str, texts: &[&str]) -> Vec<String> {
        for text in texts {
            let mut analyzer = Analyzer::indexing();
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {}
        }
        let mut stream = words.token_stream(file);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out.sort();
        out
    }

    #[test]
    fn words_are_normalised_distinct_and_only_those_a_stem_changes() {
        let mut words = ListedWords::default();
        let got = listed(
            &mut words,
            "a.txt",
            &[
                "The Running Man",
                "Running, running: the CAFE\u{301} of İstanbul and it ran \
                 internationalisations Internationalisations.",
            ],
        );
        // `cafe`, `istanbul`, `man` and `ran` are their own stems; stop
        // words are never listed.
        assert_eq!(got, ["internationalisations", "running"]);
    }

    #[test]
    fn a_file_lists_each_word_once_and_another_file_lists_it_again() {
        let mut words = ListedWords::default();
        assert_eq!(
            listed(&mut words, "a.txt", &["Steel tariffs", "tariffs rising"]),
            ["rising", "tariffs"]
        );
        assert_eq!(
            listed(
                &mut words,
                "a.txt",
                &["Steel tariffs", "tariffs rising fast"]
            ),
            Vec::<String>::new()
        );
        assert_eq!(listed(&mut words, "b.txt", &["Steel tariffs"]), ["tariffs"]);
    }

    #[test]
    fn another_file_lists_again_the_words_of_a_file_with_many() {
        // Past `FEW_FILLED` distinct words the whole cache of recent words
        // is emptied at the next file; below it, only its filled slots.
        for count in [3, 2 * FEW_FILLED] {
            let text: Vec<String> = (0..count).map(|i| format!("running{i}s")).collect();
            let text = text.join(" ");
            let mut words = ListedWords::default();
            let first = listed(&mut words, "a.txt", &[&text]);
            assert_eq!(first.len(), count);
            assert_eq!(
                listed(&mut words, "b.txt", &[&text]),
                first,
                "{count} words"
            );
        }
    }

    #[test]
    fn a_search_analyzer_notes_no_words() {
        let mut words = ListedWords::default();
        let mut analyzer = tantivy::tokenizer::TextAnalyzer::from(Analyzer::stemmed());
        let mut stream = analyzer.token_stream("running tariffs");
        while stream.advance() {}
        drop(stream);
        assert_eq!(listed(&mut words, "a.txt", &[]), Vec::<String>::new());
    }

    #[test]
    fn pending_words_kept_while_taken_are_not_lost() {
        let mut taken = Pending::take();
        taken.push("running");
        let mut other = Pending::take();
        other.push("an-unpackable-long-word");
        other.put_back();
        taken.push("tariffs");
        taken.put_back();
        let back = Pending::take();
        let mut got: Vec<String> = back
            .short
            .iter()
            .map(|&p| {
                let mut s = String::new();
                unpack_into(p, &mut s);
                s
            })
            .chain(back.long.iter().map(String::from))
            .collect();
        got.sort();
        assert_eq!(got, ["an-unpackable-long-word", "running", "tariffs"]);
    }
}
