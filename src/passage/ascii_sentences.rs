//! UAX #29 sentence boundaries of ASCII text, exactly as unicode-segmentation
//! finds them (the same state machine), with line breaks read as spaces.
//!
//! The crate looks every char up in its Unicode tables; for ASCII a `match`
//! on the byte gives the same category, which makes cutting long paragraphs
//! several times faster. Only the ASCII categories occur here: no CR, LF
//! (read as spaces), Sep, Extend, Format or OLetter.

/// The sentence break category of an ASCII byte (line breaks as spaces).
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

fn category(b: u8) -> Cat {
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
            (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => self,
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
    /// SATerm))* Lower`.
    fn sb8(self, ahead: &[u8]) -> bool {
        if self.0[self.before_close_sp()] != Part::ATerm {
            return false;
        }
        for &b in ahead {
            match category(b) {
                Cat::Lower => return true,
                Cat::Upper | Cat::STerm | Cat::ATerm => return false,
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

/// Byte offsets where a sentence starts in ASCII `text`, the first
/// sentence excepted: what `split_sentence_bound_indices().skip(1)` gives
/// for the text with its line breaks made spaces.
pub(super) fn sentence_starts(text: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut state = State([Part::Sot; 4]);
    for (at, &b) in text.iter().enumerate() {
        let before = state;
        let cat = category(b);
        state = state.next(cat);
        if before.0[3] == Part::Sot {
            continue; // SB1: the start of the text
        }
        let joined = match cat {
            Cat::Numeric if before.0[3] == Part::ATerm => true, // SB6
            Cat::Upper if before.0[2] == Part::UpperLower && before.0[3] == Part::ATerm => true, // SB7
            _ if before.sb8(&text[at..]) => true,
            Cat::SContinue | Cat::STerm | Cat::ATerm if before.sb8a() => true,
            Cat::Close | Cat::Sp if before.sb9() => true,
            Cat::Sp if before.sb8a() => true, // SB10
            _ => false,
        };
        if !joined && before.sb8a() {
            out.push(at); // SB11
        }
    }
    out
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

    #[test]
    fn sentences_are_where_unicode_segmentation_puts_them() {
        for text in [
            "",
            "One.",
            "Mr. Smith met Dr. J. Jones in the U.S. yesterday. Then he left.",
            "He said \"Stop!\" (and left.) Then? no: she stayed... 3.14 is pi. e.g. this",
            "A line\nbreak. Another\r\nline!  \"Quoted.\"  [x] end",
            "etc.) and. 2. Lower. a. B.C. \t\x0b\x0c ok",
        ] {
            assert_eq!(
                super::sentence_starts(text.as_bytes()),
                crate_starts(text),
                "{text:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_ascii_text_is_cut_as_the_crate_cuts_it(
            text in "[ -~\t\n\r\x0b\x0c\x00-\x08]{0,60}"
        ) {
            prop_assert_eq!(super::sentence_starts(text.as_bytes()), crate_starts(&text));
        }

        #[test]
        fn punctuation_heavy_text_is_cut_as_the_crate_cuts_it(
            text in "[aZ1.!?\"')(\\]\\[,:;\\- \n\r\t]{0,40}"
        ) {
            prop_assert_eq!(super::sentence_starts(text.as_bytes()), crate_starts(&text));
        }
    }
}
