//! trec_eval's ranking measures, computed in memory.
//!
//! The numbers match trec_eval 9.x (and pytrec_eval, which embeds it) for
//! the measures it has: `ndcg_cut.K`, `recall.K`, `recip_rank`, `map` and
//! `map_cut.K`. `mrr@K` (BEIR's MRR@10) is `recip_rank` cut at rank K,
//! which trec_eval does not have.
//!
//! What trec_eval does, and so what this module does:
//!
//! - **Order.** Each query's documents are ranked by score, highest first;
//!   equal scores are ranked by document id in *decreasing* byte order
//!   (`strcmp` reversed: `d9` before `d10` before `d1`). Ranks given with
//!   the run are ignored. See [`sort_run`].
//! - **Relevance.** A document is relevant when its grade is above 0
//!   (trec_eval's default `-l 1`). A document missing from the qrels, or
//!   graded 0 or below, is not relevant and gains nothing.
//! - **Gain.** nDCG's gain is the grade itself (linear, not `2^g - 1`),
//!   discounted by `1 / log2(rank + 1)` with ranks from 1. The ideal DCG
//!   ranks the query's positive grades, highest first, cut at the same K.
//! - **Queries.** Only queries in the qrels are evaluated; run queries
//!   without judgments are ignored. Judged queries missing from the run
//!   count as 0 ([`MissingQueries::Zero`], trec_eval's `-c`) unless
//!   [`MissingQueries::Skip`] is asked for.
//!
//! Where this module departs from trec_eval:
//!
//! - **Queries with no relevant document are left out** of the means (and
//!   of `per_query`). trec_eval and pytrec_eval do evaluate such a query
//!   when it is judged and in the run: every measure is 0 and it counts in
//!   the mean (and `-c` counts it too when missing from the run).
//! - **Duplicate documents** in one query's ranking: trec_eval refuses the
//!   run; here the best-ranked copy is kept and the others are dropped.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;

/// Judgments: query id → document id → relevance grade. A grade above 0
/// is relevant; 0 and below (trec_eval uses negative grades for "in the
/// pool but unjudged") are not.
pub type Qrels = BTreeMap<String, BTreeMap<String, i32>>;

/// A run: query id → retrieved `(document id, score)`, in any order (see
/// [`sort_run`]). A query present with an empty list retrieved nothing; a
/// query absent from the map was not run (see [`MissingQueries`]).
pub type Run = BTreeMap<String, Vec<(String, f64)>>;

/// One measure. Cutoffs count ranks from 1 and are positive when parsed;
/// a cutoff of 0 (built directly) scores every query 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// `ndcg@K` (trec_eval `ndcg_cut.K`): DCG of the top K over the ideal
    /// DCG of the top K, linear gains.
    Ndcg(usize),
    /// `recall@K` (trec_eval `recall.K`): relevant documents in the top K
    /// over all relevant documents of the query.
    Recall(usize),
    /// `mrr@K` (BEIR's MRR@K): 1 / rank of the first relevant document if
    /// it is in the top K, else 0.
    Mrr(usize),
    /// `recip_rank`: 1 / rank of the first relevant document anywhere in
    /// the ranking (trec_eval's measure, no cutoff).
    RecipRank,
    /// `map`: average precision over the whole ranking: the precision at
    /// the rank of each relevant document retrieved, summed, over the
    /// number of relevant documents (retrieved or not).
    Map,
    /// `map@K` (trec_eval `map_cut.K`): as [`Metric::Map`], counting only
    /// relevant documents in the top K, still over all relevant documents.
    MapCut(usize),
}

const METRIC_FORMS: &str = "expected ndcg@K, recall@K, mrr@K, map@K, map or recip_rank \
     (or trec_eval's ndcg_cut.K, recall.K, map_cut.K), K a positive whole number";

impl FromStr for Metric {
    type Err = String;

    /// Parses `ndcg@10` or `ndcg_cut.10`, `recall@100` or `recall.100`,
    /// `mrr@10`, `recip_rank` (also `mrr`), `map`, `map@100` or
    /// `map_cut.100`. Letter case and surrounding spaces do not matter.
    /// The error names the spec.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let s = spec.trim().to_ascii_lowercase();
        let unknown = || format!("unknown metric '{}': {METRIC_FORMS}", spec.trim());
        match s.as_str() {
            "map" => return Ok(Metric::Map),
            "recip_rank" | "mrr" => return Ok(Metric::RecipRank),
            _ => {}
        }
        let (family, cutoff, beir): (&str, &str, bool) =
            match (s.split_once('@'), s.split_once('.')) {
                (Some((f, k)), None) => (f, k, true),
                (None, Some((f, k))) => (f, k, false),
                _ => return Err(unknown()),
            };
        let make: fn(usize) -> Metric = match (family, beir) {
            ("ndcg", true) | ("ndcg_cut", false) => Metric::Ndcg,
            ("recall", _) => Metric::Recall,
            ("mrr", true) => Metric::Mrr,
            ("map", true) | ("map_cut", false) => Metric::MapCut,
            _ => return Err(unknown()),
        };
        match cutoff.parse::<usize>() {
            Ok(k) if k > 0 && cutoff.bytes().all(|b| b.is_ascii_digit()) => Ok(make(k)),
            _ => Err(format!(
                "bad cutoff in metric '{}': the cutoff must be a positive whole number",
                spec.trim()
            )),
        }
    }
}

impl fmt::Display for Metric {
    /// `ndcg@10`, `recall@100`, `mrr@10`, `recip_rank`, `map`, `map@100`:
    /// forms [`Metric::from_str`] reads back. Honours width and alignment
    /// (`{:<12}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Metric::Ndcg(k) => format!("ndcg@{k}"),
            Metric::Recall(k) => format!("recall@{k}"),
            Metric::Mrr(k) => format!("mrr@{k}"),
            Metric::RecipRank => "recip_rank".to_string(),
            Metric::Map => "map".to_string(),
            Metric::MapCut(k) => format!("map@{k}"),
        };
        f.pad(&name)
    }
}

/// Parses a comma-separated list such as `ndcg@10,recall@100,mrr@10,map`
/// (spaces around items and empty items are ignored; a repeated measure is
/// kept once, first place). Errors name the bad item, or say the list is
/// empty.
pub fn parse_metrics(list: &str) -> Result<Vec<Metric>, String> {
    let mut metrics = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let metric = item.parse::<Metric>()?;
        if !metrics.contains(&metric) {
            metrics.push(metric);
        }
    }
    if metrics.is_empty() {
        return Err(format!("no metric given: {METRIC_FORMS}"));
    }
    Ok(metrics)
}

/// Sorts one query's ranking into trec_eval's order: score descending,
/// equal scores by document id descending (byte order, as `strcmp`; so
/// `d9`, `d10`, `d1`). `-0.0` equals `0.0`; NaN scores rank last (trec_eval
/// has no defined order for them). Does not remove duplicates.
pub fn sort_run(ranked: &mut [(String, f64)]) {
    ranked
        .sort_by(|(a_doc, a), (b_doc, b)| score_descending(*a, *b).then_with(|| b_doc.cmp(a_doc)));
}

/// Total order on scores, highest first, NaN last.
fn score_descending(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
    }
}

/// What to do with a judged query (one with a relevant document) that is
/// absent from the run.
///
/// BEIR computes its published numbers with pytrec_eval, which evaluates
/// only the queries in both the run and the qrels and averages over those;
/// that is [`MissingQueries::Skip`]. BEIR's retrievers, though, put every
/// test query in the run (with an empty ranking when nothing matched), so
/// in BEIR no judged query is missing and both choices agree; here a query
/// present with an empty ranking scores 0 under either.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MissingQueries {
    /// Score it 0 on every measure and count it in the means (trec_eval
    /// `-c`). It appears in [`Evaluation::per_query`] with zeros.
    #[default]
    Zero,
    /// Leave it out: average over queries that have a relevant document
    /// and appear in the run (pytrec_eval, and trec_eval without `-c`).
    Skip,
}

/// The result of [`evaluate`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    /// Each evaluated query's value of each measure.
    pub per_query: BTreeMap<String, BTreeMap<Metric, f64>>,
    /// Each measure's arithmetic mean over the evaluated queries; 0 for
    /// every measure when no query was evaluated (`queries == 0`, where
    /// trec_eval reports an error instead).
    pub means: BTreeMap<Metric, f64>,
    /// How many queries the means are over: the keys of `per_query`.
    pub queries: usize,
    /// How many judged queries were absent from the run: scored 0 under
    /// [`MissingQueries::Zero`] (and counted in `queries`), left out under
    /// [`MissingQueries::Skip`].
    pub missing: usize,
}

/// Scores `run` against `qrels` on `metrics`, as trec_eval does (see the
/// module documentation for the rules and the two departures).
///
/// Evaluated queries are those of `qrels` with at least one relevant
/// document, less those absent from `run` under
/// [`MissingQueries::Skip`]. Each ranking is put in trec_eval's order
/// ([`sort_run`]) first.
pub fn evaluate(
    qrels: &Qrels,
    run: &Run,
    metrics: &[Metric],
    missing: MissingQueries,
) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for (qid, judged) in qrels {
        let Some(query) = Judged::new(judged) else {
            continue;
        };
        let values: BTreeMap<Metric, f64> = match run.get(qid) {
            Some(ranked) => {
                let grades = query.grades(ranked);
                metrics
                    .iter()
                    .map(|&m| (m, query.measure(m, &grades)))
                    .collect()
            }
            None => {
                evaluation.missing += 1;
                match missing {
                    MissingQueries::Zero => metrics.iter().map(|&m| (m, 0.0)).collect(),
                    MissingQueries::Skip => continue,
                }
            }
        };
        evaluation.per_query.insert(qid.clone(), values);
    }
    evaluation.queries = evaluation.per_query.len();
    for &metric in metrics {
        let sum: f64 = evaluation.per_query.values().map(|v| v[&metric]).sum();
        let mean = if evaluation.queries == 0 {
            0.0
        } else {
            sum / evaluation.queries as f64
        };
        evaluation.means.insert(metric, mean);
    }
    evaluation
}

/// One query's judgments, with what every measure needs precomputed.
struct Judged<'a> {
    grades: &'a BTreeMap<String, i32>,
    /// Number of relevant documents (grade above 0); never 0.
    relevant: usize,
    /// The positive grades, highest first: the ideal ranking's gains.
    ideal: Vec<i32>,
}

impl<'a> Judged<'a> {
    /// `None` when the query has no relevant document.
    fn new(grades: &'a BTreeMap<String, i32>) -> Option<Self> {
        let mut ideal: Vec<i32> = grades.values().copied().filter(|&g| g > 0).collect();
        if ideal.is_empty() {
            return None;
        }
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        Some(Judged {
            grades,
            relevant: ideal.len(),
            ideal,
        })
    }

    /// The grade at each rank of `ranked` in trec_eval's order, with
    /// unjudged documents as 0 and repeated documents dropped.
    fn grades(&self, ranked: &[(String, f64)]) -> Vec<i32> {
        let mut ranked = ranked.to_vec();
        sort_run(&mut ranked);
        let mut seen = HashSet::with_capacity(ranked.len());
        ranked
            .iter()
            .filter(|(doc, _)| seen.insert(doc.as_str()))
            .map(|(doc, _)| self.grades.get(doc).copied().unwrap_or(0))
            .collect()
    }

    /// `metric` for the ranking whose grades by rank are `ranked`.
    fn measure(&self, metric: Metric, ranked: &[i32]) -> f64 {
        let top = |k: usize| &ranked[..k.min(ranked.len())];
        match metric {
            Metric::Ndcg(k) => {
                let ideal = dcg(&self.ideal[..k.min(self.ideal.len())]);
                if ideal > 0.0 {
                    dcg(top(k)) / ideal
                } else {
                    0.0
                }
            }
            Metric::Recall(k) => {
                let found = top(k).iter().filter(|&&g| g > 0).count();
                found as f64 / self.relevant as f64
            }
            Metric::Mrr(k) => reciprocal_rank(top(k)),
            Metric::RecipRank => reciprocal_rank(ranked),
            Metric::Map => self.average_precision(ranked),
            Metric::MapCut(k) => self.average_precision(top(k)),
        }
    }

    /// Sum of precision at each relevant rank, over all relevant documents.
    fn average_precision(&self, ranked: &[i32]) -> f64 {
        let mut found = 0usize;
        let mut sum = 0.0;
        for (i, _) in ranked.iter().enumerate().filter(|(_, g)| **g > 0) {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
        sum / self.relevant as f64
    }
}

/// Discounted cumulative gain of grades by rank, trec_eval's way: gain is
/// the grade (non-positive grades gain nothing), the document at rank `r`
/// (from 1) is divided by `log2(r + 1)`, summed from rank 1 down.
fn dcg(ranked: &[i32]) -> f64 {
    ranked
        .iter()
        .enumerate()
        .filter(|(_, g)| **g > 0)
        .map(|(i, &g)| f64::from(g) / ((i + 2) as f64).log2())
        .sum()
}

/// 1 / rank of the first relevant document, 0 if there is none.
fn reciprocal_rank(ranked: &[i32]) -> f64 {
    ranked
        .iter()
        .position(|&g| g > 0)
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-9;

    fn qrels(rows: &[(&str, &str, i32)]) -> Qrels {
        let mut q = Qrels::new();
        for &(qid, doc, grade) in rows {
            q.entry(qid.to_string())
                .or_default()
                .insert(doc.to_string(), grade);
        }
        q
    }

    fn run(rows: &[(&str, &[(&str, f64)])]) -> Run {
        rows.iter()
            .map(|(qid, docs)| {
                let docs = docs.iter().map(|(d, s)| (d.to_string(), *s)).collect();
                (qid.to_string(), docs)
            })
            .collect()
    }

    /// The value of `metric` for query `qid` (panics if not evaluated).
    fn value(e: &Evaluation, qid: &str, metric: Metric) -> f64 {
        e.per_query[qid][&metric]
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() < EPS,
            "{what}: got {actual:.15}, expected {expected:.15}"
        );
    }

    /// One query, every listed metric: `(metric, expected)`.
    fn check(q: &Qrels, r: &Run, expected: &[(Metric, f64)]) {
        let metrics: Vec<Metric> = expected.iter().map(|(m, _)| *m).collect();
        let e = evaluate(q, r, &metrics, MissingQueries::Zero);
        assert_eq!(e.queries, 1);
        for &(m, want) in expected {
            assert_close(value(&e, "q1", m), want, &m.to_string());
            assert_close(e.means[&m], want, &format!("mean {m}"));
        }
    }

    // log2(3) = 1.584962500721156, log2(5) = 2.321928094887362.

    #[test]
    fn ndcg_uses_linear_graded_gains() {
        // Grades d1=3, d2=2, d3=0; retrieved d2, d1, d9 (d9 unjudged).
        // DCG@3  = 2/log2(2) + 3/log2(3) + 0 = 2 + 1.892789260714372
        //        = 3.892789260714372
        // IDCG@3 = 3/log2(2) + 2/log2(3)     = 3 + 1.261859507142915
        //        = 4.261859507142915 (d3's 0 adds nothing)
        // nDCG@3 = 3.892789260714372 / 4.261859507142915 = 0.913401592...
        // With exponential gains (2^g - 1) it would be
        // (3 + 7/log2 3) / (7 + 3/log2 3) = 0.833991..., so this pins linear.
        let q = qrels(&[("q1", "d1", 3), ("q1", "d2", 2), ("q1", "d3", 0)]);
        let r = run(&[("q1", &[("d2", 0.9), ("d1", 0.8), ("d9", 0.7)])]);
        // nDCG@1 = 2/3: DCG 2, IDCG 3.
        check(
            &q,
            &r,
            &[
                (Metric::Ndcg(3), 0.913_401_592_471_554_3),
                (Metric::Ndcg(1), 2.0 / 3.0),
                // nDCG@10 = nDCG@3: nothing more retrieved or relevant.
                (Metric::Ndcg(10), 0.913_401_592_471_554_3),
            ],
        );
    }

    #[test]
    fn ndcg_ideal_is_cut_at_k_too() {
        // Five relevant docs (grade 1); the top 2 retrieved are relevant.
        // nDCG@2 = (1 + 1/log2 3) / (1 + 1/log2 3) = 1: the ideal DCG
        // counts only 2 ranks, not all 5 relevant documents.
        // nDCG@5: DCG = 1 + 1/log2 3 = 1.630929753571457; IDCG = 1 +
        // 1/log2 3 + 1/2 + 1/log2 5 + 1/log2 6 = 1.630929753571457 + 0.5 +
        // 0.430676558073393 + 0.386852807234542 = 2.948459118879392;
        // nDCG@5 = 0.553146470...
        let q = qrels(&[
            ("q1", "a", 1),
            ("q1", "b", 1),
            ("q1", "c", 1),
            ("q1", "d", 1),
            ("q1", "e", 1),
        ]);
        let r = run(&[("q1", &[("a", 2.0), ("b", 1.0)])]);
        check(
            &q,
            &r,
            &[
                (Metric::Ndcg(2), 1.0),
                (Metric::Ndcg(5), 0.553_146_470_008_143_7),
                // recall@10 = 2/5.
                (Metric::Recall(10), 0.4),
            ],
        );
    }

    #[test]
    fn non_positive_grades_gain_nothing_and_are_not_relevant() {
        // Grades a=2, b=-1 (trec_eval: pooled, unjudged), c=1; retrieved
        // b, c, a.
        // DCG@3  = 0 + 1/log2(3) + 2/log2(4) = 0.630929753571457 + 1
        // IDCG@3 = 2 + 1/log2(3)             = 2.630929753571457
        // nDCG@3 = 1.630929753571457 / 2.630929753571457 = 0.619906233...
        // mrr@10 = 1/2 (b is not relevant); recall@3 = 2/2;
        // map    = (1/2 + 2/3) / 2 = 0.583333...
        let q = qrels(&[("q1", "a", 2), ("q1", "b", -1), ("q1", "c", 1)]);
        let r = run(&[("q1", &[("b", 3.0), ("c", 2.0), ("a", 1.0)])]);
        check(
            &q,
            &r,
            &[
                (Metric::Ndcg(3), 0.619_906_233_284_065_7),
                (Metric::Mrr(10), 0.5),
                (Metric::Recall(3), 1.0),
                (Metric::Map, 0.583_333_333_333_333_4),
            ],
        );
    }

    #[test]
    fn relevant_documents_beyond_the_cut_do_not_count() {
        // Relevant a, b; retrieved x, y, a, b (ranks 3 and 4).
        // ndcg@2 = 0; ndcg@3 = (1/log2 4) / (1 + 1/log2 3)
        //        = 0.5 / 1.630929753571457 = 0.306573596...
        // recall@2 = 0, recall@3 = 1/2, recall@4 = 1.
        // mrr@2 = 0, mrr@3 = 1/3, recip_rank = 1/3.
        // map = (1/3 + 2/4) / 2 = 0.416666...; map@3 = (1/3) / 2.
        let q = qrels(&[("q1", "a", 1), ("q1", "b", 1)]);
        let r = run(&[("q1", &[("x", 0.9), ("y", 0.8), ("a", 0.7), ("b", 0.6)])]);
        check(
            &q,
            &r,
            &[
                (Metric::Ndcg(2), 0.0),
                (Metric::Ndcg(3), 0.306_573_596_382_729_2),
                (Metric::Recall(2), 0.0),
                (Metric::Recall(3), 0.5),
                (Metric::Recall(4), 1.0),
                (Metric::Mrr(2), 0.0),
                (Metric::Mrr(3), 1.0 / 3.0),
                (Metric::RecipRank, 1.0 / 3.0),
                (Metric::Map, 0.416_666_666_666_666_7),
                (Metric::MapCut(3), 1.0 / 6.0),
                (Metric::MapCut(2), 0.0),
            ],
        );
    }

    #[test]
    fn recall_with_k_beyond_the_run() {
        // Relevant a, b, c; retrieved a, x, b (3 documents).
        // recall@100 = 2/3 (the run ends at rank 3); recall@2 = 1/3.
        let q = qrels(&[("q1", "a", 1), ("q1", "b", 1), ("q1", "c", 1)]);
        let r = run(&[("q1", &[("a", 0.9), ("x", 0.8), ("b", 0.7)])]);
        check(
            &q,
            &r,
            &[
                (Metric::Recall(100), 2.0 / 3.0),
                (Metric::Recall(2), 1.0 / 3.0),
            ],
        );
    }

    #[test]
    fn map_divides_by_all_relevant_including_unretrieved() {
        // Relevant a, b, c, d; retrieved a, x, b: precision 1/1 at a and
        // 2/3 at b. map = (1 + 2/3) / 4 = 0.416666...; map@2 = 1/4;
        // map@100 = map (the run is shorter).
        let q = qrels(&[
            ("q1", "a", 1),
            ("q1", "b", 1),
            ("q1", "c", 1),
            ("q1", "d", 1),
        ]);
        let r = run(&[("q1", &[("a", 0.9), ("x", 0.8), ("b", 0.7)])]);
        check(
            &q,
            &r,
            &[
                (Metric::Map, 0.416_666_666_666_666_7),
                (Metric::MapCut(2), 0.25),
                (Metric::MapCut(100), 0.416_666_666_666_666_7),
            ],
        );
    }

    #[test]
    fn sort_run_breaks_ties_by_doc_id_descending() {
        let mut ranked: Vec<(String, f64)> = [("a", 1.0), ("c", 2.0), ("b", 1.0), ("d", 1.0)]
            .iter()
            .map(|(d, s)| (d.to_string(), *s))
            .collect();
        sort_run(&mut ranked);
        let order: Vec<&str> = ranked.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(order, ["c", "d", "b", "a"]);
    }

    #[test]
    fn sort_run_compares_ids_as_bytes_not_numbers() {
        // strcmp: "d9" > "d10" > "d1" ('9' > '1'; "d1" is a prefix of "d10").
        let mut ranked: Vec<(String, f64)> = ["d1", "d10", "d9"]
            .iter()
            .map(|d| (d.to_string(), 0.5))
            .collect();
        sort_run(&mut ranked);
        let order: Vec<&str> = ranked.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(order, ["d9", "d10", "d1"]);
    }

    #[test]
    fn sort_run_puts_nan_last_and_zero_signs_together() {
        let mut ranked: Vec<(String, f64)> =
            [("n", f64::NAN), ("a", -0.0), ("b", 0.0), ("c", -1.0)]
                .iter()
                .map(|(d, s)| (d.to_string(), *s))
                .collect();
        sort_run(&mut ranked);
        let order: Vec<&str> = ranked.iter().map(|(d, _)| d.as_str()).collect();
        // -0.0 == 0.0, so b before a by id.
        assert_eq!(order, ["b", "a", "c", "n"]);
    }

    #[test]
    fn tied_scores_are_ranked_by_doc_id_descending_whatever_the_input_order() {
        // Relevant b only. a and b tie at 1.0: trec_eval ranks b (larger
        // id) first, so mrr@10 = 1/1 and mrr@1 = 1. Ranking in input
        // order (a first) would give 1/2 and 0.
        // ndcg@1 = 1 (b at rank 1); map = 1/1.
        let q = qrels(&[("q1", "b", 1)]);
        for docs in [
            &[("a", 1.0), ("b", 1.0), ("c", 0.5)][..],
            &[("c", 0.5), ("b", 1.0), ("a", 1.0)][..],
        ] {
            let r = run(&[("q1", docs)]);
            check(
                &q,
                &r,
                &[
                    (Metric::Mrr(10), 1.0),
                    (Metric::Mrr(1), 1.0),
                    (Metric::Ndcg(1), 1.0),
                    (Metric::Map, 1.0),
                ],
            );
        }
        // The same run with a relevant instead: a is second.
        let q = qrels(&[("q1", "a", 1)]);
        let r = run(&[("q1", &[("a", 1.0), ("b", 1.0)])]);
        check(&q, &r, &[(Metric::Mrr(10), 0.5), (Metric::Mrr(1), 0.0)]);
    }

    #[test]
    fn scores_decide_the_order_not_list_position() {
        // The list is given worst first; relevant a has the top score.
        // mrr@10 = 1; recall@1 = 1/2 (b, score 0.2, is rank 3).
        let q = qrels(&[("q1", "a", 1), ("q1", "b", 1)]);
        let r = run(&[("q1", &[("b", 0.2), ("x", 0.5), ("a", 0.9)])]);
        check(&q, &r, &[(Metric::Mrr(10), 1.0), (Metric::Recall(1), 0.5)]);
    }

    #[test]
    fn duplicate_documents_keep_the_best_ranked_copy() {
        // a appears at 0.95 and 0.5: kept once, at rank 1. Ranking a, b:
        // map = 1/1 / 1 = 1 (counting a twice would give (1 + 2/3) / 1).
        // recall@10 = 1.
        let q = qrels(&[("q1", "a", 1)]);
        let r = run(&[("q1", &[("a", 0.5), ("b", 0.9), ("a", 0.95)])]);
        check(&q, &r, &[(Metric::Map, 1.0), (Metric::Recall(10), 1.0)]);
    }

    #[test]
    fn queries_without_relevant_documents_are_skipped() {
        // q1: d1 relevant, retrieved first: map 1. q2: judged, but only
        // grade 0: not evaluated, so the mean is 1/1, not (1 + 0)/2.
        let q = qrels(&[("q1", "d1", 1), ("q2", "d5", 0)]);
        let r = run(&[("q1", &[("d1", 1.0)]), ("q2", &[("d5", 1.0)])]);
        let e = evaluate(
            &q,
            &r,
            &[Metric::Map, Metric::Ndcg(10)],
            MissingQueries::Zero,
        );
        assert_eq!(e.queries, 1);
        assert!(!e.per_query.contains_key("q2"));
        assert_close(e.means[&Metric::Map], 1.0, "map");
        assert_close(e.means[&Metric::Ndcg(10)], 1.0, "ndcg@10");
    }

    #[test]
    fn missing_queries_count_as_zero_or_are_skipped() {
        // q1: d1 relevant, retrieved first: every measure 1. q2: d2
        // relevant, q2 not in the run. q3 is in the run but not judged:
        // ignored either way.
        let q = qrels(&[("q1", "d1", 1), ("q2", "d2", 1)]);
        let r = run(&[("q1", &[("d1", 1.0)]), ("q3", &[("d2", 1.0)])]);
        let metrics = [
            Metric::Ndcg(10),
            Metric::Recall(100),
            Metric::Mrr(10),
            Metric::Map,
        ];

        // Zero: means over 2 queries, (1 + 0) / 2.
        let zero = evaluate(&q, &r, &metrics, MissingQueries::Zero);
        assert_eq!((zero.queries, zero.missing), (2, 1));
        assert!(!zero.per_query.contains_key("q3"));
        for m in metrics {
            assert_close(value(&zero, "q2", m), 0.0, &format!("q2 {m}"));
            assert_close(zero.means[&m], 0.5, &format!("zero mean {m}"));
        }

        // Skip: means over q1 only.
        let skip = evaluate(&q, &r, &metrics, MissingQueries::Skip);
        assert_eq!((skip.queries, skip.missing), (1, 1));
        assert!(!skip.per_query.contains_key("q2"));
        for m in metrics {
            assert_close(skip.means[&m], 1.0, &format!("skip mean {m}"));
        }
        assert_eq!(MissingQueries::default(), MissingQueries::Zero);
    }

    #[test]
    fn a_query_run_with_no_results_scores_zero_even_under_skip() {
        // q2 is in the run with an empty ranking: it was run, so it counts.
        let q = qrels(&[("q1", "d1", 1), ("q2", "d2", 1)]);
        let r = run(&[("q1", &[("d1", 1.0)]), ("q2", &[])]);
        let e = evaluate(&q, &r, &[Metric::Map], MissingQueries::Skip);
        assert_eq!((e.queries, e.missing), (2, 0));
        assert_close(e.means[&Metric::Map], 0.5, "map");
    }

    #[test]
    fn means_average_per_query_values() {
        // q1: relevant a at rank 2: mrr 1/2. q2: relevant b at rank 1:
        // mrr 1. q3: relevant c at rank 4: mrr 1/4.
        // mean = (0.5 + 1 + 0.25) / 3 = 0.583333...
        let q = qrels(&[("q1", "a", 1), ("q2", "b", 1), ("q3", "c", 1)]);
        let r = run(&[
            ("q1", &[("x", 0.9), ("a", 0.8)]),
            ("q2", &[("b", 0.9)]),
            ("q3", &[("w", 0.9), ("x", 0.8), ("y", 0.7), ("c", 0.6)]),
        ]);
        let e = evaluate(&q, &r, &[Metric::Mrr(10)], MissingQueries::Zero);
        assert_eq!(e.queries, 3);
        assert_close(e.means[&Metric::Mrr(10)], 0.583_333_333_333_333_4, "mrr@10");
    }

    #[test]
    fn nothing_to_evaluate_gives_zero_means() {
        let e = evaluate(
            &Qrels::new(),
            &Run::new(),
            &[Metric::Map],
            MissingQueries::Zero,
        );
        assert_eq!(e.queries, 0);
        assert_eq!(e.means[&Metric::Map], 0.0);
    }

    #[test]
    fn metric_specs_parse_in_both_spellings() {
        let cases = [
            ("ndcg@10", Metric::Ndcg(10)),
            ("ndcg_cut.10", Metric::Ndcg(10)),
            ("NDCG@10", Metric::Ndcg(10)),
            (" recall@100 ", Metric::Recall(100)),
            ("recall.100", Metric::Recall(100)),
            ("mrr@10", Metric::Mrr(10)),
            ("MRR@10", Metric::Mrr(10)),
            ("recip_rank", Metric::RecipRank),
            ("mrr", Metric::RecipRank),
            ("map", Metric::Map),
            ("MAP", Metric::Map),
            ("map@100", Metric::MapCut(100)),
            ("map_cut.100", Metric::MapCut(100)),
        ];
        for (spec, want) in cases {
            assert_eq!(spec.parse::<Metric>(), Ok(want), "{spec}");
        }
    }

    #[test]
    fn bad_metric_specs_are_named_in_the_error() {
        for spec in [
            "ndcg",
            "recall",
            "ndcg@0",
            "ndcg@x",
            "ndcg@-1",
            "ndcg@+5",
            "ndcg@",
            "foo@10",
            "ndcg.10",
            "ndcg_cut@10",
            "mrr.10",
            "map.5",
            "p@10",
            "ndcg@10@2",
            "recall.10@2",
        ] {
            let err = spec.parse::<Metric>().expect_err(spec);
            assert!(err.contains(&format!("'{spec}'")), "{spec}: {err}");
        }
    }

    #[test]
    fn metrics_display_as_they_parse() {
        let metrics = [
            (Metric::Ndcg(10), "ndcg@10"),
            (Metric::Recall(100), "recall@100"),
            (Metric::Mrr(10), "mrr@10"),
            (Metric::RecipRank, "recip_rank"),
            (Metric::Map, "map"),
            (Metric::MapCut(100), "map@100"),
        ];
        for (metric, name) in metrics {
            assert_eq!(metric.to_string(), name);
            assert_eq!(name.parse::<Metric>(), Ok(metric));
        }
        assert_eq!(format!("[{:<9}]", Metric::Map), "[map      ]");
        assert_eq!(format!("[{:>9}]", Metric::Ndcg(5)), "[   ndcg@5]");
    }

    #[test]
    fn metric_lists_parse_in_order_without_repeats() {
        assert_eq!(
            parse_metrics("ndcg@10, recall@100,mrr@10,map,ndcg_cut.10,"),
            Ok(vec![
                Metric::Ndcg(10),
                Metric::Recall(100),
                Metric::Mrr(10),
                Metric::Map
            ])
        );
        let err = parse_metrics("ndcg@10,bogus,map").unwrap_err();
        assert!(err.contains("'bogus'"), "{err}");
        assert!(parse_metrics(" , ").unwrap_err().contains("no metric"));
        assert!(parse_metrics("").is_err());
    }
}
