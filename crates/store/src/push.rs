//! The search-engine push queue (issue 13 item 4): which published documents' URLs are waiting to
//! be sent, claimed by one node at a time, and the log of requests made.
//!
//! Exactly once across nodes: the change feed is read from one shared cursor moved by
//! compare-and-set (one node queues each range), a document is queued at most once (its id is the
//! key), and a batch is claimed by a conditional UPDATE that re-checks the claim on the row it
//! changes, so two nodes never send the same row in the same lease.

use sqlx::Any;

use crate::error::Context;
use crate::{Result, Store};

/// One request made to the push endpoint.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PushAttemptRow {
    pub at: i64,
    pub urls: i64,
    pub status: Option<i64>,
    pub detail: String,
}

/// What the queue holds: documents waiting (retries included) and sent.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct PushCounts {
    pub waiting: i64,
    pub pushed: i64,
}

/// A claimed row: the document and how many times it was tried before this one.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct PushClaim {
    pub article_id: i64,
    pub attempts: i64,
}

/// Longest answer or error text kept per attempt.
const DETAIL_MAX_CHARS: usize = 300;

impl Store {
    /// The change id the push follower has read up to.
    pub async fn push_cursor(&self) -> Result<i64> {
        sqlx::query_scalar::<Any, i64>("SELECT change_id FROM push_cursor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .context("reading the push cursor")
            .map(Option::unwrap_or_default)
    }

    /// Move the cursor from `from` to `to` and, when `queue` is true, queue the documents among
    /// `article_ids` that are published now (documents queued before stay as they are). Returns
    /// false, queuing nothing, when another node moved the cursor first.
    pub async fn queue_push(
        &self,
        from: i64,
        to: i64,
        article_ids: &[i64],
        queue: bool,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let moved =
            sqlx::query("UPDATE push_cursor SET change_id = $1 WHERE id = 1 AND change_id = $2")
                .bind(to)
                .bind(from)
                .execute(&mut *tx)
                .await
                .context("moving the push cursor")?
                .rows_affected();
        if moved == 0 {
            // The migration writes the row; a database restored without it gets it here.
            let missing = sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM push_cursor")
                .fetch_one(&mut *tx)
                .await
                .context("reading the push cursor")?
                == 0;
            if !missing {
                return Ok(false);
            }
            sqlx::query("INSERT INTO push_cursor (id, change_id) VALUES (1, $1)")
                .bind(to)
                .execute(&mut *tx)
                .await
                .context("creating the push cursor")?;
        }
        if queue && !article_ids.is_empty() {
            let sql = format!(
                "INSERT INTO push_queue (article_id, queued_at, next_try_at) \
                 SELECT id, $1, $1 FROM articles WHERE status = 'published' AND id IN ({}) \
                 ON CONFLICT DO NOTHING",
                placeholders_from(2, article_ids.len())
            );
            let mut query = sqlx::query(&sql).bind(now);
            for id in article_ids {
                query = query.bind(*id);
            }
            query
                .execute(&mut *tx)
                .await
                .context("queuing documents to push")?;
        }
        tx.commit().await.context("committing the push queue")?;
        Ok(true)
    }

    /// Claim up to `limit` due rows whose document is still published, until `lease_until`.
    /// Rows claimed by another node (lease not over) are skipped.
    pub async fn claim_push(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<PushClaim>> {
        // The claim conditions are repeated in the outer WHERE: PostgreSQL re-checks them on the
        // row it is about to change, so a row another node claimed meanwhile is left out.
        sqlx::query_as::<Any, PushClaim>(
            "UPDATE push_queue SET claimed_until = $2 \
             WHERE pushed_at IS NULL AND next_try_at <= $1 AND claimed_until <= $1 \
             AND article_id IN (\
               SELECT q.article_id FROM push_queue q JOIN articles a ON a.id = q.article_id \
               WHERE q.pushed_at IS NULL AND q.next_try_at <= $1 AND q.claimed_until <= $1 \
               AND a.status = 'published' ORDER BY q.queued_at, q.article_id LIMIT $3) \
             RETURNING article_id, attempts",
        )
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("claiming documents to push")
    }

    /// Record one request to the endpoint; on success mark `article_ids` pushed, otherwise release
    /// them to be tried again at `retry_at` (each row's attempts counted).
    pub async fn finish_push(
        &self,
        article_ids: &[i64],
        status: Option<i64>,
        detail: &str,
        accepted: bool,
        retry_at: i64,
        now: i64,
    ) -> Result<()> {
        let detail: String = detail.chars().take(DETAIL_MAX_CHARS).collect();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO push_attempts (at, urls, status, detail) VALUES ($1, $2, $3, $4)")
            .bind(now)
            .bind(article_ids.len() as i64)
            .bind(status)
            .bind(&detail)
            .execute(&mut *tx)
            .await
            .context("recording a push attempt")?;
        if !article_ids.is_empty() {
            let ids = placeholders_from(2, article_ids.len());
            // Accepted: pushed now. Refused: tried again from `retry_at`.
            let (column, at) = if accepted {
                ("pushed_at", now)
            } else {
                ("next_try_at", retry_at)
            };
            let sql = format!(
                "UPDATE push_queue SET {column} = $1, claimed_until = 0, attempts = attempts + 1 \
                 WHERE article_id IN ({ids})"
            );
            let mut query = sqlx::query(&sql).bind(at);
            for id in article_ids {
                query = query.bind(*id);
            }
            query
                .execute(&mut *tx)
                .await
                .context("marking pushed documents")?;
        }
        tx.commit().await.context("committing a push attempt")
    }

    /// The newest `limit` requests made to the endpoint, newest first.
    pub async fn push_attempts(&self, limit: i64) -> Result<Vec<PushAttemptRow>> {
        sqlx::query_as::<Any, PushAttemptRow>(
            "SELECT at, urls, status, detail FROM push_attempts ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("listing push attempts")
    }

    /// How many documents wait to be pushed and how many were.
    pub async fn push_counts(&self) -> Result<PushCounts> {
        sqlx::query_as::<Any, PushCounts>(
            "SELECT COALESCE(SUM(CASE WHEN pushed_at IS NULL THEN 1 ELSE 0 END), 0) AS waiting, \
             COALESCE(SUM(CASE WHEN pushed_at IS NULL THEN 0 ELSE 1 END), 0) AS pushed \
             FROM push_queue",
        )
        .fetch_one(&self.pool)
        .await
        .context("counting the push queue")
    }
}

/// `$first, $first+1, …`: `n` placeholders after the statement's fixed parameters.
fn placeholders_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
