//! Addresses of the site a library was moved from, each with its new address (table
//! `old_urls`, migration 0018): written by a migration import, read by the 404 fallback.

use sqlx::Row;

use crate::error::Context;
use crate::{Result, Store};

impl Store {
    /// Save old → new addresses; an old address saved again takes the new target (a re-run
    /// import maps to the documents it finds this time).
    pub async fn save_old_urls(&self, origin: &str, urls: &[(String, String)]) -> Result<()> {
        // One transaction per few thousand: a big site has tens of thousands of addresses.
        for chunk in urls.chunks(2_000) {
            let mut tx = self.begin_write().await?;
            for (path, target) in chunk {
                sqlx::query(
                    "INSERT INTO old_urls (path, target, origin) VALUES ($1, $2, $3) \
                     ON CONFLICT (path) DO UPDATE SET target = excluded.target, origin = excluded.origin",
                )
                .bind(path)
                .bind(target)
                .bind(origin)
                .execute(&mut *tx)
                .await
                .context("saving an old address")?;
            }
            tx.commit().await.context("committing old addresses")?;
        }
        Ok(())
    }

    /// The new address of an old one, if it was saved.
    pub async fn old_url_target(&self, path: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT target FROM old_urls WHERE path = $1")
            .bind(path)
            .fetch_optional(&self.pool)
            .await
            .context("reading an old address")?;
        row.map(|r| r.try_get::<String, _>(0))
            .transpose()
            .context("reading an old address")
    }

    /// Whether any old address is saved at all (most sites never moved: their 404s need not
    /// look further).
    pub async fn has_old_urls(&self) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM old_urls LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .context("looking for old addresses")?;
        Ok(row.is_some())
    }

    /// How many old addresses come from `origin`.
    pub async fn count_old_urls(&self, origin: &str) -> Result<i64> {
        sqlx::query("SELECT COUNT(*) FROM old_urls WHERE origin = $1")
            .bind(origin)
            .fetch_one(&self.pool)
            .await
            .context("counting old addresses")?
            .try_get::<i64, _>(0)
            .context("counting old addresses")
    }
}
