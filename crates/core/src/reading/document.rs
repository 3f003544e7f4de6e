//! A stored document made ready for reading: paragraphs split, 公文 headings recognised, outline
//! built. Parsing happens once per document (the reading service caches the result), not per
//! request.

use serde::Serialize;
use wenyuan_store::ArticleRow;
use wenyuan_text::layout::{decode as decode_layout, Layout};
use wenyuan_text::outline::{heading_of, OutlineEntry};

use crate::{Access, Status};

/// One paragraph, with its 公文 heading split off when it starts with one.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Paragraph {
    /// Position in the document (0-based); the page anchors it as `#p-{index}`.
    pub index: usize,
    /// Heading level 1–4 when the paragraph starts with a heading.
    pub level: Option<u8>,
    /// The heading text (marker included), or empty.
    pub heading: String,
    /// The rest of the paragraph: all of it when there is no heading, the run-on text after a
    /// heading's 。/： otherwise (without that terminator).
    pub text: String,
    /// The terminator that separated heading and text, kept so "Copy" gives the original.
    pub joint: String,
    /// How the office file it came from laid it out: centred, right-aligned, a table row.
    #[serde(skip_serializing_if = "is_plain")]
    pub layout: Layout,
    /// A table row's cells (its text split at the tabs), for the page and the download.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<String>>,
}

fn is_plain(layout: &Layout) -> bool {
    *layout == Layout::Plain
}

impl Paragraph {
    pub fn char_count(&self) -> usize {
        self.heading.chars().count() + self.joint.chars().count() + self.text.chars().count()
    }

    /// The paragraph as written.
    pub fn full_text(&self) -> String {
        format!("{}{}{}", self.heading, self.joint, self.text)
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub title: String,
    pub published_on: String,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    pub access: Access,
    pub status: Status,
    pub preview_ratio: Option<f64>,
    pub preview_max: Option<i64>,
    pub paragraphs: Vec<Paragraph>,
    pub outline: Vec<OutlineEntry>,
    pub tags: Vec<String>,
    pub updated_at: i64,
}

impl Document {
    pub fn from_row(row: ArticleRow, tags: Vec<String>) -> Self {
        let texts: Vec<&str> = row
            .body
            .split('\n')
            .filter(|p| !p.trim().is_empty())
            .collect();
        let layout = row
            .layout
            .as_deref()
            .and_then(|stored| decode_layout(stored, texts.len()))
            .unwrap_or_default();
        let layout_of = |index: usize| layout.get(index).copied().unwrap_or_default();
        let mut outline = wenyuan_text::outline::outline(&texts);
        // A table cell that starts with 一、 is not a heading of the document.
        outline.retain(|e| !layout_of(e.paragraph).is_table_row());
        // A paragraph is set as a heading only when the outline kept it (list items and
        // out-of-sequence numbers stay body text).
        let headings: std::collections::HashSet<usize> =
            outline.iter().map(|e| e.paragraph).collect();
        let paragraphs = texts
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let mut paragraph = if headings.contains(&index) {
                    split_heading(index, text)
                } else {
                    plain_paragraph(index, text)
                };
                paragraph.layout = layout_of(index);
                if paragraph.layout.is_table_row() {
                    paragraph.cells = Some(Layout::cells(text));
                }
                paragraph
            })
            .collect();
        Document {
            id: row.id,
            title: row.title,
            published_on: row.published_on,
            category_name: row.category_name,
            category_slug: row.category_slug,
            // A value the schema allows but this build does not know is treated as the strictest.
            access: row.access.parse().unwrap_or(Access::Vip),
            // A spelling the database should not hold is kept off the site.
            status: row.status.parse().unwrap_or(Status::Hidden),
            preview_ratio: row.preview_ratio,
            preview_max: row.preview_max,
            paragraphs,
            outline,
            tags,
            updated_at: row.updated_at,
        }
    }

    pub fn is_published(&self) -> bool {
        self.status == Status::Published
    }
}

fn split_heading(index: usize, text: &str) -> Paragraph {
    match heading_of(text) {
        Some(h) => {
            let rest = text.get(h.end..).unwrap_or("");
            // The terminator (。 ： ！ ？) that ended the heading, if any.
            let joint_len = rest.chars().next().map_or(0, |c| {
                if "。：:！!？?".contains(c) {
                    c.len_utf8()
                } else {
                    0
                }
            });
            Paragraph {
                index,
                level: Some(h.level),
                heading: h.text,
                joint: rest[..joint_len].to_owned(),
                text: rest[joint_len..].trim_start().to_owned(),
                ..Paragraph::default()
            }
        }
        None => plain_paragraph(index, text),
    }
}

fn plain_paragraph(index: usize, text: &str) -> Paragraph {
    Paragraph {
        index,
        level: None,
        heading: String::new(),
        joint: String::new(),
        text: text.to_owned(),
        ..Paragraph::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(body: &str) -> ArticleRow {
        ArticleRow {
            id: 1,
            title: "t".into(),
            body: body.into(),
            published_on: "2020-11-04".into(),
            category_name: None,
            category_slug: None,
            access: "member".into(),
            status: Status::Published.as_str().into(),
            preview_ratio: None,
            preview_max: None,
            views: 246,
            updated_at: 0,
            layout: None,
        }
    }

    #[test]
    fn run_on_headings_are_split_from_their_paragraph() {
        let doc = Document::from_row(
            row("一、关于外出考察的体会和思考\n(一)学先进,看X发展更需努力。这次外出考察行程紧凑。\n正文。"),
            vec![],
        );
        let p = &doc.paragraphs;
        assert_eq!(
            (p[0].level, p[0].heading.as_str(), p[0].text.as_str()),
            (Some(1), "一、关于外出考察的体会和思考", "")
        );
        assert_eq!(p[1].level, Some(2));
        assert_eq!(p[1].heading, "(一)学先进,看X发展更需努力");
        assert_eq!(p[1].text, "这次外出考察行程紧凑。");
        assert_eq!(
            p[1].full_text(),
            "(一)学先进,看X发展更需努力。这次外出考察行程紧凑。"
        );
        assert_eq!(p[2].level, None);
        assert_eq!(doc.outline.len(), 2);
    }
}
