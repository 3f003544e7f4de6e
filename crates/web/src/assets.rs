//! Static assets embedded in the binary, served under names that carry a hash of their content,
//! so browsers may cache them for a year and still never see a stale one.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const SITE_CSS: &str = include_str!("../static/site.css");

pub struct Assets {
    pub css_url: String,
    css_name: String,
}

impl Assets {
    pub fn new() -> Self {
        let css_name = format!("site.{:016x}.css", fnv1a(SITE_CSS.as_bytes()));
        Assets {
            css_url: format!("/static/{css_name}"),
            css_name,
        }
    }

    /// The asset called `name` (its hashed name), or a bare 404.
    pub fn response(&self, name: &str) -> Response {
        if name == self.css_name {
            (
                [
                    (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                    (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                ],
                SITE_CSS,
            )
                .into_response()
        } else {
            StatusCode::NOT_FOUND.into_response()
        }
    }
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
