use std::path::PathBuf;

use super::*;
use crate::corpus::Format;

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
    let p = plan(&w, &m, false, None);
    assert_eq!(p.unchanged, [0]);
    assert_eq!(p.suspect, [1, 2]);
    assert_eq!(p.added, [3]);
    assert_eq!(p.removed, ["gone.txt"]);
}

#[test]
fn checksum_makes_every_known_file_suspect() {
    let w = walk(vec![file("a.txt", 10, 1)]);
    let p = plan(&w, &manifest(&[("a.txt", record(10, 1))]), true, None);
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
        false,
        None,
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
    let p = plan(&w, &m, false, None);
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
        false,
        None,
    );
    assert_eq!(p.added, [0]);
    assert_eq!(p.removed, ["a.txt"]);
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
    let p = plan(&w, &m, false, Some(4_000));
    assert_eq!(p.unchanged, [0]);
    assert_eq!(p.suspect, [1]);
}
