//! Input no handler should see: a NUL byte (`%00`) in the path or the query string. PostgreSQL
//! refuses NUL in text, so such a value used to reach the database and fail there as a 500; no
//! address of this site has one, so the request is refused up front as a bad request.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, AppError};

const NUL_MESSAGE: &str = "地址中含有无效字符";

/// Whether the request's path or query holds an encoded NUL byte (a raw one cannot be in a URI).
fn has_nul(request: &Request) -> bool {
    let uri = request.uri();
    let encoded_nul = |s: &str| {
        s.as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"%00"))
    };
    encoded_nul(uri.path()) || uri.query().is_some_and(encoded_nul)
}

/// For pages: refused with the error page.
pub async fn refuse_nul_in_pages(request: Request, next: Next) -> Response {
    if has_nul(&request) {
        return AppError::bad_request(NUL_MESSAGE).into_response();
    }
    next.run(request).await
}

/// For the JSON API: refused with the API's error body.
pub async fn refuse_nul_in_api(request: Request, next: Next) -> Response {
    if has_nul(&request) {
        return ApiError(AppError::bad_request(NUL_MESSAGE)).into_response();
    }
    next.run(request).await
}
