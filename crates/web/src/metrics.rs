//! `/metrics` in the Prometheus text format, served on its own address (`metrics_listen`), never
//! on the site's: what it tells (routes, pool use, search figures) is for the operator.
//!
//! Counters are recorded through the `metrics` facade wherever they happen (here, in the core's
//! services); nothing is recorded until [`install`] sets the process's recorder, so a server
//! without `metrics_listen` pays one check per call.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use wenyuan_core::Services;

/// Bounds of the latency histograms, in seconds: a cached page takes a millisecond, a search
/// tens of them, a slow database seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Set the process's recorder (once; later calls return the same handle). `None` when another
/// recorder was set first, which only a test harness would do.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = match PrometheusBuilder::new().set_buckets(&LATENCY_BUCKETS) {
                Ok(builder) => builder.build_recorder(),
                Err(err) => {
                    tracing::warn!(%err, "bad metrics buckets; /metrics is off");
                    return None;
                }
            };
            let handle = recorder.handle();
            match metrics::set_global_recorder(recorder) {
                Ok(()) => Some(handle),
                Err(err) => {
                    tracing::warn!(%err, "a metrics recorder is set already; /metrics is off");
                    None
                }
            }
        })
        .clone()
}

/// Whether a recorder is installed in this process (`--metrics-listen`): without one the
/// request counters would record nowhere, so the router leaves their middleware out.
pub fn recording() -> bool {
    HANDLE.get().is_some_and(Option::is_some)
}

struct MetricsState {
    handle: PrometheusHandle,
    services: Arc<Services>,
}

/// The router of the metrics address: `GET /metrics` and nothing else.
pub fn router(handle: PrometheusHandle, services: Arc<Services>) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(Arc::new(MetricsState { handle, services }))
}

/// Serve [`router`] on `listener` until the task is dropped or aborted.
pub async fn serve(
    listener: tokio::net::TcpListener,
    handle: PrometheusHandle,
    services: Arc<Services>,
) -> std::io::Result<()> {
    axum::serve(listener, router(handle, services)).await
}

async fn render(State(state): State<Arc<MetricsState>>) -> Response {
    // Gauges read at scrape time.
    let pool = state.services.pool_use();
    metrics::gauge!("wenyuan_db_pool_connections", "state" => "open").set(pool.open);
    metrics::gauge!("wenyuan_db_pool_connections", "state" => "idle").set(pool.idle);
    metrics::gauge!("wenyuan_db_pool_connections", "state" => "in_use")
        .set(pool.open.saturating_sub(pool.idle));
    metrics::gauge!("wenyuan_db_pool_max_connections").set(pool.max);
    // The search index's lag behind the change feed (what /readyz judges), when it can be read.
    if let Ok(index) = state.services.search.index_status().await {
        metrics::gauge!("wenyuan_search_index_lag").set(index.index_lag as f64);
    }
    state.handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.handle.render(),
    )
        .into_response()
}

/// The route a request matched, kept on the response for [`track_requests`]. As a route layer it
/// runs after routing, where [`MatchedPath`] is known.
#[derive(Clone)]
pub(crate) struct RouteLabel(pub String);

pub(crate) async fn label_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteLabel(route));
    }
    response
}

/// Count every request and time it, labelled by the route's pattern (`/a/{id}`, never the raw
/// path, so the label set stays small); requests no route matched are `unmatched`.
pub(crate) async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or_else(|| "unmatched".to_owned(), |r| r.0.clone());
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "wenyuan_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!(
        "wenyuan_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(started.elapsed());
    response
}
