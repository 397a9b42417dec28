//! Reading a file as a stream of text, for the formats that are not held
//! whole (JSON Lines, plain text): recognising its encoding from its first
//! bytes as [`super::decode`] would.

use std::io::{BufRead, BufReader, Cursor, Read};

/// Bytes at the start of a stream read to recognise its encoding.
pub(crate) const HEAD: usize = 3 + super::BINARY_SNIFF;

/// Opens a file's content as a stream, decoding as [`super::decode`] does
/// for a whole file: a UTF-8 byte order mark is dropped, and a NUL byte in
/// the first 8 KiB means binary content. Invalid UTF-8 is left to the
/// reader, which decodes it lossily line by line (as the whole text would
/// be: a line end is never part of a bad sequence). UTF-16 (with its byte
/// order mark) is the exception: it is read whole, up to `max_whole`
/// bytes, and decoded. Returns the reader and the warnings so far.
pub fn open<'a, R: Read + 'a>(
    mut reader: R,
    max_whole: usize,
) -> Result<(Box<dyn BufRead + 'a>, Vec<String>), String> {
    let mut head = Vec::with_capacity(HEAD);
    (&mut reader)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        let limit = max_whole.saturating_add(1) as u64;
        let read = (&mut reader)
            .take(limit)
            .read_to_end(&mut head)
            .map_err(|e| e.to_string())?;
        if read as u64 == limit {
            return Err("UTF-16 text larger than --max-file-size".to_string());
        }
        let text = super::decode(head, &mut warnings)?;
        return Ok((Box::new(Cursor::new(text.into_bytes())), warnings));
    }
    let skip = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let sniffed = &head[skip..head.len().min(skip + super::BINARY_SNIFF)];
    if sniffed.contains(&0) {
        return Err("binary content (NUL bytes)".to_string());
    }
    let mut head = Cursor::new(head);
    head.set_position(skip as u64);
    let reader = BufReader::with_capacity(READ_BUFFER, head.chain(reader));
    Ok((Box::new(reader), warnings))
}

/// Size of the read buffer of a streamed file.
pub const READ_BUFFER: usize = 64 * 1024;
