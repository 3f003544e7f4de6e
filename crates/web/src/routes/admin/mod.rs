//! The editorial desk at `/admin`: for editors and admins; members and settings for admins only.
//!
//! Every route here sits behind [`require_staff`] (and the admins' ones behind [`require_admin`]
//! too), so a handler that forgets to ask is still closed. Every POST takes a [`StaffForm`] (or,
//! for uploads, checks the multipart `csrf` field first), and every change is written to the audit
//! log.
//!
//! [`StaffForm`]: crate::staff::StaffForm

mod dashboard;
mod duplicates;
pub(crate) mod upload;
// Search synonyms (search2).
mod search;
// Editors' API tokens (issue 16 item 5).
mod tokens;
// The desk's documents, taxonomy and 模板化 (admindocs).
mod anonymize;
mod documents;
mod taxonomy;
// The admins' site pages (adminsite): members, settings, inbox; statistics for all staff.
mod members;
mod messages;
mod settings;
mod stats;
// VIP redeem codes (vip).
mod vip_codes;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::staff::{require_admin, require_staff, ADMIN_FORM_MAX_BYTES};
use crate::state::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    let admins_only = Router::new()
        // adminsite: members, settings, the inbox.
        .merge(members::router())
        .merge(settings::router())
        .merge(messages::router())
        .merge(vip_codes::router())
        .route_layer(from_fn_with_state(state.clone(), require_admin));
    Router::new()
        .route("/admin", get(dashboard::overview))
        .route("/admin/audit", get(dashboard::audit_log))
        .route("/admin/duplicates", get(duplicates::list))
        .route("/admin/duplicates/decide", post(duplicates::decide))
        .route("/admin/duplicates/bulk", post(duplicates::decide_many))
        .route(
            "/admin/upload",
            get(upload::form)
                .post(upload::upload)
                .layer(DefaultBodyLimit::max(upload::UPLOAD_MAX_BYTES)),
        )
        // Documents, taxonomy and 模板化 (admindocs).
        .merge(documents::router())
        .merge(anonymize::router())
        .merge(taxonomy::router())
        // adminsite: statistics (editors and admins).
        .merge(stats::router())
        .merge(search::router())
        .merge(tokens::router())
        .merge(admins_only)
        .route_layer(from_fn_with_state(state, require_staff))
        .layer(DefaultBodyLimit::max(ADMIN_FORM_MAX_BYTES))
}
