//! The caller of the API's write routes: a Bearer token made at the desk (`/admin/tokens`).
//!
//! These routes accept no cookie. A session cookie is what a browser sends by itself, so a route
//! that honoured it would need CSRF tokens; a token in the `Authorization` header is never sent
//! by a browser on its own, so it needs none.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use wenyuan_core::accounts::ApiCaller;

use crate::error::{ApiError, AppError};
use crate::state::AppState;

/// A request authenticated by a live API token.
pub struct ApiToken(pub ApiCaller);

/// The OpenAPI name of the scheme (see [`crate::openapi`]; the handlers' `security(("bearer" =
/// []))` spell it out, as utoipa's attribute takes only literals).
pub const BEARER_SCHEME: &str = "bearer";

fn unauthorized(message: &str) -> Response {
    let mut response = ApiError(AppError::Client(
        StatusCode::UNAUTHORIZED,
        message.to_owned(),
    ))
    .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

impl FromRequestParts<AppState> for ApiToken {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(unauthorized(
                "这个接口需要接口令牌：请在请求头中加入 Authorization: Bearer <令牌>（令牌在编辑后台「接口令牌」页创建）",
            ));
        };
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, secret) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| secret.trim())
            })
            .unwrap_or_default();
        match state.services.api_tokens.authenticate(secret).await {
            Ok(Some(caller)) => Ok(ApiToken(caller)),
            Ok(None) => Err(unauthorized("接口令牌无效、已被撤销，或其所有者已不是编辑")),
            Err(err) => Err(ApiError(err.into()).into_response()),
        }
    }
}
