//! The manifest: what the index holds of each file (size, mtime, content
//! hash, extractor version, passage count, failure), read from the fast
//! fields of the record-holding document of each file in the last commit. Because it lives in the same documents
//! as the passages, it can never disagree with them after a crash.

use std::collections::HashMap;

use tantivy::Searcher;

use crate::schema::FileRecord;

/// The indexed files, by path key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub files: HashMap<String, FileRecord>,
    /// Paths found with more than one record (possible only after a bug):
    /// they are re-indexed.
    pub duplicates: Vec<String>,
}

impl Manifest {
    /// The manifest of the index `searcher` sees.
    pub fn load(searcher: &Searcher) -> tantivy::Result<Manifest> {
        let mut manifest = Manifest::default();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let Some(paths) = fast.str("file")? else {
                continue;
            };
            let holder = fast.u64("record")?;
            let failed = fast.u64("failed")?;
            let size = fast.u64("file_size")?;
            let mtime = fast.i64("file_mtime")?;
            let hash = fast.u64("file_hash")?;
            let extractor = fast.u64("extractor")?;
            let passages = fast.u64("passages")?;
            // Records by path ordinal, then the ordinals turned into paths in
            // one sequential pass over the dictionary (a lookup per document
            // would decompress the same blocks again and again).
            let mut records: Vec<(u64, FileRecord)> = Vec::new();
            for doc in segment.doc_ids_alive() {
                if holder.first(doc) != Some(1) {
                    continue;
                }
                let Some(ord) = paths.ords().first(doc) else {
                    continue;
                };
                let record = FileRecord {
                    size: size.first(doc).unwrap_or(0),
                    mtime: mtime.first(doc).unwrap_or(0),
                    hash: hash.first(doc).unwrap_or(0),
                    extractor: extractor.first(doc).unwrap_or(0),
                    passages: passages.first(doc).unwrap_or(0),
                    failed: failed.first(doc) == Some(1),
                };
                records.push((ord, record));
            }
            records.sort_by_key(|(ord, _)| *ord);
            let mut ords: Vec<u64> = records.iter().map(|(ord, _)| *ord).collect();
            ords.dedup();
            let mut names = Vec::with_capacity(ords.len());
            paths.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                names.push(String::from_utf8_lossy(bytes).into_owned());
            })?;
            let mut names = ords.iter().zip(names).peekable();
            for (ord, record) in records {
                while names.next_if(|(o, _)| **o < ord).is_some() {}
                let Some((_, name)) = names.peek() else { break };
                if manifest.files.insert(name.clone(), record).is_some() {
                    manifest.duplicates.push(name.clone());
                }
            }
        }
        Ok(manifest)
    }

    /// Passages of every file, summed.
    pub fn passages(&self) -> u64 {
        self.files.values().map(|r| r.passages).sum()
    }

    /// Files whose extraction failed.
    pub fn failed(&self) -> usize {
        self.files.values().filter(|r| r.failed).count()
    }
}
