//! The distinct words of a file's passages, gathered as they are written,
//! for the file's word lists (`kind = words` documents).

use rustc_hash::FxHashSet;

use super::analyzer::{pack, unpack_into};
use super::{STOP_WORDS, for_each_word};

/// A word list is written once it holds this many words, so that a huge
/// file (a collection, a book dump) never holds all its words in memory:
/// a few MiB at most.
const FULL: usize = 50_000;

/// Distinct words, as the words analyzer gives them. Most words are short
/// and kept [`pack`]ed in an integer: a repeated word, the common case,
/// costs one integer hash and compare.
#[derive(Default)]
pub struct WordSet {
    short: FxHashSet<u128>,
    long: FxHashSet<Box<str>>,
    /// The last title added: every passage of a document repeats it.
    title: String,
}

impl WordSet {
    /// Adds the words of a passage's body.
    pub fn add(&mut self, text: &str) {
        for_each_word(text, |word| match pack(word) {
            Some(packed) => {
                self.short.insert(packed);
            }
            None => {
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

    /// Empties the set, giving its words less the stop words (which no
    /// query matches).
    pub fn drain(&mut self) -> impl Iterator<Item = String> + '_ {
        let short = self.short.drain().filter_map(|packed| {
            let mut word = String::new();
            unpack_into(packed, &mut word).then_some(word)
        });
        short
            .chain(self.long.drain().map(String::from))
            .filter(|word| !STOP_WORDS.contains(&word.as_str()))
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
    fn words_are_normalised_distinct_and_without_stop_words() {
        let mut set = WordSet::default();
        set.add_title("The Running Man");
        set.add(
            "Running, running: the CAFE\u{301} of İstanbul and it ran \
             internationalisations Internationalisations.",
        );
        assert_eq!(
            drained(&mut set),
            [
                "cafe",
                "internationalisations",
                "istanbul",
                "man",
                "ran",
                "running"
            ]
        );
        assert!(drained(&mut set).is_empty(), "draining empties the set");
    }

    #[test]
    fn a_repeated_title_is_read_once() {
        // The file's earlier word list has the title's words already.
        let mut set = WordSet::default();
        set.add_title("Steel tariffs");
        assert_eq!(drained(&mut set), ["steel", "tariffs"]);
        set.add_title("Steel tariffs");
        assert!(drained(&mut set).is_empty());
        set.add_title("Solar panels");
        assert_eq!(drained(&mut set), ["panels", "solar"]);
    }
}
