//! Importing documents from files: `.jsonl` (the corpus format), `.txt`, `.md`, `.docx`, saved web
//! pages (`.html`/`.htm`) and `.zip` archives of those, from disk (`wenyuan import`) or from
//! uploaded bytes ([`Importer::import_upload`]). Each document file is one document, stored whole
//! or not at all; a `.jsonl` file is many, stored in batches, and a bad line fails alone; each
//! entry of a `.zip` is imported as its own file, with its own result.
//!
//! The bytes are read (unpacked, decoded, parsed) off the async workers within a time budget
//! ([`offload`], [`prepare`]); only then are the documents stored, so a file refused as a whole
//! leaves nothing behind.

pub mod dedecms;
mod formats;
pub mod offload;
mod prepare;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wenyuan_store::NewArticle;
use wenyuan_text::archive::{human_size, ArchiveLimits};
use wenyuan_text::{content_hash, AnonymizeOptions, Anonymizer};

use super::anonymize::Anonymization;
use super::near_duplicates::hold::FingerprintedBatch;
pub use super::near_duplicates::hold::ImportOutcome;
use super::near_duplicates::NearDuplicates;
use crate::{Access, CoreError, Result, Status};
use formats::FileKind;
use offload::{Parsing, DEFAULT_PARSE_BUDGET};
use prepare::{prepare_file, prepare_jsonl, Piece, Prepared};

/// Files (and uploads, and zip entries) larger than this are refused by default: no real 范文 is
/// that long, and a document file is read whole.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// A single `.jsonl` line larger than this is refused.
const MAX_JSONL_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Documents per transaction for `.jsonl`: big enough to amortise the commit, small enough that a
/// reader never waits long for the write lock.
const JSONL_BATCH: usize = 500;
/// Bytes of `.jsonl` lines read from a stream before they are parsed and stored.
const JSONL_BATCH_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Category for documents that name none (a `.jsonl` record's or front matter's wins).
    pub category: Option<String>,
    /// Access level for documents whose front matter names none.
    pub access: Access,
    /// Status of the imported documents: uploads may come in as `draft`.
    pub status: Status,
    /// Larger document files, uploads and zip entries are refused. `.jsonl` files on disk are
    /// streamed and not held to it.
    pub max_file_bytes: u64,
    /// Publish documents close to a stored one (or to an earlier one of the same import) instead
    /// of holding them as `pending` for an editor (`--allow-near-duplicates`).
    pub allow_near_duplicates: bool,
    /// 模板化 on import: every replacement this anonymiser proposes is applied to the title and
    /// text before the document is stored (`wenyuan import --anonymize`; the upload form's box).
    pub anonymize: Option<Anonymizer>,
    /// How long one file (an upload, a zip with its entries, a batch of `.jsonl` lines) may take
    /// to parse before it is refused.
    pub parse_budget: Duration,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            category: None,
            access: Access::Public,
            status: Status::Published,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            allow_near_duplicates: false,
            anonymize: None,
            parse_budget: DEFAULT_PARSE_BUDGET,
        }
    }
}

impl ImportOptions {
    /// The limits a `.zip` upload or a `.docx` is read under: the per-file limit applies to
    /// each entry.
    fn archive_limits(&self) -> ArchiveLimits {
        ArchiveLimits {
            max_entry_bytes: self.max_file_bytes,
            ..ArchiveLimits::default()
        }
    }
}

/// What became of one file (or `.jsonl` record, or zip entry).
#[derive(Debug, Clone, PartialEq)]
pub struct FileResult {
    /// The file: a path, an upload name, `archive.zip!folder/a.docx`, or `file.jsonl:12`.
    pub place: String,
    pub outcome: FileOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileOutcome {
    Imported {
        id: i64,
    },
    /// The same title and text is already stored as document `of`.
    Duplicate {
        of: i64,
    },
    /// Stored as `id`, but close to document `of`: `held` says whether it waits as `pending` for
    /// an editor (the default) or was published anyway.
    NearDuplicate {
        id: i64,
        of: i64,
        similarity: f64,
        held: bool,
    },
    Failed {
        reason: String,
    },
}

impl FileResult {
    fn failed(place: impl Into<String>, reason: impl Into<String>) -> Self {
        FileResult {
            place: place.into(),
            outcome: FileOutcome::Failed {
                reason: reason.into(),
            },
        }
    }

    fn inserted(place: impl Into<String>, outcome: ImportOutcome) -> Self {
        FileResult {
            place: place.into(),
            outcome: match outcome {
                ImportOutcome::Inserted { id } => FileOutcome::Imported { id },
                ImportOutcome::Duplicate { of } => FileOutcome::Duplicate { of },
                ImportOutcome::NearDuplicate { id, of, held } => FileOutcome::NearDuplicate {
                    id,
                    of: of.id,
                    similarity: of.similarity,
                    held,
                },
            },
        }
    }
}

/// One document or file that could not be imported, and why.
#[derive(Debug, Clone)]
pub struct ImportFailure {
    /// The file, with `:line` for a `.jsonl` record.
    pub place: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub imported: usize,
    pub skipped: usize,
    pub failures: Vec<ImportFailure>,
    /// Ids of the documents inserted, in order.
    pub inserted_ids: Vec<i64>,
    /// The files skipped as duplicates, with the id of the document they duplicate.
    pub duplicates: Vec<(String, i64)>,
    /// Inserted documents close to another: (place, new id, id of the other, similarity).
    /// Counted in `imported` too; held as `pending` unless the import allowed near-duplicates.
    pub near_duplicates: Vec<(String, i64, i64, f64)>,
    /// How many of `near_duplicates` were held as `pending`.
    pub held: usize,
}

impl ImportReport {
    /// Documents dealt with so far: imported, skipped or failed.
    pub fn documents(&self) -> usize {
        self.imported + self.skipped + self.failures.len()
    }

    pub fn add(&mut self, places: &[String], outcomes: &[ImportOutcome]) {
        for (place, outcome) in places.iter().zip(outcomes) {
            self.record(FileResult::inserted(place.clone(), outcome.clone()));
        }
    }

    fn record(&mut self, result: FileResult) {
        // Failures are counted by `fail`.
        let counted = match &result.outcome {
            FileOutcome::Duplicate { .. } => Some("skipped"),
            FileOutcome::Failed { .. } => None,
            _ => Some("imported"),
        };
        if let Some(counted) = counted {
            metrics::counter!("wenyuan_import_documents_total", "result" => counted).increment(1);
        }
        match result.outcome {
            FileOutcome::Imported { id } => {
                self.imported += 1;
                self.inserted_ids.push(id);
            }
            FileOutcome::Duplicate { of } => {
                self.skipped += 1;
                self.duplicates.push((result.place, of));
            }
            FileOutcome::NearDuplicate {
                id,
                of,
                similarity,
                held,
            } => {
                self.imported += 1;
                self.inserted_ids.push(id);
                self.near_duplicates
                    .push((result.place, id, of, similarity));
                self.held += usize::from(held);
            }
            FileOutcome::Failed { reason } => self.fail(result.place, reason),
        }
    }

    fn fail(&mut self, place: impl Into<String>, reason: impl Into<String>) {
        metrics::counter!("wenyuan_import_documents_total", "result" => "failed").increment(1);
        self.failures.push(ImportFailure {
            place: place.into(),
            reason: reason.into(),
        });
    }

    /// The summary line the CLI prints, e.g. `imported 10 (2 held as near-duplicates), skipped 1,
    /// failed 0`; without near-duplicates just `imported 10, skipped 1, failed 0`.
    pub fn summary(&self) -> String {
        let note = match (self.near_duplicates.len(), self.held) {
            (0, _) => String::new(),
            (_, held) if held > 0 => format!(" ({held} held as near-duplicates)"),
            (published, _) => format!(" ({published} near-duplicates published)"),
        };
        format!(
            "imported {}{note}, skipped {}, failed {}",
            self.imported,
            self.skipped,
            self.failures.len()
        )
    }
}

/// Told about progress, so the CLI can draw a bar; the server passes [`NoProgress`].
pub trait ImportProgress: Send + Sync {
    /// Total bytes of all files to import, known once the paths are walked.
    fn start(&self, _total_bytes: u64) {}
    /// Some more bytes were processed.
    fn advance(&self, _bytes: u64) {}
    /// A failure happened (also kept in the report).
    fn failed(&self, _failure: &ImportFailure) {}
    /// A file was skipped as a duplicate of document `of` (also kept in the report).
    fn duplicate(&self, _place: &str, _of: i64) {}
    /// Document `id` was stored close to document `of` (also kept in the report); `held` says
    /// whether it waits as pending.
    fn near_duplicate(&self, _place: &str, _id: i64, _of: i64, _similarity: f64, _held: bool) {}
    /// So many documents (imported, skipped or failed) are done so far.
    fn documents(&self, _done: usize) {}
}

pub struct NoProgress;
impl ImportProgress for NoProgress {}

/// The files below `paths`, in a stable order. Folders are walked recursively and only files with
/// a known extension are taken from them; a file named explicitly is always taken (and fails later
/// if its type is unknown).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| CoreError::Io {
            context: format!("cannot read {}", path.display()),
            source,
        })?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| CoreError::Io {
        context: format!("cannot list {}", dir.display()),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files)?;
        } else if FileKind::of(&path).is_some() {
            files.push(path);
        }
    }
    Ok(())
}

/// Pieces of a batch as rows with their fingerprints, waiting for the database.
struct ReadyPieces {
    /// One per piece; `None` where a row waits for its outcome.
    results: Vec<Option<FileResult>>,
    /// Where in `results` each row goes, with its place.
    slots: Vec<(usize, String)>,
    rows: Option<FingerprintedBatch>,
}

/// A batch of `.jsonl` lines, parsed and readied, or the reason none of it could be parsed.
enum ReadyLines {
    Ready(ReadyPieces),
    Failed(FileResult),
}

/// Imports from files, uploads and `.jsonl` streams.
pub struct Importer {
    duplicates: Arc<NearDuplicates>,
    anonymization: Arc<Anonymization>,
    parsing: Parsing,
}

impl Importer {
    pub(crate) fn new(duplicates: Arc<NearDuplicates>, anonymization: Arc<Anonymization>) -> Self {
        Importer {
            duplicates,
            anonymization,
            parsing: Parsing::new(),
        }
    }

    /// The anonymiser an import uses for 模板化: the default rules plus the editors' word list.
    pub async fn import_anonymizer(&self) -> Result<Anonymizer> {
        Ok(Anonymizer::new(AnonymizeOptions {
            custom_words: self.anonymization.anonymize_words().await?,
            ..AnonymizeOptions::default()
        }))
    }

    /// Import files and folders. Errors in single files or records are collected in the report;
    /// only an unreadable path argument or a database failure stops the import.
    pub async fn import_paths(
        &self,
        paths: &[PathBuf],
        options: &ImportOptions,
        progress: &dyn ImportProgress,
    ) -> Result<ImportReport> {
        let files = collect_files(paths)?;
        let total: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        progress.start(total);
        let mut report = ImportReport::default();
        for file in &files {
            let (failures, duplicates, near) = (
                report.failures.len(),
                report.duplicates.len(),
                report.near_duplicates.len(),
            );
            if FileKind::of(file) == Some(FileKind::Jsonl) {
                self.import_jsonl(file, options, progress, &mut report)
                    .await?;
            } else {
                let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
                for result in self.import_file(file, size, options).await? {
                    report.record(result);
                }
                progress.advance(size);
            }
            for failure in &report.failures[failures..] {
                progress.failed(failure);
            }
            for (place, of) in &report.duplicates[duplicates..] {
                progress.duplicate(place, *of);
            }
            let held = !options.allow_near_duplicates;
            for (place, id, of, similarity) in &report.near_duplicates[near..] {
                progress.near_duplicate(place, *id, *of, *similarity, held);
            }
            progress.documents(report.documents());
        }
        Ok(report)
    }

    /// Import an uploaded file: a document, a `.jsonl`, or a `.zip` of those. Every document
    /// gets its own result; only a database failure is an error.
    pub async fn import_upload(
        &self,
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<Vec<FileResult>> {
        let name = name.trim();
        if bytes.len() as u64 > options.max_file_bytes {
            return Ok(vec![too_large(name, bytes.len() as u64, options)]);
        }
        let Some(kind) = FileKind::of_name(name) else {
            return Ok(vec![unsupported(name)]);
        };
        let (place, bytes, parse_options) = (name.to_owned(), bytes.to_vec(), options.clone());
        let pieces = self
            .parsing
            .run(options.parse_budget, move |deadline| {
                prepare_file(&place, kind, &bytes, &parse_options, deadline)
            })
            .await
            .and_then(|pieces| pieces);
        match pieces {
            Ok(pieces) => self.store_pieces(pieces, options).await,
            Err(reason) => Ok(vec![FileResult::failed(name, reason)]),
        }
    }

    /// A file on disk other than `.jsonl`, checked against the size limit before it is read.
    async fn import_file(
        &self,
        file: &Path,
        size: u64,
        options: &ImportOptions,
    ) -> Result<Vec<FileResult>> {
        let place = file.display().to_string();
        if FileKind::of(file).is_none() {
            return Ok(vec![unsupported(&place)]);
        }
        if size > options.max_file_bytes {
            return Ok(vec![too_large(&place, size, options)]);
        }
        match std::fs::read(file) {
            Ok(bytes) => self.import_upload(&place, &bytes, options).await,
            Err(e) => Ok(vec![FileResult::failed(place, format!("无法读取：{e}"))]),
        }
    }

    /// Stores the documents of one file, in batches, each with its result; the results come in
    /// the order of the pieces.
    async fn store_pieces(
        &self,
        pieces: Vec<Piece>,
        options: &ImportOptions,
    ) -> Result<Vec<FileResult>> {
        let mut results = Vec::with_capacity(pieces.len());
        let mut pieces = pieces.into_iter().peekable();
        while pieces.peek().is_some() {
            let batch: Vec<Piece> = pieces.by_ref().take(JSONL_BATCH).collect();
            let ready = self.ready_pieces(batch, options).await?;
            results.extend(self.store_ready(ready, options).await?);
        }
        Ok(results)
    }

    /// Pieces turned into rows and fingerprinted: all the work of storing them but the database's.
    async fn ready_pieces(
        &self,
        pieces: Vec<Piece>,
        options: &ImportOptions,
    ) -> Result<ReadyPieces> {
        let mut results: Vec<Option<FileResult>> = Vec::with_capacity(pieces.len());
        let mut slots = Vec::new();
        let mut articles = Vec::new();
        for piece in pieces {
            let index = results.len();
            results.push(None);
            match piece {
                Piece::Failed(failure) => results[index] = Some(failure),
                Piece::Document(prepared) => {
                    let place = prepared.place.clone();
                    match self.new_article(*prepared, options) {
                        Ok(article) => {
                            slots.push((index, place));
                            articles.push(article);
                        }
                        Err(err) => {
                            results[index] = Some(FileResult::failed(place, err.to_string()))
                        }
                    }
                }
            }
        }
        let rows = match articles.is_empty() {
            true => None,
            false => Some(FingerprintedBatch::of(articles).await?),
        };
        Ok(ReadyPieces {
            results,
            slots,
            rows,
        })
    }

    /// Store a ready batch in one transaction; a result per piece, in order.
    async fn store_ready(
        &self,
        ready: ReadyPieces,
        options: &ImportOptions,
    ) -> Result<Vec<FileResult>> {
        let ReadyPieces {
            mut results,
            slots,
            rows,
        } = ready;
        if let Some(rows) = rows {
            match self
                .duplicates
                .insert_fingerprinted(rows, options.allow_near_duplicates)
                .await
            {
                Ok(outcomes) => {
                    for ((index, place), outcome) in slots.into_iter().zip(outcomes) {
                        results[index] = Some(FileResult::inserted(place, outcome));
                    }
                }
                Err(err @ CoreError::Invalid(_)) => {
                    for (index, place) in slots {
                        results[index] = Some(FileResult::failed(place, err.to_string()));
                    }
                }
                Err(other) => return Err(other),
            }
        }
        Ok(results.into_iter().flatten().collect())
    }

    /// Import one `.txt` or `.md` file given as bytes (the demo's bundled seed).
    pub async fn import_text_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let kind = match FileKind::of_name(name) {
            Some(FileKind::Markdown) => FileKind::Markdown,
            _ => FileKind::Txt,
        };
        let (place, bytes, parse_options) = (name.to_owned(), bytes.to_vec(), options.clone());
        let piece = self
            .parsing
            .run(options.parse_budget, move |deadline| {
                prepare_file(&place, kind, &bytes, &parse_options, deadline)
            })
            .await
            .and_then(|pieces| pieces)
            .map_err(|m| CoreError::invalid("file", m))?
            .into_iter()
            .next();
        let prepared = match piece {
            Some(Piece::Document(prepared)) => *prepared,
            Some(Piece::Failed(FileResult {
                outcome: FileOutcome::Failed { reason },
                ..
            })) => return Err(CoreError::invalid("file", reason)),
            _ => return Err(CoreError::Internal("the file gave no document".to_owned())),
        };
        let article = self.new_article(prepared, options)?;
        self.duplicates
            .insert_checked(vec![article], options.allow_near_duplicates)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::Internal("the store returned no outcome".to_owned()))
    }

    async fn import_jsonl(
        &self,
        file: &Path,
        options: &ImportOptions,
        progress: &dyn ImportProgress,
        report: &mut ImportReport,
    ) -> Result<()> {
        let place = file.display().to_string();
        match std::fs::File::open(file) {
            Ok(handle) => {
                let reader = BufReader::with_capacity(1 << 20, handle);
                self.import_jsonl_reader(&place, reader, options, progress, report)
                    .await
            }
            Err(e) => {
                report.fail(place, format!("无法读取：{e}"));
                Ok(())
            }
        }
    }

    /// Import `.jsonl` records from any reader (a file, or bytes bundled in the binary). Lines
    /// are read here and parsed in batches off the async workers.
    pub async fn import_jsonl_reader(
        &self,
        place: &str,
        mut reader: impl BufRead,
        options: &ImportOptions,
        progress: &dyn ImportProgress,
        report: &mut ImportReport,
    ) -> Result<()> {
        let mut lines: Vec<(usize, Vec<u8>)> = Vec::with_capacity(JSONL_BATCH);
        let mut batch_bytes = 0usize;
        let mut number = 0usize;
        let mut waiting: Option<ReadyLines> = None;
        loop {
            let mut line = Vec::new();
            // `take` bounds a line with no newline in a huge file: a longer line is reported, not read whole.
            let read = (&mut reader)
                .take(MAX_JSONL_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut line)
                .map_err(|source| CoreError::Io {
                    context: format!("reading {place}"),
                    source,
                })?;
            if read > 0 {
                number += 1;
                progress.advance(read as u64);
                if line.len() > MAX_JSONL_LINE_BYTES {
                    report.fail(format!("{place}:{number}"), "这一行超过 16 MB");
                    skip_line(&mut reader, progress);
                } else {
                    batch_bytes += line.len();
                    lines.push((number, line));
                }
            }
            let full = lines.len() >= JSONL_BATCH || batch_bytes >= JSONL_BATCH_BYTES;
            if (full || read == 0) && !lines.is_empty() {
                let batch = std::mem::take(&mut lines);
                batch_bytes = 0;
                // The batch before is stored while this one is parsed and fingerprinted: the
                // database and the other cores work at once (two batches in memory at most).
                let next = self.ready_lines(place, batch, options);
                let next = match waiting.take() {
                    Some(ready) => {
                        let (stored, next) = tokio::join!(self.store_lines(ready, options), next);
                        for result in stored? {
                            report.record(result);
                        }
                        progress.documents(report.documents());
                        next?
                    }
                    None => next.await?,
                };
                waiting = Some(next);
            }
            if read == 0 {
                if let Some(ready) = waiting.take() {
                    for result in self.store_lines(ready, options).await? {
                        report.record(result);
                    }
                    progress.documents(report.documents());
                }
                return Ok(());
            }
        }
    }

    /// Parses a batch of `.jsonl` lines off the async workers and readies its records.
    async fn ready_lines(
        &self,
        place: &str,
        lines: Vec<(usize, Vec<u8>)>,
        options: &ImportOptions,
    ) -> Result<ReadyLines> {
        let (first, last) = (
            lines.first().map_or(0, |l| l.0),
            lines.last().map_or(0, |l| l.0),
        );
        let (owned_place, parse_options) = (place.to_owned(), options.clone());
        let pieces = self
            .parsing
            .run(options.parse_budget, move |deadline| {
                let lines = lines.iter().map(|(n, l)| (*n, l.as_slice()));
                prepare_jsonl(&owned_place, lines, &parse_options, deadline)
            })
            .await
            .and_then(|pieces| pieces);
        Ok(match pieces {
            Ok(pieces) => ReadyLines::Ready(self.ready_pieces(pieces, options).await?),
            Err(reason) => ReadyLines::Failed(FileResult::failed(
                format!("{place}:{first}-{last}"),
                reason,
            )),
        })
    }

    async fn store_lines(
        &self,
        ready: ReadyLines,
        options: &ImportOptions,
    ) -> Result<Vec<FileResult>> {
        match ready {
            ReadyLines::Ready(pieces) => self.store_ready(pieces, options).await,
            ReadyLines::Failed(failure) => Ok(vec![failure]),
        }
    }

    /// Turn a parsed document into a row to insert, applying the import options.
    fn new_article(&self, prepared: Prepared, options: &ImportOptions) -> Result<NewArticle> {
        let Prepared {
            parsed,
            source,
            external_id,
            status,
            ..
        } = prepared;
        let access = match parsed.access.as_deref() {
            Some(a) => a
                .parse::<Access>()
                .map_err(|m| CoreError::invalid("access", m))?,
            None => options.access,
        };
        // No date is stored as '' (shown as nothing, sorted after dated documents), never as
        // the import day.
        let published_on = parsed
            .document_date()
            .filter(|d| valid_date(d))
            .unwrap_or_default();
        let hash = content_hash(&parsed.title, &parsed.paragraphs);
        // 模板化 keeps the paragraphs one for one; a layout that does not fit is dropped.
        let layout = match parsed.layout.len() == parsed.paragraphs.len() {
            true => wenyuan_text::layout::encode(&parsed.layout),
            false => None,
        };
        let category = parsed
            .category
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .or_else(|| options.category.clone());
        let mut tags: Vec<String> = parsed
            .tags
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty() && t.chars().count() <= 32)
            .collect();
        tags.sort();
        tags.dedup();
        Ok(NewArticle {
            title: parsed.title,
            body: parsed.paragraphs.join("\n"),
            published_on,
            category,
            tags,
            access: access.as_str().to_owned(),
            status: status.unwrap_or(options.status).as_str().to_owned(),
            views_base: parsed.views.unwrap_or(0).max(0),
            content_hash: hash,
            source,
            external_id,
            preview_ratio: None,
            preview_max: None,
            simhash: None,
            layout,
        })
    }
}

fn unsupported(place: &str) -> FileResult {
    FileResult::failed(place, formats::unsupported_reason(place))
}

fn too_large(place: &str, size: u64, options: &ImportOptions) -> FileResult {
    FileResult::failed(
        place,
        format!(
            "文件太大（{}，上限为 {}）",
            human_size(&size),
            human_size(&options.max_file_bytes)
        ),
    )
}

/// Skip to the end of an over-long line without holding it in memory.
fn skip_line(reader: &mut impl BufRead, progress: &dyn ImportProgress) {
    loop {
        let (done, used) = match reader.fill_buf() {
            Ok([]) | Err(_) => return,
            Ok(buf) => match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (true, i + 1),
                None => (false, buf.len()),
            },
        };
        reader.consume(used);
        progress.advance(used as u64);
        if done {
            return;
        }
    }
}

fn valid_date(date: &str) -> bool {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
}
