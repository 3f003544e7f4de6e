//! Who is asking: the member behind the session cookie, or a guest. Also the CSRF token that
//! this viewer's forms must carry.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use wenyuan_core::accounts::Member;
use wenyuan_core::Role;

use crate::cookies;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub member: Option<Member>,
    /// The session cookie as sent (even when it no longer names a live session).
    pub session_token: Option<String>,
    /// The double-submit CSRF cookie as sent, for guests' forms.
    pub csrf_cookie: Option<String>,
}

impl Viewer {
    pub fn role(&self) -> Role {
        self.member.as_ref().map_or(Role::Guest, |m| m.role)
    }

    pub fn is_guest(&self) -> bool {
        self.member.is_none()
    }

    /// The token this viewer's forms carry: derived from the session for members (so it needs no
    /// storage and dies with the session), the `wy_csrf` cookie for guests.
    pub fn csrf_token(&self) -> Option<String> {
        match (&self.member, &self.session_token) {
            (Some(_), Some(session)) => Some(csrf_from_session(session)),
            _ => self.csrf_cookie.clone(),
        }
    }

    /// Check a submitted form token, in constant time.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        let ok = self
            .csrf_token()
            .is_some_and(|expected| constant_time_eq(expected.as_bytes(), submitted.as_bytes()));
        if ok {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
            ))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// CSRF token of a session: a hash of the session token, so it can be recomputed on every
/// request and reveals nothing about the session itself.
fn csrf_from_session(session: &str) -> String {
    wenyuan_core::accounts::token_hash(&format!("csrf:{session}"))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(viewer) = parts.extensions.get::<Viewer>() {
            return Ok(viewer.clone());
        }
        let session_token = cookies::get(&parts.headers, cookies::SESSION).map(str::to_owned);
        let csrf_cookie = cookies::get(&parts.headers, cookies::CSRF).map(str::to_owned);
        // Guests (no cookie) cost no database read.
        let member = match &session_token {
            Some(token) => state.services.accounts.member_for_token(token).await?,
            None => None,
        };
        let viewer = Viewer {
            member,
            session_token,
            csrf_cookie,
        };
        // Kept for a second extraction only when it saved a database read: a guest's viewer is
        // cheaper to rebuild than to store.
        if viewer.session_token.is_some() {
            parts.extensions.insert(viewer.clone());
        }
        Ok(viewer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_comparison_is_exact() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn a_guest_without_a_csrf_cookie_fails_every_check() {
        let guest = Viewer {
            member: None,
            session_token: None,
            csrf_cookie: None,
        };
        assert!(guest.check_csrf("").is_err());
        assert!(guest.check_csrf("anything").is_err());
    }
}
