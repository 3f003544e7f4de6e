//! Word 97–2003 `.doc` files (and WPS Office `.wps`, which is the same format) into a
//! [`ParsedDoc`].
//!
//! A `.doc` is a compound file (the `cfb` crate reads its streams). The text sits in the
//! `WordDocument` stream in pieces; the piece table (the `Clx` in the `0Table` or `1Table`
//! stream, found through the file information block at the start of `WordDocument`) says where
//! each piece is and whether it is 8-bit (cp1252) or UTF-16. The main document is its first
//! `ccpText` characters. In that text `\r` ends a paragraph, `\x07` ends a table cell (and, once
//! more, the row), `\x0b` is a line break, and fields are `\x13 code \x14 result \x15` (the
//! result is kept).
//!
//! Formatting (alignment, Word's automatic numbering) lives in property pages that are not read:
//! the text, its tables and the typed 公文 headings are what a `.doc` gives. Anything that is not
//! a readable Word 97 file (Word 6/95, encrypted, another compound file) is refused with the
//! advice to save it as `.docx`.

use std::io::{Cursor, Read};

use encoding_rs::WINDOWS_1252;

use crate::chars::trim_blank;
use crate::document::{finish_body, ParseError, ParsedDoc};
use crate::layout::{follow, Layout};

/// Why a `.doc`/`.wps` could not be read.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum DocError {
    #[error("无法读取这个 Word 97–2003 文件（{0}）；请另存为 .docx 后上传")]
    Unreadable(&'static str),
    #[error("文件已加密，无法读取；请去掉密码并另存为 .docx 后上传")]
    Encrypted,
    #[error("文件太大（超过 {0} 字节）")]
    TooLarge(u64),
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Word 97 and later write this magic number at the start of the `WordDocument` stream.
const WORD97_IDENT: u16 = 0xA5EC;
/// `FibBase` flags: the document is encrypted; the piece table is in `1Table`.
const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TABLE: u16 = 0x0200;
/// `fcClx` is the 34th pair of the `FibRgFcLcb` array.
const CLX_INDEX: usize = 33;

/// Reads a `.doc` (or `.wps`) file from its bytes; no stream larger than `max_bytes` is read.
pub fn parse_doc(bytes: &[u8], max_bytes: u64) -> Result<ParsedDoc, DocError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|_| DocError::Unreadable("不是 Word 97–2003 复合文档"))?;
    let word = read_stream(&mut file, "/WordDocument", max_bytes)?;
    let fib = Fib::read(&word)?;
    let table_name = if fib.one_table { "/1Table" } else { "/0Table" };
    let table = read_stream(&mut file, table_name, max_bytes)?;
    let clx = table
        .get(fib.fc_clx..fib.fc_clx.saturating_add(fib.lcb_clx))
        .ok_or(DocError::Unreadable("文本索引超出范围"))?;
    let text = piece_text(&word, clx, fib.ccp_text)?;
    assemble(&text)
}

fn read_stream<F: Read + std::io::Seek>(
    file: &mut cfb::CompoundFile<F>,
    name: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, DocError> {
    let stream = file
        .open_stream(name)
        .map_err(|_| DocError::Unreadable("缺少 Word 正文数据"))?;
    if stream.len() > max_bytes {
        return Err(DocError::TooLarge(max_bytes));
    }
    let mut out = Vec::with_capacity(stream.len() as usize);
    stream
        .take(max_bytes)
        .read_to_end(&mut out)
        .map_err(|_| DocError::Unreadable("数据已损坏"))?;
    Ok(out)
}

/// What we need of the file information block.
struct Fib {
    one_table: bool,
    ccp_text: usize,
    fc_clx: usize,
    lcb_clx: usize,
}

impl Fib {
    fn read(word: &[u8]) -> Result<Fib, DocError> {
        let broken = DocError::Unreadable("文件头已损坏");
        let u16_at = |at: usize| {
            word.get(at..at + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
        };
        let u32_at = |at: usize| {
            word.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        if u16_at(0) != Some(WORD97_IDENT) {
            return Err(DocError::Unreadable("Word 95 或更早的格式"));
        }
        let flags = u16_at(0x0A).ok_or(broken.clone())?;
        if flags & F_ENCRYPTED != 0 {
            return Err(DocError::Encrypted);
        }
        // FibBase (32 bytes), then csw and FibRgW, cslw and FibRgLw, cbRgFcLcb and FibRgFcLcb.
        let csw = usize::from(u16_at(32).ok_or(broken.clone())?);
        let cslw_at = 34 + csw * 2;
        let cslw = usize::from(u16_at(cslw_at).ok_or(broken.clone())?);
        let lw_at = cslw_at + 2;
        let ccp_text = u32_at(lw_at + 12).ok_or(broken.clone())?;
        let count_at = lw_at + cslw * 4;
        let pairs = usize::from(u16_at(count_at).ok_or(broken.clone())?);
        if pairs <= CLX_INDEX {
            return Err(broken);
        }
        let clx_at = count_at + 2 + CLX_INDEX * 8;
        Ok(Fib {
            one_table: flags & F_WHICH_TABLE != 0,
            ccp_text,
            fc_clx: u32_at(clx_at).ok_or(broken.clone())?,
            lcb_clx: u32_at(clx_at + 4).ok_or(broken)?,
        })
    }
}

/// The first `ccp_text` characters of the document, piece by piece.
fn piece_text(word: &[u8], clx: &[u8], ccp_text: usize) -> Result<String, DocError> {
    let broken = DocError::Unreadable("文本索引已损坏");
    let mut at = 0;
    // Skip the Prc entries (formatting of pieces) to the Pcdt.
    while clx.get(at) == Some(&0x01) {
        let size = clx
            .get(at + 1..at + 3)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .ok_or(broken.clone())?;
        at += 3 + usize::try_from(size).map_err(|_| broken.clone())?;
    }
    if clx.get(at) != Some(&0x02) {
        return Err(broken);
    }
    let lcb = clx
        .get(at + 1..at + 5)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or(broken.clone())?;
    let plc = clx.get(at + 5..at + 5 + lcb).ok_or(broken.clone())?;
    if lcb < 4 || (lcb - 4) % 12 != 0 {
        return Err(broken);
    }
    let pieces = (lcb - 4) / 12;
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let mut text = String::new();
    let mut taken = 0usize;
    for k in 0..pieces {
        let (start, end) = (u32_at(plc, k * 4) as usize, u32_at(plc, k * 4 + 4) as usize);
        let count = end
            .saturating_sub(start)
            .min(ccp_text.saturating_sub(taken));
        if count == 0 {
            continue;
        }
        let fc = u32_at(plc, 4 * (pieces + 1) + k * 8 + 2);
        let compressed = fc & 0x4000_0000 != 0;
        let fc = (fc & 0x3FFF_FFFF) as usize;
        if compressed {
            let bytes = word
                .get(fc / 2..fc / 2 + count)
                .ok_or(DocError::Unreadable("文本超出范围"))?;
            text.push_str(&WINDOWS_1252.decode_without_bom_handling(bytes).0);
        } else {
            let bytes = word
                .get(fc..fc + count * 2)
                .ok_or(DocError::Unreadable("文本超出范围"))?;
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            text.push_str(&String::from_utf16_lossy(&units));
        }
        taken += count;
        if taken >= ccp_text {
            break;
        }
    }
    Ok(text)
}

/// A piece of the text as the control characters cut it.
enum Segment {
    /// Ended by a paragraph mark, line break or page break.
    Paragraph(String),
    /// Ended by a cell mark.
    Cell(String),
}

fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut current = String::new();
    // Field nesting: true while in a field's code (before its \x14 separator).
    let mut fields: Vec<bool> = Vec::new();
    for c in text.chars() {
        match c {
            '\u{13}' => fields.push(true),
            '\u{14}' => {
                if let Some(code) = fields.last_mut() {
                    *code = false;
                }
            }
            '\u{15}' => {
                fields.pop();
            }
            _ if fields.iter().any(|code| *code) => {}
            '\r' | '\u{0b}' | '\u{0c}' => {
                out.push(Segment::Paragraph(std::mem::take(&mut current)))
            }
            '\u{07}' => out.push(Segment::Cell(std::mem::take(&mut current))),
            '\t' => current.push('\t'),
            '\u{1e}' => current.push('-'),
            c if c.is_control() => {}
            c => current.push(c),
        }
    }
    out.push(Segment::Paragraph(current));
    out
}

/// Paragraphs and table rows (cells joined by tabs, see [`crate::layout`]), then title and body
/// as for the other formats: the first line is the title.
fn assemble(text: &str) -> Result<ParsedDoc, DocError> {
    let mut lines: Vec<(String, Layout)> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut in_table = false;
    let mut last_was_cell = false;
    // Earlier paragraphs of a cell that has more than one.
    let mut pending = String::new();
    for segment in segments(text) {
        match segment {
            // A cell mark straight after another with nothing between ends the row (the
            // row's own end mark). An empty cell looks the same: the row is cut there.
            Segment::Cell(cell) if last_was_cell && trim_blank(&cell).is_empty() => {
                push_row(&mut lines, &mut row, &mut in_table);
                last_was_cell = false;
            }
            Segment::Cell(cell) => {
                pending.push(' ');
                pending.push_str(&cell.replace('\t', " "));
                row.push(trim_blank(&std::mem::take(&mut pending)).to_owned());
                last_was_cell = true;
            }
            // A paragraph inside a cell (before its cell mark) joins the cell's text.
            Segment::Paragraph(p) if !row.is_empty() => {
                pending.push(' ');
                pending.push_str(trim_blank(&p));
                last_was_cell = false;
            }
            Segment::Paragraph(p) => {
                in_table = false;
                last_was_cell = false;
                let p = trim_blank(&p);
                if !p.is_empty() {
                    lines.push((p.to_owned(), Layout::Plain));
                }
            }
        }
    }
    push_row(&mut lines, &mut row, &mut in_table);
    if lines.is_empty() {
        return Err(ParseError::NoTitle.into());
    }
    let (title, _) = lines.remove(0);
    let paragraphs = finish_body(&title, lines.iter().map(|(p, _)| p.clone()).collect())?;
    let layout = follow(&lines, &paragraphs);
    Ok(ParsedDoc {
        title,
        layout: match layout.iter().all(|l| *l == Layout::Plain) {
            true => Vec::new(),
            false => layout,
        },
        paragraphs,
        ..ParsedDoc::default()
    })
}

fn push_row(lines: &mut Vec<(String, Layout)>, row: &mut Vec<String>, in_table: &mut bool) {
    let cells = std::mem::take(row);
    if cells.iter().all(String::is_empty) {
        return;
    }
    let layout = match *in_table {
        true => Layout::TableRow,
        false => Layout::TableStart,
    };
    lines.push((cells.join("\t"), layout));
    *in_table = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_cells_and_fields() {
        let text = "关于安全生产的通知\r（2024年12月20日）\r一、总体情况\r\
                    行业\u{7}整改率\u{7}\u{7}危险化学品\u{7}98.7%\u{7}\u{7}\
                    见\u{13} HYPERLINK \"x\" \u{14}附件\u{15}。\r";
        let doc = assemble(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.title, "关于安全生产的通知");
        assert_eq!(
            doc.paragraphs,
            [
                "（2024年12月20日）",
                "一、总体情况",
                "行业\t整改率",
                "危险化学品\t98.7%",
                "见附件。"
            ]
        );
        assert_eq!(
            doc.layout,
            [
                Layout::Plain,
                Layout::Plain,
                Layout::TableStart,
                Layout::TableRow,
                Layout::Plain
            ]
        );
    }

    #[test]
    fn not_a_compound_file() {
        let err = parse_doc(b"PK\x03\x04 not a doc", 1 << 20).err();
        assert!(matches!(err, Some(DocError::Unreadable(_))));
        assert!(err
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("请另存为 .docx 后上传"));
    }
}
