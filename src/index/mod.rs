//! The index on disk: opening it for reading, opening or creating it for
//! writing, and the commit payload that records which schema wrote it.

mod build;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

pub use build::{BuildReport, build};

use crate::error::{Error, Result};
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// An open index with its fields.
pub struct IndexHandle {
    pub index: Index,
    pub fields: Fields,
    pub dir: PathBuf,
}

/// Stored with every commit in tantivy's `meta.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    schema_version: u32,
}

/// The commit payload of this build.
fn payload() -> String {
    serde_json::to_string(&Payload {
        schema_version: SCHEMA_VERSION,
    })
    .unwrap_or_default()
}

/// Whether `dir` holds an index (of any version).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

/// Opens an existing index for searching.
pub fn open(dir: &Path) -> Result<IndexHandle> {
    let index = Index::open_in_dir(dir).map_err(|e| Error::index(dir, e))?;
    check_version(dir, &index)?;
    handle(dir, index)
}

/// Opens the index in `dir` for writing, creating it (and the directory)
/// when there is none. Refuses a non-empty directory that holds no index,
/// so that a mistyped `--index` cannot scatter files into, say, a home
/// directory.
pub fn open_or_create(dir: &Path) -> Result<IndexHandle> {
    if exists(dir) {
        return open(dir);
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let foreign = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|entry| entry.ok())
        .any(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
    if foreign {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
        });
    }
    let (schema, _) = schema::build_schema();
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::index(dir, e))?;
    handle(dir, index)
}

fn handle(dir: &Path, index: Index) -> Result<IndexHandle> {
    schema::register_analyzers(&index);
    let fields = fields_of(&index).ok_or_else(|| Error::SchemaMismatch {
        path: dir.to_path_buf(),
        found: "unknown".to_string(),
        expected: SCHEMA_VERSION,
    })?;
    Ok(IndexHandle {
        index,
        fields,
        dir: dir.to_path_buf(),
    })
}

/// The fields of this build's schema, looked up in the index's schema.
fn fields_of(index: &Index) -> Option<Fields> {
    let schema = index.schema();
    let (expected_schema, expected) = schema::build_schema();
    let same = expected_schema
        .fields()
        .all(|(field, entry)| schema.get_field(entry.name()).ok() == Some(field));
    same.then_some(expected)
}

/// An index committed by another schema version is refused; a fresh index
/// that was never committed has no payload and is accepted.
fn check_version(dir: &Path, index: &Index) -> Result<()> {
    let metas = index.load_metas().map_err(|e| Error::index(dir, e))?;
    let Some(text) = metas.payload else {
        return if metas.segments.is_empty() {
            Ok(())
        } else {
            Err(mismatch(dir, "none"))
        };
    };
    match serde_json::from_str::<Payload>(&text) {
        Ok(p) if p.schema_version == SCHEMA_VERSION => Ok(()),
        Ok(p) => Err(mismatch(dir, &p.schema_version.to_string())),
        Err(_) => Err(mismatch(dir, "unreadable")),
    }
}

fn mismatch(dir: &Path, found: &str) -> Error {
    Error::SchemaMismatch {
        path: dir.to_path_buf(),
        found: found.to_string(),
        expected: SCHEMA_VERSION,
    }
}

impl IndexHandle {
    /// A reader that sees the last commit (reloaded by hand: we never
    /// search while writing in one process).
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::index(&self.dir, e))
    }
}
