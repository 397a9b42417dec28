//! JSON Lines collections: one document per line.
//!
//! Fields `id` (or BEIR's `_id`), `title`, `text`, `date`, `source`, `url`;
//! other names can be mapped ([`FieldMap`]). A document's path key is
//! `file.jsonl#id`. Lines that are not JSON objects, lack text or repeat an
//! id are skipped, and counted in one warning for the file.
//!
//! A file is read as a stream ([`super::stream::open`], [`Records`]): one
//! line at a time,
//! so that a collection of any size is indexed in bounded memory.

use std::collections::HashSet;
use std::io::{BufRead, Read};

use serde_json::{Map, Value};

use super::{Document, Extracted, Metadata};

/// Version of this extractor.
pub const VERSION: u32 = 2;

/// Which JSON field holds each part of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap {
    pub id: Vec<String>,
    pub title: Vec<String>,
    pub text: Vec<String>,
    pub date: Vec<String>,
    pub source: Vec<String>,
    pub url: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> FieldMap {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect();
        FieldMap {
            id: names(&["id", "_id"]),
            title: names(&["title"]),
            text: names(&["text", "body", "content"]),
            date: names(&["date"]),
            source: names(&["source"]),
            url: names(&["url"]),
        }
    }
}

impl FieldMap {
    /// Applies `part=name,part=name` (e.g. `text=body,id=doc_no`): each
    /// named part is looked up under that name first.
    pub fn with_overrides(mut self, spec: &str) -> Result<FieldMap, String> {
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (part, name) = pair
                .split_once('=')
                .ok_or_else(|| format!("'{pair}' is not part=name"))?;
            let list = match part.trim() {
                "id" => &mut self.id,
                "title" => &mut self.title,
                "text" => &mut self.text,
                "date" => &mut self.date,
                "source" => &mut self.source,
                "url" => &mut self.url,
                other => {
                    return Err(format!(
                        "unknown part '{other}' (id, title, text, date, source, url)"
                    ));
                }
            };
            list.insert(0, name.trim().to_string());
        }
        Ok(self)
    }
}

/// Extracts every record of a JSON Lines file held in memory.
pub fn extract(bytes: &[u8], fields: &FieldMap) -> Result<Extracted, String> {
    let (reader, mut warnings) = super::stream::open(bytes, usize::MAX)?;
    let mut records = Records::new(reader, fields, usize::MAX);
    let mut documents = Vec::new();
    while let Some(document) = records.next_document().map_err(|e| e.to_string())? {
        documents.push(document);
    }
    warnings.extend(records.warnings());
    Ok(Extracted {
        documents,
        warnings,
    })
}

/// A line buffer grown past this is given back once its line is done, so
/// that one long record does not keep its memory for the rest of the file.
const KEEP_LINE_BUFFER: usize = 1024 * 1024;

/// The records of a JSON Lines stream, read one line at a time: at most one
/// line, and the document made from it, is held in memory. Lines longer
/// than `max_line` bytes are skipped without being held.
pub struct Records<'f, R> {
    reader: R,
    fields: &'f FieldMap,
    max_line: usize,
    line: Vec<u8>,
    /// Number of the last line read, from 1.
    number: usize,
    /// Bytes of the stream read so far.
    offset: u64,
    /// Offset of the current line in the stream.
    line_start: u64,
    ids: HashSet<String>,
    /// Lines skipped, and the first of them with the reason.
    bad: usize,
    first_bad: Option<(usize, &'static str)>,
    /// Offset of the first byte that is not UTF-8.
    invalid_utf8: Option<u64>,
}

impl<'f, R: BufRead> Records<'f, R> {
    pub fn new(reader: R, fields: &'f FieldMap, max_line: usize) -> Records<'f, R> {
        Records {
            reader,
            fields,
            max_line,
            line: Vec::new(),
            number: 0,
            offset: 0,
            line_start: 0,
            ids: HashSet::new(),
            bad: 0,
            first_bad: None,
            invalid_utf8: None,
        }
    }

    /// The next record's document, `None` at the end of the stream. Lines
    /// that are blank or skipped are passed over (skipped ones are counted
    /// for [`Records::warnings`]).
    pub fn next_document(&mut self) -> std::io::Result<Option<Document>> {
        loop {
            let Some(too_long) = self.read_line()? else {
                return Ok(None);
            };
            if too_long {
                self.skip(self.number, "is longer than --max-file-size");
                continue;
            }
            let document = self.document();
            if self.line.capacity() > KEEP_LINE_BUFFER {
                self.line = Vec::new();
            }
            match document {
                Ok(Some(document)) => return Ok(Some(document)),
                Ok(None) => {}
                Err(why) => self.skip(self.number, why),
            }
        }
    }

    /// One line per warning, as an extractor gives them.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if let Some(at) = self.invalid_utf8 {
            warnings.push(format!("invalid UTF-8 at byte {at}, decoded lossily"));
        }
        if let Some((line, why)) = self.first_bad {
            warnings.push(format!(
                "{} line{} skipped (line {line} {why})",
                self.bad,
                if self.bad == 1 { "" } else { "s" }
            ));
        }
        warnings
    }

    fn skip(&mut self, line: usize, why: &'static str) {
        self.bad += 1;
        self.first_bad.get_or_insert((line, why));
    }

    /// Reads the next line into `self.line`, without its line end (as
    /// [`str::lines`] gives it). A line over `max_line` bytes is consumed
    /// but not kept, and `true` is returned. `None` at the end.
    fn read_line(&mut self) -> std::io::Result<Option<bool>> {
        self.line.clear();
        let limit = self.max_line.saturating_add(1) as u64;
        let mut length = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.line)?;
        if length == 0 {
            return Ok(None);
        }
        let ended = self.line.last() == Some(&b'\n');
        let too_long = !ended && length as u64 == limit;
        if too_long {
            self.line.clear();
            length += self.skip_rest_of_line()?;
        }
        self.number += 1;
        self.line_start = self.offset;
        self.offset += length as u64;
        if ended {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        }
        Ok(Some(too_long))
    }

    /// Consumes bytes up to and including the next line end; returns how
    /// many.
    fn skip_rest_of_line(&mut self) -> std::io::Result<usize> {
        let mut skipped = 0;
        loop {
            let buffer = self.reader.fill_buf()?;
            if buffer.is_empty() {
                return Ok(skipped);
            }
            let (used, done) = match buffer.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buffer.len(), false),
            };
            self.reader.consume(used);
            skipped += used;
            if done {
                return Ok(skipped);
            }
        }
    }

    /// The document of the current line: `None` for a blank line, the
    /// reason for a line that is skipped.
    fn document(&mut self) -> Result<Option<Document>, &'static str> {
        let (line, invalid) = super::line_text(&self.line);
        if let (Some(at), None) = (invalid, self.invalid_utf8) {
            self.invalid_utf8 = Some(self.line_start + at as u64);
        }
        if line.trim().is_empty() {
            return Ok(None);
        }
        let Ok(Value::Object(mut record)) = serde_json::from_str::<Value>(&line) else {
            return Err("not a JSON object");
        };
        let fields = self.fields;
        let id = get(&record, &fields.id).unwrap_or_else(|| format!("L{}", self.number));
        if !self.ids.insert(id.clone()) {
            return Err("repeats an id");
        }
        let title = get(&record, &fields.title).unwrap_or_default();
        let text = take(&mut record, &fields.text).unwrap_or_default();
        if text.is_empty() && title.is_empty() {
            return Err("has no text");
        }
        Ok(Some(Document {
            id: Some(id.clone()),
            meta: Metadata {
                title: if title.is_empty() { id } else { title },
                date: get(&record, &fields.date).and_then(|d| super::normalize_date(&d)),
                source: get(&record, &fields.source),
                url: get(&record, &fields.url),
                author: None,
            },
            text,
            ..Document::default()
        }))
    }
}

/// The value of the first of `names` that holds a non-blank string
/// (trimmed) or a number.
fn get(record: &Map<String, Value>, names: &[String]) -> Option<String> {
    names.iter().find_map(|name| match record.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// [`get`], taking a string out of the record rather than copying it (the
/// text of a record can be megabytes).
fn take(record: &mut Map<String, Value>, names: &[String]) -> Option<String> {
    let name = names.iter().find(|name| match record.get(*name) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    })?;
    match record.get_mut(name)? {
        Value::String(s) => {
            let mut s = std::mem::take(s);
            s.truncate(s.trim_end().len());
            s.drain(..s.len() - s.trim_start().len());
            Some(s)
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
