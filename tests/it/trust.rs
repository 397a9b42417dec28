//! Trust: verify, damaged and read-only indexes, limits, output safety.
//!
//! Scenario IDs (A7, B6, C4, …) are those of section 5 of
//! `reliability.md`; exit codes are quarry's own (`src/error.rs`): 4 for a
//! damaged or incompatible index, 5 for an I/O error on the index.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

use crate::harness::{
    DirSnapshot, Hit, IndexReport, Output, QUARRY, StatusReport, TestEnv, paths, spawn, wait_output,
};

// ---------------------------------------------------------------------------
// Helpers

/// Runs a prepared command to its end (at most two minutes); a death by a
/// signal is reported as code -1 instead of panicking, so that tests can
/// name it.
fn run_limited(cmd: &mut Command) -> Output {
    wait_output(spawn(cmd), Duration::from_secs(120))
}

/// `quarry <command> --corpus … --index <index> <extra>`, run to its end.
fn run_at(env: &TestEnv, command: &str, index: &Path, extra: &[&str]) -> Output {
    run_limited(&mut env.command_at(command, index, extra))
}

/// `quarry verify --index <index> <extra>`.
fn verify_at(env: &TestEnv, index: &Path, extra: &[&str]) -> Output {
    let mut cmd = env.command();
    cmd.arg("verify").arg("--index").arg(index).args(extra);
    run_limited(&mut cmd)
}

/// The report of `verify --format json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyReport {
    r#type: String,
    ok: bool,
    files: usize,
    passages: u64,
    problems: Vec<VerifyProblem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyProblem {
    what: String,
    problem: String,
}

impl VerifyProblem {
    fn mentions(&self, text: &str) -> bool {
        self.what.contains(text) || self.problem.contains(text)
    }
}

fn verify_report(out: &Output) -> VerifyReport {
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one JSON object: {out:#?}");
    let report: VerifyReport = serde_json::from_str(lines[0])
        .unwrap_or_else(|e| panic!("bad verify JSON ({e}): {out:#?}"));
    assert_eq!(report.r#type, "verify", "{out:#?}");
    report
}

/// `verify` exits 0 with a clean report, in both formats.
fn assert_verify_clean(env: &TestEnv, index: &Path, context: &str) {
    let out = verify_at(env, index, &[]);
    assert_no_crash(&out, context);
    assert_eq!(out.code, 0, "{context}: verify: {out:#?}");
    assert!(
        out.stdout.trim_end().ends_with("no problems"),
        "{context}: {out:#?}"
    );
    let out = verify_at(env, index, &["--format", "json"]);
    assert_eq!(out.code, 0, "{context}: verify --format json: {out:#?}");
    let report = verify_report(&out);
    assert!(
        report.ok && report.problems.is_empty(),
        "{context}: {report:?}"
    );
}

/// Neither a panic, nor an abort, nor a death by a signal.
fn assert_no_crash(out: &Output, context: &str) {
    assert!(out.code >= 0, "{context}: killed by a signal: {out:#?}");
    assert_ne!(out.code, 101, "{context}: panicked: {out:#?}");
    for sign in [
        "panicked",
        "stack overflow",
        "RUST_BACKTRACE",
        "fatal runtime error",
    ] {
        assert!(
            !out.stderr.contains(sign),
            "{context}: {sign:?} on stderr: {out:#?}"
        );
    }
}

/// The one `error:` line of a failed run.
fn one_error(out: &Output, context: &str) -> String {
    let errors = out.stderr_lines("error:");
    assert_eq!(errors.len(), 1, "{context}: one error line: {out:#?}");
    errors[0].to_string()
}

/// Exit 4 with one `error:` line saying the index is damaged and how to fix it.
fn assert_reported_damaged(out: &Output, context: &str) {
    assert_no_crash(out, context);
    assert_eq!(
        out.code, 4,
        "{context}: a damaged index is exit 4 (5 is for disk full or not writable): {out:#?}"
    );
    let line = one_error(out, context);
    assert!(line.contains("is damaged ("), "{context}: {line}");
    assert!(line.contains("quarry index --rebuild"), "{context}: {line}");
}

/// Copies the (flat) index directory `from` to `to`.
fn copy_index(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the index dir") {
        let entry = entry.expect("a dir entry");
        if entry.file_type().expect("a file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy an index file");
        }
    }
}

/// The names of the index files ending in `.ext`, sorted.
fn segment_files(index: &Path, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(index)
        .expect("read the index dir")
        .map(|e| {
            e.expect("a dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(&format!(".{ext}")))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no .{ext} file in {}", index.display());
    names
}

/// Inverts the byte at `offset` of `file`.
fn flip_byte(file: &Path, offset: usize) {
    let mut bytes = std::fs::read(file).expect("read an index file");
    bytes[offset] ^= 0xFF;
    std::fs::write(file, bytes).expect("write an index file");
}

/// Three short documents indexed by two threads (two segments).
fn small_index() -> TestEnv {
    let env = TestEnv::new(&[]);
    for i in 1..=3 {
        env.write(
            &format!("f{i}.txt"),
            &format!("Granite quarry number {i} supplied stone. İstanbul café ﬁnance ２０１８\n"),
        );
    }
    env.index_with(&["--threads", "2"]).assert_code(0);
    env
}

/// One damaged copy of an index.
struct Damaged {
    index: PathBuf,
    /// The damaged file's name.
    file: String,
    /// What was done, for messages.
    what: String,
}

/// Copies of the index of `env`, each with one byte flipped in one `.ext`
/// file, at a quarter, half and three quarters of its length.
fn flipped_copies(env: &TestEnv, ext: &str) -> Vec<Damaged> {
    let mut copies = Vec::new();
    for file in segment_files(&env.index_dir(), ext) {
        let len = std::fs::metadata(env.index_dir().join(&file))
            .expect("stat an index file")
            .len() as usize;
        for offset in [len / 4, len / 2, len * 3 / 4] {
            let index = env.root().join(format!("damaged-{}", copies.len()));
            copy_index(&env.index_dir(), &index);
            flip_byte(&index.join(&file), offset);
            copies.push(Damaged {
                index,
                what: format!("byte {offset} of {len} flipped in {file}"),
                file: file.clone(),
            });
        }
    }
    copies
}

/// The hits of `search --format json <query>` on the index at `index`.
fn search_json_at(env: &TestEnv, index: &Path, query: &str) -> Vec<Hit> {
    let out = run_at(env, "search", index, &["--format", "json", query]);
    assert_no_crash(&out, query);
    assert!(out.code == 0 || out.code == 1, "search {query}: {out:#?}");
    out.json().0
}

// ---------------------------------------------------------------------------
// verify on a clean index

#[test]
fn verify_reports_a_clean_index_in_both_formats() {
    let env = TestEnv::new(&[
        ("granite.txt", "Granite quarries supplied the builders."),
        ("notes/marble.md", "# Marble\n\nMarble came by barge."),
        ("slate.txt", "Slate roofs shed the rain."),
    ]);
    env.index();
    let out = verify_at(&env, &env.index_dir(), &[]);
    out.assert_code(0);
    assert_eq!(
        out.stdout, "3 files, 3 passages checked; no problems\n",
        "{out:#?}"
    );
    assert!(out.stdout.trim_end().ends_with("no problems"));
    let out = verify_at(&env, &env.index_dir(), &["--format", "json"]);
    out.assert_code(0);
    let report = verify_report(&out);
    assert!(report.ok, "{report:?}");
    assert_eq!((report.files, report.passages), (3, 3), "{report:?}");
    assert!(report.problems.is_empty(), "{report:?}");
}

// ---------------------------------------------------------------------------
// C7, C8: a flipped byte in each kind of segment file

/// C7: `verify` exits 4 and names the damaged file.
fn verify_names_a_flipped_file(ext: &str) {
    let env = small_index();
    for d in flipped_copies(&env, ext) {
        let out = verify_at(&env, &d.index, &[]);
        assert_no_crash(&out, &d.what);
        assert_eq!(out.code, 4, "{}: {out:#?}", d.what);
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with("damaged: ") && l.contains(&d.file)),
            "{}: no damaged: line names the file: {out:#?}",
            d.what
        );
        assert!(
            out.stdout
                .trim_end()
                .ends_with("run 'quarry index --rebuild'"),
            "{}: {out:#?}",
            d.what
        );
        let out = verify_at(&env, &d.index, &["--format", "json"]);
        assert_no_crash(&out, &d.what);
        assert_eq!(out.code, 4, "{}: {out:#?}", d.what);
        let report = verify_report(&out);
        assert!(!report.ok, "{}: {report:?}", d.what);
        assert!(
            report.problems.iter().any(|p| p.mentions(&d.file)),
            "{}: {report:?}",
            d.what
        );
    }
}

/// C7: `search`, `status` and `index` either work or say the index is
/// damaged (exit 4); never a panic, never exit 5 (which means disk full or
/// not writable).
fn commands_on_a_flipped_file(ext: &str) {
    let env = small_index();
    for d in flipped_copies(&env, ext) {
        let what = format!("search on an index with {}", d.what);
        let out = run_at(&env, "search", &d.index, &["--color", "never", "granite"]);
        assert_no_crash(&out, &what);
        if out.code != 0 && out.code != 1 {
            assert_reported_damaged(&out, &what);
        }
        for command in ["status", "index"] {
            let what = format!("{command} on an index with {}", d.what);
            let out = run_at(&env, command, &d.index, &[]);
            assert_no_crash(&out, &what);
            if out.code != 0 {
                assert_reported_damaged(&out, &what);
            }
        }
    }
}

/// C8: `index --rebuild` replaces the damaged index with a clean one.
fn rebuild_repairs_a_flipped_file(ext: &str) {
    let env = small_index();
    for d in flipped_copies(&env, ext) {
        let what = format!("index --rebuild on an index with {}", d.what);
        let out = run_at(&env, "index", &d.index, &["--rebuild"]);
        assert_no_crash(&out, &what);
        assert_eq!(out.code, 0, "{what}: {out:#?}");
        assert_verify_clean(&env, &d.index, &what);
        assert_eq!(search_json_at(&env, &d.index, "granite").len(), 3, "{what}");
    }
}

macro_rules! flipped_byte_tests {
    ($($ext:ident),* $(,)?) => {$(
        /// One byte flipped in a segment file of this kind.
        mod $ext {
            #[test]
            fn verify_names_the_damaged_file() {
                super::verify_names_a_flipped_file(stringify!($ext));
            }

            #[test]
            fn search_status_and_index_report_it_as_damaged_and_never_panic() {
                super::commands_on_a_flipped_file(stringify!($ext));
            }

            #[test]
            fn index_rebuild_repairs_it() {
                super::rebuild_repairs_a_flipped_file(stringify!($ext));
            }
        }
    )*};
}

flipped_byte_tests!(term, idx, pos, store, fast, fieldnorm);

// ---------------------------------------------------------------------------
// C7, C8: missing, truncated and garbage files

#[test]
fn a_deleted_segment_file_is_reported_as_damaged_and_rebuild_repairs_it() {
    let env = small_index();
    for ext in ["term", "idx", "pos", "store", "fast", "fieldnorm"] {
        let file = &segment_files(&env.index_dir(), ext)[0];
        let index = env.root().join(format!("missing-{ext}"));
        copy_index(&env.index_dir(), &index);
        std::fs::remove_file(index.join(file)).expect("delete a segment file");
        let what = format!("search with {file} deleted");
        let out = run_at(&env, "search", &index, &["granite"]);
        assert_reported_damaged(&out, &what);
        let out = verify_at(&env, &index, &[]);
        assert_no_crash(&out, &what);
        assert_eq!(out.code, 4, "verify with {file} deleted: {out:#?}");
        let out = run_at(&env, "index", &index, &["--rebuild"]);
        assert_no_crash(&out, &what);
        assert_eq!(out.code, 0, "index --rebuild with {file} deleted: {out:#?}");
        assert_verify_clean(&env, &index, &what);
        assert_eq!(search_json_at(&env, &index, "granite").len(), 3, "{what}");
    }
}

#[test]
fn a_truncated_segment_file_is_reported_as_damaged_not_as_an_io_error() {
    let env = small_index();
    for ext in ["term", "idx", "pos", "store", "fast", "fieldnorm"] {
        let file = &segment_files(&env.index_dir(), ext)[0];
        let index = env.root().join(format!("truncated-{ext}"));
        copy_index(&env.index_dir(), &index);
        let path = index.join(file);
        let len = std::fs::metadata(&path).expect("stat").len();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_len(len / 2))
            .expect("truncate a segment file");
        let what = format!("{file} truncated to half");
        let out = verify_at(&env, &index, &[]);
        assert_no_crash(&out, &what);
        assert_eq!(out.code, 4, "verify, {what}: {out:#?}");
        assert!(out.stdout.contains(file.as_str()), "{what}: {out:#?}");
        let out = run_at(&env, "search", &index, &["granite"]);
        assert_no_crash(&out, &what);
        if out.code != 0 && out.code != 1 {
            assert_reported_damaged(&out, &format!("search, {what}"));
        }
        let out = run_at(&env, "index", &index, &["--rebuild"]);
        assert_no_crash(&out, &what);
        assert_eq!(out.code, 0, "index --rebuild, {what}: {out:#?}");
        assert_verify_clean(&env, &index, &what);
    }
}

#[test]
fn garbage_in_meta_json_is_damaged_for_verify_and_search() {
    let env = small_index();
    std::fs::write(env.index_dir().join("meta.json"), "garbage {{ not json\n")
        .expect("write meta.json");
    let out = verify_at(&env, &env.index_dir(), &[]);
    assert_no_crash(&out, "verify");
    assert_eq!(out.code, 4, "{out:#?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("damaged: meta.json")),
        "{out:#?}"
    );
    let out = verify_at(&env, &env.index_dir(), &["--format", "json"]);
    assert_eq!(out.code, 4, "{out:#?}");
    let report = verify_report(&out);
    assert!(!report.ok && report.problems.iter().any(|p| p.mentions("meta.json")));

    let out = env.search(&["granite"]);
    assert_no_crash(&out, "search");
    assert_eq!(out.code, 4, "{out:#?}");
    let line = one_error(&out, "search");
    assert!(
        line.contains("damaged") || line.contains("another version"),
        "{line}"
    );
    assert!(line.contains("quarry index --rebuild"), "{line}");
}

/// C8: the fix every damaged-index message suggests must work.
fn rebuild_repairs_a_garbage_file(name: &str) {
    let env = small_index();
    std::fs::write(env.index_dir().join(name), "garbage {{ not json\n").expect("write garbage");
    let out = env.search(&["granite"]);
    assert_eq!(out.code, 4, "{out:#?}");
    assert!(
        one_error(&out, "search").contains("quarry index --rebuild"),
        "{out:#?}"
    );
    let out = env.index_with(&["--rebuild"]);
    assert_no_crash(&out, "index --rebuild");
    assert_eq!(
        out.code, 0,
        "index --rebuild on an index with garbage in {name}: {out:#?}"
    );
    assert_verify_clean(&env, &env.index_dir(), name);
    let (hits, _) = env.search_json(&["granite"]);
    assert_eq!(hits.len(), 3, "{hits:?}");
}

#[test]
fn index_rebuild_repairs_garbage_in_meta_json() {
    rebuild_repairs_a_garbage_file("meta.json");
}

#[test]
fn index_rebuild_repairs_garbage_in_managed_json() {
    rebuild_repairs_a_garbage_file(".managed.json");
}

// ---------------------------------------------------------------------------
// A14: an index of another schema version

/// Sets `schema_version` in the commit payload (JSON in a JSON string).
fn set_schema_version(index: &Path, version: u64) {
    let path = index.join("meta.json");
    let text = std::fs::read_to_string(&path).expect("read meta.json");
    let mut meta: serde_json::Value = serde_json::from_str(&text).expect("meta.json is JSON");
    let payload = meta["payload"].as_str().expect("a payload string");
    let mut payload: serde_json::Value = serde_json::from_str(payload).expect("payload JSON");
    assert!(payload["schema_version"].is_u64(), "{payload}");
    payload["schema_version"] = version.into();
    meta["payload"] = serde_json::Value::String(payload.to_string());
    std::fs::write(&path, serde_json::to_string_pretty(&meta).expect("JSON")).expect("write");
}

#[test]
fn an_index_of_another_schema_version_is_refused_by_search_and_rebuilt_by_index() {
    let env = small_index();
    set_schema_version(&env.index_dir(), 1);

    let out = env.search(&["granite"]);
    assert_no_crash(&out, "search");
    assert_eq!(out.code, 4, "{out:#?}");
    let line = one_error(&out, "search");
    assert!(line.contains("another version of quarry"), "{line}");
    assert!(line.contains("--rebuild"), "{line}");
    let out = verify_at(&env, &env.index_dir(), &[]);
    assert_eq!(out.code, 4, "{out:#?}");

    let out = env.index_with(&["--format", "json"]);
    out.assert_code(0);
    let warnings = out.stderr_lines("warning:");
    assert!(
        warnings.iter().any(|w| w.contains("rebuilding")),
        "{out:#?}"
    );
    let report = out.index_report();
    assert!(report.rebuilt, "{report:?}");
    assert_eq!((report.added, report.passages), (3, 3), "{report:?}");
    let (hits, _) = env.search_json(&["granite"]);
    assert_eq!(hits.len(), 3);
    assert_verify_clean(&env, &env.index_dir(), "after the automatic rebuild");
}

// ---------------------------------------------------------------------------
// C4, C5: a read-only index (needs root to switch to `nobody`)

/// A command that runs quarry as `nobody` through setpriv, or `None` (with
/// a note) when this process cannot switch users.
#[allow(clippy::print_stderr)]
fn as_nobody() -> Option<Command> {
    let uid = std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid());
    let prefix = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"];
    let works = uid == 0
        && Command::new("setpriv")
            .args(prefix)
            .arg("true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !works {
        eprintln!("skipped: needs root and setpriv to run quarry as nobody");
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(prefix)
        .arg(QUARRY)
        .current_dir("/")
        .env_remove("QUARRY_CORPUS")
        .env_remove("QUARRY_INDEX")
        .env_remove("NO_COLOR");
    Some(cmd)
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Makes the corpus readable by everyone and copies the index to a folder
/// nobody but root can write; returns the copy.
fn read_only_index(env: &TestEnv) -> PathBuf {
    chmod(env.root(), 0o755);
    for entry in walkdir::WalkDir::new(env.corpus()) {
        let entry = entry.expect("walk the corpus");
        chmod(
            entry.path(),
            if entry.file_type().is_dir() {
                0o755
            } else {
                0o644
            },
        );
    }
    let copy = env.root().join("read-only-index");
    copy_index(&env.index_dir(), &copy);
    for entry in std::fs::read_dir(&copy).expect("read the copy") {
        chmod(&entry.expect("a dir entry").path(), 0o444);
    }
    chmod(&copy, 0o555);
    copy
}

fn read_only_env() -> TestEnv {
    let env = TestEnv::new(&[
        (
            "granite.txt",
            "Granite quarries supplied the cathedral builders.",
        ),
        ("slate.txt", "Slate roofs shed the winter rain."),
    ]);
    env.index();
    env
}

#[test]
fn a_read_only_index_can_be_searched_but_index_fails_with_exit_5() {
    let env = read_only_env();
    let Some(mut nobody) = as_nobody() else {
        return;
    };
    let index = read_only_index(&env);
    let before = DirSnapshot::of(&index);

    // C4: searching needs no write.
    let out = run_limited(nobody.arg("search").args(env.paths_to(&index)).args([
        "--format",
        "json",
        "cathedral",
    ]));
    assert_no_crash(&out, "search as nobody");
    assert_eq!(out.code, 0, "search as nobody: {out:#?}");
    let (hits, _) = out.json();
    assert_eq!(paths(&hits), ["granite.txt"]);
    assert!(out.stderr_lines("error:").is_empty(), "{out:#?}");

    // C5: updating it is an I/O error on the index, named as such.
    env.write("basalt.txt", "Basalt columns line the shore.");
    chmod(&env.corpus().join("basalt.txt"), 0o644);
    let mut nobody = as_nobody().expect("checked above");
    let out = run_limited(nobody.arg("index").args(env.paths_to(&index)));
    assert_no_crash(&out, "index as nobody");
    assert_eq!(out.code, 5, "index as nobody: {out:#?}");
    let line = one_error(&out, "index as nobody");
    assert!(line.contains("not writable"), "{line}");
    assert!(
        !out.stderr.contains("IndexWriter"),
        "tantivy's lock hint is misleading here: {out:#?}"
    );
    assert_eq!(DirSnapshot::of(&index), before, "the index was written");
}

#[test]
fn verify_works_on_a_read_only_index() {
    let env = read_only_env();
    let Some(mut nobody) = as_nobody() else {
        return;
    };
    let index = read_only_index(&env);
    let out = run_limited(nobody.arg("verify").arg("--index").arg(&index));
    assert_no_crash(&out, "verify as nobody");
    assert_eq!(
        out.code, 0,
        "verify only reads: an intact read-only index is clean: {out:#?}"
    );
    assert_eq!(
        out.stdout, "2 files, 2 passages checked; no problems\n",
        "{out:#?}"
    );
}

#[test]
fn status_works_on_a_read_only_index() {
    let env = read_only_env();
    let Some(mut nobody) = as_nobody() else {
        return;
    };
    let index = read_only_index(&env);
    let out = run_limited(
        nobody
            .arg("status")
            .args(env.paths_to(&index))
            .args(["--format", "json"]),
    );
    assert_no_crash(&out, "status as nobody");
    assert_eq!(
        out.code, 0,
        "status changes nothing, so it needs no write access: {out:#?}"
    );
    let report: StatusReport = serde_json::from_str(out.stdout.trim_end())
        .unwrap_or_else(|e| panic!("bad status JSON ({e}): {out:#?}"));
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.unchanged, 2, "{report:?}");
}

// ---------------------------------------------------------------------------
// E1-E4: query limits and garbage queries

fn query_env() -> TestEnv {
    let env = TestEnv::new(&[
        ("granite.txt", "Granite and marble from the old quarry."),
        ("slate.txt", "Slate roofs shed the winter rain."),
    ]);
    env.index();
    env
}

/// Searches `query` (after `--`), at most 30 s, never a crash.
fn search_query(env: &TestEnv, query: &str) -> Output {
    let mut cmd = env.search_command(&["--", query]);
    let out = wait_output(spawn(&mut cmd), Duration::from_secs(30));
    assert_no_crash(&out, &format!("query {query:?}"));
    out
}

/// Exit 2 with one error line that contains `needle`.
fn assert_refused(out: &Output, needle: &str, context: &str) {
    assert_eq!(out.code, 2, "{context}: {out:#?}");
    let line = one_error(out, context);
    assert!(
        line.contains(needle),
        "{context}: {line:?} lacks {needle:?}"
    );
}

fn nested(depth: usize, word: &str, closed: bool) -> String {
    let close = if closed {
        ")".repeat(depth)
    } else {
        String::new()
    };
    format!("{}{word}{close}", "(".repeat(depth))
}

#[test]
fn a_query_longer_than_4096_bytes_is_refused_naming_the_limit() {
    let env = query_env();
    let at_limit = format!("granite{}", " ".repeat(4096 - 7));
    assert_eq!(at_limit.len(), 4096);
    search_query(&env, &at_limit).assert_code(0);
    let over = format!("{at_limit} ");
    assert_refused(&search_query(&env, &over), "4096", "4097 bytes");
    let words = "granite ".repeat(600);
    assert_refused(&search_query(&env, &words), "4096", "600 words");
}

#[test]
fn parentheses_nested_deeper_than_32_are_refused_naming_the_limit() {
    let env = query_env();
    search_query(&env, &nested(32, "granite", true)).assert_code(0);
    assert_refused(
        &search_query(&env, &nested(33, "granite", true)),
        "32",
        "33 levels",
    );
    // 2000 levels fit in 4096 bytes: the depth limit answers.
    let deep = nested(2000, "granite", true);
    assert!(deep.len() <= 4096);
    assert_refused(&search_query(&env, &deep), "32", "2000 levels");
    // 100,000 levels (one argument of 100 kB): the length limit answers
    // first, before any parser recursion.
    let deeper = nested(100_000, "granite", false);
    assert_refused(&search_query(&env, &deeper), "4096", "100,000 levels");
}

#[test]
fn an_escaped_quote_does_not_switch_off_the_depth_limit() {
    let env = query_env();
    // `\"` is an escaped quote inside a word for tantivy's grammar, not
    // the start of a phrase, so the parentheses after it are parsed.
    let shallow = format!("granite\\\" {}", nested(40, "marble", true));
    let out = search_query(&env, &shallow);
    assert_refused(&out, "32", "40 levels after an escaped quote");
}

#[test]
fn deep_nesting_after_an_escaped_quote_never_crashes() {
    let env = query_env();
    // 2000 levels fit in 4096 bytes; the parser recurses once per level.
    let deep = format!("granite\\\" {}", nested(2000, "marble", true));
    assert!(deep.len() <= 4096);
    let out = search_query(&env, &deep);
    assert_refused(&out, "32", "2000 levels after an escaped quote");
}

#[test]
fn more_than_64_terms_are_refused_naming_the_limit() {
    let env = query_env();
    let words = |n: usize| {
        (0..n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let out = search_query(&env, &words(64));
    assert!(out.code == 0 || out.code == 1, "64 terms: {out:#?}");
    assert_refused(&search_query(&env, &words(65)), "64", "65 terms");
    // Phrase words count too.
    let phrase = format!(
        "\"{}\"",
        (0..65)
            .map(|i| format!("p{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert_refused(&search_query(&env, &phrase), "64", "a 65-word phrase");
}

#[test]
fn a_phrase_slop_over_100_is_refused() {
    let env = query_env();
    search_query(&env, "\"granite marble\"~100").assert_code(0);
    assert_refused(&search_query(&env, "\"a b\"~101"), "100", "slop 101");
    assert_refused(
        &search_query(&env, "\"a b\"~4294967295"),
        "100",
        "slop 2^32-1",
    );
}

#[test]
fn garbage_queries_end_with_at_most_one_error_line_and_never_crash() {
    let env = query_env();
    let queries = [
        "- *",
        "a:(^",
        "hello^1e308",
        "hello^NaN",
        "hello^-1",
        "\"a b\"~99999999999999999999",
        "\"a b\"~-1",
        "*",
        "**",
        "\u{1}",
        "\u{7f}",
        "\u{b}\u{c}",
        "\u{1b}[2J granite",
        "((",
        "))",
        "\"",
        "granite\\",
        "title:",
        ":",
        "^",
        "~",
        "NOT",
        "AND OR",
        "date:[2018 TO",
        "body:[a TO z]",
        "/.*/",
        "granite IN [a b]",
    ];
    // A NUL cannot be passed in an argument at all (execve refuses it).
    for query in queries {
        let out = search_query(&env, query);
        assert!(
            matches!(out.code, 0..=2),
            "query {query:?}: exit {}: {out:#?}",
            out.code
        );
        let errors = out.stderr_lines("error:");
        assert!(errors.len() <= 1, "query {query:?}: {out:#?}");
        if out.code == 2 {
            assert_eq!(errors.len(), 1, "query {query:?}: {out:#?}");
        }
        assert!(
            !out.stderr.chars().any(|c| c.is_control() && c != '\n'),
            "query {query:?}: raw control char on stderr: {:?}",
            out.stderr
        );
    }
}

#[test]
fn a_boost_too_large_for_a_float_never_gives_a_null_score() {
    let env = query_env();
    // Parsed as an f64 boost, then narrowed to f32: infinity.
    let query = format!("granite^{}", "3".repeat(40));
    let out = search_query(&env, &query);
    if out.code == 2 {
        one_error(&out, &query);
        return;
    }
    assert_eq!(out.code, 0, "{out:#?}");
    let out = run_limited(&mut env.search_command(&["--format", "json", "--", &query]));
    for hit in out.hit_objects() {
        let score = &hit["score"];
        assert!(
            score.as_f64().is_some_and(f64::is_finite),
            "score must be a finite number, got {score}: {}",
            out.stdout
        );
    }
}

// ---------------------------------------------------------------------------
// E9: Unicode (one test per case); highlights cover the original bytes

/// Searches `query` in a one-document corpus holding `text` and returns
/// what the one hit highlights.
fn marked_words(text: &str, query: &str) -> Vec<String> {
    let env = TestEnv::new(&[("doc.txt", text)]);
    let (hits, _) = env.search_json(&[query]);
    assert_eq!(paths(&hits), ["doc.txt"], "query {query:?} on {text:?}");
    hits[0].marked().into_iter().map(str::to_string).collect()
}

#[test]
fn istanbul_finds_a_dotted_capital_i() {
    let text = "The city of \u{130}stanbul straddles two continents.";
    for query in ["istanbul", "ISTANBUL", "\u{130}stanbul"] {
        assert_eq!(marked_words(text, query), ["\u{130}stanbul"], "{query}");
    }
}

#[test]
fn a_composed_accent_finds_a_decomposed_one() {
    let text = "A chocolate e\u{301}clair from the bakery.";
    assert_eq!(marked_words(text, "\u{e9}clair"), ["e\u{301}clair"]);
}

#[test]
fn a_decomposed_accent_finds_a_composed_one() {
    let text = "A lemon \u{e9}clair at the cafe.";
    assert_eq!(marked_words(text, "e\u{301}clair"), ["\u{e9}clair"]);
}

#[test]
fn ascii_digits_find_full_width_digits() {
    let text = "Revenue in \u{ff12}\u{ff10}\u{ff11}\u{ff18} rose sharply.";
    assert_eq!(
        marked_words(text, "2018"),
        ["\u{ff12}\u{ff10}\u{ff11}\u{ff18}"]
    );
    let text = "Revenue in 2018 rose sharply.";
    assert_eq!(
        marked_words(text, "\u{ff12}\u{ff10}\u{ff11}\u{ff18}"),
        ["2018"]
    );
}

#[test]
fn a_plain_word_finds_its_ligature_spelling() {
    let text = "Corporate \u{fb01}nance and banking.";
    assert_eq!(marked_words(text, "finance"), ["\u{fb01}nance"]);
    let text = "Corporate finance and banking.";
    assert_eq!(marked_words(text, "\u{fb01}nance"), ["finance"]);
}

#[test]
fn a_final_sigma_matches_a_capital_sigma() {
    let text = "The myth of \u{3a3}\u{38a}\u{3a3}\u{3a5}\u{3a6}\u{39f}\u{3a3} endures.";
    assert_eq!(
        marked_words(text, "\u{3c3}\u{3af}\u{3c3}\u{3c5}\u{3c6}\u{3bf}\u{3c2}"),
        ["\u{3a3}\u{38a}\u{3a3}\u{3a5}\u{3a6}\u{39f}\u{3a3}"]
    );
}

// ---------------------------------------------------------------------------
// E11-E13: output safety

/// 400 documents of about 60 words, each with "basalt", indexed.
fn many_documents() -> TestEnv {
    let env = TestEnv::new(&[]);
    for i in 0..400 {
        env.write(
            &format!("site-{i:03}.txt"),
            &format!(
                "Report {i}: the basalt columns of site {i} were measured by the survey team, \
                 who noted the basalt colour, the height of each column, the cracks left by \
                 frost, and the moss that grows on the northern faces of the basalt where the \
                 wind from the sea keeps the stone damp through most of the year, number {i}."
            ),
        );
    }
    env.index();
    env
}

#[test]
fn search_piped_to_head_ends_quietly() {
    let env = many_documents();
    for format in ["human", "json"] {
        let mut child = env
            .search_command(&["--format", format, "--limit", "1000", "basalt"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn quarry");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut first)
            .expect("read a line");
        assert!(!first.is_empty(), "--format {format}: no output");
        // The reader is dropped: the pipe is closed.
        let out = child.wait_with_output().expect("wait for quarry");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "--format {format}: exit {code:?}: {stderr}"
        );
        assert!(!stderr.contains("error:"), "--format {format}: {stderr}");
        assert!(!stderr.contains("panicked"), "--format {format}: {stderr}");
    }
}

#[test]
fn output_to_a_full_disk_is_exit_2_with_one_error_line() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let env = many_documents();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full")
    };
    let mut runs: Vec<(String, Command)> = Vec::new();
    for format in ["human", "json"] {
        let mut cmd = env.search_command(&["--format", format, "basalt"]);
        cmd.stdout(full());
        runs.push((format!("search --format {format}"), cmd));
    }
    let mut cmd = env.command();
    cmd.arg("verify")
        .arg("--index")
        .arg(env.index_dir())
        .stdout(full());
    runs.push(("verify".to_string(), cmd));
    let mut cmd = env.command_at("status", &env.index_dir(), &[]);
    cmd.stdout(full());
    runs.push(("status".to_string(), cmd));
    for (what, mut cmd) in runs {
        let out = crate::harness::run(cmd.stdin(Stdio::null()).stderr(Stdio::piped()));
        assert_no_crash(&out, &what);
        assert_eq!(out.code, 2, "{what} > /dev/full: {out:#?}");
        let line = one_error(&out, &what);
        assert!(line.contains("cannot write output"), "{what}: {line}");
    }
}

#[test]
fn escapes_bells_and_bidi_overrides_in_text_and_names_never_reach_the_terminal() {
    let env = TestEnv::new(&[
        (
            "bell\u{7}\u{202E}gpj.txt",
            "Alarm \u{1b}[31mZQXA bells \u{7} ring \u{202E}desrever in the bravo tower.",
        ),
        (
            "red\u{1b}[31mZQXN.txt",
            "The bravo squad heard bells \u{1b}]0;title\u{7} at dawn.",
        ),
    ]);
    // status lists the names before anything is indexed.
    let out = env.status(&[]);
    out.assert_code(0);
    assert_terminal_safe(&out.stdout, "status");
    env.index();
    for color in ["never", "always"] {
        let out = env.search(&["--color", color, "bells"]);
        out.assert_code(0);
        let what = format!("search --color {color}");
        assert_eq!(
            out.stdout.matches(" — ").count(),
            2,
            "{what}: {:?}",
            out.stdout
        );
        assert_terminal_safe(&out.stdout, &what);
        assert_terminal_safe(&out.stderr, &what);
        if color == "never" {
            assert!(!out.stdout.contains('\u{1b}'), "{what}: {:?}", out.stdout);
        }
    }
}

/// No bell, no bidi override, no escape but quarry's own colour codes.
fn assert_terminal_safe(shown: &str, context: &str) {
    assert!(!shown.contains('\u{7}'), "{context}: BEL in {shown:?}");
    assert!(
        !shown.contains('\u{202E}'),
        "{context}: U+202E in {shown:?}"
    );
    // The documents' escapes are shown defused, as U+FFFD.
    for marker in ["[31mZQXA", "[31mZQXN"] {
        assert_eq!(
            shown.matches(marker).count(),
            shown.matches(&format!("\u{FFFD}{marker}")).count(),
            "{context}: raw escape before {marker} in {shown:?}"
        );
    }
    // Every escape left is a colour code (SGR): ESC [ digits/; m.
    for (i, _) in shown.match_indices('\u{1b}') {
        let rest = &shown[i + 1..];
        let sgr = rest.strip_prefix('[').is_some_and(|r| {
            let end = r.find(|c: char| !(c.is_ascii_digit() || c == ';'));
            end.is_some_and(|e| r[e..].starts_with('m'))
        });
        assert!(sgr, "{context}: a non-colour escape in {shown:?}");
    }
}

// ---------------------------------------------------------------------------
// F1-F3: --threads and --memory

#[test]
fn threads_outside_1_to_8_are_refused_before_anything_is_written() {
    let env = TestEnv::new(&[("granite.txt", "Granite quarries.")]);
    for threads in ["9", "0", "64"] {
        let out = env.index_with(&["--threads", threads]);
        assert_eq!(out.code, 2, "--threads {threads}: {out:#?}");
        let line = one_error(&out, threads);
        assert!(line.starts_with("error: invalid --threads"), "{line}");
        assert!(line.contains(threads), "{line}");
        assert!(
            !env.index_dir().exists(),
            "--threads {threads} wrote an index"
        );
    }
}

#[test]
fn memory_outside_15_to_4095_mib_per_thread_is_refused() {
    let env = TestEnv::new(&[("granite.txt", "Granite quarries.")]);
    for args in [
        ["--memory", "10", "--threads", "1"],
        ["--memory", "29", "--threads", "2"],
        ["--memory", "70", "--threads", "2"],
        ["--memory", "4096", "--threads", "1"],
    ] {
        let out = env.index_with(&args);
        assert_eq!(out.code, 2, "{args:?}: {out:#?}");
        let line = one_error(&out, "--memory");
        assert!(line.starts_with("error: invalid --memory"), "{line}");
        assert!(line.contains(args[1]) && line.contains("15"), "{line}");
        assert!(!env.index_dir().exists(), "{args:?} wrote an index");
    }
}

#[test]
fn one_thread_with_the_least_memory_indexes() {
    // 15 MiB of indexing buffers for the thread, and the reserve for reading.
    let least = (15 + quarry::index::RESERVE_MIB).to_string();
    let env = TestEnv::new(&[("granite.txt", "Granite quarries.")]);
    let out = env.index_with(&["--threads", "1", "--memory", &least, "--format", "json"]);
    out.assert_code(0);
    assert_eq!(out.index_report().added, 1);
    let (hits, _) = env.search_json(&["granite"]);
    assert_eq!(paths(&hits), ["granite.txt"]);
}

// ---------------------------------------------------------------------------
// D8, D9: resources

/// A tiny deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn a_20_mb_text_file_is_indexed_as_many_bounded_passages() {
    const SIZE: usize = 20 * 1024 * 1024;
    let words = [
        "granite", "marble", "slate", "basalt", "quartz", "shale", "flint", "river", "mill",
        "bridge", "harvest", "wagon", "lantern", "survey", "stone", "column", "the", "of", "and",
    ];
    let mut rng = Lcg(7);
    let mut text = String::with_capacity(SIZE + 200);
    let mut sentences = 0;
    while text.len() < SIZE {
        let n = 6 + rng.below(14) as usize;
        for i in 0..n {
            let word = words[rng.below(words.len() as u64) as usize];
            if i == 0 {
                text.push_str(&word[..1].to_uppercase());
                text.push_str(&word[1..]);
            } else {
                text.push(' ');
                text.push_str(word);
            }
        }
        text.push_str(". ");
        sentences += 1;
        if sentences % 40 == 0 {
            text.push_str("\n\n");
        }
    }
    text.push_str("The obsidianq mirror ends the book.\n");
    let env = TestEnv::new(&[("big.txt", &text)]);
    let out = env.index_within(&["--format", "json"], Duration::from_secs(600));
    assert_no_crash(&out, "index of a 20 MB file");
    out.assert_code(0);
    let report = out.index_report();
    assert_eq!((report.added, report.unreadable), (1, 0), "{report:?}");
    assert!(report.passages > 1000, "{report:?}");
    assert_verify_clean(&env, &env.index_dir(), "20 MB file");
    let (hits, _) = env.search_json(&["obsidianq"]);
    assert_eq!(paths(&hits), ["big.txt"]);
    let hit = &hits[0];
    assert!(
        hit.end - hit.start < 64 * 1024,
        "an unbounded passage: {hit:?}"
    );
    assert_eq!(hit.marked(), ["obsidianq"]);
    assert_eq!(hit.passage + 1, report.passages, "the last passage");
}

#[test]
fn a_5_mb_word_without_whitespace_is_indexed_harmlessly() {
    let env = TestEnv::new(&[
        ("word.txt", &"x".repeat(5 * 1024 * 1024)),
        ("granite.txt", "Granite quarries supplied the builders."),
    ]);
    let out = env.index_within(&["--format", "json"], Duration::from_secs(300));
    assert_no_crash(&out, "index of a 5 MB word");
    out.assert_code(0);
    let report = out.index_report();
    assert_eq!((report.added, report.unreadable), (2, 0), "{report:?}");
    assert!(out.stderr_lines("error:").is_empty(), "{out:#?}");
    assert_verify_clean(&env, &env.index_dir(), "5 MB word");
    let (hits, _) = env.search_json(&["granite"]);
    assert_eq!(paths(&hits), ["granite.txt"]);
    let out = env.search(&["xxxx"]);
    assert!(out.code == 0 || out.code == 1, "{out:#?}");
}

// ---------------------------------------------------------------------------
// B6: concurrent searches

#[test]
fn two_searches_at_once_give_identical_output() {
    let env = many_documents();
    for (round, args) in [
        &["--limit", "50", "basalt"][..],
        &["--format", "json", "--limit", "50", "basalt column"],
        &["--format", "json", "--any", "frost moss"],
        &["--limit", "1000", "\"basalt colour\""],
    ]
    .into_iter()
    .enumerate()
    {
        let a = spawn(&mut env.search_command(args));
        let b = spawn(&mut env.search_command(args));
        let (a, b) = (
            wait_output(a, Duration::from_secs(60)),
            wait_output(b, Duration::from_secs(60)),
        );
        a.assert_code(0);
        b.assert_code(0);
        if args.contains(&"json") {
            // Only the summary's elapsed_ms may differ.
            assert_eq!(a.hit_objects(), b.hit_objects(), "round {round}");
            assert!(!a.hit_objects().is_empty());
        } else {
            assert_eq!(a.stdout, b.stdout, "round {round}");
            assert!(!a.stdout.is_empty());
        }
    }
}

// ---------------------------------------------------------------------------
// A7: kill -9 during the very first index

#[test]
fn sigkill_during_the_first_index_leaves_an_index_the_next_run_completes() {
    const FILES: usize = 3000;
    let env = TestEnv::new(&[]);
    for n in 0..FILES {
        env.write(
            &format!("d{:02}/f{n:05}.txt", n % 40),
            &format!(
                "Report u{n:05}q on granite.\n\nThe marble seam {n} was surveyed in year {}.\n",
                1900 + n % 100
            ),
        );
    }
    let reference = env.index_json_at(&env.root().join("reference"), &[]);
    assert_eq!(reference.added, FILES);
    for delay in [50, 20, 100, 200] {
        let _ = std::fs::remove_dir_all(env.index_dir());
        let mut child = env
            .command_at("index", &env.index_dir(), &[])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn quarry index");
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let what = format!("killed after {delay} ms");

        if env.index_dir().join("meta.json").is_file() {
            // A valid, possibly empty, index: never half a commit.
            assert_verify_clean(&env, &env.index_dir(), &what);
        }
        let out = run_at(&env, "index", &env.index_dir(), &["--format", "json"]);
        assert_no_crash(&out, &what);
        assert_eq!(out.code, 0, "{what}: {out:#?}");
        assert!(
            out.stderr_lines("error:").is_empty() && !out.stderr.contains("lock"),
            "{what}: {out:#?}"
        );
        let r: IndexReport = out.index_report();
        assert_eq!(r.added + r.unchanged, FILES, "{what}: {r:?}");
        assert_eq!(r.passages, reference.passages, "{what}: {r:?}");
        assert!(!r.interrupted, "{what}: {r:?}");
        assert_verify_clean(&env, &env.index_dir(), &what);
        assert!(env.status_json(&[]).is_clean(), "{what}");
    }
    let (hits, _) = env.search_json(&["u00034q"]);
    assert_eq!(paths(&hits), ["d34/f00034.txt"]);
}
