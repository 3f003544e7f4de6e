//! `wenyuan repair dates`: reading the documents whose date may be wrong and writing a new date,
//! each write with its change-feed row and audit entry so the index and caches follow.

use sqlx::Any;

use crate::audit::commit_audited;
use crate::error::Context;
use crate::{NewAuditEntry, Result, Store};

/// What the date repair needs of an imported document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DatedArticleRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub published_on: String,
    pub created_at: i64,
}

impl Store {
    /// Up to `limit` imported documents (those with a source or an external id) with an id
    /// above `after`, in id order.
    pub async fn imported_articles_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<DatedArticleRow>> {
        sqlx::query_as::<Any, DatedArticleRow>(
            "SELECT id, title, body, published_on, created_at FROM articles \
             WHERE id > $1 AND (external_id IS NOT NULL OR (source IS NOT NULL AND source <> 'editor')) \
             ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading imported documents for the date repair")
    }

    /// Set one document's publish date ('' for none), with its change-feed row and audit entry.
    /// Returns false when there is no such document.
    pub async fn set_article_date(
        &self,
        id: i64,
        published_on: &str,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE articles SET published_on = $1, updated_at = $2 WHERE id = $3")
                .bind(published_on)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("setting a document's date")?
                .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        crate::changes::record_in(&mut tx, id, "update", now).await?;
        commit_audited(tx, audit, now, "committing a date repair").await?;
        Ok(true)
    }
}
