//! `.docx` files (Word, WPS, LibreOffice) into a [`ParsedDoc`].
//!
//! A `.docx` is a zip of XML parts, so it is read under the same [`ArchiveLimits`] as an
//! uploaded archive: `word/document.xml` is streamed through the XML reader behind a
//! [`BoundedReader`], and a part whose header declares too much, or that inflates past what it
//! declared, is refused without being held in memory.
//!
//! The title is, in this order: a paragraph in the `Title` style; the first heading-styled
//! paragraph, when no body text precedes it; `dc:title` from `docProps/core.xml`; the first
//! non-empty paragraph. `dcterms:created` gives the date. Images under `word/media/` come back
//! as [`DocxDocument::images`].
//!
//! Tables come back as one paragraph per row (cells joined by tabs) and centred or right-aligned
//! paragraphs keep that alignment, both in [`ParsedDoc::layout`].
//!
//! Word's automatic list numbering is written into the text ([`numbering`]), so a heading Word
//! numbers itself reaches the outline like a typed one.
//!
//! Not read: headers, footers, footnotes and comments.

mod body;
#[cfg(any(test, feature = "testing"))]
pub mod fixture;
mod numbering;
mod parts;

use std::io::BufReader;

use crate::archive::{
    bound_error, check_declared, open_zip, read_bounded, ArchiveEntry, ArchiveError, ArchiveLimits,
    BoundedReader, EntryError,
};
use crate::chars::trim_blank;
use crate::document::{finish_body, ParseError, ParsedDoc};
use crate::layout::Layout;
use body::{read_blocks, Align, Block};
use numbering::Numbering;
use parts::{CoreProps, StyleRole, Styles};

const DOCUMENT_PART: &str = "word/document.xml";
const STYLES_PART: &str = "word/styles.xml";
const NUMBERING_PART: &str = "word/numbering.xml";
const CORE_PART: &str = "docProps/core.xml";
const MEDIA_FOLDER: &str = "word/media/";

/// A parsed `.docx`: the document and the images it embeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocxDocument {
    pub doc: ParsedDoc,
    /// `word/media/*` entries (name without the folder), each within the limits or refused.
    pub images: Vec<ArchiveEntry>,
}

/// Why a `.docx` could not be read.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum DocxError {
    #[error(
        "不是有效的 Word .docx 文件（文件已损坏，或并非 .docx）；请用 Word 另存为 .docx 后再上传"
    )]
    Archive(#[from] ArchiveError),
    #[error("不是有效的 Word .docx 文件：缺少正文部分 {DOCUMENT_PART}")]
    NoDocumentPart,
    #[error("{part} 已拒绝：{error}")]
    Part {
        part: &'static str,
        error: EntryError,
    },
    #[error("{part} 不是有效的 XML，文件可能已损坏")]
    BadXml { part: &'static str, message: String },
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Reads a `.docx` from its bytes.
pub fn parse_docx(bytes: &[u8], limits: &ArchiveLimits) -> Result<DocxDocument, DocxError> {
    let mut zip = open_zip(bytes)?;
    if zip.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            count: zip.len(),
            limit: limits.max_entries,
        }
        .into());
    }
    let blocks = {
        let file = zip
            .by_name(DOCUMENT_PART)
            .map_err(|_| DocxError::NoDocumentPart)?;
        let declared = file.size();
        check_declared(declared, file.compressed_size(), limits).map_err(part(DOCUMENT_PART))?;
        let source = BufReader::new(BoundedReader::new(file, declared));
        read_blocks(source).map_err(|e| xml_error(DOCUMENT_PART, e, declared))?
    };
    let styles = match read_part(&mut zip, STYLES_PART, limits)? {
        Some(xml) => Styles::parse(&xml).map_err(|e| xml_error(STYLES_PART, e, 0))?,
        None => Styles::default(),
    };
    let core = match read_part(&mut zip, CORE_PART, limits)? {
        Some(xml) => CoreProps::parse(&xml).map_err(|e| xml_error(CORE_PART, e, 0))?,
        None => CoreProps::default(),
    };
    let mut numbering = match read_part(&mut zip, NUMBERING_PART, limits)? {
        Some(xml) => Numbering::parse(&xml).map_err(|e| xml_error(NUMBERING_PART, e, 0))?,
        None => Numbering::default(),
    };
    let blocks = numbered(blocks, &mut numbering);
    let doc = assemble(blocks, &styles, core)?;
    let images = read_images(&mut zip, limits);
    Ok(DocxDocument { doc, images })
}

type Zip<'a> = zip::ZipArchive<std::io::Cursor<&'a [u8]>>;

/// A small part read whole (within the limits), or `None` when the file has no such part.
fn read_part(
    zip: &mut Zip,
    name: &'static str,
    limits: &ArchiveLimits,
) -> Result<Option<Vec<u8>>, DocxError> {
    let Ok(file) = zip.by_name(name) else {
        return Ok(None);
    };
    let declared = file.size();
    check_declared(declared, file.compressed_size(), limits).map_err(part(name))?;
    read_bounded(file, declared, limits)
        .map(Some)
        .map_err(part(name))
}

/// The images, each within the per-file limit, all together within the total limit.
fn read_images(zip: &mut Zip, limits: &ArchiveLimits) -> Vec<ArchiveEntry> {
    let names: Vec<String> = zip
        .file_names()
        .filter(|n| n.starts_with(MEDIA_FOLDER) && n.len() > MEDIA_FOLDER.len())
        .map(str::to_owned)
        .collect();
    let mut budget = limits.max_total_bytes;
    let mut images = Vec::new();
    for name in names {
        let contents = match zip.by_name(&name) {
            Ok(file) => {
                let declared = file.size();
                let within_budget = if declared > budget {
                    Err(EntryError::TooLarge {
                        size: declared,
                        limit: budget,
                    })
                } else {
                    Ok(())
                };
                check_declared(declared, file.compressed_size(), limits)
                    .and(within_budget)
                    .and_then(|()| read_bounded(file, declared, limits))
            }
            Err(e) => Err(EntryError::Unreadable(e.to_string())),
        };
        if let Ok(bytes) = &contents {
            budget -= bytes.len() as u64;
        }
        images.push(ArchiveEntry {
            name: name[MEDIA_FOLDER.len()..].to_owned(),
            contents,
        });
    }
    images
}

fn part(name: &'static str) -> impl Fn(EntryError) -> DocxError {
    move |error| DocxError::Part { part: name, error }
}

fn xml_error(part: &'static str, error: quick_xml::Error, declared: u64) -> DocxError {
    if let quick_xml::Error::Io(io) = &error {
        if let EntryError::LyingSize { .. } = bound_error(io, declared) {
            return DocxError::Part {
                part,
                error: EntryError::LyingSize { declared },
            };
        }
    }
    DocxError::BadXml {
        part,
        message: error.to_string(),
    }
}

/// Title, date, paragraphs and their layout from the body blocks (see the module docs for the
/// title rule).
fn assemble(blocks: Vec<Block>, styles: &Styles, core: CoreProps) -> Result<ParsedDoc, DocxError> {
    let mut lines: Vec<(String, Option<StyleRole>, Layout)> = Vec::new();
    for block in blocks {
        if block.in_table {
            // A row is one line, its cells already trimmed; empty edge cells keep their tabs.
            let layout = match block.table_start {
                true => Layout::TableStart,
                false => Layout::TableRow,
            };
            lines.push((block.text, None, layout));
            continue;
        }
        let role = block
            .style
            .as_deref()
            .and_then(|s| styles.role(s))
            .or(block.outline_level.map(|l| StyleRole::Heading(l + 1)));
        let layout = match block.align {
            Some(Align::Centre) => Layout::Centre,
            Some(Align::Right) => Layout::Right,
            None => Layout::Plain,
        };
        // A line break inside a paragraph starts a new paragraph; only the first keeps the role.
        for (i, line) in block.text.split('\n').enumerate() {
            let line = trim_blank(line);
            if !line.is_empty() {
                lines.push((line.to_owned(), role.filter(|_| i == 0), layout));
            }
        }
    }
    let title_at = lines
        .iter()
        .position(|(_, role, _)| *role == Some(StyleRole::Title))
        .or_else(|| match lines.first() {
            Some((_, Some(StyleRole::Heading(_)), _)) => Some(0),
            _ => None,
        });
    let take_first = |lines: &mut Vec<(String, Option<StyleRole>, Layout)>, at: usize| {
        let (title, _, _) = lines.remove(at);
        title
    };
    let title = match (title_at, core.title) {
        (Some(at), _) => take_first(&mut lines, at),
        (None, Some(title)) if !is_placeholder_title(&title) => title,
        (None, _) if lines.is_empty() => return Err(ParseError::NoTitle.into()),
        (None, _) => take_first(&mut lines, 0),
    };
    let before: Vec<(String, Layout)> = lines.into_iter().map(|(p, _, l)| (p, l)).collect();
    let paragraphs = finish_body(&title, before.iter().map(|(p, _)| p.clone()).collect())?;
    let layout = crate::layout::follow(&before, &paragraphs);
    Ok(ParsedDoc {
        title,
        file_date: core.created,
        layout: match layout.iter().all(|l| *l == Layout::Plain) {
            true => Vec::new(),
            false => layout,
        },
        paragraphs,
        ..ParsedDoc::default()
    })
}

/// Word's automatic list labels written into the paragraphs' text (a label Word shows is text
/// the reader sees, and the outline needs the 一、 of a numbered heading).
fn numbered(mut blocks: Vec<Block>, numbering: &mut Numbering) -> Vec<Block> {
    for block in &mut blocks {
        let Some((num_id, level)) = &block.list else {
            continue;
        };
        if num_id.is_empty() || num_id == "0" {
            continue;
        }
        if let Some(label) = numbering.next_label(num_id, *level) {
            block.text.insert_str(0, &label);
        }
    }
    blocks
}

/// `dc:title` values that name the file or the template rather than the document.
fn is_placeholder_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    lower.starts_with("microsoft word")
        || lower.starts_with("document")
        || title.starts_with("文档")
        || title.starts_with("新建")
        || title.trim().is_empty()
}

#[cfg(test)]
mod tests;
