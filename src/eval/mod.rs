//! Relevance evaluation: `quarry eval` runs a query file against an index
//! and scores the ranking against judgments (qrels) with trec_eval's
//! measures ([`metrics`]); [`qrels`] reads the files.

pub mod metrics;
pub mod qrels;

use std::io::Write;

use clap::ArgMatches;
use serde::Serialize;

use crate::cli::{EvalArgs, ReportFormat};
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};
use crate::output::messages;
use crate::search::batch::{self, Granularity};
use crate::search::{Mode, Request};
use crate::{index, settings, write_stdout};
use metrics::{Evaluation, MissingQueries, Run};

/// `quarry eval`.
pub fn command(args: EvalArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<i32> {
    let places = settings::places(&args.paths, config, matches);
    let measures = metrics::parse_metrics(&args.metrics).map_err(|reason| Error::Argument {
        flag: "--metrics",
        reason,
    })?;
    let read =
        |path: &std::path::Path| std::fs::read_to_string(path).map_err(|e| Error::io(path, e));
    let queries =
        qrels::parse_queries(&read(&args.queries)?).map_err(|reason| Error::Argument {
            flag: "--queries",
            reason: format!("{}: {reason}", args.queries.display()),
        })?;
    let judgments = qrels::parse_qrels(&read(&args.qrels)?).map_err(|reason| Error::Argument {
        flag: "--qrels",
        reason: format!("{}: {reason}", args.qrels.display()),
    })?;
    let handle = index::open_for_search(&places.index.0)?;
    let request = Request {
        mode: Mode::Any,
        plain: true,
        limit: args.limit,
        ..Request::new("")
    };
    let started = std::time::Instant::now();
    let runs = batch::run(
        &handle,
        &queries,
        &request,
        Granularity::Document,
        &mut |w| messages::warning(w),
    )?;
    let elapsed = started.elapsed();
    let run: Run = runs
        .into_iter()
        .map(|(qid, ranking)| {
            (
                qid,
                ranking
                    .into_iter()
                    .map(|(d, s)| (d, f64::from(s)))
                    .collect(),
            )
        })
        .collect();
    let evaluation = metrics::evaluate(&judgments, &run, &measures, MissingQueries::Zero);
    messages::status(&format!(
        "{} queries run in {:.2} s, {} evaluated",
        queries.len(),
        elapsed.as_secs_f64(),
        evaluation.queries
    ));
    write_stdout(|w| match args.format {
        ReportFormat::Human => write_human(w, &evaluation, args.per_query),
        ReportFormat::Json => write_json(w, &evaluation, args.per_query),
    })?;
    Ok(EXIT_OK)
}

fn write_human(w: &mut dyn Write, e: &Evaluation, per_query: bool) -> std::io::Result<()> {
    if per_query {
        for (qid, values) in &e.per_query {
            for (metric, value) in values {
                writeln!(w, "{metric:<12} {qid:<10} {value:.4}")?;
            }
        }
    }
    for (metric, value) in &e.means {
        writeln!(w, "{metric:<12} all        {value:.4}")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct EvalJson {
    r#type: &'static str,
    queries: usize,
    means: std::collections::BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_query: Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>>,
}

fn write_json(w: &mut dyn Write, e: &Evaluation, per_query: bool) -> std::io::Result<()> {
    let names = |m: &std::collections::BTreeMap<metrics::Metric, f64>| {
        m.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    let json = EvalJson {
        r#type: "eval",
        queries: e.queries,
        means: names(&e.means),
        per_query: per_query.then(|| {
            e.per_query
                .iter()
                .map(|(q, m)| (q.clone(), names(m)))
                .collect()
        }),
    };
    serde_json::to_writer(&mut *w, &json)?;
    writeln!(w)
}
