//! Test-only (declared `#[cfg(test)] mod faults` in `index/mod.rs`): the
//! `unwrap`/`expect` calls below fail the test, never a user's run.
//!
//! Fault injection on the index's storage (reliability.md 5.C C2 and C3,
//! harness 6.2): a [`FaultyDirectory`] wraps tantivy's `MmapDirectory` and
//! fails the Nth call of one operation, or runs out of space after a byte
//! budget. An update run is repeated for N = 1, 2, … (and for budgets 0,
//! 1 KiB, 2 KiB, …) until the fault no longer fires. After every run the
//! index must reopen at a committed state (the one before the run or the
//! one a complete run makes), `verify` must be clean, and a run without
//! faults must converge to the result of an uninterrupted update. A panic
//! or a hang (a run longer than [`RUN_TIMEOUT`]) fails the test.
//!
//! `cargo test --lib faults -- --nocapture` prints, per operation, the
//! calls of a clean run, the runs made and the error variants seen (with
//! the first message of each). What was seen when this was written is in
//! the comments on the two tests.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use tantivy::Directory;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

use super::{Manifest, Options, Reporter, Session};
use crate::error::Error;

/// A faulty run that takes longer than this is taken for a hang.
const RUN_TIMEOUT: Duration = Duration::from_secs(30);
/// Most N tried for one operation.
const MAX_N: u64 = 400;
/// The error `write(2)` gives on a full disk.
const ENOSPC: i32 = 28;

/// The directory operations a fault can be injected into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    OpenWrite,
    /// One `write` on a file opened by `open_write`.
    Write,
    /// `terminate` of such a file (flush and fsync).
    Terminate,
    /// `meta.json` and `.managed.json`.
    AtomicWrite,
    SyncDirectory,
    Delete,
}

const OPS: [Op; 6] = [
    Op::OpenWrite,
    Op::Write,
    Op::Terminate,
    Op::AtomicWrite,
    Op::SyncDirectory,
    Op::Delete,
];

impl Op {
    fn index(self) -> usize {
        self as usize
    }
}

/// What to break, and what happened: shared by every clone of a
/// [`FaultyDirectory`] and by the writers it hands out.
#[derive(Debug, Default)]
struct Plan {
    /// Fail the Nth call (from 1) of this operation.
    fail: Option<(Op, u64)>,
    /// …and every later call of it too.
    sticky: bool,
    /// Bytes that can be written in all (files and atomic writes); past
    /// it, writes fail with ENOSPC.
    budget: Option<u64>,
    /// Calls made, by operation.
    calls: [u64; OPS.len()],
    /// Bytes written.
    written: u64,
    /// Faults injected, with what they hit.
    fired: Vec<String>,
}

type SharedPlan = Arc<Mutex<Plan>>;

fn lock(plan: &SharedPlan) -> MutexGuard<'_, Plan> {
    plan.lock().unwrap_or_else(|e| e.into_inner())
}

impl Plan {
    /// Counts a call of `op` on `path`; fails it when the plan says so.
    fn call(&mut self, op: Op, path: &Path) -> io::Result<()> {
        self.calls[op.index()] += 1;
        let n = self.calls[op.index()];
        match self.fail {
            Some((target, at)) if target == op && (n == at || (self.sticky && n > at)) => {
                let what = format!("{op:?} #{n} on {}", path.display());
                self.fired.push(what.clone());
                Err(io::Error::other(format!("injected fault: {what}")))
            }
            _ => Ok(()),
        }
    }

    /// How many of `wanted` bytes fit in the budget (at least one, or the
    /// disk-full error).
    fn room(&mut self, wanted: usize, path: &Path) -> io::Result<usize> {
        let Some(budget) = self.budget else {
            return Ok(wanted);
        };
        let left = budget.saturating_sub(self.written);
        if wanted == 0 {
            return Ok(0);
        }
        if left == 0 {
            self.fired.push(format!(
                "disk full after {} bytes, writing {}",
                self.written,
                path.display()
            ));
            return Err(io::Error::from_raw_os_error(ENOSPC));
        }
        Ok(wanted.min(usize::try_from(left).unwrap_or(usize::MAX)))
    }
}

/// An `MmapDirectory` that fails what its [`Plan`] says.
#[derive(Clone, Debug)]
struct FaultyDirectory {
    inner: MmapDirectory,
    plan: SharedPlan,
}

impl FaultyDirectory {
    fn open(path: &Path, plan: SharedPlan) -> FaultyDirectory {
        FaultyDirectory {
            inner: MmapDirectory::open(path).expect("open the index directory"),
            plan,
        }
    }
}

impl Directory for FaultyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        lock(&self.plan)
            .call(Op::Delete, path)
            .map_err(|e| DeleteError::IoError {
                io_error: Arc::new(e),
                filepath: path.to_path_buf(),
            })?;
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        lock(&self.plan)
            .call(Op::OpenWrite, path)
            .map_err(|e| OpenWriteError::wrap_io_error(e, path.to_path_buf()))?;
        let writer = self.inner.open_write(path)?;
        // A fresh BufWriter holds nothing: taking it apart flushes nothing.
        let inner = writer
            .into_inner()
            .map_err(|e| OpenWriteError::wrap_io_error(e.into_error(), path.to_path_buf()))?;
        Ok(BufWriter::new(Box::new(FaultyWriter {
            inner,
            plan: self.plan.clone(),
            path: path.to_path_buf(),
        })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        {
            let mut plan = lock(&self.plan);
            plan.call(Op::AtomicWrite, path)?;
            // The temporary file is written whole or not at all.
            if plan.room(data.len(), path)? < data.len() {
                let what = format!(
                    "disk full after {} bytes, atomic write of {}",
                    plan.written,
                    path.display()
                );
                plan.fired.push(what);
                return Err(io::Error::from_raw_os_error(ENOSPC));
            }
            plan.written += data.len() as u64;
        }
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        lock(&self.plan).call(Op::SyncDirectory, Path::new("."))?;
        self.inner.sync_directory()
    }

    // The default is a file-existence lock that a failed delete would leave
    // behind: the real (flock) locks are the inner directory's.
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// A file being written through a [`FaultyDirectory`].
struct FaultyWriter {
    inner: Box<dyn TerminatingWrite + Send + Sync>,
    plan: SharedPlan,
    path: PathBuf,
}

impl Write for FaultyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = {
            let mut plan = lock(&self.plan);
            plan.call(Op::Write, &self.path)?;
            plan.room(buf.len(), &self.path)?
        };
        let n = self.inner.write(&buf[..room])?;
        lock(&self.plan).written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for FaultyWriter {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        lock(&self.plan).call(Op::Terminate, &self.path)?;
        self.inner.terminate_ref(token)
    }
}

/// Collects warnings.
#[derive(Default)]
struct Warnings(Vec<String>);

impl Reporter for Warnings {
    fn warn(&mut self, message: &str) {
        self.0.push(message.to_string());
    }
}

fn options() -> Options {
    Options {
        threads: 1,
        memory: 15 * 1024 * 1024,
        ..Options::default()
    }
}

/// Words no other file uses, so that every file's terms are its own.
fn text(file: &str, version: u32, sentences: usize) -> String {
    const WORDS: [&str; 12] = [
        "granite", "harbour", "lantern", "meadow", "orchard", "quartz", "saddle", "thistle",
        "umber", "valley", "willow", "zephyr",
    ];
    let stem: String = file.chars().filter(char::is_ascii_alphanumeric).collect();
    (0..sentences)
        .map(|s| {
            let words: Vec<String> = (0..9)
                .map(|w| format!("{}{stem}v{version}s{s}", WORDS[(s * 5 + w) % WORDS.len()]))
                .collect();
            format!(
                "The {} near the {}.",
                words[..5].join(" "),
                words[5..].join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Copies the files of an index directory (it has no subdirectory),
/// replacing `to`.
fn copy_dir(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).expect("remove the old copy");
    }
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("list the index") {
        let entry = entry.expect("list the index");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy an index file");
    }
}

/// A corpus indexed once, then changed: the update every run replays.
struct Fixture {
    _tmp: tempfile::TempDir,
    corpus: PathBuf,
    /// Where each run happens (restored from `saved` before each).
    index: PathBuf,
    /// The index before the update.
    saved: PathBuf,
    before: Manifest,
    /// What a complete update makes.
    after: Manifest,
    after_passages: u64,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("temporary directory");
        let corpus = tmp.path().join("corpus");
        let index = tmp.path().join("index");
        let saved = tmp.path().join("saved");
        let reference = tmp.path().join("reference");
        std::fs::create_dir_all(&corpus).expect("corpus directory");
        let name = |i: usize| format!("doc{i:02}.txt");
        for i in 0..12 {
            std::fs::write(corpus.join(name(i)), text(&name(i), 0, 4 + i % 3)).expect("write");
        }
        let options = options();
        let stop = AtomicBool::new(false);
        let mut warnings = Warnings::default();
        super::update(&corpus, &index, &options, &stop, &mut warnings).expect("first index");
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);
        // A second commit, so that the first segment has a `.del` file that
        // the update replaces (and its garbage collection deletes).
        std::fs::write(corpus.join(name(0)), text(&name(0), 2, 5)).expect("modify");
        super::update(&corpus, &index, &options, &stop, &mut warnings).expect("second update");
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);

        // Three modified (longer), two deleted, three added.
        for i in [1, 5, 9] {
            std::fs::write(corpus.join(name(i)), text(&name(i), 1, 6)).expect("modify");
        }
        for i in [3, 7] {
            std::fs::remove_file(corpus.join(name(i))).expect("delete");
        }
        for i in 12..15 {
            std::fs::write(corpus.join(name(i)), text(&name(i), 0, 5)).expect("add");
        }

        // A run that failed part-way through writing its segment, leaving
        // files behind, as a killed run does: the update's garbage
        // collection at the start deletes them.
        let plan = Arc::new(Mutex::new(Plan {
            fail: Some((Op::Terminate, 3)),
            ..Plan::default()
        }));
        let outcome = faulty_run(&index, &corpus, &plan);
        assert!(matches!(outcome, Outcome::Err { .. }), "{outcome:?}");
        assert!(!strays(&index).is_empty(), "no files left behind");
        assert!(
            std::fs::read_dir(&index)
                .expect("list")
                .any(|e| e.expect("list").path().extension() == Some("del".as_ref())),
            "no .del file"
        );
        copy_dir(&index, &saved);
        let before = super::open(&index)
            .and_then(|h| h.manifest())
            .expect("manifest");
        assert_eq!(before.files.len(), 12);

        copy_dir(&saved, &reference);
        let report = super::update(&corpus, &reference, &options, &stop, &mut warnings)
            .expect("reference update");
        assert_eq!(
            (report.added, report.updated, report.removed),
            (3, 3, 2),
            "{report:?}"
        );
        let after = super::open(&reference)
            .and_then(|h| h.manifest())
            .expect("manifest");
        assert_eq!(after.files.len(), 13);
        assert_ne!(before, after);
        let verification = super::verify(&reference).expect("verify");
        assert!(verification.is_clean(), "{:?}", verification.problems);
        Fixture {
            _tmp: tmp,
            corpus,
            index,
            saved,
            after_passages: after.passages(),
            before,
            after,
        }
    }
}

/// How a faulty run ended.
#[derive(Debug)]
enum Outcome {
    Ok,
    /// The error's variant (`Debug` name) and message.
    Err {
        variant: String,
        message: String,
    },
    Panic(String),
    Hang,
}

/// The variant name of an error, from its `Debug` form.
fn variant(e: &Error) -> String {
    let name = |debug: String| {
        debug
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    match e {
        Error::Index { source, .. } => format!("Index/{}", name(format!("{source:?}"))),
        e => name(format!("{e:?}")),
    }
}

/// Opens the index through a [`FaultyDirectory`] with `plan` and runs the
/// update as `watch` and `index` do: a session, one sync, finish. On its
/// own thread, so that a hang is noticed.
fn faulty_run(index_dir: &Path, corpus: &Path, plan: &SharedPlan) -> Outcome {
    let index_dir = index_dir.to_path_buf();
    let corpus = corpus.to_path_buf();
    let plan = plan.clone();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let run = std::panic::catch_unwind(move || -> crate::error::Result<()> {
            let directory = FaultyDirectory::open(&index_dir, plan);
            let index = tantivy::Index::open(directory).map_err(|e| Error::index(&index_dir, e))?;
            let handle = super::from_index(index, &index_dir)?;
            let options = options();
            let mut session = Session::new(handle, &corpus, &options, 0)?;
            session.sync(&options, &AtomicBool::new(false), &mut Warnings::default())?;
            session.finish()
        });
        let outcome = match run {
            Ok(Ok(())) => Outcome::Ok,
            Ok(Err(e)) => Outcome::Err {
                variant: variant(&e),
                message: e.to_string(),
            },
            Err(panic) => Outcome::Panic(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
            ),
        };
        let _ = send.send(outcome);
    });
    receive.recv_timeout(RUN_TIMEOUT).unwrap_or(Outcome::Hang)
}

/// Files in the index directory that are neither tantivy's bookkeeping nor
/// part of a segment of the last commit.
fn strays(dir: &Path) -> Vec<String> {
    let index = tantivy::Index::open_in_dir(dir).expect("open the index");
    let mut used: BTreeSet<String> = ["meta.json", ".managed.json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for segment in index.searchable_segment_metas().expect("segment metas") {
        use tantivy::index::SegmentComponent as C;
        let mut components = vec![
            C::Postings,
            C::Positions,
            C::FastFields,
            C::FieldNorms,
            C::Terms,
            C::Store,
        ];
        if segment.delete_opstamp().is_some() {
            components.push(C::Delete);
        }
        used.extend(
            components
                .into_iter()
                .map(|c| segment.relative_path(c).display().to_string()),
        );
    }
    std::fs::read_dir(dir)
        .expect("list the index")
        .map(|entry| {
            entry
                .expect("list")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !used.contains(name) && !name.starts_with(".tantivy-"))
        .collect()
}

/// The checks after one faulty run (`what` names it in messages).
/// Returns the state the run left: true for the complete update.
fn check_after(fixture: &Fixture, what: &str, outcome: &Outcome) -> bool {
    match outcome {
        Outcome::Panic(message) => panic!("{what}: panicked: {message}"),
        Outcome::Hang => panic!("{what}: no result after {RUN_TIMEOUT:?} (hang)"),
        Outcome::Ok | Outcome::Err { .. } => {}
    }
    // The faulty run's threads and files are gone (its thread returned).
    let handle = super::open(&fixture.index)
        .unwrap_or_else(|e| panic!("{what} ({outcome:?}): the index does not reopen: {e}"));
    let manifest = handle
        .manifest()
        .unwrap_or_else(|e| panic!("{what} ({outcome:?}): no manifest: {e}"));
    drop(handle);
    let verification = super::verify(&fixture.index)
        .unwrap_or_else(|e| panic!("{what} ({outcome:?}): verify fails: {e}"));
    assert!(
        verification.is_clean(),
        "{what} ({outcome:?}): verify finds {:?}",
        verification.problems
    );
    let complete = manifest == fixture.after;
    assert!(
        complete || manifest == fixture.before,
        "{what} ({outcome:?}): the index is neither at the commit before the run nor at the \
         complete update: {} files, {} passages",
        manifest.files.len(),
        manifest.passages()
    );
    if matches!(outcome, Outcome::Ok) {
        assert!(complete, "{what}: succeeded but the update is not complete");
    }

    // A run without faults finishes the job.
    let mut warnings = Warnings::default();
    let report = super::update(
        &fixture.corpus,
        &fixture.index,
        &options(),
        &AtomicBool::new(false),
        &mut warnings,
    )
    .unwrap_or_else(|e| panic!("{what} ({outcome:?}): the rerun fails: {e}"));
    assert!(
        warnings.0.is_empty(),
        "{what}: the rerun warns: {:?}",
        warnings.0
    );
    assert_eq!(
        report.passages, fixture.after_passages,
        "{what}: passages after the rerun"
    );
    let manifest = super::open(&fixture.index)
        .and_then(|h| h.manifest())
        .unwrap_or_else(|e| panic!("{what}: no manifest after the rerun: {e}"));
    assert_eq!(
        manifest.files.keys().collect::<BTreeSet<_>>(),
        fixture.after.files.keys().collect::<BTreeSet<_>>(),
        "{what}: files after the rerun"
    );
    assert!(
        manifest == fixture.after,
        "{what}: the rerun's manifest differs from the reference"
    );
    let verification = super::verify(&fixture.index).expect("verify after the rerun");
    assert!(
        verification.is_clean(),
        "{what}: verify after the rerun finds {:?}",
        verification.problems
    );
    let strays = strays(&fixture.index);
    assert!(
        strays.is_empty(),
        "{what} ({outcome:?}): files left behind after the rerun: {strays:?}"
    );
    complete
}

/// What one sweep saw.
#[derive(Default)]
struct Tally {
    runs: usize,
    /// Error variant → how many runs ended with it, and the first message.
    variants: BTreeMap<String, (usize, String)>,
    /// Failed runs that left the complete update committed.
    committed_anyway: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome, complete: bool) {
        self.runs += 1;
        if let Outcome::Err { variant, message } = outcome {
            self.variants
                .entry(variant.clone())
                .or_insert_with(|| (0, message.clone()))
                .0 += 1;
            if complete {
                self.committed_anyway += 1;
            }
        }
    }
}

/// Runs the update with `plan` from the saved index, and checks it.
fn attempt(fixture: &Fixture, what: &str, plan: Plan) -> (Outcome, Plan, bool) {
    copy_dir(&fixture.saved, &fixture.index);
    let plan = Arc::new(Mutex::new(plan));
    let outcome = faulty_run(&fixture.index, &fixture.corpus, &plan);
    let plan = std::mem::take(&mut *lock(&plan));
    let complete = check_after(fixture, what, &outcome);
    (outcome, plan, complete)
}

// Seen when written (tantivy 0.27.0, debug build). A clean run makes 7
// open_write, 38 write, 7 terminate, 10 atomic_write, 3 sync_directory and
// 7 delete calls. Every failed run ended in an `Err`, never a panic or a
// hang, and left the commit before the run; faults that tantivy swallows
// (the last atomic_write and sync_directory, and every delete: garbage
// collection after the commit, or the one at the start) gave a complete
// update, and the next run's garbage collection removed what was left.
// Variants: open_write → `Index` (OpenWriteError); write → `Index`
// (IoError, or InternalError for a fault in the indexing worker);
// terminate → `Index` (IoError / InternalError); atomic_write → `Index`
// (OpenWriteError: `.managed.json` is rewritten when a file is created, or
// IoError for `meta.json`); sync_directory → `Index` (IoError).
#[test]
#[allow(clippy::print_stderr)]
fn operation_faults_leave_a_committed_index() {
    let started = Instant::now();
    let fixture = Fixture::new();
    // The calls of a clean run, to tell how far N must go.
    let (outcome, clean, _) = attempt(&fixture, "clean run", Plan::default());
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    eprintln!("calls of a clean run: {:?}", clean.calls);
    eprintln!("bytes written by a clean run: {}", clean.written);
    // Every operation failing once; then the ones whose failure tantivy may
    // swallow or retry failing for good (a sticky failed write is the
    // disk-full sweep's business).
    let sticky_ops = [Op::AtomicWrite, Op::SyncDirectory, Op::Delete];
    for (sticky, ops) in [(false, &OPS[..]), (true, &sticky_ops[..])] {
        for &op in ops {
            let mut tally = Tally::default();
            let mut first_success = None;
            let mut n = 1;
            loop {
                assert!(n <= MAX_N, "{op:?}: still failing at N = {MAX_N}");
                let what = format!(
                    "{op:?} call #{n}{} failing",
                    if sticky { " and later" } else { "" }
                );
                let plan = Plan {
                    fail: Some((op, n)),
                    sticky,
                    ..Plan::default()
                };
                let (outcome, plan, complete) = attempt(&fixture, &what, plan);
                tally.add(&outcome, complete);
                if matches!(outcome, Outcome::Ok) {
                    first_success.get_or_insert(n);
                }
                if plan.fired.is_empty() {
                    // N is past the last call: the run must have succeeded.
                    assert!(matches!(outcome, Outcome::Ok), "{what}: {outcome:?}");
                    break;
                }
                n += 1;
            }
            eprintln!(
                "{op:?}{}: {} runs (calls in a clean run {}), first success at N = {:?}, \
                 errors {:#?}, failed runs that committed anyway {}",
                if sticky { " sticky" } else { "" },
                tally.runs,
                clean.calls[op.index()],
                first_success,
                tally.variants,
                tally.committed_anyway,
            );
        }
    }
    eprintln!("operation faults: {:?}", started.elapsed());
}

/// One run of the disk-full sweep; true when the budget was never reached.
fn disk_full_run(fixture: &Fixture, budget: u64, tally: &mut Tally) -> bool {
    let what = format!("disk full after {budget} bytes");
    let plan = Plan {
        budget: Some(budget),
        ..Plan::default()
    };
    let (outcome, plan, complete) = attempt(fixture, &what, plan);
    tally.add(&outcome, complete);
    if let Outcome::Err { variant, message } = &outcome {
        // A full disk is told as such, or at worst as another error about
        // the index (same exit code); never as a damaged index, a busy
        // lock or a corpus problem.
        assert!(
            variant == "DiskFull" || variant.starts_with("Index/") || variant == "Io",
            "{what}: unexpected error {variant}: {message}"
        );
    }
    if plan.fired.is_empty() {
        assert!(matches!(outcome, Outcome::Ok), "{what}: {outcome:?}");
        return true;
    }
    false
}

// Seen when written: a run fits in 32 KiB (it writes about 22 KB); every
// smaller budget ended in an `Err` and left the commit before the run.
// Variants: `DiskFull` (most), but also `Index` with an ENOSPC inside:
// IoError when the error comes wrapped (`Custom { kind: Other, error:
// Io(Os { code: 28 }) }`, apparently from the term dictionary's fst
// writer, so no raw OS error at the top), and OpenWriteError when `.managed.json` cannot be
// rewritten to register a new file. Same exit code, but the message does
// not say "disk full".
#[test]
#[allow(clippy::print_stderr)]
fn disk_full_sweep_leaves_a_committed_index() {
    let started = Instant::now();
    let fixture = Fixture::new();
    let mut tally = Tally::default();
    // Lucene's sweep: 0, 1 KiB, 2 KiB, 4 KiB, … until a run fits.
    let mut budget = 0;
    while !disk_full_run(&fixture, budget, &mut tally) {
        budget = if budget == 0 { 1024 } else { budget * 2 };
        assert!(budget <= 1 << 30, "still failing at {budget} bytes");
    }
    let doubling = tally.runs;
    // Then every KiB below that, to hit every file the run writes.
    let mut finer = 3 * 1024;
    while finer < budget {
        if !finer.is_power_of_two() {
            disk_full_run(&fixture, finer, &mut tally);
        }
        finer += 1024;
    }
    eprintln!(
        "disk full: first success at {budget} bytes after {doubling} runs, {} runs in all, \
         errors {:#?}, failed runs that committed anyway {}",
        tally.runs, tally.variants, tally.committed_anyway
    );
    eprintln!("disk-full sweep: {:?}", started.elapsed());
}
