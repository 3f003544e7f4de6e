//! Static assets embedded in the binary, served under names that carry a hash of their content,
//! so browsers may cache them for a year and still never see a stale one.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const SITE_CSS: &str = include_str!("../static/site.css");
/// The editor's live preview. A file, not an inline script, so the Content-Security-Policy can
/// forbid inline scripts everywhere.
const EDITOR_JS: &str = include_str!("../static/editor.js");

pub struct Assets {
    pub css_url: String,
    pub editor_js_url: String,
    /// (hashed name, content type, content)
    files: [(String, &'static str, &'static str); 2],
}

impl Assets {
    pub fn new() -> Self {
        let css_name = hashed_name("site", "css", SITE_CSS);
        let js_name = hashed_name("editor", "js", EDITOR_JS);
        Assets {
            css_url: format!("/static/{css_name}"),
            editor_js_url: format!("/static/{js_name}"),
            files: [
                (css_name, "text/css; charset=utf-8", SITE_CSS),
                (js_name, "text/javascript; charset=utf-8", EDITOR_JS),
            ],
        }
    }

    /// The asset called `name` (its hashed name), or a bare 404.
    pub fn response(&self, name: &str) -> Response {
        match self.files.iter().find(|(n, _, _)| n == name) {
            Some((_, content_type, content)) => (
                [
                    (header::CONTENT_TYPE, *content_type),
                    (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                ],
                *content,
            )
                .into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
}

fn hashed_name(stem: &str, extension: &str, content: &str) -> String {
    format!("{stem}.{:016x}.{extension}", fnv1a(content.as_bytes()))
}

impl Default for Assets {
    fn default() -> Self {
        Self::new()
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
