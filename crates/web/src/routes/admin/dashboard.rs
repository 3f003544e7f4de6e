//! The desk's front page (what needs attention) and the audit log.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use wenyuan_core::audit::{AuditPage, AuditView};
use wenyuan_core::search::readiness::IndexStatus;
use wenyuan_core::store::MessageCounts;
use wenyuan_core::Status;

use crate::admin_page::admin_page;
use crate::error::AppResult;
use crate::labels::status_label;
use crate::share::urlencode;
use crate::staff::Staff;
use crate::state::AppState;

#[derive(Serialize)]
struct Overview {
    /// Documents per status, in the desk's order (draft, pending, published, hidden).
    statuses: Vec<StatusCount>,
    total: i64,
    unread_messages: i64,
    messages: i64,
    recent: Vec<AuditView>,
    /// This node's search index: caught up, or how many changes behind (`None`: unknown).
    index: Option<IndexStatus>,
}

#[derive(Serialize)]
struct StatusCount {
    status: String,
    label: &'static str,
    count: i64,
}

pub(super) async fn overview(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    let counts = state.services.reading.status_counts().await?;
    let mut statuses: Vec<StatusCount> = Status::ALL
        .into_iter()
        .map(|status| StatusCount {
            status: status.as_str().to_owned(),
            label: status.label(),
            count: counts
                .iter()
                .find(|(s, _)| status == s.as_str())
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    // A status the desk does not know (written by hand in the database) still shows.
    for (status, count) in &counts {
        if !statuses.iter().any(|s| &s.status == status) {
            statuses.push(StatusCount {
                status: status.clone(),
                label: status_label(status),
                count: *count,
            });
        }
    }
    let MessageCounts { total, unread } = state.services.inbox.message_counts().await?;
    let recent = state.services.audit.page(None, 1).await?.items;
    let content = Overview {
        total: statuses.iter().map(|s| s.count).sum(),
        statuses,
        unread_messages: unread,
        messages: total,
        recent: recent.into_iter().take(10).collect(),
        index: state.services.search.index_status().await.ok(),
    };
    admin_page(
        &state,
        &staff,
        "admin_overview.html",
        "overview",
        "/admin",
        content,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct AuditQuery {
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

#[derive(Serialize)]
struct AuditContent {
    log: AuditPage,
    target: Option<String>,
    /// The pager's base URL (with the target filter kept).
    base: String,
}

pub(super) async fn audit_log(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    // A target is `kind:id`; anything longer than that is not one (and not worth a query).
    let target = q
        .target
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= 64);
    let log = state.services.audit.page(target.as_deref(), page).await?;
    let base = match &target {
        Some(t) => format!("/admin/audit?target={}", urlencode(t)),
        None => "/admin/audit".to_owned(),
    };
    let here = if page == 1 {
        base.clone()
    } else {
        format!(
            "{base}{}page={page}",
            if target.is_some() { "&" } else { "?" }
        )
    };
    let content = AuditContent { log, target, base };
    admin_page(&state, &staff, "admin_audit.html", "audit", &here, content).await
}
