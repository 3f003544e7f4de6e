//! `/reset-password/{token}`: a member who forgot the password sets a new one through a one-time
//! link (made by an admin at `/admin/members`). A link that does not work gets a page saying why
//! (404 unknown, 410 expired or used); a good one the form, then the login page.
//! `/forgot-password` (only when SMTP is configured): the same links, mailed to the address the
//! member gave at /me; the answer never says whether the account exists.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use wenyuan_core::accounts::recovery::{LinkState, NewPassword, ResetOutcome, RESET_LINK_HOURS};
use wenyuan_core::{CoreError, FieldError};

use crate::client_ip::ClientIp;
use crate::error::{AppError, AppResult};
use crate::pages::see_other;
use crate::respond::form_page;
use crate::share::urlencode;
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/reset-password/{token}",
            get(reset_form).post(reset_password),
        )
        .route("/forgot-password", get(forgot_form).post(forgot))
}

#[derive(Serialize)]
struct ForgotContent<'a> {
    sent: bool,
    who: &'a str,
    message: Option<&'a str>,
    hours: i64,
}

/// 忘记密码 is there only when mail is configured.
fn mail_on(state: &AppState) -> AppResult<()> {
    if state.services.site().smtp.is_some() {
        Ok(())
    } else {
        Err(AppError::Client(
            StatusCode::NOT_FOUND,
            "本站未开通邮件找回密码，请联系管理员重设密码".to_owned(),
        ))
    }
}

async fn forgot_form(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    mail_on(&state)?;
    forgot_page(&state, viewer, StatusCode::OK, false, "", None).await
}

/// The 忘记密码 page: the form (with `who` as typed and a problem), or the same answer for
/// every request that was taken (`sent`).
async fn forgot_page(
    state: &AppState,
    viewer: Viewer,
    status: StatusCode,
    sent: bool,
    who: &str,
    message: Option<&str>,
) -> AppResult<Response> {
    let content = ForgotContent {
        sent,
        who,
        message,
        hours: RESET_LINK_HOURS,
    };
    form_page(
        state,
        "forgot_password.html",
        viewer,
        "/forgot-password",
        status,
        content,
    )
    .await
}

#[derive(Debug, Deserialize)]
struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    who: String,
}

async fn forgot(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    mail_on(&state)?;
    viewer.check_csrf(&form.csrf)?;
    let base = state.site_base(&headers);
    let (status, message) = match state
        .services
        .recovery
        .request_by_mail(&form.who, &ip, &base)
        .await
    {
        Ok(()) => (StatusCode::OK, None),
        Err(err @ CoreError::Invalid(_)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Some(err.to_string()))
        }
        Err(err @ CoreError::TooMany(_)) => (StatusCode::TOO_MANY_REQUESTS, Some(err.to_string())),
        Err(other) => return Err(other.into()),
    };
    let sent = message.is_none();
    forgot_page(&state, viewer, status, sent, &form.who, message.as_deref()).await
}

#[derive(Serialize)]
struct ResetContent<'a> {
    /// The form's action (the link itself).
    action: String,
    /// Whose password is set (when the link works).
    member_name: Option<String>,
    /// Why the link does not work, or why the page is refused; no form then.
    refusal: Option<&'a str>,
    errors: &'a [FieldError],
}

async fn reset_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> AppResult<Response> {
    match state.services.recovery.link_state(&token, &ip).await {
        Ok(link) => show(&state, viewer, &token, link, &[], StatusCode::OK).await,
        Err(err) => locked_out(&state, viewer, &token, err).await,
    }
}

#[derive(Debug, Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn reset_password(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let new = NewPassword {
        password: &form.password,
        confirm: &form.confirm,
    };
    match state
        .services
        .recovery
        .reset_with_link(&token, &new, &ip)
        .await
    {
        Ok(ResetOutcome::Done { member_name }) => Ok(see_other(&format!(
            "/login?reset=done&name={}",
            urlencode(&member_name)
        ))),
        Ok(ResetOutcome::Refused(link)) => {
            show(&state, viewer, &token, link, &[], StatusCode::OK).await
        }
        Err(CoreError::Invalid(errors)) => {
            // The link still works (it is checked first): the form again, with the problems.
            let link = state.services.recovery.link_state(&token, &ip).await?;
            show(
                &state,
                viewer,
                &token,
                link,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => locked_out(&state, viewer, &token, err).await,
    }
}

/// The page for a link: the form when it works, else why not (404 unknown, 410 gone).
async fn show(
    state: &AppState,
    viewer: Viewer,
    token: &str,
    link: LinkState,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let status = match link {
        LinkState::Live { .. } => status,
        LinkState::Unknown => StatusCode::NOT_FOUND,
        LinkState::Expired | LinkState::Used => StatusCode::GONE,
    };
    let content = ResetContent {
        action: action(token),
        refusal: link.refusal(),
        member_name: match link {
            LinkState::Live { member_name } => Some(member_name),
            _ => None,
        },
        errors,
    };
    page(state, viewer, status, content).await
}

/// The address's lockout (429) as a page saying how long; any other error goes on.
async fn locked_out(
    state: &AppState,
    viewer: Viewer,
    token: &str,
    err: CoreError,
) -> AppResult<Response> {
    let CoreError::TooMany(message) = err else {
        return Err(err.into());
    };
    let content = ResetContent {
        action: action(token),
        member_name: None,
        refusal: Some(&message),
        errors: &[],
    };
    page(state, viewer, StatusCode::TOO_MANY_REQUESTS, content).await
}

fn action(token: &str) -> String {
    format!("/reset-password/{}", urlencode(token))
}

async fn page(
    state: &AppState,
    viewer: Viewer,
    status: StatusCode,
    content: ResetContent<'_>,
) -> AppResult<Response> {
    // `here` is the plain path: the token must not go into "log in and come back" links.
    let mut response = form_page(
        state,
        "reset_password.html",
        viewer,
        "/login",
        status,
        content,
    )
    .await?;
    // The token is a secret in the URL: not kept by caches, not sent on to the footer's links.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}
