//! From parsed arguments to what a command runs with: paths, options,
//! colours, links, width. Everything that depends on the environment
//! (configuration file, terminal, `NO_COLOR`) is decided here, in one
//! order: flags, then environment variables, then `quarry.toml`, then
//! defaults.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ArgMatches;

use crate::cli::{
    ColorChoice, GranularityArg, OutputFormat, Paths, ReadingArgs, SearchArgs, SortOrder, StyleArgs,
};
use crate::config::{Config, Origin, expand_home};
use crate::corpus::{ExtractOptions, FieldMap};
use crate::error::{Error, Result};
use crate::index;
use crate::output::Styles;
use crate::output::human::Look;
use crate::search::batch::Granularity;
use crate::search::{Filter, Mode, Request, Sort};

/// The corpus and index folders, with where each came from.
#[derive(Clone, Debug)]
pub struct Places {
    pub corpus: (PathBuf, Origin),
    pub index: (PathBuf, Origin),
}

/// Resolves `--corpus` and `--index` against the configuration.
pub fn places(paths: &Paths, config: &Config, matches: Option<&ArgMatches>) -> Places {
    let file = &config.values;
    let corpus = config.pick(
        matches,
        "corpus",
        "QUARRY_CORPUS",
        paths.corpus.clone(),
        file.corpus.clone(),
    );
    let index = config.pick(
        matches,
        "index",
        "QUARRY_INDEX",
        paths.index.clone(),
        file.index.clone(),
    );
    Places {
        corpus: (expand_home(&corpus.0), corpus.1),
        index: (expand_home(&index.0), index.1),
    }
}

/// Colours, links and width from `--color`, `--hyperlinks`, the
/// configuration and the terminal.
pub fn look(style: &StyleArgs, config: &Config, matches: Option<&ArgMatches>) -> Result<Look> {
    let from_file = match config.values.color.as_deref() {
        None => None,
        Some("auto") => Some(ColorChoice::Auto),
        Some("always") => Some(ColorChoice::Always),
        Some("never") => Some(ColorChoice::Never),
        Some(other) => {
            return Err(Error::Config {
                path: config.file.clone().unwrap_or_default(),
                reason: format!("color '{other}' is not auto, always or never"),
            });
        }
    };
    let (color, _) = config.pick(matches, "color", "", style.color, from_file);
    let terminal = std::io::stdout().is_terminal();
    let hyperlinks = match style.hyperlinks {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var("TERM").map_or(true, |t| t != "dumb"),
    };
    let width = terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, _)| usize::from(w.0))
        .filter(|_| terminal)
        .unwrap_or(100);
    Ok(Look {
        styles: if use_color(color) {
            Styles::colored()
        } else {
            Styles::plain()
        },
        hyperlinks,
        width,
    })
}

/// A batch run's settings.
#[derive(Debug)]
pub struct Batch {
    /// The queries file; `None` runs the one query given, as query `1`.
    pub queries: Option<PathBuf>,
    pub run_tag: String,
    pub granularity: Granularity,
}

/// Resolved settings of `quarry search`.
#[derive(Debug)]
pub struct SearchSettings {
    pub corpus: PathBuf,
    pub index: PathBuf,
    pub request: Request,
    pub count_only: bool,
    /// Set for `--queries FILE` or `--format trec`.
    pub batch: Option<Batch>,
    pub look: Look,
    pub format: OutputFormat,
}

impl SearchSettings {
    pub fn new(
        args: SearchArgs,
        config: &Config,
        matches: Option<&ArgMatches>,
    ) -> Result<SearchSettings> {
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
            per_doc,
            context,
            count,
            explain,
            format,
            style,
            log: _,
            queries,
            plain,
            run_tag,
            granularity,
        } = args;
        let batch = (queries.is_some() || format == OutputFormat::Trec).then_some(Batch {
            queries,
            run_tag,
            granularity: match granularity {
                GranularityArg::Document => Granularity::Document,
                GranularityArg::Passage => Granularity::Passage,
            },
        });
        let places = places(&paths, config, matches);
        let look = look(&style, config, matches)?;
        let (limit, _) = config.pick(matches, "limit", "", limit, config.values.limit);
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
            corpus: places.corpus.0,
            index: places.index.0,
            count_only: count,
            batch,
            look,
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
                per_doc,
                context,
                explain,
                plain,
                count_more: true,
                highlight: true,
            },
            format,
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
pub fn reading_options(args: &ReadingArgs, config: &Config) -> Result<index::Options> {
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
    let threads = memory_threads(args)?;
    let bounds = match config.values.passage {
        None => crate::passage::Bounds::default(),
        Some(p) => {
            if !(1 <= p.min && p.min <= p.target && p.target <= p.max) {
                return Err(Error::Config {
                    path: config.file.clone().unwrap_or_default(),
                    reason: "[passage] needs 1 <= min <= target <= max".to_string(),
                });
            }
            crate::passage::Bounds {
                min: p.min,
                target: p.target,
                max: p.max,
            }
        }
    };
    Ok(index::Options {
        threads,
        memory: args.memory * 1024 * 1024,
        max_file_size: args.max_file_size,
        walk: crate::corpus::WalkOptions {
            follow_symlinks: args.follow_symlinks,
            include: globs(&config.values.include, config)?,
            exclude: globs(&config.values.exclude, config)?,
        },
        extract: ExtractOptions {
            jsonl_fields,
            bounds,
            html_timeout: std::time::Duration::from_secs(args.extract_timeout),
            pdf: crate::corpus::pdf::Limits {
                timeout: std::time::Duration::from_secs(args.extract_timeout),
                ..Default::default()
            },
        },
        ..index::Options::default()
    })
}

/// The most indexing threads, checked against `--memory`: each needs 15 to
/// 4095 MiB of buffers out of what the budget leaves after
/// [`index::RESERVE_MIB`]. Without `--threads`, as many as there are
/// cores (at most 8) and the budget allows.
fn memory_threads(args: &ReadingArgs) -> Result<usize> {
    if let Some(threads) = args.threads
        && !(1..=index::MAX_THREADS).contains(&threads)
    {
        return Err(Error::Argument {
            flag: "--threads",
            reason: format!("{threads} is not between 1 and {}", index::MAX_THREADS),
        });
    }
    let buffers = args.memory.saturating_sub(index::RESERVE_MIB);
    let threads = args.threads.unwrap_or_else(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores
            .min(index::MAX_THREADS)
            .min(buffers / index::MIN_MIB_PER_THREAD)
            .max(1)
    });
    let least = index::RESERVE_MIB + index::MIN_MIB_PER_THREAD * threads;
    if args.memory < least || args.memory / threads > index::MAX_MIB_PER_THREAD {
        return Err(Error::Argument {
            flag: "--memory",
            reason: format!(
                "{} MiB for {threads} thread(s): each thread needs {} to {} MiB of buffers, \
                 and {} MiB go to reading, so at least {least} MiB",
                args.memory,
                index::MIN_MIB_PER_THREAD,
                index::MAX_MIB_PER_THREAD,
                index::RESERVE_MIB,
            ),
        });
    }
    Ok(threads)
}

/// A glob set from the configuration's `include` or `exclude` (none when
/// the list is empty).
fn globs(patterns: &[String], config: &Config) -> Result<Option<globset::GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| Error::Config {
                path: config.file.clone().unwrap_or_default(),
                reason: format!("glob '{pattern}': {}", e.kind()),
            })?;
        builder.add(glob);
    }
    builder.build().map(Some).map_err(|e| Error::Config {
        path: config.file.clone().unwrap_or_default(),
        reason: e.to_string(),
    })
}
