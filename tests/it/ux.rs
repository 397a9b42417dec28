//! The user's side of quarry: `--help` and the inspecting commands
//! (snapshots), the configuration file and its precedence, ignore files and
//! globs, per-document grouping, context, counts, paths, explanations,
//! hyperlinks, `show`, `stats`, completions, the man page, `-q` and `-v`.

use std::process::Command;

use crate::harness::{Output, TestEnv, run};

type Object = serde_json::Map<String, serde_json::Value>;

// ---------------------------------------------------------------------------
// Fixtures and helpers

/// A Markdown report of four sections (four passages) with front matter.
const ALPHA: &str = "---
title: Alpha Report
date: 2020-01-02
source: Example Wire
url: https://example.com/alpha
author: Ada Lovelace
---
# Alpha Report

The first passage talks about granite quarries in the northern hills.

# Basalt

The second passage mentions basalt columns and polished marble.

# Limestone

The third passage is about limestone caves along the river.

# Slate

The fourth passage covers slate roofs in old villages.
";

/// A plain text note with a title line and one passage.
const BETA: &str = "Beta notes\n\nGranite is hard; nothing else here matters.\n";

/// The fixed corpus of the `stats` and `show` snapshots.
fn rocks() -> TestEnv {
    TestEnv::new(&[("alpha.md", ALPHA), ("beta.txt", BETA)])
}

/// `many.md`: five passages that mention walruses (one per section);
/// `one.txt`: one passage that does.
fn walruses() -> TestEnv {
    let many: Vec<String> = (0..5)
        .map(|i| {
            format!("# Part {i}\n\nSection {i} says the walrus sleeps on ice floe number{i}.\n")
        })
        .collect();
    TestEnv::new(&[
        ("many.md", &many.join("\n")),
        ("one.txt", "One\n\nA single walrus appears here.\n"),
    ])
}

/// Runs quarry with `args` in the env's temp dir (no configuration file).
fn quarry(env: &TestEnv, args: &[&str]) -> Output {
    run(env.command().args(args))
}

/// `quarry <command> --corpus … --index … <extra>` (no configuration file).
fn inspect(env: &TestEnv, command: &str, extra: &[&str]) -> Output {
    run(&mut env.command_at(command, &env.index_dir(), extra))
}

/// The hit objects and the summary of `--format json` output.
fn json_lines(out: &Output) -> (Vec<Object>, Object) {
    let mut hits = Vec::new();
    let mut summary = None;
    for line in out.stdout.lines() {
        let object: Object = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON object ({e}): {line}"));
        match object.get("type").and_then(|t| t.as_str()) {
            Some("hit") => hits.push(object),
            Some("summary") => summary = Some(object),
            other => panic!("unexpected type {other:?}: {line}"),
        }
    }
    (hits, summary.expect("a summary line"))
}

fn str_of<'a>(object: &'a Object, key: &str) -> &'a str {
    object
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no string {key:?} in {object:?}"))
}

fn u64_of(object: &Object, key: &str) -> u64 {
    object
        .get(key)
        .and_then(|v| v.as_u64())
        .unwrap_or_else(|| panic!("no number {key:?} in {object:?}"))
}

/// The header lines of human search output (`N. title — path#n…`), as
/// printed (escape codes kept).
fn headers(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| {
            let plain = strip_escapes(l);
            let digits = plain.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && plain[digits..].starts_with(". ")
        })
        .collect()
}

/// `text` without its escape sequences: CSI (`ESC [ … letter`) and OSC
/// (`ESC ] … ESC \` or BEL).
fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' && chars.next_if_eq(&'\\').is_some() {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The stdout of `stats` with the lines that change from run to run (the
/// commit time, the size on disk) replaced by placeholders.
fn stable_stats(stdout: &str) -> String {
    stdout
        .lines()
        .map(|line| {
            if line.starts_with("last update ") {
                "last update    [TIMESTAMP]".to_string()
            } else if line.starts_with("index size ") {
                "index size     [SIZE] MiB".to_string()
            } else {
                line.to_string()
            }
        })
        .map(|line| line + "\n")
        .collect()
}

fn has_escape(text: &str) -> bool {
    text.contains('\x1b')
}

// ---------------------------------------------------------------------------
// 1. Snapshots: --help, stats, show

/// `quarry [COMMAND] --help` at a fixed width of 100 columns.
fn help(command: Option<&str>) -> String {
    let env = TestEnv::new(&[]);
    let mut cmd: Command = env.command();
    cmd.env("COLUMNS", "100").env_remove("LINES");
    if let Some(command) = command {
        cmd.arg(command);
    }
    cmd.arg("--help");
    let out = run(&mut cmd);
    out.assert_code(0);
    assert!(out.stderr.is_empty(), "{out:#?}");
    assert!(
        !has_escape(&out.stdout),
        "plain help off a terminal: {out:#?}"
    );
    out.stdout
}

#[test]
fn help_top_level() {
    let text = help(None);
    assert!(
        !text.contains("__extract-pdf"),
        "the internal command is hidden"
    );
    insta::assert_snapshot!("help_top_level", text);
}

#[test]
fn help_index() {
    insta::assert_snapshot!("help_index", help(Some("index")));
}

#[test]
fn help_watch() {
    insta::assert_snapshot!("help_watch", help(Some("watch")));
}

#[test]
fn help_status() {
    insta::assert_snapshot!("help_status", help(Some("status")));
}

#[test]
fn help_verify() {
    insta::assert_snapshot!("help_verify", help(Some("verify")));
}

#[test]
fn help_stats() {
    insta::assert_snapshot!("help_stats", help(Some("stats")));
}

#[test]
fn help_show() {
    insta::assert_snapshot!("help_show", help(Some("show")));
}

#[test]
fn help_config() {
    insta::assert_snapshot!("help_config", help(Some("config")));
}

#[test]
fn help_completions() {
    insta::assert_snapshot!("help_completions", help(Some("completions")));
}

#[test]
fn help_man() {
    insta::assert_snapshot!("help_man", help(Some("man")));
}

#[test]
fn help_search() {
    insta::assert_snapshot!("help_search", help(Some("search")));
}

#[test]
fn help_without_columns_has_the_same_fixed_width() {
    // Under a pipe, without COLUMNS, clap falls back to a fixed width: the
    // same text as at 100 columns.
    let env = TestEnv::new(&[]);
    let out = run(env
        .command()
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .args(["search", "--help"]));
    out.assert_code(0);
    assert_eq!(out.stdout, help(Some("search")));
}

#[test]
fn stats_snapshot() {
    let env = rocks();
    env.index();
    let out = inspect(&env, "stats", &[]);
    out.assert_code(0);
    assert!(out.stderr.is_empty(), "{out:#?}");
    let text = stable_stats(&out.stdout);
    assert!(text.contains("last update    [TIMESTAMP]"), "{text}");
    assert!(text.contains("index size     [SIZE] MiB"), "{text}");
    insta::assert_snapshot!("stats_human", text);
}

#[test]
fn show_document_snapshot() {
    let env = rocks();
    env.index();
    let out = inspect(&env, "show", &["alpha.md"]);
    out.assert_code(0);
    insta::assert_snapshot!("show_document", out.stdout);
}

#[test]
fn show_passage_with_context_snapshot() {
    let env = rocks();
    env.index();
    let out = inspect(&env, "show", &["alpha.md#1", "--context", "1"]);
    out.assert_code(0);
    insta::assert_snapshot!("show_passage_context", out.stdout);
}

// ---------------------------------------------------------------------------
// 2. Configuration file and precedence

/// Three documents about granite, a `./quarry.toml` choosing `idx2`, one
/// hit and colour.
fn configured() -> TestEnv {
    let env = TestEnv::new(&[
        ("a.txt", "Granite one.\n"),
        ("b.txt", "Granite two, granite again.\n"),
        ("c.txt", "Granite three is here too.\n"),
    ]);
    env.write_root(
        "quarry.toml",
        "index = \"idx2\"\nlimit = 1\ncolor = \"always\"\n",
    );
    env
}

#[test]
fn config_file_in_the_current_directory_sets_index_limit_and_color() {
    let env = configured();
    let out = run(env.command_with_config().args(["search", "granite"]));
    out.assert_code(0);
    assert!(env.root().join("idx2").is_dir(), "idx2 is made: {out:#?}");
    assert!(
        !env.index_dir().exists(),
        "the default index is not: {out:#?}"
    );
    assert_eq!(headers(&out.stdout).len(), 1, "limit = 1: {out:#?}");
    assert!(has_escape(&out.stdout), "color = always: {:?}", out.stdout);
    assert!(out.stderr.contains("3 hits, showing 1-1"), "{}", out.stderr);
}

#[test]
fn environment_beats_the_config_file_and_flags_beat_both() {
    let env = configured();
    let out = run(env
        .command_with_config()
        .env("QUARRY_INDEX", "idx3")
        .args(["search", "granite"]));
    out.assert_code(0);
    assert!(env.root().join("idx3").is_dir(), "{out:#?}");
    assert!(!env.root().join("idx2").exists(), "{out:#?}");

    let out = run(env
        .command_with_config()
        .env("QUARRY_INDEX", "idx3")
        .args(["search", "--index", "idx4", "granite"]));
    out.assert_code(0);
    assert!(env.root().join("idx4").is_dir(), "{out:#?}");
    assert!(!env.root().join("idx2").exists(), "{out:#?}");
}

#[test]
fn limit_and_color_flags_beat_the_config_file() {
    let env = configured();
    let out = run(env
        .command_with_config()
        .args(["search", "--limit", "3", "--color", "never", "granite"]));
    out.assert_code(0);
    assert_eq!(headers(&out.stdout).len(), 3, "{out:#?}");
    assert!(!has_escape(&out.stdout), "{:?}", out.stdout);
    // A flag equal to the default still counts as given.
    let out = run(env
        .command_with_config()
        .args(["search", "--limit", "10", "granite"]));
    out.assert_code(0);
    assert_eq!(headers(&out.stdout).len(), 3, "{out:#?}");
}

/// The `quarry config` line of `key`: (value, origin).
fn config_row(stdout: &str, key: &str) -> (String, String) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(key) && l[key.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no {key:?} line in:\n{stdout}"));
    let rest = line[key.len()..].trim_start();
    let (value, origin) = rest
        .rsplit_once("  (")
        .unwrap_or_else(|| panic!("no origin in {line:?}"));
    (
        value.to_string(),
        origin.strip_suffix(')').unwrap_or(origin).to_string(),
    )
}

#[test]
fn config_command_names_each_settings_origin() {
    let env = configured();
    let out = run(env
        .command_with_config()
        .env("QUARRY_INDEX", "from-env")
        .args(["config", "--corpus", "elsewhere"]));
    out.assert_code(0);
    let row = |key| config_row(&out.stdout, key);
    assert_eq!(
        row("corpus"),
        ("elsewhere".into(), "command line".into()),
        "{}",
        out.stdout
    );
    assert_eq!(
        row("index"),
        ("from-env".into(), "environment (QUARRY_INDEX)".into())
    );
    assert_eq!(
        row("limit"),
        ("1".into(), "config file (quarry.toml)".into())
    );
    assert_eq!(
        row("color"),
        ("always".into(), "config file (quarry.toml)".into())
    );
    assert_eq!(row("include"), ("[]".into(), "default".into()));
    assert_eq!(row("language"), ("english".into(), "default".into()));
    assert_eq!(row("config file").0, "quarry.toml");

    // Without the environment variable, the file's index; without the
    // flag, the default corpus.
    let out = run(env.command_with_config().arg("config"));
    out.assert_code(0);
    let row = |key| config_row(&out.stdout, key);
    assert_eq!(
        row("index"),
        ("idx2".into(), "config file (quarry.toml)".into())
    );
    assert_eq!(row("corpus"), ("corpus".into(), "default".into()));
}

#[test]
fn quarry_config_names_another_file_and_empty_disables_files() {
    let env = configured();
    env.write_root("conf/other.toml", "index = \"idx5\"\n");
    let out = run(env
        .command_with_config()
        .env("QUARRY_CONFIG", "conf/other.toml")
        .args(["search", "granite"]));
    out.assert_code(0);
    assert!(env.root().join("idx5").is_dir(), "{out:#?}");
    assert!(!env.root().join("idx2").exists(), "{out:#?}");
    assert_eq!(headers(&out.stdout).len(), 3, "no limit from quarry.toml");
    assert!(!has_escape(&out.stdout), "no colour from quarry.toml");
    let out = run(env
        .command_with_config()
        .env("QUARRY_CONFIG", "conf/other.toml")
        .arg("config"));
    assert_eq!(
        config_row(&out.stdout, "index"),
        ("idx5".into(), "config file (conf/other.toml)".into())
    );

    // Empty: no file at all, not even ./quarry.toml.
    let out = run(env
        .command_with_config()
        .env("QUARRY_CONFIG", "")
        .args(["search", "granite"]));
    out.assert_code(0);
    assert!(env.index_dir().is_dir(), "the default index: {out:#?}");
    assert!(!env.root().join("idx2").exists(), "{out:#?}");
    assert_eq!(headers(&out.stdout).len(), 3);
    let out = run(env
        .command_with_config()
        .env("QUARRY_CONFIG", "")
        .arg("config"));
    assert_eq!(config_row(&out.stdout, "config file").0, "none");
    assert_eq!(
        config_row(&out.stdout, "index"),
        ("index".into(), "default".into())
    );
}

#[test]
fn the_user_config_directory_is_read_when_there_is_no_local_file() {
    let env = TestEnv::new(&[("a.txt", "Granite one.\n")]);
    env.write_root("xdg/quarry/quarry.toml", "index = \"idx-user\"\n");
    let out = run(env.command_with_config().args(["search", "granite"]));
    out.assert_code(0);
    assert!(env.root().join("idx-user").is_dir(), "{out:#?}");
    // A local file wins over the user's.
    env.write_root("quarry.toml", "index = \"idx-local\"\n");
    let out = run(env.command_with_config().args(["search", "granite"]));
    out.assert_code(0);
    assert!(env.root().join("idx-local").is_dir(), "{out:#?}");
}

/// Runs `args` with `text` as `./quarry.toml`; checks exit 2 and one
/// `error: config file quarry.toml: …` line that contains `says`.
fn assert_config_error(text: &str, says: &str, args: &[&str]) {
    let env = TestEnv::new(&[("a.txt", "Granite one.\n")]);
    env.write_root("quarry.toml", text);
    let out = run(env.command_with_config().args(args));
    assert_eq!(out.code, 2, "{text:?} {args:?}: {out:#?}");
    let errors = out.stderr_lines("error: config file quarry.toml");
    assert_eq!(errors.len(), 1, "{text:?} {args:?}: {out:#?}");
    assert!(errors[0].contains(says), "{text:?} {args:?}: {errors:?}");
    assert!(out.stdout.is_empty(), "{out:#?}");
    assert!(
        !env.index_dir().exists(),
        "{text:?} {args:?}: nothing built"
    );
}

#[test]
fn an_invalid_config_file_is_exit_2_naming_it() {
    for (text, says) in [
        ("index = \"idx2\"\nbogus = 1\n", "bogus"),
        ("language = \"french\"\n", "french"),
        ("limit = \"ten\"\n", "\"ten\""),
        ("index = \n", "quarry.toml"),
        (
            "[passage]\nmin = 1\ntarget = 2\nmax = 3\nextra = 4\n",
            "extra",
        ),
    ] {
        for args in [
            &["index"][..],
            &["search", "granite"],
            &["config"],
            &["stats"],
        ] {
            assert_config_error(text, says, args);
        }
    }
    // Values checked where they are used.
    assert_config_error(
        "color = \"sometimes\"\n",
        "sometimes",
        &["search", "granite"],
    );
    for args in [&["index"][..], &["status"]] {
        assert_config_error(
            "[passage]\nmin = 50\ntarget = 10\nmax = 200\n",
            "[passage]",
            args,
        );
        assert_config_error("include = [\"a/[\"]\n", "a/[", args);
        assert_config_error("exclude = [\"{a\"]\n", "{a", args);
    }
    // A missing named file is an error too, not a silent default.
    let env = TestEnv::new(&[]);
    let out = run(env
        .command_with_config()
        .env("QUARRY_CONFIG", "no/such.toml")
        .arg("config"));
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("no/such.toml"), "{out:#?}");
}

#[test]
fn a_config_type_error_names_the_key() {
    assert_config_error("color = \"never\"\nlimit = \"ten\"\n", "limit", &["config"]);
}

#[test]
fn the_first_search_checks_the_config_reading_options() {
    assert_config_error("include = [\"a/[\"]\n", "a/[", &["search", "granite"]);
    assert_config_error(
        "[passage]\nmin = 50\ntarget = 10\nmax = 200\n",
        "[passage]",
        &["search", "granite"],
    );
}

#[test]
fn verify_uses_the_index_of_the_config_file() {
    let env = configured();
    let out = run(env.command_with_config().arg("index"));
    out.assert_code(0);
    assert!(env.root().join("idx2").is_dir());
    let out = run(env.command_with_config().arg("verify"));
    assert_eq!(
        out.code, 0,
        "verify should check idx2 (quarry.toml), as index and search do: {out:#?}"
    );
}

// ---------------------------------------------------------------------------
// 3. Ignore files and globs

fn zebras() -> TestEnv {
    TestEnv::new(&[
        ("a.md", "Zebra one.\n"),
        ("notes/b.md", "Zebra two.\n"),
        ("c.txt", "Zebra three.\n"),
        ("drafts/d.md", "Zebra four.\n"),
        ("e.tmp.md", "Zebra five.\n"),
        ("deep/drafts/f.md", "Zebra six.\n"),
    ])
}

fn matching_paths(env: &TestEnv) -> Vec<String> {
    let out = env.search(&["--format", "paths", "zebra"]);
    assert!(out.code == 0 || out.code == 1, "{out:#?}");
    let mut paths: Vec<String> = out.stdout.lines().map(str::to_string).collect();
    paths.sort();
    paths
}

#[test]
fn quarryignore_keeps_files_out_until_its_rule_is_removed() {
    let env = zebras();
    env.write(".quarryignore", "drafts/\n*.tmp.md\n");
    let report = env.index_json(&[]);
    assert_eq!(report.added, 3, "{report:?}");
    assert_eq!(
        report.skipped, 0,
        "ignored files are not counted: {report:?}"
    );
    assert_eq!(matching_paths(&env), ["a.md", "c.txt", "notes/b.md"]);
    let stats = inspect(&env, "stats", &["--format", "json"]);
    let stats: serde_json::Value = serde_json::from_str(&stats.stdout).expect("stats JSON");
    assert_eq!(stats["documents"], 3, "{stats}");
    assert_eq!(stats["files"], 3, "{stats}");
    let out = inspect(&env, "config", &[]);
    assert!(
        config_row(&out.stdout, "ignore file")
            .0
            .ends_with(".quarryignore"),
        "{}",
        out.stdout
    );
    // `status` sees the same corpus.
    assert!(env.status_json(&[]).is_clean());

    // Drop the *.tmp.md rule: that file comes in.
    env.write(".quarryignore", "drafts/\n");
    let status = env.status_json(&[]);
    assert_eq!(status.added, ["e.tmp.md"], "{status:?}");
    let report = env.index_json(&[]);
    assert_eq!((report.added, report.removed), (1, 0), "{report:?}");
    assert_eq!(
        matching_paths(&env),
        ["a.md", "c.txt", "e.tmp.md", "notes/b.md"]
    );

    // No ignore file: every drafts/ folder comes in.
    env.remove(".quarryignore");
    let report = env.index_json(&[]);
    assert_eq!((report.added, report.removed), (2, 0), "{report:?}");
    assert_eq!(matching_paths(&env).len(), 6);

    // A rule added back takes its files out again.
    env.write(".quarryignore", "drafts/\n");
    let report = env.index_json(&[]);
    assert_eq!((report.added, report.removed), (0, 2), "{report:?}");
    assert_eq!(matching_paths(&env).len(), 4);
}

#[test]
fn config_include_and_exclude_restrict_the_corpus() {
    let env = zebras();
    env.write_root(
        "quarry.toml",
        "include = [\"**/*.md\"]\nexclude = [\"notes/**\"]\n",
    );
    let out = run(env
        .command_with_config()
        .args(["index", "--format", "json"]));
    out.assert_code(0);
    let report = out.index_report();
    assert_eq!(report.added, 4, "{report:?}");
    let out = run(env
        .command_with_config()
        .args(["search", "--format", "paths", "zebra"]));
    out.assert_code(0);
    let mut paths: Vec<&str> = out.stdout.lines().collect();
    paths.sort();
    assert_eq!(
        paths,
        ["a.md", "deep/drafts/f.md", "drafts/d.md", "e.tmp.md"]
    );
    let out = run(env.command_with_config().arg("config"));
    assert_eq!(
        config_row(&out.stdout, "exclude"),
        ("[\"notes/**\"]".into(), "config file (quarry.toml)".into())
    );

    // Without the exclude rule, notes/ comes in.
    env.write_root("quarry.toml", "include = [\"**/*.md\"]\n");
    let out = run(env
        .command_with_config()
        .args(["index", "--format", "json"]));
    out.assert_code(0);
    let report = out.index_report();
    assert_eq!((report.added, report.removed), (1, 0), "{report:?}");
    // Without any rule, the .txt file too.
    std::fs::remove_file(env.root().join("quarry.toml")).expect("remove quarry.toml");
    let out = run(env
        .command_with_config()
        .args(["index", "--format", "json"]));
    out.assert_code(0);
    let report = out.index_report();
    assert_eq!((report.added, report.removed), (1, 0), "{report:?}");
    assert_eq!(matching_paths(&env).len(), 6);
}

#[test]
fn the_first_search_builds_the_index_with_the_config_globs() {
    let env = zebras();
    env.write_root(
        "quarry.toml",
        "include = [\"**/*.md\"]\nexclude = [\"notes/**\"]\n",
    );
    // No index yet: search builds it, and must leave out what `index` would.
    let out = run(env
        .command_with_config()
        .args(["search", "--format", "paths", "zebra"]));
    out.assert_code(0);
    let mut paths: Vec<&str> = out.stdout.lines().collect();
    paths.sort();
    assert_eq!(
        paths,
        ["a.md", "deep/drafts/f.md", "drafts/d.md", "e.tmp.md"],
        "the index built by the first search ignores include/exclude: {out:#?}"
    );
}

// ---------------------------------------------------------------------------
// 4. --per-doc

#[test]
fn per_doc_2_by_default_counts_the_rest_in_the_header() {
    let env = walruses();
    env.index();
    let out = env.search(&["walrus"]);
    out.assert_code(0);
    let heads = headers(&out.stdout);
    assert_eq!(heads.len(), 3, "2 + 1 hits: {}", out.stdout);
    let many: Vec<&&str> = heads.iter().filter(|h| h.contains("many.md#")).collect();
    let one: Vec<&&str> = heads.iter().filter(|h| h.contains("one.txt#")).collect();
    assert_eq!((many.len(), one.len()), (2, 1), "{}", out.stdout);
    assert!(
        many[0].ends_with(" (+3 more in this document)"),
        "{}",
        out.stdout
    );
    assert!(!one[0].contains("more in this document"), "{}", out.stdout);
    assert!(out.stderr.contains("6 hits, showing 1-3"), "{}", out.stderr);

    let (typed, _) = env.search_json(&["walrus"]);
    for hit in &typed {
        let expected = (hit.path == "many.md").then_some(3);
        assert_eq!(hit.more_in_document, expected, "{hit:?}");
    }

    let out = env.search(&["--format", "json", "walrus"]);
    out.assert_code(0);
    let (hits, summary) = json_lines(&out);
    assert_eq!(hits.len(), 3);
    assert_eq!(summary["total_hits"], 6);
    for hit in &hits {
        if str_of(hit, "path") == "many.md" {
            assert_eq!(hit.get("more_in_document"), Some(&3.into()), "{hit:?}");
        } else {
            assert!(
                !hit.contains_key("more_in_document"),
                "absent when 0: {hit:?}"
            );
        }
    }
}

#[test]
fn per_doc_0_shows_every_passage_and_1_one_per_document() {
    let env = walruses();
    env.index();
    let out = env.search(&["--per-doc", "0", "walrus"]);
    out.assert_code(0);
    let heads = headers(&out.stdout);
    assert_eq!(heads.len(), 6, "{}", out.stdout);
    assert!(
        heads.iter().all(|h| !h.contains("more in this document")),
        "{}",
        out.stdout
    );
    let (hits, _) = json_lines(&env.search(&["--per-doc", "0", "--format", "json", "walrus"]));
    assert_eq!(hits.len(), 6);
    assert!(hits.iter().all(|h| !h.contains_key("more_in_document")));

    let out = env.search(&[
        "--per-doc",
        "1",
        "--limit",
        "2",
        "--format",
        "json",
        "walrus",
    ]);
    out.assert_code(0);
    let (hits, _) = json_lines(&out);
    let mut paths: Vec<&str> = hits.iter().map(|h| str_of(h, "path")).collect();
    paths.sort();
    assert_eq!(paths, ["many.md", "one.txt"], "{}", out.stdout);
    let many = hits
        .iter()
        .find(|h| str_of(h, "path") == "many.md")
        .expect("many.md");
    assert_eq!(many.get("more_in_document"), Some(&4.into()), "{many:?}");
}

// ---------------------------------------------------------------------------
// 5. --context

#[test]
fn context_shows_the_neighbouring_passages_around_a_hit() {
    let env = walruses();
    env.index();
    let out = env.search(&["--context", "1", "number2"]);
    out.assert_code(0);
    assert_eq!(headers(&out.stdout).len(), 1, "{}", out.stdout);
    let at = |word: &str| {
        out.stdout
            .find(word)
            .unwrap_or_else(|| panic!("{word} not shown:\n{}", out.stdout))
    };
    assert!(at("number1") < at("number2"), "{}", out.stdout);
    assert!(at("number2") < at("number3"), "{}", out.stdout);
    assert!(!out.stdout.contains("number0"), "only 1 each side");
    assert!(!out.stdout.contains("number4"), "only 1 each side");

    let out = env.search(&["--context", "1", "--format", "json", "number2"]);
    out.assert_code(0);
    let (hits, _) = json_lines(&out);
    assert_eq!(u64_of(&hits[0], "passage"), 2);
    let context = hits[0]["context"].as_array().expect("a context array");
    let numbers: Vec<u64> = context
        .iter()
        .map(|c| c["passage"].as_u64().expect("a passage number"))
        .collect();
    assert_eq!(numbers, [1, 3]);
    assert!(
        context[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Section 1 says")),
        "{context:?}"
    );
    assert!(
        context[1]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Section 3 says")),
        "{context:?}"
    );
    let (typed, _) = env.search_json(&["--context", "1", "number2"]);
    let context = typed[0].context.as_ref().expect("a context");
    let numbers: Vec<u64> = context.iter().map(|c| c.passage).collect();
    assert_eq!(numbers, [1, 3]);
    assert!(context[1].text.contains("number3"), "{context:?}");
    // Without --context the field is absent.
    let (hits, _) = json_lines(&env.search(&["--format", "json", "number2"]));
    assert!(!hits[0].contains_key("context"), "{:?}", hits[0]);
}

#[test]
fn context_at_the_edges_of_a_document_has_one_side_only() {
    let env = walruses();
    env.index();
    let (hits, _) = json_lines(&env.search(&["--context", "1", "--format", "json", "number0"]));
    let numbers: Vec<u64> = hits[0]["context"]
        .as_array()
        .expect("context")
        .iter()
        .map(|c| c["passage"].as_u64().expect("a number"))
        .collect();
    assert_eq!(numbers, [1], "{:?}", hits[0]);
    let (hits, _) = json_lines(&env.search(&["--context", "2", "--format", "json", "number4"]));
    let numbers: Vec<u64> = hits[0]["context"]
        .as_array()
        .expect("context")
        .iter()
        .map(|c| c["passage"].as_u64().expect("a number"))
        .collect();
    assert_eq!(numbers, [2, 3], "{:?}", hits[0]);
    // A one-passage document has no neighbours at all.
    let out = env.search(&["--context", "1", "single"]);
    out.assert_code(0);
    let (hits, _) = json_lines(&env.search(&["--context", "1", "--format", "json", "single"]));
    assert!(!hits[0].contains_key("context"), "{:?}", hits[0]);
    let out_plain = env.search(&["single"]);
    assert_eq!(out.stdout, out_plain.stdout);
}

// ---------------------------------------------------------------------------
// 6. --count and --format paths

#[test]
fn count_prints_only_the_number_of_matching_passages() {
    let env = walruses();
    env.index();
    let out = env.search(&["--count", "walrus"]);
    out.assert_code(0);
    assert_eq!(out.stdout, "6\n");
    assert!(out.stderr.is_empty(), "no summary line: {out:#?}");
    let out = env.search(&["-c", "--limit", "1", "--per-doc", "1", "walrus"]);
    out.assert_code(0);
    assert_eq!(out.stdout, "6\n", "limit and grouping do not matter");
    let out = env.search(&["-c", "narwhal"]);
    out.assert_code(1);
    assert_eq!(out.stdout, "0\n");
    let out = env.search(&["-c", "--format", "json", "walrus"]);
    out.assert_code(0);
    assert_eq!(out.stdout, "6\n");
}

#[test]
fn format_paths_prints_each_matching_document_once_best_first() {
    let env = TestEnv::new(&[
        // Best: the word twice in a short passage.
        ("a/best.txt", "Otter otter.\n"),
        (
            "b/weak.md",
            "# Rivers\n\nAn otter was seen once near a long river with many other animals and birds of all sorts.\n\n# More\n\nAnother otter, again far away on a long and winding river bank with reeds.\n",
        ),
        ("c/none.txt", "Nothing to see.\n"),
        ("d/mid.txt", "An otter swam by.\n"),
    ]);
    env.index();
    let out = env.search(&["--format", "paths", "otter"]);
    out.assert_code(0);
    let paths: Vec<&str> = out.stdout.lines().collect();
    // The order of first appearance in the full ranking.
    let (hits, _) = json_lines(&env.search(&["--per-doc", "0", "--format", "json", "otter"]));
    let mut expected: Vec<&str> = Vec::new();
    for hit in &hits {
        let path = str_of(hit, "path");
        if !expected.contains(&path) {
            expected.push(path);
        }
    }
    assert_eq!(paths, expected, "{}", out.stdout);
    assert_eq!(paths.len(), 3, "no duplicates: {}", out.stdout);
    assert_eq!(paths[0], "a/best.txt");
    assert!(out.stderr.is_empty(), "{out:#?}");

    let out = env.search(&["--format", "paths", "narwhal"]);
    out.assert_code(1);
    assert!(out.stdout.is_empty(), "{out:#?}");
}

// ---------------------------------------------------------------------------
// 7. --explain

#[test]
fn explain_prints_an_indented_score_breakdown() {
    let env = walruses();
    env.index();
    let out = env.search(&["--explain", "single"]);
    out.assert_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let idf = lines
        .iter()
        .find(|l| l.contains("idf"))
        .unwrap_or_else(|| panic!("an idf line:\n{}", out.stdout));
    let freq = lines
        .iter()
        .find(|l| l.contains("freq"))
        .unwrap_or_else(|| panic!("a freq line:\n{}", out.stdout));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let top = lines
        .iter()
        .find(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && indent(l) > 0)
        .expect("the root of the tree");
    assert!(indent(idf) > indent(top), "{}", out.stdout);
    assert!(indent(freq) > indent(top), "{}", out.stdout);
    // Each line of the tree starts with a value.
    for line in lines.iter().skip_while(|l| *l != top) {
        let value = line.split_whitespace().next().unwrap_or_default();
        assert!(value.parse::<f32>().is_ok(), "{line:?}");
    }
    // Without --explain, no tree.
    let plain = env.search(&["single"]);
    assert!(!plain.stdout.contains("idf"), "{}", plain.stdout);
}

fn check_explain_values(env: &TestEnv, query: &[&str]) {
    let out = env.search(&[&["--explain", "--format", "json"], query].concat());
    out.assert_code(0);
    let (hits, _) = json_lines(&out);
    assert!(!hits.is_empty(), "{out:#?}");
    for hit in &hits {
        let score = hit["score"].as_f64().expect("a score");
        let explain = hit["explain"].as_object().expect("an explain object");
        let value = explain["value"].as_f64().expect("a value");
        assert!(
            (score - value).abs() < 1e-4,
            "{query:?}: score {score} vs explain {value}"
        );
        assert!(explain["description"].is_string(), "{explain:?}");
        assert!(explain["details"].is_array(), "{explain:?}");
    }
}

#[test]
fn explain_json_value_equals_the_score() {
    let env = walruses();
    env.index();
    for query in [
        &["walrus"][..],
        &["part", "walrus"],
        &["\"walrus sleeps\""],
        &["walr*"],
        &["title:part", "ice"],
    ] {
        check_explain_values(&env, query);
    }
    let (hits, _) = json_lines(&env.search(&["--format", "json", "walrus"]));
    assert!(!hits[0].contains_key("explain"));
    // The tree holds the BM25 parts.
    let (typed, _) = env.search_json(&["--explain", "single"]);
    let root = typed[0].explain.as_ref().expect("an explanation");
    assert!((root.value - typed[0].score).abs() < 1e-4, "{root:?}");
    fn descriptions(node: &crate::harness::Explanation, out: &mut Vec<String>) {
        out.push(node.description.clone());
        for detail in &node.details {
            descriptions(detail, out);
        }
    }
    let mut all = Vec::new();
    descriptions(root, &mut all);
    assert!(all.iter().any(|d| d.starts_with("idf")), "{all:?}");
    assert!(all.iter().any(|d| d.starts_with("freq")), "{all:?}");
}

#[test]
fn explain_works_for_queries_with_alternatives() {
    // Each hit lacks one of the words: explaining it must not crash.
    let env = walruses();
    env.index();
    for query in [&["walrus", "OR", "single"][..], &["--any", "ice", "single"]] {
        check_explain_values(&env, query);
        let out = env.search(&[&["--explain"], query].concat());
        out.assert_code(0);
    }
}

// ---------------------------------------------------------------------------
// 8. Hyperlinks

#[test]
fn hyperlinks_always_wraps_the_header_path_in_an_osc8_link() {
    let env = walruses();
    env.index();
    let out = env.search(&["--hyperlinks", "always", "single"]);
    out.assert_code(0);
    let corpus = env.corpus().canonicalize().expect("canonical corpus");
    let url = format!("file://{}/one.txt", corpus.display());
    let opening = format!("\x1b]8;;{url}\x1b\\");
    let closing = "\x1b]8;;\x1b\\";
    let header = headers(&out.stdout)[0];
    assert!(
        header.contains(&format!("{opening}one.txt#0{closing}")),
        "{:?}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("\x1b]8;;").count(),
        2,
        "{:?}",
        out.stdout
    );
    // --color never does not turn the links off.
    assert!(!out.stdout.contains("\x1b["), "no colour: {:?}", out.stdout);
}

#[test]
fn hyperlinks_never_and_auto_on_a_pipe_write_no_link() {
    let env = walruses();
    env.index();
    for args in [
        &["--hyperlinks", "never"][..],
        &["--hyperlinks", "auto"],
        &[],
    ] {
        let out = env.search(&[args, &["single"]].concat());
        out.assert_code(0);
        assert!(!out.stdout.contains("\x1b]8"), "{args:?}: {:?}", out.stdout);
        let out = env.search(&[args, &["--color", "always", "single"]].concat());
        assert!(!out.stdout.contains("\x1b]8"), "{args:?}: {:?}", out.stdout);
    }
}

#[test]
fn hyperlinks_percent_encode_odd_characters_in_paths() {
    let env = TestEnv::new(&[
        ("my notes/ü 1.txt", "A quokka smiled.\n"),
        (
            "news.jsonl",
            "{\"id\":\"r1\",\"text\":\"A quokka in a record.\"}\n",
        ),
    ]);
    env.index();
    let out = env.search(&["--hyperlinks", "always", "quokka"]);
    out.assert_code(0);
    let corpus = env.corpus().canonicalize().expect("canonical corpus");
    let url = format!("file://{}/my%20notes/%C3%BC%201.txt", corpus.display());
    assert!(
        out.stdout.contains(&format!("\x1b]8;;{url}\x1b\\")),
        "{:?}",
        out.stdout
    );
    // A JSON Lines record links to its file.
    let url = format!("file://{}/news.jsonl", corpus.display());
    assert!(
        out.stdout
            .contains(&format!("\x1b]8;;{url}\x1b\\news.jsonl#r1#0")),
        "{:?}",
        out.stdout
    );
}

#[test]
fn hyperlinks_to_a_file_with_a_hash_in_its_name() {
    let env = TestEnv::new(&[("issue#2.md", "A quokka frowned.\n")]);
    env.index();
    let out = env.search(&["--hyperlinks", "always", "quokka"]);
    out.assert_code(0);
    let corpus = env.corpus().canonicalize().expect("canonical corpus");
    let url = format!("file://{}/issue%232.md", corpus.display());
    assert!(
        out.stdout.contains(&format!("\x1b]8;;{url}\x1b\\")),
        "{:?}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------
// 9. show

#[test]
fn show_prints_title_path_metadata_and_every_passage() {
    let env = rocks();
    env.index();
    let out = inspect(&env, "show", &["alpha.md"]);
    out.assert_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "Alpha Report");
    assert_eq!(lines[1], "alpha.md");
    for meta in [
        "date: 2020-01-02",
        "source: Example Wire",
        "url: https://example.com/alpha",
        "author: Ada Lovelace",
    ] {
        assert!(lines.contains(&meta), "{meta}:\n{}", out.stdout);
    }
    let numbers: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with('#'))
        .collect();
    assert_eq!(numbers, ["#0", "#1", "#2", "#3"], "{}", out.stdout);
    for word in ["granite", "basalt", "limestone", "slate"] {
        assert!(out.stdout.contains(word), "{word}");
    }
    // A document without metadata has no metadata lines.
    let out = inspect(&env, "show", &["beta.txt"]);
    out.assert_code(0);
    assert!(
        out.stdout.starts_with("Beta notes\nbeta.txt\n\n#0\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn show_one_passage_and_its_neighbours() {
    let env = rocks();
    env.index();
    let out = inspect(&env, "show", &["alpha.md#2"]);
    out.assert_code(0);
    let numbers: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(numbers, ["#2"], "{}", out.stdout);
    assert!(out.stdout.contains("limestone"));
    assert!(!out.stdout.contains("basalt"));
    assert!(
        out.stdout.starts_with("Alpha Report\nalpha.md\n"),
        "{}",
        out.stdout
    );

    let out = inspect(&env, "show", &["alpha.md#2", "--context", "1"]);
    out.assert_code(0);
    let numbers: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(numbers, ["#1", "#2", "#3"], "{}", out.stdout);
    let out = inspect(&env, "show", &["alpha.md#0", "-C", "1"]);
    let numbers: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(numbers, ["#0", "#1"], "{}", out.stdout);
    // With colour, the neighbours are dimmed and the passage asked for is
    // not.
    let out = inspect(
        &env,
        "show",
        &["alpha.md#2", "-C", "1", "--color", "always"],
    );
    out.assert_code(0);
    let dim = "\x1b[2m";
    let line_of = |word: &str| {
        out.stdout
            .lines()
            .find(|l| l.contains(word))
            .unwrap_or_else(|| panic!("{word}: {:?}", out.stdout))
    };
    assert!(line_of("basalt").contains(dim), "{:?}", out.stdout);
    assert!(line_of("slate").contains(dim), "{:?}", out.stdout);
    assert!(!line_of("limestone").contains(dim), "{:?}", out.stdout);
}

#[test]
fn show_query_highlights_the_matches_in_colour() {
    let env = rocks();
    env.index();
    let out = inspect(
        &env,
        "show",
        &["alpha.md", "-q", "basalt", "--color", "always"],
    );
    out.assert_code(0);
    let at = out.stdout.find("basalt").expect("the word");
    let before = &out.stdout[..at];
    let after = &out.stdout[at + "basalt".len()..];
    assert!(
        before.ends_with('m') && before.contains('\x1b'),
        "{:?}",
        out.stdout
    );
    let opening = &before[before.rfind("\x1b[").expect("an escape")..];
    assert_ne!(
        opening, "\x1b[0m",
        "a style opens before the word: {:?}",
        out.stdout
    );
    assert!(after.starts_with("\x1b["), "{:?}", out.stdout);
    // Stemming as in search: `columns` is found by `column`.
    let out = inspect(
        &env,
        "show",
        &["alpha.md", "--query", "column", "--format", "json"],
    );
    out.assert_code(0);
    let shown: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let second = &shown["passages"][1];
    let text = second["text"].as_str().expect("text");
    let [start, end] = [
        second["highlights"][0][0].as_u64().expect("start") as usize,
        second["highlights"][0][1].as_u64().expect("end") as usize,
    ];
    assert_eq!(&text[start..end], "columns");
    // Without colour, no escape codes.
    let out = inspect(
        &env,
        "show",
        &["alpha.md", "-q", "basalt", "--color", "never"],
    );
    assert!(!has_escape(&out.stdout), "{:?}", out.stdout);
}

#[test]
fn show_json_is_one_document_object() {
    let env = rocks();
    env.index();
    let out = inspect(
        &env,
        "show",
        &["alpha.md", "--format", "json", "-q", "granite"],
    );
    out.assert_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    let shown: Object = serde_json::from_str(&out.stdout).expect("a JSON object");
    let keys: Vec<&str> = shown.keys().map(String::as_str).collect();
    let mut expected = [
        "type", "path", "title", "date", "source", "url", "author", "passages",
    ];
    expected.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, expected, "{}", out.stdout);
    assert_eq!(str_of(&shown, "type"), "document");
    assert_eq!(str_of(&shown, "path"), "alpha.md");
    assert_eq!(str_of(&shown, "title"), "Alpha Report");
    assert_eq!(str_of(&shown, "date"), "2020-01-02");
    assert_eq!(str_of(&shown, "author"), "Ada Lovelace");
    let passages = shown["passages"].as_array().expect("passages");
    assert_eq!(passages.len(), 4);
    let mut previous_end = 0;
    for (i, p) in passages.iter().enumerate() {
        let p = p.as_object().expect("a passage object");
        let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["end", "highlights", "passage", "start", "text"],
            "{p:?}"
        );
        assert_eq!(u64_of(p, "passage"), i as u64);
        assert!(u64_of(p, "start") >= previous_end, "{p:?}");
        assert!(u64_of(p, "end") > u64_of(p, "start"), "{p:?}");
        previous_end = u64_of(p, "end");
    }
    let first = passages[0].as_object().expect("passage 0");
    let text = str_of(first, "text");
    let h = &first["highlights"][0];
    let (s, e) = (
        h[0].as_u64().expect("start") as usize,
        h[1].as_u64().expect("end") as usize,
    );
    assert_eq!(&text[s..e], "granite");
    assert_eq!(passages[1]["highlights"].as_array().map(Vec::len), Some(0));
    // A document without metadata: nulls, not absent keys.
    let out = inspect(&env, "show", &["beta.txt#0", "--format", "json"]);
    out.assert_code(0);
    let shown: Object = serde_json::from_str(&out.stdout).expect("a JSON object");
    assert!(
        shown["date"].is_null() && shown["author"].is_null(),
        "{shown:?}"
    );
    assert_eq!(shown["passages"].as_array().map(Vec::len), Some(1));
}

#[test]
fn show_an_unknown_document_or_passage_is_exit_2() {
    let env = rocks();
    env.index();
    let out = inspect(&env, "show", &["nope.md"]);
    out.assert_code(2);
    assert!(out.stdout.is_empty());
    let errors = out.stderr_lines("error: no document");
    assert_eq!(errors.len(), 1, "{out:#?}");
    assert!(errors[0].contains("nope.md"), "{errors:?}");

    let out = inspect(&env, "show", &["alpha.md#9"]);
    out.assert_code(2);
    assert!(out.stdout.is_empty());
    let errors = out.stderr_lines("error:");
    assert_eq!(errors.len(), 1, "{out:#?}");
    assert!(
        errors[0].contains("alpha.md") && errors[0].contains('9') && errors[0].contains("has 4"),
        "names the count: {errors:?}"
    );
    let out = inspect(&env, "show", &["alpha.md#4", "-C", "1"]);
    out.assert_code(2);
    assert!(out.stderr.contains("has 4"), "{out:#?}");
}

#[test]
fn show_format_paths_is_refused_or_prints_the_path() {
    let env = rocks();
    env.index();
    let out = inspect(&env, "show", &["alpha.md", "--format", "paths"]);
    assert!(
        out.code == 2 || (out.code == 0 && out.stdout == "alpha.md\n"),
        "{out:#?}"
    );
}

#[test]
fn show_without_an_index_says_so_with_exit_2() {
    let env = rocks();
    for command in ["show", "stats"] {
        let extra: &[&str] = if command == "show" {
            &["alpha.md"]
        } else {
            &[]
        };
        let out = inspect(&env, command, extra);
        assert_eq!(
            out.code, 2,
            "{command}: a missing index is a usage error: {out:#?}"
        );
        let errors = out.stderr_lines("error:");
        assert_eq!(errors.len(), 1, "{out:#?}");
        assert!(errors[0].contains("no index"), "{command}: {errors:?}");
        assert!(
            !errors[0].contains("DoesNotExist"),
            "no Debug text: {errors:?}"
        );
    }
}

#[test]
fn show_json_lines_records_whose_keys_hold_a_hash() {
    let env = TestEnv::new(&[(
        "news.jsonl",
        "{\"id\":\"a1\",\"title\":\"First story\",\"text\":\"The otter swam in the river all day long.\"}\n\
         {\"id\":\"7\",\"title\":\"Second story\",\"text\":\"The heron waited by the shore.\"}\n",
    )]);
    env.index();
    let out = inspect(&env, "show", &["news.jsonl#a1"]);
    out.assert_code(0);
    assert!(
        out.stdout.starts_with("First story\nnews.jsonl#a1\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("otter"));
    assert!(!out.stdout.contains("heron"));
    let out = inspect(&env, "show", &["news.jsonl#a1#0"]);
    out.assert_code(0);
    let numbers: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(numbers, ["#0"]);
    assert!(out.stdout.contains("otter"));
    let out = inspect(&env, "show", &["news.jsonl#a1#1"]);
    out.assert_code(2);
    assert!(out.stderr.contains("has 1"), "{out:#?}");
    // A record whose id is a number is not taken for a passage.
    let out = inspect(&env, "show", &["news.jsonl#7"]);
    out.assert_code(0);
    assert!(out.stdout.contains("heron"), "{out:#?}");
    let out = inspect(&env, "show", &["news.jsonl#7#0", "--format", "json"]);
    out.assert_code(0);
    let shown: Object = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(str_of(&shown, "path"), "news.jsonl#7");
    // The same key as search prints.
    let (hits, _) = json_lines(&env.search(&["--format", "json", "otter"]));
    assert_eq!(str_of(&hits[0], "path"), "news.jsonl#a1");
}

// ---------------------------------------------------------------------------
// 10. stats --format json

#[test]
fn stats_json_counts_formats_sources_dates_and_skipped_files() {
    let env = TestEnv::new(&[
        ("alpha.md", ALPHA),
        ("beta.txt", BETA),
        (
            "later.md",
            "---\ntitle: Later\ndate: 2021-06-30\nsource: Example Wire\n---\nGranite again, later.\n",
        ),
        (
            "news.jsonl",
            "{\"id\":\"a\",\"text\":\"Otters.\",\"date\":\"2019-05-01\",\"source\":\"Daily\"}\n{\"id\":\"b\",\"text\":\"Herons.\"}\n",
        ),
    ]);
    env.write_bytes("blob.txt", b"binary\0content\0here");
    env.index();
    let out = inspect(&env, "stats", &["--format", "json"]);
    out.assert_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    let stats: serde_json::Value = serde_json::from_str(&out.stdout).expect("stats JSON");
    assert_eq!(stats["type"], "stats");
    assert_eq!(stats["documents"], 5, "{stats}");
    assert_eq!(stats["files"], 5, "the blob counts as a file: {stats}");
    assert!(
        stats["passages"].as_u64().is_some_and(|n| n >= 8),
        "{stats}"
    );
    assert!(stats["words"].as_u64().is_some_and(|n| n > 0), "{stats}");
    assert!(
        stats["distinct_terms"].as_u64().is_some_and(|n| n > 0),
        "{stats}"
    );
    assert!(
        stats["index_bytes"].as_u64().is_some_and(|n| n > 0),
        "{stats}"
    );
    assert!(
        stats["last_update"]
            .as_str()
            .is_some_and(|t| t.len() == 20 && t.ends_with('Z')),
        "{stats}"
    );
    assert_eq!(
        stats["formats"],
        serde_json::json!({"md": 2, "txt": 1, "jsonl": 2}),
        "{stats}"
    );
    assert_eq!(
        stats["sources"],
        serde_json::json!({"Example Wire": 2, "Daily": 1, "(none)": 2}),
        "{stats}"
    );
    assert_eq!(stats["first_date"], "2019-05-01", "{stats}");
    assert_eq!(stats["last_date"], "2021-06-30", "{stats}");
    let skipped = stats["skipped"].as_object().expect("a skipped map");
    assert_eq!(skipped.len(), 1, "{stats}");
    assert!(
        skipped["blob.txt"]
            .as_str()
            .is_some_and(|r| r.contains("binary")),
        "{stats}"
    );
    // The human form says the same.
    let out = inspect(&env, "stats", &[]);
    out.assert_code(0);
    assert!(
        out.stdout.contains("documents      5 (from 5 files)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("dates          2019-05-01 to 2021-06-30"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("skipped        1\n  blob.txt: binary"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------
// 11. completions and man

#[test]
fn completions_for_every_shell() {
    let env = TestEnv::new(&[]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = quarry(&env, &["completions", shell]);
        out.assert_code(0);
        assert!(out.stdout.len() > 100, "{shell}: {out:#?}");
        assert!(out.stdout.contains("quarry"), "{shell}");
        assert!(out.stdout.contains("search"), "{shell}: subcommands");
        assert!(out.stdout.contains("per-doc"), "{shell}: flags");
        assert!(out.stderr.is_empty(), "{shell}: {out:#?}");
    }
    let out = quarry(&env, &["completions", "tcsh"]);
    out.assert_code(2);
    assert!(out.stdout.is_empty());
}

#[test]
fn completions_do_not_offer_the_internal_command() {
    let env = TestEnv::new(&[]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = quarry(&env, &["completions", shell]);
        out.assert_code(0);
        assert!(
            !out.stdout.contains("__extract-pdf"),
            "{shell}: `quarry <TAB>` offers the hidden __extract-pdf"
        );
    }
}

#[test]
fn man_prints_a_roff_page() {
    let env = TestEnv::new(&[]);
    let out = quarry(&env, &["man"]);
    out.assert_code(0);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.starts_with(".TH"),
        "{}",
        &out.stdout[..out.stdout.len().min(200)]
    );
    assert!(out.stdout.contains(".TH quarry"), "a title header");
    assert!(out.stdout.contains("quarry"));
    assert!(out.stdout.contains(".SH"), "sections");
    assert!(out.stderr.is_empty(), "{out:#?}");
}

// ---------------------------------------------------------------------------
// 12. -q and -v

#[test]
fn quiet_silences_all_but_errors() {
    let env = walruses();
    env.write_bytes("blob.txt", b"bin\0ary");
    // The first search builds the index: its notes are silenced too.
    let out = env.search(&["-q", "walrus"]);
    out.assert_code(0);
    assert!(out.stderr.is_empty(), "{out:#?}");
    assert_eq!(headers(&out.stdout).len(), 3, "{}", out.stdout);

    env.write("new.txt", "A new walrus.\n");
    env.write_bytes("blob2.txt", b"more\0binary");
    let out = env.index_with(&["-q"]);
    out.assert_code(0);
    assert!(out.stderr.is_empty(), "warnings silenced too: {out:#?}");
    assert!(out.stdout.is_empty(), "{out:#?}");
    let out = env.index_with(&["--quiet"]);
    out.assert_code(0);
    assert!(out.stderr.is_empty(), "{out:#?}");

    let out = env.search(&["-q", "walrus"]);
    out.assert_code(0);
    assert!(out.stderr.is_empty(), "no summary line: {out:#?}");
    let out = env.search(&["-q", "narwhal"]);
    out.assert_code(1);
    assert!(out.stderr.is_empty(), "{out:#?}");

    // Errors still print.
    let out = env.search(&["-q", "a AND ("]);
    out.assert_code(2);
    assert_eq!(out.stderr_lines("error:").len(), 1, "{out:#?}");
    let out = run(env.command().args([
        "index",
        "-q",
        "--corpus",
        "no-such-corpus",
        "--index",
        "idx",
    ]));
    out.assert_code(2);
    assert_eq!(out.stderr_lines("error:").len(), 1, "{out:#?}");
    // -q and -v do not go together.
    let out = env.search(&["-q", "-v", "walrus"]);
    out.assert_code(2);
}

#[test]
fn verbose_adds_debug_lines_and_leaves_stdout_alone() {
    let env = walruses();
    env.index();
    let normal = env.search(&["walrus"]);
    normal.assert_code(0);
    let verbose = env.search(&["-v", "walrus"]);
    verbose.assert_code(0);
    assert_eq!(verbose.stdout, normal.stdout);
    assert!(
        verbose.stderr.lines().count() > normal.stderr.lines().count(),
        "{verbose:#?}"
    );
    assert!(verbose.stderr.contains("DEBUG"), "{verbose:#?}");
    let out = env.index_with(&["-v"]);
    out.assert_code(0);
    let out = env.search(&["-vv", "walrus"]);
    out.assert_code(0);
    assert_eq!(out.stdout, normal.stdout);
}
