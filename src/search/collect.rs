//! Collecting hits: the query with its filters, the total count, the
//! ranked page, and grouping by document (`--per-doc`).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Searcher, Term};

use super::bm25::PassageStatistics;
use super::plan::Plan;
use super::pruned::PrunedQuery;
use super::{Request, Sort, query};
use crate::error::{Error, Result};
use crate::index::IndexHandle;

/// Ranked hits: score and address.
pub type Ranked = Vec<(f32, DocAddress)>;

/// The page of hits a request asks for, with the total and, per shown
/// document (by [`crate::schema::document_key`]), how many of its matching
/// passages are not shown.
pub struct Collected {
    pub total: usize,
    pub top: Ranked,
    pub more: HashMap<u64, usize>,
}

/// Runs the plan: the requested page, grouped by document when
/// `request.per_doc > 0`, and the total count (in the same pass).
pub fn collect(
    handle: &IndexHandle,
    searcher: &Searcher,
    plan: &Plan,
    request: &Request,
) -> Result<Collected> {
    let query = constrained(
        query::to_query(plan, &handle.fields),
        handle,
        searcher,
        request,
    )?;
    let wanted = request.offset + request.limit;
    if request.limit == 0 {
        let total = searcher
            .search(&query, &Count)
            .map_err(|e| Error::index(&handle.dir, e))?;
        return Ok(Collected {
            total,
            top: Vec::new(),
            more: HashMap::new(),
        });
    }
    if request.per_doc == 0 {
        let (total, top) = ranked(
            handle,
            searcher,
            query.as_ref(),
            request.sort,
            (request.limit, request.offset),
            Ties::ByPath,
        )?;
        return Ok(Collected {
            total,
            top,
            more: HashMap::new(),
        });
    }
    // Fetch more candidates than shown until the grouped page is full or
    // every hit has been seen.
    let mut k = (wanted * request.per_doc * 2).max(50);
    loop {
        let (total, candidates) = ranked(
            handle,
            searcher,
            query.as_ref(),
            request.sort,
            (k, 0),
            Ties::Unordered,
        )?;
        let by_path = request.sort == Sort::Relevance;
        let (page, shown) = group(
            handle,
            searcher,
            &candidates,
            by_path,
            request.per_doc,
            wanted,
        )?;
        if page.len() >= wanted || k >= total {
            let top: Ranked = page.into_iter().skip(request.offset).collect();
            let more = if request.count_more {
                more_per_document(handle, searcher, query.as_ref(), &shown)?
            } else {
                HashMap::new()
            };
            return Ok(Collected { total, top, more });
        }
        k = (k * 4).min(total);
    }
}

/// Keeps at most `per_doc` passages per document (by [`document_key`]),
/// in rank order, up to `wanted` hits; also returns how many were shown per
/// document. With `by_path`, the candidates are by score alone (each run
/// of equal scores whole) and each run is ordered here by path then
/// passage: only runs of more than one passage need their paths.
///
/// [`document_key`]: crate::schema::document_key
fn group(
    handle: &IndexHandle,
    searcher: &Searcher,
    candidates: &Ranked,
    by_path: bool,
    per_doc: usize,
    wanted: usize,
) -> Result<(Ranked, HashMap<u64, usize>)> {
    let mut shown: HashMap<u64, usize> = HashMap::new();
    let mut page = Vec::new();
    let mut keys = U64Column::new("doc_key");
    let mut start = 0;
    while start < candidates.len() && page.len() < wanted {
        let score = candidates[start].0;
        let len = candidates[start..]
            .iter()
            .take_while(|h| h.0 == score)
            .count();
        let mut run = candidates[start..start + len].to_vec();
        start += len;
        if by_path && run.len() > 1 {
            order_ties(handle, searcher, &mut run)?;
        }
        for hit in run {
            if page.len() >= wanted {
                break;
            }
            let count = shown.entry(keys.of(searcher, &hit.1)).or_default();
            if *count < per_doc {
                *count += 1;
                page.push(hit);
            }
        }
    }
    Ok((page, shown))
}

/// One `u64` fast field's values, each segment's column opened once.
struct U64Column {
    name: &'static str,
    columns: HashMap<u32, Option<tantivy::columnar::Column<u64>>>,
}

impl U64Column {
    fn new(name: &'static str) -> U64Column {
        U64Column {
            name,
            columns: HashMap::new(),
        }
    }

    /// The value of a passage (0 when it has none).
    fn of(&mut self, searcher: &Searcher, address: &DocAddress) -> u64 {
        self.columns
            .entry(address.segment_ord)
            .or_insert_with(|| {
                searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .u64(self.name)
                    .ok()
            })
            .as_ref()
            .and_then(|c| c.first(address.doc_id))
            .unwrap_or(0)
    }
}

/// The path keys of `addresses`, read from the `path` fast field (not the
/// stored documents, which would decompress a block each), in one sorted
/// pass over each segment's dictionary: looking ordinals up one by one
/// decodes a dictionary block per lookup, which dominated batch runs.
fn paths_of(
    handle: &IndexHandle,
    searcher: &Searcher,
    addresses: &[DocAddress],
) -> Result<Vec<String>> {
    let mut out = vec![String::new(); addresses.len()];
    let mut segments: HashMap<u32, Vec<(u64, usize)>> = HashMap::new();
    let mut columns = HashMap::new();
    for (i, address) in addresses.iter().enumerate() {
        let segment = address.segment_ord;
        let column = match columns.entry(segment) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(path_column(handle, searcher.segment_reader(segment))?),
        };
        let Some(column) = column else {
            continue;
        };
        if let Some(ord) = column.ords().first(address.doc_id) {
            segments.entry(segment).or_default().push((ord, i));
        }
    }
    for (segment, mut wanted) in segments {
        let Some(Some(column)) = columns.get(&segment) else {
            continue;
        };
        wanted.sort_unstable();
        let mut ords: Vec<u64> = wanted.iter().map(|&(ord, _)| ord).collect();
        ords.dedup();
        let mut names = Vec::with_capacity(ords.len());
        column
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                names.push(String::from_utf8_lossy(bytes).into_owned());
            })
            .map_err(|e| Error::io(&handle.dir, e))?;
        let mut names = ords.iter().zip(names).peekable();
        for (ord, i) in wanted {
            while names.next_if(|(o, _)| **o < ord).is_some() {}
            if let Some((_, name)) = names.peek() {
                out[i] = name.clone();
            }
        }
    }
    Ok(out)
}

/// For each shown document (by key): its matching passages that are not
/// shown.
///
/// One pass for all of them: the query restricted to the shown documents'
/// keys, without scores, counting matches per key. (A count query per
/// document built every clause's scorers again each time, which took most
/// of a long `--plain` query's time.)
fn more_per_document(
    handle: &IndexHandle,
    searcher: &Searcher,
    query: &dyn Query,
    shown: &HashMap<u64, usize>,
) -> Result<HashMap<u64, usize>> {
    if shown.is_empty() {
        return Ok(HashMap::new());
    }
    let err = |e| Error::index(&handle.dir, e);
    // A union of term queries: a `TermSetQuery` builds an FST of its
    // terms, which cost more than the few lookups.
    let keys = shown.keys().map(|&key| {
        let term = Term::from_field_u64(handle.fields.doc_key, key);
        let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        (Occur::Should, query)
    });
    let in_documents = BooleanQuery::new(vec![
        (Occur::Must, query.box_clone()),
        (Occur::Must, Box::new(BooleanQuery::new(keys.collect()))),
    ]);
    let weight = in_documents
        .weight(EnableScoring::disabled_from_searcher(searcher))
        .map_err(err)?;
    let mut matching: HashMap<u64, usize> = HashMap::new();
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().u64("doc_key").map_err(err)?;
        let alive = segment.alive_bitset();
        weight
            .for_each_no_score(segment, &mut |docs| {
                for &doc in docs {
                    if alive.is_none_or(|a| a.is_alive(doc))
                        && let Some(key) = column.first(doc)
                    {
                        *matching.entry(key).or_default() += 1;
                    }
                }
            })
            .map_err(err)?;
    }
    let mut more = HashMap::new();
    for (&key, &count) in shown {
        let matching = matching.get(&key).copied().unwrap_or(0);
        if matching > count {
            more.insert(key, matching - count);
        }
    }
    Ok(more)
}

/// How [`ranked`] leaves passages of equal score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ties {
    /// Ordered by path, then passage number.
    ByPath,
    /// In no particular order (see [`ranked`]).
    Unordered,
}

/// `limit` hits from `offset`, best first (or newest first), ties by path
/// then passage number. By relevance, the page is collected by score alone
/// and only equal scores are then ordered by path: tantivy's sort by a
/// string field turns every candidate's ordinal into its string, which
/// cost more than the search itself. Also returns the number of matching
/// passages (counted in the same pass, except for a pruned query).
///
/// With [`Ties::Unordered`], equal scores are left in no particular order
/// and the whole run of equal scores across the end is returned (the
/// caller orders what it uses); by date every key is ordered anyway.
fn ranked(
    handle: &IndexHandle,
    searcher: &Searcher,
    query: &dyn Query,
    sort: Sort,
    (limit, offset): (usize, usize),
    ties: Ties,
) -> Result<(usize, Ranked)> {
    if sort == Sort::Date {
        return ranked_by_keys(handle, searcher, query, sort, limit, offset);
    }
    let n = offset + limit.max(1);
    let err = |e| Error::index(&handle.dir, e);
    let stats = PassageStatistics::new(searcher, handle.fields.kind).map_err(err)?;
    // A few more than the page, so that a run of equal scores across its
    // end is usually whole: which passages of that run are on the page
    // depends on their paths.
    let mut k = n + n / 2 + 8;
    loop {
        let by_score = TopDocs::with_limit(k).order_by_score();
        let (total, mut top) = if let Some(pruned) = query.downcast_ref::<PrunedQuery>() {
            // Alone, `TopDocs` lets the query skip the pair work of
            // passages that cannot enter the page; the query counts the
            // passages it matched on the way.
            pruned.take_matched();
            let top = stats.search(query, &by_score).map_err(err)?;
            (pruned.take_matched(), top)
        } else {
            stats.search(query, &(Count, by_score)).map_err(err)?
        };
        let last = top.get(n - 1).map(|&(score, _)| score);
        let run_is_whole = top.len() < k || last.is_none_or(|s| top[k - 1].0 != s);
        if run_is_whole {
            let rest_of_run = top[n.min(top.len())..]
                .iter()
                .take_while(|&&(score, _)| Some(score) == last)
                .count();
            top.truncate(n + rest_of_run);
            if ties == Ties::Unordered {
                return Ok((total, top));
            }
            order_ties(handle, searcher, &mut top)?;
            top.truncate(n);
            return Ok((total, top.into_iter().skip(offset).collect()));
        }
        if k >= n + MAX_TIE_RUN {
            // A long run of equal scores: every key in the collector.
            return ranked_by_keys(handle, searcher, query, sort, limit, offset);
        }
        k = (k * 8).min(n + MAX_TIE_RUN);
    }
}

/// The longest run of equal scores past the end of a page that is ordered
/// by path after the search; a longer one is sorted by tantivy's
/// collector on every key.
const MAX_TIE_RUN: usize = 4096;

/// Orders each run of equal scores by path, then passage number.
fn order_ties(handle: &IndexHandle, searcher: &Searcher, top: &mut Ranked) -> Result<()> {
    let mut passages = U64Column::new("passage");
    let mut start = 0;
    while start < top.len() {
        let score = top[start].0;
        let end = start + top[start..].iter().take_while(|h| h.0 == score).count();
        if end - start > 1 {
            let run = &mut top[start..end];
            let segment = run[0].1.segment_ord;
            if run.iter().all(|(_, a)| a.segment_ord == segment) {
                // Inside a segment the path ordinals sort as the paths do.
                let column = path_column(handle, searcher.segment_reader(segment))?;
                let ord = |a: &DocAddress| column.as_ref().and_then(|c| c.ords().first(a.doc_id));
                run.sort_by_cached_key(|(_, a)| (ord(a), passages.of(searcher, a)));
            } else {
                let addresses: Vec<DocAddress> = run.iter().map(|&(_, a)| a).collect();
                let paths = paths_of(handle, searcher, &addresses)?;
                let mut keyed: Vec<_> = run
                    .iter()
                    .zip(paths)
                    .map(|(&hit, path)| ((path, passages.of(searcher, &hit.1)), hit))
                    .collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                for (slot, (_, hit)) in run.iter_mut().zip(keyed) {
                    *slot = hit;
                }
            }
        }
        start = end;
    }
    Ok(())
}

/// The `path` fast field of a segment (ordinals and dictionary).
fn path_column(
    handle: &IndexHandle,
    segment: &tantivy::SegmentReader,
) -> Result<Option<tantivy::columnar::StrColumn>> {
    segment
        .fast_fields()
        .str("path")
        .map_err(|e| Error::index(&handle.dir, e))
}

/// `ranked` with every key in tantivy's collector: exact for any ties, but
/// each candidate's path is looked up.
fn ranked_by_keys(
    handle: &IndexHandle,
    searcher: &Searcher,
    query: &dyn Query,
    sort: Sort,
    limit: usize,
    offset: usize,
) -> Result<(usize, Ranked)> {
    let err = |e| Error::index(&handle.dir, e);
    let stats = PassageStatistics::new(searcher, handle.fields.kind).map_err(err)?;
    let tie = (
        (SortByString::for_field("path"), Order::Asc),
        (
            SortByStaticFastValue::<u64>::for_field("passage"),
            Order::Asc,
        ),
    );
    let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
    Ok(match sort {
        Sort::Relevance => {
            let order = ((SortBySimilarityScore, Order::Desc), tie);
            let (total, top) = stats
                .search(query, &(Count, top.order_by(order)))
                .map_err(err)?;
            let top = top.into_iter().map(|((score, _), addr)| (score, addr));
            (total, top.collect())
        }
        Sort::Date => {
            let date = (
                SortByStaticFastValue::<i64>::for_field("date_ts"),
                Order::Desc,
            );
            let order = (date, ((SortBySimilarityScore, Order::Desc), tie));
            let (total, top) = stats
                .search(query, &(Count, top.order_by(order)))
                .map_err(err)?;
            let top = top.into_iter().map(|((_, (score, _)), addr)| (score, addr));
            (total, top.collect())
        }
    })
}

/// The query with the request's filters and path glob added as required
/// clauses.
pub fn constrained(
    query: Box<dyn Query>,
    handle: &IndexHandle,
    searcher: &Searcher,
    request: &Request,
) -> Result<Box<dyn Query>> {
    if request.filters.is_empty() && request.path_glob.is_none() {
        return Ok(query);
    }
    let mut clauses = vec![(Occur::Must, query)];
    for filter in &request.filters {
        clauses.push((Occur::Must, query::filter_query(filter, &handle.fields)));
    }
    if let Some(glob) = &request.path_glob {
        clauses.push((Occur::Must, path_query(glob, handle, searcher)?));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// The passages whose path key, or whose file's key, matches `glob` (`*`
/// stays within a folder, `**` crosses folders): `data/*.jsonl` selects the
/// records of `data/w.jsonl`, whose path keys are `data/w.jsonl#id`.
fn path_query(glob: &str, handle: &IndexHandle, searcher: &Searcher) -> Result<Box<dyn Query>> {
    let matcher = globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map_err(|e| Error::Argument {
            flag: "--path",
            reason: e.kind().to_string(),
        })?
        .compile_matcher();
    let mut terms = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment
            .inverted_index(handle.fields.path)
            .map_err(|e| Error::index(&handle.dir, e))?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| Error::io(&handle.dir, e))?;
        while stream.advance() {
            if let Ok(path) = std::str::from_utf8(stream.key())
                && matcher.is_match(path)
            {
                terms.insert(Term::from_field_text(handle.fields.path, path));
            }
        }
    }
    Ok(Box::new(ConstScoreQuery::new(
        Box::new(TermSetQuery::new(terms)),
        0.0,
    )))
}
