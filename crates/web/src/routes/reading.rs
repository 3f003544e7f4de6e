//! The reading site: home, category and tag lists, the article page.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use tower_http::set_header::SetResponseHeaderLayer;
use wenyuan_core::discovery::hot::{HotPage, HotWindow};
use wenyuan_core::discovery::related::RelatedItem;
use wenyuan_core::reading::{ArticleView, CategoryFamily, Document, ListItem, ListPage, TagLink};
use wenyuan_core::store::ListFilter;
use wenyuan_core::takeaway::fill::FillValues;
use wenyuan_core::takeaway::{Download, Format, TakeawayFile};
use wenyuan_core::{Access, Role};

use crate::client_ip::ClientIp;
use crate::download_limit::download_limit_page;
use crate::error::{AppError, AppResult};
use crate::extract::{parse_id, PageQuery};
use crate::guest_page::{accepts_gzip, AcceptsGzip, AssembledPage, GuestPage};
use crate::moved::{or_moved_category, or_moved_tag};
use crate::pages::{html, render, see_other};
use crate::paging::Pager;
use crate::share::{qr_svg, slug_segment, thousands, urlencode};
use crate::state::AppState;
use crate::structured::article_json_ld;
use crate::viewer::Viewer;
use crate::visitor::{
    is_countable_read, is_page_read, visitor_cookie as visitor_cookie_header, visitor_keys,
    ReaderHeaders,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/c/{slug}", get(category))
        .route("/t/{tag}", get(tag))
        // Their share link and QR code may follow the request's Host (see `site_base`).
        .route("/a/{id}", get(article).layer(vary_host()))
        .route("/a/{id}/qr.svg", get(article_qr).layer(vary_host()))
        .route("/a/{id}/download", get(download))
        .route("/hot", get(hot))
}

fn vary_host() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::appending(header::VARY, HeaderValue::from_static("host"))
}

#[derive(Serialize)]
struct HomeContent {
    list: ListPage,
    pager: Pager,
    /// 编辑推荐: what the editors feature, newest first (first page only).
    featured: Vec<ListItem>,
    tags: Vec<TagLink>,
    hot_week: HotPage,
    hot_month: HotPage,
}

/// A list page: for guests, from the cache of pages every guest sees alike (`key` is its path
/// and query), rendered by `page` on a miss; for members, rendered every time.
async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    gzip: AcceptsGzip,
    key: String,
    page: impl std::future::Future<Output = AppResult<String>>,
) -> AppResult<Response> {
    if !viewer.is_guest() {
        return Ok(html(page.await?));
    }
    let page = state
        .guest_lists
        .get_or_render(key, state.stamp(), page)
        .await?;
    Ok(guest_html(&page, gzip.0, None, false))
}

async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    gzip: AcceptsGzip,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let here = if q.page() > 1 {
        format!("/?page={}", q.page())
    } else {
        "/".to_owned()
    };
    let page = home_page(&state, &viewer, q.page(), &here);
    list_page(&state, &viewer, gzip, here.clone(), page).await
}

async fn home_page(state: &AppState, viewer: &Viewer, page: i64, here: &str) -> AppResult<String> {
    let list = state.services.reading.latest(page).await?;
    past_the_end(&list)?;
    let pager = Pager::new("/", &[], list.page, list.pages);
    let tags = state
        .services
        .reading
        .tags()
        .await?
        .into_iter()
        .take(40)
        .collect();
    let hot_week = state
        .services
        .hot
        .hot_filled(HotWindow::Week, SIDEBAR_ITEMS, 1)
        .await?;
    let hot_month = state
        .services
        .hot
        .hot_filled(HotWindow::Month, SIDEBAR_ITEMS, 1)
        .await?;
    // 编辑推荐 heads the first page only: later pages are for walking the newest.
    let featured = if page == 1 {
        state.services.reading.featured(FEATURED_ITEMS).await?
    } else {
        Vec::new()
    };
    let content = HomeContent {
        list,
        pager,
        featured,
        tags,
        hot_week,
        hot_month,
    };
    render(state, "home.html", Some(viewer), here, content).await
}

#[derive(Serialize)]
struct ListContent {
    heading: String,
    base: String,
    list: ListPage,
    pager: Pager,
    /// A category's place in the tree (crumbs above, 子栏目 below); empty for tags.
    family: CategoryFamily,
}

/// A page number past the last page is a page that does not exist (not an empty list).
fn past_the_end(list: &ListPage) -> AppResult<()> {
    if list.page > list.pages {
        return Err(AppError::not_found());
    }
    Ok(())
}

async fn category(
    State(state): State<AppState>,
    viewer: Viewer,
    gzip: AcceptsGzip,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let key = format!("/c/{}?page={}", slug_segment(&slug), q.page());
    let page = category_page(&state, &viewer, &slug, q.page());
    let result = list_page(&state, &viewer, gzip, key, page).await;
    or_moved_category(&state, &slug, "", query.as_deref(), result).await
}

async fn category_page(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    page: i64,
) -> AppResult<String> {
    let (id, category) = state.services.reading.category(slug).await?;
    let filter = ListFilter {
        category_id: Some(id),
        tag: None,
    };
    let list = state.services.reading.list(&filter, page).await?;
    past_the_end(&list)?;
    let family = state.services.reading.category_family(id).await?;
    let base = format!("/c/{}", slug_segment(&category.slug));
    let content = ListContent {
        heading: category.name,
        base: base.clone(),
        pager: Pager::new(&base, &[], list.page, list.pages),
        list,
        family,
    };
    render(state, "list.html", Some(viewer), &base, content).await
}

async fn tag(
    State(state): State<AppState>,
    viewer: Viewer,
    gzip: AcceptsGzip,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let key = format!("/t/{}?page={}", slug_segment(&slug), q.page());
    let page = tag_page(&state, &viewer, &slug, q.page());
    let result = list_page(&state, &viewer, gzip, key, page).await;
    or_moved_tag(&state, &slug, query.as_deref(), result).await
}

async fn tag_page(state: &AppState, viewer: &Viewer, slug: &str, page: i64) -> AppResult<String> {
    let tag = state.services.reading.tag_by_slug(slug).await?;
    let filter = ListFilter {
        category_id: None,
        tag: Some(tag.clone()),
    };
    let list = state.services.reading.list(&filter, page).await?;
    if list.total == 0 {
        return Err(AppError::not_found());
    }
    past_the_end(&list)?;
    let base = format!("/t/{}", slug_segment(slug));
    let content = ListContent {
        heading: format!("标签：{tag}"),
        base: base.clone(),
        pager: Pager::new(&base, &[], list.page, list.pages),
        list,
        family: CategoryFamily::default(),
    };
    render(state, "list.html", Some(viewer), &base, content).await
}

#[derive(Serialize)]
struct ArticleContent {
    doc: ArticleView,
    /// The document's tags with their slugs, for links.
    tags: Vec<TagLink>,
    /// The view count as shown; a placeholder in pages cached for guests.
    views_text: String,
    related: Arc<Vec<RelatedItem>>,
    hot_week: HotPage,
    hot_month: HotPage,
    share: Share,
    /// 今日还可下载 N 次, for a reader with a daily quota (never in a guest's cached page).
    downloads_left: Option<i64>,
    /// Whether the member has this document among their favourites (false for guests).
    favorite: bool,
    /// The JSON-LD `Article`, escaped for a script element (see [`crate::structured`]).
    json_ld: String,
    /// The meta and share description: the start of what a guest may read.
    description: String,
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
/// Lines of 编辑推荐 on the home page.
const FEATURED_ITEMS: i64 = 8;
const RELATED_ITEMS: usize = 8;

/// What the article page reads from the request, taken from the headers in place (extracting the
/// whole `HeaderMap` would copy it on every request).
struct ArticleRequest {
    /// The site's absolute base URL, for the share link and QR code (see [`AppState::site_base`]).
    base: String,
    /// Whether the client takes a gzip body (guests get the stored gzip form).
    accepts_gzip: bool,
    /// Present when the request is a person reading the page (see [`is_countable_read`]).
    reader: Option<ReaderHeaders>,
    /// A GET that shows the page (not HEAD, not a prefetch): a member's read for 阅读历史.
    page_read: bool,
}

impl FromRequestParts<AppState> for ArticleRequest {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        Ok(ArticleRequest {
            base: state.site_base(headers),
            accepts_gzip: accepts_gzip(headers),
            page_read: is_page_read(&parts.method, headers),
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

    // Every guest sees the same page but for the view count, so it is rendered once in a while,
    // by one request at a time (the others wait for it, or are served the aged page meanwhile).
    if viewer.is_guest() {
        let page = match state.cached_guest_page(id, base) {
            Some(page) => page,
            None => {
                let stamp = state.stamp();
                state
                    .guest_pages
                    .get_or_render(id, base, stamp, || async {
                        let doc = lib.reading.readable_document(id, false).await?;
                        let views = lib.views.views_of(id).await?;
                        let body = article_body(&state, &viewer, &doc, base, views, false).await?;
                        let (head, tail) = body.split_once(VIEWS_PLACEHOLDER).ok_or_else(|| {
                            AppError::Internal(
                                "article.html does not show the view count".to_owned(),
                            )
                        })?;
                        Ok::<_, AppError>(Arc::new(GuestPage::new(
                            stamp.generation,
                            stamp.now,
                            head,
                            tail,
                        )))
                    })
                    .await?
            }
        };
        count(lib);
        let views = lib.views.views_of(id).await?;
        return Ok(guest_html(
            &page.with_views(views),
            request.accepts_gzip,
            new_visitor_cookie.as_deref(),
            secure,
        ));
    }
    let doc = lib
        .reading
        .readable_document(id, viewer.role().is_staff())
        .await?;
    count(lib);
    // 阅读历史 and the 收藏 button: the read is noted in memory only (see core library), and only
    // when the page is shown (a GET, not a HEAD or a prefetch).
    let favorite = match &viewer.member {
        Some(member) => {
            if request.page_read {
                lib.library.record_read(member, id);
            }
            lib.library.is_favorite(member, id).await?
        }
        None => false,
    };
    let views = lib.views.views_of(id).await?;
    Ok(html(
        article_body(&state, &viewer, &doc, base, views, favorite).await?,
    ))
}

/// The article page as `viewer` sees it (for a guest, with [`VIEWS_PLACEHOLDER`] where the view
/// count goes, filled in per request).
async fn article_body(
    state: &AppState,
    viewer: &Viewer,
    doc: &Document,
    base: &str,
    views: i64,
    favorite: bool,
) -> AppResult<String> {
    let lib = &state.services;
    let id = doc.id;
    let url = format!("{base}/a/{id}");
    let site = lib.site();
    let view = ArticleView::new(doc, viewer.role(), &site, views);
    // Meta tags and structured data say what a guest sees, whoever asks: a crawler is a guest,
    // and a member's share card must not carry what the gate hides from its readers.
    let guest_view;
    let public = if viewer.is_guest() {
        &view
    } else {
        guest_view = ArticleView::new(doc, Role::Guest, &site, views);
        &guest_view
    };
    let json_ld = article_json_ld(public, doc, &url, &site);
    let description = public.description.clone();
    let downloads_left = if view.gated {
        None
    } else {
        lib.takeaway.downloads_left(viewer.member.as_ref()).await?
    };
    let content = ArticleContent {
        tags: lib.reading.tag_links(&view.tags).await?,
        doc: view,
        views_text: if viewer.is_guest() {
            VIEWS_PLACEHOLDER.to_owned()
        } else {
            thousands(views)
        },
        related: lib.related.related(id, RELATED_ITEMS).await?,
        hot_week: lib
            .hot
            .hot_filled(HotWindow::Week, SIDEBAR_ITEMS, 1)
            .await?,
        hot_month: lib
            .hot
            .hot_filled(HotWindow::Month, SIDEBAR_ITEMS, 1)
            .await?,
        share: Share {
            qr_svg: qr_svg(&url)?,
            url,
        },
        downloads_left,
        favorite,
        json_ld,
        description,
    };
    let here = format!("/a/{id}");
    render(state, "article.html", Some(viewer), &here, content).await
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
    pager: Pager,
    /// Entries per page, for the list's numbering.
    per_page: i64,
    other: &'static str,
    other_label: &'static str,
}

async fn hot(
    State(state): State<AppState>,
    viewer: Viewer,
    gzip: AcceptsGzip,
    Query(q): Query<HotQuery>,
) -> AppResult<Response> {
    let window = HotWindow::parse(q.window.as_deref())?;
    let page: i64 = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let key = format!("/hot?window={}&page={page}", window_name(window));
    let render_page = hot_page(&state, &viewer, window, page);
    list_page(&state, &viewer, gzip, key, render_page).await
}

fn window_name(window: HotWindow) -> &'static str {
    match window {
        HotWindow::Week => "week",
        HotWindow::Month => "month",
    }
}

async fn hot_page(
    state: &AppState,
    viewer: &Viewer,
    window: HotWindow,
    page: i64,
) -> AppResult<String> {
    let hot = state
        .services
        .hot
        .hot_filled(window, state.services.site().page_size, page)
        .await?;
    let (other, other_label) = match window {
        HotWindow::Week => ("month", HotWindow::Month.label()),
        HotWindow::Month => ("week", HotWindow::Week.label()),
    };
    if page > hot.pages.max(1) {
        return Err(AppError::not_found());
    }
    let here = format!("/hot?window={}", window_name(window));
    let content = HotContent {
        per_page: state.services.site().page_size,
        pager: Pager::new(
            "/hot",
            &[("window", window_name(window))],
            hot.page,
            hot.pages,
        ),
        hot,
        other,
        other_label,
    };
    render(state, "hot.html", Some(viewer), &here, content).await
}

async fn article_qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    // Only for documents a reader could reach.
    state.services.reading.readable_document(id, false).await?;
    let base = state.site_base(&headers);
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

#[derive(Debug, Deserialize)]
struct DownloadQuery {
    format: Option<String>,
    /// `1`: show the text in the browser (the no-JavaScript 复制全文) instead of saving it.
    inline: Option<String>,
}

/// `GET /a/{id}/download?format=docx|txt[&inline=1][&p1=…]`: the whole document for whoever the
/// gate shows it all to, within the reader's daily quota, with the reader's values filled into its
/// placeholders. A guest is sent to log in (and comes back here); a member on a VIP document to the
/// VIP page (and back to the document from there).
async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
    Query(q): Query<DownloadQuery>,
    Query(fields): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let format_name = q.format.as_deref().unwrap_or("docx");
    let format = Format::parse(format_name)
        .ok_or_else(|| AppError::bad_request("下载格式只能是 docx 或 txt"))?;
    let inline = format == Format::Txt && q.inline.as_deref() == Some("1");
    // 填写本单位信息: `p1=张书记&p2=安吉县` written in place of the document's blanks.
    let values = FillValues::from_pairs(fields);
    match state
        .services
        .takeaway
        .download(id, viewer.role(), format, &values)
        .await?
    {
        // 复制全文 (inline) shows what the page shows already: not a download, not counted.
        Download::File(file) if inline => Ok(file_response(file, inline)),
        Download::File(file) => {
            let lib = &state.services;
            match lib
                .takeaway
                .record_download(viewer.member.as_ref(), &file)
                .await?
            {
                Ok(()) => Ok(file_response(file, inline)),
                Err(reached) => download_limit_page(&state, &viewer, &reached).await,
            }
        }
        Download::Refused { .. } if viewer.is_guest() => {
            let mut here = format!("/a/{id}/download?format={}", format.extension());
            if inline {
                here.push_str("&inline=1");
            }
            Ok(see_other(&format!("/login?next={}", urlencode(&here))))
        }
        Download::Refused {
            required: Access::Vip,
        } => Ok(see_other(&format!(
            "/me/vip?next={}",
            urlencode(&format!("/a/{id}"))
        ))),
        Download::Refused { .. } => Err(AppError::forbidden("您的账号不能下载本文")),
    }
}

/// The file with its name: `filename*` (RFC 5987, UTF-8) carries the title; `filename` is an
/// ASCII stand-in for clients that ignore the former.
fn file_response(file: TakeawayFile, inline: bool) -> Response {
    let extension = file.format.extension();
    let name = format!("{}.{extension}", file_stem(&file.title, file.id));
    let disposition = format!(
        "{}; filename=\"wenyuan-{}.{extension}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        file.id,
        urlencode(&name),
    );
    (
        [
            (header::CONTENT_TYPE, file.format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            // What a download holds depends on who asks: never kept by a shared cache.
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        file.bytes,
    )
        .into_response()
}

/// Longest file name stem, in characters: file systems allow 255 bytes, three per Chinese
/// character.
const FILE_STEM_CHARS: usize = 60;

/// The title as a file name: characters file systems refuse become `_`; an empty title becomes
/// `wenyuan-{id}`.
fn file_stem(title: &str, id: i64) -> String {
    let stem: String = title
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "\\/:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(FILE_STEM_CHARS)
        .collect();
    let stem = stem.trim_matches(['.', ' ']);
    if stem.is_empty() {
        format!("wenyuan-{id}")
    } else {
        stem.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn titles_become_safe_file_names() {
        assert_eq!(
            file_stem("在全县工作会议上的讲话", 3),
            "在全县工作会议上的讲话"
        );
        assert_eq!(file_stem("a/b:c*?\"<>|", 3), "a_b_c______");
        assert_eq!(file_stem(" .. ", 3), "wenyuan-3");
    }
}
