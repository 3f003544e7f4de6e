//! The 联系客服 inbox at `/admin/messages` (admins: messages carry visitors' contact details):
//! all or only the unread, mark read and unread again, and a follow-up note per message. Every
//! change is in the audit log.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::inbox::{MessagePage, NOTE_MAX_CHARS};
use wenyuan_core::CoreError;

use crate::admin_page::admin_page;
use crate::error::AppResult;
use crate::extract::parse_id;
use crate::pages::see_other;
use crate::staff::{AdminOnly, Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/messages", get(inbox))
        .route("/admin/messages/{id}/read", post(mark_read))
        .route("/admin/messages/{id}/unread", post(mark_unread))
        .route("/admin/messages/{id}/note", post(save_note))
}

/// Which messages and which page; the same fields come back with every form, so an action
/// returns to the view it was made from.
#[derive(Debug, Deserialize, Default)]
struct InboxQuery {
    /// `unread` shows only unread messages; anything else shows all.
    #[serde(default)]
    show: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    done: Option<String>,
}

impl InboxQuery {
    fn unread_only(&self) -> bool {
        self.show == "unread"
    }

    fn page(&self) -> i64 {
        self.page.trim().parse::<i64>().unwrap_or(1).max(1)
    }

    /// The inbox URL of this view, on `page`.
    fn url(&self, page: i64) -> String {
        match (self.unread_only(), page) {
            (false, 1) => "/admin/messages".to_owned(),
            (false, p) => format!("/admin/messages?page={p}"),
            (true, 1) => "/admin/messages?show=unread".to_owned(),
            (true, p) => format!("/admin/messages?show=unread&page={p}"),
        }
    }
}

#[derive(Serialize)]
struct InboxContent {
    messages: MessagePage,
    /// `unread` or `all`.
    show: &'static str,
    /// The pager's base URL.
    base: String,
    notice: Option<&'static str>,
    error: Option<String>,
    note_max: usize,
}

async fn inbox(
    State(state): State<AppState>,
    AdminOnly(staff): AdminOnly,
    Query(q): Query<InboxQuery>,
) -> AppResult<Response> {
    let notice = match q.done.as_deref() {
        Some("read") => Some("已标为已读"),
        Some("unread") => Some("已标为未读"),
        Some("note") => Some("处理备注已保存"),
        _ => None,
    };
    render(&state, &staff, &q, notice, None).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    q: &InboxQuery,
    notice: Option<&'static str>,
    error: Option<String>,
) -> AppResult<Response> {
    let messages = state
        .services
        .inbox
        .messages(q.page(), q.unread_only())
        .await?;
    let here = q.url(messages.page);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let content = InboxContent {
        messages,
        show: if q.unread_only() { "unread" } else { "all" },
        base: q.url(1),
        notice,
        error,
        note_max: NOTE_MAX_CHARS,
    };
    let page = admin_page(
        state,
        staff,
        "admin_messages.html",
        "messages",
        &here,
        content,
    )
    .await?;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
struct MessageAction {
    #[serde(default)]
    show: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    note: String,
}

impl MessageAction {
    fn view(&self) -> InboxQuery {
        InboxQuery {
            show: self.show.clone(),
            page: self.page.clone(),
            done: None,
        }
    }
}

/// Back to the view the form came from, with a notice, at the message.
fn back_to(form: &MessageAction, done: &str, id: i64) -> Response {
    let url = form.view().url(form.view().page());
    let sep = if url.contains('?') { '&' } else { '?' };
    see_other(&format!("{url}{sep}done={done}#m-{id}"))
}

async fn mark_read(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<MessageAction>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    state
        .services
        .inbox
        .set_message_read(&staff.member, id, true)
        .await?;
    Ok(back_to(&form, "read", id))
}

async fn mark_unread(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<MessageAction>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    state
        .services
        .inbox
        .set_message_read(&staff.member, id, false)
        .await?;
    Ok(back_to(&form, "unread", id))
}

async fn save_note(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<MessageAction>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    match state
        .services
        .inbox
        .set_message_note(&staff.member, id, &form.note)
        .await
    {
        Ok(()) => Ok(back_to(&form, "note", id)),
        Err(err @ CoreError::Invalid(_)) => {
            render(&state, &staff, &form.view(), None, Some(err.to_string())).await
        }
        Err(other) => Err(other.into()),
    }
}
