//! Wenyuan's web layer: axum routers per area, server-rendered pages, the JSON API.
//!
//! Handlers are thin: they read the request, ask a `wenyuan-core` service, and render a template
//! with a plain view struct. No SQL here, and no document text leaves without passing the gate.

mod admin_page;
mod api_token;
mod assets;
mod chart;
mod client_ip;
mod cookies;
mod download_limit;
mod error;
mod extract;
mod guard;
mod guest_page;
mod labels;
pub mod metrics;
mod moved;
mod openapi;
mod pages;
mod paging;
mod respond;
mod routes;
mod server;
mod share;
mod slow_clients;
mod staff;
mod state;
mod structured;
mod templates;
mod viewer;
mod visitor;
mod wechat;
mod xml;

pub use error::{AppError, AppResult};
pub use server::{router, serve, ServerLimits};
pub use state::AppState;
pub use templates::Templates;
