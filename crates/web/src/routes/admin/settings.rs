//! `/admin/settings` (admins): the site's name, base URL, preview defaults, registration, default
//! access, 微信订阅号, 联系客服 and search-engine push (with its latest requests). Saved values are in force at once: every page (cached guest
//! article pages too, through the library generation) and the QR show them on the next request.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::seo::PushStatus;
use wenyuan_core::settings::editable::SettingsForm;
use wenyuan_core::settings::{rules, WechatQr};
use wenyuan_core::CoreError;

use crate::admin_page::admin_page;
use crate::error::AppResult;
use crate::pages::see_other;
use crate::staff::{AdminOnly, Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/admin/settings", get(show).post(save))
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Serialize)]
struct SettingsContent<'a> {
    form: &'a SettingsForm,
    error: Option<String>,
    notice: Option<&'static str>,
    /// The configured QR image file, which the form cannot change (only replace by a link).
    qr_image: Option<String>,
    /// The inputs' limits, from the one rule of each setting, so the browser's checks agree.
    limits: Limits,
    /// Search-engine push: the queue and the newest requests (推送记录).
    push: PushStatus,
}

#[derive(Serialize)]
struct Limits {
    site_name: usize,
    preview_max_chars: usize,
    short_text: usize,
    daily_downloads: u32,
}

const LIMITS: Limits = Limits {
    site_name: rules::SITE_NAME_MAX_CHARS,
    preview_max_chars: rules::PREVIEW_MAX_CHARS_LIMIT,
    short_text: rules::SHORT_TEXT_MAX_CHARS,
    daily_downloads: rules::DAILY_DOWNLOADS_MAX,
};

async fn show(
    State(state): State<AppState>,
    AdminOnly(staff): AdminOnly,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let form = SettingsForm::from_settings(&state.services.site());
    let notice = q.saved.is_some().then_some("设置已保存，全站即时生效");
    render(&state, &staff, &form, None, notice).await
}

async fn save(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<SettingsForm>,
) -> AppResult<Response> {
    match state.services.settings.save(&staff.member, &form).await {
        Ok(()) => {
            // The QR cache also checks its source on every request; clearing it frees the old one.
            state.wechat_qr.clear();
            Ok(see_other("/admin/settings?saved=1"))
        }
        // The form comes back as typed, with the reason.
        Err(err @ CoreError::Invalid(_)) => {
            render(&state, &staff, &form, Some(err.to_string()), None).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn render(
    state: &AppState,
    staff: &Staff,
    form: &SettingsForm,
    error: Option<String>,
    notice: Option<&'static str>,
) -> AppResult<Response> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let qr_image = match state
        .services
        .site()
        .wechat
        .as_ref()
        .and_then(|w| w.qr.as_ref())
    {
        Some(WechatQr::Image(path)) => Some(path.display().to_string()),
        _ => None,
    };
    let content = SettingsContent {
        form,
        error,
        notice,
        qr_image,
        limits: LIMITS,
        push: state.services.push.status().await?,
    };
    let page = admin_page(
        state,
        staff,
        "admin_settings.html",
        "settings",
        "/admin/settings",
        content,
    )
    .await?;
    Ok((status, page).into_response())
}
