#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: fuzz/corpus/<target>/<name>.

Small edge-case inputs, one file each, named for what they exercise.
`cargo test --test it replay` replays every file; `cargo fuzz run <target>`
starts from them. Run from anywhere: python3 fuzz/make_corpus.py
"""

import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def u(text):
    return text.encode("utf-8")


def utf16le(text):
    return b"\xff\xfe" + text.encode("utf-16-le")


def utf16be(text):
    return b"\xfe\xff" + text.encode("utf-16-be")


def nest(depth, inner="a"):
    return "(" * depth + inner + ")" * depth


QUERY = {
    "empty": b"",
    "unbalanced_quote": u('"hello world'),
    "unbalanced_open_paren": u("(a AND (b OR c)"),
    "unbalanced_close_paren": u("a) OR b)"),
    "minus_star": u("- *"),
    "field_paren_caret": u("a:(^"),
    "boost_1e308": u("hello^1e308"),
    "boost_nan": u("hello^NaN"),
    "slop_over_u64": u('"a b"~99999999999999999999'),
    "slop_u32_max": u('"a b"~4294967295'),
    "lone_star": u("*"),
    "double_star": u("**"),
    "stars_inside_word": u("a*b*"),
    "quoted_prefix": u('"intru"*'),
    "empty_title_field": u("title:"),
    "date_range_of_words": u("date:[x TO y]"),
    "source_empty_quotes": u('source:""'),
    "only_negations": u("-a -b NOT c"),
    "nesting_40": u(nest(40)),
    "nesting_33": u(nest(33)),
    "nesting_32_with_words": u(nest(32, "a b OR c -d")),
    "control_chars": u("a\0b \x0b c\x0c d\x7f e"),
    "rtl_hebrew_arabic": u("שלום עולם مرحبا \u202eبالعالم"),
    "emoji": u("🦀 rust* 👍🏽 👨‍👩‍👧"),
    "nfd_accents": u("cafe\u0301 nai\u0308ve* zu\u0308*"),
    "long_5000_bytes": u("word " * 1000),
    "terms_65": u(" ".join("w%d" % i for i in range(65))),
    # check_limits counts parens outside quotes, but a backslash-escaped
    # quote opens no phrase for tantivy: these parens are real to the
    # parser, and the depth limit is not applied.
    "escaped_quote_word_hides_nesting_40": u('a\\"b ' + nest(40)),
    "escaped_quote_phrase_hides_nesting_40": u('"\\"" ' + nest(40)),
    "escaped_quote_phrase_hides_nesting_2000": u('"\\"" ' + nest(2000)),
}

PASSAGE = {
    "empty": b"",
    "only_newlines": u("\n" * 2000),
    "only_crlf": u("\r\n" * 1000),
    "only_cr": u("a\rb\r\rc\r" * 200),
    "line_100k_without_spaces": u("a" * 100_000),
    "cjk_no_spaces": u("日本語の文章です。" * 3000),
    "cjk_with_ideographic_spaces": u("中文\u3000文本。" * 2000),
    "combining_marks": u("e\u0301" * 5000),
    "lone_combining_marks": u("\u0301\u0308 " * 2000),
    "zero_width_and_nbsp": u("a\u200bb\u00a0c\u2028d\u2029e " * 2000),
    "headings_as_hard_breaks": u("\n".join("# H%d\nShort para %d." % (i, i) for i in range(300))),
    "abbreviations": u("Mr. Smith met Dr. Who at St. Paul, e.g. U.S. Corp. Inc. " * 300),
    "one_long_sentence": u("word " * 5000),
    "many_short_paragraphs": u("One two.\n\n" * 2000),
    "tabs_and_spaces": u(" \t \t word\t\t \n" * 1000),
    "bom_and_multibyte_breaks": u("\ufeff" + "ü€𝄞" * 3000),
    "mixed_scripts": u("Ελληνικά русский עברית 🦀 " * 1000),
    "invalid_utf8": b"para one\n\n\xff\xfe\xc3\x28 para two\n#\xe2\x82",
}


def highlight(query, title, body):
    return u(query + "\n" + title + "\n" + body)


LONG_BODY = " ".join("word%d" % i for i in range(2000))

HIGHLIGHT = {
    "empty": b"",
    "only_query": u("alpha"),
    "phrase": highlight('"cyber theft"', "Title", "cyber attacks and the theft of cyber theft data"),
    "phrase_with_slop": highlight('"a b"~3', "", "a x b y a b z b a"),
    "phrase_repeated_word": highlight('"a a a"', "", "a a a a a"),
    "sloppy_three_words": highlight('"a b c"~2', "a c b", "c b a x a b c"),
    "prefix_nfd": highlight("cafe*", "Café", "cafe\u0301 café CAFÉ cafeteria"),
    "turkish_and_sigma": highlight("istanbul σίσυφος", "İSTANBUL", "İstanbul ΣΊΣΥΦΟΣ σίσυφος"),
    "ligature_and_fullwidth": highlight("finance 2018", "", "ﬁnance ２０１８ finance"),
    "negation": highlight("a -b", "", "a b a"),
    "or_and_boost": highlight("a^2 OR b^0 c", "c", "a b c"),
    "match_at_the_end_of_long_body": highlight("word1999", "", LONG_BODY),
    "many_matches_long_body": highlight("word1* word5*", "", LONG_BODY),
    "single_long_token": highlight("aaa*", "", "a" * 2000 + " " + "aaa" * 10),
    "multibyte_around_match": highlight("word", "", "é" * 500 + " word " + "é" * 500),
    "cjk_match": highlight("日本語", "日本語", "日本語の文章" * 200 + " 日本語 " + "です" * 200),
    "crlf_body": highlight("b", "t\r", "a\r\nb\r\n\r\nc b"),
    "sentences_for_window": highlight(
        "target", "", ("Mr. Smith went home. Dr. Who came. " * 20) + "The target is here. " + ("It ended. " * 40)
    ),
    "date_filter_only": highlight("a date:2018", "", "a a"),
    "emoji_and_zwj": highlight("rust", "🦀", "👨‍👩‍👧 rust 🦀 rust"),
    "bidi_in_body": highlight("a", "", "\u202ea\u202c b\u2066a\u2069"),
}

BIG_HTML_BODY = "<p>" + "word " * 200 + "</p>"

TEXT = {
    "empty": b"",
    "utf8_bom_only": b"\xef\xbb\xbf",
    "utf8_bom_title": b"\xef\xbb\xbfTitle\n\nBody text.",
    "utf16le_bom": utf16le("Zürich\n\nText in UTF-16."),
    "utf16be_bom": utf16be("Zürich\n\nText in UTF-16."),
    "utf16le_odd_length": utf16le("odd") + b"\x41",
    "utf16le_unpaired_surrogate": b"\xff\xfe" + b"\x00\xd8" + "ok".encode("utf-16-le"),
    "utf16_bom_only_le": b"\xff\xfe",
    "utf16_bom_only_be": b"\xfe\xff",
    "nul_early": b"text\x00more",
    "nul_after_8k": b"a" * 9000 + b"\x00tail",
    "invalid_utf8": b"Title\n\nab\xffcd \xc3\x28 \xe2\x82",
    "crlf_title": b"Title here\r\n\r\nBody.\r\n",
    "title_101_chars": u("t" * 101 + "\n\nbody"),
    "title_100_chars_multibyte": u("é" * 100 + "\n\nbody"),
    "only_newlines": u("\n" * 500),
    "lone_cr": b"Title\r\rBody",
    "whitespace_title": u("   \n\nbody"),
}

MARKDOWN = {
    "empty": b"",
    "bom_front_matter": b"\xef\xbb\xbf---\ntitle: BOM\n---\n\nBody.",
    "utf16le_markdown": utf16le("# Heading\n\nBody."),
    "nul_byte": b"# a\x00b",
    "invalid_utf8": b"# T\xfftle\n\nbody \xc3\x28",
    "crlf_front_matter": b"---\r\ntitle: CRLF\r\ndate: 2018-03-22\r\n---\r\n\r\nBody.\r\n",
    "yaml_unclosed_flow": u("---\ntitle: [unclosed\n---\n\nThe body stays.\n"),
    "yaml_bad_indent": u("---\ntitle: a\n  b: c\n d: e\n---\nx\n"),
    "yaml_tabs": u("---\ntitle:\t\"a\n\tdate: 2018\n---\nx\n"),
    "yaml_alias_bomb": u(
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ntitle: *e\n---\nx\n"
    ),
    "yaml_deep_nesting": u("---\ntitle: " + "[" * 500 + "]" * 500 + "\n---\nx\n"),
    "yaml_odd_values": u("---\ntitle: !!binary aGVsbG8=\ndate: [1, 2]\nsource: ~\nurl: {a: b}\nauthor: 1e400\n---\nx\n"),
    "yaml_odd_dates": u("---\ntitle: 12\ndate: 2018-02-30\n---\nx\n"),
    "yaml_not_a_mapping": u("---\n- a\n- b\n---\nx\n"),
    "toml_unclosed_string": u('+++\ntitle = "unclosed\n+++\n\nBody.\n'),
    "toml_bad_table": u("+++\n[a\ntitle = 1\n+++\nx\n"),
    "toml_time_only_date": u('+++\ntitle = "T"\ndate = 07:32:00\n+++\nx\n'),
    "toml_offset_date": u("+++\ndate = 1979-05-27T07:32:00-08:00\n+++\nx\n"),
    "toml_huge_integer": u("+++\ntitle = 99999999999999999999\ndate = -9223372036854775808\n+++\nx\n"),
    "front_matter_unclosed": u("---\ntitle: x\n\nBody with no closing fence.\n"),
    "front_matter_only": u("---\ntitle: Only\n---\n"),
    "nested_lists_1000": u("- " * 1000 + "deep\n"),
    "nested_blockquotes_2000": u(">" * 2000 + " deep\n"),
    "indented_nested_lists": u("".join("  " * i + "- item %d\n" % i for i in range(200))),
    "emphasis_storm": u("*a_" * 3000),
    "link_brackets": u("[" * 2000 + "x" + "](u)" * 10),
    "headings_only": u("#\n##\n###\n# \n"),
    "setext_and_table": u("Title\n=====\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]\n\n[^1]: note\n"),
    "unterminated_code_and_html": u("```rust\nfn main() {\n\n<div>\n<!-- unclosed"),
}

HTML = {
    "empty": b"",
    "bom_utf8": b"\xef\xbb\xbf<title>T</title><p>x</p>",
    "utf16le_bom": utf16le("<html><title>UTF-16</title><body><p>Zürich</p></body></html>"),
    "nul_byte": b"<p>a\x00b</p>",
    "invalid_utf8": b"<title>\xff\xfe</title><p>\xc3\x28</p>",
    "crlf": b"<html>\r\n<body>\r\n<h1>T</h1>\r\n<p>a\r\nb</p>\r\n</body></html>",
    "nested_divs_2000": u("<div>" * 2000 + "deep" + "</div>" * 2000),
    "nested_lists_2000": u("<ul><li>" * 2000 + "deep"),
    "nested_formatting_2000": u("<b><i>" * 1000 + "x"),
    "nested_tables_300": u("<table><tr><td>" * 300 + "x"),
    "nested_headings": u("<h1><h2><h3>" * 300 + "x"),
    "unclosed_script": u("<p>before</p><script>var a = '<p>not text</p>"),
    "unclosed_comment": u("<p>a</p><!-- never closed <p>b</p>"),
    "entities": u("<p>&#0; &#x110000; &#xD800; &amp &lt;&gt; &notanentity; &#99999999999;</p>"),
    "json_ld_nested_arrays": u(
        '<script type="application/ld+json">{"datePublished": ' + "[" * 120 + '"2018-03-22"' + "]" * 120 + "}</script><p>x</p>"
    ),
    "json_ld_too_deep": u('<script type="application/ld+json">' + "[" * 300 + "]" * 300 + "</script><p>x</p>"),
    "json_ld_author_objects": u(
        '<script type="application/ld+json">[{"author": [{"name": 7}, {"name": "  "}, ""]},'
        ' {"@graph": [{"author": {"name": "A"}, "datePublished": "2018-02-30"}]}]</script><p>x</p>'
    ),
    "meta_dates_odd": u(
        '<meta property="article:published_time" content="   "><time datetime="9999-12-31T23:59:60Z"></time>'
        '<meta name="date" content="0000-00-00"><p>x</p>'
    ),
    "canonical_odd_urls": u('<link rel="canonical" href="https://@:/"><meta property="og:url" content="://"><p>x</p>'),
    "banners_hidden_and_pre": u(
        '<div class="COOKIE-banner">c</div><div hidden>h</div><pre>  a\n\n  b  </pre><article>in</article>'
    ),
    "nested_articles": u("<article><article><main>x</main></article></article><article>second</article>"),
    "svg_math_template": u("<svg><p>a</p></svg><math><mi>x</mi></math><template><p>t</p></template><p>ok</p>"),
    "plaintext_and_frameset": u("<frameset><frame></frameset><plaintext><p>raw"),
    "title_whitespace_only": u("<title> \n\t </title><h1>  </h1>"),
    "many_breaks": u("<h1>a</h1><br>" * 500 + BIG_HTML_BODY),
}

JSONL = {
    "empty": b"",
    "bom": b'\xef\xbb\xbf{"id":"a","text":"BOM"}\n',
    "utf16le_bom": utf16le('{"id":"a","text":"UTF-16"}\n'),
    "nul_byte": b'{"id":"a","text":"a\x00b"}\n',
    "invalid_utf8": b'{"id":"a","text":"\xff\xfe"}\n{"id":"b","text":"ok \xc3\x28"}\n',
    "crlf": b'{"id":"a","text":"x"}\r\n{"id":"b","text":"y"}\r\n',
    "huge_numbers": u(
        '{"id": 123456789012345678901234567890, "text": 1e400}\n'
        '{"id": -0, "text": 1e308, "date": 99999999999}\n'
        '{"id": 1.5e-400, "text": "x", "date": -1}\n'
    ),
    "nested_arrays_deep": u('{"id":"a","text":' + "[" * 200 + "]" * 200 + "}\n" + '{"id":"b","text":"ok"}\n'),
    "nested_arrays_127": u('{"id":"a","title":"t","text":' + "[" * 126 + "]" * 126 + "}\n"),
    "duplicate_ids": u('{"id":"x","text":"1"}\n{"id":"x","text":"2"}\n{"id":1,"text":"3"}\n{"id":"1","text":"4"}\n'),
    "implicit_id_collides": u('{"id":"L2","text":"1"}\n{"text":"2"}\n'),
    "not_objects": u('[1,2]\n"str"\nnull\n42\n{\n}\n'),
    "blank_and_whitespace_lines": u('\n   \n\t\n{"text":"a"}\n\n'),
    "no_text_fields": u('{"id":"a"}\n{"id":"b","title":"  ","text":"  "}\n'),
    "odd_dates": u(
        "\n".join(
            json.dumps({"id": str(i), "text": "t", "date": d})
            for i, d in enumerate(["0000-00-00", "9999-12-31T23:59:60Z", "-1", "2018-02-30", "", "x" * 100])
        )
    ),
    "long_line": u(json.dumps({"id": "long", "text": "word " * 4000})),
    "escapes": u('{"id":"\\u0000","text":"\\ud800 \\u202e \\u001b[31m"}\n'),
    "trailing_garbage": u('{"id":"a","text":"x"} trailing\n{"id":"b","text":"y"}{"id":"c"}\n'),
    "mapped_field_names": u('{"_id":"a","body":"b","content":"c","title":5}\n'),
}

DATE = {
    "zero_date": u("0000-00-00"),
    "leap_second_max_year": u("9999-12-31T23:59:60Z"),
    "minus_one": u("-1"),
    "feb_30": u("2018-02-30"),
    "feb_29_non_leap": u("Feb 29, 2019"),
    "feb_29_leap": u("29 February 2020"),
    "year_zero": u("0000"),
    "year_9999": u("9999"),
    "year_10000": u("10000"),
    "month_zero_year": u("0000-01"),
    "extended_year_plus": u("+002018-03-22"),
    "extended_year_negative": u("-000001-01-01"),
    "extended_year_negative_instant": u("-000001-01-01T00:00:00Z"),
    "max_offset": u("2018-03-22T10:00:00+14:00"),
    "overflowing_offset": u("9999-12-31T23:59:59-12:00"),
    "rfc2822_overflow": u("Fri, 31 Dec 9999 23:59:59 -1200"),
    "hour_24": u("2018-03-22T24:00:00"),
    "compact": u("20180322"),
    "compact_zeros": u("00000000"),
    "dotted_max": u("31.12.9999"),
    "month_names": u("Sept 2018"),
    "padded": u("   2018-03-22   "),
    "too_long": u("2018-03-22" + " " * 60 + "x"),
    "empty": b"",
    "naive_minutes": u("2018-03-22 10:30"),
    "single_digit_year": u("01.01.5"),
    "negative_year_dotted": u("01.01.-5"),
    "two_digit_year": u("1 Jan 99"),
}

SANITIZE = {
    "empty": b"",
    "plain": u("plain text"),
    "ansi_colour": u("\x1b[31mred\x1b[0m"),
    "osc8_hyperlink": u("\x1b]8;;http://evil.example\x07link\x1b]8;;\x07"),
    "osc_title": u("\x1b]0;pwned\x1b\\after"),
    "csi_c1": u("\u009b31mred\u009b0m"),
    "bidi_override": u("good\u202etxt.exe"),
    "bidi_isolates_and_marks": u("\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d"),
    "del_and_nul": u("a\x7fb\x00c"),
    "newlines_tabs": u("a\r\n\tb\n\n\nc"),
    "many_spaces": u("a     b      "),
    "only_spaces": u("      "),
    "unicode_whitespace": u("a\u00a0\u2028\u2029\u0085\u3000\u200bb"),
    "backspaces_overwrite": u("secret\x08\x08\x08\x08\x08\x08public"),
    "invalid_utf8": b"\x1b[\xff31m",
    "zero_width_joiner_emoji": u("👨\u200d👩\u200d👧 \ufeff"),
}

TARGETS = {
    "query": QUERY,
    "passage": PASSAGE,
    "highlight": HIGHLIGHT,
    "extract_text": TEXT,
    "extract_markdown": MARKDOWN,
    "extract_html": HTML,
    "extract_jsonl": JSONL,
    "date": DATE,
    "sanitize": SANITIZE,
}


def main():
    for target, inputs in TARGETS.items():
        folder = os.path.join(ROOT, target)
        os.makedirs(folder, exist_ok=True)
        for name, data in inputs.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(inputs)}")


if __name__ == "__main__":
    main()
