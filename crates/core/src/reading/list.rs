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

#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub category: Option<String>,
    pub category_slug: Option<String>,
    pub access: String,
    pub views: i64,
    /// The start of the first paragraph: every viewer may read it (the preview always holds it).
    pub lead: String,
}

impl From<ArticleSummary> for ListItem {
    fn from(s: ArticleSummary) -> Self {
        let lead = s.lead.split('\n').next().unwrap_or("").trim();
        let lead: String = lead.chars().take(90).collect();
        ListItem {
            id: s.id,
            title: s.title,
            date: s.published_on,
            category: s.category_name,
            category_slug: s.category_slug,
            access: s.access,
            views: s.views,
            lead,
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
