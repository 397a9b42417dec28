//! A word tokenizer that keeps combining marks inside words and gives each
//! token a normalised form.
//!
//! tantivy's `SimpleTokenizer` ends a word at the first non-alphanumeric
//! char, so a decomposed `cafe\u{301}` becomes `cafe` and `nai\u{308}ve`
//! becomes two words. This tokenizer treats combining marks as word chars
//! and normalises only `Token::text`: offsets always point into the text
//! that was tokenized, which stays byte-for-byte what the document holds.
//!
//! The normal form is NFKC (full-width `１２３` is `123`, `ﬁ` is `fi`,
//! composed and decomposed accents agree), with two case fixes the
//! lowercase filter cannot make: Turkish `İ` becomes `I` (lowercased it would
//! be `i` plus a combining dot, so `istanbul` would miss `İstanbul`), and
//! final sigma `ς` becomes `σ` (as `Σ` lowercases).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Splits text into words: maximal runs of alphanumeric chars and
/// combining marks.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The stream produced by [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    token: &'a mut Token,
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// The char starting at byte `i` of `text` (a char boundary).
fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or_default()
}

/// What a byte is to [`next_word`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Byte {
    /// ASCII, not a letter or digit: between words.
    Gap,
    /// An ASCII letter or digit.
    Word,
    /// Part of a char that is not ASCII: the char decides.
    Other,
}

/// [`Byte`] of every byte value, looked up instead of tested.
const BYTES: [Byte; 256] = {
    let mut table = [Byte::Other; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = if (b as u8).is_ascii_alphanumeric() {
            Byte::Word
        } else {
            Byte::Gap
        };
        b += 1;
    }
    table
};

/// The next word of `text` at or after byte `from`: its byte range and
/// whether it is all ASCII. ASCII bytes are classed by a table, without
/// decoding a char (most text is mostly ASCII).
pub(crate) fn next_word(text: &str, from: usize) -> Option<(std::ops::Range<usize>, bool)> {
    let bytes = text.as_bytes();
    let mut i = from;
    let start = loop {
        i += bytes
            .get(i..)?
            .iter()
            .position(|&b| BYTES[usize::from(b)] != Byte::Gap)?;
        if BYTES[usize::from(bytes[i])] == Byte::Word {
            break i;
        }
        let c = char_at(text, i);
        if is_word_char(c) {
            break i;
        }
        i += c.len_utf8();
    };
    let mut ascii = true;
    let mut end = start;
    loop {
        let rest = bytes.get(end..).unwrap_or_default();
        end += rest
            .iter()
            .position(|&b| BYTES[usize::from(b)] != Byte::Word)
            .unwrap_or(rest.len());
        match bytes.get(end) {
            Some(&b) if BYTES[usize::from(b)] == Byte::Other => {
                let c = char_at(text, end);
                if !is_word_char(c) {
                    break;
                }
                ascii = false;
                end += c.len_utf8();
            }
            _ => break,
        }
    }
    Some((start..end, ascii))
}

/// Appends the normal form of a word that is not all ASCII to `out` (an
/// ASCII word is its own normal form).
pub(crate) fn normalize_into(word: &str, out: &mut String) {
    let special = |c: char| matches!(c, '\u{130}' | 'ς');
    if is_nfkc_quick(word.chars()) == IsNormalized::Yes && !word.contains(special) {
        out.push_str(word);
    } else {
        out.extend(word.nfkc().map(|c| match c {
            '\u{130}' => 'I',
            'ς' => 'σ',
            c => c,
        }));
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((range, ascii)) = next_word(self.text, self.cursor) else {
            self.cursor = self.text.len();
            return false;
        };
        self.cursor = range.end;
        let word = &self.text[range.clone()];
        self.token.text.clear();
        if ascii {
            self.token.text.push_str(word);
        } else {
            normalize_into(word, &mut self.token.text);
        }
        self.token.offset_from = range.start;
        self.token.offset_to = range.end;
        self.token.position = self.token.position.wrapping_add(1);
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
    use super::*;

    fn words(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    /// The tokenizer as first written, char by char: the fast paths must
    /// find the same words.
    fn reference(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut cursor = 0;
        while let Some(start) = text[cursor..].find(is_word_char).map(|i| i + cursor) {
            let end = text[start..]
                .find(|c: char| !is_word_char(c))
                .map_or(text.len(), |i| i + start);
            let word = &text[start..end];
            let special = |c: char| matches!(c, '\u{130}' | 'ς');
            let normal = word.is_ascii()
                || (is_nfkc_quick(word.chars()) == IsNormalized::Yes && !word.contains(special));
            let text = if normal {
                word.to_string()
            } else {
                word.nfkc()
                    .map(|c| match c {
                        '\u{130}' => 'I',
                        'ς' => 'σ',
                        c => c,
                    })
                    .collect()
            };
            out.push((text, start, end, out.len()));
            cursor = end;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn words_are_those_of_the_char_by_char_tokenizer(text in "\\PC{0,60}") {
            proptest::prop_assert_eq!(words(&text), reference(&text));
        }

        #[test]
        fn mixed_ascii_and_other_words_are_found_alike(
            text in "([a-zA-Z0-9éßİς\u{301}１ﬁ東 .,'-]{1,10} ?){0,12}"
        ) {
            proptest::prop_assert_eq!(words(&text), reference(&text));
        }
    }

    #[test]
    fn decomposed_accents_stay_inside_the_word_and_become_nfc() {
        let got = words("cafe\u{301} nai\u{308}ve");
        assert_eq!(got[0], ("café".to_string(), 0, 6, 0));
        assert_eq!(got[1], ("naïve".to_string(), 7, 14, 1));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn compatibility_forms_and_case_oddities_are_folded() {
        let texts: Vec<String> = words("İstanbul １２３ ﬁle ΣΊΣΥΦΟΣ σίσυφος")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(texts, ["Istanbul", "123", "file", "ΣΊΣΥΦΟΣ", "σίσυφοσ"]);
    }

    #[test]
    fn punctuation_splits_words_and_positions_count_up() {
        let got = words("e-mail, U.S. 3.14");
        let texts: Vec<&str> = got.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(texts, ["e", "mail", "U", "S", "3", "14"]);
        let positions: Vec<usize> = got.iter().map(|t| t.3).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn empty_and_punctuation_only_text_has_no_tokens() {
        assert!(words("").is_empty());
        assert!(words(" ,.-- ").is_empty());
    }
}
