//! Saved web pages (`.html`/`.htm`) into a [`ParsedDoc`]: the article, without the page.
//!
//! 1. Decode: a BOM or valid UTF-8 decides; else the page's own `<meta charset>` (or
//!    `http-equiv` content type) in its first bytes; else the [`crate::decode`] guess.
//! 2. Refuse a page nested deeper than [`MAX_DEPTH`] before any parser sees it (the parser's
//!    time grows with the depth; see [`depth`]).
//! 3. Sanitise with ammonia before anything else looks at the markup: scripts, styles, frames,
//!    objects and form controls go with their content, every attribute except `id`/`class`
//!    goes (so no `onerror=`, no `javascript:` URL survives), comments go. Structural tags stay
//!    so the next step can still tell a `<nav>` from an `<article>`.
//! 4. Parse the clean markup with html5ever into a tree, drop page furniture (`nav`, `header`,
//!    `footer`, `aside`, small forms, blocks whose id/class say share/QR/related/hot/comment …),
//!    and take the element with the densest text (`<article>`, `#content`, `.content` … earn a
//!    bonus) as the article.
//! 5. Title: the `<h1>` inside the article; else an `<h1>`/`<h2>` whose text the `<title>`
//!    contains; else the `<title>` without its site suffix (` - 范文网`, `_XX网`); else the first
//!    `<h1>`; else the first paragraph. A `date views` line under the title gives date and views.
//! 6. Page chrome lines (阅读全文, 分享：, 相关内容, 热门推荐 … see [`crate::chrome`]) are removed
//!    wherever they stand, as are breadcrumbs (`当前位置：首页 > …`), and the trailing chrome
//!    run is cut as for `.txt`.
//!
//! The result is plain paragraphs: no markup is kept, so nothing executable can be stored.

pub mod depth;
mod tree;

use std::collections::{HashMap, HashSet};

use encoding_rs::Encoding;
use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::RcDom;

use crate::chrome::is_chrome_line;
use crate::decode::{decode_text, DecodeError};
use crate::document::{finish_body, meta_line, take_meta_line, ParseError, ParsedDoc};
pub use depth::MAX_DEPTH;
use tree::Tree;

/// Why a page could not be read as a document.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum HtmlError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("网页中找不到正文")]
    NoArticle,
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Shown to the editor as it stands: a crafted page is refused, not flattened.
    #[error("网页的标签嵌套超过 {limit} 层，不像正常网页（可能是恶意构造的文件），已拒绝导入；请另存为 .txt 或 .docx 后再上传")]
    TooDeep { limit: usize },
}

/// How far into the page a `<meta charset>` is looked for (the HTML standard says 1024 bytes;
/// saved pages often carry a long comment or script first).
const CHARSET_SNIFF_BYTES: usize = 4096;

/// Reads a saved page from its bytes.
pub fn parse_html_page(bytes: &[u8]) -> Result<ParsedDoc, HtmlError> {
    let html = decode_html(bytes)?;
    if depth::nesting_depth(&html, MAX_DEPTH).is_none() {
        return Err(HtmlError::TooDeep { limit: MAX_DEPTH });
    }
    let clean = sanitise(&html);
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(clean);
    let mut tree = Tree::from_dom(&dom.document);
    let page_title = tree.texts_of("title").into_iter().next();
    let headings: Vec<String> = ["h1", "h2"]
        .iter()
        .flat_map(|tag| tree.texts_of(tag))
        .collect();
    tree.remove_chrome();
    let article = tree.article().ok_or(HtmlError::NoArticle)?;
    let mut paragraphs: Vec<String> = tree
        .paragraphs(article)
        .into_iter()
        .filter(|p| !is_chrome_line(p) && !is_breadcrumb(p))
        .collect();
    let title = tree
        .first_text(Some(article), "h1")
        .or_else(|| {
            let page_title = page_title.as_deref()?;
            headings
                .iter()
                .find(|h| h.chars().count() >= 4 && page_title.contains(h.as_str()))
                .cloned()
        })
        .or_else(|| page_title.as_deref().map(strip_site_suffix))
        .filter(|t| !t.is_empty())
        .or_else(|| headings.first().cloned())
        .or_else(|| (!paragraphs.is_empty()).then(|| paragraphs.remove(0)))
        .ok_or(ParseError::NoTitle)?;
    // The article often opens with the title, then a `date views` line.
    if paragraphs.first().is_some_and(|p| *p == title) {
        paragraphs.remove(0);
    }
    let (mut date, mut views) = take_meta_line(&mut paragraphs);
    if date.is_none() {
        // Sites put the `date views` line beside the title, outside the article body.
        if let Some(meta) = tree
            .lines_around_heading(&title)
            .iter()
            .find_map(|l| meta_line(l))
        {
            (date, views) = meta;
        }
    }
    let paragraphs = finish_body(&title, paragraphs)?;
    Ok(ParsedDoc {
        title,
        date,
        views,
        paragraphs,
        ..ParsedDoc::default()
    })
}

/// The paragraphs of an HTML fragment that is all article (a CMS's stored body, such as
/// DedeCMS's `dede_addonarticle.body`): refused when nested too deep, sanitised and parsed as a
/// saved page is, page-chrome lines dropped, but all of it kept (no search for the densest
/// block: there is no page around it).
pub fn html_fragment_paragraphs(html: &str) -> Result<Vec<String>, HtmlError> {
    if depth::nesting_depth(html, MAX_DEPTH).is_none() {
        return Err(HtmlError::TooDeep { limit: MAX_DEPTH });
    }
    let clean = sanitise(html);
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(clean);
    let tree = Tree::from_dom(&dom.document);
    Ok(tree
        .root()
        .map(|root| tree.paragraphs(root))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !is_chrome_line(p))
        .collect())
}

/// Text of the page (see the module docs for the order of evidence).
fn decode_html(bytes: &[u8]) -> Result<String, DecodeError> {
    if Encoding::for_bom(bytes).is_some() || std::str::from_utf8(bytes).is_ok() {
        return Ok(decode_text(bytes)?.text);
    }
    let head = &bytes[..bytes.len().min(CHARSET_SNIFF_BYTES)];
    match declared_charset(head) {
        // A page cannot declare UTF-16 from inside itself; such a declaration is a mistake.
        Some(encoding)
            if encoding != encoding_rs::UTF_16LE && encoding != encoding_rs::UTF_16BE =>
        {
            let (text, _, _) = encoding.decode(bytes);
            Ok(text.into_owned())
        }
        _ => Ok(decode_text(bytes)?.text),
    }
}

/// The encoding named by `charset=` in the page head (`<meta charset="gbk">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`).
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut rest = lower.as_slice();
    while let Some(at) = find(rest, b"charset") {
        rest = &rest[at + b"charset".len()..];
        let value = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'=' | b'"' | b'\''))
            .map(|start| &rest[start..])?;
        let end = value
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
            .unwrap_or(value.len());
        if let Some(encoding) = Encoding::for_label(&value[..end]) {
            return Some(encoding);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Inert, structural markup only (see the module docs).
fn sanitise(html: &str) -> String {
    const STRUCTURE: &[&str] = &[
        "a",
        "abbr",
        "article",
        "aside",
        "b",
        "blockquote",
        "br",
        "caption",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "font",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "u",
        "ul",
    ];
    const DROPPED_WITH_CONTENT: &[&str] = &[
        "script", "style", "noscript", "template", "iframe", "object", "embed", "select",
        "textarea", "button", "svg", "math", "canvas", "audio", "video",
    ];
    ammonia::Builder::empty()
        .tags(STRUCTURE.iter().copied().collect::<HashSet<_>>())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect::<HashSet<_>>())
        .generic_attributes(["id", "class"].into_iter().collect::<HashSet<_>>())
        .tag_attributes(HashMap::new())
        .link_rel(None)
        .strip_comments(true)
        .clean(html)
        .to_string()
}

/// `当前位置：首页 > 范文 > 讲话稿` and the like.
fn is_breadcrumb(line: &str) -> bool {
    [
        "当前位置",
        "您的位置",
        "你的位置",
        "您现在的位置",
        "所在位置",
    ]
    .iter()
    .any(|p| line.starts_with(p))
        || (line.starts_with("首页") && (line.contains('>') || line.contains('›')))
}

/// `在2020年区委读书会上的讲话_范文网` → `在2020年区委读书会上的讲话`; also ` - 站名`,
/// ` | 站名`, `——站名`. The first part is kept when it is not trivially short.
fn strip_site_suffix(title: &str) -> String {
    let title = title.trim();
    let cut = ["_", " - ", " – ", " — ", "——", " | ", "|", "｜"]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min();
    match cut {
        Some(at) if title[..at].trim().chars().count() >= 4 => title[..at].trim().to_owned(),
        _ => title.to_owned(),
    }
}

#[cfg(test)]
mod tests;
