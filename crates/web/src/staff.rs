//! The editorial desk's door: who may use `/admin`, and the CSRF check every admin form passes.
//!
//! Two layers guard the desk. A middleware on the whole admin router refuses anyone who is not
//! an editor or admin (so a route whose handler forgets to ask is still closed), and handlers
//! take [`Staff`] or [`AdminOnly`] to get the member, plus [`StaffForm`] for every POST, which
//! checks the form's CSRF token before the handler sees the form.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use wenyuan_core::accounts::Member;
use wenyuan_core::Role;

use crate::error::AppError;
use crate::respond::login_wall;
use crate::state::AppState;
use crate::viewer::Viewer;

/// Largest admin form body (a document's text is the largest thing an admin form carries).
pub const ADMIN_FORM_MAX_BYTES: usize = 4 * 1024 * 1024;

fn is_staff(role: Role) -> bool {
    matches!(role, Role::Editor | Role::Admin)
}

fn refuse(viewer: &Viewer, needs_admin: bool) -> AppError {
    match (&viewer.member, needs_admin) {
        (None, _) => AppError::forbidden("编辑后台：请先以编辑或管理员账号登录"),
        (Some(_), false) => AppError::forbidden("编辑后台只对编辑和管理员开放"),
        (Some(_), true) => AppError::forbidden("这里只对管理员开放"),
    }
}

/// Middleware for the whole admin router: editors and admins pass, everyone else gets a 403. A
/// guest's 403 page is the login form, which comes back here once they are in.
pub async fn require_staff(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    guard(state, request, next, false).await
}

/// Middleware for the admins' part of the desk (members, settings, the inbox).
pub async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    guard(state, request, next, true).await
}

async fn guard(state: AppState, request: Request, next: Next, needs_admin: bool) -> Response {
    let (mut parts, body) = request.into_parts();
    let viewer = match Viewer::from_request_parts(&mut parts, &state).await {
        Ok(viewer) => viewer,
        Err(err) => return err.into_response(),
    };
    let allowed = if needs_admin {
        viewer.role() == Role::Admin
    } else {
        is_staff(viewer.role())
    };
    if !allowed {
        if viewer.is_guest() && parts.method == Method::GET {
            let here = parts
                .uri
                .path_and_query()
                .map_or("/admin", |p| p.as_str())
                .to_owned();
            let message = refuse(&viewer, needs_admin).public_message().to_owned();
            return login_wall(&state, viewer, &here, StatusCode::FORBIDDEN, &message)
                .await
                .into_response();
        }
        return refuse(&viewer, needs_admin).into_response();
    }
    parts.extensions.insert(viewer);
    next.run(Request::from_parts(parts, body)).await
}

/// An editor or admin, with the viewer (for rendering pages with the CSRF token).
#[derive(Debug, Clone)]
pub struct Staff {
    pub member: Member,
    pub viewer: Viewer,
}

impl Staff {
    pub fn is_admin(&self) -> bool {
        self.member.role == Role::Admin
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match &viewer.member {
            Some(member) if is_staff(member.role) => Ok(Staff {
                member: member.clone(),
                viewer,
            }),
            _ => Err(refuse(&viewer, false)),
        }
    }
}

/// An admin (not just an editor).
#[derive(Debug, Clone)]
pub struct AdminOnly(pub Staff);

impl FromRequestParts<AppState> for AdminOnly {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.is_admin() {
            Ok(AdminOnly(staff))
        } else {
            Err(refuse(&staff.viewer, true))
        }
    }
}

/// A urlencoded admin form whose `csrf` field matched the viewer's token, and the staff member who
/// sent it. A missing or wrong token is a 403 before the form is even parsed into `T`.
pub struct StaffForm<T> {
    pub staff: Staff,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for StaffForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = request.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| AppError::bad_request(format!("表单读取失败：{e}")))?;
        // The token first: a forged request learns nothing about what the form would have done.
        let token: CsrfOnly = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::bad_request(format!("表单格式不对：{e}")))?;
        staff.viewer.check_csrf(&token.csrf)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::bad_request(format!("表单内容不对：{e}")))?;
        Ok(StaffForm { staff, form })
    }
}
