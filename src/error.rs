//! The one error type of quarry and the exit codes it maps to.
//!
//! Every message starts with what failed and names the path or the query,
//! so that `error: {err}` on one line is enough for a user to act on.

use std::path::{Path, PathBuf};

/// Exit code when a search printed at least one hit, or a command succeeded.
pub const EXIT_OK: i32 = 0;
/// Exit code when a search found nothing.
pub const EXIT_NO_HITS: i32 = 1;
/// Exit code for usage and query errors, and corpus problems.
pub const EXIT_ERROR: i32 = 2;
/// Exit code when another process is updating the index.
pub const EXIT_BUSY: i32 = 3;
/// Exit code when the index is damaged or was built by another version.
pub const EXIT_DAMAGED: i32 = 4;
/// Exit code for an I/O error on the index (disk full, not writable).
pub const EXIT_INDEX_IO: i32 = 5;
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
        "index {} was built by another version of quarry (schema {found}, this one reads {expected}): run 'quarry index --rebuild'",
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
    /// The index's files are damaged (checksum, missing or unreadable file).
    #[error("index {} is damaged ({file}): {reason}; run 'quarry index --rebuild'", path.display())]
    Damaged {
        path: PathBuf,
        file: String,
        reason: String,
        /// A file is missing (possibly removed by a concurrent rebuild).
        missing: bool,
    },
    /// The disk holding the index is full.
    #[error("disk full while writing index {}: {reason}", path.display())]
    DiskFull { path: PathBuf, reason: String },
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
    /// A command that reads an index found none.
    #[error("no index at {} (run 'quarry index' first)", path.display())]
    NoIndex { path: PathBuf },
    /// What `show` was asked for is not in the index.
    #[error("{what}")]
    NotFound { what: String },
    /// The configuration file is invalid.
    #[error("config file {}: {reason}", path.display())]
    Config { path: PathBuf, reason: String },
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
            Error::SchemaMismatch { .. } | Error::Damaged { .. } => EXIT_DAMAGED,
            Error::NotWritable { .. } | Error::DiskFull { .. } | Error::Index { .. } => {
                EXIT_INDEX_IO
            }
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
        use tantivy::TantivyError::{
            DataCorruption, IncompatibleIndex, InternalError, IoError, LockFailure, OpenReadError,
            SchemaError,
        };
        use tantivy::directory::error::{LockError, OpenReadError as Read};
        let path = path.as_ref().to_path_buf();
        let damaged = |file: String, reason: String, missing: bool| Error::Damaged {
            path: path.clone(),
            file,
            reason,
            missing,
        };
        match source {
            LockFailure(LockError::LockBusy, _) => Error::Busy { path },
            LockFailure(LockError::IoError(io), _) => Error::NotWritable {
                path,
                reason: io.to_string(),
            },
            DataCorruption(dc) => damaged("data".to_string(), format!("{dc:?}"), false),
            tantivy::TantivyError::DeserializeError(e) => {
                damaged("stored passages".to_string(), e.to_string(), false)
            }
            IncompatibleIndex(e) => damaged("meta.json".to_string(), format!("{e:?}"), false),
            // Every fast field of the schema is in every segment: one that
            // cannot be found was lost to a damaged `.fast` file.
            SchemaError(e) if e.contains("fast field") => {
                damaged("fast fields".to_string(), e, false)
            }
            OpenReadError(Read::FileDoesNotExist(file)) => {
                damaged(file.display().to_string(), "file missing".to_string(), true)
            }
            OpenReadError(Read::IoError { io_error, filepath })
                if io_error.kind() == std::io::ErrorKind::NotFound =>
            {
                damaged(
                    filepath.display().to_string(),
                    "file missing".to_string(),
                    true,
                )
            }
            OpenReadError(Read::IoError { io_error, filepath })
                if io_error.kind() != std::io::ErrorKind::PermissionDenied =>
            {
                damaged(filepath.display().to_string(), io_error.to_string(), false)
            }
            // Bad bytes: what the decoders report, and the errors a parser
            // makes up without an OS error (`Unsupported fst version`).
            IoError(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
                ) || (io.kind() == std::io::ErrorKind::Other
                    && io.raw_os_error().is_none()
                    && !is_disk_full(&io)) =>
            {
                damaged("segment".to_string(), io.to_string(), false)
            }
            IoError(io) if is_disk_full(&io) => Error::DiskFull {
                path,
                reason: io.to_string(),
            },
            tantivy::TantivyError::OpenWriteError(
                tantivy::directory::error::OpenWriteError::IoError { io_error, .. },
            ) if is_disk_full(&io_error) => Error::DiskFull {
                path,
                reason: io_error.to_string(),
            },
            InternalError(text) if text.contains("No space left") => {
                Error::DiskFull { path, reason: text }
            }
            source => Error::Index { path, source },
        }
    }

    /// An index file that vanished while being opened: a concurrent
    /// rebuild or garbage collection, worth retrying.
    pub fn is_vanished_file(&self) -> bool {
        matches!(self, Error::Damaged { missing: true, .. })
    }

    /// A bad query, with the reason.
    pub fn query(query: &str, reason: impl Into<String>) -> Error {
        Error::Query {
            query: query.to_string(),
            reason: reason.into(),
        }
    }
}

/// ENOSPC, directly or wrapped in another I/O error (tantivy's term
/// dictionary writer wraps it).
fn is_disk_full(io: &std::io::Error) -> bool {
    io.raw_os_error() == Some(28)
        || io.kind() == std::io::ErrorKind::StorageFull
        || io.to_string().contains("os error 28")
        || io.to_string().contains("No space left")
}

/// The message of a caught panic.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".to_string())
}
