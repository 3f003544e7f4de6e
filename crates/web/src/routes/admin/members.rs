//! `/admin/members` (admins): the members list with search by name, a role filter and pages;
//! per member a role change, disable/enable, VIP, and a one-time password reset link (shown once,
//! on its own page, for the admin to pass on). A refused change (yourself, the last admin) comes
//! back as the list with the reason, status 422.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::accounts::admin::{
    parse_assignable, role_label, MemberPage, MemberQuery, ASSIGNABLE_ROLES,
};
use wenyuan_core::accounts::recovery::RESET_LINK_HOURS;
use wenyuan_core::vip::{VipGrant, GRANT_CHOICES};
use wenyuan_core::CoreError;

use crate::admin_page::admin_page;
use crate::error::AppResult;
use crate::extract::parse_id;
use crate::pages::see_other;
use crate::share::urlencode;
use crate::staff::{AdminOnly, Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/members", get(list))
        .route("/admin/members/{id}/role", post(change_role))
        .route("/admin/members/{id}/disable", post(disable))
        .route("/admin/members/{id}/enable", post(enable))
        .route("/admin/members/{id}/vip", post(grant_vip))
        .route("/admin/members/{id}/vip/revoke", post(revoke_vip))
        .route("/admin/members/{id}/reset-link", post(reset_link))
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    page: Option<String>,
    /// What was just done (a fixed code, never shown as given).
    #[serde(default)]
    done: Option<String>,
}

impl ListQuery {
    fn page(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(1)
            .max(1)
    }

    /// The list's URL with its filters (and page), for the pager and the way back after a change.
    fn base(&self) -> String {
        let mut params = Vec::new();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            params.push(format!("q={}", urlencode(q)));
        }
        if let Some(r) = self
            .role
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            params.push(format!("role={}", urlencode(r)));
        }
        if params.is_empty() {
            "/admin/members".to_owned()
        } else {
            format!("/admin/members?{}", params.join("&"))
        }
    }
}

#[derive(Serialize)]
struct RoleChoice {
    value: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct MembersContent {
    members: MemberPage,
    q: String,
    role: String,
    roles: Vec<RoleChoice>,
    /// The pager's base URL (filters kept).
    base: String,
    /// Where a form returns to (filters and page kept).
    back: String,
    notice: Option<&'static str>,
    error: Option<String>,
    me: i64,
    /// The one-click VIP grants, in days.
    vip_choices: [i64; 3],
}

async fn list(
    State(state): State<AppState>,
    AdminOnly(staff): AdminOnly,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let notice = match q.done.as_deref() {
        Some("role") => Some("角色已更新"),
        Some("disable") => Some("账号已停用，其登录已全部失效"),
        Some("enable") => Some("账号已启用"),
        Some("vip") => Some("VIP 已开通（或延长）"),
        Some("vip_revoke") => Some("VIP 已取消"),
        _ => None,
    };
    render_list(&state, &staff, &q, notice, None).await
}

async fn render_list(
    state: &AppState,
    staff: &Staff,
    q: &ListQuery,
    notice: Option<&'static str>,
    error: Option<String>,
) -> AppResult<Response> {
    let query = MemberQuery::parse(q.q.as_deref(), q.role.as_deref())?;
    let members = state
        .services
        .members
        .members_page(&query, q.page())
        .await?;
    let base = q.base();
    let back = if members.page > 1 {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}page={}", members.page)
    } else {
        base.clone()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let content = MembersContent {
        members,
        q: query.name.unwrap_or_default(),
        role: query
            .role
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        roles: ASSIGNABLE_ROLES
            .iter()
            .map(|r| RoleChoice {
                value: r.as_str(),
                label: role_label(*r),
            })
            .collect(),
        base,
        back: back.clone(),
        notice,
        error,
        me: staff.member.id,
        vip_choices: GRANT_CHOICES,
    };
    let page = admin_page(
        state,
        staff,
        "admin_members.html",
        "members",
        &back,
        content,
    )
    .await?;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
struct ChangeForm {
    #[serde(default)]
    role: String,
    /// The list to return to (`/admin/members?…`).
    #[serde(default)]
    back: String,
}

async fn change_role(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<ChangeForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let outcome = match parse_assignable(&form.role) {
        Ok(role) => {
            state
                .services
                .members
                .change_role(&staff.member, id, role)
                .await
        }
        Err(err) => Err(err),
    };
    finish(&state, &staff, &form.back, "role", outcome).await
}

async fn disable(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<ChangeForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let outcome = state
        .services
        .members
        .set_disabled(&staff.member, id, true)
        .await;
    finish(&state, &staff, &form.back, "disable", outcome).await
}

async fn enable(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<ChangeForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let outcome = state
        .services
        .members
        .set_disabled(&staff.member, id, false)
        .await;
    finish(&state, &staff, &form.back, "enable", outcome).await
}

#[derive(Debug, Deserialize)]
struct VipForm {
    /// Days to add (30, 90, 365 from the buttons).
    #[serde(default)]
    days: Option<String>,
    /// Or an end date, `YYYY-MM-DD`.
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    back: String,
}

async fn grant_vip(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<VipForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let outcome = match VipGrant::parse(form.days.as_deref(), form.until.as_deref()) {
        Ok(grant) => state
            .services
            .vip
            .grant(&staff.member, id, grant)
            .await
            .map(|(name, _)| name),
        Err(err) => Err(err),
    };
    finish(&state, &staff, &form.back, "vip", outcome).await
}

async fn revoke_vip(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<ChangeForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let outcome = state.services.vip.revoke(&staff.member, id).await;
    finish(&state, &staff, &form.back, "vip_revoke", outcome).await
}

#[derive(Serialize)]
struct ResetLinkContent {
    member_name: String,
    link: String,
    expires: String,
    hours: i64,
    back: String,
}

/// `POST /admin/members/{id}/reset-link`: a new one-time link (the member's older one stops
/// working), shown on a page of its own. It is shown this once: only its hash is stored.
async fn reset_link(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    StaffForm { staff, form }: StaffForm<ChangeForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let link = match state.services.recovery.issue_link(&staff.member, id).await {
        Ok(link) => link,
        Err(err) => return finish(&state, &staff, &form.back, "reset", Err(err)).await,
    };
    let content = ResetLinkContent {
        link: format!(
            "{}/reset-password/{}",
            state.site_base(&headers),
            link.token
        ),
        member_name: link.member_name,
        expires: link.expires,
        hours: RESET_LINK_HOURS,
        back: safe_back(&form.back).to_owned(),
    };
    let mut page = admin_page(
        &state,
        &staff,
        "admin_reset_link.html",
        "members",
        "/admin/members",
        content,
    )
    .await?;
    // A secret on the page: not kept by caches, not sent on as a Referer.
    let headers = page.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(page)
}

/// Back to the list: with a notice after a change, or the list with the reason (422) when the
/// change was refused.
async fn finish(
    state: &AppState,
    staff: &Staff,
    back: &str,
    done: &str,
    outcome: wenyuan_core::Result<String>,
) -> AppResult<Response> {
    let back = safe_back(back);
    match outcome {
        Ok(_) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(see_other(&format!("{back}{sep}done={done}")))
        }
        Err(err @ CoreError::Invalid(_)) => {
            let message = err.to_string();
            let query = back
                .split_once('?')
                .and_then(|(_, q)| serde_urlencoded::from_str::<ListQuery>(q).ok())
                .unwrap_or_default();
            render_list(state, staff, &query, None, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The members list a form may return to; anything else returns to the list itself.
fn safe_back(back: &str) -> &str {
    let path = back.split('?').next().unwrap_or("");
    if path == "/admin/members" && !back.chars().any(char::is_control) && back.len() <= 500 {
        back
    } else {
        "/admin/members"
    }
}
