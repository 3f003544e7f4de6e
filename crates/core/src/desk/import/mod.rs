//! Importing documents from files: `.jsonl` (the corpus format), `.txt`, `.md`, `.docx`, saved web
//! pages (`.html`/`.htm`) and `.zip` archives of those, from disk (`wenyuan import`) or from
//! uploaded bytes ([`Importer::import_upload`]). Each document file is one document, stored whole
//! or not at all; a `.jsonl` file is many, stored in batches, and a bad line fails alone; each
//! entry of a `.zip` is imported as its own file, with its own result.

mod formats;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use wenyuan_store::NewArticle;
use wenyuan_text::archive::{human_size, read_zip, ArchiveLimits};
use wenyuan_text::{content_hash, paragraphs_from_body, ParsedDoc};

use std::sync::Arc;

use super::anonymize::Anonymization;
pub use super::near_duplicates::hold::ImportOutcome;
use super::near_duplicates::NearDuplicates;
use crate::clock::local_date;
use crate::context::Context;
use crate::{Access, CoreError, Result, Status};
use formats::{parse_document, FileKind, SUPPORTED};
use wenyuan_text::{apply, AnonymizeOptions, Anonymizer};

/// Files (and uploads, and zip entries) larger than this are refused by default: no real 范文 is
/// that long, and a document file is read whole.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// A single `.jsonl` line larger than this is refused.
const MAX_JSONL_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Documents per transaction for `.jsonl`: big enough to amortise the commit, small enough that a
/// reader never waits long for the write lock.
const JSONL_BATCH: usize = 500;

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
    pub fn add(&mut self, places: &[String], outcomes: &[ImportOutcome]) {
        for (place, outcome) in places.iter().zip(outcomes) {
            self.record(FileResult::inserted(place.clone(), outcome.clone()));
        }
    }

    fn record(&mut self, result: FileResult) {
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

    /// One line per near-duplicate, e.g. `#12 is a near-duplicate of #3 (similarity 0.953), held
    /// as pending: a.txt`. (One import either holds all its near-duplicates or publishes them all.)
    pub fn near_duplicate_lines(&self) -> Vec<String> {
        let what = if self.held > 0 {
            "held as pending"
        } else {
            Status::Published.as_str()
        };
        self.near_duplicates
            .iter()
            .map(|(place, id, of, similarity)| {
                format!("#{id} is a near-duplicate of #{of} (similarity {similarity:.3}), {what}: {place}")
            })
            .collect()
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

/// One record of a `.jsonl` file (see `shared/corpus/README.md`).
#[derive(Debug, Deserialize)]
struct JsonlRecord {
    #[serde(default)]
    id: Option<serde_json::Value>,
    title: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    category: Option<String>,
    body: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    access: Option<String>,
    #[serde(default)]
    views: Option<i64>,
}

/// Imports from files, uploads and `.jsonl` streams.
pub struct Importer {
    ctx: Context,
    duplicates: Arc<NearDuplicates>,
    anonymization: Arc<Anonymization>,
}

impl Importer {
    pub(crate) fn new(
        ctx: Context,
        duplicates: Arc<NearDuplicates>,
        anonymization: Arc<Anonymization>,
    ) -> Self {
        Importer {
            ctx,
            duplicates,
            anonymization,
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
            let (failures, duplicates) = (report.failures.len(), report.duplicates.len());
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
        match FileKind::of_name(name) {
            Some(FileKind::Zip) => self.import_zip(name, bytes, options).await,
            Some(kind) => self.import_document_bytes(name, kind, bytes, options).await,
            None => Ok(vec![unsupported(name)]),
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
            Err(e) => Ok(vec![FileResult::failed(place, format!("cannot read: {e}"))]),
        }
    }

    /// Each entry of a `.zip` as a file of its own, named `archive.zip!path/in/archive`.
    async fn import_zip(
        &self,
        place: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<Vec<FileResult>> {
        let entries = match read_zip(bytes, &options.archive_limits()) {
            Ok(entries) => entries,
            Err(e) => return Ok(vec![FileResult::failed(place, e.to_string())]),
        };
        if entries.is_empty() {
            return Ok(vec![FileResult::failed(
                place,
                "the archive holds no files",
            )]);
        }
        let mut results = Vec::with_capacity(entries.len());
        for entry in entries {
            let entry_place = format!("{place}!{}", entry.name);
            match (entry.contents, FileKind::of_name(&entry.name)) {
                (Err(e), _) => results.push(FileResult::failed(entry_place, e.to_string())),
                // `read_zip` refuses nested archives; this only guards against a renamed one.
                (Ok(_), None | Some(FileKind::Zip)) => results.push(unsupported(&entry_place)),
                (Ok(bytes), Some(kind)) => results.extend(
                    self.import_document_bytes(&entry_place, kind, &bytes, options)
                        .await?,
                ),
            }
        }
        Ok(results)
    }

    /// One document file's bytes (or a `.jsonl`'s records) into the library.
    async fn import_document_bytes(
        &self,
        place: &str,
        kind: FileKind,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<Vec<FileResult>> {
        if kind == FileKind::Jsonl {
            let mut report = ImportReport::default();
            self.import_jsonl_reader(place, bytes, options, &NoProgress, &mut report)
                .await?;
            return Ok(jsonl_results(place, report));
        }
        let parsed = match parse_document(kind, bytes, &options.archive_limits()) {
            Ok(parsed) => parsed,
            Err(reason) => return Ok(vec![FileResult::failed(place, reason)]),
        };
        let source = place.rsplit(['/', '\\']).next().unwrap_or(place).to_owned();
        match self.insert_parsed(parsed, options, Some(source)).await {
            Ok(outcome) => Ok(vec![FileResult::inserted(place, outcome)]),
            Err(err @ CoreError::Invalid(_)) => {
                Ok(vec![FileResult::failed(place, err.to_string())])
            }
            Err(other) => Err(other),
        }
    }

    /// The one place where a parsed document becomes a row and is inserted (checks on new
    /// documents, such as near-duplicate detection, belong here).
    async fn insert_parsed(
        &self,
        parsed: ParsedDoc,
        options: &ImportOptions,
        source: Option<String>,
    ) -> Result<ImportOutcome> {
        let article = self.new_article(parsed, options, source, None)?;
        let outcomes = self
            .duplicates
            .insert_checked(vec![article], options.allow_near_duplicates)
            .await?;
        outcomes
            .into_iter()
            .next()
            .ok_or_else(|| CoreError::Internal("the store returned no outcome".to_owned()))
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
        let parsed = parse_document(kind, bytes, &options.archive_limits())
            .map_err(|m| CoreError::invalid("file", m))?;
        self.insert_parsed(parsed, options, Some(name.to_owned()))
            .await
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
                report.fail(place, format!("cannot read: {e}"));
                Ok(())
            }
        }
    }

    /// Import `.jsonl` records from any reader (a file, or bytes bundled in the binary).
    pub async fn import_jsonl_reader(
        &self,
        place: &str,
        mut reader: impl BufRead,
        options: &ImportOptions,
        progress: &dyn ImportProgress,
        report: &mut ImportReport,
    ) -> Result<()> {
        let mut batch = Vec::with_capacity(JSONL_BATCH);
        let mut places = Vec::with_capacity(JSONL_BATCH);
        let mut line = Vec::new();
        let mut number = 0usize;
        loop {
            line.clear();
            // `take` bounds a line with no newline in a huge file: a longer line is reported, not read whole.
            let read = (&mut reader)
                .take(MAX_JSONL_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut line)
                .map_err(|source| CoreError::Io {
                    context: format!("reading {place}"),
                    source,
                })?;
            if read == 0 {
                break;
            }
            number += 1;
            progress.advance(read as u64);
            if line.len() > MAX_JSONL_LINE_BYTES {
                report.fail(format!("{place}:{number}"), "line is longer than 16 MB");
                skip_line(&mut reader, progress);
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                continue;
            }
            match self.jsonl_article(text, options) {
                Ok(article) => {
                    batch.push(article);
                    places.push(format!("{place}:{number}"));
                }
                Err(reason) => report.fail(format!("{place}:{number}"), reason),
            }
            if batch.len() >= JSONL_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(JSONL_BATCH));
                let outcomes = self
                    .duplicates
                    .insert_checked(full, options.allow_near_duplicates)
                    .await?;
                report.add(&places, &outcomes);
                places.clear();
            }
        }
        if !batch.is_empty() {
            let outcomes = self
                .duplicates
                .insert_checked(batch, options.allow_near_duplicates)
                .await?;
            report.add(&places, &outcomes);
        }
        Ok(())
    }

    fn jsonl_article(&self, line: &str, options: &ImportOptions) -> Result<NewArticle, String> {
        let record: JsonlRecord =
            serde_json::from_str(line).map_err(|e| format!("not a valid JSON record: {e}"))?;
        let title = record.title.trim().to_owned();
        if title.is_empty() {
            return Err("the record has no title".to_owned());
        }
        let paragraphs = paragraphs_from_body(&record.body);
        if paragraphs.is_empty() {
            return Err("the record has no body text".to_owned());
        }
        let parsed = ParsedDoc {
            title,
            // Without a date field, a date written at the start (e.g. "（2021年3月11日…通过）").
            date: record.date.filter(|d| valid_date(d)).or_else(|| {
                let start: String = paragraphs
                    .iter()
                    .take(3)
                    .flat_map(|p| p.chars().take(80))
                    .collect();
                wenyuan_text::date::find_date(&start)
            }),
            views: record.views,
            category: record.category,
            tags: record.tags,
            access: record.access,
            paragraphs,
        };
        let external_id = record.id.map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        self.new_article(parsed, options, record.source, external_id)
            .map_err(|e| e.to_string())
    }

    /// Turn a parsed document into a row to insert, applying the import options.
    fn new_article(
        &self,
        parsed: ParsedDoc,
        options: &ImportOptions,
        source: Option<String>,
        external_id: Option<String>,
    ) -> Result<NewArticle> {
        let parsed = match &options.anonymize {
            Some(anonymizer) => templated(parsed, anonymizer),
            None => parsed,
        };
        let access = match parsed.access.as_deref() {
            Some(a) => a
                .parse::<Access>()
                .map_err(|m| CoreError::invalid("access", m))?,
            None => options.access,
        };
        let published_on = parsed
            .date
            .clone()
            .filter(|d| valid_date(d))
            .unwrap_or_else(|| {
                local_date(self.ctx.now(), self.ctx.settings().utc_offset).to_string()
            });
        let hash = content_hash(&parsed.title, &parsed.paragraphs);
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
            status: options.status.as_str().to_owned(),
            views_base: parsed.views.unwrap_or(0).max(0),
            content_hash: hash,
            source,
            external_id,
            preview_ratio: None,
            preview_max: None,
            simhash: None,
        })
    }
}

/// The results of a `.jsonl` upload: one per record that was imported, skipped or failed.
fn jsonl_results(place: &str, report: ImportReport) -> Vec<FileResult> {
    let near: Vec<i64> = report.near_duplicates.iter().map(|n| n.1).collect();
    let imported = report
        .inserted_ids
        .into_iter()
        .filter(|id| !near.contains(id))
        .map(|id| FileResult::inserted(place, ImportOutcome::Inserted { id }));
    let held = report.held > 0;
    let near_duplicates = report
        .near_duplicates
        .into_iter()
        .map(|(place, id, of, similarity)| FileResult {
            place,
            outcome: FileOutcome::NearDuplicate {
                id,
                of,
                similarity,
                held,
            },
        });
    let duplicates = report
        .duplicates
        .into_iter()
        .map(|(place, of)| FileResult::inserted(place, ImportOutcome::Duplicate { of }));
    let failures = report
        .failures
        .into_iter()
        .map(|f| FileResult::failed(f.place, f.reason));
    imported
        .chain(near_duplicates)
        .chain(duplicates)
        .chain(failures)
        .collect()
}

fn unsupported(place: &str) -> FileResult {
    FileResult::failed(place, format!("unsupported file type ({SUPPORTED})"))
}

fn too_large(place: &str, size: u64, options: &ImportOptions) -> FileResult {
    FileResult::failed(
        place,
        format!(
            "file is too large ({}; the limit is {})",
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

/// The document with every proposed replacement applied (names never cross a paragraph).
fn templated(mut parsed: ParsedDoc, anonymizer: &Anonymizer) -> ParsedDoc {
    parsed.title = apply(&parsed.title, &anonymizer.propose(&parsed.title));
    for paragraph in &mut parsed.paragraphs {
        *paragraph = apply(paragraph, &anonymizer.propose(paragraph));
    }
    parsed
}

fn valid_date(date: &str) -> bool {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
}
