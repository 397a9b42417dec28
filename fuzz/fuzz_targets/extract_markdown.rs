//! Any bytes as a Markdown file: extracted or refused, never a panic, and
//! every section break is inside the text, on a char boundary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::corpus::{ExtractOptions, Format};

fuzz_target!(|data: &[u8]| {
    let Ok(extracted) = Format::Markdown.extract(data, "fuzz.md", &ExtractOptions::default())
    else {
        return;
    };
    for doc in &extracted.documents {
        assert!(!doc.meta.title.is_empty(), "empty title");
        for &b in &doc.breaks {
            assert!(
                b <= doc.text.len() && doc.text.is_char_boundary(b),
                "break {b}"
            );
        }
    }
});
