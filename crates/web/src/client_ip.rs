//! The client's address, for rate limits and for telling anonymous readers apart.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::state::AppState;

/// The client's address: the socket's peer, or, behind a trusted proxy (`trust_proxy`), the last
/// address in `X-Forwarded-For` — the one our proxy saw connect. Earlier entries were written by
/// the client and could be anything.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = if state.services.site().trust_proxy {
            last_forwarded_for(&parts.headers)
        } else {
            None
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(ClientIp(match forwarded.or(peer) {
            Some(ip) => ip.to_canonical().to_string(),
            None => "unknown".to_owned(),
        }))
    }
}

fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| {
            let entry = entry.trim();
            entry
                .parse::<IpAddr>()
                .ok()
                .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        })
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_the_last_forwarded_address_is_believed() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, 203.0.113.9"),
        );
        assert_eq!(
            last_forwarded_for(&headers),
            Some("203.0.113.9".parse().unwrap())
        );
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::1]:443"),
        );
        assert_eq!(
            last_forwarded_for(&headers),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(last_forwarded_for(&HeaderMap::new()), None);
    }
}
