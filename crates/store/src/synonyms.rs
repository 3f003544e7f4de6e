//! Search synonyms (the desk's list at `/admin/search`): stored pairs, applied at query time.

use sqlx::Any;

use crate::audit::record_audit_in;
use crate::error::Context;
use crate::NewAuditEntry;
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SynonymRow {
    pub id: i64,
    pub term: String,
    pub expansion: String,
}

impl Store {
    /// Every pair, oldest first.
    pub async fn search_synonyms(&self) -> Result<Vec<SynonymRow>> {
        sqlx::query_as::<Any, SynonymRow>(
            "SELECT id, term, expansion FROM search_synonyms ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading the search synonyms")
    }

    /// Add a pair, recording who did it; false when the pair is already there.
    pub async fn add_search_synonym(
        &self,
        term: &str,
        expansion: &str,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO search_synonyms (term, expansion, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (term, expansion) DO NOTHING",
        )
        .bind(term.to_owned())
        .bind(expansion.to_owned())
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("adding the search synonym")?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a search synonym")?;
        Ok(true)
    }

    /// Remove a pair, recording who did it; `None` when there is no such pair, else the pair.
    pub async fn delete_search_synonym(
        &self,
        id: i64,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<Option<SynonymRow>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query_as::<Any, SynonymRow>(
            "SELECT id, term, expansion FROM search_synonyms WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .context("reading search synonym")?;
        let Some(row) = row else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM search_synonyms WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting search synonym")?;
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a search synonym")?;
        Ok(Some(row))
    }

    /// Views per document on site-local days `>= since` ('YYYY-MM-DD'): what orders equally good
    /// search matches (documents without views are left out).
    pub async fn views_since(&self, since: &str) -> Result<Vec<(i64, i64)>> {
        sqlx::query_as::<Any, (i64, i64)>(
            "SELECT article_id, CAST(SUM(views) AS BIGINT) FROM article_views_daily \
             WHERE day >= $1 GROUP BY article_id",
        )
        .bind(since.to_owned())
        .fetch_all(&self.pool)
        .await
        .context("reading views since")
    }
}
