//! Errors of the services. The web layer maps each to a status and a stable code:
//! `NotFound` → 404, `Invalid` → 422 (each field's message shown beside it), `Conflict` → 409,
//! `Unauthorized` → 401/login, `Forbidden` → 403, `TooMany` → 429, `Unavailable` → 503, the rest
//! → 500 (logged, hidden).

use std::fmt;

use thiserror::Error;
use wenyuan_store::StoreError;

/// What was looked for and not found, with which id: the message a reader sees, and a log line
/// that says which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Document(i64),
    /// A category, by slug or id as it was asked for.
    Category(String),
    Tag(i64),
    /// A tag by the slug of its URL.
    TagSlug(String),
    Message(i64),
    Member(i64),
    ApiToken(i64),
}

impl Missing {
    /// The reader's message, which names no id (ids of hidden things are not confirmed).
    pub fn message(&self) -> &'static str {
        match self {
            Missing::Document(_) => "没有这篇文档（文档不存在或已删除）",
            Missing::Category(_) => "没有这个栏目",
            Missing::Tag(_) | Missing::TagSlug(_) => "没有这个标签",
            Missing::Message(_) => "没有这条留言",
            Missing::Member(_) => "没有这位会员",
            Missing::ApiToken(_) => "没有这个接口令牌",
        }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One field's problem in a form: which field, and what to do about it (in Chinese).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum CoreError {
    #[error("{0}")]
    NotFound(Missing),
    /// Bad input: one entry per field at fault, in the form's order.
    #[error("{}", join_messages(.0))]
    Invalid(Vec<FieldError>),
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
    /// A part the request needs is not available now (the search index is held by another
    /// process, no database connection came free within the pool's acquire timeout); the message
    /// is for the reader, the cause for the log.
    #[error("{message}: {cause}")]
    Unavailable {
        message: &'static str,
        cause: String,
    },
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

impl CoreError {
    /// Bad input in one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        CoreError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The messages of an `Invalid` error (empty for any other).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            CoreError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

fn join_messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("；")
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict { what } => {
                CoreError::Conflict(format!("{what} is already taken"))
            }
            busy if busy.is_unavailable() => CoreError::Unavailable {
                message: "服务器繁忙，请稍后再试",
                cause: busy.to_string(),
            },
            other => CoreError::Store(other),
        }
    }
}

impl From<wenyuan_search::SearchError> for CoreError {
    fn from(err: wenyuan_search::SearchError) -> Self {
        match err {
            wenyuan_search::SearchError::Locked(_) => CoreError::Unavailable {
                message: "搜索暂时不可用，请稍后再试",
                cause: err.to_string(),
            },
            other => CoreError::Internal(other.to_string()),
        }
    }
}
