use thiserror::Error;

/// What went wrong in the store, with enough context to find the statement that failed.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database URL {0:?} is not supported: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{what} already exists")]
    Conflict { what: &'static str },
    #[error("not supported on this database: {0}")]
    Unsupported(&'static str),
    #[error("database error while {context}: {source}")]
    Query {
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

impl StoreError {
    /// The database cannot be reached now: no free connection within the acquire timeout, or the
    /// pool is closed (the process is stopping). Worth a "try again" rather than a 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Query {
                source: sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed,
                ..
            }
        )
    }
}

/// Attach a short description of the operation to a sqlx error.
pub(crate) trait Context<T> {
    fn context(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn context(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { context, source })
    }
}

/// True when the error is a unique-key violation, on either backend.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}
