//! Any bytes as an HTML file: extracted or refused, never a panic, and
//! every section break is inside the text, on a char boundary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::corpus::{ExtractOptions, Format};

fuzz_target!(|data: &[u8]| {
    // Deeply nested markup makes the parser slow (the product gives up
    // after a timeout); keep runs fast.
    if data.len() > 64 * 1024 {
        return;
    }
    let Ok(extracted) = Format::Html.extract(data, "fuzz.html", &ExtractOptions::default()) else {
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
