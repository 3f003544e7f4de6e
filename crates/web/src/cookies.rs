//! Reading and writing our cookies. Every cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`, and
//! `Secure` when the site's base URL is https.

use axum::http::{header, HeaderMap, HeaderValue};

pub const SESSION: &str = "wy_session";
pub const CSRF: &str = "wy_csrf";

/// The value of a cookie in the request, if present.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` value. `max_age` of `None` makes a browser-session cookie; `Some(0)` deletes.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Our names and values are ASCII tokens, so this cannot fail; fall back to deleting.
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("wy_invalid=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; wy_session=abc"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("wy_csrf=def"));
        assert_eq!(get(&headers, SESSION), Some("abc"));
        assert_eq!(get(&headers, CSRF), Some("def"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn set_cookie_carries_the_safety_attributes() {
        let v = set(SESSION, "tok", Some(60), true);
        let v = v.to_str().unwrap();
        for part in [
            "wy_session=tok",
            "HttpOnly",
            "SameSite=Lax",
            "Max-Age=60",
            "Secure",
        ] {
            assert!(v.contains(part), "{v} lacks {part}");
        }
        assert!(!set(SESSION, "tok", None, false)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }
}
