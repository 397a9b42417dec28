//! Criterion benches of the hot pure functions: passage splitting, the
//! analyzers (tokenizing a passage as the index saw it), highlighting and
//! choosing a window. Inputs are generated here from a fixed seed, so runs
//! compare across commits.
//!
//! ```text
//! cargo bench --bench hot                  # all
//! cargo bench --bench hot -- highlight     # a group by name
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quarry::passage::{self, Bounds};
use quarry::schema::TextField;
use quarry::search::highlight::{self, Analyzers};
use quarry::search::plan::{self, Mode, PrefixExpander, prefix_stems};
use quarry::search::window::{self, WINDOW_CHARS};

/// Words of the generated text: newswire and finance vocabulary, some
/// inflected forms (for the stemmer), accented words and stop words.
const VOCABULARY: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "on",
    "with",
    "by",
    "market",
    "markets",
    "shares",
    "company",
    "profit",
    "profits",
    "bank",
    "banks",
    "oil",
    "prices",
    "rose",
    "fell",
    "trading",
    "government",
    "minister",
    "election",
    "report",
    "reported",
    "growth",
    "economy",
    "economic",
    "interest",
    "rates",
    "investors",
    "analysts",
    "said",
    "quarter",
    "revenue",
    "exports",
    "imports",
    "dollar",
    "currency",
    "inflation",
    "central",
    "policy",
    "talks",
    "agreement",
    "coffee",
    "cocoa",
    "wheat",
    "harvest",
    "ship",
    "voyage",
    "captain",
    "river",
    "ancient",
    "letter",
    "winter",
    "café",
    "naïve",
    "résumé",
    "Zürich",
    "mobile",
    "phone",
    "network",
    "software",
    "players",
    "match",
    "season",
    "film",
    "music",
    "award",
    "festival",
    "court",
];

/// A small deterministic generator (64-bit LCG), so inputs never change.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A text of `paragraphs` paragraphs of 2–7 sentences of 6–29 words, or,
/// with `blank_lines = false`, the same sentences as one paragraph (a
/// speech, a PDF page).
fn text(seed: u64, paragraphs: usize, blank_lines: bool) -> String {
    let mut rng = Rng(seed);
    let mut out = String::new();
    for p in 0..paragraphs {
        if p > 0 {
            out.push_str(if blank_lines { "\n\n" } else { " " });
        }
        for s in 0..2 + rng.below(6) {
            if s > 0 {
                out.push(' ');
            }
            for w in 0..6 + rng.below(24) {
                let word = VOCABULARY[rng.below(VOCABULARY.len())];
                if w == 0 {
                    let mut chars = word.chars();
                    out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                    out.push_str(chars.as_str());
                } else {
                    out.push(' ');
                    out.push_str(word);
                }
            }
            out.push('.');
        }
    }
    out
}

/// Expands `word*` over the vocabulary, as the index's dictionary would.
struct Vocabulary;

impl PrefixExpander for Vocabulary {
    fn expand(&self, _: TextField, prefix: &str) -> quarry::error::Result<(Vec<String>, bool)> {
        let words: Vec<String> = VOCABULARY.iter().map(|w| w.to_lowercase()).collect();
        let stems = prefix_stems(words.iter().map(String::as_str), prefix);
        Ok((stems.into_iter().collect(), false))
    }
}

fn split(c: &mut Criterion) {
    let mut group = c.benchmark_group("passage_split");
    for (name, text) in [
        ("article_20kb", text(1, 40, true)),          // 2,802 words
        ("one_paragraph_100kb", text(2, 200, false)), // 16,107 words
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| passage::split(black_box(&text), &[], Bounds::default()))
        });
    }
    group.finish();
}

fn analyze(c: &mut Criterion) {
    let passage = text(3, 1, true); // 122 words, 835 bytes
    let mut analyzers = Analyzers::default();
    let mut group = c.benchmark_group("analyzers");
    group.throughput(Throughput::Bytes(passage.len() as u64));
    group.bench_function("tokens_passage", |b| {
        b.iter(|| analyzers.tokens(black_box(&passage)))
    });
    group.finish();
}

fn highlight(c: &mut Criterion) {
    // A passage of 122 words (835 bytes) with a short title: one hit.
    let body = text(3, 1, true);
    let title = "Central bank talks: oil prices and the dollar".to_string();
    let mut analyzers = Analyzers::default();
    let (title_tokens, body_tokens) = (analyzers.tokens(&title), analyzers.tokens(&body));
    let queries = [
        ("terms", "oil prices"),
        ("phrase", "\"interest rates\" bank"),
        ("prefix", "market* OR econom*"),
        ("negation", "coffee -harvest"),
    ];
    let mut group = c.benchmark_group("highlight");
    for (name, query) in queries {
        let plan = plan::plan(query, Mode::All, &Vocabulary).expect("a valid query");
        group.bench_function(name, |b| {
            b.iter(|| highlight::highlight(black_box(&plan), &title_tokens, &body_tokens))
        });
    }
    let plan = plan::plain("oil prices bank", Mode::Any).expect("a valid query");
    group.bench_function("plain_any_with_tokens", |b| {
        b.iter(|| {
            let title = analyzers.tokens(black_box(&title));
            let body = analyzers.tokens(black_box(&body));
            highlight::highlight(&plan, &title, &body)
        })
    });
    // What a search does per hit: only the tokens the plan can match.
    let vocabulary = highlight::Vocabulary::of(&plan);
    group.bench_function("plain_any_with_plan_tokens", |b| {
        b.iter(|| {
            let title = analyzers.tokens_for(black_box(&title), &vocabulary);
            let body = analyzers.tokens_for(black_box(&body), &vocabulary);
            highlight::highlight(&plan, &title, &body)
        })
    });
    let marks = highlight::highlight(&plan, &title_tokens, &body_tokens);
    group.bench_function("window", |b| {
        b.iter(|| {
            window::window(
                black_box(&body),
                &marks.body,
                &[2.0, 1.0, 3.0],
                WINDOW_CHARS,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, split, analyze, highlight);
criterion_main!(benches);
