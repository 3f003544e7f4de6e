//! Telling readers apart for view counting: a first-party cookie (`wy_vid`) when the browser keeps
//! cookies, a hash of IP address and User-Agent when it does not, the account for members. Also
//! which requests are reads at all (not HEAD, not prefetch, not a crawler).

use axum::http::{header, HeaderMap, HeaderValue, Method};
use sha2::{Digest, Sha256};
use wenyuan_core::discovery::view_counter::{is_crawler, VisitorKeys};

use crate::cookies;
use crate::viewer::Viewer;

pub const VISITOR_COOKIE: &str = "wy_vid";
const VISITOR_COOKIE_DAYS: i64 = 365;

/// Whether this request is a person reading the page.
pub fn is_countable_read(method: &Method, headers: &HeaderMap) -> bool {
    if !is_page_read(method, headers) {
        return false;
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    !is_crawler(user_agent)
}

/// Whether this request shows the page to whoever sent it: a GET that is not a prefetch or a
/// link preview. A logged-in member's such request is a read of theirs (阅读历史) whatever their
/// browser calls itself; views also leave crawlers out ([`is_countable_read`]).
pub fn is_page_read(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::GET {
        return false;
    }
    let header_says = |name: &str, needle: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains(needle))
    };
    if header_says("purpose", "prefetch")
        || header_says("sec-purpose", "prefetch")
        || header_says("x-moz", "prefetch")
        || header_says("x-purpose", "preview")
    {
        return false;
    }
    true
}

/// What telling a reader apart needs from the request, taken out of the header map so that the
/// handler need not copy the whole map.
#[derive(Debug, Clone, Default)]
pub struct ReaderHeaders {
    /// `User-Agent` (shared with the request's buffer, not copied).
    user_agent: Option<HeaderValue>,
    /// The `wy_vid` cookie's value, if sent.
    visitor_cookie: Option<String>,
}

impl ReaderHeaders {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        ReaderHeaders {
            user_agent: headers.get(header::USER_AGENT).cloned(),
            visitor_cookie: cookies::get(headers, VISITOR_COOKIE).map(str::to_owned),
        }
    }
}

/// The keys of this reader, and the cookie to set when the browser has none yet.
///
/// A new cookie carries the IP+UA hash the first view was counted under (`v1.<id>.<hash>`), so the
/// second view, which arrives with the cookie, is recognised as the same reader.
pub fn visitor_keys(
    viewer: &Viewer,
    reader: &ReaderHeaders,
    ip: &str,
) -> (VisitorKeys, Option<String>) {
    if let Some(member) = &viewer.member {
        return (VisitorKeys::new(vec![format!("u:{}", member.id)], ip), None);
    }
    let anonymous = || {
        let ua = reader
            .user_agent
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let digest = Sha256::new()
            .chain_update(ip)
            .chain_update("\n")
            .chain_update(ua)
            .finalize();
        hex::encode(&digest[..8])
    };
    match reader
        .visitor_cookie
        .as_deref()
        .filter(|v| is_plausible_id(v))
    {
        Some(value) => {
            let keys = match value
                .strip_prefix("v1.")
                .and_then(|rest| rest.split_once('.'))
            {
                Some((id, origin)) => vec![format!("c:{id}"), format!("a:{origin}")],
                None => vec![format!("c:{value}")],
            };
            (VisitorKeys::new(keys, ip), None)
        }
        None => {
            let origin = anonymous();
            // 16 hex digits of randomness, as before, from 8 random bytes rather than 32.
            let cookie = format!("v1.{}.{origin}", hex::encode(rand::random::<[u8; 8]>()));
            (
                VisitorKeys::new(vec![format!("a:{origin}")], ip),
                Some(cookie),
            )
        }
    }
}

/// The `Set-Cookie` value for a new visitor id.
pub fn visitor_cookie(value: &str, secure: bool) -> HeaderValue {
    cookies::set(
        VISITOR_COOKIE,
        value,
        Some(VISITOR_COOKIE_DAYS * 86_400),
        secure,
    )
}

/// A cookie value we are willing to use as a key: short, and only token characters.
fn is_plausible_id(value: &str) -> bool {
    (8..=80).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest() -> Viewer {
        Viewer {
            member: None,
            session_token: None,
            csrf_cookie: None,
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    const BROWSER: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";

    #[test]
    fn reads_exclude_head_prefetch_and_crawlers() {
        let browser = headers(&[("user-agent", BROWSER)]);
        assert!(is_countable_read(&Method::GET, &browser));
        assert!(!is_countable_read(&Method::HEAD, &browser));
        assert!(!is_countable_read(
            &Method::GET,
            &headers(&[
                ("user-agent", BROWSER),
                ("sec-purpose", "prefetch;prerender")
            ])
        ));
        assert!(!is_countable_read(
            &Method::GET,
            &headers(&[("user-agent", BROWSER), ("purpose", "prefetch")])
        ));
        assert!(!is_countable_read(
            &Method::GET,
            &headers(&[("user-agent", "Baiduspider")])
        ));
        assert!(!is_countable_read(&Method::GET, &HeaderMap::new()));
    }

    #[test]
    fn a_new_cookie_remembers_the_key_of_the_first_view() {
        let ip = "203.0.113.7";
        let first = headers(&[("user-agent", BROWSER)]);
        let (keys, cookie) = visitor_keys(&guest(), &ReaderHeaders::from_headers(&first), ip);
        let cookie = cookie.expect("a cookie for a new visitor");
        assert_eq!(keys.keys.len(), 1);
        let mut second = first.clone();
        second.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("wy_vid={cookie}")).unwrap(),
        );
        let (keys2, none) = visitor_keys(&guest(), &ReaderHeaders::from_headers(&second), ip);
        assert!(none.is_none());
        assert!(
            keys2.keys.contains(&keys.keys[0]),
            "{keys2:?} shares {keys:?}"
        );
    }

    #[test]
    fn strange_cookie_values_are_ignored() {
        let h = headers(&[("user-agent", BROWSER), ("cookie", "wy_vid=<script>")]);
        let (keys, cookie) = visitor_keys(&guest(), &ReaderHeaders::from_headers(&h), "unknown");
        assert!(cookie.is_some(), "treated as no cookie");
        assert!(keys.keys[0].starts_with("a:"));
    }
}
