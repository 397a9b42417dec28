//! What the next `index` would do, without changing anything: like
//! `git status`, a file whose size or mtime changed is read and hashed, so
//! that only real content changes show as modified.

use std::path::Path;

use super::update::{Checks, plan};
use super::{Manifest, exists, open};
use crate::corpus;
use crate::error::{Error, Result};

/// Files the next `index` would add, modify or delete, in path order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub added: Vec<String>,
    pub modified: Vec<String>,
    pub deleted: Vec<String>,
    pub unchanged: usize,
    /// Files that could not be read or listed: path and reason.
    pub errors: Vec<(String, String)>,
}

/// Compares the corpus with the index's manifest. An index of another
/// schema version counts every file as modified (the next `index`
/// rebuilds it).
pub fn status(
    corpus: &Path,
    index_dir: &Path,
    checksum: bool,
    options: &super::Options,
) -> Result<Status> {
    let walk = corpus::walk(corpus, Some(index_dir), &options.walk)?;
    let (manifest, outdated, racy_after) = if exists(index_dir) {
        match open(index_dir).and_then(super::readable) {
            Ok(handle) => {
                let racy_after = super::read_payload(&handle.dir, &handle.index)?
                    .and_then(|p| p.committed_at)
                    .map(|at| at - super::update::RACY_WINDOW.as_nanos() as i64);
                (handle.manifest()?, false, racy_after)
            }
            Err(Error::SchemaMismatch { .. }) => (Manifest::default(), true, None),
            Err(e) => return Err(e),
        }
    } else {
        (Manifest::default(), false, None)
    };
    let checks = Checks {
        checksum,
        retry_failed: false,
        racy_after,
    };
    let extract = &options.extract;
    let plan = plan(&walk, &manifest, checks, extract);
    let mut status = Status {
        deleted: plan.removed,
        unchanged: plan.unchanged.len(),
        errors: walk
            .errors
            .iter()
            .map(|(p, r)| (p.display().to_string(), r.clone()))
            .collect(),
        ..Status::default()
    };
    for &i in &plan.added {
        let key = walk.files[i].key.clone();
        if outdated {
            status.modified.push(key);
        } else {
            status.added.push(key);
        }
    }
    for &i in &plan.suspect {
        let file = &walk.files[i];
        let record = &manifest.files[&file.key];
        let version = file.format.extractor_id(extract);
        match std::fs::read(&file.path) {
            Ok(bytes)
                if xxhash_rust::xxh3::xxh3_64(&bytes) == record.hash
                    && record.extractor == version =>
            {
                status.unchanged += 1;
            }
            Ok(_) => status.modified.push(file.key.clone()),
            Err(e) => status
                .errors
                .push((file.path.display().to_string(), e.to_string())),
        }
    }
    status.modified.sort();
    Ok(status)
}
