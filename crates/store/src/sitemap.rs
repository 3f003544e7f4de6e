//! What sitemaps and feeds read: published documents in id order, a slice at a time (keyset
//! paging, so a chunk deep in a million documents costs what the first one does), and the bounds
//! of each chunk.

use sqlx::Any;

use crate::error::Context;
use crate::{Result, Store};

/// One line of a sitemap: a published document and when it last changed (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct SitemapRow {
    pub id: i64,
    pub updated_at: i64,
}

impl Store {
    /// How many documents are published.
    pub async fn count_published(&self) -> Result<i64> {
        sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM articles WHERE status = 'published'")
            .fetch_one(&self.pool)
            .await
            .context("counting published articles")
    }

    /// The id of the published document at `offset` in id order (0 is the first), if there is
    /// one: where a sitemap chunk starts.
    pub async fn published_id_at(&self, offset: i64) -> Result<Option<i64>> {
        sqlx::query_scalar::<Any, i64>(
            "SELECT id FROM articles WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET $1",
        )
        .bind(offset)
        .fetch_optional(&self.pool)
        .await
        .context("finding a sitemap chunk's first article")
    }

    /// At most `limit` published documents with ids from `from_id` on, in id order.
    pub async fn published_from(&self, from_id: i64, limit: i64) -> Result<Vec<SitemapRow>> {
        sqlx::query_as::<Any, SitemapRow>(
            "SELECT id, updated_at FROM articles WHERE status = 'published' AND id >= $1 \
             ORDER BY id LIMIT $2",
        )
        .bind(from_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading published articles in id order")
    }

    /// The latest change among the published documents with `from_id <= id < until_id` (no
    /// upper bound when `until_id` is `None`); `None` when there are none.
    pub async fn published_last_change(
        &self,
        from_id: i64,
        until_id: Option<i64>,
    ) -> Result<Option<i64>> {
        sqlx::query_scalar::<Any, Option<i64>>(
            "SELECT MAX(updated_at) FROM articles WHERE status = 'published' AND id >= $1 \
             AND id < $2",
        )
        .bind(from_id)
        .bind(until_id.unwrap_or(i64::MAX))
        .fetch_one(&self.pool)
        .await
        .context("reading the last change of a sitemap chunk")
    }
}
