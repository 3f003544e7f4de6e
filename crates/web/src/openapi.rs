//! `/api/v1`: the router and its OpenAPI 3.1 document, built from the same handlers.
//!
//! Every API route is registered through utoipa-axum's `routes!`, which takes the path and
//! method from the handler's `#[utoipa::path]`: a route cannot be served without being in the
//! document, nor documented without being served. The document is rendered once, at start-up,
//! and served as bytes from `/api/v1/openapi.json`.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Paths, Server};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::api_token::BEARER_SCHEME;
use crate::cookies;
use crate::error::{ApiError, AppError};
use crate::guard;
use crate::routes;
use crate::state::AppState;

/// Where the API is mounted; the document's paths carry it.
pub const API_PREFIX: &str = "/api/v1";
/// The session cookie's scheme name (the handlers' `security(("session" = []))` spell it out,
/// as utoipa's attribute takes only literals): the read routes honour a reader's cookie.
const SESSION_SCHEME: &str = "session";

/// Every error of the API (see the README's "JSON API errors").
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
struct ErrorDetail {
    /// Stable: bad_request, unauthorized, forbidden, not_found, conflict, payload_too_large,
    /// invalid, too_many_requests, internal, unavailable.
    code: String,
    status: u16,
    /// For people (Chinese); may be reworded.
    message: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "文渊 Wenyuan",
        description = "The JSON API of a Wenyuan library. Reading routes answer what the caller \
                       may read (the session cookie counts, as on the pages); the document routes \
                       take an API token made at the desk (/admin/tokens), never a cookie.",
        version = "1"
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "reading", description = "Documents, lists, hot lists and related documents"),
        (name = "search", description = "Search and suggestions"),
        (name = "me", description = "A member's own things"),
        (name = "documents", description = "Editors' tools: add, read, change, take off"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            SESSION_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(cookies::SESSION))),
        );
    }
}

/// The API's routes, to nest at [`API_PREFIX`], with `/openapi.json` among them.
pub fn api() -> Router<AppState> {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::api::router())
        .merge(routes::search::api_router())
        .merge(routes::me::api_router())
        .merge(routes::api_documents::router())
        .split_for_parts();
    // The handlers' paths are relative to the mount point; the document names them in full, so
    // a reader (and the test that walks them) needs no server URL to resolve them.
    let mut paths = Paths::new();
    for (path, item) in std::mem::take(&mut doc.paths.paths) {
        paths.paths.insert(format!("{API_PREFIX}{path}"), item);
    }
    doc.paths = paths;
    doc.servers = Some(vec![Server::new("/")]);
    // Rendered once; each request is served a reference-counted clone of the same bytes.
    let json = match serde_json::to_vec_pretty(&doc) {
        Ok(json) => axum::body::Bytes::from(json),
        // Serialising our own static document cannot fail short of a bug; serve the error
        // rather than take the site down.
        Err(e) => {
            tracing::error!(error = %e, "rendering the OpenAPI document failed");
            axum::body::Bytes::from_static(b"{}")
        }
    };
    router
        .route(
            "/openapi.json",
            get(move || {
                let body = json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body).into_response() }
            }),
        )
        .fallback(|| async { ApiError(AppError::not_found()) })
        .layer(axum::middleware::from_fn(guard::refuse_nul_in_api))
}
