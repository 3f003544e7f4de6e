//! The JSON API, nested under `/api/v1`. It honours the session cookie and the gate exactly as the pages do.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wenyuan_core::discovery::hot::{HotItem, HotWindow};
use wenyuan_core::discovery::related::RelatedItem;
use wenyuan_core::reading::ListItem;
use wenyuan_core::reading::Paragraph;
use wenyuan_core::reading::{ArticleView, OutlineItem};
use wenyuan_core::store::ListFilter;
use wenyuan_text::placeholders::Placeholder;

use crate::error::{ApiError, AppError};
use crate::extract::parse_id;
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_articles))
        .routes(routes!(article))
        .routes(routes!(related))
        .routes(routes!(hot))
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Serialize, ToSchema)]
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
    #[schema(value_type = Option<Vec<PlaceholderJson>>)]
    placeholders: Option<Vec<Placeholder>>,
}

/// How [`Placeholder`] serialises (it lives in the text crate, which knows nothing of OpenAPI).
#[derive(ToSchema)]
#[allow(dead_code)]
struct PlaceholderJson {
    /// `p1`, `p2` …: the form field's name.
    key: String,
    /// The placeholder as it stands in the text (`X书记`).
    pattern: String,
    count: usize,
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

/// One document, with only the paragraphs this caller may read (the gate of the pages).
#[utoipa::path(
    get,
    path = "/articles/{id}",
    tag = "reading",
    security((), ("session" = [])),
    params(("id" = i64, Path, description = "The document's id")),
    responses((status = 200, body = ArticleJson), (status = 404, body = ErrorBody))
)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RelatedQuery {
    /// 1 to 100 (default 8).
    limit: Option<String>,
}

/// `[{id, title, score}]`: titles only, so no gate is involved.
#[utoipa::path(
    get,
    path = "/articles/{id}/related",
    tag = "reading",
    params(("id" = i64, Path, description = "The document's id"), RelatedQuery),
    responses(
        (status = 200, body = Vec<RelatedItem>),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)
    )
)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HotQuery {
    /// week or month (default week).
    window: Option<String>,
    /// 1 to 100 (default 10).
    limit: Option<String>,
}

/// 本周热门 / 本月热门: titles only.
#[utoipa::path(
    get,
    path = "/hot",
    tag = "reading",
    params(HotQuery),
    responses((status = 200, body = Vec<HotItem>), (status = 400, body = ErrorBody))
)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// A category's slug or name (its sub-categories' documents included).
    category: Option<String>,
    tag: Option<String>,
    /// From 1.
    page: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ListJson {
    total: i64,
    page: i64,
    pages: i64,
    items: Vec<ListItem>,
}

/// Published documents, the newest first: titles and leads, never gated text.
#[utoipa::path(
    get,
    path = "/articles",
    tag = "reading",
    params(ListQuery),
    responses((status = 200, body = ListJson), (status = 404, body = ErrorBody))
)]
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
