//! Wenyuan's web layer: axum routers per area, server-rendered pages, the JSON API.
//!
//! Handlers are thin: they read the request, ask a `wenyuan-core` service, and render a template
//! with a plain view struct. No SQL here, and no document text leaves without passing the gate.

mod assets;
mod cookies;
mod error;
mod pages;
mod routes;
mod server;
mod state;
mod templates;
mod viewer;

pub use error::{AppError, AppResult};
pub use server::{router, serve, spawn_change_follower};
pub use state::AppState;
pub use templates::Templates;
