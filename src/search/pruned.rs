//! Word clauses plus neighbouring-pair bonuses (`--plain --any`), as one
//! query whose top hits skip most of the pair work.
//!
//! Scored as the `BooleanQuery` of the same clauses is (the same scorers,
//! the same order of additions, so the same `f32` scores), but when only
//! the best hits are wanted ([`Weight::for_each_pruning`], what `TopDocs`
//! by score calls), a pair's phrase is looked at only for passages that
//! could still enter the top: every passage's word scores are added up
//! first, and a pair can add at most its phrase's largest BM25 score
//! (idf × (k1 + 1) × boost) and only where both of its words occur. A
//! passage whose word score plus that bound does not beat the current
//! threshold is dropped without opening any phrase, and a phrase's
//! postings and positions are read only from the first passage that needs
//! them on. Counting, matching without scores and explanations use the
//! plain `BooleanQuery` weight; a pair matches only where its words do, so
//! without scores the words alone decide what matches. The pruned pass
//! visits every passage that has a word, so it counts them on the way
//! ([`PrunedQuery::take_matched`]): a search for the top hits needs no
//! counting pass of its own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BooleanWeight, BoostWeight, EnableScoring, Explanation,
    Occur, Query, Scorer, SumCombiner, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// tantivy's BM25 `k1`, which its phrase scores use.
const TANTIVY_K1: f64 = 1.2;
/// Passages whose word scores are added up at a time.
const WINDOW: usize = 4096;
/// Relative slack on bounds, far above the rounding of `f32` sums.
const SLACK: f64 = 1e-4;

/// One neighbouring pair: its words (indexes into the word clauses), the
/// boost of its clause and its phrase in each field, with the field's own
/// boost (`None`: not boosted).
#[derive(Clone, Debug)]
pub struct Pair {
    pub words: [usize; 2],
    pub boost: Score,
    pub fields: Vec<(Arc<dyn Query>, Option<Score>)>,
}

/// `Should` word clauses, then `Should` pair clauses; see the module
/// documentation.
#[derive(Clone, Debug)]
pub struct PrunedQuery {
    words: Vec<Arc<dyn Query>>,
    pairs: Vec<Pair>,
    /// Passages the pruned passes matched since the last
    /// [`PrunedQuery::take_matched`].
    matched: Arc<AtomicUsize>,
}

impl PrunedQuery {
    /// `words` are the word clauses' queries, each pair's words index
    /// them. The score is that of
    /// `BooleanQuery::new([should(word)…, should(boost(union(field phrase…)))…])`.
    pub fn new(words: Vec<Arc<dyn Query>>, pairs: Vec<Pair>) -> PrunedQuery {
        PrunedQuery {
            words,
            pairs,
            matched: Arc::default(),
        }
    }

    /// The passages (not deleted) that match, as counted by the searches
    /// for top hits by score run since the last call, and resets the
    /// count: call it before such a search and after it.
    pub fn take_matched(&self) -> usize {
        self.matched.swap(0, Ordering::Relaxed)
    }
}

impl Query for PrunedQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled {
            statistics_provider,
            searcher,
        } = scoring
        else {
            // A pair matches only where both its words do.
            let words = self.words.iter().map(|q| (Occur::Should, q.box_clone()));
            return BooleanQuery::new(words.collect()).weight(scoring);
        };
        // Each word's statistics are asked for by its own clause, then by
        // its pairs' bounds and phrases: look each up once.
        let statistics_provider = &Cached::new(statistics_provider);
        let scoring =
            EnableScoring::enabled_from_statistics_provider(statistics_provider, searcher);
        let docs = statistics_provider.total_num_docs()? as f64;
        let mut words = Vec::with_capacity(self.words.len());
        for query in &self.words {
            words.push(Arc::<dyn Weight>::from(query.weight(scoring)?));
        }
        let mut pairs = Vec::with_capacity(self.pairs.len());
        for pair in &self.pairs {
            let mut fields = Vec::with_capacity(pair.fields.len());
            let mut max = 0.0;
            for (query, field_boost) in &pair.fields {
                let boost = match field_boost {
                    Some(b) => 1.0 * pair.boost * b,
                    None => 1.0 * pair.boost,
                };
                let mut terms: Vec<Term> = Vec::new();
                query.query_terms(&mut |term, _| terms.push(term.clone()));
                let mut idf = 0.0;
                for term in &terms {
                    let n = statistics_provider.doc_freq(term)? as f64;
                    idf += (1.0 + (docs - n + 0.5) / (n + 0.5)).ln();
                }
                max += idf * (1.0 + TANTIVY_K1) * f64::from(boost);
                let weight = Arc::<dyn Weight>::from(query.weight(scoring)?);
                fields.push((weight, *field_boost, boost));
            }
            pairs.push(PairWeight {
                words: pair.words,
                fields,
                max: max * (1.0 + SLACK),
                boost: pair.boost,
            });
        }
        let mut most = vec![0.0; words.len()];
        for pair in &pairs {
            most[pair.words[1]] += pair.max;
        }
        let full = full_weight(&words, &pairs);
        Ok(Box::new(PrunedWeight {
            words,
            pairs,
            most,
            full,
            matched: self.matched.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.words {
            query.query_terms(visitor);
        }
        for pair in &self.pairs {
            for (query, _) in &pair.fields {
                query.query_terms(visitor);
            }
        }
    }
}

/// Collection statistics, each looked up once.
struct Cached<'a> {
    inner: &'a dyn Bm25StatisticsProvider,
    doc_freqs: Mutex<HashMap<Term, u64>>,
    tokens: Mutex<HashMap<Field, u64>>,
}

impl<'a> Cached<'a> {
    fn new(inner: &'a dyn Bm25StatisticsProvider) -> Cached<'a> {
        Cached {
            inner,
            doc_freqs: Mutex::default(),
            tokens: Mutex::default(),
        }
    }
}

impl Bm25StatisticsProvider for Cached<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&n) = tokens.get(&field) {
            return Ok(n);
        }
        let n = self.inner.total_num_tokens(field)?;
        tokens.insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.inner.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut doc_freqs = self.doc_freqs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&n) = doc_freqs.get(term) {
            return Ok(n);
        }
        let n = self.inner.doc_freq(term)?;
        doc_freqs.insert(term.clone(), n);
        Ok(n)
    }
}

/// The `BooleanQuery` weight these clauses would have had, built from the
/// same weights.
fn full_weight(words: &[Arc<dyn Weight>], pairs: &[PairWeight]) -> Box<dyn Weight> {
    let should = |weights: Vec<Box<dyn Weight>>| -> Box<dyn Weight> {
        Box::new(BooleanWeight::with_minimum_number_should_match(
            weights.into_iter().map(|w| (Occur::Should, w)).collect(),
            1,
            true,
            Box::new(SumCombiner::default),
        ))
    };
    let mut clauses: Vec<Box<dyn Weight>> = words
        .iter()
        .map(|w| Box::new(Shared(w.clone())) as Box<dyn Weight>)
        .collect();
    for pair in pairs {
        let mut fields: Vec<Box<dyn Weight>> = pair
            .fields
            .iter()
            .map(|(weight, field_boost, _)| {
                let shared = Box::new(Shared(weight.clone()));
                match field_boost {
                    Some(b) => Box::new(BoostWeight::new(shared, *b)) as Box<dyn Weight>,
                    None => shared,
                }
            })
            .collect();
        let inner = match fields.pop() {
            Some(only) if fields.is_empty() => only,
            Some(last) => {
                fields.push(last);
                should(fields)
            }
            None => should(fields),
        };
        clauses.push(Box::new(BoostWeight::new(inner, pair.boost)));
    }
    should(clauses)
}

/// A weight owned elsewhere too.
struct Shared(Arc<dyn Weight>);

impl Weight for Shared {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(tantivy::SeekDangerResult, Box<dyn Scorer>)> {
        self.0.scorer_danger(reader, target, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct PairWeight {
    words: [usize; 2],
    /// Per field: the phrase's weight, the field's boost, and the boost
    /// its scorer gets (pair × field, multiplied as `BoostWeight` does).
    fields: Vec<(Arc<dyn Weight>, Option<Score>, Score)>,
    /// Largest score the pair can add, with some slack.
    max: f64,
    boost: Score,
}

struct PrunedWeight {
    words: Vec<Arc<dyn Weight>>,
    pairs: Vec<PairWeight>,
    /// Per word: the largest score the pairs ending with it can add.
    most: Vec<f64>,
    full: Box<dyn Weight>,
    /// Where passes add the passages they matched.
    matched: Arc<AtomicUsize>,
}

impl Weight for PrunedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.full.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.full.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.full.count(reader)
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.full.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.full.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut words = Vec::with_capacity(self.words.len());
        for weight in &self.words {
            words.push(weight.scorer(reader, 1.0)?);
        }
        let mut phrases: Vec<Vec<Phrase>> = self
            .pairs
            .iter()
            .map(|p| p.fields.iter().map(|_| Phrase::Unopened).collect())
            .collect();
        let mut run = Run {
            weight: self,
            reader,
            threshold,
            phrases: &mut phrases,
        };
        let mut scores = vec![0.0 as Score; WINDOW];
        let mut bounds = vec![0.0f64; WINDOW];
        let mut masks = vec![0u64; WINDOW];
        let alive = reader.alive_bitset();
        let mut matched = 0;
        loop {
            let start = words.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
            if start == TERMINATED {
                self.matched.fetch_add(matched, Ordering::Relaxed);
                return Ok(());
            }
            let end = start.saturating_add(WINDOW as DocId);
            // Word by word, in clause order: each passage's sum is added
            // up in the order the boolean union adds it.
            for (j, scorer) in words.iter_mut().enumerate() {
                let mut doc = scorer.doc();
                while doc < end {
                    let i = (doc - start) as usize;
                    scores[i] += scorer.score();
                    bounds[i] += self.most[j];
                    masks[i] |= 1 << (j % 64);
                    doc = scorer.advance();
                }
            }
            for i in 0..WINDOW {
                if masks[i] == 0 {
                    continue;
                }
                let (score, bound, mask) = (scores[i], bounds[i], masks[i]);
                (scores[i], bounds[i], masks[i]) = (0.0, 0.0, 0);
                let doc = start + i as DocId;
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    matched += 1;
                }
                run.passage(doc, score, bound, mask, callback)?;
            }
        }
    }
}

/// The state of one segment's pruned pass.
struct Run<'a> {
    weight: &'a PrunedWeight,
    reader: &'a SegmentReader,
    threshold: Score,
    phrases: &'a mut Vec<Vec<Phrase>>,
}

impl Run<'_> {
    /// One passage with its word score, the bound of what its pairs can
    /// add, and which words (modulo 64) it has.
    fn passage(
        &mut self,
        doc: DocId,
        score: Score,
        bound: f64,
        mask: u64,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if !beats(score, bound, self.threshold) {
            return Ok(());
        }
        let has = |j: usize| mask & (1 << (j % 64)) != 0;
        let possible = |p: &&PairWeight| has(p.words[0]) && has(p.words[1]);
        let bound: f64 = self
            .weight
            .pairs
            .iter()
            .filter(possible)
            .map(|p| p.max)
            .sum();
        if !beats(score, bound, self.threshold) {
            return Ok(());
        }
        let mut total = score;
        for (pair, phrases) in self.weight.pairs.iter().zip(self.phrases.iter_mut()) {
            if !possible(&pair) {
                continue;
            }
            let mut sum: Option<Score> = None;
            for ((weight, _, boost), phrase) in pair.fields.iter().zip(phrases.iter_mut()) {
                if let Some(s) = phrase.score(weight.as_ref(), self.reader, doc, *boost)? {
                    sum = Some(sum.unwrap_or(0.0) + s);
                }
            }
            if let Some(sum) = sum {
                total += sum;
            }
        }
        if total > self.threshold {
            self.threshold = callback(doc, total);
        }
        Ok(())
    }
}

/// Whether a word score plus at most `bound` can beat `threshold`.
fn beats(score: Score, bound: f64, threshold: Score) -> bool {
    if bound == 0.0 {
        score > threshold
    } else {
        (f64::from(score) + bound) * (1.0 + SLACK) > f64::from(threshold)
    }
}

/// A phrase's scorer in one segment, opened at the first passage that
/// needs it and then only moved forward.
enum Phrase {
    Unopened,
    Open {
        scorer: Box<dyn Scorer>,
        /// No match before this document.
        next: DocId,
    },
    Done,
}

impl Phrase {
    /// The phrase's score in `doc` if it matches there; `doc` grows from
    /// call to call.
    fn score(
        &mut self,
        weight: &dyn Weight,
        reader: &SegmentReader,
        doc: DocId,
        boost: Score,
    ) -> tantivy::Result<Option<Score>> {
        use tantivy::SeekDangerResult::{Found, SeekLowerBound};
        let (found, scorer) = match std::mem::replace(self, Phrase::Done) {
            Phrase::Done => return Ok(None),
            Phrase::Unopened => {
                let (found, scorer) = weight.scorer_danger(reader, doc, boost)?;
                (found, scorer)
            }
            Phrase::Open { mut scorer, next } => {
                if doc < next || doc < scorer.doc() {
                    *self = Phrase::Open { scorer, next };
                    return Ok(None);
                }
                let found = scorer.seek_danger(doc);
                (found, scorer)
            }
        };
        match found {
            Found => {
                let mut scorer = scorer;
                let score = scorer.score();
                *self = Phrase::Open {
                    scorer,
                    next: doc + 1,
                };
                Ok(Some(score))
            }
            SeekLowerBound(next) if next < TERMINATED => {
                *self = Phrase::Open { scorer, next };
                Ok(None)
            }
            SeekLowerBound(_) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, PhraseQuery};
    use tantivy::schema::Field;
    use tantivy::{DocAddress, Searcher};

    use super::*;
    use crate::search::bm25::tests::title_body_index;
    use crate::search::bm25::{Bm25Query, FieldWeight};

    const WORDS: [&str; 8] = [
        "ice", "seal", "floe", "drift", "walrus", "cold", "sea", "bear",
    ];

    /// 400 passages of pseudo-random words, in two segments, less those
    /// whose title has `bear` (in both segments, still holding the query's
    /// words).
    fn index() -> (Searcher, Field, Field) {
        let mut state = 7u64;
        let mut word = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            WORDS[(state >> 33) as usize % WORDS.len()]
        };
        let docs: Vec<(String, String)> = (0..400)
            .map(|i| {
                let t: Vec<&str> = (0..1 + i % 3).map(|_| word()).collect();
                let b: Vec<&str> = (0..3 + i % 17).map(|_| word()).collect();
                (t.join(" "), b.join(" "))
            })
            .collect();
        title_body_index(&[&docs[..201], &docs[201..]], Some("bear"))
    }

    /// The query of "seal ice floe seal walrus" the way `--plain --any`
    /// builds it, and the same as one `BooleanQuery`.
    fn queries(title: Field, body: Field) -> (PrunedQuery, BooleanQuery) {
        let words = ["seal", "ice", "floe", "walrus"];
        let boosts = [2.0, 1.0, 1.0, 1.0];
        let word = |w: &str, boost: f32| -> Box<dyn Query> {
            let title_weight = FieldWeight {
                weight: 2.0,
                b: 1.0,
            };
            let body_weight = FieldWeight {
                weight: 1.0,
                b: 0.75,
            };
            let query = Bm25Query::new(vec![
                (Term::from_field_text(title, w), title_weight),
                (Term::from_field_text(body, w), body_weight),
            ]);
            if boost == 1.0 {
                Box::new(query)
            } else {
                Box::new(BoostQuery::new(Box::new(query), boost))
            }
        };
        let phrase = |f: Field, a: &str, b: &str| -> Box<dyn Query> {
            let terms = vec![
                (0, Term::from_field_text(f, a)),
                (1, Term::from_field_text(f, b)),
            ];
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, 2))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut word_queries: Vec<Arc<dyn Query>> = Vec::new();
        for (w, b) in words.iter().zip(boosts) {
            clauses.push((Occur::Should, word(w, b)));
            word_queries.push(word(w, b).into());
        }
        let mut pairs = Vec::new();
        for (i, j) in [(0, 1), (1, 2), (2, 0), (0, 3)] {
            let (a, b) = (words[i], words[j]);
            let union = BooleanQuery::union(vec![
                Box::new(BoostQuery::new(phrase(title, a, b), 2.0)),
                phrase(body, a, b),
            ]);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(union), 0.1)),
            ));
            pairs.push(Pair {
                words: [i, j],
                boost: 0.1,
                fields: vec![
                    (phrase(title, a, b).into(), Some(2.0)),
                    (phrase(body, a, b).into(), None),
                ],
            });
        }
        (
            PrunedQuery::new(word_queries, pairs),
            BooleanQuery::new(clauses),
        )
    }

    /// Every matching passage's score, as `for_each` gives it.
    fn all_scores(searcher: &Searcher, query: &dyn Query) -> HashMap<DocAddress, f32> {
        let top = TopDocs::with_limit(1000).order_by_score();
        let (count, all) = searcher.search(query, &(Count, top)).expect("search");
        assert_eq!(count, all.len());
        all.into_iter()
            .map(|(score, address)| (address, score))
            .collect()
    }

    #[test]
    fn scores_and_matches_are_the_boolean_querys() {
        let (searcher, title, body) = index();
        let (pruned, boolean) = queries(title, body);
        let expected = all_scores(&searcher, &boolean);
        assert!(expected.len() > 300, "{}", expected.len());
        // Bit for bit, not within a tolerance.
        assert_eq!(all_scores(&searcher, &pruned), expected);
        let count = |q: &dyn Query| searcher.search(q, &Count).expect("count");
        assert_eq!(count(&pruned), count(&boolean));
    }

    #[test]
    fn a_search_for_top_hits_counts_the_matching_passages() {
        let (searcher, title, body) = index();
        let (pruned, boolean) = queries(title, body);
        let expected = searcher.search(&boolean, &Count).expect("count");
        assert!(
            expected
                < searcher
                    .segment_readers()
                    .iter()
                    .map(|r| r.max_doc() as usize)
                    .sum()
        );
        for k in [1, 10] {
            pruned.take_matched();
            searcher
                .search(&pruned, &TopDocs::with_limit(k).order_by_score())
                .expect("search");
            assert_eq!(pruned.take_matched(), expected, "k = {k}");
            assert_eq!(pruned.take_matched(), 0, "taking the count resets it");
        }
    }

    #[test]
    fn pruned_top_hits_are_the_unpruned_ones() {
        let (searcher, title, body) = index();
        let (pruned, boolean) = queries(title, body);
        let all = all_scores(&searcher, &boolean);
        let mut ranked: Vec<f32> = all.values().copied().collect();
        ranked.sort_by(|a, b| b.total_cmp(a));
        for k in [1, 3, 10, 50] {
            let top = searcher
                .search(&pruned, &TopDocs::with_limit(k).order_by_score())
                .expect("search");
            // The same scores, each that of its passage.
            let scores: Vec<f32> = top.iter().map(|&(s, _)| s).collect();
            assert_eq!(scores, ranked[..k], "k = {k}");
            for (score, address) in top {
                assert_eq!(all[&address], score, "k = {k}");
            }
        }
    }
}
