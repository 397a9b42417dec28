//! The reports of `index` and `status`: a human line (or lines) and the
//! same as JSON.
//!
//! `index --format json` prints one object:
//! `{"type":"index","added":A,"updated":U,"removed":R,"unchanged":N,
//! "passages":P,"skipped":S,"unreadable":F,"commits":C,"rebuilt":false,
//! "interrupted":false,"elapsed_s":T}`.
//! `status --format json` prints one object:
//! `{"type":"status","added":[…],"modified":[…],"deleted":[…],"unchanged":N}`.

use std::io::{self, Write};

use serde::Serialize;

use crate::index::{Report, Status, Verification};

/// `added 1, updated 0, removed 0, unchanged 13 (86 passages) in 0.03 s`,
/// then the skipped and unreadable files.
pub fn index_line(report: &Report) -> String {
    let passages = match report.passages {
        1 => "1 passage".to_string(),
        n => format!("{n} passages"),
    };
    let mut line = format!(
        "added {}, updated {}, removed {}, unchanged {} ({passages}) in {:.2} s",
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.elapsed.as_secs_f64()
    );
    line.push_str(&format!(
        "; skipped {} of unknown type",
        files(report.skipped)
    ));
    if report.failed > 0 {
        line.push_str(&format!("; {} unreadable", files(report.failed)));
    }
    if report.remembered_failures > 0 {
        line.push_str(&format!(
            "; {} failed before and unchanged (--retry-failed to read again)",
            files(report.remembered_failures)
        ));
    }
    line
}

fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_string()
    } else {
        format!("{n} files")
    }
}

#[derive(Serialize)]
struct IndexJson {
    r#type: &'static str,
    added: usize,
    updated: usize,
    removed: usize,
    unchanged: usize,
    passages: u64,
    skipped: usize,
    unreadable: usize,
    commits: usize,
    rebuilt: bool,
    interrupted: bool,
    elapsed_s: f64,
}

/// The JSON report of an `index` run, one line.
pub fn write_index_json(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let json = IndexJson {
        r#type: "index",
        added: report.added,
        updated: report.updated,
        removed: report.removed,
        unchanged: report.unchanged,
        passages: report.passages,
        skipped: report.skipped,
        unreadable: report.failed,
        commits: report.commits,
        rebuilt: report.rebuilt,
        interrupted: report.interrupted,
        elapsed_s: (report.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
    };
    serde_json::to_writer(&mut *w, &json)?;
    w.write_all(b"\n")
}

/// `A path`, `M path`, `D path` in path order, then a count line.
pub fn write_status(w: &mut dyn Write, status: &Status) -> io::Result<()> {
    let mut lines: Vec<(&str, char)> = Vec::new();
    lines.extend(status.added.iter().map(|p| (p.as_str(), 'A')));
    lines.extend(status.modified.iter().map(|p| (p.as_str(), 'M')));
    lines.extend(status.deleted.iter().map(|p| (p.as_str(), 'D')));
    lines.sort();
    for (path, tag) in lines {
        writeln!(w, "{tag} {}", super::sanitize::line(path))?;
    }
    writeln!(
        w,
        "{} added, {} modified, {} deleted, {} unchanged",
        status.added.len(),
        status.modified.len(),
        status.deleted.len(),
        status.unchanged
    )
}

#[derive(Serialize)]
struct StatusJson<'a> {
    r#type: &'static str,
    added: &'a [String],
    modified: &'a [String],
    deleted: &'a [String],
    unchanged: usize,
}

/// The JSON form of `status`, one line.
pub fn write_status_json(w: &mut dyn Write, status: &Status) -> io::Result<()> {
    let json = StatusJson {
        r#type: "status",
        added: &status.added,
        modified: &status.modified,
        deleted: &status.deleted,
        unchanged: status.unchanged,
    };
    serde_json::to_writer(&mut *w, &json)?;
    w.write_all(b"\n")
}

/// `verify`'s report: one `damaged:` line per problem, then a count line.
pub fn write_verify(w: &mut dyn Write, found: &Verification) -> io::Result<()> {
    for p in &found.problems {
        writeln!(
            w,
            "damaged: {}: {}",
            super::sanitize::line(&p.what),
            super::sanitize::line(&p.problem)
        )?;
    }
    let verdict = match found.problems.len() {
        0 => "no problems".to_string(),
        1 => "1 problem: run 'quarry index --rebuild'".to_string(),
        n => format!("{n} problems: run 'quarry index --rebuild'"),
    };
    writeln!(
        w,
        "{} files, {} passages checked; {verdict}",
        found.files, found.passages
    )
}

#[derive(Serialize)]
struct ProblemJson<'a> {
    what: &'a str,
    problem: &'a str,
}

#[derive(Serialize)]
struct VerifyJson<'a> {
    r#type: &'static str,
    ok: bool,
    files: usize,
    passages: u64,
    problems: Vec<ProblemJson<'a>>,
}

/// `verify --format json`: `{"type":"verify","ok":…,"files":…,"passages":…,
/// "problems":[{"what":…,"problem":…}]}`.
pub fn write_verify_json(w: &mut dyn Write, found: &Verification) -> io::Result<()> {
    let json = VerifyJson {
        r#type: "verify",
        ok: found.is_clean(),
        files: found.files,
        passages: found.passages,
        problems: found
            .problems
            .iter()
            .map(|p| ProblemJson {
                what: &p.what,
                problem: &p.problem,
            })
            .collect(),
    };
    serde_json::to_writer(&mut *w, &json)?;
    w.write_all(b"\n")
}
