//! 推荐: documents the editors feature. A mark in lists and the home page's 编辑推荐; set at the
//! desk one document at a time, or by an import that brings its own marks (DedeCMS `flag`).

use sqlx::Any;

use crate::articles::{summary_columns, ArticleSummary};
use crate::audit::commit_audited;
use crate::error::Context;
use crate::{NewAuditEntry, Result, Store};

impl Store {
    /// The newest published documents the editors feature, at most `limit`.
    pub async fn featured_articles(&self, limit: i64) -> Result<Vec<ArticleSummary>> {
        sqlx::query_as::<Any, ArticleSummary>(&format!(
            "SELECT {} FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
             WHERE a.featured = 1 AND a.status = 'published' \
             ORDER BY a.published_on DESC, a.id DESC LIMIT $1",
            summary_columns()
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("listing featured documents")
    }

    /// Feature a document or stop featuring it, audited. Returns false when there is no such
    /// document. Lists show the mark, so the change feed names it.
    pub async fn set_featured(
        &self,
        id: i64,
        featured: bool,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE articles SET featured = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(featured))
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("marking a document featured")?
                .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        crate::changes::record_in(&mut tx, id, "update", now).await?;
        commit_audited(tx, audit, now, "committing a featured mark").await?;
        Ok(true)
    }

    /// Feature every document in `ids` that is not featured yet (an import's own marks), in one
    /// transaction. Returns how many changed.
    pub async fn feature_all(&self, ids: &[i64], now: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        for id in ids {
            let updated = sqlx::query(
                "UPDATE articles SET featured = 1, updated_at = $1 WHERE id = $2 AND featured = 0",
            )
            .bind(now)
            .bind(*id)
            .execute(&mut *tx)
            .await
            .context("marking a document featured")?
            .rows_affected();
            if updated > 0 {
                crate::changes::record_in(&mut tx, *id, "update", now).await?;
                changed += updated;
            }
        }
        tx.commit().await.context("committing featured marks")?;
        Ok(changed)
    }
}
