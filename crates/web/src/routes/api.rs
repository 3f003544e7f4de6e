//! The JSON API, nested under `/api/v1`. It honours the session cookie and the gate exactly as the pages do.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use wenyuan_core::discovery::hot::{HotItem, HotWindow};
use wenyuan_core::discovery::related::RelatedItem;
use wenyuan_core::reading::ListItem;
use wenyuan_core::reading::Paragraph;
use wenyuan_core::reading::{ArticleView, OutlineItem};
use wenyuan_core::store::ListFilter;
use wenyuan_text::placeholders::Placeholder;

use crate::error::{ApiError, AppError};
use crate::extract::parse_id;
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/articles", get(list_articles))
        .route("/articles/{id}", get(article))
        .route("/articles/{id}/related", get(related))
        .route("/hot", get(hot))
        .fallback(|| async { ApiError(AppError::not_found()) })
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Serialize)]
struct ArticleJson {
    id: i64,
    title: String,
    date: String,
    views: i64,
    category: Option<String>,
    access: String,
    tags: Vec<String>,
    gated: bool,
    /// Only the paragraphs this viewer may read.
    paragraphs: Vec<String>,
    outline: Vec<OutlineItem>,
    hidden_paragraphs: usize,
    /// The blanks of 填写本单位信息 (`key`, `pattern`, `count`); absent for a viewer the gate
    /// holds text back from, who has no download to fill.
    #[serde(skip_serializing_if = "Option::is_none")]
    placeholders: Option<Vec<Placeholder>>,
}

impl From<ArticleView> for ArticleJson {
    fn from(v: ArticleView) -> Self {
        ArticleJson {
            id: v.id,
            title: v.title,
            date: v.date,
            views: v.views,
            category: v.category,
            access: v.access,
            tags: v.tags,
            gated: v.gated,
            paragraphs: v.paragraphs.iter().map(Paragraph::full_text).collect(),
            outline: v.outline,
            hidden_paragraphs: v.hidden_paragraphs,
            placeholders: v.placeholders,
        }
    }
}

async fn article(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
) -> ApiResult<ArticleJson> {
    let id = parse_id(&raw_id)?;
    let doc = state
        .services
        .reading
        .readable_document(id, viewer.role().is_staff())
        .await?;
    let views = state.services.views.views_of(id).await?;
    let view = ArticleView::new(&doc, viewer.role(), &state.services.site(), views);
    Ok(Json(view.into()))
}

#[derive(Debug, Deserialize)]
struct RelatedQuery {
    limit: Option<String>,
}

/// `[{id, title, score}]`: titles only, so no gate is involved.
async fn related(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Query(q): Query<RelatedQuery>,
) -> ApiResult<Vec<RelatedItem>> {
    let id = parse_id(&raw_id)?;
    state.services.reading.readable_document(id, false).await?;
    let limit = parse_limit(q.limit.as_deref(), 8)?;
    Ok(Json(
        state
            .services
            .related
            .related(id, limit as usize)
            .await?
            .as_ref()
            .clone(),
    ))
}

#[derive(Debug, Deserialize)]
struct HotQuery {
    window: Option<String>,
    limit: Option<String>,
}

async fn hot(State(state): State<AppState>, Query(q): Query<HotQuery>) -> ApiResult<Vec<HotItem>> {
    let window = HotWindow::parse(q.window.as_deref())?;
    let limit = parse_limit(q.limit.as_deref(), 10)?;
    Ok(Json(state.services.hot.hot(window, limit, 1).await?.items))
}

/// `limit=` between 1 and 100; absent means `default`.
fn parse_limit(text: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ApiError(AppError::bad_request("limit 应为 1 到 100 之间的整数"))),
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    category: Option<String>,
    tag: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct ListJson {
    total: i64,
    page: i64,
    pages: i64,
    items: Vec<ListItem>,
}

async fn list_articles(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<ListJson> {
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let mut filter = ListFilter::default();
    if let Some(slug) = q.category.as_deref().filter(|s| !s.is_empty()) {
        // Accept the slug or the category's name (they are usually the same).
        let (id, _) = state
            .services
            .reading
            .category_by_slug_or_name(slug)
            .await?;
        filter.category_id = Some(id);
    }
    filter.tag = q.tag.filter(|t| !t.is_empty());
    let list = state.services.reading.list(&filter, page).await?;
    Ok(Json(ListJson {
        total: list.total,
        page: list.page,
        pages: list.pages,
        items: list.items,
    }))
}
