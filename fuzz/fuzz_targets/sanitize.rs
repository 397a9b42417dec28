//! Any text: `sanitize::line` leaves no control char, no bidi control, no
//! whitespace but single spaces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::output::sanitize::line;

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = line(&text);
    for c in out.chars() {
        assert!(!c.is_control(), "control {c:?} in {out:?}");
        assert!(!is_bidi_control(c), "bidi control {c:?} in {out:?}");
        assert!(
            c == ' ' || !c.is_whitespace(),
            "whitespace {c:?} in {out:?}"
        );
    }
    assert!(!out.contains("  "), "double space in {out:?}");
});
