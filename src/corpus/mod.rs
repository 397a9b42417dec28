//! The corpus: finding its files and turning each into a [`Document`]
//! (text + metadata).
//!
//! One extractor per format, each with a version number: when an extractor
//! changes what it produces, its version goes up, and documents it
//! extracted are re-indexed.

mod markdown;
mod text;
mod walk;

use std::path::Path;

pub use walk::{CorpusFile, Walk, mtime_nanos, walk};

/// Metadata of a document, as its file states it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Never empty: falls back to the file name.
    pub title: String,
    /// As written in the document (normalisation comes later).
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
}

/// A document's searchable text and metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub meta: Metadata,
    /// The text passages are cut from; passage byte ranges refer to it.
    pub text: String,
    /// Byte offsets in `text` where a new section starts (headings): no
    /// passage crosses one.
    pub breaks: Vec<usize>,
}

/// What an extractor produced, with non-fatal problems to report.
#[derive(Debug, Default)]
pub struct Extracted {
    pub document: Document,
    /// One line each, without the path (the caller adds it).
    pub warnings: Vec<String>,
}

/// The formats quarry reads, chosen by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
}

impl Format {
    /// The format of a file by its extension (case-insensitive), or `None`
    /// when quarry does not read that kind of file.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }

    /// The version of this format's extractor.
    pub fn extractor_version(self) -> u32 {
        match self {
            Format::Text => text::VERSION,
            Format::Markdown => markdown::VERSION,
        }
    }

    /// Extracts a document from a file's bytes. `file_name` is the title of
    /// last resort.
    pub fn extract(self, bytes: &[u8], file_name: &str) -> Extracted {
        let mut warnings = Vec::new();
        let raw = decode(bytes, &mut warnings);
        let mut extracted = match self {
            Format::Text => text::extract(&raw, file_name),
            Format::Markdown => markdown::extract(&raw, file_name),
        };
        warnings.append(&mut extracted.warnings);
        extracted.warnings = warnings;
        extracted
    }
}

/// Bytes to text: a UTF-8 byte order mark is dropped; invalid UTF-8 is
/// decoded lossily (each bad sequence becomes U+FFFD) with a warning.
fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(err) => {
            warnings.push(format!(
                "invalid UTF-8 at byte {}, decoded lossily",
                err.valid_up_to()
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

/// The title of last resort: the file name without its extension.
fn title_from_file_name(file_name: &str) -> String {
    Path::new(file_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_chosen_by_extension_case_insensitively() {
        assert_eq!(Format::of(Path::new("a/b.TXT")), Some(Format::Text));
        assert_eq!(Format::of(Path::new("notes.md")), Some(Format::Markdown));
        assert_eq!(Format::of(Path::new("x.pdf")), None);
        assert_eq!(Format::of(Path::new("Makefile")), None);
    }

    #[test]
    fn a_bom_is_dropped_and_bad_utf8_warns() {
        let mut warnings = Vec::new();
        assert_eq!(decode(b"\xEF\xBB\xBFhello", &mut warnings), "hello");
        assert!(warnings.is_empty());
        assert_eq!(decode(b"ab\xFFcd", &mut warnings), "ab\u{FFFD}cd");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("byte 2"), "{}", warnings[0]);
    }
}
