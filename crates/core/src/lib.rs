//! Wenyuan's services: what the web layer and the CLI both call.
//!
//! `web` → `core` → `search` / `store` → `text`. Nothing here knows about HTTP; nothing here
//! writes SQL. [`Services`] composes one service per area (see docs/architecture.md); each owns
//! its state and caches and shares only the [`context::Context`] (store, clock, settings,
//! generation).

pub mod access;
pub mod accounts;
pub mod audit;
pub mod cache;
pub mod clock;
pub mod context;
pub mod desk;
pub mod discovery;
pub mod error;
pub mod inbox;
pub mod library;
pub mod limits;
pub mod maintenance;
pub mod old_urls;
pub mod reading;
pub mod search;
pub mod seo;
pub mod services;
pub mod settings;
pub mod statistics;
pub mod status;
pub mod takeaway;
pub mod tasks;
pub mod vip;

pub use access::{Access, Role};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CoreError, FieldError, Missing};
pub use services::Services;
pub use settings::SiteSettings;
pub use status::Status;
pub use wenyuan_store as store;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
