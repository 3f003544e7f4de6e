//! What more than one route module reads from a request the same way: an id in the path, a
//! `?page=` number.

use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// Parse an article id from the path. Anything that is not a plain positive number is a 404, the
/// same as an id that does not exist: a URL either names a document or it does not.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(AppError::not_found)
}

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
