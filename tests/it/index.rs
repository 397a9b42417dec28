//! `quarry index` and what it reads: file types, hidden files, bad files,
//! Markdown, passages, and where the corpus and index come from.

use crate::harness::{TestEnv, paths, run};

fn two_docs() -> TestEnv {
    TestEnv::new(&[
        (
            "granite.txt",
            "Granite quarries supplied the cathedral builders.",
        ),
        (
            "notes/marble.md",
            "# Marble\n\nMarble was shipped from the coast by barge.",
        ),
    ])
}

#[test]
fn index_summary_counts_documents_and_passages() {
    let env = two_docs();
    let out = env.index();
    assert_eq!(out.stdout, "");
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("added 2, updated 0, removed 0, unchanged 0 (2 passages) in "),
        "{}",
        out.stderr
    );

    assert!(env.index_dir().join("meta.json").is_file());
}

#[test]
fn the_first_search_builds_the_index_with_a_note() {
    let env = two_docs();
    assert!(!env.index_dir().exists());
    let out = env.search(&["barge"]);
    out.assert_code(0);
    let notes = out.stderr_lines("note:");
    assert_eq!(notes.len(), 1, "{}", out.stderr);
    assert!(notes[0].contains("indexing"), "{}", notes[0]);
    assert!(out.stdout.contains("notes/marble.md"), "{}", out.stdout);
    assert!(env.index_dir().join("meta.json").is_file());

    let again = env.search(&["barge"]);
    again.assert_code(0);
    assert!(again.stderr_lines("note:").is_empty(), "{}", again.stderr);
    assert!(!again.stderr.contains("indexed"), "{}", again.stderr);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn files_of_unknown_type_are_skipped_and_counted() {
    let env = two_docs();
    env.write_bytes("photo.png", b"\x89PNG\r\n\x1a\n granite");
    env.write_bytes("report.docx", b"PK\x03\x04 granite");
    let out = env.index();
    assert!(
        out.stderr
            .contains("added 2, updated 0, removed 0, unchanged 0 (2 passages)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("skipped 2 files"), "{}", out.stderr);
    let (hits, _) = env.search_json(&["granite"]);
    assert_eq!(paths(&hits), ["granite.txt"]);
}

#[test]
fn hidden_files_and_folders_are_not_indexed() {
    let env = two_docs();
    env.write(".hidden.md", "A zanzibar spice merchant.");
    env.write(".git/x.md", "The quokka smiled at the camera.");
    let out = env.index();
    assert!(out.stderr.contains("added 2,"), "{}", out.stderr);
    assert!(
        out.stderr.contains("skipped 0 files"),
        "hidden files are not counted: {}",
        out.stderr
    );
    env.search(&["zanzibar"]).assert_code(1);
    env.search(&["quokka"]).assert_code(1);
}

#[test]
fn environment_variables_give_the_corpus_and_index() {
    let env = two_docs();
    let elsewhere = env.root().join("elsewhere");
    let out = run(env
        .command()
        .env("QUARRY_CORPUS", env.corpus())
        .env("QUARRY_INDEX", &elsewhere)
        .arg("index"));
    out.assert_code(0);
    assert!(elsewhere.join("meta.json").is_file(), "{out:#?}");
    assert!(!env.index_dir().exists());

    let out = run(env
        .command()
        .env("QUARRY_CORPUS", "no-such-corpus")
        .env("QUARRY_INDEX", &elsewhere)
        .args(["search", "--color", "never", "barge"]));
    out.assert_code(0);
    assert!(out.stdout.contains("notes/marble.md"), "{out:#?}");
}

#[test]
fn flags_override_environment_variables() {
    let env = two_docs();
    let bogus = env.root().join("bogus-index");
    let out = run(env
        .command()
        .env("QUARRY_CORPUS", env.root().join("no-such-corpus"))
        .env("QUARRY_INDEX", &bogus)
        .arg("index")
        .arg("--corpus")
        .arg(env.corpus())
        .arg("--index")
        .arg(env.index_dir()));
    out.assert_code(0);
    assert!(env.index_dir().join("meta.json").is_file(), "{out:#?}");
    assert!(!bogus.exists());
}

#[test]
fn an_unreadable_file_is_named_in_a_warning_and_the_rest_is_indexed() {
    use std::os::unix::fs::PermissionsExt;
    let env = two_docs();
    env.write("locked.txt", "The vault combination is secret.");
    let locked = env.corpus().join("locked.txt");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        // Running as root: permissions do not stop reading.
        return;
    }
    let out = env.run_index();
    out.assert_code(0);
    let warnings = out.stderr_lines("warning:");
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    assert!(warnings[0].contains("locked.txt"), "{}", warnings[0]);
    assert!(out.stderr.contains("added 2,"), "{}", out.stderr);
    assert!(out.stderr.contains("1 file unreadable"), "{}", out.stderr);
    env.search(&["barge"]).assert_code(0);
}

#[test]
fn invalid_utf8_warns_and_the_file_is_still_searchable() {
    let env = two_docs();
    env.write_bytes("latin1.txt", b"Caf\xe9 owners met the bazooka salesman.");
    let out = env.index();
    let warnings = out.stderr_lines("warning:");
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    assert!(warnings[0].contains("latin1.txt"), "{}", warnings[0]);
    assert!(warnings[0].contains("UTF-8"), "{}", warnings[0]);
    assert!(out.stderr.contains("added 3,"), "{}", out.stderr);
    let (hits, _) = env.search_json(&["bazooka"]);
    assert_eq!(paths(&hits), ["latin1.txt"]);
    assert!(
        hits[0].text.starts_with("Caf\u{FFFD} owners"),
        "{}",
        hits[0].text
    );
}

const ARTICLE: &str = "---
title: Five Officers Indicted
date: 2014-05-19
source: Justice Department
url: https://example.com/indictment
---

# Charges filed

The **grand jury** charged five officers with stealing [pipe designs](https://example.com/pipes) from the plant.
";

#[test]
fn markdown_front_matter_fills_the_hit_metadata() {
    let env = TestEnv::new(&[("indictment.md", ARTICLE)]);
    let (hits, _) = env.search_json(&["jury"]);
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.title, "Five Officers Indicted");
    assert_eq!(hit.date.as_deref(), Some("2014-05-19"));
    assert_eq!(hit.source.as_deref(), Some("Justice Department"));
    assert_eq!(hit.url.as_deref(), Some("https://example.com/indictment"));
}

#[test]
fn markdown_markup_never_reaches_hit_text() {
    let env = TestEnv::new(&[("indictment.md", ARTICLE)]);
    let (hits, _) = env.search_json(&["--any", "charges jury designs officers"]);
    assert!(!hits.is_empty());
    let all: String = hits
        .iter()
        .map(|h| h.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for markup in ["**", "#", "](", "example.com/pipes", "---", "title:"] {
        assert!(!all.contains(markup), "{markup:?} in {all:?}");
    }
    assert!(all.contains("grand jury"), "{all:?}");
    assert!(
        all.contains("stealing pipe designs from the plant"),
        "{all:?}"
    );
    assert!(
        all.contains("Charges filed"),
        "the heading words stay: {all:?}"
    );
}

#[test]
fn plain_text_without_metadata_has_null_fields_and_file_name_title() {
    let env = TestEnv::new(&[("field-notes.txt", "Basalt columns line the shore.")]);
    let (hits, _) = env.search_json(&["basalt"]);
    assert_eq!(hits[0].title, "field-notes");
    assert_eq!(
        (&hits[0].date, &hits[0].source, &hits[0].url),
        (&None, &None, &None)
    );
}

/// About 1,500 words of varied sentences, one line per sentence, no blank
/// line; every sentence has "granite".
fn long_text() -> String {
    let subjects = [
        "The old mason",
        "A young surveyor",
        "Every traveller",
        "The river pilot",
        "Our neighbour",
    ];
    let verbs = [
        "carried",
        "measured",
        "painted",
        "admired",
        "described",
        "sold",
    ];
    let objects = [
        "a granite block",
        "the granite ledge",
        "granite dust",
        "a slab of granite",
    ];
    let places = [
        "near the harbour",
        "behind the mill",
        "along the northern ridge",
        "in the market square",
    ];
    let times = [
        "at dawn",
        "before the storm",
        "during the long winter",
        "after the festival",
    ];
    let mut text = String::new();
    let mut words = 0;
    let mut i = 0;
    while words < 1500 {
        let sentence = format!(
            "{} {} {} {} {}, said witness number {i}.",
            subjects[i % subjects.len()],
            verbs[(i / 2) % verbs.len()],
            objects[(i / 3) % objects.len()],
            places[(i / 5) % places.len()],
            times[(i / 7) % times.len()],
        );
        words += sentence.split_whitespace().count();
        text.push_str(&sentence);
        text.push('\n');
        i += 1;
    }
    text
}

#[test]
fn a_long_text_without_blank_lines_is_cut_into_passages() {
    let text = long_text();
    let env = TestEnv::new(&[("long.txt", &text)]);
    let (mut hits, summary) = env.search_json(&["--limit", "100", "--per-doc", "0", "granite"]);
    assert_eq!(summary.total_hits, hits.len());
    // At most 200 words a passage: 1,500 words make at least 8.
    assert!(hits.len() >= 8, "only {} passages", hits.len());
    hits.sort_by_key(|h| h.passage);
    let numbers: Vec<u64> = hits.iter().map(|h| h.passage).collect();
    assert_eq!(numbers, (0..hits.len() as u64).collect::<Vec<_>>());
    for pair in hits.windows(2) {
        assert!(
            pair[0].end <= pair[1].start,
            "{}..{} then {}..{}",
            pair[0].start,
            pair[0].end,
            pair[1].start,
            pair[1].end
        );
        assert!(pair[0].start < pair[1].start);
    }
    for hit in &hits {
        let range = hit.start as usize..hit.end as usize;
        assert_eq!(hit.text, text[range], "passage {}", hit.passage);
    }
}

#[test]
fn an_index_inside_the_corpus_is_not_indexed_itself() {
    let env = two_docs();
    let inside = env.corpus().join("idx");
    let args = ["index", "--corpus", "corpus", "--index", "corpus/idx"];
    env.run(&args).assert_code(0);
    assert!(inside.join("meta.json").is_file());
    // The second run walks a corpus that now holds the index files.
    let out = env.run(&args);
    out.assert_code(0);
    assert!(
        out.stderr
            .contains("added 0, updated 0, removed 0, unchanged 2 (2 passages)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("skipped 0 files"), "{}", out.stderr);
}

#[test]
fn a_directory_that_is_not_an_index_is_never_written() {
    let env = two_docs();
    let junk = env.root().join("junk");
    std::fs::create_dir(&junk).expect("mkdir");
    std::fs::write(junk.join("thesis.txt"), "my only copy").expect("write");
    let out = env.run(&["index", "--corpus", "corpus", "--index", "junk"]);
    out.assert_code(2);
    let errors = out.stderr_lines("error:");
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(errors[0].contains("junk"), "{}", errors[0]);
    let left: Vec<_> = std::fs::read_dir(&junk).expect("read junk").collect();
    assert_eq!(left.len(), 1, "only the user's file is there");
}

#[test]
fn reindexing_forgets_deleted_files() {
    let env = two_docs();
    env.index();
    env.search(&["barge"]).assert_code(0);
    std::fs::remove_file(env.corpus().join("notes/marble.md")).expect("remove");
    let out = env.index();
    assert!(
        out.stderr.contains("removed 1, unchanged 1"),
        "{}",
        out.stderr
    );
    env.search(&["barge"]).assert_code(1);
}

/// A text file is read a chunk of paragraphs at a time (not held whole):
/// the passages, their byte ranges and their text are those of the whole
/// file, across chunk ends too.
#[test]
fn a_text_file_larger_than_a_read_chunk_is_indexed_as_a_whole_file_would_be() {
    let mut text = String::from("The Long Ledger\n\n");
    let mut n = 0;
    while text.len() < 3 * quarry::corpus::text::CHUNK {
        let words = 20 + n % 300; // short paragraphs packed, long ones cut
        let body: Vec<String> = (0..words)
            .map(|w| format!("w{}", (n * 7 + w) % 50))
            .collect();
        text.push_str(&format!("Entry k{n}q. {}.\n\n", body.join(" ")));
        n += 1;
    }
    let env = TestEnv::new(&[("ledger.txt", &text)]);
    let report = env.index_json(&[]);
    let expected = quarry::passage::split(&text, &[], quarry::passage::Bounds::default());
    assert_eq!(report.passages, expected.len() as u64);
    for k in [0, n / 2, n - 1] {
        let (hits, _) = env.search_json(&[&format!("k{k}q")]);
        let [hit] = hits.as_slice() else {
            panic!("k{k}q: {hits:?}")
        };
        assert_eq!(hit.title, "The Long Ledger");
        let range = &expected[hit.passage as usize];
        assert_eq!((hit.start, hit.end), (range.start as u64, range.end as u64));
        assert_eq!(hit.text, text[range.clone()], "k{k}q");
    }
}
