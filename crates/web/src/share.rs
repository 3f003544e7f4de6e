//! Sharing: the canonical address of a page and its QR code (「微信扫一扫在手机阅读、分享本文」),
//! and the percent-encoding of the links pages build.

use std::net::{IpAddr, SocketAddr};

use axum::http::{header, HeaderMap};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::{AppError, AppResult};

/// The site's absolute base URL, for share links and QR codes: the configured `base_url`; else
/// the request's `Host` when it names the address the server listens on (or `localhost` on a
/// loopback listener) or one of `allowed_hosts`; else the listen address. A `Host` header is the
/// client's to write, and a page (or a QR code, cached by browsers) must not point readers to
/// whatever site the request named.
pub fn site_base(
    configured: Option<&str>,
    allowed_hosts: &[String],
    listen: Option<SocketAddr>,
    headers: &HeaderMap,
) -> String {
    if let Some(base) = configured {
        return base.to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        });
    match host {
        Some(host) if host_allowed(&host, allowed_hosts, listen) => format!("http://{host}"),
        _ => fallback_base(listen),
    }
}

/// `host[:port]` → (host, port), the port 80 when not given.
fn split_host(host: &str) -> (&str, Option<u16>) {
    let (name, port) = match host.rfind(':') {
        // `[::1]` without a port has its last colon inside the brackets.
        Some(colon) if !host[colon..].contains(']') => (&host[..colon], Some(&host[colon + 1..])),
        _ => (host, None),
    };
    (name, port.map_or(Some(80), |p| p.parse().ok()))
}

fn host_allowed(host: &str, allowed: &[String], listen: Option<SocketAddr>) -> bool {
    let (name, port) = split_host(host);
    if let (Some(listen), Some(port)) = (listen, port) {
        let ip = listen.ip();
        let named = match name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            Ok(addr) => addr == ip,
            Err(_) => name == "localhost" && ip.is_loopback(),
        };
        if named && port == listen.port() {
            return true;
        }
    }
    allowed.iter().any(|entry| {
        let (entry_name, entry_port) = split_host(entry);
        // An entry without a port allows every port of that host.
        entry_name == name && (!entry.contains(':') || entry.ends_with(']') || entry_port == port)
    })
}

/// Where links point when the request's `Host` is not trusted: the listen address, or
/// `localhost` on its port when the server listens on every interface.
fn fallback_base(listen: Option<SocketAddr>) -> String {
    match listen {
        Some(addr) if !addr.ip().is_unspecified() => format!("http://{addr}"),
        Some(addr) => format!("http://localhost:{}", addr.port()),
        None => "http://localhost".to_owned(),
    }
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

/// Bytes a slug keeps as they are: RFC 3986's unreserved characters.
const SLUG_ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A category or tag slug as a path segment: a pinyin slug (`zhengfu-gongzuo-baogao`) stays as
/// it is, so links, redirects and the address bar all read the same.
pub fn slug_segment(slug: &str) -> String {
    percent_encoding::utf8_percent_encode(slug, SLUG_ENCODED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_base_url_prefers_the_configured_one_and_takes_only_known_hosts() {
        let listen: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let base = |host: &'static str, allowed: &[&str], listen: Option<SocketAddr>| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static(host));
            let allowed: Vec<String> = allowed.iter().map(|h| h.to_string()).collect();
            site_base(None, &allowed, listen, &headers)
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("evil.example"));
        assert_eq!(
            site_base(
                Some("https://fanwen.example.com"),
                &[],
                Some(listen),
                &headers
            ),
            "https://fanwen.example.com"
        );
        let here = Some(listen);
        assert_eq!(base("127.0.0.1:8080", &[], here), "http://127.0.0.1:8080");
        assert_eq!(base("localhost:8080", &[], here), "http://localhost:8080");
        assert_eq!(base("evil.example", &[], here), "http://127.0.0.1:8080");
        assert_eq!(
            base("evil.example:8080", &[], here),
            "http://127.0.0.1:8080"
        );
        assert_eq!(base("127.0.0.1:9999", &[], here), "http://127.0.0.1:8080");
        assert_eq!(
            base("evil.example/\"><script>", &[], here),
            "http://127.0.0.1:8080"
        );
        let allowed = ["fanwen.example.com", "www.fanwen.example.com:8443"];
        assert_eq!(
            base("FanWen.Example.com", &allowed, here),
            "http://fanwen.example.com"
        );
        assert_eq!(
            base("fanwen.example.com:81", &allowed, here),
            "http://fanwen.example.com:81"
        );
        assert_eq!(
            base("www.fanwen.example.com:8443", &allowed, here),
            "http://www.fanwen.example.com:8443"
        );
        assert_eq!(
            base("www.fanwen.example.com", &allowed, here),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base("evil.fanwen.example.com", &allowed, here),
            "http://127.0.0.1:8080"
        );
        // Listening on every interface: a Host naming some address is not believed.
        let any = Some("0.0.0.0:8080".parse().unwrap());
        assert_eq!(base("203.0.113.9:8080", &[], any), "http://localhost:8080");
        assert_eq!(
            base("[::1]:8080", &[], Some("[::1]:8080".parse().unwrap())),
            "http://[::1]:8080"
        );
        assert_eq!(base("evil.example", &[], None), "http://localhost");
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
