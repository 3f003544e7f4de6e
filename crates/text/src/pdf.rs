//! The text layer of a `.pdf` (exported from Word, WPS or LibreOffice) into a [`ParsedDoc`].
//!
//! `pdf-extract` gives the text line by line as laid out on the page. A PDF has no paragraphs,
//! so they are rebuilt: a line that fills the text width and does not end a sentence runs on
//! into the next one, unless the next starts a 公文 heading. The first line is the title; the
//! outline and the date line are recognised on the result as for any text. A PDF without a
//! usable text layer (a scan, fonts without a Unicode map) is refused with the advice to save
//! the document as `.docx`.

use crate::chars::{is_wide, trim_blank};
use crate::decode::plausible::Census;
use crate::document::{finish_body, ParseError, ParsedDoc};
use crate::outline::heading_of;

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    #[error("无法读取这个 PDF 文件（文件已损坏或已加密）；请另存为 .docx 后上传")]
    Unreadable,
    #[error("PDF 里没有可提取的文字（可能是扫描件或图片）；请另存为 .docx 后上传")]
    NoText,
    #[error("PDF 的文字无法正确提取（读出来是乱码）；请另存为 .docx 后上传")]
    Garbled,
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// A line at least this share of the longest lines' length is taken as filling the width.
const FULL_LINE_SHARE: f64 = 0.85;

/// Reads a `.pdf` from its bytes.
pub fn parse_pdf(bytes: &[u8]) -> Result<ParsedDoc, PdfError> {
    // The extractor panics on some malformed files; a bad upload must not take a worker down.
    let text = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
        .map_err(|_| PdfError::Unreadable)?
        .map_err(|_| PdfError::Unreadable)?;
    let lines: Vec<String> = text
        .lines()
        .map(|l| tighten(trim_blank(l)))
        .filter(|l| !l.is_empty())
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    if lines.is_empty() {
        return Err(PdfError::NoText);
    }
    if !Census::of(&text).plausible() {
        return Err(PdfError::Garbled);
    }
    let mut paragraphs = join_wrapped(&lines);
    let mut title = paragraphs.remove(0);
    // A long title in a large size wraps: its last characters come alone on the next line.
    if let Some(next) = paragraphs.first() {
        if continues_title(&title, next) {
            title.push_str(&paragraphs.remove(0));
        }
    }
    let paragraphs = finish_body(&title, paragraphs)?;
    Ok(ParsedDoc {
        title,
        paragraphs,
        ..ParsedDoc::default()
    })
}

/// The extractor puts a space where the font changes between Chinese and Latin or digits
/// (`2024 年`); Chinese text has none there. Spaces between two Chinese characters (table
/// columns, spaced-out names) are kept.
fn tighten(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' && i > 0 && i + 1 < chars.len() {
            let (before, after) = (chars[i - 1], chars[i + 1]);
            let mixed = (is_wide(before) && after.is_ascii_alphanumeric())
                || (before.is_ascii_alphanumeric() || before == '%') && is_wide(after);
            if mixed {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

/// The line after the title is the title's end when it is a short piece with no punctuation,
/// no heading number and no date.
fn continues_title(title: &str, next: &str) -> bool {
    let short = next.chars().count() * 2 <= title.chars().count();
    short
        && !title.ends_with(|c: char| "。：；！？）".contains(c))
        && !next.contains(|c: char| "，。：；！？（）()、".contains(c) || c.is_ascii_digit())
        && heading_of(next).is_none()
}

/// Lines into paragraphs (see the module docs).
fn join_wrapped(lines: &[&str]) -> Vec<String> {
    let full = full_width(lines);
    let mut out: Vec<String> = Vec::new();
    let mut runs_on = false;
    for line in lines {
        match out.last_mut() {
            Some(last) if runs_on && heading_of(line).is_none() => last.push_str(line),
            _ => out.push((*line).to_owned()),
        }
        let width = line.chars().count();
        let ends_sentence = line.ends_with(['。', '！', '？', '：', '；', '”', '）']);
        runs_on =
            full.is_some_and(|f| width as f64 >= FULL_LINE_SHARE * f as f64) && !ends_sentence;
    }
    out
}

/// The length of a full line: the most common length among the longer lines, when the text has
/// enough lines to tell.
fn full_width(lines: &[&str]) -> Option<usize> {
    let mut widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    widths.sort_unstable();
    let longest = *widths.last()?;
    // Most body lines are full; take the longest width that several lines reach.
    let reached = widths
        .iter()
        .rev()
        .find(|w| widths.iter().filter(|x| *x >= *w).count() >= 3)
        .copied()
        .unwrap_or(longest);
    (reached >= 10).then_some(reached)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_join_and_headings_stay() {
        let lines = [
            "关于安全生产工作的总结",
            "（2024年12月20日）",
            "2024年，我局在市委、市政府的坚强领导下，坚持人民",
            "至上、生命至上，统筹发展和安全，全市安全生产形势持",
            "续稳定向好。",
            "一、主要工作及成效",
            "（一）压紧压实安全生产责任。全面落实党政领导干部安",
            "全生产责任制。",
        ];
        assert_eq!(
            join_wrapped(&lines),
            [
                "关于安全生产工作的总结",
                "（2024年12月20日）",
                "2024年，我局在市委、市政府的坚强领导下，坚持人民至上、生命至上，统筹发展和安全，全市安全生产形势持续稳定向好。",
                "一、主要工作及成效",
                "（一）压紧压实安全生产责任。全面落实党政领导干部安全生产责任制。",
            ]
        );
    }

    #[test]
    fn not_a_pdf() {
        assert_eq!(
            parse_pdf(b"%PDF-1.4 broken").err(),
            Some(PdfError::Unreadable)
        );
        assert_eq!(parse_pdf(b"").err(), Some(PdfError::Unreadable));
    }
}
