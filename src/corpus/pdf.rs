//! PDF reports: text page by page, in a child process with a time and a
//! memory limit.
//!
//! PDF parsers panic on malformed files and can allocate without bound on
//! crafted ones (an abort no `catch_unwind` can stop), so quarry runs the
//! parser (pdf-extract, on lopdf) in a copy of itself (`quarry
//! __extract-pdf`, bytes on stdin, JSON on stdout) under `RLIMIT_AS`, and
//! kills it after [`Limits::timeout`]. A hostile PDF costs one warning.
//!
//! Each page becomes a section (no passage spans two pages) and passages
//! carry their page number. Words hyphenated at a line end are joined, and
//! running headers and footers (a first or last line repeated on most
//! pages, page numbers aside) are dropped. Title and date come from the
//! document information dictionary when present.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Document, Extracted, Metadata, normalize_date, title_from_file_name};

/// Version of this extractor.
pub const VERSION: u32 = 1;

/// The hidden subcommand that runs the parser.
pub const CHILD_COMMAND: &str = "__extract-pdf";

/// Limits of one PDF extraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub timeout: Duration,
    /// Address space of the child process, in bytes.
    pub memory: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(20),
            memory: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// What the child process sends back.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ChildOutput {
    title: Option<String>,
    date: Option<String>,
    pages: Vec<String>,
}

/// Extracts a PDF through the child process.
pub fn extract(bytes: &[u8], file_name: &str, limits: &Limits) -> Result<Extracted, String> {
    let output = run_child(bytes, limits)?;
    Ok(document(output, file_name))
}

fn run_child(bytes: &[u8], limits: &Limits) -> Result<ChildOutput, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find quarry itself: {e}"))?;
    let mut child = Command::new(exe)
        .arg(CHILD_COMMAND)
        .arg(limits.memory.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the PDF extractor: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no pipe to the PDF extractor")?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child
        .stdout
        .take()
        .ok_or("no pipe from the PDF extractor")?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let mut stderr = child
        .stderr
        .take()
        .ok_or("no pipe from the PDF extractor")?;
    let errors = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stderr.read_to_string(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < limits.timeout => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "PDF took longer than {} s to read",
                    limits.timeout.as_secs()
                ));
            }
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if !status.success() {
        let reason = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        return Err(match status.code() {
            Some(_) if !reason.is_empty() => reason.to_string(),
            _ => "the PDF parser crashed (memory limit or abort)".to_string(),
        });
    }
    serde_json::from_slice(&out).map_err(|e| format!("bad output from the PDF extractor: {e}"))
}

/// The body of `quarry __extract-pdf MEMORY`: limit the address space,
/// read a PDF on stdin, write pages as JSON on stdout. Returns the exit code.
pub fn child_main(memory: Option<u64>) -> i32 {
    #![allow(clippy::print_stderr)]
    if let Some(limit) = memory {
        let limit = rustix::process::Rlimit {
            current: Some(limit),
            maximum: Some(limit),
        };
        let _ = rustix::process::setrlimit(rustix::process::Resource::As, limit);
    }
    std::panic::set_hook(Box::new(|_| {}));
    let mut bytes = Vec::new();
    if std::io::stdin().read_to_end(&mut bytes).is_err() {
        eprintln!("cannot read the PDF");
        return 2;
    }
    let parsed = std::panic::catch_unwind(|| parse(&bytes));
    let output = match parsed {
        Ok(Ok(output)) => output,
        Ok(Err(reason)) => {
            eprintln!("{reason}");
            return 1;
        }
        Err(_) => {
            eprintln!("the PDF parser panicked (malformed PDF)");
            return 1;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, &output).map_err(std::io::Error::from);
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// Pages and document information of a PDF.
fn parse(bytes: &[u8]) -> Result<ChildOutput, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    // lopdf recognises only `/Encrypt n 0 R`; an inline dictionary counts too.
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        return Err("encrypted PDF (password required)".to_string());
    }
    let pages = pdf_extract::extract_text_from_mem_by_pages(bytes)
        .map_err(|e| format!("cannot extract text: {e}"))?;
    // A scanned page still yields an empty string; no page at all means a
    // broken page tree.
    if pages.is_empty() {
        return Err("no readable pages (broken page tree)".to_string());
    }
    let info = |key: &[u8]| -> Option<String> {
        let info = doc.trailer.get(b"Info").ok()?;
        let (_, info) = doc.dereference(info).ok()?;
        let (_, value) = doc.dereference(info.as_dict().ok()?.get(key).ok()?).ok()?;
        let text = text_string(value.as_str().ok()?);
        let text = text.trim().to_string();
        (!text.is_empty()).then_some(text)
    };
    Ok(ChildOutput {
        title: info(b"Title"),
        date: info(b"CreationDate"),
        pages,
    })
}

/// A PDF text string: UTF-16BE with a byte order mark, else (near enough)
/// Latin-1.
fn text_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(b"\xFE\xFF") {
        Some(rest) => {
            let units = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .map(|r| r.unwrap_or('\u{FFFD}'))
                .collect()
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// A PDF date (`D:YYYYMMDDHHmmSS+HH'mm'`) as an ISO 8601 text.
fn pdf_date(raw: &str) -> Option<String> {
    let body = raw.trim().strip_prefix("D:").unwrap_or(raw.trim());
    let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
    let part = |from: usize, to: usize| digits.get(from..to);
    match digits.len() {
        n if n >= 14 => {
            let zone = &body[14..];
            let offset = match zone.chars().next() {
                Some('Z') | None => "Z".to_string(),
                Some(sign @ ('+' | '-')) => {
                    let z: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
                    format!(
                        "{sign}{}:{}",
                        z.get(0..2).unwrap_or("00"),
                        z.get(2..4).unwrap_or("00")
                    )
                }
                Some(_) => "Z".to_string(),
            };
            Some(format!(
                "{}-{}-{}T{}:{}:{}{offset}",
                part(0, 4)?,
                part(4, 6)?,
                part(6, 8)?,
                part(8, 10)?,
                part(10, 12)?,
                part(12, 14)?
            ))
        }
        n if n >= 8 => Some(format!("{}-{}-{}", part(0, 4)?, part(4, 6)?, part(6, 8)?)),
        _ => None,
    }
}

/// The document of a parsed PDF: cleaned pages joined with blank lines,
/// each page a section.
fn document(output: ChildOutput, file_name: &str) -> Extracted {
    let pages = clean_pages(&output.pages);
    let mut text = String::new();
    let mut starts = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if page.trim().is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        starts.push((text.len(), i as u32 + 1));
        text.push_str(page.trim());
    }
    let title = output
        .title
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| title_from_file_name(file_name));
    let date = output
        .date
        .as_deref()
        .and_then(pdf_date)
        .and_then(|d| normalize_date(&d));
    Extracted {
        documents: vec![Document {
            meta: Metadata {
                title,
                date,
                ..Metadata::default()
            },
            breaks: starts.iter().map(|(start, _)| *start).collect(),
            pages: starts,
            text,
            ..Document::default()
        }],
        warnings: Vec::new(),
    }
}

/// Drops running headers and footers and joins hyphenated line ends.
fn clean_pages(pages: &[String]) -> Vec<String> {
    let repeated = |pick: for<'a> fn(&'a [&'a str]) -> Option<&'a str>| -> Option<String> {
        if pages.len() < 3 {
            return None;
        }
        let mut counts = std::collections::HashMap::new();
        for page in pages {
            let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
            if let Some(line) = pick(&lines) {
                *counts.entry(shape(line)).or_insert(0usize) += 1;
            }
        }
        counts
            .into_iter()
            .filter(|(shape, n)| !shape.is_empty() && *n * 2 > pages.len())
            .max_by_key(|(_, n)| *n)
            .map(|(shape, _)| shape)
    };
    let header = repeated(|lines| lines.first().copied());
    let footer = repeated(|lines| lines.last().copied());
    pages
        .iter()
        .map(|page| {
            let mut lines: Vec<&str> = page.lines().collect();
            let first = lines.iter().position(|l| !l.trim().is_empty());
            if let (Some(i), Some(h)) = (first, &header)
                && &shape(lines[i]) == h
            {
                lines.remove(i);
            }
            let last = lines.iter().rposition(|l| !l.trim().is_empty());
            if let (Some(i), Some(f)) = (last, &footer)
                && &shape(lines[i]) == f
            {
                lines.remove(i);
            }
            join_hyphens(&lines)
        })
        .collect()
}

/// A line with its digits blanked, so `Page 3` and `Page 4` look alike.
fn shape(line: &str) -> String {
    line.trim()
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Joins `inter-` + `national` across a line end into `international`.
fn join_hyphens(lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.trim_end();
        let joins = out
            .strip_suffix('-')
            .is_some_and(|before| before.chars().last().is_some_and(char::is_alphabetic))
            && line
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_lowercase);
        if joins {
            out.pop();
            out.push_str(line.trim_start());
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_become_iso() {
        assert_eq!(
            pdf_date("D:20180322103000+01'00'").as_deref(),
            Some("2018-03-22T10:30:00+01:00")
        );
        assert_eq!(pdf_date("D:20180322").as_deref(), Some("2018-03-22"));
        assert_eq!(pdf_date("D:2018").as_deref(), None);
    }

    #[test]
    fn running_headers_footers_go_and_hyphens_join() {
        let pages: Vec<String> = (1..=4)
            .map(|n| {
                format!(
                    "ACME ANNUAL REPORT\nBody of page {n} with an inter-\nnational topic.\nPage {n}"
                )
            })
            .collect();
        let cleaned = clean_pages(&pages);
        for (i, page) in cleaned.iter().enumerate() {
            assert_eq!(
                page,
                &format!("Body of page {} with an international topic.", i + 1)
            );
        }
    }

    #[test]
    fn pages_become_sections_with_numbers() {
        let output = ChildOutput {
            title: None,
            date: Some("D:20180322".to_string()),
            pages: vec![
                "First page.".to_string(),
                "  ".to_string(),
                "Third page.".to_string(),
            ],
        };
        let doc = document(output, "report.pdf").documents.remove(0);
        assert_eq!(doc.text, "First page.\n\nThird page.");
        assert_eq!(doc.pages, vec![(0, 1), (13, 3)]);
        assert_eq!(doc.breaks, vec![0, 13]);
        assert_eq!(doc.meta.title, "report");
        assert_eq!(doc.meta.date.map(|d| d.iso).as_deref(), Some("2018-03-22"));
    }

    #[test]
    fn utf16_titles_are_decoded() {
        assert_eq!(text_string(b"\xFE\xFF\x00A\x00\xe9"), "Aé");
        assert_eq!(text_string(b"Plain"), "Plain");
    }
}
