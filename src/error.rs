//! The one error type of quarry and the exit codes it maps to.
//!
//! Every message starts with what failed and names the path or the query,
//! so that `error: {err}` on one line is enough for a user to act on.

use std::path::{Path, PathBuf};

/// Exit code when a search printed at least one hit, or a command succeeded.
pub const EXIT_OK: i32 = 0;
/// Exit code when a search found nothing.
pub const EXIT_NO_HITS: i32 = 1;
/// Exit code for errors (bad query, missing index, I/O).
pub const EXIT_ERROR: i32 = 2;
/// Exit code when another process is updating the index.
pub const EXIT_BUSY: i32 = 3;
/// Exit code of `index` stopped by SIGINT (128 + 2).
pub const EXIT_SIGINT: i32 = 130;
/// Exit code of `index` stopped by SIGTERM (128 + 15).
pub const EXIT_SIGTERM: i32 = 143;

/// Everything that can stop a quarry command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The corpus directory does not exist or is not a directory.
    #[error("corpus {} not found: {reason}", path.display())]
    CorpusMissing { path: PathBuf, reason: String },
    /// Search was asked for an index that does not exist, and there is no
    /// corpus to build it from.
    #[error(
        "no index at {} and no corpus at {} to build one from (use --index or --corpus)",
        index.display(),
        corpus.display()
    )]
    IndexMissing { index: PathBuf, corpus: PathBuf },
    /// The index directory holds something that is not a quarry index.
    #[error("index directory {} is not empty and holds no quarry index; refusing to write there", path.display())]
    NotAnIndex { path: PathBuf },
    /// The index was written by a build with another schema.
    #[error(
        "index at {} has schema version {found}, this quarry needs {expected}: remove the directory's contents and run 'quarry index'",
        path.display()
    )]
    SchemaMismatch {
        path: PathBuf,
        found: String,
        expected: u32,
    },
    /// Another process holds the index writer lock.
    #[error("index {} is being updated by another process", path.display())]
    Busy { path: PathBuf },
    /// The index directory cannot be written (permissions, read-only mount).
    #[error("index {} is not writable: {reason}", path.display())]
    NotWritable { path: PathBuf, reason: String },
    /// The corpus holds no document while the index holds some.
    #[error(
        "corpus {} holds no documents; refusing to remove all {documents} documents from the index (use --allow-empty if that is what you want)",
        path.display()
    )]
    EmptyCorpus { path: PathBuf, documents: u64 },
    /// tantivy failed on an index.
    #[error("index at {}: {source}", path.display())]
    Index {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    /// The query could not be parsed or planned.
    #[error("invalid query {query:?}: {reason}")]
    Query { query: String, reason: String },
    /// A command-line value that clap cannot check by itself.
    #[error("invalid {flag}: {reason}")]
    Argument { flag: &'static str, reason: String },
    /// Writing results failed (other than a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[source] std::io::Error),
}

/// Shorthand for quarry results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Busy { .. } => EXIT_BUSY,
            _ => EXIT_ERROR,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A tantivy error on the index at `path`. Lock failures are told
    /// apart by their variant: tantivy attaches its "another IndexWriter"
    /// hint to permission errors too.
    pub fn index(path: impl AsRef<Path>, source: tantivy::TantivyError) -> Error {
        use tantivy::TantivyError::LockFailure;
        use tantivy::directory::error::LockError;
        let path = path.as_ref().to_path_buf();
        match source {
            LockFailure(LockError::LockBusy, _) => Error::Busy { path },
            LockFailure(LockError::IoError(io), _) => Error::NotWritable {
                path,
                reason: io.to_string(),
            },
            source => Error::Index { path, source },
        }
    }

    /// An index file that vanished while being opened: a concurrent
    /// rebuild or garbage collection, worth retrying.
    pub fn is_vanished_file(&self) -> bool {
        use tantivy::TantivyError;
        use tantivy::directory::error::OpenReadError;
        match self {
            Error::Index { source, .. } => match source {
                TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_)) => true,
                TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => {
                    io_error.kind() == std::io::ErrorKind::NotFound
                }
                TantivyError::IoError(io) => io.kind() == std::io::ErrorKind::NotFound,
                _ => false,
            },
            _ => false,
        }
    }

    /// A bad query, with the reason.
    pub fn query(query: &str, reason: impl Into<String>) -> Error {
        Error::Query {
            query: query.to_string(),
            reason: reason.into(),
        }
    }
}
