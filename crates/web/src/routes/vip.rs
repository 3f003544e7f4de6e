//! `/me/vip`: a member's VIP — the status (VIP 至 … / 未开通) and the form that redeems a code
//! (卡密). Guests are sent to log in and come back. `next` (a local path, e.g. the VIP document
//! whose download sent the member here) is offered as the way back after redeeming.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use wenyuan_core::vip::{Redeemed, VipStatus};
use wenyuan_core::CoreError;

use crate::client_ip::ClientIp;
use crate::error::AppResult;
use crate::pages::{html, render, safe_next, see_other};
use crate::share::urlencode;
use crate::state::AppState;
use crate::viewer::Viewer;

pub const VIP_PAGE: &str = "/me/vip";

pub fn router() -> Router<AppState> {
    Router::new().route(VIP_PAGE, get(show).post(redeem))
}

#[derive(Debug, Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RedeemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    next: Option<String>,
}

#[derive(Serialize)]
struct VipContent {
    status: VipStatus,
    /// Just redeemed: what it gave.
    redeemed: Option<Redeemed>,
    /// Why the code was refused.
    error: Option<String>,
    /// The code as typed, when it comes back with an error.
    code: String,
    /// Where to go back to (a local path), if the member came from somewhere.
    next: Option<String>,
    /// Files per day now (`None`: no limit).
    downloads_per_day: Option<i64>,
    /// What a VIP gets per day.
    vip_downloads_per_day: i64,
}

/// The way back, when it is somewhere other than the home page.
fn back_to(next: Option<&str>) -> Option<String> {
    Some(safe_next(next)).filter(|n| n != "/")
}

fn login_first(next: Option<&str>) -> Response {
    let here = match back_to(next) {
        Some(next) => format!("{VIP_PAGE}?next={}", urlencode(&next)),
        None => VIP_PAGE.to_owned(),
    };
    see_other(&format!("/login?next={}", urlencode(&here)))
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if viewer.is_guest() {
        return Ok(login_first(q.next.as_deref()));
    }
    page(
        &state,
        &viewer,
        StatusCode::OK,
        None,
        None,
        "",
        q.next.as_deref(),
    )
    .await
}

async fn redeem(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(form): Form<RedeemForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let Some(member) = &viewer.member else {
        return Ok(login_first(form.next.as_deref()));
    };
    let next = form.next.as_deref();
    match state.services.vip.redeem(member, &form.code, &ip).await {
        Ok(redeemed) => {
            page(
                &state,
                &viewer,
                StatusCode::OK,
                Some(redeemed),
                None,
                "",
                next,
            )
            .await
        }
        Err(err @ (CoreError::Invalid(_) | CoreError::TooMany(_))) => {
            let status = if matches!(err, CoreError::TooMany(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let message = err.to_string();
            page(
                &state,
                &viewer,
                status,
                None,
                Some(message),
                &form.code,
                next,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    redeemed: Option<Redeemed>,
    error: Option<String>,
    code: &str,
    next: Option<&str>,
) -> AppResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_first(next));
    };
    let lib = &state.services;
    let vip_status = lib.vip.status(member.id).await?;
    let site = lib.site();
    let content = VipContent {
        downloads_per_day: wenyuan_core::takeaway::quota::daily_limit(vip_status.role, &site),
        vip_downloads_per_day: i64::from(site.downloads_vip),
        status: vip_status,
        redeemed,
        error,
        code: code.chars().take(64).collect(),
        next: back_to(next),
    };
    let body = render(state, "me_vip.html", Some(viewer), VIP_PAGE, content).await?;
    Ok((status, html(body)).into_response())
}
