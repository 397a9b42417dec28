//! Markdown: markup removed (no `#`, `**`, link syntax; the words stay),
//! headings kept as text and as section breaks, front matter (YAML between
//! `---` lines, or TOML between `+++` lines) read for the metadata.

use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use serde_yaml_ng::Value;

use super::{Document, Extracted, Metadata, title_from_file_name};

/// Version of this extractor.
pub const VERSION: u32 = 2;

pub fn extract(src: &str, file_name: &str) -> Extracted {
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut out = PlainText::default();
    let mut front_matter = String::new();
    let mut front_matter_kind = None;
    let mut in_front_matter = false;
    let mut heading: Option<String> = None;
    let mut first_heading: Option<String> = None;
    for event in Parser::new_ext(src, options) {
        match event {
            Event::Start(Tag::MetadataBlock(kind)) => {
                in_front_matter = true;
                front_matter_kind = Some(kind);
            }
            Event::End(TagEnd::MetadataBlock(_)) => in_front_matter = false,
            Event::Text(t) if in_front_matter => front_matter.push_str(&t),
            Event::Start(Tag::Heading { .. }) => {
                out.block_break();
                out.breaks.push(out.text.len());
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if first_heading.is_none() {
                    first_heading = heading.take().filter(|h| !h.trim().is_empty());
                }
                heading = None;
                out.block_break();
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
                out.text.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => out.line_break(),
            Event::Start(Tag::Item | Tag::TableRow)
            | Event::End(TagEnd::Item | TagEnd::TableRow) => {
                out.line_break();
            }
            Event::End(TagEnd::TableCell) => out.text.push_str("  "),
            Event::Start(tag) if is_block(&tag) => out.block_break(),
            Event::End(tag) if is_block_end(&tag) => out.block_break(),
            Event::Rule => out.block_break(),
            _ => {}
        }
    }
    let mut warnings = Vec::new();
    let mut meta = match front_matter_kind {
        Some(MetadataBlockKind::PlusesStyle) => toml_metadata(&front_matter, &mut warnings),
        _ => yaml_metadata(&front_matter, &mut warnings),
    };
    if meta.title.is_empty() {
        meta.title = first_heading
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|| title_from_file_name(file_name));
    }
    let text = out.text.trim_end().to_string();
    let breaks = out.breaks.into_iter().filter(|&b| b < text.len()).collect();
    Extracted {
        documents: vec![Document {
            meta,
            text,
            breaks,
            ..Document::default()
        }],
        warnings,
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::List(_)
            | Tag::Table(_)
            | Tag::FootnoteDefinition(_)
            | Tag::HtmlBlock
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::List(_)
            | TagEnd::Table
            | TagEnd::FootnoteDefinition
            | TagEnd::HtmlBlock
    )
}

/// The text being built, with its section breaks.
#[derive(Default)]
struct PlainText {
    text: String,
    breaks: Vec<usize>,
}

impl PlainText {
    /// Ends the current block with a blank line (once).
    fn block_break(&mut self) {
        self.trim_spaces();
        if !self.text.is_empty() {
            while !self.text.ends_with("\n\n") {
                self.text.push('\n');
            }
        }
    }

    /// Ends the current line (once).
    fn line_break(&mut self) {
        self.trim_spaces();
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn trim_spaces(&mut self) {
        let kept = self.text.trim_end_matches([' ', '\t']).len();
        self.text.truncate(kept);
    }
}

/// title, date, source, url and author from YAML front matter; a
/// malformed block costs a warning and no metadata.
fn yaml_metadata(yaml: &str, warnings: &mut Vec<String>) -> Metadata {
    if yaml.trim().is_empty() {
        return Metadata::default();
    }
    let value: Value = match serde_yaml_ng::from_str(yaml) {
        Ok(value) => value,
        Err(err) => {
            let reason = err.to_string().replace('\n', " ");
            warnings.push(format!("invalid front matter ignored: {reason}"));
            return Metadata::default();
        }
    };
    metadata_from(
        |name| match value.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        },
        warnings,
    )
}

/// The same from TOML front matter (`+++`); TOML dates are read as dates.
fn toml_metadata(text: &str, warnings: &mut Vec<String>) -> Metadata {
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(err) => {
            let reason = err.message().replace('\n', " ");
            warnings.push(format!("invalid front matter ignored: {reason}"));
            return Metadata::default();
        }
    };
    metadata_from(
        |name| match table.get(name)? {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Datetime(d) => Some(d.to_string()),
            toml::Value::Integer(n) => Some(n.to_string()),
            _ => None,
        },
        warnings,
    )
}

/// Metadata from a front matter lookup; a date that cannot be read costs a
/// warning and is left out.
fn metadata_from(get: impl Fn(&str) -> Option<String>, warnings: &mut Vec<String>) -> Metadata {
    let field = |name: &str| {
        get(name)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let date = field("date").and_then(|raw| {
        let date = super::normalize_date(&raw);
        if date.is_none() && raw != "null" {
            warnings.push(format!("date {raw:?} not understood, left out"));
        }
        date
    });
    Metadata {
        title: field("title").unwrap_or_default(),
        date,
        source: field("source"),
        url: field("url"),
        author: field("author"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_the_metadata_and_is_not_text() {
        let src = "---\ntitle: \"Section 301\"\ndate: 2018-03-22\nsource: USTR\nurl: https://ustr.gov/x\n---\n\nBody **text**.\n";
        let doc = extract(src, "a.md").documents.remove(0);
        assert_eq!(doc.meta.title, "Section 301");
        assert_eq!(doc.meta.date.map(|d| d.iso).as_deref(), Some("2018-03-22"));
        assert_eq!(doc.meta.source.as_deref(), Some("USTR"));
        assert_eq!(doc.meta.url.as_deref(), Some("https://ustr.gov/x"));
        assert_eq!(doc.text, "Body text.");
    }

    #[test]
    fn markup_is_removed_and_heading_text_kept() {
        let src = "# The APT1 report\n\nSee [the report](https://example.com) and **bold** `code`.\n\n## Methods\n\n- spear phishing\n- exfiltration\n";
        let doc = extract(src, "a.md").documents.remove(0);
        assert_eq!(doc.meta.title, "The APT1 report");
        assert_eq!(
            doc.text,
            "The APT1 report\n\nSee the report and bold code.\n\nMethods\n\nspear phishing\nexfiltration"
        );
        let methods = doc.text.find("Methods").unwrap();
        assert_eq!(doc.breaks, vec![0, methods]);
    }

    #[test]
    fn without_front_matter_or_heading_the_file_name_is_the_title() {
        let doc = extract("Just a paragraph.", "notes-2019.md")
            .documents
            .remove(0);
        assert_eq!(doc.meta.title, "notes-2019");
    }

    #[test]
    fn toml_front_matter_is_read_too() {
        let src =
            "+++\ntitle = \"Shale\"\ndate = 2019-06-04\nsource = \"Energy Review\"\n+++\n\nBody.\n";
        let doc = extract(src, "a.md").documents.remove(0);
        assert_eq!(doc.meta.title, "Shale");
        assert_eq!(doc.meta.date.map(|d| d.iso).as_deref(), Some("2019-06-04"));
        assert_eq!(doc.meta.source.as_deref(), Some("Energy Review"));
        assert_eq!(doc.text, "Body.");
    }

    #[test]
    fn dates_are_normalised_and_bad_ones_warn() {
        let src = "---\ndate: March 22, 2018\n---\nx\n";
        let doc = extract(src, "a.md").documents.remove(0);
        assert_eq!(doc.meta.date.map(|d| d.iso).as_deref(), Some("2018-03-22"));
        let got = extract("---\ndate: someday\n---\nx\n", "a.md");
        assert!(got.documents[0].meta.date.is_none());
        assert_eq!(got.warnings.len(), 1, "{:?}", got.warnings);
        let got = extract("---\ndate: null\n---\nx\n", "a.md");
        assert!(
            got.warnings.is_empty(),
            "a null date is no date: {:?}",
            got.warnings
        );
    }

    #[test]
    fn malformed_front_matter_warns_and_keeps_the_body() {
        let got = extract("---\ntitle: [unclosed\n---\n\nThe body stays.\n", "a.md");
        assert_eq!(got.documents[0].text, "The body stays.");
        assert_eq!(got.warnings.len(), 1);
        assert!(
            got.warnings[0].starts_with("invalid front matter"),
            "{:?}",
            got.warnings
        );
    }
}
