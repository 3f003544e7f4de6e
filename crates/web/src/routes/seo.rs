//! For search engines: `/robots.txt`, the sitemap index `/sitemap.xml` and its files
//! `/sitemaps/{n}.xml`. Generated from the store, kept per generation (a publish, an edit, a
//! hide makes them again) and per site base URL.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use wenyuan_core::seo::w3c_time;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::xml;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemaps/{file}", get(sitemap_file))
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
