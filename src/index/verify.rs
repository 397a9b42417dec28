//! `quarry verify`: the index's CheckIndex. Checks what a search would not
//! notice: segment checksums (a flipped bit in a posting list goes unseen
//! otherwise), that every stored passage can be read, and the manifest's
//! invariants (one record per file, passages numbered 0..n without gaps per
//! document and adding up to the file's count, no passage without its
//! file's record, a known schema version).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tantivy::Index;
use tantivy::TantivyDocument;
use tantivy::schema::Value;

use super::{Manifest, check_version, handle};
use crate::error::{Error, Result};

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The index file or the document path key concerned.
    pub what: String,
    pub problem: String,
}

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    pub files: usize,
    pub passages: u64,
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies the index in `dir`. Errors only when there is no index at all;
/// anything wrong inside it is a [`Problem`].
pub fn verify(dir: &Path) -> Result<Verification> {
    // tantivy can panic reading a damaged fast-field file: that is one more
    // problem to report (after the checksums, which name the file), never
    // a crash.
    match std::panic::catch_unwind(|| verify_unguarded(dir)) {
        Ok(result) => result,
        Err(panic) => {
            let mut problems = checksum_problems(dir);
            problems.push(Problem {
                what: "segments".to_string(),
                problem: format!("reading failed: {}", crate::error::panic_message(&panic)),
            });
            Ok(Verification {
                problems,
                ..Verification::default()
            })
        }
    }
}

/// Segment files whose checksum does not match.
fn checksum_problems(dir: &Path) -> Vec<Problem> {
    let bad =
        std::panic::catch_unwind(|| Index::open_in_dir(dir).and_then(|i| i.validate_checksum()));
    match bad {
        Ok(Ok(files)) => files
            .into_iter()
            .map(|file| Problem {
                what: file.display().to_string(),
                problem: "checksum mismatch".to_string(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn verify_unguarded(dir: &Path) -> Result<Verification> {
    if !super::exists(dir) {
        return Err(Error::Damaged {
            path: dir.to_path_buf(),
            file: "meta.json".to_string(),
            reason: "no index here".to_string(),
            missing: true,
        });
    }
    let mut found = Verification::default();
    let mut problem = |what: &str, problem: String| {
        found.problems.push(Problem {
            what: what.to_string(),
            problem,
        })
    };
    let index = match Index::open_in_dir(dir) {
        Ok(index) => index,
        Err(e) => {
            problem("meta.json", format!("cannot open the index: {e}"));
            return Ok(found);
        }
    };
    if let Err(e) = check_version(dir, &index) {
        problem("meta.json", e.to_string());
        return Ok(found);
    }
    match index.validate_checksum() {
        Ok(bad) => {
            for file in bad {
                problem(&file.display().to_string(), "checksum mismatch".to_string());
            }
        }
        Err(e) => problem("segments", format!("cannot check checksums: {e}")),
    }
    let handle = match handle(dir, index).and_then(super::readable) {
        Ok(handle) => handle,
        Err(e) => {
            problem("schema", e.to_string());
            return Ok(found);
        }
    };
    let searcher = match handle.reader() {
        Ok(reader) => reader.searcher(),
        Err(e) => {
            problem("segments", e.to_string());
            return Ok(found);
        }
    };
    // A damaged fast-field file can make tantivy panic while reading it.
    let loaded =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Manifest::load(&searcher)));
    let manifest = match loaded {
        Ok(Ok(manifest)) => manifest,
        Ok(Err(e)) => {
            problem("fast fields", format!("cannot read the manifest: {e}"));
            return Ok(found);
        }
        Err(panic) => {
            problem(
                "fast fields",
                format!(
                    "cannot read the manifest: {}",
                    crate::error::panic_message(&panic)
                ),
            );
            return Ok(found);
        }
    };
    found.files = manifest.files.len();
    found.passages = manifest.passages();
    let mut problems = Vec::new();
    for path in &manifest.duplicates {
        problems.push(Problem {
            what: path.clone(),
            problem: "more than one manifest record".to_string(),
        });
    }
    let mut numbers: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let mut per_file: BTreeMap<String, u64> = BTreeMap::new();
    let fields = handle.fields;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let store = match segment.get_store_reader(64) {
            Ok(store) => store,
            Err(e) => {
                problems.push(Problem {
                    what: format!("segment {}", segment.segment_id().uuid_string()),
                    problem: format!("cannot open stored passages: {e}"),
                });
                continue;
            }
        };
        for doc in segment.doc_ids_alive() {
            let stored: TantivyDocument = match store.get(doc) {
                Ok(stored) => stored,
                Err(e) => {
                    problems.push(Problem {
                        what: format!("segment {ord}, document {doc}"),
                        problem: format!("stored passage unreadable: {e}"),
                    });
                    continue;
                }
            };
            let text = |f| {
                stored
                    .get_first(f)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let Some(path) = text(fields.path) else {
                continue;
            };
            let file = text(fields.file).unwrap_or_else(|| path.clone());
            if text(fields.body).is_none() {
                continue; // the record-only document of a file without passages
            }
            let number = stored
                .get_first(fields.passage)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            if !numbers.entry(path).or_default().insert(number) {
                problems.push(Problem {
                    what: file.clone(),
                    problem: format!("passage {number} stored twice"),
                });
            }
            *per_file.entry(file).or_default() += 1;
        }
    }
    for (path, set) in &numbers {
        let expected: BTreeSet<u64> = (0..set.len() as u64).collect();
        if set != &expected {
            problems.push(Problem {
                what: path.clone(),
                problem: "passage numbers are not contiguous from 0".to_string(),
            });
        }
    }
    for (file, count) in &per_file {
        match manifest.files.get(file) {
            None => problems.push(Problem {
                what: file.clone(),
                problem: "passages without a manifest record".to_string(),
            }),
            Some(record) if record.passages != *count => problems.push(Problem {
                what: file.clone(),
                problem: format!(
                    "{count} passages stored, the record says {}",
                    record.passages
                ),
            }),
            Some(_) => {}
        }
    }
    for (file, record) in &manifest.files {
        if record.passages > 0 && !per_file.contains_key(file) {
            problems.push(Problem {
                what: file.clone(),
                problem: format!(
                    "the record lists {} passages, none is stored",
                    record.passages
                ),
            });
        }
    }
    found.problems.extend(problems);
    Ok(found)
}
