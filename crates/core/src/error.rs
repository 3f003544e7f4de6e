use thiserror::Error;
use wenyuan_store::StoreError;

/// Errors of the services. The web layer maps each to a status: `NotFound` → 404, `Invalid` and
/// `Conflict` → 4xx with their message shown, `Unauthorized` → 401/redirect, `TooMany` → 429, the rest → 500 (logged,
/// hidden).
#[derive(Debug, Error)]
pub enum CoreError {
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// A rate limit was hit (the web layer answers 429 Too Many Requests); the message says when
    /// to try again.
    #[error("{0}")]
    TooMany(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict { what } => {
                CoreError::Conflict(format!("{what} is already taken"))
            }
            other => CoreError::Store(other),
        }
    }
}
