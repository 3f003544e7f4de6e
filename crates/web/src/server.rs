//! The router and the server loop.

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{middleware, Router};
use std::future::Future;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::pages::{error_pages, not_found};
use crate::routes;
use crate::state::AppState;

/// Largest request body any route accepts (forms are small; uploads get their own limit later).
const BODY_LIMIT: usize = 256 * 1024;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(routes::reading::router())
        .merge(routes::accounts::router())
        .merge(routes::search::page_router())
        .merge(routes::contact::router())
        .merge(routes::admin::router(state.clone()))
        .merge(routes::assets::router())
        .route("/healthz", get(|| async { "ok" }))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), error_pages));
    Router::new()
        .nest(
            "/api/v1",
            routes::api::router().merge(routes::search::api_router()),
        )
        .merge(pages)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serve until `shutdown` resolves, then finish the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    // The peer address identifies anonymous readers (view counting) and rate-limits messages
    // (see `crate::client_ip::ClientIp`).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
