//! Batch search (TREC runs) and `quarry eval`.

use crate::harness::TestEnv;

/// A small JSON Lines collection: three records about different things.
fn collection() -> TestEnv {
    let env = TestEnv::new(&[(
        "docs.jsonl",
        concat!(
            "{\"_id\":\"d1\",\"title\":\"Pipe routing\",\"text\":\"Pipe routing in reactor buildings needs careful design of supports.\"}\n",
            "{\"_id\":\"d2\",\"title\":\"Shale gas\",\"text\":\"Horizontal drilling and hydraulic fracturing opened shale gas.\"}\n",
            "{\"_id\":\"d3\",\"title\":\"Tea trade\",\"text\":\"Tea clippers raced from China to London with the new harvest.\"}\n",
        ),
    )]);
    env.index();
    env
}

/// Parses TREC run lines into (qid, docid, rank, tag).
fn trec(stdout: &str) -> Vec<(String, String, usize, String)> {
    stdout
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 6, "not a TREC run line: {line:?}");
            assert_eq!(f[1], "Q0");
            assert!(f[4].parse::<f64>().is_ok(), "score in {line:?}");
            (
                f[0].to_string(),
                f[2].to_string(),
                f[3].parse().unwrap(),
                f[5].to_string(),
            )
        })
        .collect()
}

#[test]
fn one_query_as_a_trec_run() {
    let env = collection();
    let out = env.search(&["--format", "trec", "pipe routing"]);
    out.assert_code(0);
    let rows = trec(&out.stdout);
    assert_eq!(
        rows,
        [("1".to_string(), "d1".to_string(), 1, "quarry".to_string())]
    );
}

#[test]
fn a_queries_file_runs_every_query_against_one_index() {
    let env = collection();
    env.write_root(
        "queries.tsv",
        "q1\tWhat is \"pipe\": routing?\nq2\tshale (gas) drilling\nq3\tnothing matches zzzz\n",
    );
    let out = env.search(&[
        "--queries",
        "queries.tsv",
        "--plain",
        "--any",
        "--format",
        "trec",
        "--run-tag",
        "mine",
    ]);
    out.assert_code(0);
    let rows = trec(&out.stdout);
    assert_eq!(rows[0].0, "q1");
    assert_eq!(
        rows[0].1, "d1",
        "the plain query is read as words, not syntax"
    );
    assert!(rows.iter().all(|r| r.3 == "mine"));
    let q2: Vec<_> = rows.iter().filter(|r| r.0 == "q2").collect();
    assert_eq!(q2[0].1, "d2");
    let ranks: Vec<usize> = q2.iter().map(|r| r.2).collect();
    assert_eq!(
        ranks,
        (1..=q2.len()).collect::<Vec<_>>(),
        "ranks count from 1"
    );
    assert!(!rows.iter().any(|r| r.0 == "q3" && r.1 == "d3"), "{rows:?}");
}

#[test]
fn passage_granularity_lists_passages() {
    let env = collection();
    let out = env.search(&["--format", "trec", "--granularity", "passage", "tea"]);
    out.assert_code(0);
    assert_eq!(trec(&out.stdout)[0].1, "d3#0");
}

#[test]
fn beir_queries_jsonl_are_read_too() {
    let env = collection();
    env.write_root(
        "queries.jsonl",
        "{\"_id\":\"7\",\"text\":\"tea harvest\"}\n",
    );
    let out = env.search(&["--queries", "queries.jsonl", "--plain", "--format", "trec"]);
    out.assert_code(0);
    assert_eq!(trec(&out.stdout)[0].0, "7");
}

#[test]
fn a_queries_file_needs_the_trec_format() {
    let env = collection();
    env.write_root("queries.tsv", "q1\ttea\n");
    let out = env.search(&["--queries", "queries.tsv"]);
    out.assert_code(2);
    assert!(out.stderr.contains("--format trec"), "{}", out.stderr);
}

#[test]
fn eval_scores_the_run_against_the_judgments() {
    let env = collection();
    env.write_root("queries.jsonl", "{\"_id\":\"q1\",\"text\":\"pipe routing design\"}\n{\"_id\":\"q2\",\"text\":\"clippers\"}\n{\"_id\":\"q3\",\"text\":\"unjudged query\"}\n");
    // q1: d1 relevant and ranked first -> 1.0 everywhere. q2: the relevant
    // d2 is never retrieved (the query matches only d3) -> 0. q3 has no
    // relevant document and is not evaluated. Means: 0.5.
    env.write_root(
        "qrels.tsv",
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n",
    );
    let out = env.run(&[
        "eval",
        "--index",
        "index",
        "--queries",
        "queries.jsonl",
        "--qrels",
        "qrels.tsv",
        "--format",
        "json",
    ]);
    out.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(out.stdout.trim()).expect("one JSON object");
    assert_eq!(json["type"], "eval");
    assert_eq!(json["queries"], 2);
    for metric in ["ndcg@10", "recall@100", "mrr@10", "map"] {
        let value = json["means"][metric].as_f64().unwrap_or(-1.0);
        assert!((value - 0.5).abs() < 1e-9, "{metric} = {value}");
    }
}

#[test]
fn eval_prints_a_table_and_per_query_lines() {
    let env = collection();
    env.write_root("queries.tsv", "q1\tshale drilling\n");
    env.write_root("qrels.txt", "q1 0 d2 2\nq1 0 d1 0\n");
    let out = env.run(&[
        "eval",
        "--index",
        "index",
        "--queries",
        "queries.tsv",
        "--qrels",
        "qrels.txt",
        "--metrics",
        "ndcg@5,map",
        "--per-query",
    ]);
    out.assert_code(0);
    assert!(
        out.stdout.contains("ndcg@5       q1         1.0000"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("map          all        1.0000"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_metric_names_are_an_error() {
    let env = collection();
    env.write_root("q.tsv", "q1\ttea\n");
    env.write_root("r.tsv", "q1\td3\t1\n");
    let out = env.run(&[
        "eval",
        "--index",
        "index",
        "--queries",
        "q.tsv",
        "--qrels",
        "r.tsv",
        "--metrics",
        "ndcg@ten",
    ]);
    out.assert_code(2);
    assert!(
        out.stderr.starts_with("error: invalid --metrics"),
        "{}",
        out.stderr
    );
}
