//! For search engines: `/robots.txt`, the sitemap index `/sitemap.xml` and its files
//! `/sitemaps/{n}.xml`. Generated from the store, kept per generation (a publish, an edit, a
//! hide makes them again) and per site base URL.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use wenyuan_core::seo::w3c_time;

use crate::error::{AppError, AppResult};
use crate::moved::or_moved_category;
use crate::share::slug_segment;
use crate::state::AppState;
use crate::xml::{self, AtomEntry, AtomFeed};
use wenyuan_core::reading::{ArticleView, Paragraph};
use wenyuan_core::store::ListFilter;
use wenyuan_core::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemaps/{file}", get(sitemap_file))
        .route("/feed.xml", get(site_feed))
        .route("/c/{slug}/feed.xml", get(category_feed))
}

/// Entries in a feed: the newest documents.
const FEED_ENTRIES: usize = 20;

async fn site_feed(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    feed(&state, &headers, None).await
}

async fn category_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let result = feed(&state, &headers, Some(slug.clone())).await;
    or_moved_category(&state, &slug, "/feed.xml", query.as_deref(), result).await
}

/// The Atom feed of the newest published documents (of one category): titles, links, dates and
/// the text the gate shows a guest, never more.
async fn feed(state: &AppState, headers: &HeaderMap, slug: Option<String>) -> AppResult<Response> {
    let base = state.site_base(headers);
    let key = match &slug {
        Some(slug) => format!("{base}/c/{slug}/feed.xml"),
        None => format!("{base}/feed.xml"),
    };
    let body = state
        .feeds
        .get_or_make(&key, state.stamp(), || async {
            let lib = &state.services;
            let site = lib.site();
            let (filter, title, page) = match &slug {
                Some(slug) => {
                    let (id, category) = lib.reading.category(slug).await?;
                    let filter = ListFilter {
                        category_id: Some(id),
                        tag: None,
                    };
                    let page = format!("{base}/c/{}", slug_segment(&category.slug));
                    (
                        filter,
                        format!("{} · {}", site.site_name, category.name),
                        page,
                    )
                }
                None => (
                    ListFilter::default(),
                    site.site_name.clone(),
                    format!("{base}/"),
                ),
            };
            let list = lib.reading.list(&filter, 1).await?;
            let ids: Vec<i64> = list.items.iter().take(FEED_ENTRIES).map(|i| i.id).collect();
            let docs = lib.reading.published_documents(&ids).await?;
            let entries: Vec<AtomEntry> = docs
                .iter()
                .map(|doc| {
                    // The one gate, as a guest: a feed reader is nobody in particular.
                    let view = ArticleView::new(doc, Role::Guest, &site, 0);
                    let summary = view
                        .paragraphs
                        .iter()
                        .map(Paragraph::full_text)
                        .collect::<Vec<_>>()
                        .join("\n");
                    AtomEntry {
                        title: view.title,
                        link: format!("{base}/a/{}", doc.id),
                        published: format!("{}T00:00:00{}", doc.published_on, site.utc_offset),
                        updated: w3c_time(doc.updated_at, site.utc_offset),
                        summary,
                    }
                })
                .collect();
            let updated = docs
                .iter()
                .map(|d| d.updated_at)
                .max()
                .unwrap_or_else(|| lib.now());
            let self_link = key.clone();
            let feed = AtomFeed {
                title: &title,
                link: &page,
                self_link: &self_link,
                updated: &w3c_time(updated, site.utc_offset),
                author: &site.site_name,
            };
            Ok::<_, AppError>(Bytes::from(xml::atom(&feed, &entries)))
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response())
}

/// Paths no crawler should walk: the desk, a member's own pages, the API and search results
/// (endless, and the search limit would refuse a crawler anyway).
const DISALLOWED: [&str; 4] = ["/admin", "/me", "/api", "/search"];

async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = state.site_base(&headers);
    let mut text = String::from("User-agent: *\n");
    for path in DISALLOWED {
        text.push_str(&format!("Disallow: {path}\n"));
    }
    text.push_str(&format!("Allow: /\n\nSitemap: {base}/sitemap.xml\n"));
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        text,
    )
        .into_response()
}

async fn sitemap_index(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let base = state.site_base(&headers);
    let key = format!("{base}/sitemap.xml");
    let body = state
        .feeds
        .get_or_make(&key, state.stamp(), || async {
            let chunks = state.services.sitemaps.chunks().await?;
            let offset = state.services.site().utc_offset;
            let files = chunks.iter().map(|chunk| {
                (
                    format!("{base}/sitemaps/{}.xml", chunk.n),
                    w3c_time(chunk.last_change, offset),
                )
            });
            Ok::<_, AppError>(Bytes::from(xml::sitemap_index(files)))
        })
        .await?;
    Ok(xml_response(body))
}

async fn sitemap_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let n: i64 = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(AppError::not_found)?;
    let base = state.site_base(&headers);
    let key = format!("{base}/sitemaps/{n}.xml");
    let body = state
        .feeds
        .get_or_make(&key, state.stamp(), || async {
            let rows = state
                .services
                .sitemaps
                .chunk(n)
                .await?
                .ok_or_else(AppError::not_found)?;
            let offset = state.services.site().utc_offset;
            let urls = rows.into_iter().map(|row| {
                (
                    format!("{base}/a/{}", row.id),
                    w3c_time(row.updated_at, offset),
                )
            });
            Ok::<_, AppError>(Bytes::from(xml::urlset(urls)))
        })
        .await?;
    Ok(xml_response(body))
}

/// XML for crawlers; a shared cache may keep it a little while.
pub(crate) fn xml_response(body: Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}
