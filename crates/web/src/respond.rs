//! Responders more than one route module (or the desk's gate) uses: form pages that hand a guest
//! a CSRF cookie, and the login wall. The page frame itself (`render`, `html`, redirects) is in
//! [`crate::pages`]; the desk's frame in [`crate::admin_page`].

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::cookies;
use crate::error::AppResult;
use crate::pages::{html, render, safe_next};
use crate::state::AppState;
use crate::viewer::Viewer;

/// The login and register forms' content.
#[derive(Serialize)]
pub(crate) struct FormContent<'a> {
    pub next: &'a str,
    pub name: &'a str,
    pub message: Option<&'a str>,
}

/// A page a guest may not see: the login form (coming back to `here` afterwards), with `status`
/// (403 for the editorial desk) and a line saying why.
pub(crate) async fn login_wall(
    state: &AppState,
    viewer: Viewer,
    here: &str,
    status: StatusCode,
    message: &str,
) -> AppResult<Response> {
    let next = safe_next(Some(here));
    let content = FormContent {
        next: &next,
        name: "",
        message: Some(message),
    };
    form_page(state, "login.html", viewer, "/login", status, content).await
}

/// Render a form page. A guest without a CSRF cookie gets one, so the form can be submitted.
pub(crate) async fn form_page<T: Serialize>(
    state: &AppState,
    template: &str,
    mut viewer: Viewer,
    here: &str,
    status: StatusCode,
    content: T,
) -> AppResult<Response> {
    let mut new_cookie = None;
    if viewer.csrf_token().is_none() {
        let token = wenyuan_core::accounts::random_token();
        viewer.csrf_cookie = Some(token.clone());
        new_cookie = Some(token);
    }
    let body = render(state, template, Some(&viewer), here, content).await?;
    let mut response = (status, html(body)).into_response();
    if let Some(token) = new_cookie {
        let secure = state.services.site().secure_cookies();
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::CSRF, &token, None, secure),
        );
    }
    Ok(response)
}
