//! Relevance evaluation: qrels, runs, and trec_eval's measures.

pub mod metrics;
pub mod qrels;
