//! Bringing the index in step with the corpus: plan what changed, then
//! apply it in as few commits as possible.
//!
//! A file whose size, mtime and extractor version match its manifest record
//! is not read. Any other file is read and hashed: same content → its
//! record is refreshed (counted unchanged); new or different content → its
//! passages are replaced (delete by path + add, in the same commit). Files
//! gone from the corpus are removed, except under a folder that could not
//! be read this run. A rename is a removal plus an addition. Nothing
//! changed → no commit at all.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tantivy::{IndexWriter, Term};

use super::manifest::Manifest;
use super::{Budget, IndexHandle, Options, payload};
use write::Failure;

use crate::corpus::{CorpusFile, ExtractOptions, Format, Walk};
use crate::error::{Error, Result};
use crate::passage::Bounds;
use crate::schema::FileRecord;

/// A long run commits after this long, so that an interrupted run keeps
/// most of its work. Only time counts, not files: every commit ends the
/// segments being written (one per indexing thread), and tantivy merges
/// small segments again in the background, which redid a fifth of the
/// indexing work on a folder of 22,000 short articles (see BENCHMARKS.md).
const COMMIT_EVERY: Duration = Duration::from_secs(30);

/// What a file's manifest record says about it before it is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Indices into the walk's files: not in the manifest.
    pub added: Vec<usize>,
    /// In the manifest, but its size, mtime or extractor version differ (or
    /// `--checksum`): to be read and hashed.
    pub suspect: Vec<usize>,
    /// In the manifest and unchanged by size, mtime and extractor version.
    pub unchanged: Vec<usize>,
    /// Path keys in the manifest that are no longer in the corpus.
    pub removed: Vec<String>,
}

/// A file modified this close before (or after) the last commit may have
/// changed again within the same mtime tick after it was read (a long run
/// reads a file up to [`COMMIT_EVERY`] before committing it): such files
/// are hashed again on the next run ("racy" entries, as git calls them).
pub const RACY_WINDOW: Duration = Duration::from_secs(35);

/// Which known files to read again even when their size and mtime match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checks {
    /// Every file (`--checksum`).
    pub checksum: bool,
    /// Files that failed before (`--retry-failed`).
    pub retry_failed: bool,
    /// Files whose recorded mtime is at or after this (ns): modified close
    /// to the last commit.
    pub racy_after: Option<i64>,
}

/// Compares a walk with the manifest. Pure: reads no file.
pub fn plan(walk: &Walk, manifest: &Manifest, checks: Checks, extract: &ExtractOptions) -> Plan {
    let mut plan = Plan::default();
    let mut seen = std::collections::HashSet::with_capacity(walk.files.len());
    for (i, file) in walk.files.iter().enumerate() {
        seen.insert(file.key.as_str());
        let fresh = |r: &FileRecord| {
            r.size == file.size
                && r.mtime == file.mtime
                && (r.failed || checks.racy_after.is_none_or(|racy| r.mtime < racy))
                && r.extractor == file.format.extractor_id(extract)
        };
        match manifest.files.get(&file.key) {
            None => plan.added.push(i),
            Some(record)
                if checks.checksum || !fresh(record) || (checks.retry_failed && record.failed) =>
            {
                plan.suspect.push(i);
            }
            Some(_) if manifest.duplicates.contains(&file.key) => plan.suspect.push(i),
            Some(_) => plan.unchanged.push(i),
        }
    }
    plan.removed = manifest
        .files
        .keys()
        .filter(|key| !seen.contains(key.as_str()) && !walk.is_unreadable(key))
        .cloned()
        .collect();
    plan.removed.sort();
    plan
}

/// Receives progress and problems during a run.
pub trait Reporter {
    /// One line about a file that could not be read or extracted cleanly.
    fn warn(&mut self, message: &str);
    /// The run will read `total` files.
    fn start(&mut self, _total: usize) {}
    /// One more file done.
    fn tick(&mut self) {}
    /// The run is over (before the summary is printed).
    fn finish(&mut self) {}
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Files of unknown type.
    pub skipped: usize,
    /// Files that could not be read or extracted this run (their old
    /// passages, if any, are kept).
    pub failed: usize,
    /// Files that failed in an earlier run and have not changed since (not
    /// retried; `--retry-failed` forces it). Counted in `unchanged` too.
    pub remembered_failures: usize,
    /// Passages in the index after the run.
    pub passages: u64,
    /// Commits made.
    pub commits: usize,
    /// Stopped early by a signal (what was done is committed).
    pub interrupted: bool,
    /// A fresh index was built and swapped in.
    pub rebuilt: bool,
    pub elapsed: Duration,
}

/// Why a file that was read vanished.
const VANISHED: &str = "vanished before it could be read";

/// What happened to one file.
enum Done {
    Added(u64),
    Updated {
        old: u64,
        new: u64,
    },
    /// Same content: the record was refreshed (or nothing was written).
    Unchanged,
    /// Skipped, with the reason.
    Failed(String),
    /// Failed half-way: its old passages (this many) are gone.
    Broken {
        old: u64,
        reason: String,
    },
}

/// Writes plans into an index, committing now and then. It holds the
/// index's writer lock for as long as it lives.
pub struct Updater {
    handle: IndexHandle,
    writer: IndexWriter,
    /// The corpus root, for the commit payload.
    corpus: std::path::PathBuf,
    /// Passage size bounds.
    bounds: Bounds,
    dirty: bool,
    last_commit: Instant,
    report: Report,
}

impl Updater {
    /// Takes the index's writer lock: fails at once with
    /// [`Error::Busy`] when another process holds it.
    pub fn new(
        handle: &IndexHandle,
        corpus: &std::path::Path,
        options: &Options,
        budget: Budget,
    ) -> Result<Updater> {
        let corpus = corpus
            .canonicalize()
            .unwrap_or_else(|_| corpus.to_path_buf());
        let writer = handle
            .index
            .writer_with_num_threads(budget.threads, budget.writer)
            .map_err(|e| Error::index(&handle.dir, e))?;
        // A run killed before its commit leaves files behind (segments,
        // `.del` files). tantivy would only remove them at the next commit,
        // and a `.del` file named after a reused opstamp makes that very
        // commit fail with FileAlreadyExists: clear them first.
        writer
            .garbage_collect_files()
            .wait()
            .map_err(|e| Error::index(&handle.dir, e))?;
        Ok(Updater {
            handle: handle.clone(),
            writer,
            corpus,
            bounds: options.extract.bounds,
            dirty: false,
            last_commit: Instant::now(),
            report: Report::default(),
        })
    }

    /// Applies `plan` (from `walk` and `manifest`); stops between two files
    /// once `stop` is set. Commits what it did, and reports it.
    pub fn apply(
        &mut self,
        walk: &Walk,
        manifest: &Manifest,
        plan: &Plan,
        options: &Options,
        stop: &AtomicBool,
        reporter: &mut dyn Reporter,
    ) -> Result<Report> {
        self.report = Report::default();
        let mut passages = manifest.passages();
        for key in &plan.removed {
            self.delete(key);
            passages -= manifest.files.get(key).map_or(0, |r| r.passages);
            self.report.removed += 1;
        }
        self.report.unchanged = plan.unchanged.len();
        self.report.remembered_failures = plan
            .unchanged
            .iter()
            .filter(|&&i| {
                manifest
                    .files
                    .get(&walk.files[i].key)
                    .is_some_and(|r| r.failed)
            })
            .count();
        let mut work: Vec<usize> = plan.added.iter().chain(&plan.suspect).copied().collect();
        work.sort_unstable();
        reporter.start(work.len());
        for i in work {
            if stop.load(Ordering::SeqCst) {
                self.report.interrupted = true;
                break;
            }
            let file = &walk.files[i];
            match self.index_file(file, manifest.files.get(&file.key), options, reporter) {
                Done::Added(n) => {
                    self.report.added += 1;
                    passages += n;
                }
                Done::Updated { old, new } => {
                    self.report.updated += 1;
                    passages = passages - old + new;
                }
                Done::Unchanged => self.report.unchanged += 1,
                Done::Failed(reason) => {
                    self.report.failed += 1;
                    reporter.warn(&format!("skipped {}: {reason}", file.path.display()));
                }
                Done::Broken { old, reason } => {
                    self.report.failed += 1;
                    passages -= old;
                    reporter.warn(&format!("skipped {}: {reason}", file.path.display()));
                }
            }
            reporter.tick();
            if self.last_commit.elapsed() >= COMMIT_EVERY {
                self.commit()?;
            }
        }
        reporter.finish();
        self.report.passages = passages;
        self.commit()?;
        Ok(std::mem::take(&mut self.report))
    }

    /// Deletes every passage of a file.
    fn delete(&mut self, file: &str) {
        let fields = &self.handle.fields;
        self.writer
            .delete_term(Term::from_field_text(fields.file, file));
        self.dirty = true;
    }

    /// Reads, hashes and (when needed) re-indexes one file.
    fn index_file(
        &mut self,
        file: &CorpusFile,
        old: Option<&FileRecord>,
        options: &Options,
        reporter: &mut dyn Reporter,
    ) -> Done {
        let extractor = file.format.extractor_id(&options.extract);
        // The stat taken before the read: if the file changes after it, the
        // next run sees a newer mtime and reads it again.
        let mut record = FileRecord {
            size: file.size,
            mtime: file.mtime,
            hash: 0,
            extractor,
            passages: 0,
            failed: false,
        };
        // JSON Lines and plain text are streamed (a record, a chunk of
        // paragraphs at a time); other formats are read whole, once for
        // the hash and the text. --max-file-size bounds JSON Lines by line.
        let streamed = matches!(file.format, Format::Jsonl | Format::Text);
        if file.format != Format::Jsonl && file.size > options.max_file_size {
            let reason = format!(
                "larger than --max-file-size ({} bytes)",
                options.max_file_size
            );
            return self.failed(file, old, record, reason);
        }
        let read = if streamed {
            // A known file is hashed first, so that an unchanged one is not
            // indexed again; a new one is hashed as it is indexed.
            let hash = old.map(|_| write::hash_file(&file.path)).transpose();
            hash.map(|hash| (None, hash))
        } else {
            std::fs::read(&file.path).map(|bytes| {
                let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
                (Some(bytes), Some(hash))
            })
        };
        let (bytes, hash) = match read {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Done::Failed(VANISHED.to_string());
            }
            Err(e) => return self.failed(file, old, record, e.to_string()),
        };
        let mut same_content = false;
        if let Some(hash) = hash {
            record.hash = hash;
            if old.is_some_and(|o| {
                o.failed
                    && o.hash == record.hash
                    && o.size == record.size
                    && o.mtime == record.mtime
                    && !options.retry_failed
            }) {
                // Read again (--checksum) but unchanged: still the known failure.
                return Done::Unchanged;
            }
            same_content =
                old.is_some_and(|o| o.hash == record.hash && o.extractor == extractor && !o.failed);
            if same_content && old.is_some_and(|o| o.size == record.size && o.mtime == record.mtime)
            {
                return Done::Unchanged;
            }
        }
        let written = match bytes {
            Some(bytes) => self.write_whole(file, old, bytes, record, options),
            None if file.format == Format::Text => {
                self.write_streamed_text(file, old, record, options)
            }
            None => self.write_streamed(file, old, record, options),
        };
        let written = match written {
            Ok(written) => written,
            Err(Failure::Read(reason)) => return self.failed(file, old, record, reason),
            Err(Failure::Vanished) => return Done::Failed(VANISHED.to_string()),
            Err(Failure::Write(reason)) => return Done::Failed(reason),
            Err(Failure::Broken(reason)) => {
                let old = old.map_or(0, |o| o.passages);
                return Done::Broken { old, reason };
            }
        };
        if !same_content {
            for warning in &written.warnings {
                reporter.warn(&format!("{}: {warning}", file.path.display()));
            }
        }
        self.dirty = true;
        match old {
            None => Done::Added(written.passages),
            Some(_) if same_content => Done::Unchanged,
            Some(old) => Done::Updated {
                old: old.passages,
                new: written.passages,
            },
        }
    }

    /// A file that could not be read or extracted. A new (or already
    /// failed) file is remembered as failed, so it is not retried until it
    /// changes; a file indexed fine before keeps its old passages and
    /// record, so it is retried next run.
    fn failed(
        &mut self,
        file: &CorpusFile,
        old: Option<&FileRecord>,
        record: FileRecord,
        reason: String,
    ) -> Done {
        if old.is_none_or(|o| o.failed) {
            if old.is_some() {
                self.delete(&file.key);
            }
            let placeholder = self.handle.fields.placeholder(
                &file.key,
                &FileRecord {
                    failed: true,
                    ..record
                },
                Some(&reason),
            );
            if self.writer.add_document(placeholder).is_ok() {
                self.dirty = true;
            }
        }
        Done::Failed(reason)
    }

    /// Commits pending changes, with the payload; does nothing when there
    /// are none.
    pub fn commit(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let dir = &self.handle.dir;
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| Error::index(dir, e))?;
        prepared.set_payload(&payload(&self.corpus));
        prepared.commit().map_err(|e| Error::index(dir, e))?;
        self.report.commits += 1;
        self.dirty = false;
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Waits for background merges, so the process exits with a tidy index.
    pub fn finish(self) -> Result<()> {
        self.writer
            .wait_merging_threads()
            .map_err(|e| Error::index(&self.handle.dir, e))
    }
}

#[cfg(test)]
mod tests;
mod write;
