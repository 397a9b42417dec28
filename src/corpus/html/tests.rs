//! Unit tests, compiled only under `#[cfg(test)]`: an `unwrap` or `expect`
//! here fails the test on bad data, which is what it is for.

use super::*;

fn doc(src: &str) -> Document {
    extract(src, "page.html").documents.remove(0)
}

const ARTICLE: &str = r#"<!doctype html>
<html><head>
<title>Tariffs &amp; trade | The Wire</title>
<meta property="og:title" content="Tariffs &amp; trade">
<meta property="og:site_name" content="The Wire">
<meta property="article:published_time" content="2018-03-22T09:30:00Z">
<meta name="author" content="A. Writer">
<link rel="canonical" href="https://www.thewire.example/tariffs">
<style>.x{color:red}</style>
<script>var tracking = "cookie";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World news</a></nav>
<header><h1>Site banner</h1></header>
<div id="cookie-banner">We use cookies. Accept all?</div>
<article>
  <h1>Tariffs  and   trade</h1>
  <p>The duties took effect in <b>March</b>&nbsp;2018 &mdash; after a long review.</p>
  <aside>Related: sign up for our newsletter</aside>
  <h2>Retaliation</h2>
  <p>Partners answered within weeks.</p>
  <form><input value="search"></form>
</article>
<footer>Copyright 2018 The Wire</footer>
</body></html>"#;

#[test]
fn only_the_article_text_is_kept() {
    let d = doc(ARTICLE);
    assert_eq!(
        d.text,
        "Tariffs and trade\n\nThe duties took effect in March 2018 \u{2014} after a long review.\n\nRetaliation\n\nPartners answered within weeks."
    );
    for boilerplate in [
        "Home",
        "World news",
        "cookies",
        "Copyright",
        "newsletter",
        "tracking",
        "color",
        "Site banner",
        "search",
    ] {
        assert!(
            !d.text.contains(boilerplate),
            "{boilerplate:?} leaked into {:?}",
            d.text
        );
    }
}

#[test]
fn headings_are_section_breaks() {
    let d = doc(ARTICLE);
    let retaliation = d.text.find("Retaliation").unwrap();
    assert_eq!(d.breaks, vec![0, retaliation]);
}

#[test]
fn open_graph_metadata_is_read() {
    let d = doc(ARTICLE);
    assert_eq!(d.meta.title, "Tariffs & trade");
    assert_eq!(d.meta.source.as_deref(), Some("The Wire"));
    assert_eq!(
        d.meta.url.as_deref(),
        Some("https://www.thewire.example/tariffs")
    );
    assert_eq!(d.meta.author.as_deref(), Some("A. Writer"));
    assert_eq!(
        d.meta.date.map(|d| d.iso).as_deref(),
        Some("2018-03-22T09:30:00Z")
    );
}

#[test]
fn fallbacks_title_time_json_ld_and_canonical_host() {
    let src = r#"<html><head><title> Plain   title </title>
<link rel="canonical" href="https://news.example.org/a/b?x=1">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","datePublished":"2019-06-04","author":{"@type":"Person","name":"Jo Reporter"}}]}</script>
</head><body><main><p>Body.</p></main></body></html>"#;
    let d = doc(src);
    assert_eq!(d.meta.title, "Plain title");
    assert_eq!(d.meta.source.as_deref(), Some("news.example.org"));
    assert_eq!(d.meta.date.map(|d| d.iso).as_deref(), Some("2019-06-04"));
    assert_eq!(d.meta.author.as_deref(), Some("Jo Reporter"));
    assert_eq!(d.text, "Body.");
}

#[test]
fn time_element_and_first_h1_are_used_last() {
    let src = "<body><h1>Only heading</h1><p>Posted <time datetime=\"2020-01-02\">Jan 2</time>.</p></body>";
    let d = doc(src);
    assert_eq!(d.meta.title, "Only heading");
    assert_eq!(d.meta.date.map(|d| d.iso).as_deref(), Some("2020-01-02"));
}

#[test]
fn a_page_without_title_is_named_by_its_file() {
    let d = doc("<p>just text</p>");
    assert_eq!(d.meta.title, "page");
    assert_eq!(d.text, "just text");
}

#[test]
fn preformatted_text_keeps_its_lines() {
    let d = doc("<body><pre>line one\n  line two</pre></body>");
    assert_eq!(d.text, "line one\n  line two");
}

#[test]
fn markup_nested_thousands_deep_does_not_overflow_the_stack() {
    let src = format!("{}deep{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || doc(&src).text)
        .unwrap();
    assert_eq!(handle.join().unwrap(), "deep");
}
