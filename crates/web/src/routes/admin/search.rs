//! Search settings at the desk (`/admin/search`): the synonyms and abbreviations applied to every
//! query (两会 ↔ 全国人民代表大会和中国人民政治协商会议). Every change is audited and applies on this
//! node at once, on the others within seconds (each reloads the list).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::search::synonyms::{SynonymPair, SYNONYM_MAX_CHARS};

use crate::admin_page::admin_page;
use crate::error::{AppError, AppResult};
use crate::extract::parse_id;
use crate::pages::see_other;
use crate::staff::{Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/search", get(page))
        .route("/admin/search/synonyms", post(add))
        .route("/admin/search/synonyms/{id}/delete", post(delete))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    done: String,
}

#[derive(Serialize)]
struct SearchAdminContent {
    synonyms: Vec<SynonymPair>,
    max_chars: usize,
    /// What was typed, kept when the form comes back with a reason.
    term: String,
    expansion: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let notice = match q.done.as_str() {
        "added" => Some("同义词已添加"),
        "deleted" => Some("同义词已删除"),
        "missing" => Some("这组同义词已不存在"),
        _ => None,
    };
    render(&state, &staff, &SynonymForm::default(), notice, None).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    form: &SynonymForm,
    notice: Option<&'static str>,
    error: Option<AppError>,
) -> AppResult<Response> {
    let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
    let content = SearchAdminContent {
        synonyms: state.services.search.synonym_pairs().await?,
        max_chars: SYNONYM_MAX_CHARS,
        term: form.term.clone(),
        expansion: form.expansion.clone(),
        notice,
        error: error.map(|e| e.public_message().to_owned()),
    };
    let mut response = admin_page(
        state,
        staff,
        "admin_search.html",
        "search",
        "/admin/search",
        content,
    )
    .await?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SynonymForm {
    term: String,
    expansion: String,
}

async fn add(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<SynonymForm>,
) -> AppResult<Response> {
    let result = state
        .services
        .search
        .add_synonym(&staff.member, &form.term, &form.expansion)
        .await
        .map_err(AppError::from);
    match result {
        Ok(()) => Ok(see_other("/admin/search?done=added")),
        Err(err) if err.status().is_client_error() => {
            render(&state, &staff, &form, None, Some(err)).await
        }
        Err(err) => Err(err),
    }
}

#[derive(Debug, Default, Deserialize)]
struct NoFields {}

async fn delete(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, .. }: StaffForm<NoFields>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let gone = state
        .services
        .search
        .delete_synonym(&staff.member, id)
        .await?;
    Ok(see_other(if gone {
        "/admin/search?done=deleted"
    } else {
        "/admin/search?done=missing"
    }))
}
