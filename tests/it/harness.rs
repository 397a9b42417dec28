//! The test environment: a temporary corpus from (path, text) pairs, an
//! index beside it, and the real binary run on them with a clean
//! environment. JSON output is read into strict structs, so that a field
//! added, removed or renamed fails the tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

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

    /// The binary, run in the temp dir, without the variables quarry reads
    /// and without any configuration file (`QUARRY_CONFIG` empty: a user's
    /// `quarry.toml` never leaks into a test).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(QUARRY);
        cmd.current_dir(self.root())
            .env_remove("QUARRY_CORPUS")
            .env_remove("QUARRY_INDEX")
            .env_remove("NO_COLOR")
            .env("QUARRY_CONFIG", "");
        cmd
    }

    /// Like [`TestEnv::command`], but with configuration files looked up
    /// as usual: `./quarry.toml` in the temp dir, then the user
    /// configuration directory, which is `<temp>/xdg` (`XDG_CONFIG_HOME`),
    /// never the real user's.
    pub fn command_with_config(&self) -> Command {
        let mut cmd = self.command();
        cmd.env_remove("QUARRY_CONFIG")
            .env("XDG_CONFIG_HOME", self.root().join("xdg"));
        cmd
    }

    /// Writes a file relative to the temp dir (beside `corpus/`), creating
    /// its folders: a `quarry.toml`, say.
    pub fn write_root(&self, path: &str, text: &str) {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(&path, text).expect("write file");
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
                Ok(Message::Hit(hit)) => hits.push(*hit),
                Ok(Message::Summary(s)) => summary = Some(s),
                Err(e) => panic!("bad JSON line ({e}): {line}"),
            }
        }
        (hits, summary.expect("a summary line"))
    }

    /// The hit lines of `--format json` as raw JSON objects, to tell an
    /// absent field from a null one.
    pub fn hit_objects(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        self.stdout
            .lines()
            .map(|line| match serde_json::from_str(line) {
                Ok(serde_json::Value::Object(map)) => map,
                _ => panic!("not a JSON object: {line}"),
            })
            .filter(|map| map.get("type").and_then(|t| t.as_str()) == Some("hit"))
            .collect()
    }
}

/// One line of `--format json`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    Hit(Box<Hit>),
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
    /// The file changed or vanished since it was indexed.
    pub stale: bool,
    /// 1-based page, for PDF documents only (absent otherwise).
    #[serde(default)]
    pub page: Option<u32>,
    /// Present only when the document names its author.
    #[serde(default)]
    pub author: Option<String>,
    /// Matching passages of the document not shown (`--per-doc`); absent
    /// when 0.
    #[serde(default)]
    pub more_in_document: Option<usize>,
    /// Neighbouring passages (`--context`); absent without.
    #[serde(default)]
    pub context: Option<Vec<ContextPassage>>,
    /// The score's breakdown (`--explain`); absent without.
    #[serde(default)]
    pub explain: Option<Explanation>,
}

/// One neighbouring passage of a hit (`--context`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextPassage {
    pub passage: u64,
    pub text: String,
}

/// One node of a score explanation (`--explain`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    pub value: f64,
    pub description: String,
    #[serde(default)]
    pub details: Vec<Explanation>,
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

/// The report of `quarry index --format json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexReport {
    pub r#type: String,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub passages: u64,
    pub skipped: usize,
    pub unreadable: usize,
    pub commits: usize,
    pub rebuilt: bool,
    pub interrupted: bool,
    pub elapsed_s: f64,
}

/// The report of `quarry status --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusReport {
    pub r#type: String,
    pub added: Vec<String>,
    pub modified: Vec<String>,
    pub deleted: Vec<String>,
    pub unchanged: usize,
}

impl StatusReport {
    /// Nothing to add, modify or delete.
    pub fn is_clean(&self) -> bool {
        self.added.is_empty() && self.modified.is_empty() && self.deleted.is_empty()
    }
}

/// Every file of a directory (not recursive): size, mtime, and the content
/// of `meta.json`. Equal snapshots mean nothing was written.
#[derive(Debug, PartialEq, Eq)]
pub struct DirSnapshot(BTreeMap<String, (u64, SystemTime, Option<Vec<u8>>)>);

impl DirSnapshot {
    pub fn of(dir: &Path) -> DirSnapshot {
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir).expect("read the index dir") {
            let entry = entry.expect("a dir entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = entry.metadata().expect("stat an index file");
            let content =
                (name == "meta.json").then(|| std::fs::read(entry.path()).expect("read meta.json"));
            let mtime = meta.modified().expect("an mtime");
            files.insert(name, (meta.len(), mtime, content));
        }
        DirSnapshot(files)
    }
}

impl TestEnv {
    /// `--corpus <corpus> --index <index>`.
    pub fn paths_to(&self, index: &Path) -> Vec<String> {
        vec![
            "--corpus".to_string(),
            path_str(&self.corpus()).to_string(),
            "--index".to_string(),
            path_str(index).to_string(),
        ]
    }

    /// `quarry <command> --corpus … --index <index> <extra>`, to run or spawn.
    pub fn command_at(&self, command: &str, index: &Path, extra: &[&str]) -> Command {
        let mut cmd = self.command();
        cmd.arg(command).args(self.paths_to(index)).args(extra);
        cmd
    }

    /// `quarry index` with `extra` options, whatever its outcome.
    pub fn index_with(&self, extra: &[&str]) -> Output {
        run(&mut self.command_at("index", &self.index_dir(), extra))
    }

    /// `quarry index` with `extra` options, killed (and the test failed)
    /// if it runs longer than `timeout`.
    pub fn index_within(&self, extra: &[&str], timeout: std::time::Duration) -> Output {
        wait_output(
            spawn(&mut self.command_at("index", &self.index_dir(), extra)),
            timeout,
        )
    }

    /// `quarry index --format json` into `index`; panics unless it exits 0.
    pub fn index_json_at(&self, index: &Path, extra: &[&str]) -> IndexReport {
        let out =
            run(&mut self.command_at("index", index, &[&["--format", "json"], extra].concat()));
        out.assert_code(0);
        out.index_report()
    }

    /// `quarry index --format json` with `extra`; panics unless it exits 0.
    pub fn index_json(&self, extra: &[&str]) -> IndexReport {
        self.index_json_at(&self.index_dir(), extra)
    }

    /// `quarry status` with `extra` options, whatever its outcome.
    pub fn status(&self, extra: &[&str]) -> Output {
        run(&mut self.command_at("status", &self.index_dir(), extra))
    }

    /// `quarry status --format json` with `extra`; panics unless it exits 0.
    pub fn status_json(&self, extra: &[&str]) -> StatusReport {
        let out = self.status(&[&["--format", "json"], extra].concat());
        out.assert_code(0);
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "one JSON object: {out:#?}");
        let report: StatusReport = serde_json::from_str(lines[0])
            .unwrap_or_else(|e| panic!("bad status JSON ({e}): {out:#?}"));
        assert_eq!(report.r#type, "status");
        report
    }

    /// Removes a corpus file.
    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.corpus().join(path)).expect("remove corpus file");
    }

    /// Renames a corpus file.
    pub fn rename(&self, from: &str, to: &str) {
        std::fs::rename(self.corpus().join(from), self.corpus().join(to))
            .expect("rename corpus file");
    }

    /// Sets a corpus file's mtime.
    pub fn set_mtime(&self, path: &str, mtime: SystemTime) {
        let file = std::fs::File::options()
            .write(true)
            .open(self.corpus().join(path))
            .expect("open corpus file");
        file.set_modified(mtime).expect("set mtime");
    }

    /// A corpus file's mtime.
    pub fn mtime(&self, path: &str) -> SystemTime {
        std::fs::metadata(self.corpus().join(path))
            .and_then(|m| m.modified())
            .expect("stat corpus file")
    }
}

impl Output {
    /// Reads stdout as the one JSON object of `index --format json`.
    pub fn index_report(&self) -> IndexReport {
        let lines: Vec<&str> = self.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "one JSON object: {self:#?}");
        let report: IndexReport = serde_json::from_str(lines[0])
            .unwrap_or_else(|e| panic!("bad index JSON ({e}): {self:#?}"));
        assert_eq!(report.r#type, "index");
        report
    }
}

/// Spawns a prepared command with stdout and stderr piped.
pub fn spawn(cmd: &mut Command) -> std::process::Child {
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn quarry")
}

/// Waits for a spawned child (see [`spawn`]) for at most `timeout`, then
/// kills it and panics. `code` is -1 if it died by a signal.
pub fn wait_output(mut child: std::process::Child, timeout: std::time::Duration) -> Output {
    use std::io::Read;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8(bytes).expect("output is UTF-8")
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for quarry") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "quarry still running after {timeout:?}; stderr: {}",
                stderr.join().unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    Output {
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        code: status.code().unwrap_or(-1),
    }
}

/// Polls `cond` every `every` until it holds or `timeout` passes; returns
/// whether it held.
pub fn poll(
    timeout: std::time::Duration,
    every: std::time::Duration,
    mut cond: impl FnMut() -> bool,
) -> bool {
    let started = std::time::Instant::now();
    loop {
        if cond() {
            return true;
        }
        if started.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(every);
    }
}

/// Sends a signal (`INT`, `TERM`, …) to a process with kill(1).
pub fn send_signal(child: &std::process::Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} failed");
}
