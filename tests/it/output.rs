//! Human output: its layout, colour, safety on a terminal, and a reader
//! that goes away early.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::harness::{TestEnv, run};

const LIGHTHOUSE: &str = "The lighthouse keeper wrote in his log every evening.";

#[test]
fn human_output_is_a_header_line_then_the_passage() {
    let env = TestEnv::new(&[("keeper.txt", LIGHTHOUSE)]);
    env.index();
    let out = env.search(&["lighthouse"]);
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "1. keeper — keeper.txt#0\n   The lighthouse keeper wrote in his log every evening.\n"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("1 hit, showing 1-1 ("),
        "{}",
        out.stderr
    );
}

#[test]
fn color_always_styles_the_highlight() {
    let env = TestEnv::new(&[("keeper.txt", LIGHTHOUSE)]);
    let out = env.search(&["--color", "always", "lighthouse"]);
    out.assert_code(0);
    let at = out.stdout.find("lighthouse").expect("the word is shown");
    let (before, after) = (&out.stdout[..at], &out.stdout[at + "lighthouse".len()..]);
    let opening = &before[before.rfind('\x1b').expect("an escape before the word")..];
    assert!(
        opening.starts_with("\x1b[") && opening.ends_with('m'),
        "{:?}",
        out.stdout
    );
    assert!(
        after.starts_with("\x1b["),
        "the style ends after the word: {:?}",
        out.stdout
    );
    assert!(out.stdout.contains("keeper.txt"), "{:?}", out.stdout);
}

#[test]
fn color_never_writes_no_escape_codes() {
    let env = TestEnv::new(&[("keeper.txt", LIGHTHOUSE)]);
    let out = env.search(&["--color", "never", "lighthouse"]);
    out.assert_code(0);
    assert!(out.stdout.contains("lighthouse"), "{}", out.stdout);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
}

#[test]
fn color_auto_is_off_with_no_color_or_off_a_terminal() {
    let env = TestEnv::new(&[("keeper.txt", LIGHTHOUSE)]);
    env.index();
    let out = run(env
        .search_command(&["--color", "auto", "lighthouse"])
        .env("NO_COLOR", "1"));
    out.assert_code(0);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
    // Output to a pipe is not a terminal either.
    let out = env.search(&["--color", "auto", "lighthouse"]);
    out.assert_code(0);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);
}

#[test]
fn escapes_and_bidi_overrides_in_documents_never_reach_the_terminal() {
    let env = TestEnv::new(&[
        (
            "evil.txt",
            "Title \x1b]0;pwned\x07 here \u{202E}txt.exe\n\nAlarm \x1b[31mbells \u{202E}rang in the bravo tower.",
        ),
        (
            "name\x1b[2J.txt",
            "A bravo squad, \x1b[1mbold\x1b[0m claims.",
        ),
    ]);
    env.index();
    for color in ["never", "always"] {
        let out = env.search(&["--color", color, "bravo"]);
        out.assert_code(0);
        let shown = &out.stdout;
        assert!(!shown.contains('\u{202E}'), "--color {color}: {shown:?}");
        assert!(!shown.contains('\x07'), "--color {color}: {shown:?}");
        assert!(!shown.contains("\x1b]"), "--color {color}: {shown:?}");
        assert!(!shown.contains("\x1b[2J"), "--color {color}: {shown:?}");
        assert!(
            shown.contains("\u{FFFD}[31mbells"),
            "--color {color}: {shown:?}"
        );
        if color == "never" {
            assert!(!shown.contains('\x1b'), "{shown:?}");
        }
    }
}

/// 200 documents of about 60 words each, all with "basalt", indexed.
fn many_basalt_documents() -> TestEnv {
    let env = TestEnv::new(&[]);
    for i in 0..200 {
        let text = format!(
            "Report {i}: the basalt columns of site {i} were measured by the survey team, \
             who noted the basalt colour, the height of each column, the cracks left by \
             frost, and the moss that grows on the northern faces of the basalt where the \
             wind from the sea keeps the stone damp through most of the year, number {i}."
        );
        env.write(&format!("site-{i:03}.txt"), &text);
    }
    env.index();
    env
}

#[test]
fn a_reader_that_stops_early_ends_the_search_quietly() {
    let env = many_basalt_documents();
    for format in ["human", "json"] {
        let mut child = env
            .search_command(&["--format", format, "--limit", "1000", "basalt"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn quarry");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read a line");
        assert!(!first.is_empty(), "--format {format}: no output");
        // The reader (and the pipe) are gone now.
        let out = child.wait_with_output().expect("wait for quarry");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "--format {format}: exit {code:?}, stderr {stderr}"
        );
        assert!(
            !stderr.to_lowercase().contains("error"),
            "--format {format}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "--format {format}: {stderr}");
    }
}

#[test]
fn a_long_passage_is_shown_as_a_wrapped_window_around_the_match() {
    let filler = [
        "stone", "river", "field", "mill", "bridge", "harvest", "wagon", "lantern",
    ];
    let words = |n: usize, shift: usize| -> Vec<&str> {
        (0..n)
            .map(|i| filler[(i * 3 + shift) % filler.len()])
            .collect()
    };
    let text = format!(
        "{} the obsidian mirror {}.",
        words(90, 0).join(" "),
        words(90, 5).join(" ")
    );
    let env = TestEnv::new(&[("window.txt", &text)]);
    let out = env.search(&["obsidian"]);
    out.assert_code(0);
    let body: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert!(body.len() > 1, "{}", out.stdout);
    for line in &body {
        assert!(line.starts_with("   "), "indented: {line:?}");
        assert!(line.chars().count() <= 3 + 96, "too wide: {line:?}");
    }
    let shown = body.join(" ");
    assert!(
        shown.starts_with("   …") && shown.ends_with('…'),
        "{shown:?}"
    );
    assert!(shown.contains("the obsidian mirror"), "{shown:?}");
    assert!(
        shown.chars().count() < text.chars().count() / 2,
        "{shown:?}"
    );
}
