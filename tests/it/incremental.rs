//! The incremental index: what a rerun reads, adds, updates and removes,
//! `--checksum`, `--rebuild`, the empty-corpus guard, the writer lock,
//! `status`, stale hits, and runs stopped by a signal or killed outright.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use crate::harness::{
    DirSnapshot, Hit, IndexReport, Output, TestEnv, paths, poll, run, send_signal, spawn,
    wait_output,
};

fn three_docs() -> TestEnv {
    TestEnv::new(&[
        (
            "granite.txt",
            "Granite quarries supplied the cathedral builders.",
        ),
        (
            "notes/marble.md",
            "# Marble\n\nMarble was shipped from the coast by barge.",
        ),
        ("slate.txt", "Slate roofs shed the winter rain."),
    ])
}

/// (added, updated, removed, unchanged, passages) of a report.
fn counts(r: &IndexReport) -> (usize, usize, usize, usize, u64) {
    (r.added, r.updated, r.removed, r.unchanged, r.passages)
}

/// The one stderr line of a human `index` run, split around its time:
/// (text before ` in `, seconds, text after ` s`).
fn summary_parts(out: &Output) -> (String, f64, String) {
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one summary line: {}", out.stderr);
    let line = lines[0];
    let (head, rest) = line
        .split_once(" in ")
        .unwrap_or_else(|| panic!("no time in {line:?}"));
    let (secs, tail) = rest
        .split_once(" s")
        .unwrap_or_else(|| panic!("no seconds in {line:?}"));
    let secs: f64 = secs
        .parse()
        .unwrap_or_else(|_| panic!("bad seconds in {line:?}"));
    (head.to_string(), secs, tail.to_string())
}

// ---------------------------------------------------------------------------
// Reports

#[test]
fn a_first_run_adds_every_file_and_reports_json() {
    let env = three_docs();
    env.write_bytes("photo.png", b"\x89PNG\r\n\x1a\n granite");
    let out = env.index_with(&["--format", "json"]);
    out.assert_code(0);
    let r = out.index_report();
    assert_eq!(counts(&r), (3, 0, 0, 0, 3), "{r:?}");
    assert_eq!((r.skipped, r.unreadable), (1, 0), "{r:?}");
    assert!(r.commits >= 1, "{r:?}");
    assert!(!r.rebuilt && !r.interrupted, "{r:?}");
    assert!(r.elapsed_s >= 0.0, "{r:?}");
    let (hits, _) = env.search_json(&["granite"]);
    assert_eq!(paths(&hits), ["granite.txt"]);
}

#[test]
fn the_human_summary_counts_each_kind_of_change() {
    let env = three_docs();
    env.index();
    env.write("basalt.txt", "Basalt columns line the shore.");
    env.write(
        "slate.txt",
        "Slate roofs shed the rain of many long winters.",
    );
    env.remove("granite.txt");
    env.write_bytes("photo.png", b"\x89PNG\r\n\x1a\n");
    let out = env.index_with(&[]);
    out.assert_code(0);
    assert_eq!(out.stdout, "");
    let (head, secs, tail) = summary_parts(&out);
    assert_eq!(
        head,
        "added 1, updated 1, removed 1, unchanged 1 (3 passages)"
    );
    assert!(secs >= 0.0);
    assert_eq!(tail, "; skipped 1 file of unknown type");
}

#[test]
fn the_human_summary_says_files_in_the_plural_and_counts_unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let env = three_docs();
    env.write_bytes("photo.png", b"\x89PNG\r\n\x1a\n");
    env.write_bytes("scan.docx", b"PK\x03\x04");
    let out = env.index_with(&[]);
    out.assert_code(0);
    let (head, _, tail) = summary_parts(&out);
    assert_eq!(
        head,
        "added 3, updated 0, removed 0, unchanged 0 (3 passages)"
    );
    assert_eq!(tail, "; skipped 2 files of unknown type");

    env.write("locked.txt", "The vault combination is secret.");
    let locked = env.corpus().join("locked.txt");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        // Running as root: permissions do not stop reading.
        return;
    }
    let out = env.index_with(&[]);
    out.assert_code(0);
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(
        last.ends_with("; skipped 2 files of unknown type; 1 file unreadable"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------
// What a rerun does

#[test]
fn a_rerun_with_nothing_changed_commits_nothing_and_writes_no_file() {
    let env = three_docs();
    env.index();
    let before = DirSnapshot::of(&env.index_dir());
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 0, 0, 3, 3), "{r:?}");
    assert_eq!(r.commits, 0, "{r:?}");
    assert_eq!(DirSnapshot::of(&env.index_dir()), before);
}

#[test]
fn a_checksum_run_with_nothing_changed_commits_nothing_and_writes_no_file() {
    let env = three_docs();
    env.index();
    let before = DirSnapshot::of(&env.index_dir());
    let r = env.index_json(&["--checksum"]);
    assert_eq!(counts(&r), (0, 0, 0, 3, 3), "{r:?}");
    assert_eq!(r.commits, 0, "{r:?}");
    assert_eq!(DirSnapshot::of(&env.index_dir()), before);
}

#[test]
fn a_touched_file_with_the_same_content_is_unchanged_and_its_record_refreshed() {
    let env = three_docs();
    env.index();
    let later = env.mtime("slate.txt") + Duration::from_secs(10);
    env.set_mtime("slate.txt", later);
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 0, 0, 3, 3), "{r:?}");
    // The refreshed record has the new mtime: the next run reads nothing
    // and so has nothing to write.
    let before = DirSnapshot::of(&env.index_dir());
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 0, 0, 3, 3), "{r:?}");
    assert_eq!(r.commits, 0, "the record was not refreshed: {r:?}");
    assert_eq!(DirSnapshot::of(&env.index_dir()), before);
    let (hits, _) = env.search_json(&["slate"]);
    assert_eq!(paths(&hits), ["slate.txt"]);
    assert!(!hits[0].stale, "{hits:?}");
}

#[test]
fn an_edited_file_is_updated_and_its_old_words_are_gone() {
    let env = three_docs();
    env.index();
    env.write("slate.txt", "Slate quarries closed after the great flood.");
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 1, 0, 2, 3), "{r:?}");
    assert!(r.commits >= 1, "{r:?}");
    env.search(&["winter"]).assert_code(1);
    let (hits, _) = env.search_json(&["flood"]);
    assert_eq!(paths(&hits), ["slate.txt"]);
    assert!(!hits[0].stale);
}

#[test]
fn an_edit_that_changes_the_passage_count_updates_the_total() {
    let env = three_docs();
    env.index();
    let long: String = (0..600)
        .map(|i| format!("Slate word{i} splits. "))
        .collect();
    env.write("slate.txt", &long);
    let r = env.index_json(&[]);
    assert_eq!((r.added, r.updated, r.removed, r.unchanged), (0, 1, 0, 2));
    let fresh = env.index_json_at(&env.root().join("fresh"), &[]);
    assert!(fresh.passages > 3, "the long file has several passages");
    assert_eq!(r.passages, fresh.passages, "{r:?} vs {fresh:?}");
    env.write("slate.txt", "Slate again.");
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 1, 0, 2, 3), "{r:?}");
}

#[test]
fn a_new_file_is_added_and_found() {
    let env = three_docs();
    env.index();
    env.write("deep/er/basalt.md", "Basalt columns line the shore.");
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (1, 0, 0, 3, 4), "{r:?}");
    let (hits, _) = env.search_json(&["basalt"]);
    assert_eq!(paths(&hits), ["deep/er/basalt.md"]);
}

#[test]
fn a_deleted_file_is_removed_and_no_longer_found() {
    let env = three_docs();
    env.index();
    env.remove("granite.txt");
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 0, 1, 2, 2), "{r:?}");
    env.search(&["granite"]).assert_code(1);
    env.search(&["barge"]).assert_code(0);
}

#[test]
fn a_rename_is_a_removal_plus_an_addition() {
    let env = three_docs();
    env.index();
    std::fs::create_dir_all(env.corpus().join("stone")).expect("mkdir");
    env.rename("granite.txt", "stone/granite.txt");
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (1, 0, 1, 2, 3), "{r:?}");
    let (hits, _) = env.search_json(&["granite"]);
    assert_eq!(paths(&hits), ["stone/granite.txt"]);
}

#[test]
fn an_edit_that_keeps_size_and_mtime_is_caught_only_with_checksum() {
    let env = three_docs();
    // An old mtime: files modified just before a commit are hashed again on
    // the next run anyway (racy entries), which would catch this edit.
    let mtime = SystemTime::now() - Duration::from_secs(3600);
    env.set_mtime("slate.txt", mtime);
    env.index();
    let before = std::fs::read(env.corpus().join("slate.txt")).expect("read");
    env.write("slate.txt", "Slate roofs shed the summer rain.");
    let after = std::fs::read(env.corpus().join("slate.txt")).expect("read");
    assert_eq!(before.len(), after.len(), "the test keeps the size");
    env.set_mtime("slate.txt", mtime);

    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 0, 0, 3, 3), "{r:?}");
    assert_eq!(r.commits, 0, "{r:?}");
    env.search(&["summer"]).assert_code(1);
    assert!(env.status_json(&[]).is_clean());
    let status = env.status_json(&["--checksum"]);
    assert_eq!(status.modified, ["slate.txt"], "{status:?}");
    assert_eq!(
        (status.added.len(), status.deleted.len(), status.unchanged),
        (0, 0, 2)
    );

    let r = env.index_json(&["--checksum"]);
    assert_eq!(counts(&r), (0, 1, 0, 2, 3), "{r:?}");
    let (hits, _) = env.search_json(&["summer"]);
    assert_eq!(paths(&hits), ["slate.txt"]);
    env.search(&["winter"]).assert_code(1);
    assert!(env.status_json(&["--checksum"]).is_clean());
}

/// A tiny deterministic generator (Knuth's MMIX LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The (path, passage, text) of every hit of `query` in the index at
/// `index`, sorted: what the hits are, whatever their scores.
fn hit_set(env: &TestEnv, index: &Path, query: &str) -> Vec<(String, u64, String)> {
    let out = run(&mut env.command_at(
        "search",
        index,
        &[
            "--format",
            "json",
            "--limit",
            "1000",
            "--per-doc",
            "0",
            query,
        ],
    ));
    assert!(out.code == 0 || out.code == 1, "{out:#?}");
    let (hits, summary) = out.json();
    assert_eq!(summary.total_hits, hits.len());
    let mut set: Vec<_> = hits
        .into_iter()
        .map(|h| (h.path, h.passage, h.text))
        .collect();
    set.sort();
    set
}

#[test]
fn a_sequence_of_incremental_runs_matches_a_fresh_index_every_time() {
    let env = TestEnv::new(&[]);
    let mut model: BTreeMap<String, String> = BTreeMap::new();
    let mut rng = Lcg(42);
    let words = ["granite", "marble", "slate", "basalt", "quartz", "shale"];
    let text = |rng: &mut Lcg, round: usize, n: usize| -> String {
        let paragraphs = 1 + rng.below(3) as usize;
        let mut text = String::new();
        for p in 0..paragraphs {
            let len = 5 + rng.below(if p == 0 { 400 } else { 30 }) as usize;
            for w in 0..len {
                let word = words[rng.below(words.len() as u64) as usize];
                text.push_str(&format!("{word} r{round}f{n}w{w} "));
            }
            text.push_str("\n\n");
        }
        text
    };
    for n in 0..12 {
        let path = format!("d{}/f{n}.txt", n % 3);
        let body = text(&mut rng, 0, n);
        env.write(&path, &body);
        model.insert(path, body);
    }
    let mut next_file = 12;
    // What the index holds: nothing before the first run.
    let mut old: BTreeMap<String, String> = BTreeMap::new();
    for round in 0..7 {
        if round > 0 {
            let keys: Vec<String> = model.keys().cloned().collect();
            let mut touched = BTreeSet::new();
            for _ in 0..4 {
                let key = &keys[rng.below(keys.len() as u64) as usize];
                if !touched.insert(key.clone()) {
                    continue;
                }
                match rng.below(4) {
                    0 => {
                        let body = text(&mut rng, round, next_file);
                        env.write(key, &body);
                        model.insert(key.clone(), body);
                    }
                    1 => {
                        env.remove(key);
                        model.remove(key);
                    }
                    2 => {
                        let to = format!("d{}/g{next_file}.md", next_file % 3);
                        env.rename(key, &to);
                        let body = model.remove(key).expect("in the model");
                        model.insert(to, body);
                    }
                    _ => {
                        let later = env.mtime(key) + Duration::from_secs(round as u64 + 1);
                        env.set_mtime(key, later);
                    }
                }
                next_file += 1;
            }
            let path = format!("d{}/n{next_file}.txt", next_file % 3);
            let body = text(&mut rng, round, next_file);
            env.write(&path, &body);
            model.insert(path, body);
            next_file += 1;
        }
        let expected = (
            model.keys().filter(|k| !old.contains_key(*k)).count(),
            model
                .iter()
                .filter(|(k, v)| old.get(*k).is_some_and(|o| o != *v))
                .count(),
            old.keys().filter(|k| !model.contains_key(*k)).count(),
            model
                .iter()
                .filter(|(k, v)| old.get(*k) == Some(*v))
                .count(),
        );
        let r = env.index_json(&[]);
        assert_eq!(
            (r.added, r.updated, r.removed, r.unchanged),
            expected,
            "round {round}: {r:?}"
        );
        let status = env.status_json(&[]);
        assert!(status.is_clean(), "round {round}: {status:?}");
        assert_eq!(status.unchanged, model.len());

        let fresh_dir = env.root().join(format!("fresh{round}"));
        let fresh = env.index_json_at(&fresh_dir, &[]);
        assert_eq!(
            r.passages, fresh.passages,
            "round {round}: {r:?} vs {fresh:?}"
        );
        for word in ["granite", "quartz", "shale OR basalt"] {
            assert_eq!(
                hit_set(&env, &env.index_dir(), word),
                hit_set(&env, &fresh_dir, word),
                "round {round}, query {word:?}"
            );
        }
        old = model.clone();
    }
}

// ---------------------------------------------------------------------------
// --rebuild

#[test]
fn rebuild_swaps_in_a_fresh_index_and_keeps_the_gitignore() {
    let env = three_docs();
    env.index();
    let gitignore = env.index_dir().join(".gitignore");
    std::fs::write(&gitignore, "*\n").expect("write .gitignore");
    env.write("slate.txt", "Slate quarries closed after the great flood.");
    let r = env.index_json(&["--rebuild"]);
    assert!(r.rebuilt, "{r:?}");
    assert!(!r.interrupted, "{r:?}");
    assert_eq!(r.passages, 3, "{r:?}");
    assert_eq!(
        std::fs::read_to_string(&gitignore).expect("the .gitignore survives"),
        "*\n"
    );
    let (hits, _) = env.search_json(&["flood"]);
    assert_eq!(paths(&hits), ["slate.txt"]);
    env.search(&["winter"]).assert_code(1);
    env.search(&["barge"]).assert_code(0);
    let leftovers: Vec<_> = std::fs::read_dir(env.root())
        .expect("read root")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "corpus" && n != "index")
        .collect();
    assert!(leftovers.is_empty(), "left beside the index: {leftovers:?}");
    // The rebuilt index knows its files: the next run has nothing to do.
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (0, 0, 0, 3, 3), "{r:?}");
    assert_eq!(r.commits, 0, "{r:?}");
}

// ---------------------------------------------------------------------------
// The empty-corpus guard

fn empty_the_corpus(env: &TestEnv) {
    for path in ["granite.txt", "notes/marble.md", "slate.txt"] {
        env.remove(path);
    }
}

fn assert_refused_as_empty(out: &Output) {
    out.assert_code(2);
    let errors = out.stderr_lines("error:");
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(errors[0].contains("--allow-empty"), "{}", errors[0]);
}

#[test]
fn an_empty_corpus_does_not_empty_the_index() {
    let env = three_docs();
    env.index();
    let before = DirSnapshot::of(&env.index_dir());
    empty_the_corpus(&env);
    env.write_bytes("photo.png", b"\x89PNG\r\n\x1a\n");
    assert_refused_as_empty(&env.index_with(&[]));
    assert_eq!(DirSnapshot::of(&env.index_dir()), before);
    let (hits, _) = env.search_json(&["barge"]);
    assert_eq!(paths(&hits), ["notes/marble.md"]);
}

#[test]
fn an_empty_corpus_does_not_empty_the_index_by_a_rebuild() {
    let env = three_docs();
    env.index();
    let before = DirSnapshot::of(&env.index_dir());
    empty_the_corpus(&env);
    assert_refused_as_empty(&env.index_with(&["--rebuild"]));
    assert_eq!(DirSnapshot::of(&env.index_dir()), before);
    let (hits, _) = env.search_json(&["barge"]);
    assert_eq!(paths(&hits), ["notes/marble.md"]);
}

#[test]
fn allow_empty_removes_every_document() {
    let env = three_docs();
    env.index();
    empty_the_corpus(&env);
    let r = env.index_json(&["--allow-empty"]);
    assert_eq!(counts(&r), (0, 0, 3, 0, 0), "{r:?}");
    env.search(&["barge"]).assert_code(1);
    env.search(&["granite"]).assert_code(1);
    let status = env.status_json(&[]);
    assert!(status.is_clean(), "{status:?}");
    assert_eq!(status.unchanged, 0);
}

// ---------------------------------------------------------------------------
// A second writer

/// Holds the index's writer lock like another quarry process would.
fn lock_writer(index: &Path) -> std::fs::File {
    let file = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(index.join(".tantivy-writer.lock"))
        .expect("open the writer lock file");
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .expect("take the writer lock");
    file
}

fn assert_busy(out: &Output, index: &Path) {
    out.assert_code(3);
    let errors = out.stderr_lines("error:");
    assert_eq!(
        errors,
        [format!(
            "error: index {} is being updated by another process",
            index.display()
        )],
        "{}",
        out.stderr
    );
}

/// `index` with `extra`, killed (and failed) if it waits for the lock.
fn index_within(env: &TestEnv, extra: &[&str], timeout: Duration) -> Output {
    let child = spawn(&mut env.command_at("index", &env.index_dir(), extra));
    wait_output(child, timeout)
}

#[test]
fn a_second_writer_fails_at_once_with_exit_3() {
    let env = three_docs();
    env.index();
    let lock = lock_writer(&env.index_dir());
    let before = DirSnapshot::of(&env.index_dir());
    env.write("basalt.txt", "Basalt columns line the shore.");
    let out = index_within(&env, &[], Duration::from_secs(30));
    assert_busy(&out, &env.index_dir());
    assert_eq!(DirSnapshot::of(&env.index_dir()), before);
    // Readers are not blocked by the lock.
    env.search(&["barge"]).assert_code(0);
    env.search(&["basalt"]).assert_code(1);
    assert_eq!(env.status_json(&[]).added, ["basalt.txt"]);

    drop(lock);
    let r = env.index_json(&[]);
    assert_eq!(counts(&r), (1, 0, 0, 3, 4), "{r:?}");
}

#[test]
fn a_rebuild_fails_at_once_with_exit_3_when_another_process_writes() {
    let env = three_docs();
    env.index();
    let lock = lock_writer(&env.index_dir());
    let out = index_within(&env, &["--rebuild"], Duration::from_secs(30));
    assert_busy(&out, &env.index_dir());
    env.search(&["barge"]).assert_code(0);
    drop(lock);
}

// ---------------------------------------------------------------------------
// status

#[test]
fn status_without_an_index_lists_every_file_as_added_and_creates_nothing() {
    let env = three_docs();
    let out = env.status(&[]);
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "A granite.txt\nA notes/marble.md\nA slate.txt\n3 added, 0 modified, 0 deleted, 0 unchanged\n"
    );
    assert!(!env.index_dir().exists(), "status created the index dir");
    let json = env.status_json(&[]);
    assert_eq!(json.added, ["granite.txt", "notes/marble.md", "slate.txt"]);
    assert_eq!(
        (json.modified.len(), json.deleted.len(), json.unchanged),
        (0, 0, 0)
    );
}

/// An indexed corpus, then: a file added at the top, one deleted, one
/// added in a folder, one modified, one touched.
fn changed_since_indexing() -> TestEnv {
    let env = three_docs();
    env.index();
    env.write("a-new.txt", "Fresh pumice floats.");
    env.remove("granite.txt");
    env.write("notes/basalt.md", "Basalt columns line the shore.");
    env.write(
        "slate.txt",
        "Slate roofs shed the rain of many long winters.",
    );
    let later = env.mtime("notes/marble.md") + Duration::from_secs(10);
    env.set_mtime("notes/marble.md", later);
    env
}

#[test]
fn status_lists_changes_sorted_by_path_then_counts_and_changes_nothing() {
    let env = changed_since_indexing();
    let before = DirSnapshot::of(&env.index_dir());
    let out = env.status(&[]);
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "A a-new.txt\nD granite.txt\nA notes/basalt.md\nM slate.txt\n2 added, 1 modified, 1 deleted, 1 unchanged\n"
    );
    assert_eq!(DirSnapshot::of(&env.index_dir()), before);
    // Status refreshed no record: the touched file is still read next time.
    let again = env.status(&[]);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn status_json_agrees_with_what_index_then_does() {
    let env = changed_since_indexing();
    let status = env.status_json(&[]);
    assert_eq!(status.added, ["a-new.txt", "notes/basalt.md"]);
    assert_eq!(status.modified, ["slate.txt"]);
    assert_eq!(status.deleted, ["granite.txt"]);
    assert_eq!(status.unchanged, 1);
    let r = env.index_json(&[]);
    assert_eq!(
        (r.added, r.updated, r.removed, r.unchanged),
        (2, 1, 1, 1),
        "{r:?}"
    );
    let after = env.status_json(&[]);
    assert!(after.is_clean(), "{after:?}");
    assert_eq!(after.unchanged, 4);
}

#[test]
fn status_does_not_count_a_touched_file_as_modified() {
    let env = three_docs();
    env.index();
    let later = env.mtime("slate.txt") + Duration::from_secs(10);
    env.set_mtime("slate.txt", later);
    let out = env.status(&[]);
    out.assert_code(0);
    assert_eq!(out.stdout, "0 added, 0 modified, 0 deleted, 3 unchanged\n");
}

// ---------------------------------------------------------------------------
// Stale hits

/// The stale marks of the hits of `path` (at least one hit).
fn stale_of(hits: &[Hit], path: &str) -> Vec<bool> {
    let marks: Vec<bool> = hits
        .iter()
        .filter(|h| h.path == path)
        .map(|h| h.stale)
        .collect();
    assert!(!marks.is_empty(), "no hit for {path}: {hits:?}");
    marks
}

#[test]
fn hits_of_a_file_changed_since_indexing_are_stale() {
    let env = three_docs();
    env.index();
    env.write("slate.txt", "Slate quarries closed after the great flood.");
    let (hits, _) = env.search_json(&["--any", "slate granite barge"]);
    assert_eq!(stale_of(&hits, "slate.txt"), [true]);
    assert_eq!(stale_of(&hits, "granite.txt"), [false]);
    assert_eq!(stale_of(&hits, "notes/marble.md"), [false]);

    let out = env.search(&["slate"]);
    out.assert_code(0);
    let header = out.stdout.lines().next().unwrap_or_default();
    assert!(
        header.contains("slate.txt") && header.contains("[stale: changed since indexed]"),
        "{}",
        out.stdout
    );
    let out = env.search(&["granite"]);
    out.assert_code(0);
    assert!(!out.stdout.contains("[stale"), "{}", out.stdout);
}

#[test]
fn hits_of_a_deleted_file_are_stale() {
    let env = three_docs();
    env.index();
    env.remove("granite.txt");
    let (hits, _) = env.search_json(&["--any", "granite barge"]);
    assert_eq!(stale_of(&hits, "granite.txt"), [true]);
    assert_eq!(stale_of(&hits, "notes/marble.md"), [false]);
    let out = env.search(&["granite"]);
    assert!(
        out.stdout.contains("[stale: changed since indexed]"),
        "{}",
        out.stdout
    );
}

#[test]
fn reindexing_clears_the_stale_mark() {
    let env = three_docs();
    env.index();
    env.write("slate.txt", "Slate quarries closed after the great flood.");
    assert_eq!(
        stale_of(&env.search_json(&["slate"]).0, "slate.txt"),
        [true]
    );
    env.index();
    assert_eq!(
        stale_of(&env.search_json(&["slate"]).0, "slate.txt"),
        [false]
    );
}

// ---------------------------------------------------------------------------
// Long runs: signals, kill -9, concurrent searches

/// The text of generated file `n` in version `version`: a few sentences,
/// the word `granite`, and `u{n:05}q`, a word no other file has.
fn generated_text(n: usize, version: usize) -> String {
    let stones = ["marble", "slate", "basalt", "quartz", "shale", "flint"];
    let mut text = format!("Report u{n:05}q on granite, version v{version}x.\n\n");
    for s in 0..4 {
        let stone = stones[(n + s + version) % stones.len()];
        text.push_str(&format!(
            "The {stone} seam number {s} near site {} was surveyed in year {}.\n",
            n * 7 + s,
            1900 + (n + version) % 100
        ));
    }
    text
}

fn generated_path(n: usize) -> String {
    format!("d{:02}/f{n:05}.txt", n % 40)
}

/// Writes `count` generated files (version 0).
fn generate(env: &TestEnv, count: usize) {
    for n in 0..count {
        env.write(&generated_path(n), &generated_text(n, 0));
    }
}

/// Waits until the index exists (quarry then has its signal handlers) or
/// the child has exited.
fn wait_for_index(env: &TestEnv, child: &mut std::process::Child) {
    let meta = env.index_dir().join("meta.json");
    let ready = poll(Duration::from_secs(60), Duration::from_millis(5), || {
        meta.is_file() || child.try_wait().ok().flatten().is_some()
    });
    assert!(ready, "no index after 60 s");
}

fn interrupted_run_commits_what_it_did_and_a_rerun_finishes(signal: &str, code: i32) {
    const FILES: usize = 4000;
    let env = TestEnv::new(&[]);
    generate(&env, FILES);
    let reference = env.index_json_at(&env.root().join("reference"), &[]);
    assert_eq!(reference.added, FILES);

    let mut child = spawn(&mut env.command_at("index", &env.index_dir(), &["--format", "json"]));
    wait_for_index(&env, &mut child);
    std::thread::sleep(Duration::from_millis(300));
    send_signal(&child, signal);
    let out = wait_output(child, Duration::from_secs(120));
    if out.code == 0 {
        // The run finished before the signal: it must be complete.
        let r = out.index_report();
        assert_eq!((r.added, r.passages), (FILES, reference.passages), "{r:?}");
        assert!(!r.interrupted, "{r:?}");
        assert!(env.status_json(&[]).is_clean());
        return;
    }
    assert_eq!(out.code, code, "{out:#?}");
    let notes = out.stderr_lines("note:");
    assert!(
        notes.iter().any(|n| n.contains("interrupted")),
        "{}",
        out.stderr
    );
    let first = out.index_report();
    assert!(first.interrupted, "{first:?}");
    assert!(first.added < FILES, "{first:?}");
    if first.added > 0 {
        assert!(first.commits >= 1, "what was done is committed: {first:?}");
    }

    let status = env.status_json(&[]);
    assert_eq!(status.added.len(), FILES - first.added, "{first:?}");
    assert_eq!(status.unchanged, first.added);
    assert!(
        status.modified.is_empty() && status.deleted.is_empty(),
        "{status:?}"
    );
    let out = env.search(&["granite"]);
    assert!(out.code == 0 || out.code == 1, "{out:#?}");

    let rest = env.index_json(&[]);
    assert_eq!(
        (rest.added, rest.unchanged, rest.interrupted),
        (FILES - first.added, first.added, false),
        "{rest:?}"
    );
    assert_eq!(
        rest.passages, reference.passages,
        "{rest:?} vs {reference:?}"
    );
    assert!(env.status_json(&[]).is_clean());
}

#[test]
fn sigint_stops_index_after_a_commit_with_exit_130_and_a_rerun_finishes() {
    interrupted_run_commits_what_it_did_and_a_rerun_finishes("INT", 130);
}

#[test]
fn sigterm_stops_index_after_a_commit_with_exit_143_and_a_rerun_finishes() {
    interrupted_run_commits_what_it_did_and_a_rerun_finishes("TERM", 143);
}

#[test]
fn sigkill_at_random_moments_never_breaks_the_index() {
    const FILES: usize = 2000;
    let env = TestEnv::new(&[]);
    let mut added = FILES;
    for round in 0..5 {
        // Every round has work: round 0 writes everything, later rounds
        // rewrite a third of the files, delete a few and add a few.
        if round == 0 {
            generate(&env, FILES);
        } else {
            for n in (round % 3..FILES).step_by(3) {
                env.write(&generated_path(n), &generated_text(n, round));
            }
            for n in (round..FILES).step_by(97) {
                let _ = std::fs::remove_file(env.corpus().join(generated_path(n)));
            }
            for k in 0..30 {
                env.write(
                    &generated_path(added + k),
                    &generated_text(added + k, round),
                );
            }
            added += 30;
        }
        let mut rng = Lcg(0x9E37_79B9 + round as u64);
        let delay = Duration::from_millis(50 + rng.below(751));
        let mut child = env
            .command_at("index", &env.index_dir(), &[])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn quarry index");
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");

        let out = env.search(&["granite"]);
        assert!(
            out.code == 0 || out.code == 1,
            "round {round}, killed after {delay:?}: {out:#?}"
        );
        let out = env.status(&[]);
        out.assert_code(0);
        let r = env.index_json(&[]);
        assert!(!r.interrupted, "{r:?}");
        let status = env.status_json(&[]);
        assert!(status.is_clean(), "round {round}: {status:?}");
    }
    let status = env.status_json(&[]);
    assert!(status.is_clean(), "{status:?}");
    let last = env.index_json(&[]);
    assert_eq!(last.commits, 0, "{last:?}");
    let reference = env.index_json_at(&env.root().join("reference"), &[]);
    assert_eq!(
        last.passages, reference.passages,
        "{last:?} vs {reference:?}"
    );
    assert_eq!(last.unchanged, reference.added);
    let (hits, _) = env.search_json(&["u00034q"]);
    let documents: BTreeSet<&str> = paths(&hits).into_iter().collect();
    assert_eq!(documents, BTreeSet::from([generated_path(34).as_str()]));
}

#[test]
fn searches_during_a_running_index_never_fail() {
    let env = TestEnv::new(&[]);
    generate(&env, 4000);
    let mut child = spawn(&mut env.command_at("index", &env.index_dir(), &[]));
    wait_for_index(&env, &mut child);
    for i in 0..10 {
        let out = env.search(&["granite"]);
        assert!(out.code == 0 || out.code == 1, "search {i}: {out:#?}");
        assert!(
            out.stderr_lines("error:").is_empty(),
            "search {i}: {out:#?}"
        );
    }
    wait_output(child, Duration::from_secs(120)).assert_code(0);
}

#[test]
fn searches_during_a_rebuild_always_find_the_old_or_new_index() {
    let env = TestEnv::new(&[]);
    generate(&env, 3000);
    env.index();
    let mut child = spawn(&mut env.command_at("index", &env.index_dir(), &["--rebuild"]));
    let mut searches = 0;
    while child.try_wait().expect("poll the rebuild").is_none() && searches < 400 {
        let out = env.search(&["u00034q"]);
        assert_eq!(
            out.code, 0,
            "search {searches} during the rebuild: {out:#?}"
        );
        assert!(out.stderr_lines("error:").is_empty(), "{out:#?}");
        searches += 1;
    }
    wait_output(child, Duration::from_secs(120)).assert_code(0);
    let (hits, _) = env.search_json(&["u00034q"]);
    assert_eq!(paths(&hits), [generated_path(34)]);
}

/// Where a rebuild writes its fresh index.
fn rebuild_dir(env: &TestEnv) -> std::path::PathBuf {
    env.root().join(".index.rebuild")
}

/// Waits until the rebuild's fresh index exists or the child has exited.
fn wait_for_rebuild(env: &TestEnv, child: &mut std::process::Child) {
    let meta = rebuild_dir(env).join("meta.json");
    let ready = poll(Duration::from_secs(60), Duration::from_millis(5), || {
        meta.is_file() || child.try_wait().ok().flatten().is_some()
    });
    assert!(ready, "no fresh index after 60 s");
}

#[test]
fn an_interrupted_rebuild_keeps_the_old_index_and_reports_its_passages() {
    const FILES: usize = 4000;
    let env = TestEnv::new(&[]);
    generate(&env, FILES);
    let full = env.index_json(&[]);
    let mut child = spawn(&mut env.command_at(
        "index",
        &env.index_dir(),
        &["--rebuild", "--format", "json"],
    ));
    wait_for_rebuild(&env, &mut child);
    std::thread::sleep(Duration::from_millis(300));
    send_signal(&child, "INT");
    let out = wait_output(child, Duration::from_secs(120));
    let r = out.index_report();
    if out.code == 0 {
        assert!(r.rebuilt && !r.interrupted, "{r:?}");
    } else {
        assert_eq!(out.code, 130, "{out:#?}");
        assert!(r.interrupted && !r.rebuilt, "{r:?}");
    }
    assert_eq!(
        r.passages, full.passages,
        "passages in the index after the run: {r:?}"
    );
    assert!(
        !rebuild_dir(&env).exists(),
        "the fresh index is left behind"
    );
    assert!(env.status_json(&[]).is_clean());
    let (hits, _) = env.search_json(&["u00034q"]);
    assert_eq!(paths(&hits), [generated_path(34)]);
}

#[test]
fn a_rebuild_killed_outright_leaves_the_old_index_searchable() {
    let env = TestEnv::new(&[]);
    generate(&env, 3000);
    let full = env.index_json(&[]);
    let mut child = env
        .command_at("index", &env.index_dir(), &["--rebuild"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn quarry index --rebuild");
    wait_for_rebuild(&env, &mut child);
    std::thread::sleep(Duration::from_millis(200));
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");

    let (hits, _) = env.search_json(&["u00034q"]);
    assert_eq!(paths(&hits), [generated_path(34)]);
    assert!(env.status_json(&[]).is_clean());
    let r = env.index_json(&["--rebuild"]);
    assert!(r.rebuilt, "{r:?}");
    assert_eq!(r.passages, full.passages, "{r:?}");
    assert!(
        !rebuild_dir(&env).exists(),
        "the fresh index is left behind"
    );
    let (hits, _) = env.search_json(&["u00034q"]);
    assert_eq!(paths(&hits), [generated_path(34)]);
}

#[test]
fn a_prefix_no_longer_finds_the_words_of_an_edited_or_removed_file() {
    // `runn*` finds "runs" through "running" (both stem to "run"), only
    // while some file still has a word that starts with "runn".
    let env = TestEnv::new(&[
        ("a.txt", "She was running late for the ferry."),
        ("b.txt", "He runs along the harbour every day."),
        ("c.txt", "Granite quarries closed in winter."),
    ]);
    env.index();
    let sorted = |query: &str| {
        let (hits, _) = env.search_json(&[query]);
        let mut found: Vec<String> = paths(&hits).into_iter().map(String::from).collect();
        found.sort_unstable();
        found
    };
    assert_eq!(sorted("runn*"), ["a.txt", "b.txt"]);
    env.write("a.txt", "She was late for the ferry.");
    env.index_json(&[]);
    env.search(&["runn*"]).assert_code(1);
    env.write("c.txt", "Granite quarries, running at a loss, closed.");
    env.index_json(&[]);
    assert_eq!(sorted("runn*"), ["b.txt", "c.txt"]);
    env.remove("c.txt");
    env.index_json(&[]);
    env.search(&["runn*"]).assert_code(1);
}
