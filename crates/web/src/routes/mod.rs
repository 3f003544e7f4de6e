//! Routers per area, merged by [`crate::server::router`].

pub mod accounts;
pub mod admin;
pub mod api;
pub mod contact;
pub mod reading;
pub mod search;

use serde::Deserialize;

/// `?page=N`; anything unparsable means page 1 (a bad page number is not worth an error page).
#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    #[serde(default, deserialize_with = "lenient_page")]
    pub page: Option<i64>,
}

impl PageQuery {
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }
}

fn lenient_page<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.and_then(|t| t.trim().parse().ok()))
}
