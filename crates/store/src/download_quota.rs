//! Downloads as the daily quota counts them: one `downloads` row per file a member took away,
//! with the site-local day it counts against. (The 下载记录 list reads the same rows.)

use sqlx::Any;

use crate::error::Context;
use crate::{Backend, Result, Store};

/// One download to record.
#[derive(Debug, Clone)]
pub struct NewDownload<'a> {
    pub user_id: i64,
    pub article_id: i64,
    /// `docx` or `txt`.
    pub format: &'a str,
    /// The site-local day, `YYYY-MM-DD`.
    pub day: &'a str,
    pub at: i64,
}

impl Store {
    /// Record a download unless the member already has `limit` on that day (`None`: no limit).
    /// Returns the member's count for the day including this one, or `None` when the limit was
    /// reached and nothing was recorded. The count and the insert are one transaction that
    /// holds the member's turn, so two downloads at once cannot both take the last one.
    pub async fn record_download(
        &self,
        download: &NewDownload<'_>,
        limit: Option<i64>,
    ) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            // SQLite's write transaction is exclusive already; PostgreSQL's are not, so the
            // member's row is the lock that makes their downloads take turns.
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(download.user_id)
                .execute(&mut *tx)
                .await
                .context("locking a member for a download")?;
        }
        let used = count_on_day(&mut *tx, download.user_id, download.day).await?;
        if limit.is_some_and(|limit| used >= limit) {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO downloads (user_id, article_id, format, day, at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(download.user_id)
        .bind(download.article_id)
        .bind(download.format)
        .bind(download.day)
        .bind(download.at)
        .execute(&mut *tx)
        .await
        .context("recording a download")?;
        tx.commit().await.context("committing a download")?;
        Ok(Some(used + 1))
    }

    /// How many downloads member `user_id` made on the site-local `day`.
    pub async fn downloads_on_day(&self, user_id: i64, day: &str) -> Result<i64> {
        count_on_day(&self.pool, user_id, day).await
    }
}

async fn count_on_day<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    user_id: i64,
    day: &str,
) -> Result<i64> {
    sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM downloads WHERE user_id = $1 AND day = $2")
        .bind(user_id)
        .bind(day.to_owned())
        .fetch_one(executor)
        .await
        .context("counting a member's downloads of the day")
}
