//! The desk's page frame: every admin page is a template extending `admin_base.html`, told which
//! menu entry is current. Shared by the route modules under `routes/admin/`.

use axum::response::Response;
use serde::Serialize;

use crate::error::AppResult;
use crate::pages::{html, render};
use crate::staff::Staff;
use crate::state::AppState;

/// What every admin page gets besides its own content: which menu entry is current.
#[derive(Serialize)]
struct AdminContext<T: Serialize> {
    /// The menu key of this page (`documents`, `audit`, …), for highlighting.
    admin_section: &'static str,
    #[serde(flatten)]
    content: T,
}

/// Render an admin page (a template extending `admin_base.html`).
pub(crate) async fn admin_page<T: Serialize>(
    state: &AppState,
    staff: &Staff,
    template: &str,
    section: &'static str,
    here: &str,
    content: T,
) -> AppResult<Response> {
    let context = AdminContext {
        admin_section: section,
        content,
    };
    let body = render(state, template, Some(&staff.viewer), here, context).await?;
    Ok(html(body))
}

/// An admin page answering a form that may show a secret once (VIP 卡密, API tokens): 422 when the
/// form was refused, and never kept in any cache, the browser's included, when it holds a secret.
pub(crate) fn form_answer(
    page: AppResult<Response>,
    refused: bool,
    shows_secret: bool,
) -> AppResult<Response> {
    let mut response = page?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    if shows_secret {
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}
