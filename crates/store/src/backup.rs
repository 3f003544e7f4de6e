//! A consistent copy of the database while the server runs (`wenyuan backup`), and how the
//! pool is used (`/metrics`).

use std::path::Path;

use sqlx::Any;

use crate::db::{Backend, Store};
use crate::error::{Context, StoreError};
use crate::Result;

impl Store {
    /// Write a consistent snapshot of a SQLite database to `dest` (which must not exist) with
    /// `VACUUM INTO`: it reads inside one transaction, so writers go on and the copy is the state
    /// of one moment. PostgreSQL has `pg_dump` for this (see the README); asking here is an error.
    pub async fn snapshot_into(&self, dest: &Path) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "a database snapshot is made by pg_dump on PostgreSQL",
            ));
        }
        let dest = dest.to_string_lossy().into_owned();
        sqlx::query::<Any>("VACUUM INTO $1")
            .bind(dest)
            .execute(&self.pool)
            .await
            .context("writing a snapshot of the database")?;
        Ok(())
    }
}

/// How the connection pool is used, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    /// Connections open now.
    pub open: u32,
    /// Of those, idle.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl Store {
    pub fn pool_use(&self) -> PoolUse {
        PoolUse {
            open: self.pool.size(),
            idle: self.pool.num_idle() as u32,
            max: self.pool.options().get_max_connections(),
        }
    }
}
