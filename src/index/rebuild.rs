//! A rebuild: a fresh index written beside the old one, then swapped in
//! with one atomic rename (Linux `RENAME_EXCHANGE`), so that searches see
//! the old index until the new one is complete. The old index's writer
//! lock is held throughout, so no other process updates it meanwhile.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use tantivy::Directory;
use tantivy::directory::{INDEX_WRITER_LOCK, MmapDirectory};

use super::update::{self, Report, Reporter, Updater};
use super::{Manifest, Options, create};
use crate::corpus::Walk;
use crate::error::{Error, Result};

/// Rebuilds the index in `index_dir` from `walk`.
pub fn rebuild(
    corpus: &Path,
    index_dir: &Path,
    walk: &Walk,
    options: &Options,
    held: u64,
    stop: &AtomicBool,
    reporter: &mut dyn Reporter,
) -> Result<Report> {
    let index_dir = index_dir
        .canonicalize()
        .map_err(|e| Error::io(index_dir, e))?;
    let directory =
        MmapDirectory::open(&index_dir).map_err(|e| Error::index(&index_dir, e.into()))?;
    let lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| Error::index(&index_dir, tantivy::TantivyError::LockFailure(e, None)))?;
    let old_documents = documents_in(&index_dir);
    if walk.files.is_empty() && old_documents > 0 && !options.allow_empty {
        return Err(Error::EmptyCorpus {
            path: corpus.to_path_buf(),
            documents: old_documents,
        });
    }
    let fresh = sibling(&index_dir)?;
    if fresh.exists() {
        // Left by a rebuild that was killed: never visible to searches.
        std::fs::remove_dir_all(&fresh).map_err(|e| Error::io(&fresh, e))?;
    }
    let report = {
        let handle = create(&fresh)?;
        let mut updater = Updater::new(&handle, corpus, options, options.budget(held))?;
        let empty = Manifest::default();
        let plan = update::plan(walk, &empty, update::Checks::default(), &options.extract);
        let report = updater.apply(walk, &empty, &plan, options, stop, reporter)?;
        updater.finish()?;
        report
    };
    if report.interrupted {
        // Nothing of the new index is kept: report the old one, untouched.
        let _ = std::fs::remove_dir_all(&fresh);
        return Ok(Report {
            interrupted: true,
            passages: passages_in(&index_dir),
            unchanged: old_documents as usize,
            ..Report::default()
        });
    }
    copy_user_files(&index_dir, &fresh)?;
    swap(&index_dir, &fresh)?;
    drop(lock);
    drop(directory);
    if let Err(e) = std::fs::remove_dir_all(&fresh) {
        reporter.warn(&format!(
            "cannot remove the old index at {}: {e}",
            fresh.display()
        ));
    }
    Ok(Report {
        rebuilt: true,
        ..report
    })
}

/// Passages in the index at `dir` according to its manifest (0 if it
/// cannot be read).
fn passages_in(dir: &Path) -> u64 {
    super::open(dir)
        .and_then(|h| h.manifest())
        .map_or(0, |m| m.passages())
}

/// Documents in the index at `dir`: its manifest's files, or for an index
/// of another schema its tantivy documents (0 if unreadable).
fn documents_in(dir: &Path) -> u64 {
    // The index may be damaged (that is why it is rebuilt): never let its
    // fast fields panic the rebuild.
    let read = std::panic::catch_unwind(|| {
        if let Ok(manifest) = super::open(dir).and_then(|h| h.manifest()) {
            return manifest.files.len() as u64;
        }
        tantivy::Index::open_in_dir(dir)
            .and_then(|index| index.reader())
            .map(|reader| reader.searcher().num_docs())
            .unwrap_or(0)
    });
    read.unwrap_or(0)
}

/// `.<name>.rebuild` next to the index directory.
fn sibling(index_dir: &Path) -> Result<PathBuf> {
    let name = index_dir
        .file_name()
        .ok_or_else(|| Error::NotAnIndex {
            path: index_dir.to_path_buf(),
        })?
        .to_string_lossy();
    Ok(index_dir.with_file_name(format!(".{name}.rebuild")))
}

/// Hidden files of the user's (a `.gitignore`) move with the index; tantivy's
/// own files do not.
fn copy_user_files(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let tantivy_file = name.starts_with(".tantivy-") || name == ".managed.json";
        if name.starts_with('.') && !tantivy_file && entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(&name)).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// Exchanges two directories atomically where the platform can.
#[cfg(target_os = "linux")]
fn swap(a: &Path, b: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
        .map_err(|e| Error::io(a, std::io::Error::from(e)))
}

/// Exchanges two directories with two renames (a short window without an
/// index at `a`).
#[cfg(not(target_os = "linux"))]
fn swap(a: &Path, b: &Path) -> Result<()> {
    let parked = a.with_extension("old");
    std::fs::rename(a, &parked).map_err(|e| Error::io(a, e))?;
    std::fs::rename(b, a).map_err(|e| Error::io(b, e))?;
    std::fs::rename(&parked, b).map_err(|e| Error::io(&parked, e))
}
