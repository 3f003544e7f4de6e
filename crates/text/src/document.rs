//! Parsing decoded `.txt` and `.md` files into a [`ParsedDoc`].
//!
//! The formats are those of 范文 pages saved as text (title line, a `date views` line, the
//! body one paragraph per line, page chrome at the end) and of hand-written Markdown with a
//! small front matter. See [`parse_txt`] and [`parse_markdown`].

mod markdown;
mod meta;

use crate::chars::trim_blank;
use crate::chrome::trim_page_chrome;

pub use markdown::parse_markdown;

/// A document as parsed from a file, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedDoc {
    /// The title, trimmed, never empty.
    pub title: String,
    /// Publication date as `YYYY-MM-DD`, a real calendar date, as the source states it (front
    /// matter, the `.txt` date line, a `.jsonl` `date`, a page's metadata).
    pub date: Option<String>,
    /// The date the file's own metadata gives (a Word file's creation time): the last resort,
    /// since a template made years ago keeps its creation date (see [`ParsedDoc::document_date`]).
    pub file_date: Option<String>,
    /// The view count the source page showed, used as the initial count.
    pub views: Option<i64>,
    /// Category from the front matter.
    pub category: Option<String>,
    /// Tags from the front matter, in order, without duplicates.
    pub tags: Vec<String>,
    /// Access level as written in the front matter; the caller validates it.
    pub access: Option<String>,
    /// Body paragraphs: trimmed, non-empty, page chrome removed.
    pub paragraphs: Vec<String>,
    /// How each paragraph was laid out (office files only): one per paragraph, or empty when
    /// the format has no layout (see [`crate::layout`]).
    pub layout: Vec<crate::Layout>,
}

impl ParsedDoc {
    /// The document's date, in order: the source's explicit date; a date line in the text
    /// (under the title or in the 落款, see [`crate::date::text_date`]); the file's metadata.
    /// `None` means no date: the caller stores it as such, never as the import day.
    pub fn document_date(&self) -> Option<String> {
        self.date
            .clone()
            .or_else(|| crate::date::text_date(&self.paragraphs))
            .or_else(|| self.file_date.clone())
    }
}

/// Why a file could not be parsed into a document.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// No non-empty line to take the title from.
    #[error("文档没有标题（没有非空的行）")]
    NoTitle,
    /// A title but no body paragraph (after removing page chrome).
    #[error("标题之后没有正文")]
    NoBody,
    /// The Markdown front matter is malformed; the message says where.
    #[error("文件头信息有误：{0}")]
    BadFrontMatter(String),
}

/// Parses a `.txt` document.
///
/// The first non-empty line is the title. If the next non-empty line is a date line
/// (`2020-11-04 246`, `2020/11/04`, `2020年11月4日`, `发布时间：2020-11-04 浏览：246` …) it
/// gives date and views. Every following non-empty line is a paragraph; a first paragraph
/// repeating the title is dropped (saved pages repeat it), and trailing page chrome is cut.
pub fn parse_txt(text: &str) -> Result<ParsedDoc, ParseError> {
    let mut lines = text.lines().map(trim_blank).filter(|l| !l.is_empty());
    let title = lines.next().ok_or(ParseError::NoTitle)?.to_owned();
    let mut lines = lines.peekable();
    let (date, views) = match lines.peek().and_then(|l| meta::parse_meta_line(l)) {
        Some(meta) => {
            lines.next();
            (Some(meta.date), meta.views)
        }
        None => (None, None),
    };
    let paragraphs = finish_body(&title, lines.map(str::to_owned).collect())?;
    Ok(ParsedDoc {
        title,
        date,
        views,
        paragraphs,
        ..ParsedDoc::default()
    })
}

/// Paragraphs of a body stored one paragraph per line (the `.jsonl` corpus format):
/// split on line ends, trim (including U+3000 and NBSP), drop empty lines, cut page chrome.
pub fn paragraphs_from_body(body: &str) -> Vec<String> {
    let mut paragraphs: Vec<String> = body
        .lines()
        .map(trim_blank)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    trim_page_chrome(&mut paragraphs);
    paragraphs
}

/// Takes a leading `date views` line (`2020-11-04 246`, `发布时间：2020-11-04 浏览：246` …) off
/// `paragraphs`, returning the date and the view count.
pub(crate) fn take_meta_line(paragraphs: &mut Vec<String>) -> (Option<String>, Option<i64>) {
    match paragraphs.first().and_then(|l| meta_line(l)) {
        Some(meta) => {
            paragraphs.remove(0);
            meta
        }
        None => (None, None),
    }
}

/// The date and view count of a `date views` line, if `line` is one.
pub(crate) fn meta_line(line: &str) -> Option<(Option<String>, Option<i64>)> {
    meta::parse_meta_line(line).map(|meta| (Some(meta.date), meta.views))
}

/// Shared end of the parsers: drop a repeated title, cut chrome, require a body.
pub(crate) fn finish_body(
    title: &str,
    mut paragraphs: Vec<String>,
) -> Result<Vec<String>, ParseError> {
    if paragraphs.first().is_some_and(|p| p == title) {
        paragraphs.remove(0);
    }
    trim_page_chrome(&mut paragraphs);
    if paragraphs.is_empty() {
        return Err(ParseError::NoBody);
    }
    Ok(paragraphs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_with_date_views_repeated_title_and_chrome() {
        let text = "在2020年区委读书会上的讲话\n2020-11-04 246\n\n在2020年区委读书会上的讲话\n\n\u{a0}\n\
            \u{3000}\u{3000}这次读书会很有必要，也很有意义。\n一、关于外出考察的体会和思考\n\n阅读全文\n分享:\n    • 本周热门\n";
        let doc = parse_txt(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.title, "在2020年区委读书会上的讲话");
        assert_eq!(doc.date.as_deref(), Some("2020-11-04"));
        assert_eq!(doc.views, Some(246));
        assert_eq!(
            doc.paragraphs,
            [
                "这次读书会很有必要，也很有意义。",
                "一、关于外出考察的体会和思考"
            ]
        );
    }

    #[test]
    fn txt_without_date_line() {
        let doc = parse_txt("关于做好2021年工作的通知\n各单位：\n现将有关事项通知如下。")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.date, None);
        assert_eq!(doc.views, None);
        assert_eq!(doc.paragraphs, ["各单位：", "现将有关事项通知如下。"]);
    }

    #[test]
    fn txt_errors() {
        assert_eq!(parse_txt(""), Err(ParseError::NoTitle));
        assert_eq!(parse_txt(" \n\u{3000}\n"), Err(ParseError::NoTitle));
        assert_eq!(parse_txt("标题\n2020-11-04 246\n"), Err(ParseError::NoBody));
        assert_eq!(
            parse_txt("标题\n标题\n阅读全文\n分享:"),
            Err(ParseError::NoBody)
        );
    }

    #[test]
    fn jsonl_body() {
        let body = "各位代表：\n\u{3000}\u{3000}现在，我代表国务院，向大会报告政府工作。\n\n一、2024年工作回顾\n \n";
        assert_eq!(
            paragraphs_from_body(body),
            [
                "各位代表：",
                "现在，我代表国务院，向大会报告政府工作。",
                "一、2024年工作回顾"
            ]
        );
    }
}
