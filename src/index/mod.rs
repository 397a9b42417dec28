//! The index on disk: opening it, creating it, updating it from the corpus
//! ([`update`]), telling what an update would do ([`status`]), and
//! rebuilding it beside the old one and swapping it in ([`rebuild`]).
//!
//! Each commit's payload records the schema version and the corpus root,
//! so that a search can tell when a hit's file changed since it was
//! indexed.

#[cfg(test)]
mod faults;
mod manifest;
mod readonly;
mod rebuild;
mod status;
pub mod update;
mod verify;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::directory::Directory;
use tantivy::{Index, IndexMeta, IndexReader, ReloadPolicy, Searcher};

pub use manifest::Manifest;
pub use status::{Status, status};
pub use update::{Report, Reporter};
pub use verify::{Problem, Verification, verify};

use crate::corpus;
use crate::error::{Error, Result};
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// An open index with its fields.
#[derive(Clone)]
pub struct IndexHandle {
    pub index: Index,
    pub fields: Fields,
    pub dir: PathBuf,
    /// The searcher of the last commit seen, shared by the searches made
    /// through this handle and its clones (see [`IndexHandle::snapshot`]).
    searcher: Arc<Mutex<Option<Snapshot>>>,
}

/// A searcher kept by a handle, with the `meta.json` it was checked
/// against (the searcher is never older than that commit) and the corpus
/// root that commit records.
struct Snapshot {
    meta: Vec<u8>,
    searcher: Searcher,
    corpus: Option<PathBuf>,
}

/// Stored with every commit in tantivy's `meta.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Payload {
    pub schema_version: u32,
    /// The corpus root the index was last updated from, absolute.
    #[serde(default)]
    pub corpus: Option<PathBuf>,
    /// When the commit was made, nanoseconds since the Unix epoch.
    #[serde(default)]
    pub committed_at: Option<i64>,
}

/// The commit payload of this build for `corpus`, stamped now.
fn payload(corpus: &Path) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    serde_json::to_string(&Payload {
        schema_version: SCHEMA_VERSION,
        corpus: Some(corpus.to_path_buf()),
        committed_at: Some(now),
    })
    .unwrap_or_default()
}

/// What an `index` run is asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// Hash every file, not only those whose size or mtime changed.
    pub checksum: bool,
    /// Allow a run that would remove every document (empty corpus).
    pub allow_empty: bool,
    /// Build a fresh index and swap it in.
    pub rebuild: bool,
    /// Read again the files that failed before, even unchanged.
    pub retry_failed: bool,
    /// Files larger than this are not read (skipped with a warning).
    pub max_file_size: u64,
    /// Which files of the corpus count (symlinks, include/exclude globs).
    pub walk: corpus::WalkOptions,
    /// Indexing threads, at most (fewer when the memory budget is short).
    pub threads: usize,
    /// Memory budget of the run, bytes (see [`Options::budget`]).
    pub memory: usize,
    pub extract: corpus::ExtractOptions,
}

/// Most indexing threads tantivy runs.
pub const MAX_THREADS: usize = 8;
/// Least memory tantivy accepts per indexing thread, MiB.
pub const MIN_MIB_PER_THREAD: usize = 15;
/// Most memory tantivy accepts per indexing thread, MiB (just under 4 GiB).
pub const MAX_MIB_PER_THREAD: usize = 4095;

/// Default `--max-file-size`: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Default `--memory`, MiB: fits a laptop, and leaves tantivy buffers big
/// enough that a few hundred MB of text make a few segments.
pub const DEFAULT_MEMORY_MIB: usize = 256;

/// MiB of the memory budget kept for everything but tantivy's indexing
/// buffers: the process itself, the passages queued for the writer
/// (tantivy queues up to 10,000), the analyzers' caches, read buffers and
/// a JSON Lines record of up to a few MiB.
pub const RESERVE_MIB: usize = 64;

const MIB: usize = 1024 * 1024;

/// How a run shares its memory budget: tantivy's writer threads and their
/// buffers, all threads together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub threads: usize,
    /// Bytes.
    pub writer: usize,
}

impl Options {
    /// The share of the budget left to the writer when a file read whole
    /// may hold `held` bytes (see [`corpus::Format::memory_to_read`]): the
    /// budget less [`RESERVE_MIB`] and `held`, with fewer threads if that
    /// leaves less than 15 MiB each. When it leaves less than 15 MiB in
    /// all, the writer still gets 15 MiB, and the run needs more than the
    /// budget (only a file read whole, that `--max-file-size` allows, can
    /// do that).
    pub fn budget(&self, held: u64) -> Budget {
        let least = MIN_MIB_PER_THREAD * MIB;
        let held = usize::try_from(held).unwrap_or(usize::MAX);
        let left = self
            .memory
            .saturating_sub(RESERVE_MIB * MIB)
            .saturating_sub(held);
        let threads = self.threads.min(left / least).max(1);
        Budget {
            threads,
            writer: left.clamp(least, MAX_MIB_PER_THREAD * MIB * threads),
        }
    }

    /// What the largest file of `walk` that is read whole holds while it
    /// is read (files over `--max-file-size` are not read).
    pub fn held_by_largest(&self, walk: &corpus::Walk) -> u64 {
        walk.files
            .iter()
            .filter(|f| f.size <= self.max_file_size)
            .map(|f| f.format.memory_to_read(f.size))
            .max()
            .unwrap_or(0)
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            checksum: false,
            allow_empty: false,
            rebuild: false,
            retry_failed: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            walk: corpus::WalkOptions::default(),
            threads: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(MAX_THREADS),
            memory: DEFAULT_MEMORY_MIB * MIB,
            extract: corpus::ExtractOptions::default(),
        }
    }
}

/// Whether `dir` holds an index (of any version).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// Opens an existing index.
pub fn open(dir: &Path) -> Result<IndexHandle> {
    let index = Index::open_in_dir(dir).map_err(|e| Error::index(dir, e))?;
    check_version(dir, &index)?;
    handle(dir, index)
}

/// Opens an existing index for reading, read-only when its folder cannot
/// be written.
pub fn open_for_search(dir: &Path) -> Result<IndexHandle> {
    readable(open(dir)?)
}

/// The same index, through the read-only directory when a reader cannot
/// take its lock in the folder.
pub fn readable(handle: IndexHandle) -> Result<IndexHandle> {
    let dir = handle.dir.clone();
    match handle.reader() {
        Err(Error::NotWritable { .. }) => {
            let directory = readonly::ReadOnlyDirectory::open(&dir)
                .map_err(|e| Error::index(&dir, e.into()))?;
            let index = Index::open(directory).map_err(|e| Error::index(&dir, e))?;
            self::handle(&dir, index)
        }
        Err(e) => Err(e),
        Ok(_) => Ok(handle),
    }
}

/// Creates an index in `dir`, creating the directory. Refuses a non-empty
/// directory that holds no index, so that a mistyped `--index` cannot
/// scatter files into, say, a home directory.
fn create(dir: &Path) -> Result<IndexHandle> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let foreign = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|entry| entry.ok())
        .any(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
    if foreign {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
        });
    }
    let (schema, _) = schema::build_schema();
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::index(dir, e))?;
    handle(dir, index)
}

/// Wraps an index opened by other means (a custom directory): registers
/// the analyzers and checks the schema. `dir` names it in messages.
pub fn from_index(index: Index, dir: &Path) -> Result<IndexHandle> {
    handle(dir, index)
}

fn handle(dir: &Path, index: Index) -> Result<IndexHandle> {
    schema::register_analyzers(&index);
    let fields = fields_of(&index).ok_or_else(|| mismatch(dir, "unknown"))?;
    Ok(IndexHandle {
        index,
        fields,
        dir: dir.to_path_buf(),
        searcher: Arc::default(),
    })
}

/// The fields of this build's schema, if the index has exactly them.
fn fields_of(index: &Index) -> Option<Fields> {
    let schema = index.schema();
    let (expected_schema, expected) = schema::build_schema();
    let same = schema.num_fields() == expected_schema.num_fields()
        && expected_schema
            .fields()
            .all(|(field, entry)| schema.get_field(entry.name()).ok() == Some(field));
    same.then_some(expected)
}

/// The payload of the last commit (default for a never-committed index).
pub fn read_payload(dir: &Path, index: &Index) -> Result<Option<Payload>> {
    let metas = index.load_metas().map_err(|e| Error::index(dir, e))?;
    Ok(payload_of(&metas))
}

/// The payload of a commit (default for a never-committed index).
fn payload_of(metas: &IndexMeta) -> Option<Payload> {
    match &metas.payload {
        None if metas.segments.is_empty() => Some(Payload {
            schema_version: SCHEMA_VERSION,
            ..Payload::default()
        }),
        None => None,
        Some(text) => serde_json::from_str(text).ok(),
    }
}

/// An index committed by another schema version is refused.
fn check_version(dir: &Path, index: &Index) -> Result<()> {
    match read_payload(dir, index)? {
        Some(p) if p.schema_version == SCHEMA_VERSION => Ok(()),
        Some(p) => Err(mismatch(dir, &p.schema_version.to_string())),
        None => Err(mismatch(dir, "unknown")),
    }
}

fn mismatch(dir: &Path, found: &str) -> Error {
    Error::SchemaMismatch {
        path: dir.to_path_buf(),
        found: found.to_string(),
        expected: SCHEMA_VERSION,
    }
}

impl IndexHandle {
    /// A reader that sees the last commit (reloaded by hand).
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::index(&self.dir, e))
    }

    /// A searcher of the last commit, and the corpus root that commit
    /// recorded. The searches made through one handle share the searcher
    /// until a commit changes the index's segments (or their deletions):
    /// opening a reader opens every segment again, and cost a short search
    /// as much as the search itself (see `BENCHMARKS.md`). Each call still
    /// reads `meta.json`, once, so a search never misses a commit; it is
    /// parsed only when its bytes changed (every commit changes them, and
    /// parsing the schema it holds cost a twentieth of a short search).
    pub fn snapshot(&self) -> Result<(Searcher, Option<PathBuf>)> {
        let meta = self
            .index
            .directory()
            .atomic_read(Path::new("meta.json"))
            .map_err(|e| Error::index(&self.dir, e.into()))?;
        let mut cached = self.searcher.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = cached.as_ref().filter(|kept| kept.meta == meta) {
            return Ok((kept.searcher.clone(), kept.corpus.clone()));
        }
        // Parsed again from the directory: a commit since the read above
        // only makes the searcher newer than `meta`, never older.
        let metas = self
            .index
            .load_metas()
            .map_err(|e| Error::index(&self.dir, e))?;
        let corpus = payload_of(&metas).and_then(|p| p.corpus);
        let searcher = match cached.take() {
            Some(kept) if sees(&kept.searcher, &metas) => kept.searcher,
            _ => self.reader()?.searcher(),
        };
        *cached = Some(Snapshot {
            meta,
            searcher: searcher.clone(),
            corpus: corpus.clone(),
        });
        Ok((searcher, corpus))
    }

    /// The manifest of the last commit.
    pub fn manifest(&self) -> Result<Manifest> {
        let reader = self.reader()?;
        Manifest::load(&reader.searcher()).map_err(|e| Error::index(&self.dir, e))
    }

    /// The corpus root recorded by the last commit.
    pub fn corpus(&self) -> Option<PathBuf> {
        read_payload(&self.dir, &self.index).ok().flatten()?.corpus
    }
}

/// Whether `searcher` sees exactly the segments of `metas`, each with the
/// same deletions.
fn sees(searcher: &Searcher, metas: &IndexMeta) -> bool {
    let mut seen: Vec<_> = searcher
        .segment_readers()
        .iter()
        .map(|r| (r.segment_id(), r.delete_opstamp()))
        .collect();
    let mut committed: Vec<_> = metas
        .segments
        .iter()
        .map(|m| (m.id(), m.delete_opstamp()))
        .collect();
    seen.sort_unstable();
    committed.sort_unstable();
    seen == committed
}

/// Brings the index in `index_dir` in step with `corpus`: incrementally,
/// or by a rebuild when asked or when the index has another schema.
pub fn update(
    corpus: &Path,
    index_dir: &Path,
    options: &Options,
    stop: &AtomicBool,
    reporter: &mut dyn Reporter,
) -> Result<Report> {
    let started = Instant::now();
    let walk = corpus::walk(corpus, Some(index_dir), &options.walk)?;
    if walk.is_unreadable("") {
        return Err(Error::CorpusMissing {
            path: corpus.to_path_buf(),
            reason: "cannot be read".to_string(),
        });
    }
    for (path, reason) in &walk.errors {
        reporter.warn(&format!("{}: {reason}", path.display()));
    }
    let handle = if exists(index_dir) && options.rebuild {
        // A rebuild never needs the old index to open: it may be damaged.
        None
    } else if exists(index_dir) {
        match open(index_dir) {
            Ok(handle) => Some(handle),
            Err(Error::SchemaMismatch { .. }) => {
                reporter.warn(&format!(
                    "index at {} was built by another version of quarry: rebuilding it",
                    index_dir.display()
                ));
                None
            }
            Err(e) => return Err(e),
        }
    } else {
        Some(create(index_dir)?)
    };
    let held = options.held_by_largest(&walk);
    let mut report = match handle {
        Some(handle) => {
            let mut session = Session::new(handle, corpus, options, held)?;
            let report = session.apply(&walk, options, stop, reporter)?;
            session.finish()?;
            report
        }
        None => rebuild::rebuild(corpus, index_dir, &walk, options, held, stop, reporter)?,
    };
    report.skipped = walk.skipped;
    report.failed += walk.errors.len();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// An index open for updates: holds the writer lock until it is dropped,
/// so that `watch` keeps other writers out between its batches.
pub struct Session {
    handle: IndexHandle,
    reader: IndexReader,
    updater: update::Updater,
    corpus: PathBuf,
}

impl Session {
    /// Takes the writer lock of an open index. `held` is what the largest
    /// file read whole may hold (see [`Options::budget`]).
    pub fn new(
        handle: IndexHandle,
        corpus: &Path,
        options: &Options,
        held: u64,
    ) -> Result<Session> {
        let updater = update::Updater::new(&handle, corpus, options, options.budget(held))?;
        let reader = handle.reader()?;
        Ok(Session {
            handle,
            reader,
            updater,
            corpus: corpus.to_path_buf(),
        })
    }

    /// Opens (or creates) the index at `index_dir` for updates from
    /// `corpus`; an index of another schema is rebuilt first.
    pub fn open(
        corpus: &Path,
        index_dir: &Path,
        options: &Options,
        stop: &AtomicBool,
        reporter: &mut dyn Reporter,
    ) -> Result<(Session, Option<Report>)> {
        let rebuilt = match open(index_dir) {
            Err(Error::SchemaMismatch { .. }) => {
                let options = Options {
                    rebuild: true,
                    ..options.clone()
                };
                Some(update(corpus, index_dir, &options, stop, reporter)?)
            }
            _ => None,
        };
        let handle = if exists(index_dir) {
            open(index_dir)?
        } else {
            create(index_dir)?
        };
        // The buffers are sized once, from the files there now (a larger
        // file read whole later takes its memory on top of the budget).
        let held = corpus::walk(corpus, Some(index_dir), &options.walk).map_or_else(
            |_| corpus::Format::Markdown.memory_to_read(options.max_file_size),
            |walk| options.held_by_largest(&walk),
        );
        Ok((Session::new(handle, corpus, options, held)?, rebuilt))
    }

    /// Walks the corpus and applies what changed.
    pub fn sync(
        &mut self,
        options: &Options,
        stop: &AtomicBool,
        reporter: &mut dyn Reporter,
    ) -> Result<Report> {
        let started = Instant::now();
        let walk = corpus::walk(&self.corpus, Some(&self.handle.dir), &options.walk)?;
        for (path, reason) in &walk.errors {
            reporter.warn(&format!("{}: {reason}", path.display()));
        }
        let mut report = self.apply(&walk, options, stop, reporter)?;
        report.skipped = walk.skipped;
        report.failed += walk.errors.len();
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// Applies what changed between `walk` and the last commit.
    fn apply(
        &mut self,
        walk: &corpus::Walk,
        options: &Options,
        stop: &AtomicBool,
        reporter: &mut dyn Reporter,
    ) -> Result<Report> {
        if walk.is_unreadable("") {
            return Err(Error::CorpusMissing {
                path: self.corpus.clone(),
                reason: "cannot be read".to_string(),
            });
        }
        self.reader
            .reload()
            .map_err(|e| Error::index(&self.handle.dir, e))?;
        let manifest = Manifest::load(&self.reader.searcher())
            .map_err(|e| Error::index(&self.handle.dir, e))?;
        refuse_emptying(&self.corpus, walk, &manifest, options)?;
        let racy_after = read_payload(&self.handle.dir, &self.handle.index)?
            .and_then(|p| p.committed_at)
            .map(|at| at - update::RACY_WINDOW.as_nanos() as i64);
        let checks = update::Checks {
            checksum: options.checksum,
            retry_failed: options.retry_failed,
            racy_after,
        };
        let plan = update::plan(walk, &manifest, checks, &options.extract);
        tracing::debug!(
            added = plan.added.len(),
            suspect = plan.suspect.len(),
            unchanged = plan.unchanged.len(),
            removed = plan.removed.len(),
            "update plan"
        );
        self.updater
            .apply(walk, &manifest, &plan, options, stop, reporter)
    }

    /// Waits for background merges and releases the lock.
    pub fn finish(self) -> Result<()> {
        self.updater.finish()
    }
}

/// A corpus that suddenly holds nothing (an unmounted disk, a wrong path)
/// must not empty the index unless asked to.
fn refuse_emptying(
    corpus: &Path,
    walk: &corpus::Walk,
    manifest: &Manifest,
    options: &Options,
) -> Result<()> {
    if walk.files.is_empty() && !manifest.files.is_empty() && !options.allow_empty {
        return Err(Error::EmptyCorpus {
            path: corpus.to_path_buf(),
            documents: manifest.files.len() as u64,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(memory_mib: usize, threads: usize) -> Options {
        Options {
            memory: memory_mib * MIB,
            threads,
            ..Options::default()
        }
    }

    #[test]
    fn the_writer_gets_the_budget_less_the_reserve_and_the_largest_file() {
        let budget = options(256, 2).budget(0);
        assert_eq!(
            budget,
            Budget {
                threads: 2,
                writer: (256 - RESERVE_MIB) * MIB
            }
        );
        let held = 100 * MIB as u64;
        let budget = options(256, 2).budget(held);
        assert_eq!(budget.writer, (256 - RESERVE_MIB - 100) * MIB);
    }

    #[test]
    fn a_short_budget_means_fewer_threads_then_the_least_buffers() {
        let budget = options(RESERVE_MIB + 50, 8).budget(0);
        assert_eq!(budget.threads, 50 / MIN_MIB_PER_THREAD);
        let squeezed = options(256, 2).budget(230 * MIB as u64);
        assert_eq!(
            squeezed,
            Budget {
                threads: 1,
                writer: MIN_MIB_PER_THREAD * MIB
            }
        );
    }
}
