use sqlx::{Any, Row};

use crate::error::Context;
use crate::{Result, Store};

/// One line of a hot list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HotRow {
    pub id: i64,
    pub title: String,
    pub access: String,
    pub views_in_window: i64,
}

impl Store {
    /// Add counted views: `(article_id, day, views)` triples, in one transaction. The updates are
    /// additive, so several nodes may flush into the same rows.
    pub async fn add_views(&self, batch: &[(i64, String, i64)]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for (article_id, day, views) in batch {
            sqlx::query(
                "INSERT INTO article_views_daily (article_id, day, views) VALUES ($1, $2, $3) \
                 ON CONFLICT (article_id, day) DO UPDATE SET views = article_views_daily.views + excluded.views",
            )
            .bind(article_id)
            .bind(day)
            .bind(views)
            .execute(&mut *tx)
            .await
            .context("adding daily views")?;
            sqlx::query("UPDATE articles SET views_total = views_total + $1 WHERE id = $2")
                .bind(views)
                .bind(article_id)
                .execute(&mut *tx)
                .await
                .context("adding to an article's views")?;
        }
        tx.commit().await.context("committing views")?;
        Ok(())
    }

    /// The view count a reader sees: the imported starting count plus the counted views.
    pub async fn article_views(&self, id: i64) -> Result<Option<i64>> {
        sqlx::query_scalar::<Any, i64>(
            "SELECT views_base + views_total FROM articles WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("reading an article's views")
    }

    /// Published documents by views on days `>= since` (site-local 'YYYY-MM-DD'), most viewed
    /// first, ties broken by the newer document.
    pub async fn hot(&self, since: &str, limit: i64, offset: i64) -> Result<(Vec<HotRow>, i64)> {
        let rows = sqlx::query_as::<Any, HotRow>(
            "SELECT a.id, a.title, a.access, CAST(SUM(v.views) AS BIGINT) AS views_in_window \
             FROM article_views_daily v JOIN articles a ON a.id = v.article_id \
             WHERE v.day >= $1 AND a.status = 'published' \
             GROUP BY a.id, a.title, a.access, a.published_on \
             ORDER BY views_in_window DESC, a.published_on DESC, a.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(since)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .context("reading a hot list")?;
        let total = sqlx::query(
            "SELECT COUNT(DISTINCT v.article_id) FROM article_views_daily v \
             JOIN articles a ON a.id = v.article_id WHERE v.day >= $1 AND a.status = 'published'",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .context("counting a hot list")?
        .try_get::<i64, _>(0)
        .context("reading a count")?;
        Ok((rows, total))
    }
}
