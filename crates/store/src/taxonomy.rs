//! Categories and tags as the editorial desk manages them. A change that alters what documents
//! show (a category renamed, a tag merged) appends a change-feed row for every document it
//! touches, in the same transaction, so search, caches and lists follow.

use sqlx::{Any, Transaction};

use crate::audit::commit_audited;
use crate::error::Context;
use crate::slugs::{base_slug, free_slug, record_redirect, SlugKind};
use crate::{NewAuditEntry, Result, Store, StoreError};

/// A category with its documents counted (all statuses, and published ones).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminCategoryRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub sort: i64,
    pub articles: i64,
    pub published: i64,
    /// The category it sits under, `None` at the top level.
    pub parent_id: Option<i64>,
}

/// What the desk's category form writes over a category.
#[derive(Debug, Clone, Copy)]
pub struct CategoryFields<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub sort: i64,
    pub parent: Option<i64>,
}

/// A tag with the number of documents carrying it (any status).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminTagRow {
    pub id: i64,
    pub name: String,
    pub slug: Option<String>,
    pub articles: i64,
}

/// What became of a request to delete a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryDeletion {
    Deleted,
    /// The category still holds this many documents and no other category was named for them.
    NotEmpty(i64),
    Missing,
}

impl Store {
    /// Every category, in menu order, with counts.
    pub async fn admin_categories(&self) -> Result<Vec<AdminCategoryRow>> {
        sqlx::query_as::<Any, AdminCategoryRow>(
            "SELECT c.id, c.name, c.slug, c.sort, \
             (SELECT COUNT(*) FROM articles a WHERE a.category_id = c.id) AS articles, \
             (SELECT COUNT(*) FROM articles a WHERE a.category_id = c.id AND a.status = 'published') AS published, \
             c.parent_id FROM categories c ORDER BY c.sort, c.name",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing categories for the desk")
    }

    /// Create a category; a taken name or slug is [`StoreError::Conflict`]. Without a slug it
    /// gets its name's pinyin, numbered when taken. The audit entry's target is set to the new
    /// category. Returns the id and the slug.
    pub async fn create_category(
        &self,
        name: &str,
        slug: Option<&str>,
        sort: i64,
        parent: Option<i64>,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<(i64, String)> {
        let mut tx = self.begin_write().await?;
        if let Some(parent) = parent {
            check_parent(&mut tx, None, parent).await?;
        }
        let slug = match slug {
            Some(slug) => slug.to_owned(),
            None => {
                free_slug(
                    &mut tx,
                    SlugKind::Category,
                    &base_slug(SlugKind::Category, name),
                    0,
                )
                .await?
            }
        };
        let slug = slug.as_str();
        if category_taken(&mut tx, name, slug, None).await? {
            return Err(StoreError::Conflict {
                what: "category name or slug",
            });
        }
        let id = sqlx::query_scalar::<Any, i64>(
            "INSERT INTO categories (name, slug, sort, parent_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(slug)
        .bind(sort)
        .bind(parent)
        .fetch_optional(&mut *tx)
        .await
        .context("creating a category")?
        .ok_or(StoreError::Conflict {
            what: "category name or slug",
        })?;
        let target = format!("category:{id}");
        let entry = NewAuditEntry {
            target: &target,
            ..audit.clone()
        };
        commit_audited(tx, &entry, now, "committing a new category").await?;
        Ok((id, slug.to_owned()))
    }

    /// Rename a category, change its slug, its place in the menu or the category it sits under.
    /// Returns false when there is no such category; a name or slug another category has is
    /// [`StoreError::Conflict`], and so is a parent that is missing or would make a loop. A slug
    /// given up is kept in `slug_redirects`, so its URLs answer 301.
    pub async fn update_category(
        &self,
        id: i64,
        fields: &CategoryFields<'_>,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let CategoryFields {
            name,
            slug,
            sort,
            parent,
        } = *fields;
        let mut tx = self.begin_write().await?;
        if let Some(parent) = parent {
            check_parent(&mut tx, Some(id), parent).await?;
        }
        if category_taken(&mut tx, name, slug, Some(id)).await? {
            return Err(StoreError::Conflict {
                what: "category name or slug",
            });
        }
        let old = sqlx::query_scalar::<Any, String>("SELECT slug FROM categories WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .context("reading a category slug")?;
        if let Some(old) = old.filter(|old| old != slug) {
            record_redirect(&mut tx, SlugKind::Category, &old, id).await?;
        }
        let updated = sqlx::query(
            "UPDATE categories SET name = $1, slug = $2, sort = $3, parent_id = $4 WHERE id = $5",
        )
        .bind(name)
        .bind(slug)
        .bind(sort)
        .bind(parent)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("updating a category")?
        .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        // Documents show their category's name and link: they changed too.
        changes_for(
            &mut tx,
            "SELECT id FROM articles WHERE category_id = $2",
            id,
            now,
        )
        .await?;
        commit_audited(tx, audit, now, "committing a category change").await?;
        Ok(true)
    }

    /// Delete a category. Its documents move to `move_to` first; without one, only an empty
    /// category is deleted.
    pub async fn delete_category(
        &self,
        id: i64,
        move_to: Option<i64>,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<CategoryDeletion> {
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query_scalar::<Any, i64>("SELECT id FROM categories WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .context("reading a category")?;
        if exists.is_none() {
            return Ok(CategoryDeletion::Missing);
        }
        let count =
            sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM articles WHERE category_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .context("counting a category's documents")?;
        if count > 0 {
            let Some(target) = move_to.filter(|t| *t != id) else {
                return Ok(CategoryDeletion::NotEmpty(count));
            };
            changes_for(
                &mut tx,
                "SELECT id FROM articles WHERE category_id = $2",
                id,
                now,
            )
            .await?;
            let moved = sqlx::query(
                "UPDATE articles SET category_id = $1, updated_at = $2 WHERE category_id = $3 \
                 AND EXISTS (SELECT 1 FROM categories WHERE id = $1)",
            )
            .bind(target)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("moving a category's documents")?
            .rows_affected();
            if moved == 0 {
                return Err(StoreError::Conflict {
                    what: "no such category to move to; it",
                });
            }
            // The deleted category's URLs lead to where its documents went.
            let slug =
                sqlx::query_scalar::<Any, String>("SELECT slug FROM categories WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .context("reading a category slug")?;
            record_redirect(&mut tx, SlugKind::Category, &slug, target).await?;
        }
        // Its sub-categories move up to where it was.
        sqlx::query(
            "UPDATE categories SET parent_id = (SELECT parent_id FROM categories WHERE id = $1) \
             WHERE parent_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("lifting a category's sub-categories")?;
        sqlx::query("DELETE FROM categories WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting a category")?;
        commit_audited(tx, audit, now, "committing a category deletion").await?;
        Ok(CategoryDeletion::Deleted)
    }

    /// Tags with their counts, most used first; `name` narrows to tags containing it.
    pub async fn admin_tags(&self, name: Option<&str>, limit: i64) -> Result<Vec<AdminTagRow>> {
        let sql = |filter: &str| {
            format!(
                "SELECT t.id, t.name, t.slug, COUNT(at.article_id) AS articles FROM tags t \
                 LEFT JOIN article_tags at ON at.tag_id = t.id {filter} \
                 GROUP BY t.id, t.name, t.slug ORDER BY COUNT(at.article_id) DESC, t.name LIMIT $1"
            )
        };
        let filtered = sql("WHERE t.name LIKE $2 ESCAPE '\\'");
        let all = sql("");
        match name {
            Some(name) => sqlx::query_as::<Any, AdminTagRow>(&filtered)
                .bind(limit)
                .bind(format!("%{}%", crate::listing::like_escape(name))),
            None => sqlx::query_as::<Any, AdminTagRow>(&all).bind(limit),
        }
        .fetch_all(&self.pool)
        .await
        .context("listing tags for the desk")
    }

    /// A tag by id: its name, if it exists.
    pub async fn tag_name(&self, id: i64) -> Result<Option<String>> {
        sqlx::query_scalar::<Any, String>("SELECT name FROM tags WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a tag")
    }

    /// A tag's id by its exact name.
    pub async fn tag_id(&self, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar::<Any, i64>("SELECT id FROM tags WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .context("looking up a tag")
    }

    /// Rename a tag and set its slug (`None`: the new name's pinyin, numbered when taken; the
    /// slug given up answers 301). Returns false when there is no such tag; a name another tag
    /// has is [`StoreError::Conflict`] (merge instead), and so is a slug another tag has.
    pub async fn rename_tag(
        &self,
        id: i64,
        name: &str,
        slug: Option<&str>,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let taken =
            sqlx::query_scalar::<Any, i64>("SELECT id FROM tags WHERE name = $1 AND id <> $2")
                .bind(name)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .context("looking up a tag name")?;
        if taken.is_some() {
            return Err(StoreError::Conflict { what: "tag" });
        }
        let Some(old) =
            sqlx::query_scalar::<Any, Option<String>>("SELECT slug FROM tags WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .context("reading a tag slug")?
        else {
            return Ok(false);
        };
        let slug = match slug {
            Some(slug) => {
                let other = sqlx::query_scalar::<Any, i64>(
                    "SELECT id FROM tags WHERE slug = $1 AND id <> $2",
                )
                .bind(slug)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .context("looking up a tag slug")?;
                if other.is_some() {
                    return Err(StoreError::Conflict { what: "tag slug" });
                }
                slug.to_owned()
            }
            // free_slug leaves this tag out, so an unchanged pinyin keeps its slug.
            None => free_slug(&mut tx, SlugKind::Tag, &base_slug(SlugKind::Tag, name), id).await?,
        };
        if let Some(old) = old.filter(|old| *old != slug) {
            record_redirect(&mut tx, SlugKind::Tag, &old, id).await?;
        }
        sqlx::query("UPDATE tags SET name = $1, slug = $2 WHERE id = $3")
            .bind(name)
            .bind(&slug)
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("renaming a tag")?;
        changes_for(&mut tx, TAGGED, id, now).await?;
        commit_audited(tx, audit, now, "committing a tag rename").await?;
        Ok(true)
    }

    /// Move every document of tag `from` to tag `into` and delete `from`. Returns false when
    /// either tag is missing.
    pub async fn merge_tag(
        &self,
        from: i64,
        into: i64,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let found =
            sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM tags WHERE id = $1 OR id = $2")
                .bind(from)
                .bind(into)
                .fetch_one(&mut *tx)
                .await
                .context("reading tags to merge")?;
        if found != 2 || from == into {
            return Ok(false);
        }
        changes_for(&mut tx, TAGGED, from, now).await?;
        // The merged tag's URL leads to the tag it went into.
        let from_slug =
            sqlx::query_scalar::<Any, Option<String>>("SELECT slug FROM tags WHERE id = $1")
                .bind(from)
                .fetch_one(&mut *tx)
                .await
                .context("reading a tag slug")?;
        if let Some(from_slug) = from_slug {
            record_redirect(&mut tx, SlugKind::Tag, &from_slug, into).await?;
        }
        sqlx::query(
            "INSERT INTO article_tags (article_id, tag_id) \
             SELECT article_id, $1 FROM article_tags WHERE tag_id = $2 ON CONFLICT DO NOTHING",
        )
        .bind(into)
        .bind(from)
        .execute(&mut *tx)
        .await
        .context("merging tags")?;
        delete_tag_in(&mut tx, from).await?;
        commit_audited(tx, audit, now, "committing a tag merge").await?;
        Ok(true)
    }

    /// Delete a tag (documents keep their other tags). Returns false when there is no such tag.
    pub async fn delete_tag(&self, id: i64, audit: &NewAuditEntry<'_>, now: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        changes_for(&mut tx, TAGGED, id, now).await?;
        if !delete_tag_in(&mut tx, id).await? {
            return Ok(false);
        }
        commit_audited(tx, audit, now, "committing a tag deletion").await?;
        Ok(true)
    }
}

/// The documents carrying tag `$2`.
const TAGGED: &str = "SELECT article_id FROM article_tags WHERE tag_id = $2";

/// Append an 'update' change for every document `select` (which takes the id as `$2`) names.
async fn changes_for(
    tx: &mut Transaction<'static, Any>,
    select: &str,
    id: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO changes (article_id, kind, at) SELECT x.*, 'update', $1 FROM ({select}) x"
    ))
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await
    .context("recording changes of a taxonomy edit")?;
    Ok(())
}

async fn delete_tag_in(tx: &mut Transaction<'static, Any>, id: i64) -> Result<bool> {
    // article_tags rows go first: not every connection is sure to enforce ON DELETE CASCADE.
    sqlx::query("DELETE FROM article_tags WHERE tag_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .context("untagging documents")?;
    let deleted = sqlx::query("DELETE FROM tags WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .context("deleting a tag")?
        .rows_affected();
    Ok(deleted > 0)
}

/// `parent` exists and is neither `id` nor under it (that would make a loop).
async fn check_parent(
    tx: &mut Transaction<'static, Any>,
    id: Option<i64>,
    parent: i64,
) -> Result<()> {
    let exists = sqlx::query_scalar::<Any, i64>("SELECT id FROM categories WHERE id = $1")
        .bind(parent)
        .fetch_optional(&mut **tx)
        .await
        .context("reading a parent category")?;
    if exists.is_none() {
        return Err(StoreError::Conflict {
            what: "parent category",
        });
    }
    let Some(id) = id else { return Ok(()) };
    let under = sqlx::query_scalar::<Any, i64>(&format!(
        "{} SELECT id FROM subtree WHERE id = $2",
        crate::categories::SUBTREE
    ))
    .bind(id)
    .bind(parent)
    .fetch_optional(&mut **tx)
    .await
    .context("reading the categories under a category")?;
    if under.is_some() {
        return Err(StoreError::Conflict {
            what: "parent category",
        });
    }
    Ok(())
}

async fn category_taken(
    tx: &mut Transaction<'static, Any>,
    name: &str,
    slug: &str,
    except: Option<i64>,
) -> Result<bool> {
    let other = sqlx::query_scalar::<Any, i64>(
        "SELECT id FROM categories WHERE (name = $1 OR slug = $2) AND id <> $3",
    )
    .bind(name)
    .bind(slug)
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut **tx)
    .await
    .context("looking up a category name")?;
    Ok(other.is_some())
}
