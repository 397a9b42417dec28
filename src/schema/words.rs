//! The distinct words of a file's passages, gathered as they are written,
//! for the file's word lists (`kind = words` documents): the words whose
//! stem differs from them (`running`, not `run`), which the dictionary of
//! stems cannot give back.

use rustc_hash::FxHashSet;

use super::analyzer::{Normalised, for_each_word, stem, unpack_into};

/// A word list is written once it holds this many words, so that a huge
/// file (a collection, a book dump) never holds all its words in memory:
/// a few MiB at most.
const FULL: usize = 50_000;

/// Slots of the cache of recent words: 2^this.
const RECENT_BITS: u32 = 11;

/// Distinct words, as the words analyzer gives them. Most words are short
/// and kept packed in an integer; a repeated word, the common case, is
/// usually found in a small cache of recent words (which stays in the
/// processor's first-level cache) before the set is looked at.
pub struct WordSet {
    short: FxHashSet<u128>,
    long: FxHashSet<Box<str>>,
    /// Packed words lately added, each in the slot its hash picks (0 is
    /// no word).
    recent: Vec<u128>,
    /// The last title added: every passage of a document repeats it.
    title: String,
}

impl Default for WordSet {
    fn default() -> WordSet {
        WordSet {
            short: FxHashSet::default(),
            long: FxHashSet::default(),
            recent: vec![0; 1 << RECENT_BITS],
            title: String::new(),
        }
    }
}

impl WordSet {
    /// Adds the words of a passage's body.
    pub fn add(&mut self, text: &str) {
        for_each_word(text, |word| match word {
            Normalised::Packed(packed) => {
                let mixed = (packed as u64) ^ ((packed >> 64) as u64);
                let slot = mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT_BITS);
                let recent = &mut self.recent[slot as usize];
                if *recent != packed {
                    *recent = packed;
                    self.short.insert(packed);
                }
            }
            Normalised::Text(word) => {
                if !self.long.contains(word) {
                    self.long.insert(word.into());
                }
            }
        });
    }

    /// Adds the words of a passage's title (nothing when it is the last
    /// title added: the file's word lists have it already).
    pub fn add_title(&mut self, title: &str) {
        if title != self.title {
            self.title.clear();
            self.title.push_str(title);
            self.add(title);
        }
    }

    /// Holds enough words to be written out.
    pub fn is_full(&self) -> bool {
        self.short.len() + self.long.len() >= FULL
    }

    /// Empties the set, giving the words a stem changes: a word that is
    /// its own stem is in the dictionary of stems already, and a stop word
    /// is never matched.
    pub fn drain(&mut self) -> impl Iterator<Item = String> + '_ {
        self.recent.fill(0);
        let short = self.short.drain().filter_map(|packed| {
            let mut word = String::new();
            unpack_into(packed, &mut word).then_some(word)
        });
        short
            .chain(self.long.drain().map(String::from))
            .filter(|word| stem(word).is_some_and(|stem| stem != *word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drained(set: &mut WordSet) -> Vec<String> {
        let mut words: Vec<String> = set.drain().collect();
        words.sort();
        words
    }

    #[test]
    fn words_are_normalised_distinct_and_only_those_a_stem_changes() {
        let mut set = WordSet::default();
        set.add_title("The Running Man");
        set.add(
            "Running, running: the CAFE\u{301} of İstanbul and it ran \
             internationalisations Internationalisations.",
        );
        // `cafe`, `istanbul`, `man` and `ran` are their own stems.
        assert_eq!(drained(&mut set), ["internationalisations", "running"]);
        assert!(drained(&mut set).is_empty(), "draining empties the set");
    }

    #[test]
    fn a_repeated_title_is_read_once() {
        // The file's earlier word list has the title's words already.
        let mut set = WordSet::default();
        set.add_title("Steel tariffs");
        assert_eq!(drained(&mut set), ["tariffs"]);
        set.add_title("Steel tariffs");
        assert!(drained(&mut set).is_empty());
        set.add_title("Solar panels");
        assert_eq!(drained(&mut set), ["panels"]);
    }
}
