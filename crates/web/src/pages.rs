//! What every HTML page shares: the site header (name, categories, account links), the viewer,
//! and the error page.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use wenyuan_core::accounts::Member;
use wenyuan_core::reading::CategoryItem;
use wenyuan_core::settings::ContactInfo;
use wenyuan_core::SiteSettings;

use crate::cookies;
use crate::error::{AppResult, ErrorPage};
use crate::state::AppState;
use crate::viewer::Viewer;

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub name: &'a str,
    pub css_url: &'a str,
    pub editor_js_url: &'a str,
    pub registration_open: bool,
    /// The 微信订阅号 block (sidebar_contact.html, contact.html); `None` hides it.
    pub wechat: Option<crate::wechat::WechatView<'a>>,
    /// Contact methods (联系客服).
    pub contact: &'a ContactInfo,
    /// ICP备案号 and 公安备案号 for the footer (`None` hides each).
    pub icp_beian: Option<&'a str>,
    pub police_beian: Option<&'a str>,
    /// The home page's meta description and keywords.
    pub description: Option<&'a str>,
    pub keywords: Option<&'a str>,
    /// Whether 忘记密码 by mail is on (SMTP configured): the login page links to it.
    pub password_mail: bool,
}

/// The context of every page: the shared parts plus the page's own `content`, flattened in.
#[derive(Serialize)]
pub struct PageContext<'a, T: Serialize> {
    pub site: SiteView<'a>,
    pub viewer: Option<&'a Member>,
    pub csrf: Option<String>,
    pub nav: Arc<Vec<CategoryItem>>,
    /// This page's path, for "log in and come back" links.
    pub here: &'a str,
    #[serde(flatten)]
    pub content: T,
}

/// Render a page template with the shared context.
pub async fn render<T: Serialize>(
    state: &AppState,
    template: &str,
    viewer: Option<&Viewer>,
    here: &str,
    content: T,
) -> AppResult<String> {
    let nav = state.nav().await?;
    let settings = state.services.site();
    let context = PageContext {
        site: site_view(state, &settings),
        viewer: viewer.and_then(|v| v.member.as_ref()),
        csrf: viewer.and_then(Viewer::csrf_token),
        nav,
        here,
        content,
    };
    state.templates.render(template, context)
}

fn site_view<'a>(state: &'a AppState, settings: &'a SiteSettings) -> SiteView<'a> {
    SiteView {
        name: &settings.site_name,
        css_url: &state.assets.css_url,
        editor_js_url: &state.assets.editor_js_url,
        registration_open: settings.registration_open,
        wechat: crate::wechat::wechat_view(settings),
        contact: &settings.contact,
        icp_beian: settings.icp_beian.as_deref(),
        police_beian: settings.police_beian.as_deref(),
        description: settings.description.as_deref(),
        keywords: settings.keywords.as_deref(),
        password_mail: settings.smtp.is_some(),
    }
}

/// An HTML response that no shared cache should keep (it may depend on the viewer).
pub fn html(body: String) -> Response {
    let mut response = Html(body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// Middleware: turn bare error responses from HTML routes into the site's error page.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let session = cookies::get(request.headers(), cookies::SESSION).map(str::to_owned);
    // A `Uri` clone shares its bytes; the path is read only when an error page is rendered.
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let Some(ErrorPage(message)) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    let status = response.status();
    let member = match &session {
        Some(token) => state
            .services
            .accounts
            .member_for_token(token)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let viewer = Viewer {
        member,
        session_token: session,
        csrf_cookie: None,
    };
    #[derive(Serialize)]
    struct ErrorContent<'a> {
        status: u16,
        message: &'a str,
    }
    let content = ErrorContent {
        status: status.as_u16(),
        message: &message,
    };
    match render(&state, "error.html", Some(&viewer), uri.path(), content).await {
        Ok(body) => (status, html(body)).into_response(),
        Err(err) => {
            tracing::error!(?err, "rendering the error page failed");
            (status, Body::from(message)).into_response()
        }
    }
}

/// The fallback of the HTML router: a real 404 page.
pub async fn not_found() -> Response {
    crate::error::AppError::not_found().into_response()
}

/// A page that is not found may be an address of the site this library was moved from
/// (see `wenyuan_core::old_urls`): it answers 301 with its new address. A middleware rather than
/// the fallback, because old addresses can look like ours (DedeCMS's `/a/zongjie` is a
/// malformed `/a/{id}` to our router).
pub async fn moved_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    if response.status() != StatusCode::NOT_FOUND
        || (method != axum::http::Method::GET && method != axum::http::Method::HEAD)
    {
        return response;
    }
    let Ok(path) = percent_encoding::percent_decode_str(uri.path()).decode_utf8() else {
        return response;
    };
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
    match state.services.old_urls.moved(&path, &query).await {
        Ok(Some(moved)) => moved_permanently(&moved),
        Ok(None) => response,
        Err(err) => {
            tracing::warn!(%err, "looking up an old address failed");
            response
        }
    }
}

/// A 301 to a moved page, its path encoded segment by segment.
fn moved_permanently(moved: &wenyuan_core::old_urls::Moved) -> Response {
    let mut location: String = moved
        .path
        .split('/')
        // Unreserved characters stay as they are: `/c/fanwen-daquan`, not `/c/fanwen%2Ddaquan`.
        .map(crate::share::slug_segment)
        .collect::<Vec<_>>()
        .join("/");
    for (n, (key, value)) in moved.query.iter().enumerate() {
        location.push(if n == 0 { '?' } else { '&' });
        location.push_str(key);
        location.push('=');
        location.push_str(&crate::share::urlencode(value));
    }
    crate::moved::moved_permanently(&location)
}

/// A redirect that works for forms (303: the browser follows with GET).
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A `next=` target we may redirect to: a local absolute path only, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control)
                && path.len() <= 2000 =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_targets_stay_on_this_site() {
        assert_eq!(safe_next(Some("/a/12")), "/a/12");
        assert_eq!(safe_next(Some("/a/12?x=1#p-3")), "/a/12?x=1#p-3");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "javascript:alert(1)",
            "/a\n/b",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
