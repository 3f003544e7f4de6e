//! Old URLs that moved: a category or tag whose slug changed (renamed at the desk, merged, or
//! moved from a Chinese slug to pinyin) answers its old URLs — list pages with their `?page=`,
//! the feed — with a 301 to the same place under the current slug, so links and search results
//! never break. Only a 404 is looked up, so a page that exists costs nothing more.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::AppResult;
use crate::share::slug_segment;
use crate::state::AppState;

/// `result` as it is, unless it is a 404 for a category slug that moved: then a 301 to
/// `/c/{current}{rest}` with the request's query.
pub async fn or_moved_category(
    state: &AppState,
    slug: &str,
    rest: &str,
    query: Option<&str>,
    result: AppResult<Response>,
) -> AppResult<Response> {
    if !is_not_found(&result) {
        return result;
    }
    let current = state.services.reading.moved_category(slug).await?;
    match redirect("/c/", slug, current, rest, query) {
        Some(moved) => Ok(moved),
        None => result,
    }
}

/// As [`or_moved_category`], for `/t/{slug}`.
pub async fn or_moved_tag(
    state: &AppState,
    slug: &str,
    query: Option<&str>,
    result: AppResult<Response>,
) -> AppResult<Response> {
    if !is_not_found(&result) {
        return result;
    }
    let current = state.services.reading.moved_tag(slug).await?;
    match redirect("/t/", slug, current, "", query) {
        Some(moved) => Ok(moved),
        None => result,
    }
}

fn is_not_found(result: &AppResult<Response>) -> bool {
    match result {
        Ok(response) => response.status() == StatusCode::NOT_FOUND,
        Err(err) => err.status() == StatusCode::NOT_FOUND,
    }
}

/// The 301 to `{prefix}{current}{rest}?{query}`, when the slug moved somewhere else.
fn redirect(
    prefix: &str,
    asked: &str,
    current: Option<String>,
    rest: &str,
    query: Option<&str>,
) -> Option<Response> {
    let current = current.filter(|c| c != asked)?;
    let query = query
        .filter(|q| !q.is_empty())
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    Some(moved_permanently(&format!(
        "{prefix}{}{rest}{query}",
        slug_segment(&current)
    )))
}

/// A 301 to a local path.
pub fn moved_permanently(location: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
