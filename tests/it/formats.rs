//! What `quarry index` reads, format by format: HTML (article text and
//! metadata), PDF (pages, info dictionary, hostile files), JSON Lines,
//! Markdown front matter, text encodings, and corpus entries that are not
//! plain files (FIFOs, symlinks, odd names, oversized files).
//!
//! PDFs are written byte by byte by the helpers below: a catalog, a page
//! tree, Helvetica, one content stream per page, an xref table and a
//! trailer with `/Info`.

use std::time::Duration;

use crate::harness::{Output, TestEnv, paths};

/// Generous: a run that takes longer than this hung.
const HANG: Duration = Duration::from_secs(120);

/// The `warning:` lines that mention `name`.
fn warnings_about<'a>(out: &'a Output, name: &str) -> Vec<&'a str> {
    out.stderr_lines("warning:")
        .into_iter()
        .filter(|l| l.contains(name))
        .collect()
}

/// The last stderr line: the summary of an `index` run.
fn summary_line(out: &Output) -> &str {
    out.stderr.lines().last().unwrap_or_default()
}

// ---------------------------------------------------------------------
// PDF writing
// ---------------------------------------------------------------------

/// A PDF literal string body: `\`, `(` and `)` escaped.
fn pdf_string(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// A stream object with `/Length` and `extra` dictionary entries.
fn stream_object(extra: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< /Length {}{extra} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// The content stream of a page: one `Tj` per line, 14 points apart.
fn page_content(lines: &[&str]) -> Vec<u8> {
    let shown: Vec<String> = lines
        .iter()
        .map(|l| format!("({}) Tj", pdf_string(l)))
        .collect();
    format!("BT /F1 12 Tf 72 720 Td 14 TL {} ET", shown.join(" T* ")).into_bytes()
}

/// Writes `objects` numbered from 1; returns their offsets.
fn write_objects(out: &mut Vec<u8>, objects: &[Vec<u8>]) -> Vec<usize> {
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    offsets
}

const PDF_HEADER: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";

/// A whole file: `objects`, a classic xref table, and a trailer with
/// `/Root 1 0 R` and `trailer_extra`.
fn assemble(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    let mut out = PDF_HEADER.to_vec();
    let offsets = write_objects(&mut out, objects);
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root 1 0 R {trailer_extra}>>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

const HELVETICA: &[u8] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/// The objects of a PDF with `pages` (lines each): 1 catalog, 2 page
/// tree, 3 font, then a content stream and a page per page, then the info
/// dictionary when `info` has entries. Returns them with the trailer
/// entry that names the info dictionary.
fn pdf_objects(pages: &[&[&str]], info: &[(&str, &str)]) -> (Vec<Vec<u8>>, String) {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(),
        HELVETICA.to_vec(),
    ];
    let mut kids = Vec::new();
    for lines in pages {
        objects.push(stream_object("", &page_content(lines)));
        let content = objects.len();
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R \
                 /Resources << /Font << /F1 3 0 R >> >> >>"
            )
            .into_bytes(),
        );
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    )
    .into_bytes();
    let mut trailer = String::new();
    if !info.is_empty() {
        let entries: Vec<String> = info
            .iter()
            .map(|(k, v)| format!("/{k} ({})", pdf_string(v)))
            .collect();
        objects.push(format!("<< {} >>", entries.join(" ")).into_bytes());
        trailer = format!("/Info {} 0 R ", objects.len());
    }
    (objects, trailer)
}

/// A valid PDF of `pages` (lines each) with an info dictionary.
fn pdf(pages: &[&[&str]], info: &[(&str, &str)]) -> Vec<u8> {
    let (objects, trailer) = pdf_objects(pages, info);
    assemble(&objects, &trailer)
}

/// A one-page PDF saying `text`.
fn simple_pdf(text: &str) -> Vec<u8> {
    pdf(&[&[text]], &[])
}

/// Deterministic pseudo-random bytes (xorshift).
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// Bits of a deflate stream: fields least significant bit first, Huffman
/// codes most significant bit first (RFC 1951).
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    used: u32,
}

impl Bits {
    fn put(&mut self, value: u64, count: u32) {
        self.acc |= value << self.used;
        self.used += count;
        while self.used >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.used -= 8;
        }
    }

    fn code(&mut self, code: u64, len: u32) {
        let reversed = (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
        self.put(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.used > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A zlib stream that inflates to `1 + 258 * repeats` zero bytes, at two
/// bits per 258 bytes: one dynamic Huffman block whose literal/length code
/// has only literal 0 (`10`), end of block (`11`) and length 258 (`0`),
/// and whose distance code gives distance 1 the code `0`.
fn zlib_bomb(repeats: u64) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(0x78, 8);
    bits.put(0x01, 8);
    bits.put(1, 1); // final block
    bits.put(2, 2); // dynamic Huffman
    bits.put(286 - 257, 5); // HLIT: codes 0..=285
    bits.put(2 - 1, 5); // HDIST: two distance codes
    bits.put(18 - 4, 4); // HCLEN: 18 code length codes
    // Code length code: 18 → `0`, 1 → `10`, 2 → `11`.
    let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
    for symbol in order {
        let len = match symbol {
            18 => 1,
            1 | 2 => 2,
            _ => 0,
        };
        bits.put(len, 3);
    }
    let one = |b: &mut Bits| b.code(0b10, 2);
    let two = |b: &mut Bits| b.code(0b11, 2);
    let zeros = |b: &mut Bits, n: u64| {
        b.code(0, 1);
        b.put(n - 11, 7);
    };
    two(&mut bits); // literal 0: length 2
    zeros(&mut bits, 138);
    zeros(&mut bits, 117); // literals 1..=255 unused
    two(&mut bits); // end of block: length 2
    zeros(&mut bits, 28); // lengths 257..=284 unused
    one(&mut bits); // length 258 (code 285): length 1
    one(&mut bits); // distance codes 0 and 1: length 1 each
    one(&mut bits);
    bits.code(0b10, 2); // literal 0
    let mut left = repeats;
    while left > 0 && bits.used != 0 {
        bits.put(0, 2); // length 258, distance 1
        left -= 1;
    }
    // Byte aligned: four repeats are one zero byte.
    bits.out
        .extend(std::iter::repeat_n(0u8, (left / 4) as usize));
    for _ in 0..left % 4 {
        bits.put(0, 2);
    }
    bits.code(0b11, 2); // end of block
    let mut out = bits.finish();
    let len = 1 + 258 * repeats;
    let adler = ((len % 65521) << 16) | 1;
    out.extend_from_slice(&(adler as u32).to_be_bytes());
    out
}

// ---------------------------------------------------------------------
// Formats by extension
// ---------------------------------------------------------------------

#[test]
fn every_known_extension_is_indexed_and_other_files_are_skipped_and_counted() {
    let env = TestEnv::new(&[
        ("a.txt", "Aardvark burrows."),
        ("b.text", "Bison herds."),
        ("c.md", "# Notes\n\nCapybara pools."),
        ("d.markdown", "Dugong meadows."),
        ("e.html", "<p>Echidna spines.</p>"),
        ("f.htm", "<p>Flamingo lakes.</p>"),
        ("g.jsonl", "{\"id\":\"g1\",\"text\":\"Gazelle plains.\"}\n"),
        ("h.ndjson", "{\"id\":\"h1\",\"text\":\"Hyrax rocks.\"}\n"),
        ("notes.rtf", "Ibex cliffs."),
        ("data.csv", "jackal,dunes"),
        ("README", "Kudu bush."),
    ]);
    env.write_bytes("i.pdf", &simple_pdf("Impala savanna."));
    let report = env.index_json(&[]);
    assert_eq!((report.added, report.skipped), (9, 3), "{report:?}");
    for (word, path) in [
        ("aardvark", "a.txt"),
        ("bison", "b.text"),
        ("capybara", "c.md"),
        ("dugong", "d.markdown"),
        ("echidna", "e.html"),
        ("flamingo", "f.htm"),
        ("gazelle", "g.jsonl#g1"),
        ("hyrax", "h.ndjson#h1"),
        ("impala", "i.pdf"),
    ] {
        let (hits, _) = env.search_json(&[word]);
        assert_eq!(paths(&hits), [path], "{word}");
    }
    for word in ["ibex", "jackal", "kudu"] {
        env.search(&[word]).assert_code(1);
    }
}

// ---------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------

#[test]
fn html_page_chrome_is_not_searchable() {
    let page = r#"<!doctype html><html><head>
<title>Chrome test</title>
<style>.wombat { color: red }</style>
<script>var platypus = 1;</script>
</head><body>
<header>Masthead quetzal</header>
<nav><a href="/">Home</a> <a href="/x">Narwhal section</a></nav>
<div id="cookie-banner">We use cookies, accept the ocelot policy</div>
<div class="gdpr-consent-box">Consent to the pangolin terms</div>
<p>The article says the harbour seal returned.</p>
<aside>Related: tapir stories</aside>
<form><label>Subscribe for vicuna news</label><input name="q"></form>
<footer>Copyright jerboa media</footer>
</body></html>"#;
    let env = TestEnv::new(&[("page.html", page)]);
    env.index();
    let (hits, _) = env.search_json(&["seal"]);
    assert_eq!(paths(&hits), ["page.html"]);
    for word in [
        "wombat", "platypus", "quetzal", "narwhal", "ocelot", "pangolin", "tapir", "vicuna",
        "jerboa",
    ] {
        let out = env.search(&[word]);
        assert_eq!(out.code, 1, "{word} should not be searchable: {out:#?}");
    }
}

#[test]
fn html_article_is_preferred_over_the_rest_of_the_body() {
    let page = "<html><body><div>Sidebar walrus promo</div>\
                <main><p>Main lemur teaser</p><article><p>Article okapi story.</p></article></main>\
                <div>Trailing gibbon links</div></body></html>";
    let env = TestEnv::new(&[("page.html", page)]);
    env.index();
    env.search(&["okapi"]).assert_code(0);
    for word in ["walrus", "lemur", "gibbon"] {
        assert_eq!(env.search(&[word]).code, 1, "{word} is outside <article>");
    }
}

#[test]
fn html_main_is_used_when_there_is_no_article() {
    let page = "<html><body><div>Sidebar walrus promo</div>\
                <main><p>Main lemur story.</p></main><div>Trailing gibbon links</div></body></html>";
    let env = TestEnv::new(&[("page.html", page)]);
    env.index();
    env.search(&["lemur"]).assert_code(0);
    for word in ["walrus", "gibbon"] {
        assert_eq!(env.search(&[word]).code, 1, "{word} is outside <main>");
    }
}

#[test]
fn html_entities_are_decoded() {
    let page = "<html><body><p>Caf&eacute; owners &amp; the na&#239;ve \
                &lt;marmoset&gt; club &#x2014; &quot;quoted&quot;.</p></body></html>";
    let env = TestEnv::new(&[("page.html", page)]);
    let (hits, _) = env.search_json(&["café"]);
    assert_eq!(paths(&hits), ["page.html"]);
    let text = &hits[0].text;
    assert!(
        text.contains("Café owners & the naïve <marmoset> club — \"quoted\"."),
        "{text:?}"
    );
    assert!(
        !text.contains("&amp;") && !text.contains("&eacute;"),
        "{text:?}"
    );
    env.search(&["naïve"]).assert_code(0);
    env.search(&["marmoset"]).assert_code(0);
}

#[test]
fn html_headings_start_new_passages_and_paragraphs_are_not_glued() {
    let page = "<html><body><article>\
        <h2>Harbours</h2><p>The ferry stopped at the quay.</p><p>Gulls circled overhead.</p>\
        <h2>Mountains</h2><p>The climbers reached the summit.</p>\
        </article></body></html>";
    let env = TestEnv::new(&[("page.html", page)]);
    let (quay, _) = env.search_json(&["quay"]);
    let (summit, _) = env.search_json(&["summit"]);
    assert_eq!((quay.len(), summit.len()), (1, 1));
    assert_ne!(
        quay[0].passage, summit[0].passage,
        "a heading starts a new passage"
    );
    assert!(!quay[0].text.contains("summit"), "{:?}", quay[0].text);
    assert!(!summit[0].text.contains("quay"), "{:?}", summit[0].text);
    assert!(
        summit[0].text.starts_with("Mountains"),
        "{:?}",
        summit[0].text
    );
    let text = &quay[0].text;
    let end = text.find("quay.").expect("the first paragraph") + "quay.".len();
    assert!(
        text[end..].starts_with('\n'),
        "paragraphs are separated by a line break: {text:?}"
    );
    assert!(text.contains("Gulls circled"), "{text:?}");
}

#[test]
fn html_open_graph_metadata_fills_the_hit() {
    let page = r#"<html><head>
<title>Fallback title</title>
<meta property="og:title" content="Steel Tariffs Announced">
<meta property="og:site_name" content="Asia Times">
<meta property="og:url" content="https://og.example.com/steel">
<link rel="canonical" href="https://www.example.com/2018/steel">
<meta property="article:published_time" content="2018-03-22T10:00:00+02:00">
<meta name="date" content="2017-01-01">
<meta name="author" content="Jane Doe">
</head><body><h1>Heading title</h1><p>Tariffs on steel imports.</p></body></html>"#;
    let env = TestEnv::new(&[("steel.html", page)]);
    let (hits, _) = env.search_json(&["imports"]);
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.title, "Steel Tariffs Announced");
    assert_eq!(hit.date.as_deref(), Some("2018-03-22T08:00:00Z"));
    assert_eq!(hit.source.as_deref(), Some("Asia Times"));
    assert_eq!(
        hit.url.as_deref(),
        Some("https://www.example.com/2018/steel")
    );
    assert_eq!(hit.author.as_deref(), Some("Jane Doe"));
    assert_eq!(hit.page, None);
}

#[test]
fn html_metadata_falls_back_in_order() {
    let title_tag = r#"<html><head><title>Title tag wins</title>
<meta property="og:url" content="https://news.example.org/a?b=c">
</head><body><h1>Heading</h1><p>First quokka page.</p>
<p>Posted <time datetime="2018-03-22">on Thursday</time></p></body></html>"#;
    let first_h1 = r#"<html><head>
<link rel="canonical" href="https://Reports.Example.NET:8443/x/y">
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2019-06-04","author":{"@type":"Person","name":"Ann Lee"}}</script>
</head><body><h1>The first heading</h1><p>Second quokka page.</p></body></html>"#;
    let meta_date = r#"<html><head><meta name="date" content="2020-02-29"></head>
<body><p>Third quokka page.</p></body></html>"#;
    let env = TestEnv::new(&[
        ("a.html", title_tag),
        ("b.html", first_h1),
        ("c-page.html", meta_date),
    ]);
    let (hits, _) = env.search_json(&["quokka"]);
    let by_path = |p: &str| {
        hits.iter()
            .find(|h| h.path == p)
            .unwrap_or_else(|| panic!("no hit for {p}: {hits:?}"))
    };

    let a = by_path("a.html");
    assert_eq!(a.title, "Title tag wins");
    assert_eq!(
        a.date.as_deref(),
        Some("2018-03-22"),
        "from <time datetime>"
    );
    assert_eq!(a.url.as_deref(), Some("https://news.example.org/a?b=c"));
    assert_eq!(
        a.source.as_deref(),
        Some("news.example.org"),
        "the host of the URL"
    );
    assert_eq!(a.author, None);

    let b = by_path("b.html");
    assert_eq!(b.title, "The first heading");
    assert_eq!(b.date.as_deref(), Some("2019-06-04"), "from JSON-LD");
    assert_eq!(
        b.url.as_deref(),
        Some("https://Reports.Example.NET:8443/x/y")
    );
    assert_eq!(b.source.as_deref(), Some("reports.example.net"));
    assert_eq!(b.author.as_deref(), Some("Ann Lee"));

    let c = by_path("c-page.html");
    assert_eq!(c.title, "c-page", "the file name is the last resort");
    assert_eq!(c.date.as_deref(), Some("2020-02-29"), "from meta name=date");
    assert_eq!((&c.source, &c.url), (&None, &None));
}

#[test]
fn author_and_page_are_absent_from_json_unless_known() {
    let env = TestEnv::new(&[
        ("plain.txt", "Basalt columns line the shore."),
        (
            "signed.md",
            "---\nauthor: Rosa Parks\n---\n\nBasalt cliffs.\n",
        ),
        (
            "page.html",
            "<html><body><p>Basalt quarry.</p></body></html>",
        ),
    ]);
    let out = env.search(&["--format", "json", "basalt"]);
    out.assert_code(0);
    let objects = out.hit_objects();
    assert_eq!(objects.len(), 3, "{}", out.stdout);
    for object in &objects {
        let path = object["path"].as_str().unwrap_or_default();
        assert!(
            !object.contains_key("page"),
            "no page for {path}: {object:?}"
        );
        if path == "signed.md" {
            assert_eq!(object["author"], "Rosa Parks");
        } else {
            assert!(
                !object.contains_key("author"),
                "no author for {path}: {object:?}"
            );
        }
    }
}

#[test]
fn pathologically_nested_html_is_given_up_after_the_timeout() {
    let nested = "<ul><li>".repeat(20_000) + "x";
    let divs = "<div>".repeat(20_000) + "y" + &"</div>".repeat(20_000);
    let env = TestEnv::new(&[
        ("nested.html", &nested),
        ("divs.html", &divs),
        ("fine.txt", "The kestrel hovered."),
    ]);
    let started = std::time::Instant::now();
    let out = env.index_within(&["--extract-timeout", "1"], HANG);
    out.assert_code(0);
    for name in ["nested.html", "divs.html"] {
        let warnings = warnings_about(&out, name);
        assert!(warnings.len() <= 1, "{}", out.stderr);
        if let [warning] = warnings.as_slice() {
            assert!(warning.starts_with("warning: skipped "), "{warning}");
            assert!(warning.contains("longer than 1 s"), "{warning}");
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    env.search(&["kestrel"]).assert_code(0);
}

// ---------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------

fn three_page_report() -> Vec<u8> {
    pdf(
        &[
            &["Introduction to the albatross survey."],
            &["Results for the cormorant colony."],
            &["Appendix on the puffin burrows."],
        ],
        &[],
    )
}

#[test]
fn pdf_hits_carry_their_page_and_other_hits_do_not() {
    let env = TestEnv::new(&[("notes.txt", "A cormorant dried its wings.")]);
    env.write_bytes("survey.pdf", &three_page_report());
    env.index();
    let (hits, _) = env.search_json(&["cormorant"]);
    let pdf_hit = hits
        .iter()
        .find(|h| h.path == "survey.pdf")
        .expect("a hit in the PDF");
    assert_eq!(pdf_hit.page, Some(2));
    assert!(pdf_hit.text.contains("cormorant colony"), "{pdf_hit:?}");
    let (first, _) = env.search_json(&["albatross"]);
    let (last, _) = env.search_json(&["puffin"]);
    assert_eq!((first[0].page, last[0].page), (Some(1), Some(3)));

    let out = env.search(&["--format", "json", "cormorant"]);
    for object in out.hit_objects() {
        let is_pdf = object["path"] == "survey.pdf";
        assert_eq!(object.contains_key("page"), is_pdf, "{object:?}");
    }
}

#[test]
fn pdf_human_header_shows_the_page_after_the_passage() {
    let env = TestEnv::new(&[]);
    env.write_bytes("survey.pdf", &three_page_report());
    env.index();
    let out = env.search(&["puffin"]);
    out.assert_code(0);
    let header = out.stdout.lines().next().unwrap_or_default();
    let (hits, _) = env.search_json(&["puffin"]);
    let expected = format!("survey.pdf#{} p. 3", hits[0].passage);
    assert!(header.contains(&expected), "{header:?} lacks {expected:?}");

    let env = TestEnv::new(&[("survey.txt", "The puffin burrows.")]);
    env.index();
    let out = env.search(&["puffin"]);
    assert!(!out.stdout.contains(" p. "), "{}", out.stdout);
}

#[test]
fn a_pdf_passage_never_spans_two_pages() {
    let env = TestEnv::new(&[]);
    // Two short pages: any other document would pack them in one passage.
    env.write_bytes(
        "short.pdf",
        &pdf(&[&["The heron waded."], &["The egret flew."]], &[]),
    );
    env.index();
    let (heron, _) = env.search_json(&["heron"]);
    let (egret, _) = env.search_json(&["egret"]);
    assert_eq!((heron.len(), egret.len()), (1, 1));
    assert_eq!((heron[0].page, egret[0].page), (Some(1), Some(2)));
    assert_ne!(heron[0].passage, egret[0].passage);
    assert!(!heron[0].text.contains("egret"), "{:?}", heron[0].text);
    assert!(!egret[0].text.contains("heron"), "{:?}", egret[0].text);
}

#[test]
fn pdf_title_and_date_come_from_the_info_dictionary() {
    let env = TestEnv::new(&[]);
    let info = [
        ("Title", "Annual Review of Shipping"),
        ("CreationDate", "D:20180322103000+01'00'"),
    ];
    env.write_bytes("review.pdf", &pdf(&[&["Container volumes rose."]], &info));
    env.write_bytes("untitled.pdf", &simple_pdf("Container cranes idled."));
    let (hits, _) = env.search_json(&["container"]);
    let review = hits
        .iter()
        .find(|h| h.path == "review.pdf")
        .expect("review");
    assert_eq!(review.title, "Annual Review of Shipping");
    assert_eq!(review.date.as_deref(), Some("2018-03-22T09:30:00Z"));
    let untitled = hits
        .iter()
        .find(|h| h.path == "untitled.pdf")
        .expect("untitled");
    assert_eq!(untitled.title, "untitled");
    assert_eq!(untitled.date, None);
}

#[test]
fn pdf_words_hyphenated_at_a_line_end_are_joined() {
    let env = TestEnv::new(&[]);
    env.write_bytes(
        "trade.pdf",
        &pdf(
            &[&[
                "The inter-",
                "national trade body met in a well-",
                "known hall.",
            ]],
            &[],
        ),
    );
    let (hits, _) = env.search_json(&["international"]);
    assert_eq!(paths(&hits), ["trade.pdf"]);
    assert!(
        hits[0].text.contains("international trade"),
        "{:?}",
        hits[0].text
    );
}

#[test]
fn pdf_running_headers_and_footers_are_not_searchable() {
    let bodies = [
        "Shipping volumes on the Danube.",
        "Grain exports through Odessa.",
        "Rail freight to Warsaw.",
        "Summary of the findings.",
    ];
    let pages: Vec<Vec<String>> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            vec![
                "HELIOTROPE LOGISTICS QUARTERLY".to_string(),
                body.to_string(),
                format!("Page {} of 4 marigold", i + 1),
            ]
        })
        .collect();
    let pages: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.iter().map(String::as_str).collect())
        .collect();
    let pages: Vec<&[&str]> = pages.iter().map(Vec::as_slice).collect();
    let env = TestEnv::new(&[]);
    env.write_bytes("quarterly.pdf", &pdf(&pages, &[]));
    env.index();
    env.search(&["danube"]).assert_code(0);
    env.search(&["warsaw"]).assert_code(0);
    for word in ["heliotrope", "marigold"] {
        let out = env.search(&[word]);
        assert_eq!(out.code, 1, "{word} is a running header/footer: {out:#?}");
    }
}

#[test]
fn pdf_first_lines_of_only_two_pages_are_kept() {
    let env = TestEnv::new(&[]);
    env.write_bytes(
        "two.pdf",
        &pdf(
            &[
                &["HELIOTROPE MEMO", "First body."],
                &["HELIOTROPE MEMO", "Second body."],
            ],
            &[],
        ),
    );
    env.index();
    env.search(&["heliotrope"]).assert_code(0);
}

// Hostile PDFs: each costs one `warning: skipped …` line; the rest is indexed.

/// Indexes a corpus of a good text, a good PDF and `bytes` as `name`;
/// checks the run completes with exactly one warning, a skip of `name`.
fn assert_skipped_with_one_warning(name: &str, bytes: &[u8]) -> (TestEnv, Output) {
    let env = TestEnv::new(&[("good.txt", "The lynx crossed the snowfield.")]);
    env.write_bytes("fine.pdf", &simple_pdf("The marten climbed the spruce."));
    env.write_bytes(name, bytes);
    let out = env.index_within(&["--extract-timeout", "5"], HANG);
    out.assert_code(0);
    let warnings = out.stderr_lines("warning:");
    assert_eq!(warnings.len(), 1, "one warning for {name}: {}", out.stderr);
    let prefix = format!("warning: skipped {}: ", env.corpus().join(name).display());
    assert!(
        warnings[0].starts_with(&prefix) && warnings[0].len() > prefix.len(),
        "{:?} should start with {prefix:?} and give a reason",
        warnings[0]
    );
    assert!(summary_line(&out).starts_with("added 2,"), "{}", out.stderr);
    assert!(
        summary_line(&out).contains("; 1 file unreadable"),
        "{}",
        out.stderr
    );
    env.search(&["lynx"]).assert_code(0);
    env.search(&["marten"]).assert_code(0);
    (env, out)
}

#[test]
fn a_truncated_pdf_is_skipped_with_one_warning() {
    let whole = pdf(&[&["The wolverine hunted."]], &[("Title", "Whole")]);
    assert_skipped_with_one_warning("truncated.pdf", &whole[..whole.len() / 2]);
}

#[test]
fn random_garbage_after_the_pdf_header_is_skipped_with_one_warning() {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend(garbage(4000, 0x9E37_79B9_7F4A_7C15));
    assert_skipped_with_one_warning("garbage.pdf", &bytes);
}

#[test]
fn an_empty_pdf_is_skipped_with_one_warning() {
    assert_skipped_with_one_warning("empty.pdf", b"");
}

const ENCRYPT: &str = "<< /Filter /Standard /V 1 /R 2 /O (xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx) \
                       /U (xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx) /P -4 >>";

#[test]
fn an_encrypted_pdf_is_skipped_with_one_warning() {
    let (mut objects, _) = pdf_objects(&[&["The sable kept its secret."]], &[]);
    objects.push(ENCRYPT.as_bytes().to_vec());
    let trailer = format!("/Encrypt {} 0 R /ID [<00> <00>] ", objects.len());
    let (env, out) = assert_skipped_with_one_warning("locked.pdf", &assemble(&objects, &trailer));
    assert!(out.stderr.contains("encrypt"), "{}", out.stderr);
    env.search(&["sable"]).assert_code(1);
}

/// The encryption dictionary written directly in the trailer (allowed by
/// the PDF specification) rather than as an indirect object.
#[test]
fn a_pdf_with_an_inline_encryption_dictionary_is_skipped_with_one_warning() {
    let (objects, _) = pdf_objects(&[&["The sable kept its secret."]], &[]);
    let trailer = format!("/Encrypt {ENCRYPT} /ID [<00> <00>] ");
    assert_skipped_with_one_warning("locked.pdf", &assemble(&objects, &trailer));
}

#[test]
fn a_pdf_whose_xref_stream_claims_fifty_million_objects_is_skipped() {
    let (objects, _) = pdf_objects(&[&["The ermine turned white."]], &[]);
    let mut bytes = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    write_objects(&mut bytes, &objects);
    let xref = bytes.len();
    let number = objects.len() + 1;
    bytes.extend_from_slice(
        format!(
            "{number} 0 obj\n<< /Type /XRef /Size {number} /W [0 0 0] /Index [0 50000000] \
             /Root 1 0 R /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    assert_skipped_with_one_warning("xref.pdf", &bytes);
}

#[test]
fn a_pdf_decompression_bomb_is_skipped_with_one_warning() {
    // About 4 GiB of zeros once inflated: more than the 2 GiB the
    // extractor may use, and more than 5 s of inflating.
    let bomb = zlib_bomb(16_000_000);
    assert!(bomb.len() < 5_000_000, "{} bytes", bomb.len());
    let (mut objects, _) = pdf_objects(&[&["placeholder"]], &[]);
    objects[3] = stream_object(" /Filter /FlateDecode", &bomb);
    assert_skipped_with_one_warning("bomb.pdf", &assemble(&objects, ""));
}

#[test]
fn a_small_zlib_bomb_inflates_to_what_it_claims() {
    // The generator itself, checked on a size quarry reads quickly: a PDF
    // whose content stream is 258,001 zero bytes is a valid, empty page.
    let bomb = zlib_bomb(1000);
    let (mut objects, _) = pdf_objects(&[&["placeholder"]], &[]);
    objects[3] = stream_object(" /Filter /FlateDecode", &bomb);
    let env = TestEnv::new(&[("good.txt", "The lynx crossed.")]);
    env.write_bytes("zeros.pdf", &assemble(&objects, ""));
    let out = env.index_within(&["--extract-timeout", "5"], HANG);
    out.assert_code(0);
    assert!(out.stderr_lines("warning:").is_empty(), "{}", out.stderr);
    env.search(&["placeholder"]).assert_code(1);
}

#[test]
fn a_pdf_page_tree_cycle_is_skipped_with_one_warning() {
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 5 0 R] /Count 2 >>".to_vec(),
        HELVETICA.to_vec(),
        stream_object("", &page_content(&["The caracal circled."])),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 3 0 R >> >> >>"
            .to_vec(),
    ];
    assert_skipped_with_one_warning("cycle.pdf", &assemble(&objects, ""));
}

#[test]
fn a_failed_pdf_is_remembered_until_it_changes_or_retry_failed() {
    let whole = simple_pdf("The wolverine hunted at night.");
    let (env, _) = assert_skipped_with_one_warning("broken.pdf", &whole[..whole.len() / 2]);
    let broken = env.corpus().join("broken.pdf");

    let again = env.index_with(&["--extract-timeout", "5"]);
    again.assert_code(0);
    assert!(
        again.stderr_lines("warning:").is_empty(),
        "{}",
        again.stderr
    );
    assert!(
        summary_line(&again).contains("; 1 file failed before and unchanged"),
        "{}",
        again.stderr
    );
    assert!(
        !summary_line(&again).contains("unreadable"),
        "{}",
        again.stderr
    );

    let retried = env.index_with(&["--extract-timeout", "5", "--retry-failed"]);
    retried.assert_code(0);
    let warnings = warnings_about(&retried, "broken.pdf");
    assert_eq!(warnings.len(), 1, "{}", retried.stderr);
    assert!(
        warnings[0].starts_with("warning: skipped "),
        "{}",
        warnings[0]
    );

    // Still broken, but different: read again.
    env.write_bytes("broken.pdf", &whole[..whole.len() / 3]);
    let changed = env.index_with(&["--extract-timeout", "5"]);
    assert_eq!(
        warnings_about(&changed, "broken.pdf").len(),
        1,
        "{changed:#?}"
    );

    // Fixed: read again and found.
    std::fs::write(&broken, &whole).expect("fix the PDF");
    let fixed = env.index_with(&["--extract-timeout", "5"]);
    fixed.assert_code(0);
    assert!(
        fixed.stderr_lines("warning:").is_empty(),
        "{}",
        fixed.stderr
    );
    let (hits, _) = env.search_json(&["wolverine"]);
    assert_eq!(paths(&hits), ["broken.pdf"]);
}

// ---------------------------------------------------------------------
// JSON Lines
// ---------------------------------------------------------------------

const WIRE: &str = r#"{"id":"a1","title":"Rice harvest","text":"The rice harvest was early this year.","date":"2018-03-22","source":"Wire","url":"https://wire.example/a1"}
{"_id":"beir-7","title":"","text":"Monsoon rains flooded the rice terraces."}
{"id":42,"title":"Numbered","text":"Millet prices fell."}
"#;

#[test]
fn each_json_line_is_a_document_keyed_by_file_and_id() {
    let env = TestEnv::new(&[("data/wire.jsonl", WIRE)]);
    let (hits, _) = env.search_json(&["rice"]);
    let mut found = paths(&hits);
    found.sort();
    assert_eq!(found, ["data/wire.jsonl#a1", "data/wire.jsonl#beir-7"]);
    let a1 = hits
        .iter()
        .find(|h| h.path == "data/wire.jsonl#a1")
        .expect("a1");
    assert_eq!(a1.title, "Rice harvest");
    assert_eq!(a1.date.as_deref(), Some("2018-03-22"));
    assert_eq!(a1.source.as_deref(), Some("Wire"));
    assert_eq!(a1.url.as_deref(), Some("https://wire.example/a1"));
    assert_eq!(a1.text, "The rice harvest was early this year.");
    assert_eq!((a1.page, &a1.author), (None, &None));
    let beir = hits
        .iter()
        .find(|h| h.path == "data/wire.jsonl#beir-7")
        .expect("beir");
    assert_eq!(beir.title, "beir-7", "the id stands in for a missing title");

    let (millet, _) = env.search_json(&["millet"]);
    assert_eq!(paths(&millet), ["data/wire.jsonl#42"]);
    let (under, _) = env.search_json(&["--path", "data/**", "millet"]);
    assert_eq!(paths(&under), ["data/wire.jsonl#42"], "--path sees records");

    let human = env.search(&["monsoon"]);
    human.assert_code(0);
    let header = human.stdout.lines().next().unwrap_or_default();
    assert!(
        header.contains("data/wire.jsonl#beir-7#0"),
        "the record's path key, then its passage: {header:?}"
    );
}

#[test]
fn a_record_with_only_a_title_is_found_by_its_title() {
    // Collections such as LISA have thousands of records whose abstract is
    // all in the title; they were lost when only text made passages.
    let data = r#"{"_id":"t1","title":"Quinoa exports from Peru","text":""}
{"_id":"t2","title":"Other","text":"Nothing about grains."}
"#;
    let env = TestEnv::new(&[("c.jsonl", data)]);
    env.index().assert_code(0);
    let (hits, _) = env.search_json(&["quinoa"]);
    assert_eq!(paths(&hits), ["c.jsonl#t1"]);
    assert_eq!(hits[0].title, "Quinoa exports from Peru");
    assert_eq!(hits[0].text, "");
    let index = env.index_dir();
    let index = index.to_str().expect("utf-8 path");
    env.run(&["verify", "--index", index]).assert_code(0);
}

#[test]
fn jsonl_field_names_can_be_mapped() {
    let data = r#"{"docno":"D-1","body":"Mapped sorghum text.","text":"Unmapped barley text."}
{"docno":"D-2","body":"More sorghum here."}
"#;
    let env = TestEnv::new(&[("trec.jsonl", data)]);
    env.index_with(&["--jsonl-fields", "text=body,id=docno"])
        .assert_code(0);
    let (hits, _) = env.search_json(&["sorghum"]);
    let mut found = paths(&hits);
    found.sort();
    assert_eq!(found, ["trec.jsonl#D-1", "trec.jsonl#D-2"]);
    env.search(&["barley"]).assert_code(1);

    let bad = env.index_with(&["--jsonl-fields", "colour=hue"]);
    bad.assert_code(2);
    assert_eq!(bad.stderr_lines("error:").len(), 1, "{}", bad.stderr);
}

#[test]
fn invalid_json_lines_are_counted_in_one_warning_and_the_rest_indexed() {
    let data = "{\"id\":\"ok1\",\"text\":\"Valid teak record.\"}\n\
                not json at all\n\
                [1, 2, 3]\n\
                {\"id\":\"ok1\",\"text\":\"A repeated teak id.\"}\n\
                {\"id\":\"ok2\",\"text\":\"Another teak record.\"}\n";
    let env = TestEnv::new(&[("mixed.jsonl", data)]);
    let out = env.index();
    let warnings = out.stderr_lines("warning:");
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    assert!(warnings[0].contains("mixed.jsonl"), "{}", warnings[0]);
    assert!(
        warnings[0].contains('3'),
        "counts the 3 lines: {}",
        warnings[0]
    );
    assert!(
        !warnings[0].starts_with("warning: skipped /"),
        "the file is not skipped: {}",
        warnings[0]
    );
    assert!(!out.stderr.contains("unreadable"), "{}", out.stderr);
    let (hits, _) = env.search_json(&["teak"]);
    let mut found = paths(&hits);
    found.sort();
    assert_eq!(found, ["mixed.jsonl#ok1", "mixed.jsonl#ok2"]);
}

/// A collection larger than --max-file-size: read a line at a time (the
/// limit applies to each line), every record indexed and searchable, the
/// oversized and broken lines counted in the one warning.
#[test]
fn a_json_lines_file_over_max_file_size_is_indexed_record_by_record() {
    let mut data = String::new();
    for n in 0..3000 {
        data.push_str(&format!(
            "{{\"id\":\"r{n}\",\"text\":\"Record {n} of the ledger, token q{n}z.\"}}\n"
        ));
        if n == 1500 {
            let long = "mammoth ".repeat(400);
            data.push_str(&format!("{{\"id\":\"long\",\"text\":\"{long}\"}}\n"));
            data.push_str("not json\n");
        }
    }
    assert!(data.len() > 150_000);
    let env = TestEnv::new(&[("ledger.jsonl", &data)]);
    let out = env.index_with(&["--max-file-size", "2000", "--format", "json"]);
    out.assert_code(0);
    let warnings = out.stderr_lines("warning:");
    assert_eq!(
        warnings,
        [format!(
            "warning: {}: 2 lines skipped (line 1502 is longer than --max-file-size)",
            env.corpus().join("ledger.jsonl").display()
        )],
        "{}",
        out.stderr
    );
    let report = out.index_report();
    assert_eq!((report.added, report.passages), (1, 3000), "{report:?}");
    for n in [0, 1500, 2999] {
        let (hits, _) = env.search_json(&[&format!("q{n}z")]);
        assert_eq!(paths(&hits), [format!("ledger.jsonl#r{n}")]);
    }
    env.search(&["mammoth"]).assert_code(1);
    // Unchanged: hashed (not indexed again) once its mtime moves.
    let later = env.mtime("ledger.jsonl") + std::time::Duration::from_secs(5);
    env.set_mtime("ledger.jsonl", later);
    let again = env.index_with(&["--max-file-size", "2000", "--format", "json"]);
    again.assert_code(0);
    assert!(
        again.stderr_lines("warning:").is_empty(),
        "{}",
        again.stderr
    );
    let report = again.index_report();
    assert_eq!((report.unchanged, report.passages), (1, 3000), "{report:?}");
}

#[test]
fn editing_one_json_line_updates_the_file_and_replaces_the_record() {
    let before = "{\"id\":\"r1\",\"text\":\"The cedar forest.\"}\n\
                  {\"id\":\"r2\",\"text\":\"The juniper scrub.\"}\n";
    let env = TestEnv::new(&[("trees.jsonl", before), ("other.txt", "Pine cones.")]);
    env.index();
    let after = before.replace("juniper scrub", "baobab savanna");
    env.write("trees.jsonl", &after);
    let report = env.index_json(&[]);
    assert_eq!(
        (report.added, report.updated, report.unchanged),
        (0, 1, 1),
        "{report:?}"
    );
    env.search(&["juniper"]).assert_code(1);
    let (hits, _) = env.search_json(&["baobab"]);
    assert_eq!(paths(&hits), ["trees.jsonl#r2"]);
    let (hits, _) = env.search_json(&["cedar"]);
    assert_eq!(paths(&hits), ["trees.jsonl#r1"]);
}

// ---------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------

#[test]
fn markdown_toml_front_matter_gives_the_metadata_and_is_not_text() {
    let doc = "+++\ntitle = \"Shale Gas in Sichuan\"\ndate = 2019-06-04\n\
               source = \"Energy Review\"\nauthor = \"Li Wei\"\n+++\n\nDrilling began near Zigong.\n";
    let env = TestEnv::new(&[("shale.md", doc)]);
    let (hits, _) = env.search_json(&["drilling"]);
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.title, "Shale Gas in Sichuan");
    assert_eq!(hit.date.as_deref(), Some("2019-06-04"));
    assert_eq!(hit.source.as_deref(), Some("Energy Review"));
    assert_eq!(hit.author.as_deref(), Some("Li Wei"));
    assert_eq!(hit.text, "Drilling began near Zigong.");
    env.search(&["energy"]).assert_code(1);
}

// ---------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------

#[test]
fn a_utf8_byte_order_mark_is_dropped() {
    let env = TestEnv::new(&[]);
    env.write_bytes(
        "bom.txt",
        b"\xEF\xBB\xBFZanzibar cloves\n\nSpice trade notes.",
    );
    env.write_bytes(
        "bom.html",
        b"\xEF\xBB\xBF<html><head><title>Zanzibar page</title></head><body><p>Zanzibar ports.</p></body></html>",
    );
    let out = env.index();
    assert!(out.stderr_lines("warning:").is_empty(), "{}", out.stderr);
    let (hits, _) = env.search_json(&["zanzibar"]);
    assert_eq!(hits.len(), 2, "{hits:?}");
    for hit in &hits {
        assert!(!hit.text.contains('\u{FEFF}'), "{hit:?}");
        assert!(!hit.title.contains('\u{FEFF}'), "{hit:?}");
    }
    let txt = hits.iter().find(|h| h.path == "bom.txt").expect("bom.txt");
    assert_eq!(txt.title, "Zanzibar cloves");
    assert!(txt.text.starts_with("Zanzibar"), "{:?}", txt.text);
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let bom: [u8; 2] = if big_endian {
        [0xFE, 0xFF]
    } else {
        [0xFF, 0xFE]
    };
    bom.into_iter()
        .chain(text.encode_utf16().flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        }))
        .collect()
}

#[test]
fn utf16_with_a_byte_order_mark_is_decoded_in_both_byte_orders() {
    let env = TestEnv::new(&[]);
    env.write_bytes(
        "le.txt",
        &utf16("Zürich bankers met the okapi breeders.", false),
    );
    env.write_bytes(
        "be.md",
        &utf16("# Genève\n\nThe okapi exhibit opened in Genève.", true),
    );
    let out = env.index();
    assert!(out.stderr_lines("warning:").is_empty(), "{}", out.stderr);
    let (hits, _) = env.search_json(&["okapi"]);
    let mut found = paths(&hits);
    found.sort();
    assert_eq!(found, ["be.md", "le.txt"]);
    let (hits, _) = env.search_json(&["zürich"]);
    assert_eq!(paths(&hits), ["le.txt"]);
    assert!(
        hits[0].text.starts_with("Zürich bankers"),
        "{:?}",
        hits[0].text
    );
    let (hits, _) = env.search_json(&["genève"]);
    assert_eq!(paths(&hits), ["be.md"]);
    assert_eq!(hits[0].title, "Genève");
}

#[test]
fn invalid_utf8_in_markup_is_decoded_lossily_with_one_warning() {
    let env = TestEnv::new(&[("clean.md", "Clean bazooka text.")]);
    env.write_bytes(
        "latin1.html",
        b"<html><body><p>Caf\xe9 owners met the bazooka salesman.</p></body></html>",
    );
    env.write_bytes("latin1.md", b"# Men\xfc\n\nThe bazooka menu.");
    let out = env.index();
    let warnings = out.stderr_lines("warning:");
    assert_eq!(warnings.len(), 2, "one per file: {}", out.stderr);
    assert_eq!(
        warnings_about(&out, "latin1.html").len(),
        1,
        "{}",
        out.stderr
    );
    assert_eq!(warnings_about(&out, "latin1.md").len(), 1, "{}", out.stderr);
    assert!(summary_line(&out).starts_with("added 3,"), "{}", out.stderr);
    let (hits, _) = env.search_json(&["bazooka"]);
    assert_eq!(hits.len(), 3, "{hits:?}");
    let html = hits.iter().find(|h| h.path == "latin1.html").expect("html");
    assert!(
        html.text.starts_with("Caf\u{FFFD} owners"),
        "{:?}",
        html.text
    );
}

#[test]
fn nul_bytes_early_in_a_file_mean_binary_content_and_a_skip() {
    let env = TestEnv::new(&[("good.txt", "The gecko climbed the wall.")]);
    env.write_bytes("blob.txt", b"gecko\x00\x01\x02\x03 binary gecko data");
    let mut late = "gecko ".repeat(1500).into_bytes(); // 9,000 bytes
    late.extend_from_slice(b"\x00 after the sniffed part");
    env.write_bytes("late.txt", &late);
    let out = env.index();
    let warnings = out.stderr_lines("warning:");
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    let prefix = format!(
        "warning: skipped {}: binary content",
        env.corpus().join("blob.txt").display()
    );
    assert!(warnings[0].starts_with(&prefix), "{:?}", warnings[0]);
    let (hits, _) = env.search_json(&["--limit", "50", "gecko"]);
    let mut found = paths(&hits);
    found.sort();
    found.dedup();
    assert_eq!(found, ["good.txt", "late.txt"]);
}

// ---------------------------------------------------------------------
// Corpus entries: size limit, FIFOs, symlinks, names
// ---------------------------------------------------------------------

/// Sets a file's access time far in the past (mtime now), so that a read
/// on a `relatime` file system moves it.
fn age_atime(path: &std::path::Path) {
    let old = std::time::UNIX_EPOCH + Duration::from_secs(946_684_800); // 2000-01-01
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_times(
        std::fs::FileTimes::new()
            .set_accessed(old)
            .set_modified(std::time::SystemTime::now()),
    )
    .expect("set times");
}

fn atime(path: &std::path::Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.accessed())
        .expect("atime")
}

#[test]
fn a_file_over_max_file_size_is_skipped_with_one_warning_and_not_read() {
    let env = TestEnv::new(&[
        ("small.txt", "A tiny wren."),         // 12 bytes
        ("exact.txt", "Twenty bytes: heron."), // 20 bytes
        ("big.txt", "A large condor soared over the canyon."),
    ]);
    let (small, big) = (env.corpus().join("small.txt"), env.corpus().join("big.txt"));
    age_atime(&small);
    age_atime(&big);
    let (small_before, big_before) = (atime(&small), atime(&big));
    let out = env.index_with(&["--max-file-size", "20"]);
    out.assert_code(0);
    let warnings = out.stderr_lines("warning:");
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    let prefix = format!("warning: skipped {}: ", big.display());
    assert!(warnings[0].starts_with(&prefix), "{:?}", warnings[0]);
    assert!(warnings[0].contains("--max-file-size"), "{:?}", warnings[0]);
    env.search(&["wren"]).assert_code(0);
    env.search(&["heron"]).assert_code(0);
    env.search(&["condor"]).assert_code(1);
    if atime(&small) != small_before {
        // Reads move access times here: the big file was never opened.
        assert_eq!(atime(&big), big_before, "the oversized file was read");
    }
}

#[test]
fn a_fifo_is_skipped_without_being_opened() {
    let env = TestEnv::new(&[("good.txt", "The badger dug a sett.")]);
    let fifo = env.corpus().join("pipe.txt");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(status.success());
    // Opening the FIFO for reading would block forever: no writer comes.
    let out = env.index_within(&[], Duration::from_secs(60));
    out.assert_code(0);
    assert!(summary_line(&out).starts_with("added 1,"), "{}", out.stderr);
    assert!(out.stderr_lines("warning:").is_empty(), "{}", out.stderr);
    let searched = wait_search(&env, "badger");
    searched.assert_code(0);

    // Reached through a followed symlink, it is still not opened.
    std::os::unix::fs::symlink(&fifo, env.corpus().join("via-link.md")).expect("symlink");
    let out = env.index_within(&["--follow-symlinks"], Duration::from_secs(60));
    out.assert_code(0);
    assert!(out.stderr_lines("warning:").is_empty(), "{}", out.stderr);
    wait_search(&env, "badger").assert_code(0);
}

/// A search that fails the test instead of hanging.
fn wait_search(env: &TestEnv, query: &str) -> Output {
    crate::harness::wait_output(
        crate::harness::spawn(&mut env.search_command(&[query])),
        Duration::from_secs(60),
    )
}

#[test]
fn symlinks_are_followed_only_with_follow_symlinks() {
    let env = TestEnv::new(&[("good.txt", "The otter swam.")]);
    let outside = env.root().join("outside");
    std::fs::create_dir_all(outside.join("dir")).expect("mkdir");
    std::fs::write(outside.join("secret.txt"), "The mongoose hid.").expect("write");
    std::fs::write(outside.join("dir/inner.md"), "The meerkat watched.").expect("write");
    std::os::unix::fs::symlink(outside.join("secret.txt"), env.corpus().join("link.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink(outside.join("dir"), env.corpus().join("linked-dir"))
        .expect("symlink");

    let out = env.index();
    assert!(summary_line(&out).starts_with("added 1,"), "{}", out.stderr);
    env.search(&["mongoose"]).assert_code(1);
    env.search(&["meerkat"]).assert_code(1);

    let followed = env.index_with(&["--follow-symlinks"]);
    followed.assert_code(0);
    assert!(
        summary_line(&followed).starts_with("added 2,"),
        "{}",
        followed.stderr
    );
    let (hits, _) = env.search_json(&["mongoose"]);
    assert_eq!(paths(&hits), ["link.txt"]);
    let (hits, _) = env.search_json(&["meerkat"]);
    assert_eq!(paths(&hits), ["linked-dir/inner.md"]);
}

#[test]
fn a_symlink_loop_with_follow_symlinks_neither_hangs_nor_fails_the_run() {
    let env = TestEnv::new(&[("a/good.txt", "The stoat ran.")]);
    std::os::unix::fs::symlink(env.corpus(), env.corpus().join("a/loop")).expect("symlink");
    std::os::unix::fs::symlink("self", env.corpus().join("self")).expect("symlink");
    let out = env.index_within(&["--follow-symlinks"], Duration::from_secs(60));
    out.assert_code(0);
    let (hits, _) = env.search_json(&["stoat"]);
    assert_eq!(paths(&hits), ["a/good.txt"]);
    assert!(out.stderr.lines().count() <= 3, "{}", out.stderr);
}

#[test]
fn a_file_name_that_is_not_utf8_is_indexed_with_escaped_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new(&[]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9 notes.txt");
    std::fs::write(env.corpus().join(name), "The pelican dived.").expect("write");
    let out = env.index();
    assert!(summary_line(&out).starts_with("added 1,"), "{}", out.stderr);
    let (hits, _) = env.search_json(&["pelican"]);
    assert_eq!(paths(&hits), ["caf\\xE9 notes.txt"]);
    assert!(!hits[0].stale, "the file has not changed: {:?}", hits[0]);
    let again = env.index_json(&[]);
    assert_eq!((again.added, again.unchanged), (0, 1), "{again:?}");
    let human = env.search(&["pelican"]);
    human.assert_code(0);
    assert!(
        human.stdout.contains("caf\\xE9 notes.txt#0"),
        "{}",
        human.stdout
    );
}

/// `\xE9` spelled with a real backslash, beside a name with the byte
/// 0xE9: two files, two documents, whatever their keys look like.
#[test]
fn an_escaped_looking_name_and_a_non_utf8_name_stay_two_documents() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new(&[("caf\\xE9.txt", "The cormorant dived.")]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.txt");
    std::fs::write(env.corpus().join(name), "The pelican dived.").expect("write");
    let first = env.index_json(&[]);
    assert_eq!(first.added, 2, "{first:?}");
    let again = env.index_json(&[]);
    assert_eq!(
        (again.added, again.updated, again.unchanged),
        (0, 0, 2),
        "nothing changed: {again:?}"
    );
    env.search(&["pelican"]).assert_code(0);
    env.search(&["cormorant"]).assert_code(0);
    let (hits, _) = env.search_json(&["dived"]);
    let mut keys = paths(&hits);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 2, "two distinct path keys: {keys:?}");
}

#[test]
fn a_file_name_with_control_characters_is_indexed_and_never_printed_raw() {
    let env = TestEnv::new(&[]);
    let name = "alert\u{7}\u{1b}[31mred\u{1b}[0m\tname.txt";
    std::fs::write(env.corpus().join(name), "The ibis waded.").expect("write");
    let out = env.index();
    assert!(summary_line(&out).starts_with("added 1,"), "{}", out.stderr);
    let (hits, _) = env.search_json(&["ibis"]);
    assert_eq!(paths(&hits), [name], "the JSON path keeps the name");
    let human = env.search(&["ibis"]);
    human.assert_code(0);
    for output in [&human.stdout, &human.stderr, &out.stderr] {
        assert!(
            !output.contains(['\u{7}', '\u{1b}', '\t']),
            "a raw control character: {output:?}"
        );
    }
    assert!(human.stdout.contains("[31mred"), "{:?}", human.stdout);

    // A bad file with such a name: its warning is made safe too.
    let env = TestEnv::new(&[("ok.txt", "fine")]);
    std::fs::write(
        env.corpus().join("bad\u{1b}]0;title\u{7}.pdf"),
        b"not a pdf",
    )
    .expect("write");
    let out = env.index_with(&["--extract-timeout", "5"]);
    out.assert_code(0);
    assert_eq!(out.stderr_lines("warning:").len(), 1, "{}", out.stderr);
    assert!(
        !out.stderr.contains(['\u{7}', '\u{1b}']),
        "{:?}",
        out.stderr
    );
}
