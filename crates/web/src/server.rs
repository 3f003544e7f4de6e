//! The router and the server loop.

use std::future::Future;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue};
use axum::{middleware, Router};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::guard;
use crate::pages::{error_pages, moved_pages, not_found};
use crate::routes;
use crate::slow_clients::{self, ConnectionCounts, DeadlineBody};
use crate::state::AppState;

/// Largest request body any route accepts (forms are small; uploads get their own limit later).
const BODY_LIMIT: usize = 256 * 1024;

/// The whole application's routes: the API, the pages and their page-level middlewares. The
/// layers every response passes through are put around it once by [`serve`] (see [`app`]).
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(routes::reading::router())
        .merge(routes::fill::router())
        .merge(routes::accounts::router())
        .merge(routes::recovery::router())
        .merge(routes::search::page_router())
        .merge(routes::contact::router())
        .merge(routes::vip::router())
        .merge(routes::me::router())
        .merge(routes::admin::router(state.clone()))
        .merge(routes::assets::router())
        .merge(routes::health::router())
        .merge(routes::seo::router())
        .fallback(not_found)
        .layer(middleware::from_fn(guard::refuse_nul_in_pages))
        .layer(middleware::from_fn_with_state(state.clone(), moved_pages))
        .layer(middleware::from_fn_with_state(state.clone(), error_pages));
    let app = Router::new()
        .nest(crate::openapi::API_PREFIX, crate::openapi::api())
        .merge(pages);
    // Per-route request metrics only when something records them (`--metrics-listen`): their two
    // middlewares cost every request a boxed future and a few label strings.
    let app = if crate::metrics::recording() {
        app.route_layer(middleware::from_fn(crate::metrics::label_route))
    } else {
        app
    };
    app.with_state(state)
}

/// The router inside the layers every response passes through, as one tower stack around it
/// rather than `Router::layer`, which would wrap every route in its own boxed copy of the stack
/// and clone that copy on each request (`clone_box` was 3 % of the guest page's samples).
/// Outermost first: tracing, compression, the security headers of every response (a handler
/// that sets its own keeps it), the request metrics when recorded, the body limit.
fn app(
    state: AppState,
) -> impl Service<
    Request,
    Response = axum::http::Response<
        impl axum::body::HttpBody<Data = bytes::Bytes, Error = impl Into<tower::BoxError>>
            + Send
            + 'static,
    >,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + 'static {
    let metrics =
        crate::metrics::recording().then(|| middleware::from_fn(crate::metrics::track_requests));
    ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .option_layer(metrics)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .service(router(state))
}

/// What every page may load and who may frame it. The templates use no inline script or style
/// (the editor's script is a static file), so nothing inline is allowed, and nothing is loaded
/// from elsewhere; forms post to this site only.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'self'";

/// Limits of the server loop against slow or greedy clients (see [`crate::slow_clients`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// A connection that has not sent a whole request head within this is closed (a half-sent
    /// request must not hold a connection, or the shutdown, forever). The same timer closes a
    /// keep-alive connection idle for this long between requests.
    pub header_read_timeout: Duration,
    /// A request body that sends nothing for this long is cut off.
    pub body_idle_timeout: Duration,
    /// A request body not complete this long after the head is cut off (an upload of the
    /// largest allowed size over a slow line fits).
    pub body_total_timeout: Duration,
    /// Connections one address (an IPv6 /64) may hold open at once; more are answered 429 and
    /// closed. Not applied behind a trusted proxy (`trust_proxy`), where every connection comes
    /// from the proxy.
    pub max_connections_per_address: usize,
    /// After the stop signal, connections still open after this are dropped.
    pub shutdown_deadline: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(10),
            body_total_timeout: Duration::from_secs(300),
            max_connections_per_address: 256,
            shutdown_deadline: Duration::from_secs(10),
        }
    }
}

/// Serve until `shutdown` resolves, then finish the requests in flight within
/// `limits.shutdown_deadline` and drop whatever is still open.
///
/// Our own accept loop over hyper rather than `axum::serve`: axum's gives no way to set hyper's
/// timer, so the header read timeout cannot be set, and its graceful shutdown waits without end.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        state.set_listen_addr(addr);
    }
    let per_address = ConnectionCounts::new(limits.max_connections_per_address);
    let services = state.services.clone();
    let app = app(state);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Reap finished connections so the set holds only live ones.
        while connections.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = if services.site().trust_proxy {
            None
        } else {
            match per_address.admit(peer.ip()) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(%peer, "too many connections from one address");
                    connections.spawn(slow_clients::refuse(stream));
                    continue;
                }
            }
        };
        // The peer address identifies anonymous readers (view counting) and rate-limits
        // messages and logins (see `crate::client_ip::ClientIp`).
        let app = app.clone();
        let service = service_fn(move |request: Request<Incoming>| {
            let (mut parts, body) = request.into_parts();
            parts.extensions.insert(ConnectInfo(peer));
            let body = DeadlineBody::new(body, limits.body_idle_timeout, limits.body_total_timeout);
            app.clone()
                .oneshot(Request::from_parts(parts, axum::body::Body::new(body)))
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            // The address's place is freed when the connection ends.
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "shutdown deadline passed: dropping the connections still open"
        );
    }
    connections.shutdown().await;
    Ok(())
}
