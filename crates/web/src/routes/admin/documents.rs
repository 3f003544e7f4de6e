//! The desk's documents: the filtered list with quick status actions, and the editor (new and
//! edit) with its server-rendered live preview.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::desk::taxonomy::CategoryAdmin;
use wenyuan_core::desk::{DeskPage, DocumentForm, DocumentPreview};
use wenyuan_core::store::{AdminFilter, AdminSort};
use wenyuan_core::{CoreError, Status};

use crate::admin_page::admin_page;
use crate::error::{AppError, AppResult};
use crate::extract::parse_id;
use crate::pages::{html, see_other};
use crate::share::urlencode;
use crate::staff::{Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/documents", get(list))
        .route("/admin/documents/status", post(set_status))
        .route("/admin/documents/preview", post(live_preview))
        .route("/admin/documents/new", get(new_form).post(create))
        .route("/admin/documents/{id}", get(edit_form).post(update))
}

// --- The list ------------------------------------------------------------------------------------

/// The list's query string, as typed (kept to refill the filter form).
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
#[serde(default)]
pub(super) struct ListQuery {
    category: String,
    status: String,
    access: String,
    from: String,
    to: String,
    q: String,
    sort: String,
    page: String,
    saved: String,
}

impl ListQuery {
    fn filter(&self) -> AdminFilter {
        let keep = |v: &str, allowed: &[&str]| {
            let v = v.trim();
            allowed.contains(&v).then(|| v.to_owned())
        };
        let date = |v: &str| {
            let v = v.trim();
            chrono_like_date(v).then(|| v.to_owned())
        };
        AdminFilter {
            category_id: self.category.trim().parse().ok(),
            status: keep(&self.status, &Status::ALL.map(Status::as_str)),
            access: keep(&self.access, &["public", "member", "vip"]),
            date_from: date(&self.from),
            date_to: date(&self.to),
            title: Some(self.q.trim())
                .filter(|q| !q.is_empty())
                .map(|q| q.chars().take(100).collect()),
            sort: match self.sort.as_str() {
                "published" => AdminSort::Published,
                "views" => AdminSort::Views,
                _ => AdminSort::Updated,
            },
        }
    }

    /// The list's URL with these filters and no page number (the pager adds it).
    fn base(&self) -> String {
        let pairs = [
            ("category", &self.category),
            ("status", &self.status),
            ("access", &self.access),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("sort", &self.sort),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v.trim())))
            .collect();
        if query.is_empty() {
            "/admin/documents".to_owned()
        } else {
            format!("/admin/documents?{}", query.join("&"))
        }
    }
}

/// `YYYY-MM-DD` in shape (the database compares dates as text; a wrong one finds nothing).
fn chrono_like_date(v: &str) -> bool {
    v.len() == 10
        && v.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[derive(Serialize)]
struct StatusOption {
    value: &'static str,
    label: &'static str,
}

fn status_options() -> Vec<StatusOption> {
    Status::ALL
        .into_iter()
        .map(|s| StatusOption {
            value: s.as_str(),
            label: s.label(),
        })
        .collect()
}

#[derive(Serialize)]
struct ListContent {
    list: DeskPage,
    query: ListQuery,
    base: String,
    /// Where quick actions come back to (this page, with its filters and page).
    back: String,
    categories: Vec<CategoryAdmin>,
    statuses: Vec<StatusOption>,
    notice: Option<&'static str>,
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let page = query.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let list = state
        .services
        .desk
        .documents
        .list(&query.filter(), page)
        .await?;
    let base = query.base();
    let back = if page > 1 {
        format!(
            "{base}{}page={page}",
            if base.contains('?') { "&" } else { "?" }
        )
    } else {
        base.clone()
    };
    let content = ListContent {
        list,
        notice: (!query.saved.is_empty()).then_some("已保存"),
        base,
        back: back.clone(),
        query,
        categories: state.services.desk.taxonomy.categories().await?,
        statuses: status_options(),
    };
    admin_page(
        &state,
        &staff,
        "admin_documents.html",
        "documents",
        &back,
        content,
    )
    .await
}

/// Publish / hide … one or more documents, then back to the list.
async fn set_status(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    // A row's own button (`row=12:published`) acts on that row alone; the bulk buttons
    // (`status=…`) on every checked `id`.
    let row = field("row")
        .split_once(':')
        .and_then(|(id, status)| Some((id.trim().parse::<i64>().ok()?, status.to_owned())));
    let status = row
        .as_ref()
        .map_or_else(|| field("status").to_owned(), |(_, s)| s.clone());
    let back = match field("back") {
        b if b.starts_with("/admin/documents") && !b.contains(['\r', '\n']) => b.to_owned(),
        _ => "/admin/documents".to_owned(),
    };
    let ids: Vec<i64> = match row {
        Some((id, _)) => vec![id],
        None => form
            .iter()
            .filter(|(k, _)| k == "id")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect(),
    };
    if ids.is_empty() {
        return Err(AppError::bad_request("没有选中文档：请先勾选要操作的文档"));
    }
    // 设为推荐 / 取消推荐 ride on the same form: they act on the same checked documents.
    let action = match status.as_str() {
        "featured" => RowAction::Featured(true),
        "unfeatured" => RowAction::Featured(false),
        other => RowAction::Status(other.parse().map_err(|_| {
            AppError::Client(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("没有「{status}」这个状态"),
            )
        })?),
    };
    let documents = &state.services.desk.documents;
    for id in ids {
        match action {
            RowAction::Status(status) => {
                documents
                    .set_document_status(&staff.member, id, status)
                    .await?
            }
            RowAction::Featured(featured) => {
                documents
                    .set_document_featured(&staff.member, id, featured)
                    .await?
            }
        }
    }
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{back}{sep}saved=1")))
}

/// What the desk list's buttons do to the checked documents.
#[derive(Clone, Copy)]
enum RowAction {
    Status(Status),
    Featured(bool),
}

// --- The editor ----------------------------------------------------------------------------------

/// The editor's form: the document's fields plus which button was pressed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EditorForm {
    #[serde(flatten)]
    doc: DocumentForm,
    #[serde(default)]
    action: String,
    /// The document being edited, for the preview endpoint (0 for a new one).
    #[serde(default)]
    id: String,
}

#[derive(Serialize)]
struct EditorContent {
    /// `None` for a new document.
    id: Option<i64>,
    form: DocumentForm,
    errors: Vec<String>,
    preview: Option<DocumentPreview>,
    categories: Vec<CategoryAdmin>,
    statuses: Vec<StatusOption>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EditQuery {
    #[serde(default)]
    saved: String,
    #[serde(default)]
    anonymized: String,
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    let form = DocumentForm {
        date: state.services.desk.documents.today(),
        status: Status::Draft.as_str().to_owned(),
        access: state.services.site().default_access.as_str().to_owned(),
        format: "plain".to_owned(),
        ..DocumentForm::default()
    };
    editor(
        &state,
        &staff,
        None,
        form,
        Vec::new(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw_id): Path<String>,
    Query(q): Query<EditQuery>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let form = state.services.desk.documents.document_form(id).await?;
    let notice = match q.anonymized.trim().parse::<usize>() {
        Ok(n) => Some(format!("已保存：模板化替换了 {n} 处")),
        Err(_) => (!q.saved.is_empty()).then(|| "已保存".to_owned()),
    };
    editor(
        &state,
        &staff,
        Some(id),
        form,
        Vec::new(),
        None,
        notice,
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<EditorForm>,
) -> AppResult<Response> {
    submit(&state, &staff, None, form).await
}

async fn update(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<EditorForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    submit(&state, &staff, Some(id), form).await
}

/// 预览 shows the page with the preview; 保存 saves and comes back to the editor. Either way a
/// refused form comes back with the text kept and the reason shown.
async fn submit(
    state: &AppState,
    staff: &Staff,
    id: Option<i64>,
    form: EditorForm,
) -> AppResult<Response> {
    let doc = form.doc;
    if form.action == "preview" {
        return match state
            .services
            .desk
            .documents
            .preview_document(id.unwrap_or(0), &doc)
        {
            Ok(preview) => {
                let ok = StatusCode::OK;
                editor(state, staff, id, doc, Vec::new(), Some(preview), None, ok).await
            }
            Err(err) => refused(state, staff, id, doc, err).await,
        };
    }
    let saved = match id {
        Some(id) => state
            .services
            .desk
            .documents
            .update_document(&staff.member, id, &doc)
            .await
            .map(|()| id),
        None => {
            state
                .services
                .desk
                .documents
                .create_document(&staff.member, &doc)
                .await
        }
    };
    match saved {
        Ok(id) => Ok(see_other(&format!("/admin/documents/{id}?saved=1"))),
        Err(err) => refused(state, staff, id, doc, err).await,
    }
}

/// The editor again, with the error (a 4xx keeps the form; anything else is a plain error).
async fn refused(
    state: &AppState,
    staff: &Staff,
    id: Option<i64>,
    doc: DocumentForm,
    err: CoreError,
) -> AppResult<Response> {
    let (status, errors) = match form_errors(err) {
        Ok(shown) => shown,
        Err(err) => return Err(err),
    };
    editor(state, staff, id, doc, errors, None, None, status).await
}

/// The messages to show beside a refused form, one per field at fault, with the status; an error
/// that is not about the form (not found, a failure) is returned as it is.
fn form_errors(err: CoreError) -> Result<(StatusCode, Vec<String>), AppError> {
    let messages: Vec<String> = err
        .field_errors()
        .iter()
        .map(|e| e.message.clone())
        .collect();
    let err = AppError::from(err);
    let status = err.status();
    if !status.is_client_error() || status == StatusCode::NOT_FOUND {
        return Err(err);
    }
    if messages.is_empty() {
        Ok((status, vec![err.public_message().to_owned()]))
    } else {
        Ok((status, messages))
    }
}

#[allow(clippy::too_many_arguments)]
async fn editor(
    state: &AppState,
    staff: &Staff,
    id: Option<i64>,
    form: DocumentForm,
    errors: Vec<String>,
    preview: Option<DocumentPreview>,
    notice: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let here = match id {
        Some(id) => format!("/admin/documents/{id}"),
        None => "/admin/documents/new".to_owned(),
    };
    let content = EditorContent {
        id,
        form,
        errors,
        preview,
        categories: state.services.desk.taxonomy.categories().await?,
        statuses: status_options(),
        notice,
    };
    let mut response = admin_page(
        state,
        staff,
        "admin_document_edit.html",
        "documents",
        &here,
        content,
    )
    .await?;
    *response.status_mut() = status;
    Ok(response)
}

/// The live preview for the editor's script: the preview fragment alone (or the errors).
async fn live_preview(
    State(state): State<AppState>,
    StaffForm { form, .. }: StaffForm<EditorForm>,
) -> AppResult<Response> {
    let id = form.id.trim().parse::<i64>().unwrap_or(0).max(0);
    #[derive(Serialize)]
    struct Fragment {
        preview: Option<DocumentPreview>,
        errors: Vec<String>,
    }
    let (fragment, status) = match state
        .services
        .desk
        .documents
        .preview_document(id, &form.doc)
    {
        Ok(preview) => (
            Fragment {
                preview: Some(preview),
                errors: Vec::new(),
            },
            StatusCode::OK,
        ),
        Err(err) => {
            let (status, errors) = match form_errors(err) {
                Ok(shown) => shown,
                // The live preview shows any refusal in place; the page's own form does the rest.
                Err(err) => (err.status(), vec![err.public_message().to_owned()]),
            };
            (
                Fragment {
                    preview: None,
                    errors,
                },
                status,
            )
        }
    };
    let body = state.templates.render("admin_preview.html", fragment)?;
    Ok((status, html(body)).into_response())
}
