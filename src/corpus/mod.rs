//! The corpus: finding its files and turning each into a [`Document`]
//! (text + metadata).
//!
//! One extractor per format, each with a version number: when an extractor
//! changes what it produces, its version goes up, and documents it
//! extracted are re-indexed.

mod date;
mod html;
mod jsonl;
mod markdown;
pub mod pdf;
mod stream;
pub mod text;
mod walk;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

pub use date::{PubDate, normalize as normalize_date};
pub use jsonl::{FieldMap, Records as JsonlRecords};
pub use stream::open as open_stream;
pub use walk::{CorpusFile, IGNORE_FILE, Walk, WalkOptions, key_to_path, mtime_nanos, walk};

/// Metadata of a document, as its file states it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Never empty: falls back to the file name.
    pub title: String,
    /// Normalised publication date; `None` when the document states none.
    pub date: Option<PubDate>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
}

/// A document's searchable text and metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The record id inside a collection file (JSON Lines): the document's
    /// path key is then `file#id`. `None` for a file that is one document.
    pub id: Option<String>,
    pub meta: Metadata,
    /// The text passages are cut from; passage byte ranges refer to it.
    pub text: String,
    /// Byte offsets in `text` where a new section starts (headings, pages):
    /// no passage crosses one.
    pub breaks: Vec<usize>,
    /// For paged formats (PDF): the byte offset where each page starts, with
    /// its 1-based number, in order.
    pub pages: Vec<(usize, u32)>,
}

impl Document {
    /// The page holding byte `offset`, for paged documents.
    pub fn page_at(&self, offset: usize) -> Option<u32> {
        self.pages
            .iter()
            .take_while(|(start, _)| *start <= offset)
            .last()
            .map(|(_, page)| *page)
    }
}

/// What an extractor produced, with non-fatal problems to report.
#[derive(Debug, Default)]
pub struct Extracted {
    /// One for most files; one per record for a collection.
    pub documents: Vec<Document>,
    /// One line each, without the path (the caller adds it).
    pub warnings: Vec<String>,
}

/// How extractors are run.
#[derive(Clone, Debug)]
pub struct ExtractOptions {
    pub jsonl_fields: FieldMap,
    /// Passage size bounds.
    pub bounds: crate::passage::Bounds,
    /// Longest an HTML page may take to parse.
    pub html_timeout: Duration,
    pub pdf: pdf::Limits,
}

impl Default for ExtractOptions {
    fn default() -> ExtractOptions {
        ExtractOptions {
            jsonl_fields: FieldMap::default(),
            bounds: crate::passage::Bounds::default(),
            html_timeout: Duration::from_secs(20),
            pdf: pdf::Limits::default(),
        }
    }
}

/// Memory an HTML file takes while parsed, in multiples of its size.
const HTML_MEMORY_FACTOR: u64 = 4;

/// The formats quarry reads, chosen by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Jsonl,
    Pdf,
}

impl Format {
    /// The format of a file by its extension (case-insensitive), or `None`
    /// when quarry does not read that kind of file.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The version of this format's extractor.
    pub fn extractor_version(self) -> u32 {
        match self {
            Format::Text => text::VERSION,
            Format::Markdown => markdown::VERSION,
            Format::Html => html::VERSION,
            Format::Jsonl => jsonl::VERSION,
            Format::Pdf => pdf::VERSION,
        }
    }

    /// Bytes a file of this format and size holds in memory while it is
    /// indexed, roughly: none for the formats read as a stream (JSON Lines
    /// a record at a time, plain text a chunk of paragraphs at a time: the
    /// run's reserve holds those); twice the size for Markdown (source and
    /// text), more for HTML (its DOM); for a PDF, parsed in a child
    /// process, the text that comes back.
    pub fn memory_to_read(self, size: u64) -> u64 {
        match self {
            Format::Jsonl | Format::Text => 0,
            Format::Pdf => size,
            Format::Markdown => size.saturating_mul(2),
            Format::Html => size.saturating_mul(HTML_MEMORY_FACTOR),
        }
    }

    /// What the manifest records as the extractor of a file: the format's
    /// version, and the settings that change what it gives (passage bounds,
    /// for JSON Lines the field mapping), so that changing them re-extracts
    /// the files they affect.
    pub fn extractor_id(self, options: &ExtractOptions) -> u64 {
        let version = u64::from(self.extractor_version());
        let mut settings = String::new();
        if options.bounds != crate::passage::Bounds::default() {
            settings.push_str(&format!("{:?}", options.bounds));
        }
        if self == Format::Jsonl && options.jsonl_fields != FieldMap::default() {
            settings.push_str(&format!("{:?}", options.jsonl_fields));
        }
        if settings.is_empty() {
            version
        } else {
            version | (xxhash_rust::xxh3::xxh3_64(settings.as_bytes()) << 16)
        }
    }

    /// Extracts the documents of a file from its bytes, or says why it is
    /// skipped. `file_name` is the title of last resort.
    pub fn extract(
        self,
        bytes: &[u8],
        file_name: &str,
        options: &ExtractOptions,
    ) -> Result<Extracted, String> {
        self.extract_owned(bytes.to_vec(), file_name, options)
    }

    /// [`Format::extract`], taking the bytes: a large text file is then
    /// held once (decoded in place), not three times.
    pub fn extract_owned(
        self,
        bytes: Vec<u8>,
        file_name: &str,
        options: &ExtractOptions,
    ) -> Result<Extracted, String> {
        match self {
            Format::Pdf => return pdf::extract(&bytes, file_name, &options.pdf),
            Format::Jsonl => return jsonl::extract(&bytes, &options.jsonl_fields),
            _ => {}
        }
        let mut warnings = Vec::new();
        let raw = decode(bytes, &mut warnings)?;
        let mut extracted = match self {
            Format::Text => text::extract(raw, file_name),
            Format::Markdown => markdown::extract(&raw, file_name),
            Format::Html => html_with_timeout(raw, file_name, options.html_timeout)?,
            Format::Jsonl | Format::Pdf => unreachable!("handled above"),
        };
        warnings.append(&mut extracted.warnings);
        extracted.warnings = warnings;
        Ok(extracted)
    }
}

/// Parses HTML on a helper thread, giving up after `timeout`: deeply nested
/// markup makes the parser quadratic. A thread given up on finishes in the
/// background; its result is dropped.
fn html_with_timeout(raw: String, file_name: &str, timeout: Duration) -> Result<Extracted, String> {
    let (tx, rx) = mpsc::channel();
    let name = file_name.to_string();
    std::thread::Builder::new()
        .name("quarry-html".to_string())
        .spawn(move || {
            let _ = tx.send(html::extract(&raw, &name));
        })
        .map_err(|e| format!("cannot start the HTML parser: {e}"))?;
    rx.recv_timeout(timeout)
        .map_err(|_| format!("HTML took longer than {} s to parse", timeout.as_secs()))
}

/// Bytes of the first part of a file looked at for NUL bytes.
pub(crate) const BINARY_SNIFF: usize = 8 * 1024;

/// Bytes to text. UTF-16 with a byte order mark is decoded; a UTF-8 byte
/// order mark is dropped; a NUL byte in the first 8 KiB means binary
/// content (skipped); invalid UTF-8 is decoded lossily (each bad sequence
/// becomes U+FFFD) with a warning.
fn decode(mut bytes: Vec<u8>, warnings: &mut Vec<String>) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok(utf16(rest, u16::from_le_bytes, warnings));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(utf16(rest, u16::from_be_bytes, warnings));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
        return Err("binary content (NUL bytes)".to_string());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            warnings.push(format!("invalid UTF-8 at byte {valid}, decoded lossily"));
            Ok(String::from_utf8_lossy(err.as_bytes()).into_owned())
        }
    }
}

/// A line as text, and where its first invalid UTF-8 byte is (the line
/// is then decoded lossily). Valid text, the usual case, is checked by the
/// standard library's fast validator and borrowed.
fn line_text(line: &[u8]) -> (std::borrow::Cow<'_, str>, Option<usize>) {
    match std::str::from_utf8(line) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), None),
        Err(e) => (String::from_utf8_lossy(line), Some(e.valid_up_to())),
    }
}

/// UTF-16 code units to text, lossily (with a warning) when invalid.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, warnings: &mut Vec<String>) -> String {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut bad = bytes.len() % 2 == 1;
    let text = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                bad = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if bad {
        warnings.push("invalid UTF-16, decoded lossily".to_string());
    }
    text
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
        assert_eq!(Format::of(Path::new("x.PDF")), Some(Format::Pdf));
        assert_eq!(Format::of(Path::new("x.htm")), Some(Format::Html));
        assert_eq!(Format::of(Path::new("x.ndjson")), Some(Format::Jsonl));
        assert_eq!(Format::of(Path::new("x.docx")), None);
        assert_eq!(Format::of(Path::new("Makefile")), None);
    }

    #[test]
    fn a_bom_is_dropped_and_bad_utf8_warns() {
        let mut warnings = Vec::new();
        assert_eq!(
            decode(b"\xEF\xBB\xBFhello".to_vec(), &mut warnings).unwrap(),
            "hello"
        );
        assert!(warnings.is_empty());
        assert_eq!(
            decode(b"ab\xFFcd".to_vec(), &mut warnings).unwrap(),
            "ab\u{FFFD}cd"
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("byte 2"), "{}", warnings[0]);
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let mut warnings = Vec::new();
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Zürich".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Zürich".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(le, &mut warnings).unwrap(), "Zürich");
        assert_eq!(decode(be, &mut warnings).unwrap(), "Zürich");
        assert!(warnings.is_empty());
    }

    #[test]
    fn nul_bytes_early_mean_binary() {
        let mut warnings = Vec::new();
        assert!(
            decode(b"\x7fELF\x02\x01\x00\x00".to_vec(), &mut warnings)
                .unwrap_err()
                .contains("binary")
        );
        let late: Vec<u8> = std::iter::repeat_n(b'a', 9000).chain([0]).collect();
        assert!(
            decode(late, &mut warnings).is_ok(),
            "a NUL after 8 KiB is not looked at"
        );
    }

    #[test]
    fn page_at_finds_the_page_of_an_offset() {
        let doc = Document {
            pages: vec![(0, 1), (100, 2), (250, 3)],
            ..Document::default()
        };
        assert_eq!(doc.page_at(0), Some(1));
        assert_eq!(doc.page_at(99), Some(1));
        assert_eq!(doc.page_at(100), Some(2));
        assert_eq!(doc.page_at(1000), Some(3));
        assert_eq!(Document::default().page_at(5), None);
    }
}
