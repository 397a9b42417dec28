//! Writing one file's passages (read whole, or streamed record by record),
//! and hashing a file as it is read.
//!
//! A file's documents may arrive one at a time (a JSON Lines collection is
//! streamed record by record), so its passages are written as they come,
//! except the first: that one carries the file's record (content hash,
//! passage count), which is known only once the whole file has been read.

use std::borrow::Cow;
use std::io::Read;

use tantivy::{IndexWriter, TantivyDocument};
use xxhash_rust::xxh3::Xxh3Default;

use super::{Options, Updater};
use crate::corpus::text::{self, Stop};
use crate::corpus::{CorpusFile, Document, JsonlRecords};
use crate::passage::{self, Bounds};
use crate::schema::{Fields, FileRecord, PassageDoc};

/// What writing a file's passages gave.
pub(super) struct Written {
    pub(super) passages: u64,
    /// The extractor's warnings, one line each.
    pub(super) warnings: Vec<String>,
}

/// Why a file's passages were not written.
pub(super) enum Failure {
    /// The file could not be read or extracted (nothing was written).
    Read(String),
    /// The file vanished before it could be opened.
    Vanished,
    /// The writer refused a passage.
    Write(String),
    /// A stream broke off half-way: the file's passages, old and new, were
    /// deleted and it is recorded as failed.
    Broken(String),
}

impl Updater {
    /// Extracts a file read whole and writes its passages in place of its
    /// old ones.
    pub(super) fn write_whole(
        &mut self,
        file: &CorpusFile,
        old: Option<&FileRecord>,
        bytes: Vec<u8>,
        record: FileRecord,
        options: &Options,
    ) -> std::result::Result<Written, Failure> {
        let file_name = file.key.rsplit('/').next().unwrap_or(&file.key);
        let extracted = file
            .format
            .extract_owned(bytes, file_name, &options.extract)
            .map_err(Failure::Read)?;
        if old.is_some() {
            self.delete(&file.key);
        }
        let fields = self.handle.fields;
        let mut passages = FilePassages::new(&file.key, (file.size, file.mtime), self.bounds);
        for document in &extracted.documents {
            passages
                .add(&self.writer, &fields, document)
                .map_err(Failure::Write)?;
        }
        let passages = passages
            .finish(&self.writer, &fields, record)
            .map_err(Failure::Write)?;
        Ok(Written {
            passages,
            warnings: extracted.warnings,
        })
    }

    /// Streams a JSON Lines file, record by record, writing each record's
    /// passages as it is read, in place of the file's old passages; the
    /// file is hashed on the way. A read error half-way leaves some
    /// passages written and the old ones deleted: they are all deleted,
    /// and the file is recorded as failed (read again once it changes).
    pub(super) fn write_streamed(
        &mut self,
        file: &CorpusFile,
        old: Option<&FileRecord>,
        mut record: FileRecord,
        options: &Options,
    ) -> std::result::Result<Written, Failure> {
        let mut hasher = Xxh3Default::new();
        let max_line = usize::try_from(options.max_file_size).unwrap_or(usize::MAX);
        let (reader, mut warnings) = self.open_streamed(file, old, max_line, &mut hasher)?;
        let fields = self.handle.fields;
        let mut passages = FilePassages::new(&file.key, (file.size, file.mtime), self.bounds);
        let mut records = JsonlRecords::new(reader, &options.extract.jsonl_fields, max_line);
        loop {
            match records.next_document() {
                Ok(Some(document)) => passages
                    .add(&self.writer, &fields, &document)
                    .map_err(Failure::Write)?,
                Ok(None) => break,
                Err(e) => {
                    let reason = format!("read error after {} passages: {e}", passages.count());
                    return Err(self.broken(file, record, reason));
                }
            }
        }
        warnings.extend(records.warnings());
        drop(records);
        record.hash = hasher.digest();
        let passages = passages
            .finish(&self.writer, &fields, record)
            .map_err(Failure::Write)?;
        Ok(Written { passages, warnings })
    }

    /// Streams a plain-text file, a chunk of paragraphs at a time, writing
    /// its passages in place of the file's old ones as they are cut; the
    /// file is hashed on the way. A read error half-way is handled as for
    /// JSON Lines.
    pub(super) fn write_streamed_text(
        &mut self,
        file: &CorpusFile,
        old: Option<&FileRecord>,
        mut record: FileRecord,
        options: &Options,
    ) -> std::result::Result<Written, Failure> {
        let mut hasher = Xxh3Default::new();
        let max = usize::try_from(options.max_file_size).unwrap_or(usize::MAX);
        let (reader, mut warnings) = self.open_streamed(file, old, max, &mut hasher)?;
        let fields = self.handle.fields;
        let mut passages = FilePassages::new(&file.key, (file.size, file.mtime), self.bounds);
        let file_name = file.key.rsplit('/').next().unwrap_or(&file.key);
        let mut number = 0;
        let streamed = text::stream(
            reader,
            file_name,
            self.bounds,
            text::CHUNK,
            |doc, range, body| {
                number += 1;
                passages.add_passage(&self.writer, &fields, doc, number - 1, range, body)
            },
        );
        match streamed {
            Ok(more) => warnings.extend(more),
            Err(Stop::Each(reason)) => return Err(Failure::Write(reason)),
            Err(Stop::Read(e)) => {
                let reason = format!("read error after {} passages: {e}", passages.count());
                return Err(self.broken(file, record, reason));
            }
        }
        record.hash = hasher.digest();
        let passages = passages
            .finish(&self.writer, &fields, record)
            .map_err(Failure::Write)?;
        Ok(Written { passages, warnings })
    }

    /// Opens a file to stream (see [`crate::corpus::open_stream`]), hashed
    /// into `hasher` as it is read, and deletes its old passages once it
    /// is open. Returns the reader and the warnings so far.
    fn open_streamed<'h>(
        &mut self,
        file: &CorpusFile,
        old: Option<&FileRecord>,
        max_whole: usize,
        hasher: &'h mut Xxh3Default,
    ) -> std::result::Result<(Box<dyn std::io::BufRead + 'h>, Vec<String>), Failure> {
        let opened = std::fs::File::open(&file.path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Failure::Vanished,
            _ => Failure::Read(e.to_string()),
        })?;
        let reader = Hashing {
            inner: opened,
            hasher,
        };
        let opened = crate::corpus::open_stream(reader, max_whole).map_err(Failure::Read)?;
        if old.is_some() {
            self.delete(&file.key);
        }
        Ok(opened)
    }

    /// A stream that broke off half-way: its passages, new and old, are
    /// deleted, and the file is recorded as failed.
    fn broken(&mut self, file: &CorpusFile, record: FileRecord, reason: String) -> Failure {
        self.delete(&file.key);
        let failed = FileRecord {
            failed: true,
            hash: hash_file(&file.path).unwrap_or(0),
            ..record
        };
        let placeholder = self
            .handle
            .fields
            .placeholder(&file.key, &failed, Some(&reason));
        let _ = self.writer.add_document(placeholder);
        self.dirty = true;
        Failure::Broken(reason)
    }
}

/// The passages of one file on their way to the writer.
pub(super) struct FilePassages<'k> {
    /// The file's path key.
    key: &'k str,
    /// The file's size and mtime, stamped on every passage.
    stamp: (u64, i64),
    bounds: Bounds,
    /// The file's first passage, written last, with the record.
    first: Option<TantivyDocument>,
    count: u64,
}

impl<'k> FilePassages<'k> {
    pub(super) fn new(key: &'k str, stamp: (u64, i64), bounds: Bounds) -> FilePassages<'k> {
        FilePassages {
            key,
            stamp,
            bounds,
            first: None,
            count: 0,
        }
    }

    /// Cuts a document of the file into passages and writes them (all but
    /// the file's very first).
    pub(super) fn add(
        &mut self,
        writer: &IndexWriter,
        fields: &Fields,
        doc: &Document,
    ) -> Result<(), String> {
        let mut ranges = passage::split(&doc.text, &doc.breaks, self.bounds);
        // A record of a collection file may be all title (LISA has
        // thousands): one empty passage keeps its title searchable.
        if ranges.is_empty() && doc.id.is_some() && !doc.meta.title.trim().is_empty() {
            ranges.push(0..0);
        }
        for (number, range) in ranges.into_iter().enumerate() {
            let body = &doc.text[range.clone()];
            self.add_passage(writer, fields, doc, number, range, body)?;
        }
        Ok(())
    }

    /// Writes the `number`th passage of `doc` (all but the file's very
    /// first): `body`, at `range` of the document's text.
    pub(super) fn add_passage(
        &mut self,
        writer: &IndexWriter,
        fields: &Fields,
        doc: &Document,
        number: usize,
        range: std::ops::Range<usize>,
        body: &str,
    ) -> Result<(), String> {
        let key = match &doc.id {
            Some(id) => Cow::Owned(format!("{}#{id}", self.key)),
            None => Cow::Borrowed(self.key),
        };
        let passage = fields.document(&PassageDoc {
            path: &key,
            file: self.key,
            doc_id: doc.id.as_deref(),
            passage: number as u64,
            start: range.start as u64,
            end: range.end as u64,
            page: doc.page_at(range.start),
            title: &doc.meta.title,
            body,
            date: doc.meta.date.as_ref().map(|d| (d.iso.as_str(), d.seconds)),
            source: doc.meta.source.as_deref(),
            url: doc.meta.url.as_deref(),
            author: doc.meta.author.as_deref(),
            stamp: self.stamp,
            record: None,
        });
        if self.count == 0 {
            self.first = Some(passage);
        } else {
            write(writer, passage)?;
        }
        self.count += 1;
        Ok(())
    }

    /// Passages so far.
    pub(super) fn count(&self) -> u64 {
        self.count
    }

    /// Writes the first passage with the file's record (or, for a file
    /// without passages, a record-only document). Returns the number of
    /// passages.
    pub(super) fn finish(
        self,
        writer: &IndexWriter,
        fields: &Fields,
        record: FileRecord,
    ) -> Result<u64, String> {
        let record = FileRecord {
            passages: self.count,
            ..record
        };
        let document = match self.first {
            Some(mut first) => {
                fields.add_record(&mut first, &record);
                first
            }
            None => fields.placeholder(self.key, &record, None),
        };
        write(writer, document)?;
        Ok(self.count)
    }
}

fn write(writer: &IndexWriter, document: TantivyDocument) -> Result<(), String> {
    writer
        .add_document(document)
        .map(|_| ())
        .map_err(|e| format!("cannot index: {e}"))
}

/// Passes the bytes read through to an xxh3 hash (the manifest's content
/// hash, the same as hashing the whole file at once).
pub(super) struct Hashing<'h, R> {
    pub(super) inner: R,
    pub(super) hasher: &'h mut Xxh3Default,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The xxh3 hash of a file's content, read in bounded chunks.
pub(super) fn hash_file(path: &std::path::Path) -> std::io::Result<u64> {
    let mut hasher = Xxh3Default::new();
    let mut reader = Hashing {
        inner: std::fs::File::open(path)?,
        hasher: &mut hasher,
    };
    std::io::copy(&mut reader, &mut std::io::sink())?;
    Ok(hasher.digest())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hashed_in_pieces_has_the_hash_of_its_whole_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jsonl");
        let content: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
        std::fs::write(&path, &content).unwrap();
        assert_eq!(
            hash_file(&path).unwrap(),
            xxhash_rust::xxh3::xxh3_64(&content)
        );
    }
}
