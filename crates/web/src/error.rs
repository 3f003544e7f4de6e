//! One error type for every handler. 4xx errors show their message to the user; 5xx errors are
//! logged with their cause and shown as a generic page, so internals never leak. The JSON API
//! answers with [`ApiError`], which adds a stable code ([`AppError::code`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use wenyuan_core::CoreError;

#[derive(Debug)]
pub enum AppError {
    /// A status and a message safe to show.
    Client(StatusCode, String),
    /// Anything else: logged, hidden.
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn not_found() -> Self {
        AppError::Client(StatusCode::NOT_FOUND, "页面不存在".to_owned())
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::Client(StatusCode::BAD_REQUEST, message.into())
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Client(StatusCode::FORBIDDEN, message.into())
    }
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Client(status, _) => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    /// The stable code the JSON API gives this error (`{"error": {"code": "not_found", …}}`).
    /// Clients match on it rather than on the message, so a published code never changes; the
    /// table is listed in the README ("JSON API errors").
    pub fn code(&self) -> &'static str {
        match self.status() {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid",
            StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            // A status without its own code is named by its class.
            status if status.is_client_error() => "bad_request",
            _ => "internal",
        }
    }
    /// The message a user may see.
    pub fn public_message(&self) -> &str {
        match self {
            AppError::Client(_, message) => message,
            AppError::Internal(_) => "服务器出了点问题，请稍后再试",
        }
    }
}

impl From<CoreError> for AppError {
    fn from(err: CoreError) -> Self {
        let client = |status, message: String| AppError::Client(status, message);
        match err {
            CoreError::NotFound(missing) => client(StatusCode::NOT_FOUND, missing.to_string()),
            CoreError::Invalid(_) => client(StatusCode::UNPROCESSABLE_ENTITY, err.to_string()),
            CoreError::Conflict(m) => client(StatusCode::CONFLICT, m),
            CoreError::Unauthorized(m) => client(StatusCode::UNAUTHORIZED, m.to_owned()),
            CoreError::Forbidden(m) => client(StatusCode::FORBIDDEN, m.to_owned()),
            CoreError::TooMany(m) => client(StatusCode::TOO_MANY_REQUESTS, m),
            CoreError::Unavailable { message, cause } => {
                tracing::warn!(%cause, "a part of the service is unavailable");
                client(StatusCode::SERVICE_UNAVAILABLE, message.to_owned())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(err: minijinja::Error) -> Self {
        AppError::Internal(format!("template: {err:#}"))
    }
}

/// The error as a bare response. HTML pages are rendered by the [`crate::pages`] layer, which
/// turns these into full pages; the API turns them into JSON.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let status = self.status();
        let mut response = (status, self.public_message().to_owned()).into_response();
        // Mark the response so the page layer can wrap it in the site's error page.
        response
            .extensions_mut()
            .insert(ErrorPage(self.public_message().to_owned()));
        response
    }
}

/// Response extension carried by error responses, read by [`crate::pages::error_pages`].
#[derive(Debug, Clone)]
pub struct ErrorPage(pub String);

/// Errors as JSON: `{"error": {"code": "not_found", "status": 404, "message": "…"}}`, the code
/// from [`AppError::code`].
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if let AppError::Internal(cause) = &self.0 {
            tracing::error!(%cause, "api request failed");
        }
        let body = serde_json::json!({
            "error": {
                "code": self.0.code(),
                "status": status.as_u16(),
                "message": self.0.public_message(),
            }
        });
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_stable_code() {
        let cases = [
            (StatusCode::BAD_REQUEST, "bad_request"),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            (StatusCode::FORBIDDEN, "forbidden"),
            (StatusCode::NOT_FOUND, "not_found"),
            (StatusCode::CONFLICT, "conflict"),
            (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            // Statuses without a code of their own fall back by class.
            (StatusCode::METHOD_NOT_ALLOWED, "bad_request"),
            (StatusCode::BAD_GATEWAY, "internal"),
        ];
        for (status, code) in cases {
            assert_eq!(
                AppError::Client(status, String::new()).code(),
                code,
                "{status}"
            );
        }
        assert_eq!(AppError::Internal("cause".to_owned()).code(), "internal");
    }
}
