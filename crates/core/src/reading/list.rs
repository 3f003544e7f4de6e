//! Lists of documents as readers browse them: pages of the newest, a category's, a tag's.

use serde::Serialize;
use wenyuan_store::{ArticleSummary, CategoryRow};

/// A page of a document list.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage {
    pub items: Vec<ListItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListItem {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub category: Option<String>,
    pub category_slug: Option<String>,
    pub access: String,
    pub views: i64,
    /// The first sentences of real body text (`wenyuan_text::lead`): every viewer may read them,
    /// since the preview always reaches the paragraph they come from (see `gate`).
    pub lead: String,
    /// The editors feature it (推荐).
    pub featured: bool,
}

impl From<ArticleSummary> for ListItem {
    fn from(s: ArticleSummary) -> Self {
        let lines: Vec<&str> = s
            .lead
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        // The store sends the body's start; the last line may be cut short, which `lead` cuts
        // again at a clause end anyway.
        let whole_body = s.lead.chars().count() < wenyuan_store::LEAD_CHARS as usize;
        let start = wenyuan_text::lead::lead_start(&s.title, &lines);
        // A short document whose only real paragraph is its last: the gate keeps that one back,
        // so the list shows no summary rather than text behind the gate.
        let lead = if whole_body && lines.len() >= 2 && start + 1 >= lines.len() {
            String::new()
        } else {
            wenyuan_text::lead::lead(&s.title, &lines)
        };
        ListItem {
            id: s.id,
            title: s.title,
            date: s.published_on,
            category: s.category_name,
            category_slug: s.category_slug,
            access: s.access,
            views: s.views,
            lead,
            featured: s.featured != 0,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryItem {
    pub name: String,
    pub slug: String,
    pub articles: i64,
}

impl From<CategoryRow> for CategoryItem {
    fn from(c: CategoryRow) -> Self {
        CategoryItem {
            name: c.name,
            slug: c.slug,
            articles: c.articles,
        }
    }
}
