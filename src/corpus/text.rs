//! Plain text: the text is the file as is; the first line is the title
//! when it is short and followed by a blank line.
//!
//! Indexing reads a text file as a stream ([`stream`]), a chunk of
//! paragraphs at a time, so that a large file is never held whole.

use std::io::BufRead;
use std::ops::Range;

use super::{Document, Extracted, Metadata, title_from_file_name};
use crate::passage::{Bounds, Splitter};

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

/// Text read before a chunk may end (at the next blank line).
pub const CHUNK: usize = 1 << 20;

/// Why [`stream`] stopped.
#[derive(Debug)]
pub enum Stop<E> {
    /// The file could not be read on.
    Read(std::io::Error),
    /// `each` failed.
    Each(E),
}

/// Reads a plain text from `reader` (opened with [`super::open_stream`])
/// and hands `each` its passages in order: the document (its title; its
/// text is not kept), the passage's byte range in the whole text, and the
/// passage's text. They are the passages [`extract`] and
/// [`crate::passage::split`] give for the whole file: the text is read in
/// chunks of at least `chunk` bytes that end after a blank line, so no
/// paragraph spans two, and only a chunk and the passages not yet final
/// are held. Invalid UTF-8 is decoded lossily, line by line, as for the
/// whole file. Returns the warnings.
pub fn stream<R: BufRead, E>(
    mut reader: R,
    file_name: &str,
    bounds: Bounds,
    chunk: usize,
    mut each: impl FnMut(&Document, Range<usize>, &str) -> Result<(), E>,
) -> Result<Vec<String>, Stop<E>> {
    let mut line = Vec::new();
    let mut read = 0u64;
    let mut invalid_utf8 = None;
    // The text from `window_start` on: the passages not given out yet and
    // the chunk being cut.
    let mut window = String::new();
    let mut window_start = 0;
    let mut document: Option<Document> = None;
    let mut splitter = Splitter::new(bounds);
    let mut ready = Vec::new();
    loop {
        let chunk_start = window.len();
        let mut end = false;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(Stop::Read)?;
            if n == 0 {
                end = true;
                break;
            }
            let (text, invalid) = super::line_text(&line);
            if let (Some(at), None) = (invalid, invalid_utf8) {
                invalid_utf8 = Some(read + at as u64);
            }
            read += n as u64;
            window.push_str(&text);
            if text.trim().is_empty() && window.len() - chunk_start >= chunk {
                break;
            }
        }
        // The first chunk holds the first two lines (it ends after a blank
        // line, or with the file).
        let document = document.get_or_insert_with(|| Document {
            meta: Metadata {
                title: title_line(&window[chunk_start..])
                    .unwrap_or_else(|| title_from_file_name(file_name)),
                ..Metadata::default()
            },
            ..Document::default()
        });
        splitter.push(&window[chunk_start..], &mut ready);
        if end {
            std::mem::replace(&mut splitter, Splitter::new(bounds)).finish(&mut ready);
        }
        for range in ready.drain(..) {
            let body = &window[range.start - window_start..range.end - window_start];
            each(document, range, body).map_err(Stop::Each)?;
        }
        if end {
            break;
        }
        let keep = splitter
            .pending_start()
            .unwrap_or(window_start + window.len());
        window.drain(..keep - window_start);
        window_start = keep;
    }
    Ok(invalid_utf8
        .map(|at| format!("invalid UTF-8 at byte {at}, decoded lossily"))
        .into_iter()
        .collect())
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
    use crate::corpus::{ExtractOptions, Format};
    use proptest::prelude::*;

    type Passages = Vec<(String, Range<usize>, String)>;

    /// (title, range, text) of each passage, and the warnings, streamed in
    /// chunks of at least `chunk` bytes.
    fn streamed(
        bytes: &[u8],
        bounds: Bounds,
        chunk: usize,
    ) -> Result<(Passages, Vec<String>), String> {
        let (reader, mut warnings) = crate::corpus::open_stream(bytes, usize::MAX)?;
        let mut out = Vec::new();
        let more = stream(reader, "notes.txt", bounds, chunk, |doc, range, body| {
            assert!(doc.text.is_empty(), "the text is not kept");
            out.push((doc.meta.title.clone(), range, body.to_string()));
            Ok::<(), ()>(())
        })
        .map_err(|e| format!("{e:?}"))?;
        warnings.extend(more);
        Ok((out, warnings))
    }

    /// The same from the whole file: extracted, then split.
    fn whole(bytes: &[u8], bounds: Bounds) -> Result<(Passages, Vec<String>), String> {
        let extracted = Format::Text.extract(bytes, "notes.txt", &ExtractOptions::default())?;
        let doc = &extracted.documents[0];
        let passages = crate::passage::split(&doc.text, &[], bounds)
            .into_iter()
            .map(|r| (doc.meta.title.clone(), r.clone(), doc.text[r].to_string()))
            .collect();
        Ok((passages, extracted.warnings))
    }

    fn small() -> Bounds {
        Bounds {
            min: 2,
            target: 4,
            max: 6,
        }
    }

    #[test]
    fn a_streamed_text_gives_the_passages_of_the_whole_file() {
        let long = "word ".repeat(30);
        for bytes in [
            &b""[..],
            b"Title\n\nOne two three.\n\nFour five six seven eight nine ten.\n\n\nEleven.",
            b"\xEF\xBB\xBFShort title\r\n\r\nBody text here and more words.\r\n\r\nEnd",
            b"no title line\nstill the first paragraph\n\nbad \xFF byte \xC3 here\n\nok",
            b"\xFF\xFEa\x00\n\x00\n\x00b\x00",
            b"binary\x00content",
            long.as_bytes(),
        ] {
            for chunk in [1, 7, 64, CHUNK] {
                assert_eq!(
                    streamed(bytes, small(), chunk),
                    whole(bytes, small()),
                    "{bytes:?} in chunks of {chunk}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn any_text_streams_as_it_splits_whole(
            lines in proptest::collection::vec(
                prop_oneof![
                    "[a-zA-Z.!? ]{0,30}",
                    Just(String::new()),
                    Just(" \t".to_string()),
                    "\\PC{0,8}",
                ],
                0..40,
            ),
            crlf in any::<bool>(),
            chunk in 1usize..200,
            default_bounds in any::<bool>(),
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            let bounds = if default_bounds { Bounds::default() } else { small() };
            prop_assert_eq!(streamed(text.as_bytes(), bounds, chunk), whole(text.as_bytes(), bounds));
        }

        #[test]
        fn any_bytes_stream_as_they_split_whole(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
            chunk in 1usize..100,
        ) {
            prop_assert_eq!(streamed(&bytes, small(), chunk), whole(&bytes, small()));
        }
    }

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
