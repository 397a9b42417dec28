//! Replays the saved fuzzing corpus through the pure front ends.
//!
//! `fuzz/corpus/<target>/` holds inputs for the cargo-fuzz targets of
//! `fuzz/fuzz_targets/`; each test here runs every saved input of one
//! target through the same checks as the target, on stable, so `cargo
//! test` catches a regression without a fuzzer. Each input runs in a child
//! process, so that one that overflows the stack fails its test rather
//! than aborting the whole run; a test fails naming every input that
//! panicked or aborted, with the message. Proptests of the query planner
//! and the passage splitter follow.

use std::ops::Range;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use quarry::corpus::{ExtractOptions, Format, normalize_date};
use quarry::output::sanitize;
use quarry::passage::{Bounds, size, split};
use quarry::schema::TextField;
use quarry::search::highlight::{Analyzers, Highlight, highlight};
use quarry::search::plan::{Mode, Node, PrefixExpander, plan, prefix_stems};
use quarry::search::window::{WINDOW_CHARS, window};

/// The saved inputs of a fuzz target, sorted by name; at least `min`.
fn inputs(target: &str, min: usize) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    found.sort();
    assert!(
        found.len() >= min,
        "{}: {} inputs, expected at least {min}",
        dir.display(),
        found.len()
    );
    found
}

/// Names the one input a child process replays (see [`replay`]).
const INPUT_VAR: &str = "QUARRY_REPLAY_INPUT";

/// Runs `check` on every saved input of `target`, each in a child process
/// (this test binary, running only `test`), so that an input that aborts
/// (a stack overflow) fails this test instead of killing the whole run.
/// Fails naming every input that panicked or aborted, with its message.
fn replay(target: &str, test: &str, min: usize, check: fn(&[u8])) {
    if let Some(path) = std::env::var_os(INPUT_VAR) {
        let bytes = std::fs::read(&path).expect("a readable corpus file");
        check(&bytes);
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let failures: Vec<String> = inputs(target, min)
        .iter()
        .filter_map(|path| {
            let out = std::process::Command::new(&exe)
                .args([&format!("replay::{test}"), "--exact", "--nocapture"])
                .arg("--test-threads=1")
                .env(INPUT_VAR, path)
                .env("RUST_BACKTRACE", "0")
                .output()
                .expect("the test binary runs");
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let ran = String::from_utf8_lossy(&out.stdout).contains(" 1 passed;");
            match (out.status.success(), ran) {
                (true, true) => return None,
                (true, false) => return Some(format!("{name}: no test named replay::{test}")),
                (false, _) => {}
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            let message: Vec<&str> = stderr
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with("note:"))
                .collect();
            Some(format!(
                "{name} ({}):\n  {}",
                out.status,
                message.join("\n  ")
            ))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{target}: {} input(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Expands a prefix over a list of words, as an index would.
struct Vocabulary(Vec<String>);

impl PrefixExpander for Vocabulary {
    fn expand(
        &self,
        _field: TextField,
        prefix: &str,
    ) -> quarry::error::Result<(Vec<String>, bool)> {
        let found: Vec<String> = prefix_stems(self.0.iter().map(String::as_str), prefix)
            .into_iter()
            .collect();
        let truncated = found.len() > 50;
        Ok((found.into_iter().take(50).collect(), truncated))
    }
}

fn fixed_vocabulary() -> Vocabulary {
    let words = "alpha alpine beta intrusion intruders network zürich";
    Vocabulary(words.split(' ').map(str::to_string).collect())
}

fn leaves_in_range(node: &Node, leaves: usize) -> bool {
    match node {
        Node::Leaf(id) => *id < leaves,
        Node::Bool(clauses) => clauses.iter().all(|(_, n)| leaves_in_range(n, leaves)),
        Node::Boost(inner, _) => leaves_in_range(inner, leaves),
        Node::All | Node::Filter(_) => true,
    }
}

/// The `query` target: Ok or Err in both modes, and only known leaves.
fn check_query_str(query: &str) {
    let vocabulary = fixed_vocabulary();
    for mode in [Mode::All, Mode::Any] {
        if let Ok(p) = plan(query, mode, &vocabulary) {
            assert!(leaves_in_range(&p.root, p.leaves.len()), "{query:?}: {p:?}");
        }
    }
}

fn check_query(data: &[u8]) {
    check_query_str(&String::from_utf8_lossy(data));
}

fn check_range(text: &str, r: &Range<usize>) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{r:?} outside {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{r:?} not on char boundaries"
    );
}

/// The `passage` target's checks for one split.
fn check_split(text: &str, breaks: &[usize]) {
    let bounds = Bounds::default();
    let mut prev_end = 0;
    for r in &split(text, breaks, bounds) {
        check_range(text, r);
        assert!(
            prev_end <= r.start && r.start < r.end,
            "{r:?} after {prev_end}"
        );
        let slice = &text[r.clone()];
        assert_eq!(slice, slice.trim(), "{r:?} is not trimmed");
        assert!(size(slice) <= bounds.max, "{r:?} is over the size bound");
        for &b in breaks.iter().filter(|&&b| text.is_char_boundary(b)) {
            assert!(!(r.start < b && b < r.end), "{r:?} spans the break at {b}");
        }
        prev_end = r.end;
    }
}

/// The `passage` target: breaks at lines starting with `#`, plus two
/// offsets that may fall inside a char (to be ignored).
fn check_passage(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut breaks: Vec<usize> = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .filter(|&i| text[i..].starts_with('#'))
        .chain([text.len() / 3, text.len() / 2])
        .collect();
    breaks.sort_unstable();
    breaks.dedup();
    check_split(&text, &breaks);
}

fn check_marks(text: &str, marks: &[Highlight]) {
    let mut prev_end = None;
    for h in marks {
        check_range(text, &h.range);
        assert!(h.range.start < h.range.end, "empty {:?}", h.range);
        assert!(
            prev_end.is_none_or(|e| e < h.range.start),
            "{:?} not after {prev_end:?}",
            h.range
        );
        prev_end = Some(h.range.end);
    }
}

/// The `highlight` target: `query\ntitle\nbody`.
fn check_highlight(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let mut parts = input.splitn(3, '\n');
    let query = parts.next().unwrap_or("");
    let title = parts.next().unwrap_or("");
    let body = parts.next().unwrap_or("");
    let mut analyzers = Analyzers::default();
    let title_tokens = analyzers.tokens(title);
    let body_tokens = analyzers.tokens(body);
    let mut words: Vec<String> = title_tokens
        .iter()
        .chain(&body_tokens)
        .map(|t| t.word.clone())
        .collect();
    words.sort_unstable();
    words.dedup();
    for mode in [Mode::All, Mode::Any] {
        let Ok(p) = plan(query, mode, &Vocabulary(words.clone())) else {
            continue;
        };
        let marks = highlight(&p, &title_tokens, &body_tokens);
        if !marks.matched {
            assert!(marks.title.is_empty() && marks.body.is_empty());
        }
        check_marks(title, &marks.title);
        check_marks(body, &marks.body);
        let weights: Vec<f32> = (0..p.leaves.len()).map(|i| 0.5 + i as f32).collect();
        for budget in [WINDOW_CHARS, 10, 1, 0] {
            check_range(body, &window(body, &marks.body, &weights, budget).range);
        }
    }
}

/// The `extract_*` targets: no panic; a title; breaks inside the text.
fn check_extract(format: Format, file_name: &str, data: &[u8]) {
    let Ok(extracted) = format.extract(data, file_name, &ExtractOptions::default()) else {
        return;
    };
    for doc in &extracted.documents {
        assert!(!doc.meta.title.is_empty(), "empty title");
        for &b in &doc.breaks {
            assert!(
                b <= doc.text.len() && doc.text.is_char_boundary(b),
                "break {b}"
            );
        }
    }
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS`, then `Z`.
fn is_iso_shape(iso: &str) -> bool {
    let shape: String = iso
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    let shapes = ["9999", "9999-99", "9999-99-99", "9999-99-99T99:99:99"];
    shapes.contains(&shape.as_str()) || shape == "9999-99-99T99:99:99Z"
}

/// The `date` target: a date's ISO form has one of the documented shapes
/// and normalises to the same date.
fn check_date(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(date) = normalize_date(&text) {
        assert!(
            is_iso_shape(&date.iso),
            "{text:?} gave {date:?}: not ISO 8601"
        );
        let again = normalize_date(&date.iso);
        assert_eq!(
            again.as_ref(),
            Some(&date),
            "{text:?} gave {date:?}, which gives {again:?}"
        );
        let _ = date.end_seconds();
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The `sanitize` target: no control, no bidi control, single spaces only.
fn check_sanitize(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let out = sanitize::line(&text);
    for c in out.chars() {
        assert!(!c.is_control(), "control {c:?} in {out:?}");
        assert!(!is_bidi_control(c), "bidi control {c:?} in {out:?}");
        assert!(
            c == ' ' || !c.is_whitespace(),
            "whitespace {c:?} in {out:?}"
        );
    }
    assert!(!out.contains("  "), "double space in {out:?}");
}

#[test]
fn replay_query_corpus() {
    replay("query", "replay_query_corpus", 20, check_query);
}

#[test]
fn replay_passage_corpus() {
    replay("passage", "replay_passage_corpus", 10, check_passage);
}

#[test]
fn replay_highlight_corpus() {
    replay("highlight", "replay_highlight_corpus", 10, check_highlight);
}

#[test]
fn replay_extract_text_corpus() {
    replay("extract_text", "replay_extract_text_corpus", 10, |data| {
        check_extract(Format::Text, "fuzz.txt", data);
    });
}

#[test]
fn replay_extract_markdown_corpus() {
    replay(
        "extract_markdown",
        "replay_extract_markdown_corpus",
        10,
        |data| {
            check_extract(Format::Markdown, "fuzz.md", data);
        },
    );
}

#[test]
fn replay_extract_html_corpus() {
    replay("extract_html", "replay_extract_html_corpus", 10, |data| {
        if data.len() <= 64 * 1024 {
            check_extract(Format::Html, "fuzz.html", data);
        }
    });
}

#[test]
fn replay_extract_jsonl_corpus() {
    replay("extract_jsonl", "replay_extract_jsonl_corpus", 10, |data| {
        check_extract(Format::Jsonl, "fuzz.jsonl", data);
    });
}

#[test]
fn replay_date_corpus() {
    replay("date", "replay_date_corpus", 10, check_date);
}

#[test]
fn replay_sanitize_corpus() {
    replay("sanitize", "replay_sanitize_corpus", 10, check_sanitize);
}

/// Query-like text: the grammar's operators among short words.
fn query_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("AND".to_string()),
        Just("OR".to_string()),
        Just("NOT".to_string()),
        Just("title:".to_string()),
        Just("body:".to_string()),
        Just("date:".to_string()),
        Just("source:".to_string()),
        Just("date:[2018 TO 2019]".to_string()),
        Just("\"".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("*".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just(" ".to_string()),
        "~[0-9]{1,12}",
        "\\^[0-9.e]{1,5}",
        "[a-zé]{1,6}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn plan_never_panics_on_any_string(query in any::<String>()) {
        check_query_str(&query);
    }

    #[test]
    fn plan_never_panics_on_operator_soup(query in r#"["()*~^:a-z \-]{0,60}"#) {
        check_query_str(&query);
    }

    #[test]
    fn plan_never_panics_on_query_like_text(query in query_like()) {
        check_query_str(&query);
    }

    #[test]
    fn split_holds_its_invariants_on_any_string(
        text in any::<String>(),
        breaks in prop::collection::vec(0usize..400, 0..4),
    ) {
        let mut breaks = breaks;
        breaks.sort_unstable();
        check_split(&text, &breaks);
    }

    #[test]
    fn split_holds_its_invariants_on_text_like_strings(
        text in "([a-zA-Z]{1,20}|[ \n\r\t]|\\. |#|。|日本語|e\u{301}|\u{feff}|\u{2028}){0,400}",
        breaks in prop::collection::vec(0usize..2000, 0..6),
    ) {
        let mut breaks = breaks;
        breaks.sort_unstable();
        check_split(&text, &breaks);
    }
}
