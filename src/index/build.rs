//! Building the index from the corpus: walk, extract, cut into passages,
//! write, commit once.
//!
//! The whole corpus is re-indexed in one commit: until the commit lands,
//! searches see the previous index, so an interrupted run loses nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use tantivy::IndexWriter;

use super::{IndexHandle, open_or_create, payload};
use crate::corpus::{self, CorpusFile};
use crate::error::{Error, Result};
use crate::passage::{self, Bounds};
use crate::schema::PassageDoc;

/// Memory the index writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;

/// What an indexing run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BuildReport {
    /// Documents indexed.
    pub files: usize,
    pub passages: usize,
    /// Files of unknown type.
    pub skipped: usize,
    /// Files that could not be read.
    pub failed: usize,
    pub elapsed: Duration,
}

/// Indexes `corpus` into `index_dir`; `warn` receives one line per problem
/// with a file (the run goes on).
pub fn build(corpus: &Path, index_dir: &Path, warn: &mut dyn FnMut(&str)) -> Result<BuildReport> {
    let started = Instant::now();
    let walk = corpus::walk(corpus, Some(index_dir))?;
    let handle = open_or_create(index_dir)?;
    let mut writer: IndexWriter = handle
        .index
        .writer(WRITER_MEMORY)
        .map_err(|e| Error::index(index_dir, e))?;
    writer
        .delete_all_documents()
        .map_err(|e| Error::index(index_dir, e))?;
    let mut report = BuildReport {
        skipped: walk.skipped,
        failed: walk.errors.len(),
        ..BuildReport::default()
    };
    for (path, reason) in &walk.errors {
        warn(&format!("{}: {reason}", path.display()));
    }
    for file in &walk.files {
        match add_file(&handle, &writer, file, warn) {
            Ok(passages) => {
                report.files += 1;
                report.passages += passages;
            }
            Err(reason) => {
                report.failed += 1;
                warn(&format!("{}: {reason}", file.path.display()));
            }
        }
    }
    let mut commit = writer
        .prepare_commit()
        .map_err(|e| Error::index(index_dir, e))?;
    commit.set_payload(&payload());
    commit.commit().map_err(|e| Error::index(index_dir, e))?;
    writer
        .wait_merging_threads()
        .map_err(|e| Error::index(index_dir, e))?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Reads, extracts and adds one file; returns its passage count, or the
/// reason it could not be read.
fn add_file(
    handle: &IndexHandle,
    writer: &IndexWriter,
    file: &CorpusFile,
    warn: &mut dyn FnMut(&str),
) -> std::result::Result<usize, String> {
    let bytes = std::fs::read(&file.path).map_err(|e| e.to_string())?;
    let file_name = file.key.rsplit('/').next().unwrap_or(&file.key);
    let extracted = file.format.extract(&bytes, file_name);
    for warning in &extracted.warnings {
        warn(&format!("{}: {warning}", file.path.display()));
    }
    let doc = extracted.document;
    let ranges = passage::split(&doc.text, &doc.breaks, Bounds::default());
    for (number, range) in ranges.iter().enumerate() {
        let passage = PassageDoc {
            path: &file.key,
            passage: number as u64,
            start: range.start as u64,
            end: range.end as u64,
            title: &doc.meta.title,
            body: &doc.text[range.clone()],
            date: doc.meta.date.as_deref(),
            source: doc.meta.source.as_deref(),
            url: doc.meta.url.as_deref(),
        };
        writer
            .add_document(handle.fields.document(&passage))
            .map_err(|e| format!("cannot index: {e}"))?;
    }
    Ok(ranges.len())
}
