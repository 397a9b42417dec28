//! The test environment: a temporary corpus from (path, text) pairs, an
//! index beside it, and the real binary run on them with a clean
//! environment. JSON output is read into strict structs, so that a field
//! added, removed or renamed fails the tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Deserializer};
use tempfile::TempDir;

/// The binary under test.
pub const QUARRY: &str = env!("CARGO_BIN_EXE_quarry");

/// A temporary directory holding `corpus/` and (once built) `index/`.
pub struct TestEnv {
    dir: TempDir,
}

/// What a run of quarry printed, and how it exited.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl TestEnv {
    /// A corpus made of `files`, (path relative to the corpus, text) each.
    pub fn new(files: &[(&str, &str)]) -> TestEnv {
        let env = TestEnv {
            dir: tempfile::tempdir().expect("create temp dir"),
        };
        std::fs::create_dir_all(env.corpus()).expect("create corpus");
        for (path, text) in files {
            env.write(path, text);
        }
        env
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn corpus(&self) -> PathBuf {
        self.root().join("corpus")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root().join("index")
    }

    /// Writes a corpus file, creating its folders.
    pub fn write(&self, path: &str, text: &str) {
        self.write_bytes(path, text.as_bytes());
    }

    pub fn write_bytes(&self, path: &str, bytes: &[u8]) {
        let path = self.corpus().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(&path, bytes).expect("write corpus file");
    }

    /// The binary, run in the temp dir, without the variables quarry reads.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(QUARRY);
        cmd.current_dir(self.root())
            .env_remove("QUARRY_CORPUS")
            .env_remove("QUARRY_INDEX")
            .env_remove("NO_COLOR");
        cmd
    }

    /// Runs quarry with exactly `args`.
    pub fn run(&self, args: &[&str]) -> Output {
        run(self.command().args(args))
    }

    /// `quarry index` on this corpus; panics unless it succeeds.
    pub fn index(&self) -> Output {
        let out = self.run_index();
        out.assert_code(0);
        out
    }

    /// `quarry index` on this corpus, whatever its outcome.
    pub fn run_index(&self) -> Output {
        let (corpus, index) = (self.corpus(), self.index_dir());
        let paths = ["--corpus", path_str(&corpus), "--index", path_str(&index)];
        self.run(&[&["index"], &paths[..]].concat())
    }

    /// `quarry search` on this corpus with `args` (query and options), with
    /// `--color never` unless `args` choose a colour.
    pub fn search(&self, args: &[&str]) -> Output {
        run(&mut self.search_command(args))
    }

    /// The command [`TestEnv::search`] runs, to adjust or spawn.
    pub fn search_command(&self, args: &[&str]) -> Command {
        let mut cmd = self.command();
        cmd.arg("search")
            .arg("--corpus")
            .arg(self.corpus())
            .arg("--index")
            .arg(self.index_dir());
        if !args.iter().any(|a| a.starts_with("--color")) {
            cmd.args(["--color", "never"]);
        }
        // Options come first, so that a test may end with `--`, `-word`.
        cmd.args(args);
        cmd
    }

    /// `quarry search --format json` with `args`: the hits and the summary.
    pub fn search_json(&self, args: &[&str]) -> (Vec<Hit>, Summary) {
        let out = self.search(&[&["--format", "json"], args].concat());
        assert!(
            out.code == 0 || out.code == 1,
            "search {args:?} failed: {out:#?}"
        );
        out.json()
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Runs a prepared command to its end.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run quarry");
    Output {
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        code: out.status.code().expect("quarry exited by a signal"),
    }
}

impl Output {
    pub fn assert_code(&self, code: i32) -> &Output {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        self
    }

    /// The stderr lines that start with `prefix` (`error:`, `note:`, …).
    pub fn stderr_lines(&self, prefix: &str) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }

    /// Reads stdout as JSON Lines: hits, then exactly one summary, last.
    pub fn json(&self) -> (Vec<Hit>, Summary) {
        let mut hits = Vec::new();
        let mut summary = None;
        for line in self.stdout.lines() {
            assert!(summary.is_none(), "a line after the summary: {line}");
            match serde_json::from_str(line) {
                Ok(Message::Hit(hit)) => hits.push(hit),
                Ok(Message::Summary(s)) => summary = Some(s),
                Err(e) => panic!("bad JSON line ({e}): {line}"),
            }
        }
        (hits, summary.expect("a summary line"))
    }
}

/// One line of `--format json`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    Hit(Hit),
    Summary(Summary),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hit {
    pub rank: usize,
    pub score: f64,
    pub path: String,
    pub title: String,
    #[serde(deserialize_with = "present")]
    pub date: Option<String>,
    #[serde(deserialize_with = "present")]
    pub source: Option<String>,
    #[serde(deserialize_with = "present")]
    pub url: Option<String>,
    pub passage: u64,
    pub start: u64,
    pub end: u64,
    pub text: String,
    pub highlights: Vec<[usize; 2]>,
}

impl Hit {
    /// The highlighted parts of `text`, in order.
    pub fn marked(&self) -> Vec<&str> {
        let part = |&[s, e]: &[usize; 2]| {
            self.text
                .get(s..e)
                .unwrap_or_else(|| panic!("highlight {s}..{e} is not inside {:?}", self.text))
        };
        self.highlights.iter().map(part).collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub query: String,
    pub total_hits: usize,
    pub returned: usize,
    pub elapsed_ms: f64,
    pub fallback_any: bool,
}

/// A nullable field that must still be present (serde lets a missing
/// `Option` through by default).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::deserialize(d)
}

/// The paths of hits, in rank order.
pub fn paths(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.path.as_str()).collect()
}
