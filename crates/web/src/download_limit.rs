//! The page a reader gets when today's downloads are used up (429, with `Retry-After` until the
//! quota starts again at the site's midnight), or when their level may not download at all (403:
//! waiting would not help). Used by the download route.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use wenyuan_core::takeaway::quota::QuotaReached;

use crate::error::AppResult;
use crate::pages::{html, render};
use crate::state::AppState;
use crate::viewer::Viewer;

pub(crate) async fn download_limit_page(
    state: &AppState,
    viewer: &Viewer,
    reached: &QuotaReached,
) -> AppResult<Response> {
    let body = render(
        state,
        "download_limit.html",
        Some(viewer),
        "/me/vip",
        reached,
    )
    .await?;
    if reached.limit == 0 {
        return Ok((StatusCode::FORBIDDEN, html(body)).into_response());
    }
    let mut response = (StatusCode::TOO_MANY_REQUESTS, html(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&reached.retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok(response)
}
