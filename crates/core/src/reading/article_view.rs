//! View structs: what pages and the API show of a document, always built through the gate.

use serde::Serialize;

use super::document::{Document, Paragraph};
use super::gate::gate;
use crate::takeaway::fill;
use crate::{Role, SiteSettings};
use wenyuan_text::placeholders::Placeholder;

/// A heading of the outline, with whether the viewer can jump to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutlineItem {
    pub paragraph: usize,
    pub level: u8,
    pub text: String,
    /// False when the heading's paragraph is behind the gate (the link goes to the gate).
    pub visible: bool,
}

/// One document as one viewer may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub views: i64,
    pub category: Option<String>,
    pub category_slug: Option<String>,
    pub access: String,
    pub tags: Vec<String>,
    pub gated: bool,
    pub paragraphs: Vec<Paragraph>,
    pub outline: Vec<OutlineItem>,
    pub visible_paragraphs: usize,
    pub hidden_paragraphs: usize,
    pub total_paragraphs: usize,
    /// For `<meta name="description">`: the start of the visible text.
    pub description: String,
    /// The blanks to fill in (填写本单位信息) — only for a viewer who may take the whole
    /// document away (`None` when gated: the fields are for the download, and counted over a
    /// preview they would miscount).
    pub placeholders: Option<Vec<Placeholder>>,
}

/// How many characters a meta description carries.
const DESCRIPTION_CHARS: usize = 120;

impl ArticleView {
    pub fn new(doc: &Document, role: Role, site: &SiteSettings, views: i64) -> Self {
        let view = gate(role, doc, site);
        let shown = view.visible.len();
        let description: String = view
            .visible
            .iter()
            .map(Paragraph::full_text)
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(DESCRIPTION_CHARS)
            .collect();
        ArticleView {
            id: doc.id,
            title: doc.title.clone(),
            date: doc.published_on.clone(),
            views,
            category: doc.category_name.clone(),
            category_slug: doc.category_slug.clone(),
            access: doc.access.as_str().to_owned(),
            tags: doc.tags.clone(),
            gated: view.gated,
            paragraphs: view.visible.to_vec(),
            outline: view
                .outline
                .iter()
                .map(|h| OutlineItem {
                    paragraph: h.paragraph,
                    level: h.level,
                    text: h.text.clone(),
                    visible: h.paragraph < shown,
                })
                .collect(),
            visible_paragraphs: shown,
            hidden_paragraphs: view.hidden_paragraphs,
            total_paragraphs: doc.paragraphs.len(),
            description,
            placeholders: (!view.gated).then(|| fill::placeholders(&doc.title, &view.visible)),
        }
    }
}
