//! The reading site: home, category and tag lists, the article page.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use serde::Serialize;
use wenyuan_core::library::ListPage;
use wenyuan_core::store::ListFilter;
use wenyuan_core::view::ArticleView;

use super::PageQuery;
use crate::error::{AppError, AppResult};
use crate::pages::{html, render};
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/c/{slug}", get(category))
        .route("/t/{tag}", get(tag))
        .route("/a/{id}", get(article))
}

#[derive(Serialize)]
struct HomeContent {
    list: ListPage,
    tags: Vec<(String, i64)>,
}

async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let list = state.lib.latest(q.page()).await?;
    let tags = state.lib.tags().await?.into_iter().take(40).collect();
    let here = if q.page() > 1 {
        format!("/?page={}", q.page())
    } else {
        "/".to_owned()
    };
    let body = render(
        &state,
        "home.html",
        Some(&viewer),
        &here,
        HomeContent { list, tags },
    )
    .await?;
    Ok(html(body))
}

#[derive(Serialize)]
struct ListContent {
    heading: String,
    base: String,
    list: ListPage,
}

async fn category(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let (id, category) = state.lib.category(&slug).await?;
    let filter = ListFilter {
        category_id: Some(id),
        tag: None,
    };
    let list = state.lib.list(&filter, q.page()).await?;
    let base = format!("/c/{}", urlencode(&category.slug));
    let content = ListContent {
        heading: category.name,
        base: base.clone(),
        list,
    };
    Ok(html(
        render(&state, "list.html", Some(&viewer), &base, content).await?,
    ))
}

async fn tag(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let filter = ListFilter {
        category_id: None,
        tag: Some(tag.clone()),
    };
    let list = state.lib.list(&filter, q.page()).await?;
    if list.total == 0 {
        return Err(AppError::not_found());
    }
    let base = format!("/t/{}", urlencode(&tag));
    let content = ListContent {
        heading: format!("标签：{tag}"),
        base: base.clone(),
        list,
    };
    Ok(html(
        render(&state, "list.html", Some(&viewer), &base, content).await?,
    ))
}

#[derive(Serialize)]
struct ArticleContent {
    doc: ArticleView,
}

/// Parse an article id from the path. Anything that is not a plain positive number is a 404, the
/// same as an id that does not exist: a URL either names a document or it does not.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(AppError::not_found)
}

async fn article(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    // Every guest sees the same page, so it is rendered once per change of the library.
    if viewer.is_guest() {
        if let Some(page) = state.cached_guest_page(id) {
            return Ok(guest_html(page));
        }
    }
    let doc = state
        .lib
        .readable_document(id, viewer.role().is_staff())
        .await?;
    let view = ArticleView::new(&doc, viewer.role(), &state.lib.settings, doc.views_base);
    let here = format!("/a/{id}");
    let body = render(
        &state,
        "article.html",
        Some(&viewer),
        &here,
        ArticleContent { doc: view },
    )
    .await?;
    if viewer.is_guest() {
        let page = Bytes::from(body);
        state.cache_guest_page(id, page.clone());
        return Ok(guest_html(page));
    }
    Ok(html(body))
}

fn guest_html(page: Bytes) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

pub fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
