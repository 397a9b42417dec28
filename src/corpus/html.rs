//! HTML: the article's text only, with its publication metadata.
//!
//! Scripts, styles, navigation, headers, footers, asides, forms and
//! cookie/consent banners are dropped; `<article>` (else `<main>`, else
//! `<body>`) is preferred. Entities are decoded by the parser, whitespace is
//! collapsed, and block elements become paragraphs, headings section
//! breaks. Metadata comes from Open Graph, `<time>`, JSON-LD and the usual
//! `<meta>` names (see [`metadata`]).

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

use super::{Document, Extracted, Metadata, title_from_file_name};

/// Version of this extractor.
pub const VERSION: u32 = 1;

/// Elements whose content is never article text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "button", "select", "textarea", "iframe", "svg", "canvas", "object", "embed", "head",
];

/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "figure",
    "figcaption",
    "address",
    "hr",
    "br",
    "details",
    "summary",
];

pub fn extract(src: &str, file_name: &str) -> Extracted {
    let html = Html::parse_document(src);
    let mut meta = metadata(&html);
    let root = ["article", "main", "body"]
        .iter()
        .find_map(|name| select_first(&html, name))
        .unwrap_or_else(|| html.root_element());
    let mut out = Text::default();
    walk(*root, &mut out, false);
    let text = out.text.trim_end().to_string();
    let breaks = out.breaks.into_iter().filter(|&b| b < text.len()).collect();
    if meta.title.is_empty() {
        meta.title = title_from_file_name(file_name);
    }
    Extracted {
        documents: vec![Document {
            meta,
            text,
            breaks,
            ..Document::default()
        }],
        warnings: Vec::new(),
    }
}

fn select_first<'a>(html: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    let selector = Selector::parse(css).ok()?;
    html.select(&selector).next()
}

/// Text being built, with section breaks at headings.
#[derive(Default)]
struct Text {
    text: String,
    breaks: Vec<usize>,
}

impl Text {
    fn push(&mut self, s: &str, preformatted: bool) {
        if preformatted {
            self.text.push_str(s);
            return;
        }
        for (i, word) in s.split_whitespace().enumerate() {
            let at_start = self.text.is_empty() || self.text.ends_with(['\n', ' ']);
            let glued = i == 0 && !s.starts_with(char::is_whitespace);
            if !at_start && !glued {
                self.text.push(' ');
            }
            self.text.push_str(word);
        }
        if s.ends_with(char::is_whitespace)
            && !self.text.is_empty()
            && !self.text.ends_with(['\n', ' '])
        {
            self.text.push(' ');
        }
    }

    fn block_break(&mut self) {
        let kept = self.text.trim_end_matches([' ', '\t']).len();
        self.text.truncate(kept);
        if !self.text.is_empty() {
            while !self.text.ends_with("\n\n") {
                self.text.push('\n');
            }
        }
    }
}

/// A step of the walk: enter a node, or close an element's block.
enum Step<'a> {
    Enter(NodeRef<'a, Node>, bool),
    CloseBlock,
}

/// Walks the tree with an explicit stack: markup nested thousands deep
/// must not overflow the thread's stack.
fn walk(root: NodeRef<'_, Node>, out: &mut Text, preformatted: bool) {
    let mut stack = vec![Step::Enter(root, preformatted)];
    while let Some(step) = stack.pop() {
        let (node, preformatted) = match step {
            Step::CloseBlock => {
                out.block_break();
                continue;
            }
            Step::Enter(node, preformatted) => (node, preformatted),
        };
        let mut pre = preformatted;
        match node.value() {
            Node::Text(text) => {
                out.push(text, preformatted);
                continue;
            }
            Node::Element(element) => {
                let name = element.name();
                if DROPPED.contains(&name) || is_banner(element) || element.attr("hidden").is_some()
                {
                    continue;
                }
                let heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
                let block = heading || BLOCKS.contains(&name);
                if block {
                    out.block_break();
                    stack.push(Step::CloseBlock);
                }
                if heading {
                    out.breaks.push(out.text.len());
                }
                pre = preformatted || name == "pre";
            }
            Node::Document | Node::Fragment => {}
            _ => continue,
        }
        // Children in reverse, so the first is handled first.
        let children: Vec<_> = node.children().collect();
        stack.extend(
            children
                .into_iter()
                .rev()
                .map(|child| Step::Enter(child, pre)),
        );
    }
}

/// Cookie and consent banners, by their id or class names.
fn is_banner(element: &scraper::node::Element) -> bool {
    let named = |s: &str| {
        let s = s.to_ascii_lowercase();
        ["cookie", "consent", "gdpr", "newsletter-signup", "paywall"]
            .iter()
            .any(|k| s.contains(k))
    };
    element.id().is_some_and(named) || element.classes().any(named)
}

/// Title, date, source, url and author from the page's head and JSON-LD.
fn metadata(html: &Html) -> Metadata {
    let meta = |css: &str| -> Option<String> {
        let selector = Selector::parse(css).ok()?;
        html.select(&selector)
            .filter_map(|e| {
                e.attr("content")
                    .or_else(|| e.attr("datetime"))
                    .or_else(|| e.attr("href"))
            })
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|v| !v.is_empty())
    };
    let text_of = |css: &str| -> Option<String> {
        let element = select_first(html, css)?;
        let text = element.text().collect::<Vec<_>>().join(" ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (!text.is_empty()).then_some(text)
    };
    let ld = json_ld(html);
    let title = meta("meta[property='og:title']")
        .or_else(|| text_of("title"))
        .or_else(|| text_of("h1"))
        .unwrap_or_default();
    let date = meta("meta[property='article:published_time']")
        .or_else(|| meta("time[datetime]"))
        .or_else(|| ld.iter().find_map(|v| find_key(v, "datePublished")))
        .or_else(|| meta("meta[name='date'], meta[name='pubdate'], meta[name='DC.date'], meta[itemprop='datePublished']"))
        .and_then(|raw| super::normalize_date(&raw));
    let url = meta("link[rel='canonical']").or_else(|| meta("meta[property='og:url']"));
    let source = meta("meta[property='og:site_name']").or_else(|| url.as_deref().and_then(host));
    let author = meta("meta[name='author']")
        .or_else(|| ld.iter().find_map(|v| find_key(v, "author")))
        .or_else(|| text_of("a[rel='author']"));
    Metadata {
        title,
        date,
        source,
        url,
        author,
    }
}

/// The JSON-LD blocks of the page that parse.
fn json_ld(html: &Html) -> Vec<serde_json::Value> {
    let Ok(selector) = Selector::parse("script[type='application/ld+json']") else {
        return Vec::new();
    };
    html.select(&selector)
        .filter_map(|e| serde_json::from_str(&e.text().collect::<String>()).ok())
        .collect()
}

/// The first string found under `key` anywhere in a JSON value (an
/// author object gives its `name`).
fn find_key(value: &serde_json::Value, key: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if let Some(found) = map.get(key) {
                match found {
                    Value::String(s) if !s.trim().is_empty() => return Some(s.trim().to_string()),
                    Value::Object(o) => {
                        if let Some(Value::String(name)) = o.get("name") {
                            return Some(name.trim().to_string());
                        }
                    }
                    Value::Array(items) => {
                        if let Some(s) = items
                            .iter()
                            .find_map(|i| find_key(&serde_json::json!({ key: i }), key))
                        {
                            return Some(s);
                        }
                    }
                    _ => {}
                }
            }
            map.values().find_map(|v| find_key(v, key))
        }
        Value::Array(items) => items.iter().find_map(|v| find_key(v, key)),
        _ => None,
    }
}

/// The host of a URL (`https://www.example.com/x` → `www.example.com`).
fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests;
