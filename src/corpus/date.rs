//! Publication dates: whatever a document states, normalised to ISO 8601.
//!
//! A date keeps the precision it was given: `2018-03-22` stays a day,
//! `2018-03-22T10:00:00+02:00` becomes the instant `2018-03-22T08:00:00Z`,
//! `March 2018` becomes `2018-03`. Nothing is invented: a text that is not
//! a date gives no date (never the file's mtime).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::fmt::rfc2822::DateTimeParser;

/// A normalised date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PubDate {
    /// ISO 8601: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`.
    pub iso: String,
    /// Seconds since the Unix epoch of the date's first instant (UTC), for
    /// filters and sorting.
    pub seconds: i64,
}

impl PubDate {
    /// The first second after the period the date names: the next day for
    /// a day, the next month for a month, the next year for a year, the
    /// next second for an instant. `--until 2018-12-31` includes that day.
    pub fn end_seconds(&self) -> i64 {
        let digits = self.iso.len();
        let Ok(date) = self
            .iso
            .get(..10)
            .unwrap_or("")
            .parse::<Date>()
            .or_else(|_| {
                let (y, m) = (self.iso.get(..4), self.iso.get(5..7));
                let year: i16 = y.and_then(|y| y.parse().ok()).unwrap_or(1970);
                let month: i8 = m.and_then(|m| m.parse().ok()).unwrap_or(1);
                Date::new(year, month, 1)
            })
        else {
            return self.seconds + 1;
        };
        let next = match digits {
            4 => date.checked_add(jiff::Span::new().years(1)),
            7 => date.checked_add(jiff::Span::new().months(1)),
            10 => date.checked_add(jiff::Span::new().days(1)),
            _ => return self.seconds + 1,
        };
        next.map_or(self.seconds + 1, first_second)
    }
}

/// Day formats tried in order (after ISO 8601 and RFC 2822).
const DAY_FORMATS: &[&str] = &[
    "%Y/%m/%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%b. %d, %Y",
    "%A, %B %d, %Y",
    "%A, %d %B %Y",
    "%d.%m.%Y",
];
/// Date-and-time formats without a zone (read as UTC).
const TIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
];
/// Month formats.
const MONTH_FORMATS: &[&str] = &["%B %Y", "%b %Y"];

/// Normalises a stated date, or `None` when it is not one (years outside
/// 0000–9999 included: ISO 8601 needs an agreement for them).
pub fn normalize(raw: &str) -> Option<PubDate> {
    let date = parse(raw)?;
    let year_ok = date.iso.len() >= 4 && date.iso.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    year_ok.then_some(date)
}

fn parse(raw: &str) -> Option<PubDate> {
    let text = raw.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    if let Some(coarse) = month_or_year(text) {
        return Some(coarse);
    }
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(instant(ts));
    }
    if let Ok(ts) = DateTimeParser::new().parse_timestamp(text) {
        return Some(instant(ts));
    }
    // A time of day needs more than the ten chars of a day.
    if text.len() > 10 {
        if let Ok(dt) = text.parse::<DateTime>() {
            return Some(naive(dt));
        }
        if let Some(dt) = TIME_FORMATS
            .iter()
            .find_map(|f| DateTime::strptime(f, text).ok())
        {
            return Some(naive(dt));
        }
    }
    if let Ok(date) = text.parse::<Date>() {
        return Some(day(date));
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Date::strptime("%Y%m%d", text).ok().map(day);
    }
    DAY_FORMATS
        .iter()
        .find_map(|f| Date::strptime(f, text).ok())
        .map(day)
}

fn instant(ts: Timestamp) -> PubDate {
    PubDate {
        iso: ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        seconds: ts.as_second(),
    }
}

fn naive(dt: DateTime) -> PubDate {
    let seconds = dt
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_second());
    PubDate {
        iso: dt.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        seconds,
    }
}

fn day(date: Date) -> PubDate {
    PubDate {
        iso: date.strftime("%Y-%m-%d").to_string(),
        seconds: first_second(date),
    }
}

fn first_second(date: Date) -> i64 {
    date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_second())
}

/// `2018-03`, `March 2018`, `2018`.
fn month_or_year(text: &str) -> Option<PubDate> {
    let month = |date: Date| PubDate {
        iso: date.strftime("%Y-%m").to_string(),
        seconds: first_second(date),
    };
    if let Some((y, m)) = text.split_once('-')
        && y.len() == 4
        && m.len() == 2
        && text.bytes().filter(u8::is_ascii_digit).count() == 6
    {
        let date = Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
        return Some(month(date));
    }
    for format in MONTH_FORMATS {
        if let Ok(date) = Date::strptime(format!("%d {format}"), format!("1 {text}")) {
            return Some(month(date));
        }
    }
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let date = Date::new(text.parse().ok()?, 1, 1).ok()?;
        return Some(PubDate {
            iso: text.to_string(),
            seconds: first_second(date),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Option<String> {
        normalize(text).map(|d| d.iso)
    }

    #[test]
    fn days_in_many_spellings_become_iso_days() {
        for text in [
            "2018-03-22",
            "2018/03/22",
            "22 March 2018",
            "22 Mar 2018",
            "March 22, 2018",
            "Mar 22, 2018",
            "Thursday, March 22, 2018",
            " 2018-03-22 ",
        ] {
            assert_eq!(iso(text).as_deref(), Some("2018-03-22"), "{text}");
        }
    }

    #[test]
    fn times_are_kept_and_offsets_resolved_to_utc() {
        assert_eq!(
            iso("2018-03-22T10:00:00+02:00").as_deref(),
            Some("2018-03-22T08:00:00Z")
        );
        assert_eq!(
            iso("Thu, 22 Mar 2018 10:00:00 +0000").as_deref(),
            Some("2018-03-22T10:00:00Z")
        );
        assert_eq!(
            iso("2018-03-22 10:30").as_deref(),
            Some("2018-03-22T10:30:00")
        );
    }

    #[test]
    fn coarser_dates_keep_their_precision() {
        assert_eq!(iso("2018-03").as_deref(), Some("2018-03"));
        assert_eq!(iso("March 2018").as_deref(), Some("2018-03"));
        assert_eq!(iso("2018").as_deref(), Some("2018"));
    }

    #[test]
    fn non_dates_give_none() {
        for text in [
            "",
            "soon",
            "2018-13-45",
            "null",
            "12345",
            "yesterday",
            "-000001-01-01T00:00:00Z",
            "01.01.-5",
        ] {
            assert_eq!(iso(text), None, "{text}");
        }
    }

    #[test]
    fn a_period_ends_where_the_next_one_starts() {
        let day = normalize("2018-12-31").unwrap();
        assert_eq!(day.end_seconds() - day.seconds, 86_400);
        let month = normalize("2018-02").unwrap();
        assert_eq!(
            month.end_seconds(),
            normalize("2018-03-01").unwrap().seconds
        );
        let year = normalize("2018").unwrap();
        assert_eq!(year.end_seconds(), normalize("2019-01-01").unwrap().seconds);
        let instant = normalize("2018-03-22T08:00:00Z").unwrap();
        assert_eq!(instant.end_seconds(), instant.seconds + 1);
    }

    #[test]
    fn seconds_order_dates() {
        let a = normalize("2018-03-22").unwrap().seconds;
        let b = normalize("2018-03-22T08:00:00Z").unwrap().seconds;
        let c = normalize("2018-03-23").unwrap().seconds;
        assert!(a < b && b < c);
        assert_eq!(a, 1_521_676_800);
    }
}
