//! The human printer: a header line per hit, then the passage window with
//! the matched words in bold colour, wrapped to a readable width.
//!
//! ```text
//! 1. Five PLA Officers Indicted for Hacking Westinghouse — reports/westinghouse.md#2 — 2014-05-19
//!    …the files held the pipe routing specifications…
//! ```

use std::io::{self, Write};
use std::ops::Range;

use anstyle::{AnsiColor, Style};

use super::sanitize::display_char;
use crate::search::{Highlight, Hit, Outcome};

/// Passage lines are wrapped at this many chars at most, after the indent.
const WIDTH: usize = 96;
const INDENT: &str = "   ";

/// How passages are printed.
#[derive(Clone, Debug)]
pub struct Look {
    pub styles: Styles,
    /// Paths become OSC 8 links to their files.
    pub hyperlinks: bool,
    /// The terminal's width in columns (text wraps at the smaller of this
    /// and a readable maximum).
    pub width: usize,
}

impl Look {
    /// Plain text, no links, the readable width.
    pub fn plain() -> Look {
        Look {
            styles: Styles::plain(),
            hyperlinks: false,
            width: WIDTH + INDENT.len(),
        }
    }

    fn wrap_width(&self) -> usize {
        self.width.saturating_sub(INDENT.len()).clamp(20, WIDTH)
    }
}

/// The styles of human output; all plain when colour is off.
#[derive(Clone, Copy, Debug, Default)]
pub struct Styles {
    pub rank: Style,
    pub title: Style,
    pub path: Style,
    pub date: Style,
    pub highlight: Style,
    pub stale: Style,
    /// Neighbouring passages (`--context`) and score explanations.
    pub context: Style,
}

impl Styles {
    /// ripgrep-like colours: magenta paths, bold red matches.
    pub fn colored() -> Styles {
        Styles {
            rank: Style::new().dimmed(),
            title: Style::new().bold(),
            path: AnsiColor::Magenta.on_default(),
            date: AnsiColor::Green.on_default(),
            highlight: AnsiColor::Red.on_default().bold(),
            stale: AnsiColor::Yellow.on_default(),
            context: Style::new().dimmed(),
        }
    }

    /// No escape codes at all.
    pub fn plain() -> Styles {
        Styles::default()
    }
}

/// Writes every hit of a search. `corpus` (the indexed corpus root) makes
/// the links of `look.hyperlinks`.
pub fn write_search(
    w: &mut dyn Write,
    outcome: &Outcome,
    look: &Look,
    corpus: Option<&std::path::Path>,
) -> io::Result<()> {
    for (i, hit) in outcome.hits.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        write_hit(w, hit, look, corpus)?;
    }
    Ok(())
}

/// An OSC 8 link to a hit's file (`#page=N` for a PDF page).
fn link(hit: &Hit, corpus: &std::path::Path) -> Option<String> {
    // A collection record's key is `file#id`; any other `#` is the name's.
    let file = match &hit.doc_id {
        Some(id) => hit
            .path
            .strip_suffix(&format!("#{id}"))
            .unwrap_or(&hit.path),
        None => &hit.path,
    };
    let path = corpus.join(crate::corpus::key_to_path(file));
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char)
            }
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    if let Some(page) = hit.page {
        url.push_str(&format!("#page={page}"));
    }
    Some(url)
}

fn write_hit(
    w: &mut dyn Write,
    hit: &Hit,
    look: &Look,
    corpus: Option<&std::path::Path>,
) -> io::Result<()> {
    let styles = &look.styles;
    let rank = styles.rank;
    write!(w, "{rank}{}.{rank:#} ", hit.rank)?;
    let title = marked(&hit.title, 0..hit.title.len(), &hit.marks.title);
    write_styled(w, &title, styles.title, styles)?;
    let path = styles.path;
    let url = corpus
        .filter(|_| look.hyperlinks)
        .and_then(|c| link(hit, c));
    match &url {
        Some(url) => write!(
            w,
            " — \x1b]8;;{url}\x1b\\{path}{}#{}{path:#}\x1b]8;;\x1b\\",
            clean(&hit.path),
            hit.passage
        )?,
        None => write!(w, " — {path}{}#{}{path:#}", clean(&hit.path), hit.passage)?,
    }
    if let Some(page) = hit.page {
        write!(w, " p. {page}")?;
    }
    if hit.stale {
        let style = styles.stale;
        write!(w, " {style}[stale: changed since indexed]{style:#}")?;
    }
    if let Some(date) = &hit.date {
        let style = styles.date;
        write!(w, " — {style}{}{style:#}", clean(date))?;
    }
    if hit.more_in_document > 0 {
        let style = styles.rank;
        write!(
            w,
            " {style}(+{} more in this document){style:#}",
            hit.more_in_document
        )?;
    }
    writeln!(w)?;
    for (_, text) in &hit.before {
        write_context(w, text, look)?;
    }
    let mut body = Vec::new();
    if hit.window.cut_start {
        body.push(('…', false));
    }
    body.extend(marked(&hit.text, hit.window.range.clone(), &hit.marks.body));
    if hit.window.cut_end {
        body.push(('…', false));
    }
    for line in wrap(&body, look.wrap_width()) {
        w.write_all(INDENT.as_bytes())?;
        write_styled(w, line, Style::new(), styles)?;
        writeln!(w)?;
    }
    for (_, text) in &hit.after {
        write_context(w, text, look)?;
    }
    if let Some(explanation) = &hit.explanation {
        write_explanation(w, explanation, 0, look)?;
    }
    Ok(())
}

/// A whole passage with its highlights (`[start, end]` byte ranges),
/// dimmed when `dim`.
pub fn write_passage(
    w: &mut dyn Write,
    text: &str,
    highlights: &[[usize; 2]],
    dim: bool,
    look: &Look,
) -> io::Result<()> {
    let marks: Vec<Highlight> = highlights
        .iter()
        .map(|&[start, end]| Highlight {
            range: start..end,
            leaves: 1,
        })
        .collect();
    let chars = marked(text, 0..text.len(), &marks);
    let base = if dim {
        look.styles.context
    } else {
        Style::new()
    };
    for line in wrap(&chars, look.wrap_width()) {
        w.write_all(INDENT.as_bytes())?;
        write_styled(w, line, base, &look.styles)?;
        writeln!(w)?;
    }
    Ok(())
}

/// A neighbouring passage, dimmed, whole.
fn write_context(w: &mut dyn Write, text: &str, look: &Look) -> io::Result<()> {
    let chars = marked(text, 0..text.len(), &[]);
    let style = look.styles.context;
    for line in wrap(&chars, look.wrap_width()) {
        w.write_all(INDENT.as_bytes())?;
        write_styled(w, line, style, &look.styles)?;
        writeln!(w)?;
    }
    Ok(())
}

/// A score explanation as an indented tree: value, then what it is.
fn write_explanation(
    w: &mut dyn Write,
    node: &crate::search::extras::Explanation,
    depth: usize,
    look: &Look,
) -> io::Result<()> {
    let style = look.styles.context;
    let indent = "  ".repeat(depth);
    writeln!(
        w,
        "{INDENT}{style}{indent}{:.4} {}{style:#}",
        node.value,
        clean(&node.description)
    )?;
    for detail in &node.details {
        write_explanation(w, detail, depth + 1, look)?;
    }
    Ok(())
}

fn clean(text: &str) -> String {
    super::sanitize::line(text).into_owned()
}

/// The chars of `text[range]` ready for display, each flagged when it lies
/// in a highlight: whitespace runs collapsed to a space, or to `\n` when
/// they hold a blank line (a paragraph or heading break); controls made
/// safe.
fn marked(text: &str, range: Range<usize>, highlights: &[Highlight]) -> Vec<(char, bool)> {
    let mut out: Vec<(char, bool)> = Vec::with_capacity(range.len());
    let mut next = highlights.iter().peekable();
    // The whitespace run being skipped: whether it started lit, its newlines.
    let mut space: Option<(bool, usize)> = None;
    for (offset, c) in text[range.clone()].char_indices() {
        let at = range.start + offset;
        while next.next_if(|h| h.range.end <= at).is_some() {}
        let lit = next.peek().is_some_and(|h| h.range.start <= at);
        if c.is_whitespace() {
            let run = space.get_or_insert((lit, 0));
            run.1 += usize::from(c == '\n');
            continue;
        }
        let Some(c) = display_char(c) else { continue };
        if let Some((space_lit, newlines)) = space.take()
            && !out.is_empty()
        {
            out.push((if newlines >= 2 { '\n' } else { ' ' }, space_lit && lit));
        }
        out.push((c, lit));
    }
    out
}

/// Greedy word wrap of flagged chars at `width` chars per line; `\n`
/// forces a break.
fn wrap(chars: &[(char, bool)], width: usize) -> Vec<&[(char, bool)]> {
    chars
        .split(|&(c, _)| c == '\n')
        .flat_map(|paragraph| wrap_paragraph(paragraph, width))
        .collect()
}

fn wrap_paragraph(chars: &[(char, bool)], width: usize) -> Vec<&[(char, bool)]> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        if chars.len() - start <= width {
            lines.push(&chars[start..]);
            break;
        }
        let limit = start + width;
        let cut = chars[start..=limit]
            .iter()
            .rposition(|&(c, _)| c == ' ')
            .map_or(limit, |i| start + i);
        let cut = if cut == start { limit } else { cut };
        lines.push(&chars[start..cut]);
        start = cut;
        while chars.get(start).is_some_and(|&(c, _)| c == ' ') {
            start += 1;
        }
    }
    lines
}

/// Writes flagged chars: `base` style for plain ones, the highlight style
/// (on top of `base`) for flagged ones.
fn write_styled(
    w: &mut dyn Write,
    chars: &[(char, bool)],
    base: Style,
    styles: &Styles,
) -> io::Result<()> {
    let mut run = String::new();
    for (i, &(c, lit)) in chars.iter().enumerate() {
        run.push(c);
        let last_of_run = chars.get(i + 1).is_none_or(|&(_, next)| next != lit);
        if last_of_run {
            let style = if lit { styles.highlight } else { base };
            write!(w, "{style}{run}{style:#}")?;
            run.clear();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
