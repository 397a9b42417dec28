//! Search filters on metadata and paths: `--since`/`--until`, `--source`,
//! `--path`, `--sort date`, their in-query forms (`date:`, `source:`), and
//! the normalisation of the dates they compare.

use crate::harness::{Hit, TestEnv, paths};

/// A Markdown article with YAML front matter (`date`/`source` left out
/// when `None`) about tariffs.
fn article(date: Option<&str>, source: Option<&str>, body: &str) -> String {
    let mut front = String::from("---\n");
    if let Some(date) = date {
        front.push_str(&format!("date: \"{date}\"\n"));
    }
    if let Some(source) = source {
        front.push_str(&format!("source: \"{source}\"\n"));
    }
    front.push_str("---\n\n");
    front + body + "\n"
}

/// Seven dated (or not) articles that all mention tariffs, and one about
/// zeppelins only.
fn news() -> TestEnv {
    let files = [
        (
            "reports/2018/steel.md",
            article(
                Some("2018-03-22"),
                Some("Asia Times"),
                "A steel tariff was announced.",
            ),
        ),
        (
            "reports/year-end.md",
            article(
                Some("2018-12-31"),
                Some("Asia Times Online"),
                "The tariff review closed the year.",
            ),
        ),
        (
            "reports/late.md",
            article(
                Some("2018-12-31T23:30:00Z"),
                Some("Reuters"),
                "A late tariff bulletin.",
            ),
        ),
        (
            "news/old.md",
            article(
                Some("2017-12-31"),
                Some("asia times"),
                "An old tariff rumour.",
            ),
        ),
        (
            "news/new.md",
            article(
                Some("2019-01-01"),
                Some("Reuters"),
                "A new tariff round began.",
            ),
        ),
        (
            "news/undated.md",
            article(None, Some("Asia Times"), "An undated tariff note."),
        ),
        (
            "top.md",
            article(Some("2018-06-01"), None, "A tariff summary at the top."),
        ),
        (
            "news/airship.md",
            article(Some("2018-05-05"), Some("Asia Times"), "A zeppelin landed."),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let env = TestEnv::new(&files);
    env.index();
    env
}

/// The sorted paths of `tariff` hits with `args` added.
fn tariff_paths(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let (hits, _) = env.search_json(&[&["--limit", "50"], args, &["tariff"]].concat());
    sorted(&hits)
}

fn sorted(hits: &[Hit]) -> Vec<String> {
    let mut found: Vec<String> = hits.iter().map(|h| h.path.clone()).collect();
    found.sort();
    found
}

/// The tariff articles dated in 2018.
const IN_2018: [&str; 4] = [
    "reports/2018/steel.md",
    "reports/late.md",
    "reports/year-end.md",
    "top.md",
];

#[test]
fn since_and_until_keep_only_documents_dated_in_the_range() {
    let env = news();
    assert_eq!(
        tariff_paths(&env, &["--since", "2018-01-01", "--until", "2018-12-31"]),
        IN_2018,
        "the until day is included, to its last second"
    );
    assert_eq!(
        tariff_paths(&env, &["--since", "2018-12-31"]),
        ["news/new.md", "reports/late.md", "reports/year-end.md"]
    );
    assert_eq!(
        tariff_paths(&env, &["--until", "2017-12-31"]),
        ["news/old.md"]
    );
    assert_eq!(
        tariff_paths(&env, &["--since", "2018-03-23", "--until", "2018-12-30"]),
        ["top.md"]
    );
}

#[test]
fn a_year_or_a_month_as_a_bound_covers_the_whole_period() {
    let env = news();
    assert_eq!(
        tariff_paths(&env, &["--since", "2018", "--until", "2018"]),
        IN_2018
    );
    assert_eq!(tariff_paths(&env, &["--until", "2017"]), ["news/old.md"]);
    assert_eq!(
        tariff_paths(&env, &["--since", "2018-03", "--until", "2018-03"]),
        ["reports/2018/steel.md"]
    );
    assert_eq!(
        tariff_paths(&env, &["--since", "2018-12"]),
        ["news/new.md", "reports/late.md", "reports/year-end.md"]
    );
}

#[test]
fn undated_documents_never_match_a_date_filter() {
    let env = news();
    let everything_dated = [
        "news/new.md",
        "news/old.md",
        "reports/2018/steel.md",
        "reports/late.md",
        "reports/year-end.md",
        "top.md",
    ];
    assert_eq!(tariff_paths(&env, &["--since", "1900"]), everything_dated);
    assert_eq!(tariff_paths(&env, &["--until", "2100"]), everything_dated);
    let (hits, _) = env.search_json(&["--since", "1900", "undated"]);
    assert!(hits.is_empty(), "{hits:?}");
    let (hits, _) = env.search_json(&["undated", "date:[* TO 2100-01-01]"]);
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn source_is_exact_and_ignores_case() {
    let env = news();
    let asia_times = ["news/old.md", "news/undated.md", "reports/2018/steel.md"];
    assert_eq!(tariff_paths(&env, &["--source", "asia times"]), asia_times);
    assert_eq!(tariff_paths(&env, &["--source", "ASIA TIMES"]), asia_times);
    assert_eq!(
        tariff_paths(&env, &["--source", "Asia Times Online"]),
        ["reports/year-end.md"]
    );
    assert!(tariff_paths(&env, &["--source", "asia"]).is_empty());
    assert!(tariff_paths(&env, &["--source", "times"]).is_empty());
}

#[test]
fn path_globs_match_path_keys_with_star_inside_a_folder() {
    let env = news();
    assert_eq!(
        tariff_paths(&env, &["--path", "reports/**"]),
        [
            "reports/2018/steel.md",
            "reports/late.md",
            "reports/year-end.md"
        ]
    );
    assert_eq!(
        tariff_paths(&env, &["--path", "reports/*"]),
        ["reports/late.md", "reports/year-end.md"],
        "* does not cross /"
    );
    assert_eq!(tariff_paths(&env, &["--path", "*.md"]), ["top.md"]);
    assert_eq!(
        tariff_paths(&env, &["--path", "**/new.md"]),
        ["news/new.md"]
    );
    assert!(tariff_paths(&env, &["--path", "report"]).is_empty());
}

#[test]
fn a_bad_path_glob_is_exit_2_with_an_error_line() {
    let env = news();
    let out = env.search(&["--path", "reports/[a", "tariff"]);
    out.assert_code(2);
    assert_eq!(out.stderr_lines("error:").len(), 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn sort_by_date_lists_newest_first_and_undated_last() {
    let env = news();
    let (hits, _) = env.search_json(&["--sort", "date", "--limit", "50", "tariff"]);
    assert_eq!(
        paths(&hits),
        [
            "news/new.md",
            "reports/late.md",
            "reports/year-end.md",
            "top.md",
            "reports/2018/steel.md",
            "news/old.md",
            "news/undated.md",
        ]
    );
    let ranks: Vec<usize> = hits.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, (1..=7).collect::<Vec<_>>());
}

#[test]
fn sort_by_date_pages_through_the_same_order() {
    let env = news();
    let (all, _) = env.search_json(&["--sort", "date", "--limit", "50", "tariff"]);
    let (page, _) = env.search_json(&["--sort", "date", "--limit", "3", "--offset", "3", "tariff"]);
    assert_eq!(paths(&page), paths(&all[3..6]));
}

#[test]
fn an_in_query_date_range_filters_and_combines_with_words() {
    let env = news();
    let (hits, _) = env.search_json(&["--limit", "50", "tariff date:[2018-01-01 TO 2018-12-31]"]);
    assert_eq!(sorted(&hits), IN_2018);
    let (hits, _) = env.search_json(&["steel date:[2018-01-01 TO 2018-12-31]"]);
    assert_eq!(paths(&hits), ["reports/2018/steel.md"]);
    let out = env.search(&["steel date:[2019-01-01 TO 2019-12-31]"]);
    out.assert_code(1);
    let (hits, _) = env.search_json(&["--limit", "50", "tariff date:[2018-12-31 TO *]"]);
    assert_eq!(
        sorted(&hits),
        ["news/new.md", "reports/late.md", "reports/year-end.md"]
    );
}

#[test]
fn an_in_query_date_names_a_whole_period() {
    let env = news();
    let (hits, _) = env.search_json(&["tariff date:2018-03"]);
    assert_eq!(paths(&hits), ["reports/2018/steel.md"]);
    let (hits, _) = env.search_json(&["--limit", "50", "tariff date:2018"]);
    assert_eq!(sorted(&hits), IN_2018);
    let (hits, _) = env.search_json(&["tariff date:2018-12-31"]);
    assert_eq!(sorted(&hits), ["reports/late.md", "reports/year-end.md"]);
}

#[test]
fn an_in_query_source_filters_exactly_and_combines_with_words_and_dates() {
    let env = news();
    let (hits, _) = env.search_json(&["--limit", "50", "tariff source:\"Asia Times\""]);
    assert_eq!(
        sorted(&hits),
        ["news/old.md", "news/undated.md", "reports/2018/steel.md"]
    );
    let (hits, _) = env.search_json(&["source:\"asia times\" date:2018 tariff"]);
    assert_eq!(paths(&hits), ["reports/2018/steel.md"]);
    let (hits, _) = env.search_json(&["--limit", "50", "source:reuters tariff"]);
    assert_eq!(sorted(&hits), ["news/new.md", "reports/late.md"]);
    let (hits, _) =
        env.search_json(&["--limit", "50", "(steel OR zeppelin) source:\"asia times\""]);
    assert_eq!(sorted(&hits), ["news/airship.md", "reports/2018/steel.md"]);
}

#[test]
fn a_date_that_is_not_a_date_is_exit_2_with_an_error_line() {
    let env = news();
    for args in [
        &["--since", "soon", "tariff"][..],
        &["--until", "2018-13-45", "tariff"][..],
        &["tariff date:soon"][..],
        &["tariff date:[yesterday TO 2018-12-31]"][..],
    ] {
        let out = env.search(args);
        assert_eq!(out.code, 2, "{args:?}: {out:#?}");
        let errors = out.stderr_lines("error:");
        assert_eq!(errors.len(), 1, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
    }
    let out = env.search(&["--since", "soon", "tariff"]);
    assert!(
        out.stderr.contains("soon"),
        "names the bad date: {}",
        out.stderr
    );
}

#[test]
fn filters_are_kept_when_the_query_falls_back_to_any_word() {
    let env = news();
    let (hits, summary) =
        env.search_json(&["--limit", "50", "--source", "reuters", "tariff zeppelin"]);
    assert!(summary.fallback_any, "no passage has both words");
    assert_eq!(sorted(&hits), ["news/new.md", "reports/late.md"]);

    let (hits, summary) = env.search_json(&[
        "--limit",
        "50",
        "--path",
        "news/**",
        "--until",
        "2018",
        "tariff zeppelin",
    ]);
    assert!(summary.fallback_any);
    assert_eq!(sorted(&hits), ["news/airship.md", "news/old.md"]);

    let (hits, summary) = env.search_json(&["--limit", "50", "tariff zeppelin date:2018"]);
    assert!(summary.fallback_any);
    let mut expected = IN_2018.to_vec();
    expected.insert(0, "news/airship.md");
    assert_eq!(sorted(&hits), expected);
}

#[test]
fn filters_combine_with_each_other() {
    let env = news();
    assert_eq!(
        tariff_paths(&env, &["--source", "asia times", "--since", "2018"]),
        ["reports/2018/steel.md"]
    );
    assert_eq!(
        tariff_paths(&env, &["--source", "reuters", "--path", "news/**"]),
        ["news/new.md"]
    );
    assert_eq!(
        tariff_paths(&env, &["--source", "reuters", "--until", "2018"]),
        ["reports/late.md"]
    );
    assert!(
        tariff_paths(
            &env,
            &[
                "--source", "reuters", "--path", "news/**", "--until", "2018"
            ]
        )
        .is_empty()
    );
    assert_eq!(
        tariff_paths(
            &env,
            &[
                "--path",
                "reports/**",
                "--since",
                "2018-06",
                "source:reuters"
            ]
        ),
        ["reports/late.md"]
    );
}

#[test]
fn stated_dates_in_other_spellings_are_normalised_in_every_format() {
    let env = TestEnv::new(&[
        (
            "a.md",
            "---\ndate: March 22, 2018\n---\n\nThe lantern festival.\n",
        ),
        (
            "b.jsonl",
            "{\"id\":\"x\",\"date\":\"22 Mar 2018\",\"text\":\"A lantern parade.\"}\n",
        ),
        (
            "c.html",
            "<html><head><meta name=\"date\" content=\"2018/03/22\"></head>\
             <body><p>Lantern makers.</p></body></html>",
        ),
        (
            "d.md",
            "+++\ndate = \"22 March 2018\"\n+++\n\nLantern oil.\n",
        ),
    ]);
    let (hits, _) = env.search_json(&["lantern"]);
    assert_eq!(sorted(&hits), ["a.md", "b.jsonl#x", "c.html", "d.md"]);
    for hit in &hits {
        assert_eq!(hit.date.as_deref(), Some("2018-03-22"), "{}", hit.path);
    }
    let (hits, _) = env.search_json(&["--since", "2018-03-22", "--until", "2018-03-22", "lantern"]);
    assert_eq!(hits.len(), 4, "{hits:?}");
}
