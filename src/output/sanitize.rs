//! Making document text and file names safe for a terminal.
//!
//! Documents can hold control characters (escape sequences that would
//! recolour or rewrite the terminal) and bidirectional overrides (that
//! reorder what is shown). Neither is ever written raw: controls become
//! U+FFFD, bidi controls are dropped, and runs of whitespace become one
//! space.

use std::borrow::Cow;

/// Unicode bidirectional formatting characters.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What a char becomes on a terminal line: `None` to drop it.
pub fn display_char(c: char) -> Option<char> {
    if c.is_whitespace() {
        Some(' ')
    } else if c.is_control() {
        Some('\u{FFFD}')
    } else if is_bidi_control(c) {
        None
    } else {
        Some(c)
    }
}

/// `text` as one terminal line: whitespace runs collapsed to one space,
/// controls replaced, bidi controls dropped.
pub fn line(text: &str) -> Cow<'_, str> {
    let clean = text
        .chars()
        .all(|c| c == ' ' || !(c.is_whitespace() || c.is_control() || is_bidi_control(c)))
        && !text.contains("  ");
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter_map(display_char) {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_overrides_never_reach_the_terminal() {
        let got = line("a\u{1b}[31mred\u{202E}txt\u{7}\n\tb");
        assert_eq!(got, "a\u{FFFD}[31mredtxt\u{FFFD} b");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(line("plain text"), Cow::Borrowed(_)));
    }
}
