//! The reading site: home, category and tag lists, the article page.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::discovery::hot::{HotPage, HotWindow};
use wenyuan_core::discovery::related::RelatedItem;
use wenyuan_core::reading::ArticleView;
use wenyuan_core::reading::ListPage;
use wenyuan_core::store::ListFilter;

use crate::client_ip::ClientIp;
use crate::error::{AppError, AppResult};
use crate::extract::{parse_id, PageQuery};
use crate::guest_page::{accepts_gzip, AssembledPage, GuestPage};
use crate::pages::{html, render};
use crate::share::{qr_svg, site_base, thousands, urlencode};
use crate::state::AppState;
use crate::viewer::Viewer;
use crate::visitor::{
    is_countable_read, visitor_cookie as visitor_cookie_header, visitor_keys, ReaderHeaders,
};

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
    let list = state.services.reading.latest(q.page()).await?;
    let tags = state
        .services
        .reading
        .tags()
        .await?
        .into_iter()
        .take(40)
        .collect();
    let here = if q.page() > 1 {
        format!("/?page={}", q.page())
    } else {
        "/".to_owned()
    };
    let hot_week = state
        .services
        .hot
        .hot(HotWindow::Week, SIDEBAR_ITEMS, 1)
        .await?;
    let hot_month = state
        .services
        .hot
        .hot(HotWindow::Month, SIDEBAR_ITEMS, 1)
        .await?;
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
    let (id, category) = state.services.reading.category(&slug).await?;
    let filter = ListFilter {
        category_id: Some(id),
        tag: None,
    };
    let list = state.services.reading.list(&filter, q.page()).await?;
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
    let list = state.services.reading.list(&filter, q.page()).await?;
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

/// What the article page reads from the request, taken from the headers in place (extracting the
/// whole `HeaderMap` would copy it on every request).
struct ArticleRequest {
    /// The site's absolute base URL, for the share link and QR code (see [`site_base`]).
    base: String,
    /// Whether the client takes a gzip body (guests get the stored gzip form).
    accepts_gzip: bool,
    /// Present when the request is a person reading the page (see [`is_countable_read`]).
    reader: Option<ReaderHeaders>,
}

impl FromRequestParts<AppState> for ArticleRequest {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        Ok(ArticleRequest {
            base: site_base(state.services.site().base_url.as_deref(), headers),
            accepts_gzip: accepts_gzip(headers),
            reader: is_countable_read(&parts.method, headers)
                .then(|| ReaderHeaders::from_headers(headers)),
        })
    }
}

async fn article(
    State(state): State<AppState>,
    viewer: Viewer,
    request: ArticleRequest,
    ClientIp(client_ip): ClientIp,
    Path(raw_id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let lib = &state.services;
    let base = request.base.as_str();
    let secure = lib.site().secure_cookies();
    let mut new_visitor_cookie = None;
    let mut count = |lib: &wenyuan_core::Services| {
        if let Some(reader) = &request.reader {
            let (keys, cookie) = visitor_keys(&viewer, reader, &client_ip);
            lib.views.count_view(id, &keys);
            new_visitor_cookie = cookie;
        }
    };

    // Every guest sees the same page but for the view count, so it is rendered once in a while.
    if viewer.is_guest() {
        if let Some(page) = state.cached_guest_page(id, base) {
            count(lib);
            let views = lib.views.views_of(id).await?;
            return Ok(guest_html(
                &page.with_views(views),
                request.accepts_gzip,
                new_visitor_cookie.as_deref(),
                secure,
            ));
        }
    }
    let doc = lib
        .reading
        .readable_document(id, viewer.role().is_staff())
        .await?;
    count(lib);
    let views = lib.views.views_of(id).await?;
    let url = format!("{base}/a/{id}");
    let content = ArticleContent {
        doc: ArticleView::new(&doc, viewer.role(), &lib.site(), views),
        views_text: if viewer.is_guest() {
            VIEWS_PLACEHOLDER.to_owned()
        } else {
            thousands(views)
        },
        related: lib.related.related(id, RELATED_ITEMS).await?,
        hot_week: lib.hot.hot(HotWindow::Week, SIDEBAR_ITEMS, 1).await?,
        hot_month: lib.hot.hot(HotWindow::Month, SIDEBAR_ITEMS, 1).await?,
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
        let page = Arc::new(GuestPage::new(lib.generation(), lib.now(), head, tail));
        state.cache_guest_page(id, base, page.clone());
        return Ok(guest_html(
            &page.with_views(views),
            request.accepts_gzip,
            new_visitor_cookie.as_deref(),
            secure,
        ));
    }
    Ok(html(body))
}

/// A guest's page: the gzip form when the client takes it (`Content-Encoding` set, so the
/// compression layer leaves it alone), else the plain one. Both are shared, not copied.
fn guest_html(
    page: &AssembledPage,
    gzip: bool,
    visitor_cookie: Option<&str>,
    secure: bool,
) -> Response {
    let gzipped = if gzip { page.gzip() } else { None };
    let is_gzip = gzipped.is_some();
    let mut response = Response::new(Body::from(gzipped.unwrap_or_else(|| page.plain.clone())));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if is_gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
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
        .services
        .hot
        .hot(window, state.services.site().page_size, page)
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
    state.services.reading.readable_document(id, false).await?;
    let base = site_base(state.services.site().base_url.as_deref(), &headers);
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
