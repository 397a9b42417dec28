//! Any text: `passage::split` gives ordered, disjoint, trimmed, non-empty
//! ranges on char boundaries, within the text, within the size bound, and
//! never across a hard break.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::passage::{Bounds, size, split};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Hard breaks: each line starting with '#', plus two offsets that may
    // fall inside a char (those must be ignored).
    let mut breaks: Vec<usize> = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .filter(|&i| text[i..].starts_with('#'))
        .chain([text.len() / 3, text.len() / 2])
        .collect();
    breaks.sort_unstable();
    breaks.dedup();
    let bounds = Bounds::default();
    let passages = split(&text, &breaks, bounds);
    let mut prev_end = 0;
    for r in &passages {
        assert!(
            prev_end <= r.start && r.start < r.end && r.end <= text.len(),
            "{r:?}"
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{r:?}"
        );
        let slice = &text[r.clone()];
        assert_eq!(slice, slice.trim(), "{r:?} is not trimmed");
        assert!(size(slice) <= bounds.max, "{r:?} is over the size bound");
        for &b in breaks.iter().filter(|&&b| text.is_char_boundary(b)) {
            assert!(!(r.start < b && b < r.end), "{r:?} spans the break at {b}");
        }
        prev_end = r.end;
    }
});
