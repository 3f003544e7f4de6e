//! 模板化 at the desk: the anonymiser's proposal for one document as a diff with a checkbox per
//! replacement, the editable custom word list, and accepting the chosen replacements.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::desk::anonymize::{parse_words, PlaceholderStyle, Proposal};

use crate::admin_page::admin_page;
use crate::error::{AppError, AppResult};
use crate::extract::parse_id;
use crate::pages::see_other;
use crate::staff::{Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/documents/{id}/anonymize", get(page).post(accept))
        .route("/admin/documents/{id}/anonymize/words", post(save_words))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AnonymizeQuery {
    style: String,
    saved: String,
}

#[derive(Serialize)]
struct AnonymizeContent {
    id: i64,
    title: String,
    proposal: Proposal,
    /// The custom words the proposal used, one per line.
    words: String,
    style: PlaceholderStyle,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(raw_id): Path<String>,
    Query(q): Query<AnonymizeQuery>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let words = state.services.desk.anonymization.anonymize_words().await?;
    let notice = (!q.saved.is_empty()).then_some("词表已保存");
    let style = PlaceholderStyle::parse(&q.style);
    render(&state, &staff, id, &words, style, notice, None).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    id: i64,
    words: &[String],
    style: PlaceholderStyle,
    notice: Option<&'static str>,
    error: Option<AppError>,
) -> AppResult<Response> {
    let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
    let proposal = state
        .services
        .desk
        .anonymization
        .anonymize_proposal(id, words, style)
        .await?;
    let title = state.services.reading.document(id).await?.title.clone();
    let content = AnonymizeContent {
        id,
        title,
        proposal,
        words: words.join("\n"),
        style,
        notice,
        error: error.map(|e| e.public_message().to_owned()),
    };
    let here = format!("/admin/documents/{id}/anonymize");
    let mut response = admin_page(
        state,
        staff,
        "admin_anonymize.html",
        "documents",
        &here,
        content,
    )
    .await?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct WordsForm {
    words: String,
    style: String,
}

async fn save_words(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<WordsForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let style = PlaceholderStyle::parse(&form.style);
    if let Err(err) = state
        .services
        .desk
        .anonymization
        .save_anonymize_words(&staff.member, &form.words)
        .await
    {
        let words = parse_words(&form.words);
        return render(&state, &staff, id, &words, style, None, Some(err.into())).await;
    }
    let style = serde_json::to_value(style)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(see_other(&format!(
        "/admin/documents/{id}/anonymize?style={style}&saved=1"
    )))
}

/// 接受所选: the form carries the text's hash, the words and style the proposal was made with,
/// and one `accept=start:end` per checked replacement.
async fn accept(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let words = parse_words(field("words"));
    let style = PlaceholderStyle::parse(field("style"));
    let accepted: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "accept")
        .map(|(_, v)| v.clone())
        .collect();
    match state
        .services
        .desk
        .anonymization
        .apply_anonymization(&staff.member, id, &words, style, field("hash"), &accepted)
        .await
    {
        Ok(done) => Ok(see_other(&format!(
            "/admin/documents/{id}?anonymized={}",
            done.applied
        ))),
        Err(err) => {
            let err = AppError::from(err);
            if err.status() == StatusCode::NOT_FOUND || !err.status().is_client_error() {
                return Err(err);
            }
            render(&state, &staff, id, &words, style, None, Some(err)).await
        }
    }
}
