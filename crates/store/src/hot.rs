//! 本周热门 / 本月热门: published documents ranked by the views of the last days.

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

    /// The most-read published documents of all time (imported starting counts included), most
    /// first: what fills a hot list while its window holds too few. Their `views_in_window` is
    /// the all-time count.
    ///
    /// The order is the index `articles_most_read` (migration 0017), written out as its
    /// expression so that both databases read the index instead of sorting every document.
    pub async fn most_read(&self, limit: i64) -> Result<Vec<HotRow>> {
        let rows = sqlx::query_as::<Any, HotRow>(
            "SELECT a.id, a.title, a.access, a.views_base + a.views_total AS views_in_window \
             FROM articles a WHERE a.status = 'published' AND a.views_base + a.views_total > 0 \
             ORDER BY a.views_base + a.views_total DESC, a.published_on DESC, a.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading the most-read documents")?;
        Ok(rows)
    }
}
