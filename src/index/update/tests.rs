use std::path::PathBuf;

use super::*;

/// The plan with default extractor options.
fn plan(walk: &Walk, manifest: &Manifest, checks: Checks) -> Plan {
    super::plan(walk, manifest, checks, &ExtractOptions::default())
}

fn checks(checksum: bool) -> Checks {
    Checks {
        checksum,
        ..Checks::default()
    }
}
use crate::corpus::{ExtractOptions, Format};

fn file(key: &str, size: u64, mtime: i64) -> CorpusFile {
    CorpusFile {
        path: PathBuf::from("/corpus").join(key),
        key: key.to_string(),
        format: Format::Text,
        size,
        mtime,
    }
}

fn record(size: u64, mtime: i64) -> FileRecord {
    FileRecord {
        size,
        mtime,
        hash: 7,
        extractor: u64::from(Format::Text.extractor_version()),
        passages: 2,
        failed: false,
    }
}

fn manifest(entries: &[(&str, FileRecord)]) -> Manifest {
    Manifest {
        files: entries.iter().map(|(k, r)| (k.to_string(), *r)).collect(),
        duplicates: Vec::new(),
    }
}

fn walk(files: Vec<CorpusFile>) -> Walk {
    Walk {
        files,
        ..Walk::default()
    }
}

#[test]
fn files_are_classified_by_size_mtime_and_presence() {
    let w = walk(vec![
        file("a.txt", 10, 1),
        file("b.txt", 10, 2),
        file("c.txt", 11, 1),
        file("new.txt", 1, 1),
    ]);
    let m = manifest(&[
        ("a.txt", record(10, 1)),
        ("b.txt", record(10, 1)),
        ("c.txt", record(10, 1)),
        ("gone.txt", record(10, 1)),
    ]);
    let p = plan(&w, &m, checks(false));
    assert_eq!(p.unchanged, [0]);
    assert_eq!(p.suspect, [1, 2]);
    assert_eq!(p.added, [3]);
    assert_eq!(p.removed, ["gone.txt"]);
}

#[test]
fn checksum_makes_every_known_file_suspect() {
    let w = walk(vec![file("a.txt", 10, 1)]);
    let p = plan(&w, &manifest(&[("a.txt", record(10, 1))]), checks(true));
    assert_eq!(p.suspect, [0]);
    assert!(p.unchanged.is_empty());
}

#[test]
fn a_new_extractor_version_makes_a_file_suspect() {
    let mut old = record(10, 1);
    old.extractor += 1;
    let p = plan(
        &walk(vec![file("a.txt", 10, 1)]),
        &manifest(&[("a.txt", old)]),
        checks(false),
    );
    assert_eq!(p.suspect, [0]);
}

#[test]
fn files_under_an_unreadable_folder_are_not_removed() {
    let mut w = walk(vec![]);
    w.unreadable.push("locked".to_string());
    let m = manifest(&[
        ("locked/a.txt", record(1, 1)),
        ("lockedness.txt", record(1, 1)),
    ]);
    let p = plan(&w, &m, checks(false));
    assert_eq!(
        p.removed,
        ["lockedness.txt"],
        "only files under locked/ are kept"
    );
}

#[test]
fn a_rename_is_a_removal_and_an_addition() {
    let p = plan(
        &walk(vec![file("b.txt", 10, 1)]),
        &manifest(&[("a.txt", record(10, 1))]),
        checks(false),
    );
    assert_eq!(p.added, [0]);
    assert_eq!(p.removed, ["a.txt"]);
}

#[test]
fn failed_files_are_not_retried_until_they_change_unless_asked() {
    let mut failed = record(10, 1);
    failed.failed = true;
    let w = walk(vec![file("bad.txt", 10, 1)]);
    let m = manifest(&[("bad.txt", failed)]);
    assert_eq!(plan(&w, &m, checks(false)).unchanged, [0]);
    assert_eq!(
        plan(
            &w,
            &m,
            Checks {
                checksum: false,
                retry_failed: true,
                racy_after: None
            }
        )
        .suspect,
        [0]
    );
    let changed = walk(vec![file("bad.txt", 11, 2)]);
    assert_eq!(plan(&changed, &m, checks(false)).suspect, [0]);
}

#[test]
fn records_modified_close_to_the_last_commit_are_hashed_again() {
    let w = walk(vec![
        file("old.txt", 10, 100),
        file("recent.txt", 10, 5_000),
    ]);
    let m = manifest(&[
        ("old.txt", record(10, 100)),
        ("recent.txt", record(10, 5_000)),
    ]);
    let p = plan(
        &w,
        &m,
        Checks {
            checksum: false,
            retry_failed: false,
            racy_after: Some(4_000),
        },
    );
    assert_eq!(p.unchanged, [0]);
    assert_eq!(p.suspect, [1]);
}
