//! Registration, login and logout, as plain HTML forms with CSRF tokens.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use wenyuan_core::accounts::Login;
use wenyuan_core::CoreError;

use crate::client_ip::ClientIp;
use crate::cookies;
use crate::error::{AppError, AppResult};
use crate::pages::{safe_next, see_other};
use crate::respond::{form_page, FormContent};
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/register", get(register_form).post(register))
        .route("/logout", post(logout))
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    /// `done` after a password reset through a link (a fixed code, never shown as given).
    reset: Option<String>,
    /// The account whose password was just reset, to fill in the form.
    name: Option<String>,
}

/// The login form, with a line after a password reset.
#[derive(Serialize)]
struct LoginContent<'a> {
    #[serde(flatten)]
    form: FormContent<'a>,
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
struct AccountForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    if viewer.member.is_some() {
        return Ok(see_other(&next));
    }
    let reset = q.reset.as_deref() == Some("done");
    let name = if reset {
        q.name.as_deref().unwrap_or_default()
    } else {
        ""
    };
    let content = LoginContent {
        form: FormContent {
            next: &next,
            name,
            message: None,
        },
        notice: reset.then_some("密码已重设，请用新密码登录。"),
    };
    form_page(
        &state,
        "login.html",
        viewer,
        "/login",
        StatusCode::OK,
        content,
    )
    .await
}

async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let next = safe_next(form.next.as_deref());
    match state
        .services
        .accounts
        .login(
            &form.name,
            &form.password,
            &ip,
            viewer.session_token.as_deref(),
        )
        .await
    {
        Ok(login) => Ok(logged_in(&state, &next, &login)),
        Err(
            err @ (CoreError::Unauthorized(_) | CoreError::Forbidden(_) | CoreError::TooMany(_)),
        ) => {
            let status = if matches!(err, CoreError::TooMany(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let message = err.to_string();
            let content = FormContent {
                next: &next,
                name: &form.name,
                message: Some(&message),
            };
            form_page(&state, "login.html", viewer, "/login", status, content).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn register_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    let content = FormContent {
        next: &next,
        name: "",
        message: None,
    };
    let status = if state.services.site().registration_open {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    };
    form_page(
        &state,
        "register.html",
        viewer,
        "/register",
        status,
        content,
    )
    .await
}

async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    if !state.services.site().registration_open {
        return Err(AppError::forbidden("本站暂不开放注册"));
    }
    let next = safe_next(form.next.as_deref());
    let created = state
        .services
        .accounts
        .register(&form.name, &form.password, &ip)
        .await;
    if let Err(err @ (CoreError::Invalid(_) | CoreError::Conflict(_) | CoreError::TooMany(_))) =
        &created
    {
        let message = err.to_string();
        let status = match err {
            CoreError::Conflict(_) => StatusCode::CONFLICT,
            CoreError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let content = FormContent {
            next: &next,
            name: &form.name,
            message: Some(&message),
        };
        return form_page(
            &state,
            "register.html",
            viewer,
            "/register",
            status,
            content,
        )
        .await;
    }
    created?;
    // Registered: log straight in.
    let login = state
        .services
        .accounts
        .login(
            &form.name,
            &form.password,
            &ip,
            viewer.session_token.as_deref(),
        )
        .await?;
    Ok(logged_in(&state, &next, &login))
}

/// After a login: the session cookie, and back to where the reader was going.
fn logged_in(state: &AppState, next: &str, login: &Login) -> Response {
    let secure = state.services.site().secure_cookies();
    let mut response = see_other(next);
    let cookie = cookies::set(
        cookies::SESSION,
        &login.token,
        Some(login.max_age_seconds),
        secure,
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

#[derive(Debug, Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<LogoutForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    if let Some(token) = &viewer.session_token {
        state.services.accounts.logout(token).await?;
    }
    let secure = state.services.site().secure_cookies();
    let mut response = see_other("/");
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, "", Some(0), secure),
    );
    Ok(response)
}
