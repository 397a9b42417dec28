//! `quarry watch`: catches up like `index`, then follows the corpus,
//! committing one batch of changes at a time, until SIGINT or SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use crate::harness::{Hit, TestEnv, paths, poll, send_signal};

/// How long a debug build may take to start watching.
const START: Duration = Duration::from_secs(60);
/// How long a change may take to show in search results (the contract
/// says about 2 s; the margin is for a loaded machine).
const REFLECTED: Duration = Duration::from_secs(10);

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

/// A running `quarry watch`, killed when dropped.
struct Watch {
    child: Child,
    lines: Receiver<String>,
    /// Every stderr line read so far.
    seen: Vec<String>,
    /// Index in `seen` of the `watching …` line.
    watching: usize,
}

impl Watch {
    /// Starts watching `env` and waits for the `watching …` line.
    fn start(env: &TestEnv) -> Watch {
        let mut child = env
            .command_at("watch", &env.index_dir(), &[])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn quarry watch");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut watch = Watch {
            child,
            lines,
            seen: Vec::new(),
            watching: 0,
        };
        watch.watching = watch.wait_line(START, |l| l.starts_with("watching "));
        watch
    }

    /// Reads stderr until a line satisfies `pred`; returns its index in
    /// `seen`. Panics on timeout or when stderr closes.
    fn wait_line(&mut self, timeout: Duration, pred: impl Fn(&str) -> bool) -> usize {
        if let Some(i) = self.seen.iter().position(|l| pred(l)) {
            return i;
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line);
                    if pred(self.seen.last().expect("just pushed")) {
                        return self.seen.len() - 1;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no such line after {timeout:?}; stderr so far: {:#?}",
                        self.seen
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().ok();
                    panic!("watch ended ({status:?}); stderr: {:#?}", self.seen)
                }
            }
        }
    }

    /// Reads whatever stderr lines arrive within `time`.
    fn drain(&mut self, time: Duration) {
        let deadline = Instant::now() + time;
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line);
        }
    }

    /// The summary lines printed after `watching …`, one per batch.
    fn batch_lines(&self) -> Vec<&str> {
        self.seen[self.watching + 1..]
            .iter()
            .map(String::as_str)
            .filter(|l| l.starts_with("added "))
            .collect()
    }

    /// Sends `signal` and waits for the exit code.
    fn stop(&mut self, signal: &str) -> Option<i32> {
        send_signal(&self.child, signal);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll watch") {
                self.drain(Duration::from_millis(200));
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "watch still running 30 s after SIG{signal}; stderr: {:#?}",
                self.seen
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (added, updated, removed) of a summary line.
fn batch_counts(line: &str) -> (usize, usize, usize) {
    let number = |name: &str| -> usize {
        let after = line
            .split_once(&format!("{name} "))
            .unwrap_or_else(|| panic!("no {name:?} in {line:?}"))
            .1;
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("no count after {name:?} in {line:?}"))
    };
    (number("added"), number("updated"), number("removed"))
}

/// Searches every 100 ms until `done` holds for the hits of `query`;
/// returns them. Panics after [`REFLECTED`].
fn eventually(env: &TestEnv, query: &str, done: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
    let mut last = Vec::new();
    let ok = poll(REFLECTED, Duration::from_millis(100), || {
        let out = env.search(&["--format", "json", query]);
        assert!(out.code == 0 || out.code == 1, "{out:#?}");
        last = out.json().0;
        done(&last)
    });
    assert!(
        ok,
        "after {REFLECTED:?}, {query:?} gives {:?}",
        paths(&last)
    );
    last
}

#[test]
fn watch_catches_up_then_announces_that_it_is_watching() {
    let env = three_docs();
    let watch = Watch::start(&env);
    let before = &watch.seen[..watch.watching];
    assert!(
        before
            .iter()
            .any(|l| l.starts_with("added 3, updated 0, removed 0, unchanged 0 (3 passages) in ")),
        "{before:#?}"
    );
    let (hits, _) = env.search_json(&["barge"]);
    assert_eq!(paths(&hits), ["notes/marble.md"]);
}

#[test]
fn a_created_file_is_found_and_its_batch_prints_a_summary() {
    let env = three_docs();
    let mut watch = Watch::start(&env);
    env.write("basalt.txt", "Basalt columns line the shore.");
    let hits = eventually(&env, "basalt", |h| !h.is_empty());
    assert_eq!(paths(&hits), ["basalt.txt"]);
    assert!(!hits[0].stale, "{hits:?}");
    let i = watch.wait_line(REFLECTED, |l| l.starts_with("added 1, "));
    assert!(i > watch.watching);
}

#[test]
fn a_modified_file_is_reindexed() {
    let env = three_docs();
    let _watch = Watch::start(&env);
    env.write("slate.txt", "Slate quarries closed after the great flood.");
    let hits = eventually(&env, "flood", |h| !h.is_empty());
    assert_eq!(paths(&hits), ["slate.txt"]);
    eventually(&env, "winter", |h| h.is_empty());
}

#[test]
fn a_deleted_file_disappears() {
    let env = three_docs();
    let _watch = Watch::start(&env);
    env.remove("granite.txt");
    eventually(&env, "granite", |h| h.is_empty());
    env.search(&["barge"]).assert_code(0);
}

#[test]
fn a_renamed_file_is_found_under_its_new_name_only() {
    let env = three_docs();
    let _watch = Watch::start(&env);
    env.rename("granite.txt", "stone.txt");
    let hits = eventually(&env, "granite", |h| paths(h) == ["stone.txt"]);
    assert_eq!(hits.len(), 1);
}

/// Saves `path` the way editors do: the new text into `temp`, then a
/// rename over `path`.
fn atomic_save(env: &TestEnv, temp: &str, path: &str, text: &str) {
    env.write(temp, text);
    env.rename(temp, path);
}

fn an_atomic_save_is_indexed_once_with_the_final_content(temp: &str) {
    let env = three_docs();
    let mut watch = Watch::start(&env);
    atomic_save(
        &env,
        temp,
        "notes/marble.md",
        "# Marble\n\nMarble was hauled inland by the autumn caravans.",
    );
    let hits = eventually(&env, "autumn", |h| !h.is_empty());
    assert_eq!(paths(&hits), ["notes/marble.md"]);
    eventually(&env, "barge", |h| h.is_empty());
    watch.wait_line(REFLECTED, |l| l.contains("updated 1,"));
    watch.drain(Duration::from_millis(1500));
    let (mut added, mut updated, mut removed) = (0, 0, 0);
    for line in watch.batch_lines() {
        let (a, u, r) = batch_counts(line);
        (added, updated, removed) = (added + a, updated + u, removed + r);
    }
    assert_eq!(
        (added, updated, removed),
        (0, 1, 0),
        "one update, no temp file: {:#?}",
        watch.seen
    );
    let (hits, _) = env.search_json(&["--any", "marble autumn caravans"]);
    assert_eq!(paths(&hits), ["notes/marble.md"], "{hits:?}");
}

#[test]
fn an_atomic_save_through_a_hidden_temp_file_is_indexed_once() {
    an_atomic_save_is_indexed_once_with_the_final_content("notes/.marble.md.tmp");
}

#[test]
fn an_atomic_save_through_a_backup_file_is_indexed_once() {
    an_atomic_save_is_indexed_once_with_the_final_content("notes/marble.md~");
}

#[test]
fn a_burst_of_changes_is_committed_in_few_batches() {
    let env = three_docs();
    let mut watch = Watch::start(&env);
    for n in 0..20 {
        env.write(
            &format!("burst/b{n:02}.txt"),
            &format!("Pumice sample p{n:02}x floats."),
        );
    }
    let (_, summary) = {
        let mut result = None;
        let ok = poll(REFLECTED, Duration::from_millis(100), || {
            let (hits, summary) = env.search_json(&["--limit", "0", "pumice"]);
            let done = summary.total_hits == 20;
            result = Some((hits, summary));
            done
        });
        assert!(ok, "not all 20 files indexed: {result:?}");
        result.expect("searched")
    };
    assert_eq!(summary.total_hits, 20);
    watch.drain(Duration::from_millis(500));
    let batches: Vec<(usize, usize, usize)> = watch
        .batch_lines()
        .into_iter()
        .map(batch_counts)
        .filter(|&(a, u, r)| a + u + r > 0)
        .collect();
    let total: usize = batches.iter().map(|b| b.0).sum();
    assert_eq!(total, 20, "{:#?}", watch.seen);
    assert!(
        batches.len() <= 2,
        "20 quick writes made {} batches: {:#?}",
        batches.len(),
        watch.seen
    );
}

#[test]
fn index_fails_with_exit_3_while_watch_runs() {
    let env = three_docs();
    let _watch = Watch::start(&env);
    let out = env.index_with(&[]);
    out.assert_code(3);
    assert_eq!(
        out.stderr_lines("error:"),
        [format!(
            "error: index {} is being updated by another process",
            env.index_dir().display()
        )],
        "{}",
        out.stderr
    );
}

fn a_signal_commits_pending_work_and_exits_0(signal: &str) {
    let env = three_docs();
    let mut watch = Watch::start(&env);
    env.write("basalt.txt", "Basalt columns line the shore.");
    // Enough for the event to reach the watcher, not for its batch to end.
    std::thread::sleep(Duration::from_millis(200));
    let code = watch.stop(signal);
    assert_eq!(code, Some(0), "stderr: {:#?}", watch.seen);
    let (hits, _) = env.search_json(&["basalt"]);
    assert_eq!(
        paths(&hits),
        ["basalt.txt"],
        "pending work was not committed"
    );
    assert!(env.status_json(&[]).is_clean());
    // The lock is released: index runs again.
    env.index_json(&[]);
}

#[test]
fn sigint_commits_pending_work_and_exits_0() {
    a_signal_commits_pending_work_and_exits_0("INT");
}

#[test]
fn sigterm_commits_pending_work_and_exits_0() {
    a_signal_commits_pending_work_and_exits_0("TERM");
}

#[test]
fn a_file_in_a_new_folder_is_found() {
    let env = three_docs();
    let _watch = Watch::start(&env);
    env.write("new/deeper/basalt.md", "Basalt columns line the shore.");
    let hits = eventually(&env, "basalt", |h| !h.is_empty());
    assert_eq!(paths(&hits), ["new/deeper/basalt.md"]);
}
