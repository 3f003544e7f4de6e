use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::error::{Context, StoreError};
use crate::Result;

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend named by a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Placeholders for `n` parameters of a generated statement whose parameters all come
    /// from here, the first being number `first`: `$first, …` on PostgreSQL; bare `?` on
    /// SQLite, which numbers them in order. (For a named `$N` sqlx asks SQLite each
    /// parameter's name, and SQLite finds it by a walk through the list of names: a cost that
    /// grows with the square of the count, a tenth of an import's time in statements of
    /// thousands of values.)
    pub(crate) fn placeholders(self, first: usize, n: usize) -> Vec<String> {
        match self {
            Backend::Sqlite => vec!["?".to_owned(); n],
            Backend::Postgres => (first..first + n).map(|i| format!("${i}")).collect(),
        }
    }
}

/// How long a query waits for a free connection before it fails (the web layer answers 503 with
/// a message instead of letting every reader hang behind a saturated pool).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// A handle to the database; cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connect, apply the embedded migrations of the backend, and return the store.
    ///
    /// A SQLite file is created when missing. SQLite runs in WAL mode with a busy timeout so that
    /// an import can write while the server reads; PostgreSQL's migrator takes an advisory lock,
    /// so several nodes may start at once.
    pub async fn connect(url: &str) -> Result<Self> {
        let backend = Backend::from_url(url)?;
        sqlx::any::install_default_drivers();
        let url = match backend {
            // `mode=rwc` creates the file; keep any options the operator gave.
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::Connect)?;
        let pool_options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(ACQUIRE_TIMEOUT);
        let pool_options = match backend {
            Backend::Sqlite => pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool_options,
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        let store = Store { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        // Slugs need pinyin, which SQL cannot make: the one data step done in Rust.
        self.make_pinyin_slugs().await
    }

    /// Start a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later fails with
    /// "database is locked" when another writer got in between, instead of waiting its turn.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
        .context("starting a write transaction")
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Close the pool, waiting for connections to be returned (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A trivial round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("pinging the database")?;
        Ok(())
    }
}
