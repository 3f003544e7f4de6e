//! Old URLs that moved: a category whose slug changed (renamed at the desk, or moved from a
//! Chinese slug to pinyin) answers its old URLs — list pages with their `?page=`, the feed — with
//! a 301 to the same place under the current slug, so links and search results never break.
//! Only a 404 is looked up, so a page that exists costs nothing more.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::AppResult;
use crate::share::urlencode;
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
    let missing = match &result {
        Ok(response) => response.status() == StatusCode::NOT_FOUND,
        Err(err) => err.status() == StatusCode::NOT_FOUND,
    };
    if !missing {
        return result;
    }
    match state.services.reading.moved_category(slug).await? {
        Some(current) if current != slug => {
            let query = query
                .filter(|q| !q.is_empty())
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            Ok(moved_permanently(&format!(
                "/c/{}{rest}{query}",
                urlencode(&current)
            )))
        }
        _ => result,
    }
}

/// A 301 to a local path.
pub fn moved_permanently(location: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
