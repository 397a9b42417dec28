//! Our BM25 query: one word over one or more fields, scored as BM25F.
//!
//! tantivy scores each field on its own (k1 = 1.2, b = 0.75) and a
//! word's title and body scores are added: a word in both counts twice,
//! each saturated alone, and the title's idf, computed over short titles,
//! is inflated. BM25F (Robertson and Zaragoza; Lucene's
//! `CombinedFieldQuery`) instead adds the fields' length-normalised
//! frequencies, weighted per field, into one frequency, and saturates
//! that once with one idf. Postings, field norms and collection
//! statistics are tantivy's own.

use std::fmt;
use std::sync::Arc;

use tantivy::collector::Collector;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyError, Term,
};

use crate::schema::KIND_PASSAGE;

/// Term frequency saturation: how much the second, third… occurrence of
/// a word adds. 1.2, the value of Okapi at TREC and Lucene's and tantivy's
/// default (so words and phrases saturate alike); with the saturation of
/// repeated query words (`plan::plain::K3`) it ranks best on the seven IR
/// collections (BENCHMARKS.md).
pub const K1: Score = 1.2;

/// How one field counts in a word's score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldWeight {
    /// An occurrence in this field counts as `weight` occurrences.
    pub weight: Score,
    /// Length normalisation: 0 ignores the field's length, 1 divides by
    /// it (relative to the average).
    pub b: Score,
}

/// One word in one or more fields (the same word's term in each), each
/// field with its [`FieldWeight`].
#[derive(Clone)]
pub struct Bm25Query {
    terms: Vec<(Term, FieldWeight)>,
}

impl Bm25Query {
    /// `terms` should all be the same word, each in another field.
    pub fn new(terms: Vec<(Term, FieldWeight)>) -> Bm25Query {
        Bm25Query { terms }
    }
}

impl fmt::Debug for Bm25Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.terms.iter().map(|(t, w)| (t, w.weight, w.b)))
            .finish()
    }
}

impl Query for Bm25Query {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let stats = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Stats::of(statistics_provider, &self.terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(Bm25Weight {
            terms: self.terms.clone(),
            stats,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
    }
}

/// What a word's score depends on besides the passage.
struct Stats {
    idf: Score,
    /// Passages with the word in its most frequent field.
    doc_freq: u64,
    docs: u64,
    /// Per field, in the order of the terms: average length, and
    /// `1 - B + B * length / average` for each of tantivy's 256 field-norm
    /// ids.
    fields: Vec<(Score, Arc<[Score; 256]>)>,
}

impl Stats {
    fn of(
        provider: &dyn Bm25StatisticsProvider,
        terms: &[(Term, FieldWeight)],
    ) -> tantivy::Result<Stats> {
        let docs = provider.total_num_docs()?.max(1);
        let mut doc_freq = 0;
        let mut fields = Vec::with_capacity(terms.len());
        for (term, FieldWeight { b, .. }) in terms {
            doc_freq = doc_freq.max(provider.doc_freq(term)?.min(docs));
            let tokens = provider.total_num_tokens(term.field())?;
            let average = (tokens as Score / docs as Score).max(1.0);
            let mut norms = [0.0; 256];
            for (id, norm) in norms.iter_mut().enumerate() {
                let length = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
                *norm = 1.0 - b + b * length / average;
            }
            fields.push((average, Arc::new(norms)));
        }
        Ok(Stats {
            idf: idf(doc_freq, docs),
            doc_freq,
            docs,
            fields,
        })
    }
}

/// The collection statistics of BM25 over passages only: an index also
/// holds record-only documents, which no query matches and which would
/// otherwise count as empty passages (lowering the average length and
/// raising every idf).
pub struct PassageStatistics<'a> {
    searcher: &'a Searcher,
    /// Passages, deleted ones included (as tantivy counts documents).
    passages: u64,
}

impl<'a> PassageStatistics<'a> {
    pub fn new(searcher: &'a Searcher, kind: Field) -> tantivy::Result<PassageStatistics<'a>> {
        let passages = searcher.doc_freq(&Term::from_field_text(kind, KIND_PASSAGE))?;
        Ok(PassageStatistics { searcher, passages })
    }

    /// Runs `query` with these statistics.
    pub fn search<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        self.searcher
            .search_with_statistics_provider(query, collector, self)
    }

    /// tantivy's explanation of `query`'s score for one passage, with
    /// these statistics.
    pub fn explain(&self, query: &dyn Query, address: DocAddress) -> tantivy::Result<Explanation> {
        let scoring = EnableScoring::enabled_from_statistics_provider(self, self.searcher);
        let reader = self.searcher.segment_reader(address.segment_ord);
        query.weight(scoring)?.explain(reader, address.doc_id)
    }
}

impl Bm25StatisticsProvider for PassageStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.passages)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// Lucene's idf, always positive.
fn idf(doc_freq: u64, docs: u64) -> Score {
    let n = doc_freq as Score;
    (1.0 + (docs as Score - n + 0.5) / (n + 0.5)).ln()
}

struct Bm25Weight {
    terms: Vec<(Term, FieldWeight)>,
    /// `None` when scoring is off (counting, filtering).
    stats: Option<Stats>,
}

impl Bm25Weight {
    fn bm25_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Bm25Scorer> {
        let option = if self.stats.is_some() {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut fields = Vec::with_capacity(self.terms.len());
        for (i, (term, weight)) in self.terms.iter().enumerate() {
            let field = term.field();
            let Some(postings) = reader.inverted_index(field)?.read_postings(term, option)? else {
                continue;
            };
            fields.push(FieldPostings {
                postings,
                fieldnorms: reader.get_fieldnorms_reader(field)?,
                weight: weight.weight,
                norms: self.stats.as_ref().map(|s| s.fields[i].1.clone()),
                stat: i,
            });
        }
        let mut scorer = Bm25Scorer {
            fields,
            doc: TERMINATED,
            weight: self
                .stats
                .as_ref()
                .map_or(0.0, |s| s.idf * (1.0 + K1) * boost),
        };
        scorer.doc = scorer.first_doc();
        Ok(scorer)
    }
}

impl Weight for Bm25Weight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorer = self.bm25_scorer(reader, boost)?;
        Ok(if scorer.fields.is_empty() {
            Box::new(EmptyScorer)
        } else {
            Box::new(scorer)
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.bm25_scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #{doc} does not match"
            )));
        }
        let Some(stats) = &self.stats else {
            return Ok(Explanation::new("matches (scoring off)", 0.0));
        };
        let mut frequency = Explanation::new(
            "tf, the sum over fields of weight * freq / (1 - b + b * dl / avgdl)",
            scorer.frequency(),
        );
        for field in scorer.fields.iter().filter(|f| f.postings.doc() == doc) {
            let (average, _) = stats.fields[field.stat];
            let (term, weight) = &self.terms[field.stat];
            let mut one = Explanation::new_with_string(
                format!("field {}", reader.schema().get_field_name(term.field())),
                field.frequency(doc),
            );
            one.add_const("weight", weight.weight);
            one.add_const("b", weight.b);
            one.add_const("freq, occurrences", field.postings.term_freq() as Score);
            one.add_const("dl, length", field.fieldnorms.fieldnorm(doc) as Score);
            one.add_const("avgdl, average length", average);
            frequency.add_detail(one);
        }
        let mut out = Explanation::new_with_string(
            format!(
                "BM25F of {:?}: rarity × (k1 + 1) × tf / (k1 + tf), k1 {K1}",
                self.terms
                    .first()
                    .and_then(|(t, _)| t.value().as_str().map(str::to_string))
                    .unwrap_or_default(),
            ),
            scorer.score(),
        );
        let mut idf = Explanation::new(
            "idf, the rarity: ln(1 + (N - n + 0.5) / (n + 0.5))",
            stats.idf,
        );
        idf.add_const("n, passages with the word", stats.doc_freq as Score);
        idf.add_const("N, passages", stats.docs as Score);
        out.add_detail(idf);
        out.add_detail(frequency);
        Ok(out)
    }
}

/// One field's postings of the word.
struct FieldPostings {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    weight: Score,
    /// The field's length normalisation table; `None` when scoring is off.
    norms: Option<Arc<[Score; 256]>>,
    /// Index of the field in the query's terms and the statistics.
    stat: usize,
}

impl FieldPostings {
    /// weight × freq / length normalisation, for the current document.
    fn frequency(&self, doc: DocId) -> Score {
        let Some(norms) = &self.norms else {
            return 0.0;
        };
        let tf = self.postings.term_freq() as Score;
        self.weight * tf / norms[usize::from(self.fieldnorms.fieldnorm_id(doc))]
    }
}

/// The union of a word's postings over its fields.
struct Bm25Scorer {
    fields: Vec<FieldPostings>,
    doc: DocId,
    /// idf × (k1 + 1) × boost.
    weight: Score,
}

impl Bm25Scorer {
    fn first_doc(&self) -> DocId {
        self.fields
            .iter()
            .map(|f| f.postings.doc())
            .min()
            .unwrap_or(TERMINATED)
    }

    fn frequency(&self) -> Score {
        self.fields
            .iter()
            .filter(|f| f.postings.doc() == self.doc)
            .map(|f| f.frequency(self.doc))
            .sum()
    }
}

impl DocSet for Bm25Scorer {
    fn advance(&mut self) -> DocId {
        for field in &mut self.fields {
            if field.postings.doc() == self.doc {
                field.postings.advance();
            }
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for field in &mut self.fields {
            if field.postings.doc() < target {
                field.postings.seek(target);
            }
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.fields
            .iter()
            .map(|f| f.postings.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for Bm25Scorer {
    fn score(&mut self) -> Score {
        let tf = self.frequency();
        self.weight * tf / (K1 + tf)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, doc};

    use super::*;

    /// An index in memory of (title, body) documents, each group committed
    /// as its own segment, less the documents whose title has the word
    /// `deleted`; its searcher and the two fields.
    pub(crate) fn title_body_index<T: AsRef<str>>(
        groups: &[&[(T, T)]],
        deleted: Option<&str>,
    ) -> (Searcher, Field, Field) {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for group in groups {
            for (t, b) in group.iter() {
                writer
                    .add_document(doc!(title => t.as_ref(), body => b.as_ref()))
                    .expect("add");
            }
            writer.commit().expect("commit");
        }
        if let Some(word) = deleted {
            writer.delete_term(Term::from_field_text(title, word));
            writer.commit().expect("commit");
        }
        let searcher = index.reader().expect("reader").searcher();
        (searcher, title, body)
    }

    /// One segment of (title, body) documents.
    fn index(docs: &[(&str, &str)]) -> (Searcher, Field, Field) {
        title_body_index(&[docs], None)
    }

    const BODY: FieldWeight = FieldWeight {
        weight: 1.0,
        b: 0.75,
    };
    const TITLE: FieldWeight = FieldWeight {
        weight: 2.0,
        b: 1.0,
    };

    fn scores(searcher: &tantivy::Searcher, query: &Bm25Query) -> Vec<(u32, f32)> {
        let mut top: Vec<(u32, f32)> = searcher
            .search(query, &TopDocs::with_limit(10).order_by_score())
            .expect("search")
            .into_iter()
            .map(|(score, address)| (address.doc_id, score))
            .collect();
        top.sort_by_key(|&(doc, _)| doc);
        top
    }

    #[test]
    fn one_field_is_classic_bm25() {
        let (searcher, _, body) = index(&[
            ("", "seal seal ice"),
            ("", "ice floe drift and more words here"),
            ("", "seal"),
        ]);
        let term = Term::from_field_text(body, "seal");
        let got = scores(&searcher, &Bm25Query::new(vec![(term, BODY)]));
        // N 3, n 2; lengths 3, 7, 1, average 11 / 3.
        let idf = (1.0f32 + (3.0 - 2.0 + 0.5) / (2.0 + 0.5)).ln();
        let bm25 = |tf: f32, dl: f32| {
            idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - 0.75 + 0.75 * dl / (11.0 / 3.0)))
        };
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].0, got[1].0), (0, 2));
        assert!((got[0].1 - bm25(2.0, 3.0)).abs() < 1e-4, "{got:?}");
        assert!((got[1].1 - bm25(1.0, 1.0)).abs() < 1e-4, "{got:?}");
    }

    #[test]
    fn fields_add_their_frequencies_before_saturation() {
        let (searcher, title, body) = index(&[
            ("walrus", "walrus ice"),
            ("walrus", "ice floe"),
            ("ice", "walrus floe"),
            ("ice", "floe"),
        ]);
        let word = |f| Term::from_field_text(f, "walrus");
        let both = scores(
            &searcher,
            &Bm25Query::new(vec![(word(title), TITLE), (word(body), BODY)]),
        );
        // Every document with the word in either field, each once.
        assert_eq!(both.iter().map(|d| d.0).collect::<Vec<_>>(), [0, 1, 2]);
        // A title occurrence (weight 2) beats a body one.
        assert!(both[1].1 > both[2].1, "{both:?}");
        // Both fields beat either, but by less than the two scores added.
        assert!(both[0].1 > both[1].1, "{both:?}");
        assert!(both[0].1 < both[1].1 + both[2].1, "{both:?}");
        // One idf: that of the field where the word is most frequent, so
        // the score never exceeds idf × (k1 + 1).
        let idf = (1.0f32 + (4.0 - 2.0 + 0.5) / (2.0 + 0.5)).ln();
        assert!(both.iter().all(|d| d.1 < idf * (K1 + 1.0)), "{both:?}");
    }

    #[test]
    fn explain_gives_the_score() {
        let (searcher, title, body) = index(&[("walrus", "walrus ice"), ("ice", "floe")]);
        let word = |f| Term::from_field_text(f, "walrus");
        let query = Bm25Query::new(vec![(word(title), TITLE), (word(body), BODY)]);
        let score = scores(&searcher, &query)[0].1;
        let explained = query
            .explain(&searcher, tantivy::DocAddress::new(0, 0))
            .expect("explain");
        assert!((explained.value() - score).abs() < 1e-5);
        assert!(
            query
                .explain(&searcher, tantivy::DocAddress::new(0, 1))
                .is_err()
        );
    }
}
