//! Routers per area, merged by [`crate::server::router`].

pub mod accounts;
pub mod admin;
pub mod api;
pub mod api_documents;
pub mod assets;
pub mod contact;
pub mod fill;
pub mod health;
pub mod me;
pub mod reading;
pub mod recovery;
pub mod search;
pub mod seo;
pub mod vip;
