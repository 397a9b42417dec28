//! JSON Lines collections: one document per line.
//!
//! Fields `id` (or BEIR's `_id`), `title`, `text`, `date`, `source`, `url`;
//! other names can be mapped ([`FieldMap`]). A document's path key is
//! `file.jsonl#id`. Lines that are not JSON objects, lack text or repeat an
//! id are skipped, and counted in one warning for the file.

use std::collections::HashSet;

use serde_json::Value;

use super::{Document, Extracted, Metadata};

/// Version of this extractor.
pub const VERSION: u32 = 2;

/// Which JSON field holds each part of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap {
    pub id: Vec<String>,
    pub title: Vec<String>,
    pub text: Vec<String>,
    pub date: Vec<String>,
    pub source: Vec<String>,
    pub url: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> FieldMap {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect();
        FieldMap {
            id: names(&["id", "_id"]),
            title: names(&["title"]),
            text: names(&["text", "body", "content"]),
            date: names(&["date"]),
            source: names(&["source"]),
            url: names(&["url"]),
        }
    }
}

impl FieldMap {
    /// Applies `part=name,part=name` (e.g. `text=body,id=doc_no`): each
    /// named part is looked up under that name first.
    pub fn with_overrides(mut self, spec: &str) -> Result<FieldMap, String> {
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (part, name) = pair
                .split_once('=')
                .ok_or_else(|| format!("'{pair}' is not part=name"))?;
            let list = match part.trim() {
                "id" => &mut self.id,
                "title" => &mut self.title,
                "text" => &mut self.text,
                "date" => &mut self.date,
                "source" => &mut self.source,
                "url" => &mut self.url,
                other => {
                    return Err(format!(
                        "unknown part '{other}' (id, title, text, date, source, url)"
                    ));
                }
            };
            list.insert(0, name.trim().to_string());
        }
        Ok(self)
    }
}

/// Extracts every record of a JSON Lines text.
pub fn extract(src: &str, fields: &FieldMap) -> Extracted {
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
        let get = |names: &[String]| -> Option<String> {
            names.iter().find_map(|name| match record.get(name)? {
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let id = get(&fields.id).unwrap_or_else(|| format!("L{number}"));
        if !ids.insert(id.clone()) {
            bad.push((number, "repeats an id"));
            continue;
        }
        let title = get(&fields.title).unwrap_or_default();
        let text = get(&fields.text).unwrap_or_default();
        if text.is_empty() && title.is_empty() {
            bad.push((number, "has no text"));
            continue;
        }
        documents.push(Document {
            id: Some(id.clone()),
            meta: Metadata {
                title: if title.is_empty() { id } else { title },
                date: get(&fields.date).and_then(|d| super::normalize_date(&d)),
                source: get(&fields.source),
                url: get(&fields.url),
                author: None,
            },
            text,
            ..Document::default()
        });
    }
    let warnings = match bad.as_slice() {
        [] => Vec::new(),
        [(line, why), ..] => vec![format!(
            "{} line{} skipped (line {line} {why})",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" }
        )],
    };
    Extracted {
        documents,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
