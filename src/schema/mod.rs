//! Field names, the tantivy schema, the analyzers and the schema version.
//!
//! One tantivy document is one *passage*. The text fields (`title`,
//! `body`) are stemmed, with positions: they answer words and phrases.
//! `word*` prefixes need the words themselves (a stemmed dictionary holds
//! `run` for `running`, and `runn*` would miss it), so each passage also
//! lists, in its `words` field (doc ids only), the words of its file that
//! stemming changes and that no earlier passage of the file listed (on the
//! same indexing thread; see `words.rs`): a prefix expands over their
//! dictionary and over the dictionary of stems, and each word it finds is
//! searched as a word is. The analyzer notes these words as it stems them,
//! so listing them costs a fraction of indexing a token-by-token unstemmed
//! copy of the text (BENCHMARKS.md).
//!
//! `path` is the document's key (`reports/x.pdf`, or `news.jsonl#id` for a
//! record of a collection); `file` is the file it came from. The first
//! passage of each file (`record = 1`) carries the file's record (size,
//! mtime, content hash, extractor version, passage count, failure): together
//! these are the *manifest*, committed atomically with the passages. A file
//! that yields no passage (or failed) gets one record-only document
//! (`kind = file`). Only passages are ever hits.

mod analyzer;
mod tokenizer;
mod words;

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument};

pub use analyzer::stem;
pub use tokenizer::WordTokenizer;

/// Bumped whenever the schema, an analyzer or the passage rules change in a
/// way that makes an existing index wrong for this build.
pub const SCHEMA_VERSION: u32 = 11;

/// `kind` of a passage document.
pub const KIND_PASSAGE: &str = "passage";
/// `kind` of the record-only document of a file without passages.
pub const KIND_FILE: &str = "file";

/// Lucene's English stop words: so frequent they only add noise to a
/// score. Dropped from the stemmed fields (positions keep their gaps, so
/// phrases still line up) and never listed as words.
pub const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Analyzer of the stemmed fields: words, NFKC, lowercase, ASCII folding,
/// stop words dropped, English Snowball stemming.
pub const STEMMED_ANALYZER: &str = "quarry_en";

/// Tokenizer of the `words` field: the words the stemmed analyzer noted
/// for the passage (see `words.rs`).
const LISTED_WORDS_ANALYZER: &str = "quarry_listed";

/// Tokens longer than this many bytes are dropped (as tantivy's own
/// analyzers do): they are base64, hashes or URLs, never words.
const MAX_TOKEN_BYTES: usize = 40;

/// An occurrence of a word in the title counts as this many in the body
/// (a BM25F field weight; phrases and prefixes multiply a title match's
/// score by it).
pub const TITLE_WEIGHT: f32 = 2.0;

/// A document's path key as a number: its xxh3-64 hash. Two documents of
/// one index sharing a key is as likely as a 64-bit hash collision; they
/// would be grouped as one.
pub fn document_key(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes())
}

/// The fields of a passage document.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Path key of the document, relative to the corpus root, `/`-separated.
    pub path: Field,
    /// The path key as a number ([`document_key`]): what grouping by
    /// document compares, without reading strings.
    pub doc_key: Field,
    /// Passage number inside the document, from 0.
    pub passage: Field,
    /// Byte offset where the passage starts in the document's text.
    pub start: Field,
    /// Byte offset where the passage ends (exclusive).
    pub end: Field,
    pub title: Field,
    pub body: Field,
    /// Words (normalised, unstemmed) of the passage that stemming changes
    /// and that no earlier passage of its file listed (see the module
    /// doc). Its value, as written, is the file's key.
    pub words: Field,
    /// Publication date, ISO 8601 as read (stored only: filters and
    /// sorting use `date_ts`).
    pub date: Field,
    /// Stored only: `source:` filters use `source_key`.
    pub source: Field,
    /// Stored only, as `author` and `doc_id`: shown, never searched (each
    /// indexed field costs every passage a term when indexing).
    pub url: Field,
    /// [`KIND_PASSAGE`] or [`KIND_FILE`].
    pub kind: Field,
    pub file_size: Field,
    /// Modification time, nanoseconds since the Unix epoch.
    pub file_mtime: Field,
    pub file_hash: Field,
    pub extractor: Field,
    /// Number of passages of the file.
    pub passages: Field,
    /// The file a passage came from (its path key).
    pub file: Field,
    /// 1 on the one document per file that holds its manifest record.
    pub record: Field,
    /// 1 when the file could not be extracted (remembered, not retried
    /// until it changes).
    pub failed: Field,
    /// The record id of a collection's document (JSON Lines `id`).
    pub doc_id: Field,
    /// 1-based page of a paged document (PDF).
    pub page: Field,
    pub author: Field,
    /// Publication date as seconds since the epoch, for filters and sorting.
    pub date_ts: Field,
    /// Source, lowercased, for exact case-insensitive filters.
    pub source_key: Field,
    /// Why a file could not be extracted (on its record-only document).
    pub failure: Field,
}

/// What the manifest records of an indexed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub size: u64,
    /// Nanoseconds since the Unix epoch.
    pub mtime: i64,
    /// xxh3-64 of the file's bytes.
    pub hash: u64,
    /// Version of the extractor that read it.
    pub extractor: u64,
    pub passages: u64,
    /// Extraction failed (the file is remembered so it is not retried
    /// until it changes).
    pub failed: bool,
}

/// A searchable text field of a passage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextField {
    Title,
    Body,
}

impl TextField {
    /// Every text field, in the order the query front end lists them.
    pub const ALL: [TextField; 2] = [TextField::Title, TextField::Body];

    /// The name used in queries (`title:word`).
    pub fn name(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Body => "body",
        }
    }

    /// The field by its query name.
    pub fn from_name(name: &str) -> Option<TextField> {
        TextField::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl Fields {
    /// The stemmed tantivy field of a text field.
    pub fn stemmed(&self, field: TextField) -> Field {
        match field {
            TextField::Title => self.title,
            TextField::Body => self.body,
        }
    }
}

/// A stored text field, stemmed with positions (words and phrases).
fn stemmed_text() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(STEMMED_ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default()
        .set_indexing_options(indexing)
        .set_stored()
}

/// The `words` field: listed words, doc ids only, nothing stored.
fn listed_words() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(LISTED_WORDS_ANALYZER)
        .set_index_option(IndexRecordOption::Basic)
        .set_fieldnorms(false);
    TextOptions::default().set_indexing_options(indexing)
}

/// Builds the passage schema. `words` must come after `title` and `body`
/// (see `words.rs`).
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        path: b.add_text_field("path", STRING | STORED | FAST),
        doc_key: b.add_u64_field("doc_key", INDEXED | FAST),
        // `passage` and `date_ts` are only ever read in ranges, which
        // tantivy answers from a fast field: indexing them too cost every
        // passage a term (1% of indexing's instructions).
        passage: b.add_u64_field("passage", STORED | FAST),
        start: b.add_u64_field("start", STORED),
        end: b.add_u64_field("end", STORED),
        title: b.add_text_field("title", stemmed_text()),
        body: b.add_text_field("body", stemmed_text()),
        words: b.add_text_field("words", listed_words()),
        date: b.add_text_field("date", STORED),
        source: b.add_text_field("source", STORED),
        url: b.add_text_field("url", STORED),
        kind: b.add_text_field("kind", STRING),
        file_size: b.add_u64_field("file_size", STORED | FAST),
        file_mtime: b.add_i64_field("file_mtime", STORED | FAST),
        file_hash: b.add_u64_field("file_hash", FAST),
        extractor: b.add_u64_field("extractor", FAST),
        passages: b.add_u64_field("passages", FAST),
        file: b.add_text_field("file", STRING | STORED | FAST),
        record: b.add_u64_field("record", FAST),
        failed: b.add_u64_field("failed", FAST),
        doc_id: b.add_text_field("doc_id", STORED),
        page: b.add_u64_field("page", STORED),
        author: b.add_text_field("author", STORED),
        date_ts: b.add_i64_field("date_ts", STORED | FAST),
        source_key: b.add_text_field("source_key", STRING),
        failure: b.add_text_field("failure", STORED),
    };
    (b.build(), fields)
}

/// The analyzer of the stemmed fields: words, NFKC, lowercase, ASCII
/// folding, stop words dropped, English Snowball stemming.
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(analyzer::Analyzer::stemmed())
}

/// The analyzer of words as a prefix is read: the same without stop
/// words and stemming.
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(analyzer::Analyzer::words())
}

/// Registers quarry's analyzers on an index; needed every time one is
/// opened, because tantivy keeps only their names on disk. Only an index
/// writer runs them: the stemmed one notes the words a stem changes, for
/// the `words` field to list.
pub fn register_analyzers(index: &Index) {
    let manager = index.tokenizers();
    manager.register(
        STEMMED_ANALYZER,
        TextAnalyzer::from(analyzer::Analyzer::indexing()),
    );
    manager.register(
        LISTED_WORDS_ANALYZER,
        TextAnalyzer::from(words::ListedWords::default()),
    );
}

/// The metadata and text of one passage, ready to be written.
pub struct PassageDoc<'a> {
    /// The document's key.
    pub path: &'a str,
    /// The file's key.
    pub file: &'a str,
    pub doc_id: Option<&'a str>,
    pub passage: u64,
    pub start: u64,
    pub end: u64,
    pub page: Option<u32>,
    pub title: &'a str,
    pub body: &'a str,
    /// ISO 8601 text and seconds since the epoch.
    pub date: Option<(&'a str, i64)>,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub author: Option<&'a str>,
    /// The file's size and mtime when indexed (on every passage: a search
    /// tells stale hits by them).
    pub stamp: (u64, i64),
    /// The file's record, written on the file's first passage only.
    pub record: Option<FileRecord>,
}

impl Fields {
    /// Turns a passage into a tantivy document of this schema.
    pub fn document(&self, p: &PassageDoc<'_>) -> TantivyDocument {
        // Room for every value at once (numbers take 8 bytes each, strings
        // their length and a few bytes; the file key is written twice, as
        // `file` and as `words`, and the source as read and lowercased): a
        // passage's text is bigger than the 1 KiB a default document
        // starts with, and growing it copies.
        let strings = [p.path, p.file, p.title, p.body, p.file]
            .iter()
            .chain(p.date.as_ref().map(|(iso, _)| iso))
            .chain(
                [p.source, p.source, p.url, p.author, p.doc_id]
                    .iter()
                    .flatten(),
            )
            .map(|s| s.len() + 4)
            .sum::<usize>();
        let mut doc = TantivyDocument::with_capacity(strings + 16 * 8);
        doc.add_text(self.path, p.path);
        doc.add_u64(self.doc_key, document_key(p.path));
        doc.add_text(self.file, p.file);
        doc.add_u64(self.passage, p.passage);
        doc.add_u64(self.start, p.start);
        doc.add_u64(self.end, p.end);
        doc.add_text(self.title, p.title);
        doc.add_text(self.body, p.body);
        doc.add_text(self.words, p.file);
        doc.add_text(self.kind, KIND_PASSAGE);
        if let Some(page) = p.page {
            doc.add_u64(self.page, u64::from(page));
        }
        if let Some((iso, seconds)) = p.date {
            doc.add_text(self.date, iso);
            doc.add_i64(self.date_ts, seconds);
        }
        if let Some(source) = p.source {
            doc.add_text(self.source, source);
            doc.add_text(self.source_key, source.to_lowercase());
        }
        for (field, value) in [
            (self.url, p.url),
            (self.author, p.author),
            (self.doc_id, p.doc_id),
        ] {
            if let Some(value) = value {
                doc.add_text(field, value);
            }
        }
        doc.add_u64(self.file_size, p.stamp.0);
        doc.add_i64(self.file_mtime, p.stamp.1);
        if let Some(record) = &p.record {
            self.add_record(&mut doc, record);
        }
        doc
    }

    /// The record-only document of a file that has no passage.
    pub fn placeholder(
        &self,
        file: &str,
        record: &FileRecord,
        failure: Option<&str>,
    ) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.path, file);
        doc.add_text(self.file, file);
        doc.add_u64(self.passage, 0);
        doc.add_text(self.kind, KIND_FILE);
        doc.add_u64(self.file_size, record.size);
        doc.add_i64(self.file_mtime, record.mtime);
        if let Some(failure) = failure {
            doc.add_text(self.failure, failure);
        }
        self.add_record(&mut doc, record);
        doc
    }

    /// Adds the manifest record to a document (size and mtime it holds
    /// already): to a file's first passage, or its record-only document.
    pub fn add_record(&self, doc: &mut TantivyDocument, record: &FileRecord) {
        doc.add_u64(self.record, 1);
        doc.add_u64(self.file_hash, record.hash);
        doc.add_u64(self.extractor, record.extractor);
        doc.add_u64(self.passages, record.passages);
        doc.add_u64(self.failed, u64::from(record.failed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenStream;

    fn terms(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn stemmed_analyzer_folds_case_accents_and_inflections() {
        let got = terms(stemmed_analyzer(), "Intrusions Café cafe\u{301} RUNNING");
        assert_eq!(got, ["intrus", "cafe", "cafe", "run"]);
    }

    #[test]
    fn query_and_text_spellings_meet() {
        // Each pair must analyze to the same terms (issue 6: Unicode).
        for (text, query) in [
            ("İstanbul", "istanbul"),
            ("ISTANBUL", "istanbul"),
            ("e\u{301}clair", "éclair"),
            ("éclair", "e\u{301}clair"),
            ("２０１８", "2018"),
            ("ﬁnance", "finance"),
            ("ΣΊΣΥΦΟΣ", "σίσυφος"),
            ("Straße", "strasse"),
        ] {
            assert_eq!(
                terms(stemmed_analyzer(), text),
                terms(stemmed_analyzer(), query),
                "{text} vs {query}"
            );
        }
    }

    #[test]
    fn each_passage_lists_the_changed_words_of_its_own_title_and_body() {
        // The `words` field is indexed after title and body, on the same
        // thread, and takes the words the analyzer noted for them.
        let (schema, fields) = build_schema();
        let index = Index::create_in_ram(schema);
        register_analyzers(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (file, title, body) in [
            ("a.txt", "Running", "steel"),
            ("b.txt", "Steel", "tariffs and running"),
        ] {
            writer
                .add_document(fields.document(&PassageDoc {
                    path: file,
                    file,
                    doc_id: None,
                    passage: 0,
                    start: 0,
                    end: 0,
                    page: None,
                    title,
                    body,
                    date: None,
                    source: None,
                    url: None,
                    author: None,
                    stamp: (0, 0),
                    record: None,
                }))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let docs = |word: &str| {
            let term = tantivy::Term::from_field_text(fields.words, word);
            let mut docs = Vec::new();
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(fields.words).unwrap();
                if let Some(mut postings) = inverted
                    .read_postings(&term, IndexRecordOption::Basic)
                    .unwrap()
                {
                    use tantivy::DocSet;
                    while postings.doc() != tantivy::TERMINATED {
                        docs.push(postings.doc());
                        postings.advance();
                    }
                }
            }
            docs
        };
        assert_eq!(docs("running"), [0, 1]);
        assert_eq!(docs("tariffs"), [1]);
        assert!(docs("steel").is_empty(), "its own stem");
    }

    #[test]
    fn words_analyzer_keeps_the_whole_word() {
        let got = terms(words_analyzer(), "Intrusions Running");
        assert_eq!(got, ["intrusions", "running"]);
    }
}
