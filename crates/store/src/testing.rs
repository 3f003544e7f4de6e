//! Test support: a throw-away database per test, on either backend.
//!
//! PostgreSQL tests connect to `WENYUAN_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), create a database with a random name, and drop
//! it when the [`TestDatabase`] is dropped. Set `WENYUAN_TEST_POSTGRES=skip` to run without a
//! PostgreSQL server (the PostgreSQL half of each test is then skipped, loudly).

use std::path::PathBuf;

use rand::Rng;
use sqlx::{Connection, Executor, PgConnection};

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The backends a test should run on: SQLite always, PostgreSQL unless skipped.
pub fn backends() -> Vec<crate::Backend> {
    let mut all = vec![crate::Backend::Sqlite];
    if postgres_admin_url().is_some() {
        all.push(crate::Backend::Postgres);
    } else {
        eprintln!("WENYUAN_TEST_POSTGRES=skip: PostgreSQL half of the test skipped");
    }
    all
}

fn postgres_admin_url() -> Option<String> {
    match std::env::var("WENYUAN_TEST_POSTGRES") {
        Ok(v) if v == "skip" => None,
        Ok(v) if !v.is_empty() => Some(v),
        _ => Some(DEFAULT_ADMIN_URL.to_owned()),
    }
}

/// A database that exists for the lifetime of this value.
pub struct TestDatabase {
    pub url: String,
    /// Keeps the SQLite file's folder alive.
    pub dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new(backend: crate::Backend) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("wenyuan-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        match backend {
            crate::Backend::Sqlite => TestDatabase {
                url: format!("sqlite://{}", dir.path().join("test.db").display()),
                dir,
                postgres: None,
            },
            crate::Backend::Postgres => {
                let admin = postgres_admin_url().unwrap_or_else(|| DEFAULT_ADMIN_URL.to_owned());
                let name = format!("wenyuan_test_{:016x}", rand::thread_rng().gen::<u64>());
                let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL test database: cannot connect to {admin}: {e} (set WENYUAN_TEST_POSTGRES)")
                });
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                TestDatabase {
                    url: format!("{base}/{name}"),
                    dir,
                    postgres: Some((admin.clone(), name)),
                }
            }
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any runtime we may use; a thread with its own runtime does the async work.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio_rt() else { return };
            rt.block_on(async move {
                if let Ok(mut conn) = PgConnection::connect(&admin).await {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                }
            });
        })
        .join();
    }
}

fn tokio_rt() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}
