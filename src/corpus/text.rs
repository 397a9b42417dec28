//! Plain text: the text is the file as is; the first line is the title
//! when it is short and followed by a blank line.

use super::{Document, Extracted, Metadata, title_from_file_name};

/// Version of this extractor.
pub const VERSION: u32 = 1;

/// A first line longer than this (in chars) is prose, not a title.
const MAX_TITLE_CHARS: usize = 100;

pub fn extract(text: String, file_name: &str) -> Extracted {
    let title = title_line(&text).unwrap_or_else(|| title_from_file_name(file_name));
    Extracted {
        documents: vec![Document {
            meta: Metadata {
                title,
                ..Metadata::default()
            },
            text,
            ..Document::default()
        }],
        warnings: Vec::new(),
    }
}

/// The first line, if it is short, non-empty and followed by a blank line.
fn title_line(text: &str) -> Option<String> {
    let mut lines = text.lines();
    let first = lines.next()?.trim();
    let blank_after = lines.next().is_some_and(|l| l.trim().is_empty());
    let short = !first.is_empty() && first.chars().count() <= MAX_TITLE_CHARS;
    (short && blank_after).then(|| first.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_first_line_before_a_blank_line_is_the_title() {
        let doc = extract("Shale gas in Sichuan\n\nBody text.\n".to_string(), "x.txt")
            .documents
            .remove(0);
        assert_eq!(doc.meta.title, "Shale gas in Sichuan");
        assert_eq!(doc.text, "Shale gas in Sichuan\n\nBody text.\n");
    }

    #[test]
    fn otherwise_the_file_name_is_the_title() {
        let long = "word ".repeat(30);
        for text in [
            format!("{long}\n\nbody"),
            "first\nsecond\n".to_string(),
            String::new(),
        ] {
            let doc = extract(text.clone(), "speech-2018.txt").documents.remove(0);
            assert_eq!(doc.meta.title, "speech-2018", "for {text:?}");
        }
    }

    #[test]
    fn crlf_line_ends_still_find_the_title() {
        let doc = extract("Title here\r\n\r\nBody.".to_string(), "x.txt")
            .documents
            .remove(0);
        assert_eq!(doc.meta.title, "Title here");
    }
}
