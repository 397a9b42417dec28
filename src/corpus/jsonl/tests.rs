//! Unit tests, compiled only under `#[cfg(test)]`: an `unwrap` or `expect`
//! here fails the test on bad data, which is what it is for.

use super::*;
use crate::corpus::stream::{HEAD, READ_BUFFER, open};
use proptest::prelude::*;

fn extract(src: &str, fields: &FieldMap) -> Extracted {
    super::extract(src.as_bytes(), fields).unwrap()
}

#[test]
fn each_line_is_a_document_with_its_id() {
    let src = "{\"id\":\"a1\",\"title\":\"One\",\"text\":\"First text\",\"date\":\"2018-03-22\",\"source\":\"Wire\"}\n\n{\"_id\":\"b2\",\"title\":\"\",\"text\":\"BEIR text\"}\n";
    let got = extract(src, &FieldMap::default());
    assert!(got.warnings.is_empty());
    assert_eq!(got.documents.len(), 2);
    let a = &got.documents[0];
    assert_eq!(a.id.as_deref(), Some("a1"));
    assert_eq!(a.meta.title, "One");
    assert_eq!(
        a.meta.date.as_ref().map(|d| d.iso.as_str()),
        Some("2018-03-22")
    );
    assert_eq!(a.meta.source.as_deref(), Some("Wire"));
    assert_eq!(a.text, "First text");
    let b = &got.documents[1];
    assert_eq!(b.id.as_deref(), Some("b2"));
    assert_eq!(b.meta.title, "b2", "no title: the id stands in");
}

#[test]
fn bad_lines_are_skipped_and_counted_in_one_warning() {
    let src = "not json\n{\"id\":\"x\",\"text\":\"ok\"}\n{\"id\":\"x\",\"text\":\"again\"}\n[1,2]\n{\"id\":\"y\"}\n";
    let got = extract(src, &FieldMap::default());
    assert_eq!(got.documents.len(), 1);
    assert_eq!(got.warnings, ["4 lines skipped (line 1 not a JSON object)"]);
}

#[test]
fn a_line_without_id_is_named_by_its_line_number() {
    let got = extract("{\"text\":\"a\"}\n{\"text\":\"b\"}", &FieldMap::default());
    let ids: Vec<_> = got
        .documents
        .iter()
        .map(|d| d.id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["L1", "L2"]);
}

#[test]
fn field_names_can_be_mapped() {
    let map = FieldMap::default()
        .with_overrides("text=body_text, id=docno")
        .unwrap();
    let got = extract(
        "{\"docno\":\"D-1\",\"body_text\":\"mapped\",\"text\":\"not this\"}",
        &map,
    );
    assert_eq!(got.documents[0].id.as_deref(), Some("D-1"));
    assert_eq!(got.documents[0].text, "mapped");
    assert!(FieldMap::default().with_overrides("bogus=x").is_err());
}

/// The extractor as it was before streaming: the whole text decoded, then
/// split into lines. The stream must give the same documents and warnings.
fn whole_file(bytes: &[u8], fields: &FieldMap) -> Result<Extracted, String> {
    let mut warnings = Vec::new();
    let src = crate::corpus::decode(bytes.to_vec(), &mut warnings)?;
    let mut documents = Vec::new();
    let mut ids = HashSet::new();
    let mut bad: Vec<(usize, &str)> = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let number = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Ok(Value::Object(record)) = serde_json::from_str::<Value>(line) else {
            bad.push((number, "not a JSON object"));
            continue;
        };
        let id = get(&record, &fields.id).unwrap_or_else(|| format!("L{number}"));
        if !ids.insert(id.clone()) {
            bad.push((number, "repeats an id"));
            continue;
        }
        let title = get(&record, &fields.title).unwrap_or_default();
        let text = get(&record, &fields.text).unwrap_or_default();
        if text.is_empty() && title.is_empty() {
            bad.push((number, "has no text"));
            continue;
        }
        documents.push(Document {
            id: Some(id.clone()),
            meta: Metadata {
                title: if title.is_empty() { id } else { title },
                date: get(&record, &fields.date).and_then(|d| crate::corpus::normalize_date(&d)),
                source: get(&record, &fields.source),
                url: get(&record, &fields.url),
                author: None,
            },
            text,
            ..Document::default()
        });
    }
    if let [(line, why), ..] = bad.as_slice() {
        warnings.push(format!(
            "{} line{} skipped (line {line} {why})",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(Extracted {
        documents,
        warnings,
    })
}

fn assert_same_as_whole_file(bytes: &[u8]) {
    let fields = FieldMap::default();
    match (super::extract(bytes, &fields), whole_file(bytes, &fields)) {
        (Ok(streamed), Ok(whole)) => {
            assert_eq!(streamed.documents, whole.documents, "{bytes:?}");
            assert_eq!(streamed.warnings, whole.warnings, "{bytes:?}");
        }
        (streamed, whole) => assert_eq!(streamed.err(), whole.err(), "{bytes:?}"),
    }
}

#[test]
fn streaming_gives_what_reading_the_whole_file_gave() {
    for bytes in [
        &b""[..],
        b"\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"bom\"}\r\n{\"id\":\"b\",\"text\":\" spaced \"}",
        b"{\"text\":\"caf\xC3\xA9 \xFF bad\"}\n{\"text\":\"x\xFEy\"}\r\n\r\n",
        b"{\"id\":1,\"text\":\"a\"}\n{\"id\":\"1\",\"text\":\"b\"}\n{\"id\":\"n\"}\n{\"id\":\"n\",\"text\":\"c\"}\r",
        b"\xFF\xFE{\x00\"\x00t\x00e\x00x\x00t\x00\"\x00:\x00\"\x00u\x00\"\x00}\x00",
        b"{\"text\":\"ok\"}\n\x00",
        b"{\"title\":\"only a title\",\"body\":\"\\u00e9 escaped\",\"date\":\"June, 2004\"}",
    ] {
        assert_same_as_whole_file(bytes);
    }
}

proptest! {
    #[test]
    fn any_bytes_stream_as_they_read_whole(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        assert_same_as_whole_file(&bytes);
    }

    #[test]
    fn records_and_noise_stream_as_they_read_whole(
        lines in proptest::collection::vec(
            prop_oneof![
                "[a-c]{0,2}".prop_map(|id| format!("{{\"id\":\"{id}\",\"text\":\"t {id}\"}}")),
                "[ \\r\\t]{0,2}",
                "\\PC{0,12}",
                Just("{\"title\":\"T\"}".to_string()),
            ],
            0..12,
        ),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let bom = if bom { "\u{FEFF}" } else { "" };
        assert_same_as_whole_file(format!("{bom}{}", lines.join(end)).as_bytes());
    }
}

/// Counts the bytes taken from a reader.
struct Counting<R> {
    inner: R,
    taken: std::rc::Rc<std::cell::Cell<usize>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.set(self.taken.get() + n);
        Ok(n)
    }
}

#[test]
fn a_stream_is_read_one_buffer_at_a_time_not_whole() {
    let line = format!("{{\"text\":\"{}\"}}\n", "word ".repeat(100));
    let src = line.repeat(20_000); // 10 MB
    let taken = std::rc::Rc::new(std::cell::Cell::new(0));
    let reader = Counting {
        inner: src.as_bytes(),
        taken: taken.clone(),
    };
    let (reader, _) = open(reader, usize::MAX).unwrap();
    let fields = FieldMap::default();
    let mut records = Records::new(reader, &fields, usize::MAX);
    assert!(records.next_document().unwrap().is_some());
    assert!(
        taken.get() <= HEAD + READ_BUFFER,
        "{} bytes read",
        taken.get()
    );
    let mut n = 1;
    while records.next_document().unwrap().is_some() {
        n += 1;
    }
    assert_eq!((n, taken.get()), (20_000, src.len()));
}

#[test]
fn a_line_over_the_limit_is_skipped_unread_and_counted() {
    let long = format!("{{\"id\":\"big\",\"text\":\"{}\"}}", "x".repeat(5000));
    let src = format!(
        "{{\"id\":\"a\",\"text\":\"short\"}}\n{long}\r\n{{\"id\":\"b\",\"text\":\"after\"}}"
    );
    let fields = FieldMap::default();
    let (reader, _) = open(src.as_bytes(), 100).unwrap();
    let mut records = Records::new(reader, &fields, 100);
    let mut ids = Vec::new();
    while let Some(doc) = records.next_document().unwrap() {
        ids.push(doc.id.unwrap());
        assert!(records.line.capacity() <= 1024, "the long line was held");
    }
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        records.warnings(),
        ["1 line skipped (line 2 is longer than --max-file-size)"]
    );
    // A line of exactly the limit is kept.
    let exact = "{\"text\":\"abc\"}";
    let (reader, _) = open(exact.as_bytes(), exact.len()).unwrap();
    let mut records = Records::new(reader, &fields, exact.len());
    assert!(records.next_document().unwrap().is_some());
}
