//! The part of an import that reads untrusted bytes: unpacking, decoding, parsing and 模板化.
//! It runs on a blocking thread (see [`super::offload`]) and hands plain documents to the async
//! part, which stores them. Nothing here touches the database, so a file refused as a whole (a
//! zip bomb, a parse out of time) leaves nothing behind.

use serde::Deserialize;
use wenyuan_text::archive::read_zip;
use wenyuan_text::{apply, paragraphs_from_body, Anonymizer, ParsedDoc};

use crate::Status;

use super::formats::{parse_document, FileKind};
use super::offload::Deadline;
use super::{unsupported, FileResult, ImportOptions};

/// A document read from a file, ready to become a row.
#[derive(Debug)]
pub(super) struct Prepared {
    /// Where it came from: a file, `archive.zip!a.docx`, or `file.jsonl:12`.
    pub place: String,
    pub parsed: ParsedDoc,
    pub source: Option<String>,
    pub external_id: Option<String>,
    /// The status a `.jsonl` record names (an export read back); otherwise the import's.
    pub status: Option<Status>,
}

/// One document of a file, or why it could not be read.
#[derive(Debug)]
pub(super) enum Piece {
    /// Boxed: a parsed document is large beside a failure, and a `.jsonl` file makes many pieces.
    Document(Box<Prepared>),
    Failed(FileResult),
}

/// Everything a file holds. The error refuses the whole file (nothing of it is stored).
pub(super) fn prepare_file(
    place: &str,
    kind: FileKind,
    bytes: &[u8],
    options: &ImportOptions,
    deadline: &Deadline,
) -> Result<Vec<Piece>, String> {
    match kind {
        FileKind::Zip => prepare_zip(place, bytes, options, deadline),
        FileKind::Jsonl => {
            let lines = bytes
                .split(|b| *b == b'\n')
                .enumerate()
                .map(|(i, line)| (i + 1, line));
            prepare_jsonl(place, lines, options, deadline)
        }
        kind => Ok(vec![prepare_document(place, kind, bytes, options)]),
    }
}

/// Each entry of a `.zip` as a file of its own, named `archive.zip!path/in/archive`.
fn prepare_zip(
    place: &str,
    bytes: &[u8],
    options: &ImportOptions,
    deadline: &Deadline,
) -> Result<Vec<Piece>, String> {
    let entries = read_zip(bytes, &options.archive_limits()).map_err(|e| e.to_string())?;
    if entries.is_empty() {
        return Err("压缩包里没有文件".to_owned());
    }
    let mut pieces = Vec::with_capacity(entries.len());
    for entry in entries {
        if deadline.passed() {
            return Err(deadline.refusal());
        }
        let entry_place = format!("{place}!{}", entry.name);
        match (entry.contents, FileKind::of_name(&entry.name)) {
            (Err(e), _) => pieces.push(Piece::Failed(FileResult::failed(
                entry_place,
                e.to_string(),
            ))),
            // `read_zip` refuses nested archives; this only guards against a renamed one.
            (Ok(_), None | Some(FileKind::Zip)) => {
                pieces.push(Piece::Failed(unsupported(&entry_place)))
            }
            (Ok(bytes), Some(kind)) => {
                pieces.extend(prepare_file(&entry_place, kind, &bytes, options, deadline)?)
            }
        }
    }
    Ok(pieces)
}

/// One document file (not `.jsonl`, not `.zip`).
fn prepare_document(place: &str, kind: FileKind, bytes: &[u8], options: &ImportOptions) -> Piece {
    match parse_document(kind, bytes, &options.archive_limits()) {
        Ok(parsed) => Piece::Document(Box::new(Prepared {
            place: place.to_owned(),
            parsed: templated(parsed, options.anonymize.as_ref()),
            source: Some(place.rsplit(['/', '\\']).next().unwrap_or(place).to_owned()),
            external_id: None,
            status: None,
        })),
        Err(reason) => Piece::Failed(FileResult::failed(place, reason)),
    }
}

/// `.jsonl` records, given as (line number, line); blank lines are skipped, a bad line fails
/// alone.
pub(super) fn prepare_jsonl<'a>(
    place: &str,
    lines: impl IntoIterator<Item = (usize, &'a [u8])>,
    options: &ImportOptions,
    deadline: &Deadline,
) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    for (number, line) in lines {
        if deadline.passed() {
            return Err(deadline.refusal());
        }
        let text = String::from_utf8_lossy(line);
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        let line_place = format!("{place}:{number}");
        pieces.push(match jsonl_record(text) {
            Ok(record) => Piece::Document(Box::new(Prepared {
                place: line_place,
                parsed: templated(record.parsed, options.anonymize.as_ref()),
                source: record.source,
                external_id: record.external_id,
                status: record.status,
            })),
            Err(reason) => Piece::Failed(FileResult::failed(line_place, reason)),
        });
    }
    Ok(pieces)
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
    /// draft, pending, published or hidden (`wenyuan export` writes it).
    #[serde(default)]
    status: Option<String>,
}

/// A record read: the document and what the import keeps beside it.
struct ReadRecord {
    parsed: ParsedDoc,
    source: Option<String>,
    external_id: Option<String>,
    status: Option<Status>,
}

/// A record as a document, its source, its external id and its status.
fn jsonl_record(line: &str) -> Result<ReadRecord, String> {
    let record: JsonlRecord = serde_json::from_str(line)
        .map_err(|e| format!("不是有效的 JSON 记录（第 {} 列附近）", e.column()))?;
    let title = record.title.trim().to_owned();
    if title.is_empty() {
        return Err("这条记录没有标题".to_owned());
    }
    let paragraphs = paragraphs_from_body(&record.body);
    if paragraphs.is_empty() {
        return Err("这条记录没有正文".to_owned());
    }
    let status = record
        .status
        .map(|s| s.trim().parse::<Status>())
        .transpose()
        .map_err(|_| "状态只能是 draft、pending、published 或 hidden".to_owned())?;
    let parsed = ParsedDoc {
        title,
        // Without a date field the text's own date line decides later (`document_date`).
        date: record.date.filter(|d| super::valid_date(d)),
        file_date: None,
        views: record.views,
        category: record.category,
        tags: record.tags,
        access: record.access,
        paragraphs,
        layout: Vec::new(),
    };
    let external_id = record.id.map(|v| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    Ok(ReadRecord {
        parsed,
        source: record.source,
        external_id,
        status,
    })
}

/// The document with every proposed replacement applied (names never cross a paragraph).
pub(super) fn templated(mut parsed: ParsedDoc, anonymizer: Option<&Anonymizer>) -> ParsedDoc {
    let Some(anonymizer) = anonymizer else {
        return parsed;
    };
    parsed.title = apply(&parsed.title, &anonymizer.propose(&parsed.title));
    for paragraph in &mut parsed.paragraphs {
        *paragraph = apply(paragraph, &anonymizer.propose(paragraph));
    }
    parsed
}
