//! 联系客服: the contact page and its message form, and the 微信订阅号 QR. (The admins' inbox is
//! in `admin/messages.rs`.)

use std::path::Path;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use wenyuan_core::inbox::{
    MessageForm, CONTACT_MAX_CHARS, MESSAGE_MAX_CHARS, MESSAGE_MIN_CHARS, NAME_MAX_CHARS,
};
use wenyuan_core::settings::WechatQr;
use wenyuan_core::CoreError;

use crate::client_ip::ClientIp;
use crate::error::{AppError, AppResult};
use crate::respond::form_page;
use crate::share::qr_svg;
use crate::state::AppState;
use crate::viewer::Viewer;
use crate::wechat::{QR_IMAGE_PATH, QR_SVG_PATH};

/// Largest QR image file served; a subscription QR is a few KB.
const QR_IMAGE_MAX_BYTES: u64 = 2 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contact", get(contact_page).post(submit))
        .route(QR_SVG_PATH, get(wechat_qr_svg))
        .route(QR_IMAGE_PATH, get(wechat_qr_image))
}

// --- The contact page and its form -------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ContactFormInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    website: String,
}

#[derive(Serialize)]
struct ContactContent<'a> {
    /// The message was taken: show the confirmation instead of the form.
    sent: bool,
    /// The visitor's input, kept when the form comes back with an error.
    form: FormValues<'a>,
    error: Option<&'a str>,
    limits: Limits,
}

#[derive(Serialize, Default)]
struct FormValues<'a> {
    name: &'a str,
    contact: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct Limits {
    name: usize,
    contact: usize,
    message_min: usize,
    message: usize,
}

const LIMITS: Limits = Limits {
    name: NAME_MAX_CHARS,
    contact: CONTACT_MAX_CHARS,
    message_min: MESSAGE_MIN_CHARS,
    message: MESSAGE_MAX_CHARS,
};

async fn contact_page(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let content = ContactContent {
        sent: false,
        form: FormValues::default(),
        error: None,
        limits: LIMITS,
    };
    form_page(
        &state,
        "contact.html",
        viewer,
        "/contact",
        StatusCode::OK,
        content,
    )
    .await
}

async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(input): Form<ContactFormInput>,
) -> AppResult<Response> {
    viewer.check_csrf(&input.csrf)?;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form = MessageForm {
        name: input.name,
        contact: input.contact,
        message: input.message,
        website: input.website,
    };
    let (status, error) = match state
        .services
        .inbox
        .submit_message(&form, &ip, user_agent)
        .await
    {
        Ok(_) => (StatusCode::OK, None),
        Err(err @ CoreError::Invalid(_)) => (StatusCode::UNPROCESSABLE_ENTITY, Some(err)),
        Err(err @ CoreError::TooMany(_)) => (StatusCode::TOO_MANY_REQUESTS, Some(err)),
        Err(other) => return Err(other.into()),
    };
    let message = error.as_ref().map(ToString::to_string);
    let content = ContactContent {
        sent: error.is_none(),
        form: if error.is_some() {
            FormValues {
                name: &form.name,
                contact: &form.contact,
                message: &form.message,
            }
        } else {
            FormValues::default()
        },
        error: message.as_deref(),
        limits: LIMITS,
    };
    form_page(&state, "contact.html", viewer, "/contact", status, content).await
}

// --- The subscription QR -----------------------------------------------------------------------

/// The 微信订阅号 QR the site is configured with now, if any.
fn configured_qr(state: &AppState) -> Option<WechatQr> {
    state
        .services
        .site()
        .wechat
        .as_ref()
        .and_then(|w| w.qr.clone())
}

async fn wechat_qr_svg(State(state): State<AppState>) -> AppResult<Response> {
    let Some(WechatQr::Url(url)) = configured_qr(&state) else {
        return Err(AppError::not_found());
    };
    let svg = match state.wechat_qr.svg_for(&url) {
        Some(svg) => svg,
        None => {
            let svg = Bytes::from(qr_svg(&url)?);
            state.wechat_qr.keep_svg(url, svg.clone());
            svg
        }
    };
    Ok(image_response("image/svg+xml", svg))
}

async fn wechat_qr_image(State(state): State<AppState>) -> AppResult<Response> {
    let Some(WechatQr::Image(path)) = configured_qr(&state) else {
        return Err(AppError::not_found());
    };
    let (content_type, bytes) = match state.wechat_qr.image_for(&path) {
        Some(cached) => cached,
        None => {
            // A failed read is not cached: the operator may put the file in place while we run.
            let (content_type, bytes) = read_qr_image(&path).await?;
            state
                .wechat_qr
                .keep_image(path, content_type, bytes.clone());
            (content_type, bytes)
        }
    };
    Ok(image_response(content_type, bytes))
}

async fn read_qr_image(path: &Path) -> AppResult<(&'static str, Bytes)> {
    let unavailable = |why: String| {
        tracing::warn!(path = %path.display(), "wechat qr_image: {why}");
        AppError::not_found()
    };
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| unavailable(e.to_string()))?
        .len();
    if size > QR_IMAGE_MAX_BYTES {
        return Err(unavailable(format!(
            "{size} bytes is over the {QR_IMAGE_MAX_BYTES}-byte limit"
        )));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let content_type = sniff_image(&bytes)
        .ok_or_else(|| unavailable("not a PNG, JPEG or SVG image".to_owned()))?;
    Ok((content_type, Bytes::from(bytes)))
}

/// The image type by its first bytes (the file name may lie).
fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")) {
        return Some("image/svg+xml");
    }
    None
}

fn image_response(content_type: &'static str, body: Bytes) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // An uploaded SVG opened on its own must not run scripts on our origin.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(
            sniff_image(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(sniff_image(b"  <svg></svg>"), Some("image/svg+xml"));
        assert_eq!(sniff_image(b"<html><script>"), None);
        assert_eq!(sniff_image(b""), None);
    }

    #[test]
    fn a_qr_svg_is_a_scalable_image() {
        let svg = qr_svg("http://weixin.qq.com/r/abc").unwrap();
        assert!(svg.contains("<svg") && svg.contains("viewBox"), "{svg}");
    }
}
