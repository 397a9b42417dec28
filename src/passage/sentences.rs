//! UAX #29 sentence boundaries, exactly as unicode-segmentation finds them
//! (the same state machine), with line breaks read as spaces, for text
//! whose chars all have a category known here.
//!
//! The crate looks every char up in its Unicode tables. Here ASCII takes a
//! `match` on the byte, and the non-ASCII chars common in English text
//! (accented Latin, Greek and Cyrillic letters, curly quotes, dashes,
//! no-break spaces, Latin-1 symbols) take a short one; that makes cutting
//! long paragraphs several times faster. A text with any other char (CR,
//! LF and their kin are read as spaces; Sep, Extend, Format, OLetter and
//! the rest of Unicode are not known) gives `None`, and the crate cuts it.

use unicode_normalization::char::is_combining_mark;

/// The sentence break category of a char (line breaks as spaces).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cat {
    Other,
    Sp,
    Lower,
    Upper,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
}

/// The categories of the ASCII bytes.
const ASCII: [Cat; 128] = {
    let mut table = [Cat::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = ascii_category(b as u8);
        b += 1;
    }
    table
};

const fn ascii_category(b: u8) -> Cat {
    match b {
        b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => Cat::Sp,
        b'a'..=b'z' => Cat::Lower,
        b'A'..=b'Z' => Cat::Upper,
        b'0'..=b'9' => Cat::Numeric,
        b'.' => Cat::ATerm,
        b'!' | b'?' => Cat::STerm,
        b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
        b',' | b'-' | b':' | b';' => Cat::SContinue,
        _ => Cat::Other,
    }
}

/// The category of a char, or `None` when it is not known here.
#[inline]
fn category(c: char) -> Option<Cat> {
    if c.is_ascii() {
        return Some(ASCII[c as usize]);
    }
    other_category(c)
}

/// [`category`] of a char that is not ASCII.
fn other_category(c: char) -> Option<Cat> {
    Some(match c {
        '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => Cat::Sp,
        '\u{AB}' | '\u{BB}' | '\u{2018}'..='\u{201F}' | '\u{2039}' | '\u{203A}' => Cat::Close,
        '\u{2013}' | '\u{2014}' => Cat::SContinue,
        '\u{A1}'..='\u{A9}'
        | '\u{AC}'
        | '\u{AE}'..='\u{B4}'
        | '\u{B6}'
        | '\u{B8}'
        | '\u{B9}'
        | '\u{BC}'..='\u{BF}'
        | '\u{D7}'
        | '\u{F7}'
        | '\u{2032}'
        | '\u{2033}' => Cat::Other,
        // Latin, IPA, Greek and Cyrillic letters: cased ones only.
        c if u32::from(c) < 0x530 && c.is_alphabetic() && !is_combining_mark(c) => {
            if c.is_lowercase() {
                Cat::Lower
            } else if c.is_uppercase() {
                Cat::Upper
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// A run of the text as the state machine remembers it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Sot,
    Other,
    ATerm,
    UpperLower,
    ClosePlus,
    SpPlus,
    STerm,
}

/// The last four parts, the latest last.
#[derive(Clone, Copy)]
struct State([Part; 4]);

impl State {
    fn next(self, cat: Cat) -> State {
        let p = self.0;
        match (p[3], cat) {
            // A run of letters is one part, as runs of Close and Sp are: no
            // rule looks at how long a run is, nor further back than the
            // third-last part, so the boundaries are those of the crate's
            // machine, which has one part per letter.
            (Part::ClosePlus, Cat::Close)
            | (Part::SpPlus, Cat::Sp)
            | (Part::UpperLower, Cat::Upper | Cat::Lower) => self,
            _ => State([
                p[1],
                p[2],
                p[3],
                match cat {
                    Cat::ATerm => Part::ATerm,
                    Cat::Upper | Cat::Lower => Part::UpperLower,
                    Cat::Close => Part::ClosePlus,
                    Cat::Sp => Part::SpPlus,
                    Cat::STerm => Part::STerm,
                    _ => Part::Other,
                },
            ]),
        }
    }

    /// Whether the part at `idx` ends a sentence (STerm or ATerm).
    fn saterm_at(self, idx: usize) -> bool {
        matches!(self.0[idx], Part::STerm | Part::ATerm)
    }

    /// The index of the part before trailing `Close*`, from `idx`.
    fn before_close(self, idx: usize) -> usize {
        if self.0[idx] == Part::ClosePlus {
            idx - 1
        } else {
            idx
        }
    }

    /// The index of the part before trailing `Close* Sp*`.
    fn before_close_sp(self) -> usize {
        let idx = if self.0[3] == Part::SpPlus { 2 } else { 3 };
        self.before_close(idx)
    }

    /// SB8: `ATerm Close* Sp* × (¬(OLetter | Upper | Lower | ParaSep |
    /// SATerm))* Lower`. An unknown char ends the lookahead; the whole
    /// text is then left to the crate anyway (see [`sentence_starts`]).
    fn sb8(self, ahead: &str) -> bool {
        if self.0[self.before_close_sp()] != Part::ATerm {
            return false;
        }
        for c in ahead.chars() {
            match category(c) {
                Some(Cat::Lower) => return true,
                Some(Cat::Upper | Cat::STerm | Cat::ATerm) | None => return false,
                _ => {}
            }
        }
        false
    }

    /// SB8a, SB10: `SATerm Close* Sp*`.
    fn sb8a(self) -> bool {
        self.saterm_at(self.before_close_sp())
    }

    /// SB9: `SATerm Close*`.
    fn sb9(self) -> bool {
        self.saterm_at(self.before_close(3))
    }
}

/// Byte offsets where a sentence starts in `text`, the first sentence
/// excepted: what `split_sentence_bound_indices().skip(1)` gives for the
/// text with its line breaks made spaces; `None` when a char of the text
/// is not known here.
pub(super) fn sentence_starts(text: &str) -> Option<Vec<usize>> {
    // Every char is looked at below (the letters skipped are ASCII), so an
    // unknown one always ends the run with `None`, whatever SB8 found
    // before it.
    let mut out = Vec::new();
    let mut state = State([Part::Sot; 4]);
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        // Words and the spaces between them, most of any text, take a
        // short way: no break can come before them (SB11 needs `SATerm
        // Close* Sp*` before), so only the state moves on.
        let p = state.0;
        if b.is_ascii_alphabetic() {
            if p[3] == Part::UpperLower {
                at += 1; // inside a word: one more letter changes nothing
                continue;
            }
            if p[3] == Part::SpPlus && p[2] == Part::UpperLower {
                state = State([p[1], p[2], p[3], Part::UpperLower]);
                at += 1;
                continue;
            }
        } else if b == b' ' && p[3] == Part::UpperLower {
            state = State([p[1], p[2], p[3], Part::SpPlus]);
            at += 1;
            continue;
        }
        let c = if b < 0x80 {
            char::from(b)
        } else {
            text[at..].chars().next()?
        };
        let before = state;
        let cat = category(c)?;
        state = state.next(cat);
        let here = at;
        at += c.len_utf8();
        if before.0[3] == Part::Sot {
            continue; // SB1: the start of the text
        }
        // Only SB11 breaks, after `SATerm Close* Sp*`; the rules before it
        // only keep text joined, so they matter only there (most chars
        // follow no sentence end and take this one test).
        if !before.sb8a() {
            continue;
        }
        let joined = match cat {
            Cat::Numeric if before.0[3] == Part::ATerm => true, // SB6
            Cat::Upper if before.0[2] == Part::UpperLower && before.0[3] == Part::ATerm => true, // SB7
            _ if before.sb8(&text[here..]) => true,
            Cat::SContinue | Cat::STerm | Cat::ATerm => true, // SB8a
            Cat::Close | Cat::Sp if before.sb9() => true,
            Cat::Sp => true, // SB10
            _ => false,
        };
        if !joined {
            out.push(here); // SB11
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn crate_starts(text: &str) -> Vec<usize> {
        let flat = text.replace(['\n', '\r'], " ");
        flat.split_sentence_bound_indices()
            .skip(1)
            .map(|(offset, _)| offset)
            .collect()
    }

    fn assert_cut_as_the_crate_cuts(texts: &[&str]) {
        for text in texts {
            assert_eq!(
                super::sentence_starts(text),
                Some(crate_starts(text)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn sentences_are_where_unicode_segmentation_puts_them() {
        assert_cut_as_the_crate_cuts(&[
            "",
            "One.",
            "Mr. Smith met Dr. J. Jones in the U.S. yesterday. Then he left.",
            "He said \"Stop!\" (and left.) Then? no: she stayed... 3.14 is pi. e.g. this",
            "A line\nbreak. Another\r\nline!  \"Quoted.\"  [x] end",
            "etc.) and. 2. Lower. a. B.C. \t\x0b\x0c ok",
        ]);
    }

    #[test]
    fn curly_quotes_dashes_and_accents_are_cut_as_the_crate_cuts_them() {
        assert_cut_as_the_crate_cuts(&[
            "\u{201C}Stop!\u{201D} she said. \u{2018}No.\u{2019} He left\u{2014}fast. \u{C9}t\u{E9} \u{E0} Paris.",
            "\u{AB}Oui.\u{BB} Non\u{A0}? \u{2013} \u{C6}sop\u{2019}s fable. \u{3B1}\u{3B2}. \u{416}\u{436}. \u{D7} 3\u{2032}.",
        ]);
    }

    #[test]
    fn every_known_char_behaves_as_in_the_crate() {
        // Contexts where each sentence break category acts differently.
        const PROBES: [&str; 16] = [
            "A. X b", "A. X B", "a.X b", "Mr. X", "A.X", "A! X b", "3.X4", "A. XX b.", "X. B",
            "A X. b", "(X) A. b", "A.) X b", "A.X) b", "A. X. B", "A?X B", "A. (X b",
        ];
        let known = (0x80..0x3100u32)
            .filter_map(char::from_u32)
            .filter(|&c| super::category(c).is_some());
        let mut checked = 0;
        for c in known {
            for probe in PROBES {
                let text = probe.replace('X', &c.to_string());
                assert_eq!(
                    super::sentence_starts(&text),
                    Some(crate_starts(&text)),
                    "{c:?} (U+{:04X}) in {text:?}",
                    u32::from(c)
                );
            }
            checked += 1;
        }
        assert!(checked > 500, "only {checked} chars known");
    }

    #[test]
    fn a_text_with_an_unknown_char_is_left_to_the_crate() {
        assert_eq!(
            super::sentence_starts("Tokyo \u{6771}\u{4EAC}. Next."),
            None
        );
        assert_eq!(super::sentence_starts("soft\u{AD}hyphen. Next."), None);
        assert_eq!(super::sentence_starts("e\u{301}t\u{E9}. Next."), None);
    }

    proptest! {
        #[test]
        fn text_of_known_chars_is_cut_as_the_crate_cuts_it(
            text in "[aZ1.!? \n\u{A0}\u{AB}\u{BB}\u{2018}-\u{201F}\u{2013}\u{2014}\u{C0}-\u{24F}\u{391}-\u{3C9}\u{410}-\u{44F}\u{D7}\u{B0}\u{2032}]{0,40}"
        ) {
            if let Some(ours) = super::sentence_starts(&text) {
                prop_assert_eq!(ours, crate_starts(&text));
            }
        }

        #[test]
        fn any_ascii_text_is_cut_as_the_crate_cuts_it(
            text in "[ -~\t\n\r\x0b\x0c\x00-\x08]{0,60}"
        ) {
            prop_assert_eq!(super::sentence_starts(&text), Some(crate_starts(&text)));
        }

        #[test]
        fn punctuation_heavy_text_is_cut_as_the_crate_cuts_it(
            text in "[aZ1.!?\"')(\\]\\[,:;\\- \n\r\t]{0,40}"
        ) {
            prop_assert_eq!(super::sentence_starts(&text), Some(crate_starts(&text)));
        }
    }
}
