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
    c.is_alphanumeric() || is_combining_mark(c)
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
        let rest = &self.text[self.cursor..];
        let Some(start) = rest.find(is_word_char).map(|i| i + self.cursor) else {
            self.cursor = self.text.len();
            return false;
        };
        let end = self.text[start..]
            .find(|c: char| !is_word_char(c))
            .map_or(self.text.len(), |i| i + start);
        self.cursor = end;
        let word = &self.text[start..end];
        self.token.text.clear();
        let special = |c: char| matches!(c, '\u{130}' | 'ς');
        let normal = word.is_ascii()
            || (is_nfkc_quick(word.chars()) == IsNormalized::Yes && !word.contains(special));
        if normal {
            self.token.text.push_str(word);
        } else {
            self.token.text.extend(word.nfkc().map(|c| match c {
                '\u{130}' => 'I',
                'ς' => 'σ',
                c => c,
            }));
        }
        self.token.offset_from = start;
        self.token.offset_to = end;
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
