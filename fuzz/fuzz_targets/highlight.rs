//! `query\ntitle\nbody`: when the query plans, the highlights of the title
//! and the body are sorted, disjoint ranges on char boundaries inside their
//! text, and the window chosen from them is one too.
#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use quarry::schema::TextField;
use quarry::search::highlight::{Analyzers, Highlight, highlight};
use quarry::search::plan::{Mode, PrefixExpander, plan};
use quarry::search::window::{WINDOW_CHARS, window};

/// Expands a prefix over the words of the passage, as an index would.
struct Vocabulary(Vec<String>);

impl PrefixExpander for Vocabulary {
    fn expand(
        &self,
        _field: TextField,
        prefix: &str,
    ) -> quarry::error::Result<(Vec<String>, bool)> {
        let found: Vec<String> = self
            .0
            .iter()
            .filter(|w| w.starts_with(prefix))
            .cloned()
            .collect();
        let truncated = found.len() > 50;
        Ok((found.into_iter().take(50).collect(), truncated))
    }
}

fn check_range(text: &str, r: &Range<usize>) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{r:?} outside {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{r:?}"
    );
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

fuzz_target!(|data: &[u8]| {
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
            let w = window(body, &marks.body, &weights, budget);
            check_range(body, &w.range);
        }
    }
});
