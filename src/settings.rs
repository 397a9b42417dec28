//! From parsed arguments to what a command runs with: the query string,
//! the colour decision, the paths. Everything that depends on the
//! environment (terminal, `NO_COLOR`) is decided here.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{ColorChoice, OutputFormat, ReadingArgs, SearchArgs, SortOrder};
use crate::corpus::{ExtractOptions, FieldMap};
use crate::error::{Error, Result};
use crate::index;
use crate::output::Styles;
use crate::search::{Filter, Mode, Request, Sort};

/// Resolved settings of `quarry search`.
#[derive(Debug)]
pub struct SearchSettings {
    pub corpus: PathBuf,
    pub index: PathBuf,
    pub request: Request,
    pub format: OutputFormat,
    pub styles: Styles,
}

impl SearchSettings {
    pub fn new(args: SearchArgs) -> Result<SearchSettings> {
        let SearchArgs {
            query,
            paths,
            any,
            limit,
            offset,
            since,
            until,
            source,
            path,
            sort,
            format,
            color,
        } = args;
        let mut filters = Vec::new();
        if since.is_some() || until.is_some() {
            let filter =
                Filter::date_range(since.as_deref(), until.as_deref()).map_err(|reason| {
                    Error::Argument {
                        flag: "--since/--until",
                        reason,
                    }
                })?;
            filters.push(filter);
        }
        if let Some(source) = source {
            filters.push(Filter::Source(source.trim().to_lowercase()));
        }
        Ok(SearchSettings {
            corpus: paths.corpus,
            index: paths.index,
            request: Request {
                query: query.join(" "),
                mode: if any { Mode::Any } else { Mode::All },
                limit,
                offset,
                filters,
                path_glob: path,
                sort: match sort {
                    SortOrder::Relevance => Sort::Relevance,
                    SortOrder::Date => Sort::Date,
                },
            },
            format,
            styles: if use_color(color) {
                Styles::colored()
            } else {
                Styles::plain()
            },
        })
    }
}

/// `always`, `never`, or (auto) when stdout is a terminal and `NO_COLOR`
/// is unset or empty.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            !no_color && std::io::stdout().is_terminal()
        }
    }
}

/// How corpus files are read, from `--max-file-size`, `--follow-symlinks`
/// and `--jsonl-fields`.
pub fn reading_options(args: &ReadingArgs) -> Result<index::Options> {
    let jsonl_fields = match &args.jsonl_fields {
        None => FieldMap::default(),
        Some(spec) => {
            FieldMap::default()
                .with_overrides(spec)
                .map_err(|reason| Error::Argument {
                    flag: "--jsonl-fields",
                    reason,
                })?
        }
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(index::MAX_THREADS)
    });
    if !(1..=index::MAX_THREADS).contains(&threads) {
        return Err(Error::Argument {
            flag: "--threads",
            reason: format!("{threads} is not between 1 and {}", index::MAX_THREADS),
        });
    }
    let per_thread = args.memory / threads;
    if !(index::MIN_MIB_PER_THREAD..=index::MAX_MIB_PER_THREAD).contains(&per_thread) {
        return Err(Error::Argument {
            flag: "--memory",
            reason: format!(
                "{} MiB for {threads} thread(s) is {per_thread} MiB each; each thread needs {} to {} MiB",
                args.memory,
                index::MIN_MIB_PER_THREAD,
                index::MAX_MIB_PER_THREAD
            ),
        });
    }
    Ok(index::Options {
        threads,
        memory: args.memory * 1024 * 1024,
        max_file_size: args.max_file_size,
        follow_symlinks: args.follow_symlinks,
        extract: ExtractOptions {
            jsonl_fields,
            html_timeout: std::time::Duration::from_secs(args.extract_timeout),
            pdf: crate::corpus::pdf::Limits {
                timeout: std::time::Duration::from_secs(args.extract_timeout),
                ..Default::default()
            },
        },
        ..index::Options::default()
    })
}
