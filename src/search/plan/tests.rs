//! Unit tests, compiled only under `#[cfg(test)]`: an `unwrap` or `expect`
//! here fails the test on bad data, which is what it is for.

use super::*;

/// Expands prefixes over a fixed word list.
pub(crate) struct Words(pub Vec<&'static str>);

impl PrefixExpander for Words {
    fn expand(&self, _field: TextField, prefix: &str) -> Result<(Vec<String>, bool)> {
        let stems = prefix_stems(self.0.iter().copied(), prefix);
        Ok((stems.into_iter().collect(), false))
    }
}

fn plan_all(query: &str) -> Plan {
    plan(
        query,
        Mode::All,
        &Words(vec!["intrusion", "intruder", "other"]),
    )
    .unwrap()
}

fn term(plan: &Plan, node: &Node) -> String {
    let Node::Leaf(id) = node else {
        panic!("not a leaf: {node:?}")
    };
    match &plan.leaves[*id].targets[0].1 {
        Matcher::Term(t) => t.clone(),
        other => panic!("not a term: {other:?}"),
    }
}

#[test]
fn words_are_anded_and_stemmed_over_title_and_body() {
    let p = plan_all("Cyber Thefts");
    let Node::Bool(clauses) = &p.root else {
        panic!("{:?}", p.root)
    };
    assert_eq!(clauses.len(), 2);
    assert!(clauses.iter().all(|(o, _)| *o == Occur::Must));
    assert_eq!(term(&p, &clauses[1].1), "theft");
    let fields: Vec<TextField> = p.leaves[0].targets.iter().map(|t| t.0).collect();
    assert_eq!(fields, [TextField::Title, TextField::Body]);
    assert!(p.has_implicit_and);
}

#[test]
fn any_mode_makes_words_optional() {
    let p = plan("cyber theft", Mode::Any, &Words(vec![])).unwrap();
    let Node::Bool(clauses) = &p.root else {
        panic!()
    };
    assert!(clauses.iter().all(|(o, _)| *o == Occur::Should));
    assert!(!p.has_implicit_and);
}

#[test]
fn an_or_run_is_one_required_group() {
    // `a b OR c` means a AND (b OR c), not tantivy's (+a ?b ?c).
    let p = plan_all("alpha beta OR gamma");
    let Node::Bool(clauses) = &p.root else {
        panic!()
    };
    assert_eq!(clauses.len(), 2);
    assert_eq!(clauses[0].0, Occur::Must);
    assert_eq!(term(&p, &clauses[0].1), "alpha");
    let (occur, Node::Bool(group)) = &clauses[1] else {
        panic!("{clauses:?}")
    };
    assert_eq!(*occur, Occur::Must);
    assert!(group.iter().all(|(o, _)| *o == Occur::Should));
    assert_eq!(group.len(), 2);
}

#[test]
fn a_plain_or_query_is_all_should() {
    let p = plan_all("alpha OR beta");
    let Node::Bool(clauses) = &p.root else {
        panic!()
    };
    assert!(clauses.iter().all(|(o, _)| *o == Occur::Should));
    assert!(!p.has_implicit_and);
}

#[test]
fn and_not_subtracts_instead_of_matching_nothing() {
    let p = plan_all("alpha AND NOT beta");
    let Node::Bool(clauses) = &p.root else {
        panic!()
    };
    let (Occur::Must, Node::Bool(inner)) = &clauses[1] else {
        panic!("{clauses:?}")
    };
    assert_eq!(inner[0].0, Occur::MustNot);
    assert_eq!(inner[1], (Occur::Must, Node::All));
}

#[test]
fn phrases_keep_positions_and_slop() {
    let p = plan_all("\"pipe routing\"~2");
    let Matcher::Phrase { terms, slop } = &p.leaves[0].targets[0].1 else {
        panic!()
    };
    assert_eq!(terms, &[(0, "pipe".to_string()), (1, "rout".to_string())]);
    assert_eq!(*slop, 2);
}

#[test]
fn word_star_searches_the_stems_of_the_indexed_words_it_prefixes() {
    let p = plan_all("Intru*");
    let Matcher::Prefix {
        prefix, expansions, ..
    } = &p.leaves[0].targets[0].1
    else {
        panic!()
    };
    assert_eq!(prefix, "intru");
    // intrusion → intrus, intruder → intrud; `other` is no expansion.
    assert_eq!(expansions, &["intrud", "intrus"]);
}

#[test]
fn field_queries_target_one_field() {
    let p = plan_all("title:westinghouse");
    let fields: Vec<TextField> = p.leaves[0].targets.iter().map(|t| t.0).collect();
    assert_eq!(fields, [TextField::Title]);
}

#[test]
fn bad_queries_are_errors_that_say_why() {
    for (query, reason) in [
        ("foo:bar", "unknown field 'foo'"),
        ("-alpha", "only excludes"),
        ("NOT alpha", "only excludes"),
        ("\"unclosed", "at character"),
        ("...", "no searchable words"),
        ("e-ma*", "single word"),
        ("title:[a TO b]", "not supported"),
        ("date:[soon TO later]", "not a date"),
    ] {
        let err = plan(query, Mode::All, &Words(vec![])).unwrap_err();
        assert!(err.to_string().contains(reason), "{query}: {err}");
    }
}

#[test]
fn punctuation_only_literals_are_dropped() {
    let p = plan_all("alpha ... beta");
    assert_eq!(p.leaves.len(), 2);
}

#[test]
fn boosts_are_kept() {
    let p = plan_all("alpha^3 beta");
    let Node::Bool(clauses) = &p.root else {
        panic!()
    };
    assert!(matches!(&clauses[0].1, Node::Boost(_, b) if *b == 3.0));
}

#[test]
fn over_long_and_over_nested_queries_are_refused_before_parsing() {
    let deep = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
    let err = plan(&deep, Mode::All, &Words(vec![])).unwrap_err();
    assert!(err.to_string().contains("limit of 32"), "{err}");
    let nested_ok = format!("{}word{}", "(".repeat(32), ")".repeat(32));
    assert!(plan(&nested_ok, Mode::All, &Words(vec![])).is_ok());
    let long = "word ".repeat(1000);
    let err = plan(&long, Mode::All, &Words(vec![])).unwrap_err();
    assert!(err.to_string().contains("4096 bytes"), "{err}");
    // An escaped quote must not hide nesting from the check.
    let escaped = format!("\"\\\"\" {}a{}", "(".repeat(40), ")".repeat(40));
    let err = plan(&escaped, Mode::All, &Words(vec![])).unwrap_err();
    assert!(err.to_string().contains("limit of 32"), "{err}");
}

#[test]
fn metadata_conditions_are_required_filters_in_any_mode() {
    let p = plan(
        "tariff source:\"Asia Times\" date:[2018-01-01 TO 2018-12-31]",
        Mode::Any,
        &Words(vec![]),
    )
    .unwrap();
    let Node::Bool(clauses) = &p.root else {
        panic!("{:?}", p.root)
    };
    assert_eq!(clauses[0].0, Occur::Should);
    assert_eq!(
        clauses[1],
        (
            Occur::Must,
            Node::Filter(Filter::Source("asia times".to_string()))
        )
    );
    let (Occur::Must, Node::Filter(Filter::Date { from, to })) = &clauses[2] else {
        panic!("{clauses:?}")
    };
    assert_eq!(*from, Some(1_514_764_800));
    assert_eq!(*to, Some(1_546_300_800), "the last day is included");
    assert!(
        !p.has_implicit_and,
        "filters are not words to fall back from"
    );
}

#[test]
fn a_date_field_names_a_whole_period() {
    let p = plan("date:2018-03", Mode::All, &Words(vec![])).unwrap();
    let Node::Filter(Filter::Date { from, to }) = p.root else {
        panic!()
    };
    assert_eq!((from, to), (Some(1_519_862_400), Some(1_522_540_800)));
}

#[test]
fn too_many_terms_or_too_much_slop_are_refused() {
    let many = (0..65)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let err = plan(&many, Mode::All, &Words(vec![])).unwrap_err();
    assert!(err.to_string().contains("limit of 64"), "{err}");
    let ok = (0..64)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(plan(&ok, Mode::All, &Words(vec![])).is_ok());
    let phrase = format!(
        "\"{}\"",
        (0..70)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert!(plan(&phrase, Mode::All, &Words(vec![])).is_err());
    let err = plan("\"a b\"~101", Mode::All, &Words(vec![])).unwrap_err();
    assert!(err.to_string().contains("slop 101"), "{err}");
    assert!(plan("\"a b\"~100", Mode::All, &Words(vec![])).is_ok());
}

#[test]
fn plain_queries_keep_operators_as_text_and_weigh_repeats() {
    let p = plain(
        "What is \"associative\" (memory)? associative: retrieval -- NOT AND",
        Mode::Any,
    )
    .unwrap();
    let Node::Bool(clauses) = &p.root else {
        panic!("{:?}", p.root)
    };
    assert!(clauses.iter().all(|(o, _)| *o == Occur::Should));
    // associ (x2), memori, retriev: three distinct words once the stop
    // words (is, not, and) and the function word "what" are dropped; then
    // the three distinct neighbouring pairs.
    let words: Vec<&Matcher> = p.leaves.iter().map(|l| &l.targets[0].1).collect();
    let term = |t: &str| Matcher::Term(t.to_string());
    assert_eq!(
        words[..3],
        [&term("associ"), &term("memori"), &term("retriev")]
    );
    let pairs: Vec<Vec<&str>> = words[3..]
        .iter()
        .map(|m| match m {
            Matcher::Phrase { terms, slop: 2 } => terms.iter().map(|(_, t)| t.as_str()).collect(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ["associ", "memori"],
            ["memori", "associ"],
            ["associ", "retriev"]
        ]
    );
    let boosted: Vec<f32> = clauses
        .iter()
        .filter_map(|(_, n)| match n {
            Node::Boost(_, b) => Some(*b),
            _ => None,
        })
        .collect();
    assert_eq!(
        boosted,
        [16.0 / 9.0, 0.1, 0.1, 0.1],
        "the repeated word weighs (k3 + 1)·2 / (k3 + 2) with k3 = 7; pairs add a small bonus"
    );
    // Ten repeats weigh less than k3 + 1 = 8: saturated, not linear.
    let many = plain(&"associative ".repeat(10), Mode::Any).unwrap();
    assert!(
        matches!(&many.root, Node::Boost(_, b) if (*b - 80.0 / 17.0).abs() < 1e-6),
        "{:?}",
        many.root
    );
    assert!(plain("?? -- ::", Mode::Any).is_err());
    // Only function words: they are kept.
    let only = plain("What would you?", Mode::Any).unwrap();
    assert_eq!(only.leaves.len(), 5, "{only:?}");
}
