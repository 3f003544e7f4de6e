//! The reading site: home, category and tag lists, the article page.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::{Bytes, BytesMut};
use serde::{Deserialize, Serialize};
use wenyuan_core::hot::{HotPage, HotWindow};
use wenyuan_core::library::ListPage;
use wenyuan_core::related::RelatedItem;
use wenyuan_core::store::ListFilter;
use wenyuan_core::view::ArticleView;

use super::PageQuery;
use crate::client_ip::ClientIp;
use crate::error::{AppError, AppResult};
use crate::pages::{html, render};
use crate::share::{qr_svg, site_base, thousands};
use crate::state::{AppState, GuestPage};
use crate::viewer::Viewer;
use crate::visitor::{is_countable_read, visitor_cookie as visitor_cookie_header, visitor_keys};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/c/{slug}", get(category))
        .route("/t/{tag}", get(tag))
        .route("/a/{id}", get(article))
        .route("/a/{id}/qr.svg", get(article_qr))
        .route("/hot", get(hot))
}

#[derive(Serialize)]
struct HomeContent {
    list: ListPage,
    tags: Vec<(String, i64)>,
    hot_week: HotPage,
    hot_month: HotPage,
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
    let hot_week = state.lib.hot(HotWindow::Week, SIDEBAR_ITEMS, 1).await?;
    let hot_month = state.lib.hot(HotWindow::Month, SIDEBAR_ITEMS, 1).await?;
    let content = HomeContent {
        list,
        tags,
        hot_week,
        hot_month,
    };
    let body = render(&state, "home.html", Some(&viewer), &here, content).await?;
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
    /// The view count as shown; a placeholder in pages cached for guests.
    views_text: String,
    related: Arc<Vec<RelatedItem>>,
    hot_week: HotPage,
    hot_month: HotPage,
    share: Share,
}

#[derive(Serialize)]
struct Share {
    url: String,
    qr_svg: String,
}

/// Stands in for the view count in a cached guest page; replaced on every request.
const VIEWS_PLACEHOLDER: &str = "__WENYUAN_VIEWS__";
/// Entries in the sidebar's hot lists and in 相关内容.
const SIDEBAR_ITEMS: i64 = 10;
const RELATED_ITEMS: usize = 8;

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
    method: Method,
    headers: HeaderMap,
    ClientIp(client_ip): ClientIp,
    Path(raw_id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let lib = &state.lib;
    let base = site_base(lib.settings.base_url.as_deref(), &headers);
    let secure = lib.settings.secure_cookies();
    let mut new_visitor_cookie = None;
    let mut count = |lib: &wenyuan_core::Library| {
        if is_countable_read(&method, &headers) {
            let (keys, cookie) = visitor_keys(&viewer, &headers, &client_ip);
            lib.count_view(id, &keys);
            new_visitor_cookie = cookie;
        }
    };

    // Every guest sees the same page but for the view count, so it is rendered once in a while.
    if viewer.is_guest() {
        if let Some(page) = state.cached_guest_page(id, &base) {
            count(lib);
            let views = lib.views_of(id).await?;
            return Ok(guest_html(
                &page,
                views,
                new_visitor_cookie.as_deref(),
                secure,
            ));
        }
    }
    let doc = lib.readable_document(id, viewer.role().is_staff()).await?;
    count(lib);
    let views = lib.views_of(id).await?;
    let url = format!("{base}/a/{id}");
    let content = ArticleContent {
        doc: ArticleView::new(&doc, viewer.role(), &lib.settings, views),
        views_text: if viewer.is_guest() {
            VIEWS_PLACEHOLDER.to_owned()
        } else {
            thousands(views)
        },
        related: lib.related(id, RELATED_ITEMS).await?,
        hot_week: lib.hot(HotWindow::Week, SIDEBAR_ITEMS, 1).await?,
        hot_month: lib.hot(HotWindow::Month, SIDEBAR_ITEMS, 1).await?,
        share: Share {
            qr_svg: qr_svg(&url)?,
            url,
        },
    };
    let here = format!("/a/{id}");
    let body = render(&state, "article.html", Some(&viewer), &here, content).await?;
    if viewer.is_guest() {
        let (head, tail) = body.split_once(VIEWS_PLACEHOLDER).ok_or_else(|| {
            AppError::Internal("article.html does not show the view count".to_owned())
        })?;
        let page = GuestPage {
            generation: lib.generation(),
            rendered_at: lib.now(),
            head: Bytes::copy_from_slice(head.as_bytes()),
            tail: Bytes::copy_from_slice(tail.as_bytes()),
        };
        state.cache_guest_page(id, &base, page.clone());
        return Ok(guest_html(
            &page,
            views,
            new_visitor_cookie.as_deref(),
            secure,
        ));
    }
    Ok(html(body))
}

fn guest_html(
    page: &GuestPage,
    views: i64,
    visitor_cookie: Option<&str>,
    secure: bool,
) -> Response {
    let views = thousands(views);
    let mut body = BytesMut::with_capacity(page.head.len() + views.len() + page.tail.len());
    body.extend_from_slice(&page.head);
    body.extend_from_slice(views.as_bytes());
    body.extend_from_slice(&page.tail);
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.freeze(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if let Some(cookie) = visitor_cookie {
        headers.append(header::SET_COOKIE, visitor_cookie_header(cookie, secure));
    }
    response
}

#[derive(Debug, Deserialize)]
struct HotQuery {
    window: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct HotContent {
    hot: HotPage,
    other: &'static str,
    other_label: &'static str,
}

async fn hot(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<HotQuery>,
) -> AppResult<Response> {
    let window = HotWindow::parse(q.window.as_deref())?;
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let hot = state
        .lib
        .hot(window, state.lib.settings.page_size, page)
        .await?;
    let (other, other_label) = match window {
        HotWindow::Week => ("month", HotWindow::Month.label()),
        HotWindow::Month => ("week", HotWindow::Week.label()),
    };
    let here = format!(
        "/hot?window={}",
        if window == HotWindow::Week {
            "week"
        } else {
            "month"
        }
    );
    let content = HotContent {
        hot,
        other,
        other_label,
    };
    Ok(html(
        render(&state, "hot.html", Some(&viewer), &here, content).await?,
    ))
}

async fn article_qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    // Only for documents a reader could reach.
    state.lib.readable_document(id, false).await?;
    let base = site_base(state.lib.settings.base_url.as_deref(), &headers);
    let svg = qr_svg(&format!("{base}/a/{id}"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response())
}

pub fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
