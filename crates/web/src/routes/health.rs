//! Probes for operators and load balancers. `/healthz` is liveness: the process answers.
//! `/readyz` is readiness: this node's search index has caught up with the library, so a reader
//! sent here finds what every other node finds. While it catches up (a new node, a restored
//! backup, a big import) it answers 503 with how far behind it is.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let (status, body) = match state.services.search.index_status().await {
        Ok(index) if index.ready => (StatusCode::OK, json!(index)),
        Ok(index) => (StatusCode::SERVICE_UNAVAILABLE, json!(index)),
        Err(err) => {
            tracing::warn!(%err, "readiness: the index status is unknown");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "ready": false, "error": "unavailable" }),
            )
        }
    };
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
