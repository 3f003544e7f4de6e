//! Which kind of file a name is, and turning the bytes of one document file into a
//! [`ParsedDoc`] (pure: the text crate does the work).

use std::path::Path;

use wenyuan_text::archive::ArchiveLimits;
use wenyuan_text::doc::parse_doc;
use wenyuan_text::docx::parse_docx;
use wenyuan_text::html_page::parse_html_page;
use wenyuan_text::pdf::parse_pdf;
use wenyuan_text::{decode_text, parse_markdown, parse_txt, ParsedDoc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Jsonl,
    Txt,
    Markdown,
    Docx,
    /// Word 97–2003 `.doc` and WPS Office `.wps` (the same compound-file format).
    Doc,
    Pdf,
    Html,
    Zip,
}

/// What the CLI and the upload form accept, for messages.
pub(crate) const SUPPORTED: &str =
    "请上传 .txt、.md、.docx、.doc、.wps、.pdf、.html/.htm、.jsonl 或 .zip 文件";

/// Office formats we cannot read: the editor is told to save them as .docx (every office suite
/// can), not merely that the type is unsupported.
const SAVE_AS_DOCX: &[&str] = &[
    "rtf", "odt", "dot", "dotx", "docm", "dotm", "wpt", "pages", "wri", "uof", "uot",
];

/// The reason a file of unknown type is refused.
pub(crate) fn unsupported_reason(name: &str) -> String {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if SAVE_AS_DOCX.contains(&ext.as_str()) {
        format!("无法读取 .{ext} 文件；请另存为 .docx 后上传")
    } else {
        format!("不支持的文件类型（{SUPPORTED}）")
    }
}

impl FileKind {
    pub(crate) fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(FileKind::Jsonl),
            "txt" | "text" => Some(FileKind::Txt),
            "md" | "markdown" => Some(FileKind::Markdown),
            "docx" => Some(FileKind::Docx),
            "doc" | "wps" => Some(FileKind::Doc),
            "pdf" => Some(FileKind::Pdf),
            "html" | "htm" => Some(FileKind::Html),
            "zip" => Some(FileKind::Zip),
            _ => None,
        }
    }

    pub(crate) fn of_name(name: &str) -> Option<Self> {
        Self::of(Path::new(name))
    }
}

/// Parses one document file (not `.jsonl`, not `.zip`); the error is the reason shown to
/// the user.
pub(crate) fn parse_document(
    kind: FileKind,
    bytes: &[u8],
    limits: &ArchiveLimits,
) -> Result<ParsedDoc, String> {
    match kind {
        FileKind::Docx => parse_docx(bytes, limits)
            .map(|docx| docx.doc)
            .map_err(|e| e.to_string()),
        FileKind::Doc => parse_doc(bytes, limits.max_entry_bytes).map_err(|e| e.to_string()),
        FileKind::Pdf => parse_pdf(bytes).map_err(|e| e.to_string()),
        FileKind::Html => parse_html_page(bytes).map_err(|e| e.to_string()),
        FileKind::Markdown | FileKind::Txt => {
            let decoded = decode_text(bytes).map_err(|e| e.to_string())?;
            match kind {
                FileKind::Markdown => parse_markdown(&decoded.text),
                _ => parse_txt(&decoded.text),
            }
            .map_err(|e| e.to_string())
        }
        FileKind::Jsonl | FileKind::Zip => Err("不是单篇文档".to_owned()),
    }
}
