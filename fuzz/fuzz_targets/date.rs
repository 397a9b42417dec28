//! Any text: `normalize_date` gives `None` or a date whose ISO form has a
//! documented shape (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
//! `YYYY-MM-DDTHH:MM:SS`, with `Z` for an instant) and normalises to itself
//! (same ISO text, same seconds).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::corpus::normalize_date;

fn is_iso_shape(iso: &str) -> bool {
    let shape: String = iso
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    let shapes = ["9999", "9999-99", "9999-99-99", "9999-99-99T99:99:99"];
    shapes.contains(&shape.as_str()) || shape == "9999-99-99T99:99:99Z"
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(date) = normalize_date(&text) {
        assert!(
            is_iso_shape(&date.iso),
            "{text:?} gave {date:?}: not ISO 8601"
        );
        let again = normalize_date(&date.iso);
        assert_eq!(
            again.as_ref(),
            Some(&date),
            "{text:?} gave {date:?}, which gives {again:?}"
        );
        let _ = date.end_seconds();
    }
});
