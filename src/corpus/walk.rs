//! Finding the files of a corpus: a sorted, recursive walk that skips
//! hidden files and folders, the index folder, and files of unknown type.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::Format;
use crate::error::{Error, Result};

/// A file of the corpus that quarry can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusFile {
    /// Where the file is.
    pub path: PathBuf,
    /// Its path relative to the corpus root, `/`-separated: the key that
    /// identifies the document in the index and in output.
    pub key: String,
    pub format: Format,
    /// Size in bytes when walked.
    pub size: u64,
    /// Modification time when walked, nanoseconds since the Unix epoch.
    pub mtime: i64,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// In sorted path order.
    pub files: Vec<CorpusFile>,
    /// Files of a type quarry does not read (and symlinks, not followed).
    pub skipped: usize,
    /// Entries that could not be read: path and reason, one warning each.
    pub errors: Vec<(PathBuf, String)>,
    /// Keys of the folders and files that could not be read: what the index
    /// holds under them is kept, not taken for deleted.
    pub unreadable: Vec<String>,
}

impl Walk {
    /// Whether `key` lies in (or is) an entry that could not be read.
    pub fn is_unreadable(&self, key: &str) -> bool {
        self.unreadable.iter().any(|u| {
            u.is_empty()
                || key == u
                || key
                    .strip_prefix(u.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        })
    }
}

/// Which files of the corpus count.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Follow symbolic links (loops are detected).
    pub follow_symlinks: bool,
    /// When set, only files whose path key matches are read.
    pub include: Option<globset::GlobSet>,
    /// Files whose path key matches are left out.
    pub exclude: Option<globset::GlobSet>,
}

/// The name of the ignore file in the corpus root (gitignore syntax).
pub const IGNORE_FILE: &str = ".quarryignore";

/// Walks `root`, skipping `exclude` (the index directory, when it lies
/// inside the corpus). Symbolic links are skipped (and counted) unless
/// `options.follow_symlinks`; FIFOs, sockets and devices are skipped without
/// being opened. Files matched by the include/exclude globs or by the
/// corpus's `.quarryignore` are left out (not counted).
pub fn walk(root: &Path, exclude: Option<&Path>, options: &WalkOptions) -> Result<Walk> {
    let missing = |reason: String| Error::CorpusMissing {
        path: root.to_path_buf(),
        reason,
    };
    let root = root.canonicalize().map_err(|e| missing(e.to_string()))?;
    if !root.is_dir() {
        return Err(missing("not a directory".to_string()));
    }
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let ignore = ignore_file(&root);
    let mut found = Walk::default();
    let entries = WalkDir::new(&root)
        .follow_links(options.follow_symlinks)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(is_hidden(e.file_name())
                    || exclude.as_deref() == Some(e.path())
                    || ignore
                        .as_ref()
                        .is_some_and(|i| i.matched(e.path(), e.file_type().is_dir()).is_ignore()))
        });
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(&root).to_path_buf();
                let reason = err
                    .io_error()
                    .map_or_else(|| err.to_string(), ToString::to_string);
                found.unreadable.push(key(&root, &path));
                found.errors.push((path, reason));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Some(format) = Format::of(entry.path()).filter(|_| entry.file_type().is_file()) else {
            found.skipped += 1;
            continue;
        };
        let key = key(&root, entry.path());
        let included = options.include.as_ref().is_none_or(|g| g.is_match(&key));
        let excluded = options.exclude.as_ref().is_some_and(|g| g.is_match(&key));
        if !included || excluded {
            continue;
        }
        match entry.metadata() {
            Ok(meta) => found.files.push(CorpusFile {
                key,
                path: entry.into_path(),
                format,
                size: meta.len(),
                mtime: mtime_nanos(&meta),
            }),
            Err(err) => {
                found.unreadable.push(key);
                found.errors.push((entry.into_path(), err.to_string()));
            }
        }
    }
    Ok(found)
}

/// The corpus's `.quarryignore`, if it has one that parses.
fn ignore_file(root: &Path) -> Option<ignore::gitignore::Gitignore> {
    let path = root.join(IGNORE_FILE);
    if !path.is_file() {
        return None;
    }
    let (ignore, _errors) = ignore::gitignore::Gitignore::new(&path);
    Some(ignore)
}

/// A file's modification time in nanoseconds since the Unix epoch (0 when
/// the platform cannot tell).
pub fn mtime_nanos(meta: &std::fs::Metadata) -> i64 {
    let Ok(modified) = meta.modified() else {
        return 0;
    };
    match modified.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_nanos()).unwrap_or(i64::MAX),
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// The `/`-separated path of `path` relative to `root`. Bytes of a name
/// that are not UTF-8, and backslashes, are written `\xNN`, so the key
/// stays readable, distinct, and reversible ([`key_to_path`]).
fn key(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| escape_name(c.as_os_str().as_encoded_bytes()))
        .collect::<Vec<_>>()
        .join("/")
}

/// The file of a path key, relative to the corpus root (the inverse of the
/// escaping in [`walk`]'s keys).
pub fn key_to_path(key: &str) -> PathBuf {
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = (b == b'\\')
            .then(|| tail.strip_prefix(b"x"))
            .flatten()
            .and_then(|t| t.get(..2))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                bytes.push(byte);
                rest = &tail[3..];
            }
            None => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    path_from_bytes(bytes)
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

fn escape_name(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\x5C"));
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn walk_is_sorted_skips_hidden_unknown_and_excluded() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "b.md",
            "a/z.txt",
            "a/y.TXT",
            ".hidden.md",
            ".git/x.md",
            "img.png",
            "idx/m.md",
        ] {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "text").unwrap();
        }
        let found = walk(root, Some(&root.join("idx")), &WalkOptions::default()).unwrap();
        let keys: Vec<&str> = found.files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["a/y.TXT", "a/z.txt", "b.md"]);
        assert_eq!(found.skipped, 1);
        assert!(found.errors.is_empty());
    }

    #[test]
    fn names_that_are_not_utf8_are_escaped_reversibly() {
        assert_eq!(escape_name(b"caf\xE9.txt"), "caf\\xE9.txt");
        assert_eq!(escape_name("café.txt".as_bytes()), "café.txt");
        assert_eq!(
            escape_name(b"caf\\xE9.txt"),
            "caf\\x5CxE9.txt",
            "a literal backslash is escaped"
        );
        for name in [
            &b"caf\xE9.txt"[..],
            b"caf\\xE9.txt",
            "café/ok.md".as_bytes(),
            b"a\\b",
        ] {
            let key = escape_name(name);
            assert_eq!(
                key_to_path(&key).as_os_str().as_encoded_bytes(),
                name,
                "{key}"
            );
        }
    }

    #[test]
    fn ignore_file_and_globs_leave_files_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in ["keep/a.md", "keep/b.txt", "drafts/c.md", "notes/d.md"] {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "text").unwrap();
        }
        fs::write(root.join(".quarryignore"), "drafts/\n").unwrap();
        let glob = |p: &str| {
            let mut b = globset::GlobSetBuilder::new();
            b.add(globset::Glob::new(p).unwrap());
            Some(b.build().unwrap())
        };
        let options = WalkOptions {
            include: glob("**/*.md"),
            exclude: glob("notes/**"),
            ..WalkOptions::default()
        };
        let found = walk(root, None, &options).unwrap();
        let keys: Vec<&str> = found.files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["keep/a.md"]);
    }

    #[test]
    fn a_missing_corpus_is_an_error_naming_it() {
        let err = walk(Path::new("/no/such/corpus"), None, &WalkOptions::default()).unwrap_err();
        assert!(err.to_string().contains("/no/such/corpus"), "{err}");
    }
}
