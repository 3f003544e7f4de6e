//! A member's own library at `/me`: 我的收藏, 阅读历史, 下载记录, 邮箱 (for 忘记密码), 修改密码,
//! 导出我的数据, 注销账号; the favourite toggle of the article page; `GET /api/v1/me/favorites`.
//!
//! Every page here is the member's own: a guest is sent to log in and comes back. Every change is
//! a POST with the CSRF token. Nothing here carries document text, only titles and links.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wenyuan_core::accounts::admin::role_label;
use wenyuan_core::accounts::Member;
use wenyuan_core::library::{LibraryOverview, PasswordChange};
use wenyuan_core::{CoreError, FieldError};

use crate::cookies;
use crate::error::{ApiError, AppError, AppResult};
use crate::extract::parse_id;
use crate::openapi::ErrorBody;
use crate::pages::{html, render, safe_next, see_other};
use crate::share::urlencode;
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(overview))
        .route("/me/favorites/{id}", post(add_favorite))
        .route("/me/favorites/{id}/delete", post(remove_favorite))
        .route("/me/password", post(change_password))
        .route("/me/email", post(change_email))
        .route("/me/delete", post(delete_account))
        .route("/me/export.json", get(export))
}

/// Nested under `/api/v1`.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api_favorites))
}

const ME: &str = "/me";

/// The login page, coming back to `here` afterwards: where a guest asking for /me is sent.
fn login_first(here: &str) -> Response {
    see_other(&format!("/login?next={}", urlencode(here)))
}

#[derive(Debug, Deserialize)]
struct OverviewQuery {
    /// What was just done, for the line at the top (`password`).
    done: Option<String>,
}

#[derive(Serialize)]
struct MeContent<'a> {
    me: &'a Member,
    role_label: &'static str,
    library: LibraryOverview,
    notice: Option<&'static str>,
    /// The password form's problems, one per field.
    password_errors: &'a [FieldError],
    /// The deletion form's problem.
    delete_errors: &'a [FieldError],
    /// The address for 忘记密码 by mail, and the form's problem.
    email: Option<String>,
    email_errors: &'a [FieldError],
}

async fn overview(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<OverviewQuery>,
) -> AppResult<Response> {
    let Some(member) = viewer.member.clone() else {
        return Ok(login_first(ME));
    };
    let notice = match q.done.as_deref() {
        Some("password") => Some("密码已修改，其他设备上的登录已退出。"),
        Some("email") => Some("邮箱已保存。"),
        _ => None,
    };
    let errors = FormErrors::default();
    me_page(&state, &viewer, &member, StatusCode::OK, notice, &errors).await
}

/// The forms' problems, one list per form (each shown beside its form).
#[derive(Default)]
struct FormErrors {
    password: Vec<FieldError>,
    delete: Vec<FieldError>,
    email: Vec<FieldError>,
}

async fn me_page(
    state: &AppState,
    viewer: &Viewer,
    member: &Member,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: &FormErrors,
) -> AppResult<Response> {
    let content = MeContent {
        me: member,
        role_label: role_label(member.role),
        library: state.services.library.overview(member).await?,
        notice,
        password_errors: &errors.password,
        delete_errors: &errors.delete,
        email: state.services.recovery.email_of(member).await?,
        email_errors: &errors.email,
    };
    let body = render(state, "me.html", Some(viewer), ME, content).await?;
    Ok((status, html(body)).into_response())
}

#[derive(Debug, Deserialize)]
struct ReturnForm {
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// `POST /me/favorites/{id}`: favourite a document, then back to `next` (the article).
async fn add_favorite(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
    Form(form): Form<ReturnForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let Some(member) = viewer.member.clone() else {
        return Ok(login_first(&format!("/a/{id}")));
    };
    viewer.check_csrf(&form.csrf)?;
    state.services.library.favorite(&member, id).await?;
    Ok(back(form.next.as_deref(), &format!("/a/{id}")))
}

/// `POST /me/favorites/{id}/delete`: remove a favourite, then back to `next`.
async fn remove_favorite(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
    Form(form): Form<ReturnForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let Some(member) = viewer.member.clone() else {
        return Ok(login_first(ME));
    };
    viewer.check_csrf(&form.csrf)?;
    state.services.library.unfavorite(&member, id).await?;
    Ok(back(form.next.as_deref(), "/me#favorites"))
}

fn back(next: Option<&str>, default: &str) -> Response {
    match next {
        Some(next) if !next.is_empty() => see_other(&safe_next(Some(next))),
        _ => see_other(default),
    }
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /me/password`: a new password; the other sessions end and this browser gets a new one.
async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let Some(member) = viewer.member.clone() else {
        return Ok(login_first(ME));
    };
    viewer.check_csrf(&form.csrf)?;
    let change = PasswordChange {
        old: &form.old_password,
        new: &form.new_password,
        confirm: &form.confirm,
    };
    match state
        .services
        .library
        .change_password(&member, &change)
        .await
    {
        Ok(login) => {
            let secure = state.services.site().secure_cookies();
            let mut response = see_other("/me?done=password#password");
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(
                    cookies::SESSION,
                    &login.token,
                    Some(login.max_age_seconds),
                    secure,
                ),
            );
            Ok(response)
        }
        Err(err) => {
            let (status, password) = form_errors(err)?;
            let errors = FormErrors {
                password,
                ..FormErrors::default()
            };
            me_page(&state, &viewer, &member, status, None, &errors).await
        }
    }
}

#[derive(Debug, Deserialize)]
struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /me/email`: the address 忘记密码 mails go to (blank removes it).
async fn change_email(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    let Some(member) = viewer.member.clone() else {
        return Ok(login_first(ME));
    };
    viewer.check_csrf(&form.csrf)?;
    match state
        .services
        .recovery
        .set_email(&member, &form.email)
        .await
    {
        Ok(_) => Ok(see_other("/me?done=email#email")),
        Err(err) => {
            let (status, email) = form_errors(err)?;
            let errors = FormErrors {
                email,
                ..FormErrors::default()
            };
            me_page(&state, &viewer, &member, status, None, &errors).await
        }
    }
}

#[derive(Debug, Deserialize)]
struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// `POST /me/delete`: delete the account (password required), end the session, say goodbye.
async fn delete_account(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let Some(member) = viewer.member.clone() else {
        return Ok(login_first(ME));
    };
    viewer.check_csrf(&form.csrf)?;
    if let Err(err) = state
        .services
        .library
        .delete_account(&member, &form.password)
        .await
    {
        let (status, delete) = form_errors(err)?;
        let errors = FormErrors {
            delete,
            ..FormErrors::default()
        };
        return me_page(&state, &viewer, &member, status, None, &errors).await;
    }
    #[derive(Serialize)]
    struct Deleted {}
    let body = render(&state, "me_deleted.html", None, "/", Deleted {}).await?;
    let mut response = html(body);
    let secure = state.services.site().secure_cookies();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, "", Some(0), secure),
    );
    Ok(response)
}

/// A form's problems as shown beside it, with the page's status; any other error goes on.
fn form_errors(err: CoreError) -> AppResult<(StatusCode, Vec<FieldError>)> {
    match err {
        CoreError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        CoreError::TooMany(message) => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            vec![FieldError::new("form", message)],
        )),
        other => Err(other.into()),
    }
}

/// `GET /me/export.json`: the member's data, as a file to keep.
async fn export(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let Some(member) = viewer.member.clone() else {
        return Ok(login_first("/me/export.json"));
    };
    let data = state.services.library.export(&member).await?;
    let body = serde_json::to_vec_pretty(&data)
        .map_err(|e| AppError::Internal(format!("writing an export: {e}")))?;
    let disposition = format!(
        "attachment; filename=\"wenyuan-export-{}.json\"; filename*=UTF-8''{}",
        member.id,
        urlencode(&format!("文渊-我的数据-{}.json", member.name)),
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// One favourite in the API.
#[derive(Serialize, ToSchema)]
struct FavoriteJson {
    id: i64,
    title: String,
    url: String,
    favourited_at: String,
}

/// `GET /api/v1/me/favorites`: the member's favourites, the latest first; 401 for guests.
#[utoipa::path(
    get,
    path = "/me/favorites",
    tag = "me",
    security(("session" = [])),
    responses((status = 200, body = Vec<FavoriteJson>), (status = 401, body = ErrorBody))
)]
async fn api_favorites(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<FavoriteJson>>, ApiError> {
    let member = viewer.member.as_ref().ok_or_else(|| {
        ApiError(AppError::Client(
            StatusCode::UNAUTHORIZED,
            "请先登录".to_owned(),
        ))
    })?;
    let items = state.services.library.favorites(member).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|item| FavoriteJson {
                id: item.id,
                title: item.title,
                url: item.url,
                favourited_at: item.at,
            })
            .collect(),
    ))
}
