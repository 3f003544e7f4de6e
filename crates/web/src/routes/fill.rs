//! 填写本单位信息: `GET /a/{id}/fill?p1=张书记&p2=安吉县` shows the document with the reader's
//! values written in and marked, with the form again to change them or download the result.
//! A GET form, so it works without JavaScript and the filled page can be bookmarked; it
//! changes nothing on the server. The text comes from the gate, as for the download.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use wenyuan_core::takeaway::fill::{FillPreview, FillValues};
use wenyuan_core::takeaway::Filling;
use wenyuan_core::Access;

use crate::error::{AppError, AppResult};
use crate::extract::parse_id;
use crate::pages::{html, render, see_other};
use crate::share::urlencode;
use crate::state::AppState;
use crate::viewer::Viewer;

pub fn router() -> Router<AppState> {
    Router::new().route("/a/{id}/fill", get(fill_page))
}

#[derive(Serialize)]
struct FillContent {
    fill: FillPreview,
    /// Open the form's `<details>` (few fields, or the reader has not filled any yet).
    open: bool,
}

/// Fields shown open; with more the form starts folded.
const OPEN_FIELDS: usize = 6;

async fn fill_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw_id): Path<String>,
    Query(fields): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let values = FillValues::from_pairs(fields);
    let fill = match state
        .services
        .takeaway
        .fill_preview(id, viewer.role(), &values)
        .await?
    {
        Filling::Preview(fill) => fill,
        Filling::Refused { .. } if viewer.is_guest() => {
            let here = format!("/a/{id}/fill");
            return Ok(see_other(&format!("/login?next={}", urlencode(&here))));
        }
        // A member on a VIP document: to the VIP page, and back to the document from there (as
        // the download does).
        Filling::Refused {
            required: Access::Vip,
        } => {
            return Ok(see_other(&format!(
                "/me/vip?next={}",
                urlencode(&format!("/a/{id}"))
            )))
        }
        Filling::Refused { .. } => return Err(AppError::forbidden("您的账号不能下载本文")),
    };
    if fill.fields.is_empty() {
        // Nothing to fill in: the article itself.
        return Ok(see_other(&format!("/a/{id}")));
    }
    let here = format!("/a/{id}/fill");
    let content = FillContent {
        open: fill.fields.len() <= OPEN_FIELDS || fill.filled == 0,
        fill,
    };
    let mut response = html(render(&state, "fill.html", Some(&viewer), &here, content).await?);
    // The reader's own names in a document: for no cache but the reader's.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
