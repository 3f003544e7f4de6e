//! The static assets (`/static/{name}`), by their content-hashed names.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{name}", get(serve_static))
}

async fn serve_static(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    state.assets.response(&name)
}
