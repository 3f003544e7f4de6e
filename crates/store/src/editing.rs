//! The editorial desk's document writes and its list: every write is one transaction holding the
//! row, its tags, a change-feed row and the audit entry, so the feed's followers (search index,
//! keywords, caches) and the log never disagree with the data.

use sqlx::{Any, Transaction};

use crate::articles::ensure_tag;
use crate::audit::commit_audited;
use crate::error::Context;
use crate::import_batch::insert_in;
use crate::listing::{fetch_page, like_escape, Bind, Filter};
use crate::{InsertOutcome, NewArticle, NewAuditEntry, Result, Store};

/// What an edit writes over a document (everything the editor's form holds).
#[derive(Debug, Clone)]
pub struct ArticleEdit {
    pub title: String,
    /// Paragraphs joined by '\n'.
    pub body: String,
    pub published_on: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub access: String,
    pub status: String,
    pub preview_ratio: Option<f64>,
    pub preview_max: Option<i64>,
    pub content_hash: String,
}

/// What became of a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved(i64),
    /// Another document (this id) already has the same normalised title and body.
    SameAs(i64),
    /// No document has the id that was edited.
    Missing,
}

/// Which documents the desk's list shows; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct AdminFilter {
    pub category_id: Option<i64>,
    pub status: Option<String>,
    pub access: Option<String>,
    /// Publish dates from and to, inclusive, `YYYY-MM-DD`.
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    /// Part of the title.
    pub title: Option<String>,
    pub sort: AdminSort,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AdminSort {
    /// Last changed first (what the desk worked on lately).
    #[default]
    Updated,
    Published,
    Views,
}

/// A line of the desk's document list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminArticleRow {
    pub id: i64,
    pub title: String,
    pub published_on: String,
    pub category_name: Option<String>,
    pub status: String,
    pub access: String,
    pub views: i64,
    pub updated_at: i64,
    /// 1 when featured (推荐).
    pub featured: i64,
}

impl Store {
    /// One page of the desk's list (any status) and how many documents match.
    pub async fn admin_articles(
        &self,
        filter: &AdminFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AdminArticleRow>, i64)> {
        let mut conditions = Filter::default();
        if let Some(id) = filter.category_id {
            conditions.push("a.category_id = ?", Bind::Int(id));
        }
        if let Some(status) = &filter.status {
            conditions.push("a.status = ?", Bind::Text(status.clone()));
        }
        if let Some(access) = &filter.access {
            conditions.push("a.access = ?", Bind::Text(access.clone()));
        }
        if let Some(from) = &filter.date_from {
            conditions.push("a.published_on >= ?", Bind::Text(from.clone()));
        }
        if let Some(to) = &filter.date_to {
            conditions.push("a.published_on <= ?", Bind::Text(to.clone()));
        }
        if let Some(title) = &filter.title {
            conditions.push(
                "a.title LIKE ? ESCAPE '\\'",
                Bind::Text(format!("%{}%", like_escape(title))),
            );
        }
        let where_clause = conditions.where_clause();
        let order = match filter.sort {
            AdminSort::Updated => "a.updated_at DESC, a.id DESC",
            AdminSort::Published => "a.published_on DESC, a.id DESC",
            AdminSort::Views => "a.views_base + a.views_total DESC, a.id DESC",
        };
        let list_sql = format!(
            "SELECT a.id, a.title, a.published_on, c.name AS category_name, a.status, a.access, \
             a.views_base + a.views_total AS views, a.updated_at, a.featured \
             FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
             {where_clause} ORDER BY {order} {}",
            conditions.limit_offset()
        );
        let count_sql = format!("SELECT COUNT(*) FROM articles a {where_clause}");
        fetch_page(
            &self.pool,
            &list_sql,
            &count_sql,
            &conditions,
            (limit, offset),
            "listing documents for the desk",
        )
        .await
    }

    /// Store a new document written at the desk. The audit entry's target is set to the new
    /// document (`article:{id}`); a document with the same content is [`SaveOutcome::SameAs`].
    pub async fn create_article(
        &self,
        article: &NewArticle,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<SaveOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = insert_in(&mut tx, self.backend(), std::slice::from_ref(article), now)
            .await?
            .pop();
        let id = match outcome {
            Some(InsertOutcome::Inserted(id)) => id,
            Some(InsertOutcome::Duplicate(other)) => return Ok(SaveOutcome::SameAs(other)),
            None => return Err(crate::StoreError::Conflict { what: "document" }),
        };
        let target = format!("article:{id}");
        let entry = NewAuditEntry {
            target: &target,
            ..audit.clone()
        };
        commit_audited(tx, &entry, now, "committing a new document").await?;
        Ok(SaveOutcome::Saved(id))
    }

    /// Write an edit over document `id`: the row, its tags, a change-feed row and the audit
    /// entry, in one transaction.
    pub async fn update_article(
        &self,
        id: i64,
        edit: &ArticleEdit,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<SaveOutcome> {
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query_scalar::<Any, i64>("SELECT id FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .context("reading a document to edit")?;
        if exists.is_none() {
            return Ok(SaveOutcome::Missing);
        }
        // Checked first rather than caught: on PostgreSQL a violated unique key aborts the
        // transaction.
        let same = sqlx::query_scalar::<Any, i64>(
            "SELECT id FROM articles WHERE content_hash = $1 AND id <> $2",
        )
        .bind(&edit.content_hash)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .context("looking up a content hash")?;
        if let Some(other) = same {
            return Ok(SaveOutcome::SameAs(other));
        }
        let category_id = match &edit.category {
            Some(name) => Some(crate::categories::ensure_in(&mut tx, name).await?),
            None => None,
        };
        sqlx::query(
            // An edited body drops the imported layout (it described the old paragraphs).
            "UPDATE articles SET title = $1, body = $2, published_on = $3, category_id = $4, \
             access = $5, status = $6, preview_ratio = $7, preview_max = $8, content_hash = $9, \
             updated_at = $10, layout = CASE WHEN body = $2 THEN layout ELSE NULL END WHERE id = $11",
        )
        .bind(&edit.title)
        .bind(&edit.body)
        .bind(&edit.published_on)
        .bind(category_id)
        .bind(&edit.access)
        .bind(&edit.status)
        .bind(edit.preview_ratio)
        .bind(edit.preview_max)
        .bind(&edit.content_hash)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("updating a document")?;
        replace_tags(&mut tx, id, &edit.tags).await?;
        crate::changes::record_in(&mut tx, id, "update", now).await?;
        commit_audited(tx, audit, now, "committing a document edit").await?;
        Ok(SaveOutcome::Saved(id))
    }

    /// Set one document's status (publish, hide …), with its change-feed row and audit entry.
    /// Returns false when there is no such document.
    pub async fn set_article_status(
        &self,
        id: i64,
        status: &str,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE articles SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("setting a document's status")?
            .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        crate::changes::record_in(&mut tx, id, "update", now).await?;
        commit_audited(tx, audit, now, "committing a status change").await?;
        Ok(true)
    }
}

async fn replace_tags(tx: &mut Transaction<'static, Any>, id: i64, tags: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .context("clearing a document's tags")?;
    for tag in tags {
        let tag_id = ensure_tag(tx, tag).await?;
        sqlx::query(
            "INSERT INTO article_tags (article_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(tag_id)
        .execute(&mut **tx)
        .await
        .context("tagging a document")?;
    }
    Ok(())
}
