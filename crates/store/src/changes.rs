use sqlx::{Any, Transaction};

use crate::error::Context;
use crate::{Result, Store};

/// One entry of the change feed: document `article_id` was inserted, updated or deleted.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeRow {
    pub id: i64,
    pub article_id: i64,
    pub kind: String,
}

impl Store {
    /// Changes after `after`, oldest first, at most `limit` of them.
    pub async fn changes_since(&self, after: i64, limit: i64) -> Result<Vec<ChangeRow>> {
        sqlx::query_as::<Any, ChangeRow>(
            "SELECT id, article_id, kind FROM changes WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading the change feed")
    }

    /// The id of the newest change, 0 when there is none.
    pub async fn last_change_id(&self) -> Result<i64> {
        sqlx::query_scalar::<Any, i64>("SELECT COALESCE(MAX(id), 0) FROM changes")
            .fetch_one(&self.pool)
            .await
            .context("reading the change feed head")
    }
}

/// Append a change in the caller's transaction, so the feed never disagrees with the data.
pub(crate) async fn record_in(
    tx: &mut Transaction<'static, Any>,
    article_id: i64,
    kind: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO changes (article_id, kind, at) VALUES ($1, $2, $3)")
        .bind(article_id)
        .bind(kind)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("recording a change")?;
    Ok(())
}
