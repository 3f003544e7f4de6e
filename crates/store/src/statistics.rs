//! What the desk's statistics page reads: views per day, and the searches that found nothing.

use sqlx::Any;

use crate::error::Context;
use crate::{Result, Store};

/// A search that found nothing, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchMissRow {
    pub query: String,
    pub count: i64,
    pub last_at: i64,
}

impl Store {
    /// Views of all documents per site-local day `>= since` ('YYYY-MM-DD'), oldest first. Days
    /// without views are absent.
    pub async fn views_per_day(&self, since: &str) -> Result<Vec<(String, i64)>> {
        sqlx::query_as::<Any, (String, i64)>(
            "SELECT day, CAST(SUM(views) AS BIGINT) FROM article_views_daily \
             WHERE day >= $1 GROUP BY day ORDER BY day",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .context("summing views per day")
    }

    /// Add counted searches that found nothing: `(query, searches, last time)`, in one
    /// transaction. Additive, so several nodes may flush into the same rows.
    pub async fn add_search_misses(&self, batch: &[(String, i64, i64)]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for (query, count, last_at) in batch {
            sqlx::query(
                "INSERT INTO search_misses (query, count, last_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (query) DO UPDATE SET count = search_misses.count + excluded.count, \
                 last_at = CASE WHEN excluded.last_at > search_misses.last_at \
                 THEN excluded.last_at ELSE search_misses.last_at END",
            )
            .bind(query)
            .bind(count)
            .bind(last_at)
            .execute(&mut *tx)
            .await
            .context("adding a search that found nothing")?;
        }
        tx.commit()
            .await
            .context("committing searches that found nothing")?;
        Ok(())
    }

    /// The searches that found nothing most often, ties broken by the latest.
    pub async fn top_search_misses(&self, limit: i64) -> Result<Vec<SearchMissRow>> {
        sqlx::query_as::<Any, SearchMissRow>(
            "SELECT query, count, last_at FROM search_misses \
             ORDER BY count DESC, last_at DESC, query LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading searches that found nothing")
    }
}
