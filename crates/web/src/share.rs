//! Sharing: the canonical address of a page and its QR code (「微信扫一扫在手机阅读、分享本文」),
//! and the percent-encoding of the links pages build.

use axum::http::{header, HeaderMap};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::{AppError, AppResult};

/// The site's absolute base URL: the configured one, else the request's `Host` (only a plausible
/// host name and port are taken from it).
pub fn site_base(configured: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(base) = configured {
        return base.to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// A QR code of `text` as an SVG, sized by CSS where it is inlined.
pub fn qr_svg(text: &str) -> AppResult<String> {
    // Only text over ~2 KB cannot be encoded; our URLs are short.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::Internal(format!("QR code of {text:?}: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build())
}

/// 1234567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Percent-encode `text` for a path segment or a query value (every non-alphanumeric byte).
pub fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_base_url_prefers_the_configured_one_and_distrusts_odd_hosts() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(site_base(None, &headers), "http://127.0.0.1:8080");
        assert_eq!(
            site_base(Some("https://fanwen.example.com"), &headers),
            "https://fanwen.example.com"
        );
        headers.insert(
            header::HOST,
            HeaderValue::from_static("evil.example/\"><script>"),
        );
        assert_eq!(site_base(None, &headers), "http://localhost");
    }

    #[test]
    fn qr_codes_are_svg() {
        let svg = qr_svg("http://127.0.0.1:8080/a/1").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(246), "246");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
    }
}
