use sqlx::Any;

use crate::error::Context;
use crate::{Result, Store};

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
}
