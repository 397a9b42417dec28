//! Reading judgment (qrels) and query files, in BEIR's and TREC's formats.

use std::collections::HashMap;

use super::metrics::Qrels;

/// Parses judgments, one per line, in either format (decided line by
/// line, by the number of whitespace-separated columns):
///
/// - BEIR TSV, 3 columns: `query-id corpus-id score`, usually after a
///   header line `query-id\tcorpus-id\tscore`;
/// - TREC qrels, 4 columns: `qid iteration docid relevance` (the iteration
///   column is ignored, as trec_eval does).
///
/// Columns may be separated by tabs or spaces, so ids cannot contain
/// either. Blank lines are skipped. The first non-blank line is taken for
/// a header, and skipped, when its last column is not a number; anywhere
/// else that is an error. Grades are whole numbers (`2.0` is read as 2;
/// `0.5` is an error). A document judged twice for one query keeps the
/// last grade (BEIR's loader does the same; trec_eval refuses the file).
/// Errors name the line, counting from 1.
pub fn parse_qrels(text: &str) -> Result<Qrels, String> {
    let mut qrels = Qrels::new();
    let mut first = true;
    for (i, line) in strip_bom(text).lines().enumerate() {
        let n = i + 1;
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (qid, doc, grade) = match fields[..] {
            [] => continue,
            [qid, doc, grade] | [qid, _, doc, grade] => (qid, doc, grade),
            _ => {
                return Err(format!(
                    "line {n}: expected 3 columns (query-id corpus-id score) or 4 \
                     (qid iteration docid relevance), found {}",
                    fields.len()
                ));
            }
        };
        let header_allowed = std::mem::replace(&mut first, false);
        let grade = match parse_grade(grade) {
            Grade::Whole(g) => g,
            Grade::NotANumber if header_allowed => continue,
            Grade::NotANumber | Grade::NotWhole => {
                return Err(format!(
                    "line {n}: relevance '{grade}' is not a whole number"
                ));
            }
        };
        qrels
            .entry(qid.to_string())
            .or_default()
            .insert(doc.to_string(), grade);
    }
    Ok(qrels)
}

enum Grade {
    Whole(i32),
    /// A number, but with a fraction or out of range.
    NotWhole,
    /// Not a number at all (a header's `score`).
    NotANumber,
}

fn parse_grade(s: &str) -> Grade {
    if let Ok(g) = s.parse::<i32>() {
        return Grade::Whole(g);
    }
    match s.parse::<f64>() {
        Ok(f) if !f.is_finite() && !s.bytes().any(|b| b.is_ascii_digit()) => Grade::NotANumber,
        Ok(f) if f.fract() == 0.0 && f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX) => {
            Grade::Whole(f as i32)
        }
        Ok(_) => Grade::NotWhole,
        Err(_) => Grade::NotANumber,
    }
}

/// Parses queries, keeping the file's order. The format is decided once
/// per file: when the first non-blank line starts with `{`, the file is
/// JSON Lines, each line an object with the id in `_id` (BEIR's
/// `queries.jsonl`) or `id` (a string or a number) and the query in
/// `text` (other keys, such as `metadata`, are ignored); otherwise each
/// line is `qid<TAB>query text` (both trimmed). Blank lines are skipped.
/// Errors name the line, counting from 1: a line that does not parse, an
/// empty id or query text, or an id given twice.
pub fn parse_queries(text: &str) -> Result<Vec<(String, String)>, String> {
    let text = strip_bom(text);
    let jsonl = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with('{'));
    let mut queries = Vec::new();
    let mut lines_of: HashMap<String, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let (id, query) = if jsonl {
            json_query(line)
        } else {
            tsv_query(line)
        }
        .map_err(|e| format!("line {n}: {e}"))?;
        if id.is_empty() {
            return Err(format!("line {n}: empty query id"));
        }
        if query.trim().is_empty() {
            return Err(format!("line {n}: query '{id}' has no text"));
        }
        if let Some(before) = lines_of.insert(id.clone(), n) {
            return Err(format!(
                "line {n}: query id '{id}' was already given on line {before}"
            ));
        }
        queries.push((id, query));
    }
    Ok(queries)
}

/// `{"_id": "q1", "text": "…"}` → `("q1", "…")`.
fn json_query(line: &str) -> Result<(String, String), String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let object = value
        .as_object()
        .ok_or_else(|| "not a JSON object".to_string())?;
    let id = match object.get("_id").or_else(|| object.get("id")) {
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => return Err("the query id (\"_id\" or \"id\") is not a string".to_string()),
        None => return Err("no query id (\"_id\" or \"id\")".to_string()),
    };
    let text = match object.get("text") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err("\"text\" is not a string".to_string()),
        None => return Err("no \"text\"".to_string()),
    };
    Ok((id, text))
}

/// `q1<TAB>query text` → `("q1", "query text")`.
fn tsv_query(line: &str) -> Result<(String, String), String> {
    let (id, text) = line
        .split_once('\t')
        .ok_or_else(|| "expected 'qid<TAB>query text' (no tab found)".to_string())?;
    Ok((id.trim().to_string(), text.trim().to_string()))
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &Qrels) -> Vec<(&str, &str, i32)> {
        q.iter()
            .flat_map(|(qid, docs)| {
                docs.iter()
                    .map(move |(d, g)| (qid.as_str(), d.as_str(), *g))
            })
            .collect()
    }

    #[test]
    fn beir_tsv_with_header() {
        let text = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\nq2\td1\t0\n";
        let q = parse_qrels(text).unwrap();
        assert_eq!(
            pairs(&q),
            [("q1", "d1", 1), ("q1", "d2", 2), ("q2", "d1", 0)]
        );
    }

    #[test]
    fn beir_tsv_without_header_with_spaces_crlf_and_bom() {
        let text = "\u{feff}q1 d1 1\r\n\r\nq2   d3\t2\r\n";
        let q = parse_qrels(text).unwrap();
        assert_eq!(pairs(&q), [("q1", "d1", 1), ("q2", "d3", 2)]);
    }

    #[test]
    fn trec_qrels_ignore_the_iteration_column() {
        let text = "301 0 FBIS3-10082 1\n301 Q0 FBIS3-10169 0\n302 0 FT921-1 2\n";
        let q = parse_qrels(text).unwrap();
        assert_eq!(
            pairs(&q),
            [
                ("301", "FBIS3-10082", 1),
                ("301", "FBIS3-10169", 0),
                ("302", "FT921-1", 2)
            ]
        );
    }

    #[test]
    fn trec_qrels_with_a_header_and_mixed_lines() {
        // Formats are decided per line; negative grades are kept.
        let text = "qid iter docno rel\n1 0 a 1\n1\tb\t-1\n";
        let q = parse_qrels(text).unwrap();
        assert_eq!(pairs(&q), [("1", "a", 1), ("1", "b", -1)]);
    }

    #[test]
    fn whole_decimal_grades_are_read_and_repeats_keep_the_last() {
        let q = parse_qrels("q1\td1\t2.0\nq1\td1\t1\nq1\td2\t+3\n").unwrap();
        assert_eq!(pairs(&q), [("q1", "d1", 1), ("q1", "d2", 3)]);
    }

    #[test]
    fn a_header_is_only_allowed_first() {
        let err = parse_qrels("q1\td1\t1\nq1\td2\t1\nquery-id\tcorpus-id\tscore\n").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
        assert!(err.contains("'score'"), "{err}");
        // A blank first line does not use up the header.
        let q = parse_qrels("\nquery-id\tcorpus-id\tscore\nq1\td1\t1\n").unwrap();
        assert_eq!(pairs(&q), [("q1", "d1", 1)]);
    }

    #[test]
    fn a_fractional_first_grade_is_an_error_not_a_header() {
        let err = parse_qrels("q1\td1\t0.5\n").unwrap_err();
        assert!(err.starts_with("line 1:") && err.contains("'0.5'"), "{err}");
        let err = parse_qrels("q1 d1 1\nq1 d2 1e99\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }

    #[test]
    fn wrong_column_counts_name_the_line() {
        let err = parse_qrels("q1 d1 1\nq1 d2\n").unwrap_err();
        assert!(
            err.starts_with("line 2:") && err.contains("found 2"),
            "{err}"
        );
        let err = parse_qrels("q1 0 d1 1 extra\n").unwrap_err();
        assert!(
            err.starts_with("line 1:") && err.contains("found 5"),
            "{err}"
        );
    }

    #[test]
    fn empty_qrels_are_empty() {
        assert_eq!(parse_qrels("").unwrap(), Qrels::new());
        assert_eq!(
            parse_qrels("query-id\tcorpus-id\tscore\n").unwrap(),
            Qrels::new()
        );
    }

    #[test]
    fn beir_jsonl_queries_keep_file_order() {
        let text = concat!(
            "{\"_id\": \"q2\", \"text\": \"what is bm25\", \"metadata\": {}}\n",
            "\n",
            "{\"id\": \"q1\", \"text\": \"tf idf\"}\n",
            "{\"_id\": 7, \"text\": \"numbered\"}\n",
            "{\"_id\": \"q3\", \"id\": \"ignored\", \"text\": \"_id wins\"}\n",
        );
        assert_eq!(
            parse_queries(text).unwrap(),
            [
                ("q2".to_string(), "what is bm25".to_string()),
                ("q1".to_string(), "tf idf".to_string()),
                ("7".to_string(), "numbered".to_string()),
                ("q3".to_string(), "_id wins".to_string()),
            ]
        );
    }

    #[test]
    fn tsv_queries_keep_file_order() {
        let text = "\u{feff}\n10\tfirst query\r\n2\t second\twith a tab \n";
        assert_eq!(
            parse_queries(text).unwrap(),
            [
                ("10".to_string(), "first query".to_string()),
                ("2".to_string(), "second\twith a tab".to_string()),
            ]
        );
    }

    #[test]
    fn query_errors_name_the_line() {
        let cases = [
            ("{\"_id\": \"q1\", \"text\": \"a\"}\nnot json\n", "line 2:"),
            ("{\"_id\": \"q1\"}\n", "line 1:"),
            ("{\"text\": \"a\"}\n", "line 1:"),
            ("{\"_id\": [1], \"text\": \"a\"}\n", "line 1:"),
            ("{\"_id\": \"q1\", \"text\": 3}\n", "line 1:"),
            ("q1\tfine\nq2 no tab\n", "line 2:"),
            ("q1\t  \n", "line 1:"),
            ("\tno id\n", "line 1:"),
            ("q1\ta\n\nq1\tb\n", "line 3:"),
            ("{\"_id\": \"q1\", \"text\": \"a\"}\n[1, 2]\n", "line 2:"),
        ];
        for (text, line) in cases {
            let err = parse_queries(text).unwrap_err();
            assert!(err.starts_with(line), "{text:?}: {err}");
        }
        let err = parse_queries("q1\ta\n\nq1\tb\n").unwrap_err();
        assert!(err.contains("'q1'") && err.contains("line 1"), "{err}");
    }

    #[test]
    fn no_queries_is_empty() {
        assert!(parse_queries("").unwrap().is_empty());
        assert!(parse_queries("\n  \n").unwrap().is_empty());
    }
}
