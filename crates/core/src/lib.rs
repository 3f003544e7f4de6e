//! Wenyuan's services: what the web layer and the CLI both call.
//!
//! `web` → `core` → `store` / `text`. Nothing here knows about HTTP; nothing here writes SQL.

pub mod access;
pub mod audit;
pub mod clock;
pub mod contact;
pub mod desk;
pub mod document;
pub mod editable_settings;
pub mod error;
pub mod gate;
pub mod hot;
pub mod import;
pub mod library;
pub mod member_admin;
pub mod members;
pub mod near_dup;
pub mod related;
pub mod search;
pub mod settings;
pub mod snippet;
pub mod statistics;
pub mod tasks;
pub mod view;
pub mod views;

pub use access::{Access, Role};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::CoreError;
pub use library::Library;
pub use settings::SiteSettings;
pub use wenyuan_store as store;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
