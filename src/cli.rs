//! The command line, as plain data (clap derive). Doc comments are the
//! `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Full-text search over a folder of articles and reports: ranked passages
/// with the matching words highlighted.
#[derive(Debug, Parser)]
#[command(name = "quarry", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring the index in step with the corpus (a folder of .txt, .md, .html,
    /// .jsonl and .pdf documents): only new, changed and deleted files cost
    /// time.
    #[command(
        after_help = "Exit status: 0 done, 2 error, 3 another process is updating the index,\n130/143 stopped by SIGINT/SIGTERM (what was done is committed).\n\nExamples:\n  quarry index\n  quarry index --corpus ~/reading --index ~/.quarry\n  quarry index --rebuild"
    )]
    Index(IndexArgs),
    /// Index, then follow the corpus: changes are searchable within about a
    /// second. Stop with Ctrl-C.
    #[command(
        after_help = "Exit status: 0 stopped by SIGINT/SIGTERM (pending work committed), 2 error,\n3 another process is updating the index.\n\nExamples:\n  quarry watch\n  quarry watch --corpus ~/reading --index ~/.quarry"
    )]
    Watch(WatchArgs),
    /// Show what the index holds: documents, passages, words, size, formats,
    /// sources, dates, skipped files.
    #[command(
        after_help = "Examples:\n  quarry stats\n  quarry stats --index ~/.quarry --format json | jq .formats"
    )]
    Stats(StatsArgs),
    /// Print a document's text with its metadata, or one passage with its
    /// neighbours.
    #[command(
        after_help = "Examples:\n  quarry show reports/section-301-cyber-intrusions.md\n  quarry show 'reports/westinghouse-ap1000-indictment.md#1' --context 1 -q 'pipe routing'"
    )]
    Show(ShowArgs),
    /// Print the effective settings and where each comes from.
    #[command(
        after_help = "quarry.toml is read from QUARRY_CONFIG, else ./quarry.toml, else the user\nconfiguration directory (~/.config/quarry/quarry.toml).\n\nExamples:\n  quarry config\n  QUARRY_INDEX=/tmp/idx quarry config"
    )]
    Config(ConfigArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Example:\n  quarry completions bash > ~/.local/share/bash-completion/completions/quarry"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout.
    #[command(after_help = "Example:\n  quarry man > ~/.local/share/man/man1/quarry.1")]
    Man,
    /// Evaluate ranking against relevance judgments (qrels): nDCG, recall,
    /// MRR, MAP, computed as trec_eval does.
    #[command(
        after_help = "Queries run as --plain --any, one document per best passage.\n\nExample:\n  quarry index --corpus ../shared/data/ir-cisi --index /tmp/cisi\n  quarry eval --index /tmp/cisi --queries ../shared/data/ir-cisi/queries.jsonl \\\n              --qrels ../shared/data/ir-cisi/qrels/test.tsv"
    )]
    Eval(EvalArgs),
    /// Check the index: segment checksums, stored passages, manifest.
    #[command(
        after_help = "Exit status: 0 clean, 4 problems found (each is named; fix with\n'quarry index --rebuild').\n\nExamples:\n  quarry verify\n  quarry verify --index ~/.quarry --format json"
    )]
    Verify(VerifyArgs),
    /// Show what the next `index` would do, without changing anything.
    #[command(
        after_help = "Lines are 'A path' (added), 'M path' (modified), 'D path' (deleted),\nthen a count line.\n\nExamples:\n  quarry status\n  quarry status --checksum --format json"
    )]
    Status(StatusArgs),
    /// Search the index; builds it first when there is none.
    #[command(
        after_help = "Query syntax:\n  cyber theft          passages with both words (any form: theft, thefts)\n  cyber OR espionage   either word\n  -word, NOT word      passages without the word\n  \"pipe routing\"       the exact phrase; \"pipe routing\"~2 allows 2 words between\n  intru*               every word starting with intru\n  title:westinghouse   only in titles\n  source:\"Asia Times\" only from that source (exact, any case)\n  date:[2018-01-01 TO 2018-12-31]   only published in 2018\n  (a OR b) c           grouping\n\nExit status: 0 hits found, 1 no hits, 2 error.\n\nExamples:\n  quarry search 'cyber theft'\n  quarry search --index ~/.quarry 'Westinghouse \"pipe routing\"' --limit 5\n  quarry search intrusion --format json | jq ."
    )]
    Search(SearchArgs),
}

/// Where the corpus and the index are.
#[derive(Debug, Args)]
pub struct Paths {
    /// The folder of documents to index.
    #[arg(
        long,
        env = "QUARRY_CORPUS",
        default_value = "corpus",
        value_name = "DIR"
    )]
    pub corpus: PathBuf,
    /// Where the index is kept.
    #[arg(
        long,
        env = "QUARRY_INDEX",
        default_value = "index",
        value_name = "DIR"
    )]
    pub index: PathBuf,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub paths: Paths,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Hash every file, not only those whose size or mtime changed.
    #[arg(long)]
    pub checksum: bool,
    /// Build a fresh index and swap it in (the old one stays searchable
    /// until then).
    #[arg(long)]
    pub rebuild: bool,
    /// Allow a run that removes every document (an empty corpus).
    #[arg(long)]
    pub allow_empty: bool,
    /// Read again the files that failed before, even if unchanged.
    #[arg(long)]
    pub retry_failed: bool,
    /// Output format of the report (human goes to stderr, json to stdout).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub log: LogArgs,
}

/// How corpus files are read (shared by `index` and `watch`).
#[derive(Debug, Args)]
pub struct ReadingArgs {
    /// Files larger than this many bytes are skipped without being read;
    /// JSON Lines files are read a record at a time, and a line longer
    /// than this is skipped.
    #[arg(long, default_value_t = crate::index::DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Follow symbolic links in the corpus (loops are detected).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Indexing threads (1 to 8; default: the number of cores, at most 8).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Memory budget of an indexing run, in MiB: 64 MiB for reading and
    /// queued passages, the rest for indexing buffers (at least 15 MiB per
    /// thread) less what the largest file read whole holds.
    #[arg(long, default_value_t = crate::index::DEFAULT_MEMORY_MIB, value_name = "MIB")]
    pub memory: usize,
    /// Give up on an HTML or PDF file whose extraction takes longer.
    #[arg(long, default_value_t = 20, value_name = "SECONDS")]
    pub extract_timeout: u64,
    /// JSON Lines field names, as part=name pairs (parts: id, title, text,
    /// date, source, url), e.g. `text=body,id=docno`.
    #[arg(long, value_name = "MAP")]
    pub jsonl_fields: Option<String>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub paths: Paths,
    #[command(flatten)]
    pub reading: ReadingArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

impl Default for ReadingArgs {
    /// The values clap gives when no flag is set.
    fn default() -> ReadingArgs {
        ReadingArgs {
            max_file_size: crate::index::DEFAULT_MAX_FILE_SIZE,
            follow_symlinks: false,
            threads: None,
            memory: crate::index::DEFAULT_MEMORY_MIB,
            extract_timeout: 20,
            jsonl_fields: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub paths: Paths,
    /// The queries: `qid<TAB>query` lines or a BEIR queries.jsonl.
    #[arg(long, value_name = "FILE")]
    pub queries: std::path::PathBuf,
    /// The judgments: BEIR TSV (`query-id corpus-id score`, with a header)
    /// or TREC (`qid 0 docid rel`).
    #[arg(long, value_name = "FILE")]
    pub qrels: std::path::PathBuf,
    /// Measures, comma-separated: ndcg@K, recall@K, mrr@K, map, map@K.
    #[arg(
        long,
        default_value = "ndcg@10,recall@100,mrr@10,map",
        value_name = "LIST"
    )]
    pub metrics: String,
    /// Documents retrieved per query (default: 1000).
    #[arg(short = 'n', long, default_value_t = 1000, value_name = "N")]
    pub limit: usize,
    /// Also print each query's measures.
    #[arg(long)]
    pub per_query: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub paths: Paths,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A document's path key, or `PATH#PASSAGE` for one passage.
    #[arg(value_name = "PATH[#PASSAGE]")]
    pub target: String,
    #[command(flatten)]
    pub paths: Paths,
    /// Highlight what this query matches, as search does.
    #[arg(short = 'q', long, value_name = "QUERY")]
    pub query: Option<String>,
    /// With PATH#PASSAGE: also show N passages before and after it.
    #[arg(short = 'C', long, default_value_t = 0, value_name = "N")]
    pub context: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub format: ShowFormat,
    #[command(flatten)]
    pub style: StyleArgs,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub paths: Paths,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Where the index is kept.
    #[arg(
        long,
        env = "QUARRY_INDEX",
        default_value = "index",
        value_name = "DIR"
    )]
    pub index: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub paths: Paths,
    /// Hash every file, not only those whose size or mtime changed.
    #[arg(long)]
    pub checksum: bool,
    /// Follow symbolic links in the corpus, as `index --follow-symlinks`.
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable lines.
    Human,
    /// One JSON object on stdout.
    Json,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query; several arguments are joined with spaces.
    #[arg(required_unless_present = "queries", value_name = "QUERY")]
    pub query: Vec<String>,
    /// Run every query of FILE (`qid<TAB>query` lines, or a BEIR
    /// queries.jsonl with `_id` and `text`) against one open index; needs
    /// `--format trec`.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub queries: Option<std::path::PathBuf>,
    /// The query is words only: `?`, `:`, quotes and parentheses are text,
    /// not operators (natural-language questions).
    #[arg(long)]
    pub plain: bool,
    /// The run tag in `--format trec` lines.
    #[arg(long, default_value = "quarry", value_name = "TAG")]
    pub run_tag: String,
    /// What `--format trec` ranks: documents (scored by their best passage)
    /// or passages (`docid#passage`).
    #[arg(long, value_enum, default_value_t = GranularityArg::Document)]
    pub granularity: GranularityArg,
    #[command(flatten)]
    pub paths: Paths,
    /// Match passages that have any of the words, not all.
    #[arg(long)]
    pub any: bool,
    /// Number of hits to show.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Number of hits to skip (for paging).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Only documents published on or after this date (YYYY-MM-DD, YYYY-MM
    /// or YYYY).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only documents published on or before this date (the whole day,
    /// month or year counts).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only documents from this source (exact, ignoring case).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Only documents whose path matches this glob (`*` within a folder,
    /// `**` across folders), e.g. 'reports/**'.
    #[arg(long, value_name = "GLOB")]
    pub path: Option<String>,
    /// Order of hits: relevance, or date (newest first).
    #[arg(long, value_enum, default_value_t = SortOrder::Relevance)]
    pub sort: SortOrder,
    /// At most N passages per document; the document's other hits are
    /// counted in its header (0: no limit).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub per_doc: usize,
    /// Show N neighbouring passages around each hit (dimmed).
    #[arg(short = 'C', long, default_value_t = 0, value_name = "N")]
    pub context: usize,
    /// Print only the number of matching passages.
    #[arg(short = 'c', long)]
    pub count: bool,
    /// Show how each hit's score is made (per term BM25, boosts).
    #[arg(long)]
    pub explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub style: StyleArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// Colours, links and terminal manners shared by the commands that print
/// passages.
#[derive(Debug, Args)]
pub struct StyleArgs {
    /// When to use colour: auto uses it on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// When to make paths clickable links to the files (OSC 8): auto when
    /// stdout is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub hyperlinks: ColorChoice,
}

/// How much quarry says on stderr.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// More on stderr: -v debug logs, -vv trace logs.
    #[arg(short = 'v', long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Nothing on stderr but errors.
    #[arg(short = 'q', long, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortOrder {
    /// Best score first.
    Relevance,
    /// Newest first (undated documents last).
    Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Readable results with highlights.
    Human,
    /// JSON Lines: one object per hit, then a summary.
    Json,
    /// Only the paths of matching documents, best first, one per line.
    Paths,
    /// TREC run lines: `qid Q0 docid rank score tag`.
    Trec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// The text with its metadata, highlights in colour.
    Human,
    /// One object: the metadata and every passage shown.
    Json,
    /// Only the document's path.
    Paths,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GranularityArg {
    Document,
    Passage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn query_words_are_collected_and_limit_has_a_short_flag() {
        let cli = Cli::try_parse_from(["quarry", "search", "cyber", "theft", "-n", "3"]).unwrap();
        let Command::Search(args) = cli.command else {
            panic!("not search")
        };
        assert_eq!(args.query, ["cyber", "theft"]);
        assert_eq!(args.limit, 3);
    }
}
