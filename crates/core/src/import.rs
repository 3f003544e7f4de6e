//! Importing documents from files: `.jsonl` (the corpus format), `.txt` and `.md`, in any of the
//! encodings Chinese text files come in. Each `.txt`/`.md` file is one document, stored whole or
//! not at all; a `.jsonl` file is many, stored in batches, and a bad line fails alone.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use wenyuan_store::{InsertOutcome, NewArticle};
use wenyuan_text::{
    content_hash, decode_text, paragraphs_from_body, parse_markdown, parse_txt, ParsedDoc,
};

use crate::clock::local_date;
use crate::{Access, CoreError, Library, Result};

/// A `.txt`/`.md` file larger than this is refused: no real 范文 is that long, and reading it whole
/// would cost that much memory.
pub const MAX_TEXT_FILE_BYTES: u64 = 32 * 1024 * 1024;
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
}

impl ImportReport {
    fn add(&mut self, outcomes: &[InsertOutcome]) {
        for outcome in outcomes {
            match outcome {
                InsertOutcome::Inserted(id) => {
                    self.imported += 1;
                    self.inserted_ids.push(*id);
                }
                InsertOutcome::Duplicate(_) => self.skipped += 1,
            }
        }
    }

    fn fail(&mut self, place: impl Into<String>, reason: impl Into<String>) {
        self.failures.push(ImportFailure {
            place: place.into(),
            reason: reason.into(),
        });
    }

    /// The summary line the CLI prints.
    pub fn summary(&self) -> String {
        format!(
            "imported {}, skipped {}, failed {}",
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Jsonl,
    Txt,
    Markdown,
}

impl FileKind {
    fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(FileKind::Jsonl),
            "txt" | "text" => Some(FileKind::Txt),
            "md" | "markdown" => Some(FileKind::Markdown),
            _ => None,
        }
    }
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

impl Library {
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
            let before = report.failures.len();
            let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            match FileKind::of(file) {
                Some(FileKind::Jsonl) => {
                    self.import_jsonl(file, options, progress, &mut report)
                        .await?
                }
                Some(kind) => {
                    match self.import_text_file(file, kind, options).await {
                        Ok(outcome) => report.add(&[outcome]),
                        Err(CoreError::Invalid(reason)) => {
                            report.fail(file.display().to_string(), reason)
                        }
                        Err(other) => return Err(other),
                    }
                    progress.advance(size);
                }
                None => {
                    report.fail(
                        file.display().to_string(),
                        "unsupported file type (use .txt, .md or .jsonl)",
                    );
                    progress.advance(size);
                }
            }
            for failure in &report.failures[before..] {
                progress.failed(failure);
            }
        }
        Ok(report)
    }

    /// Import one `.txt` or `.md` file given as bytes (also used by uploads).
    pub async fn import_text_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<InsertOutcome> {
        let kind = FileKind::of(Path::new(name)).unwrap_or(FileKind::Txt);
        let decoded = decode_text(bytes).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let parsed = match kind {
            FileKind::Markdown => parse_markdown(&decoded.text),
            _ => parse_txt(&decoded.text),
        }
        .map_err(|e| CoreError::Invalid(e.to_string()))?;
        let article = self.new_article(parsed, options, Some(name.to_owned()), None)?;
        let outcomes = self.store.insert_articles(&[article], self.now()).await?;
        outcomes
            .first()
            .copied()
            .ok_or_else(|| CoreError::Internal("the store returned no outcome".to_owned()))
    }

    async fn import_text_file(
        &self,
        file: &Path,
        kind: FileKind,
        options: &ImportOptions,
    ) -> Result<InsertOutcome> {
        let invalid = |reason: String| CoreError::Invalid(reason);
        let meta = std::fs::metadata(file).map_err(|e| invalid(format!("cannot read: {e}")))?;
        if meta.len() > MAX_TEXT_FILE_BYTES {
            return Err(invalid(format!(
                "file is too large ({} MB; the limit is {} MB)",
                meta.len() / (1024 * 1024),
                MAX_TEXT_FILE_BYTES / (1024 * 1024)
            )));
        }
        let bytes = std::fs::read(file).map_err(|e| invalid(format!("cannot read: {e}")))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = match kind {
            FileKind::Markdown if !name.ends_with(".md") => format!("{name}.md"),
            _ => name,
        };
        self.import_text_bytes(&name, &bytes, options).await
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
                Ok(article) => batch.push(article),
                Err(reason) => report.fail(format!("{place}:{number}"), reason),
            }
            if batch.len() >= JSONL_BATCH {
                let outcomes = self.store.insert_articles(&batch, self.now()).await?;
                report.add(&outcomes);
                batch.clear();
            }
        }
        if !batch.is_empty() {
            let outcomes = self.store.insert_articles(&batch, self.now()).await?;
            report.add(&outcomes);
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
        let access = match parsed.access.as_deref() {
            Some(a) => a.parse::<Access>().map_err(CoreError::Invalid)?,
            None => options.access,
        };
        let published_on = parsed
            .date
            .clone()
            .filter(|d| valid_date(d))
            .unwrap_or_else(|| local_date(self.now(), self.settings().utc_offset).to_string());
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
            status: "published".to_owned(),
            views_base: parsed.views.unwrap_or(0).max(0),
            content_hash: hash,
            source,
            external_id,
            preview_ratio: None,
            preview_max: None,
        })
    }
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
