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

/// Passage lines are wrapped at this many chars, after the indent.
const WIDTH: usize = 96;
const INDENT: &str = "   ";

/// The styles of human output; all plain when colour is off.
#[derive(Clone, Copy, Debug, Default)]
pub struct Styles {
    pub rank: Style,
    pub title: Style,
    pub path: Style,
    pub date: Style,
    pub highlight: Style,
    pub stale: Style,
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
        }
    }

    /// No escape codes at all.
    pub fn plain() -> Styles {
        Styles::default()
    }
}

/// Writes every hit of a search.
pub fn write_search(w: &mut dyn Write, outcome: &Outcome, styles: &Styles) -> io::Result<()> {
    for (i, hit) in outcome.hits.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        write_hit(w, hit, styles)?;
    }
    Ok(())
}

fn write_hit(w: &mut dyn Write, hit: &Hit, styles: &Styles) -> io::Result<()> {
    let rank = styles.rank;
    write!(w, "{rank}{}.{rank:#} ", hit.rank)?;
    let title = marked(&hit.title, 0..hit.title.len(), &hit.marks.title);
    write_styled(w, &title, styles.title, styles)?;
    let path = styles.path;
    write!(w, " — {path}{}#{}{path:#}", clean(&hit.path), hit.passage)?;
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
    writeln!(w)?;
    let mut body = Vec::new();
    if hit.window.cut_start {
        body.push(('…', false));
    }
    body.extend(marked(&hit.text, hit.window.range.clone(), &hit.marks.body));
    if hit.window.cut_end {
        body.push(('…', false));
    }
    for line in wrap(&body, WIDTH) {
        w.write_all(INDENT.as_bytes())?;
        write_styled(w, line, Style::new(), styles)?;
        writeln!(w)?;
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
