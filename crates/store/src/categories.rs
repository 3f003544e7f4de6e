use sqlx::{Any, Transaction};

use crate::error::Context;
use crate::slugs::{base_slug, numbered, SlugKind};
use crate::{Result, Store};

/// A category with the number of published documents filed directly in it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub articles: i64,
    /// The category it sits under, `None` at the top level.
    pub parent_id: Option<i64>,
    /// Its place in the menu (lower first).
    pub sort: i64,
}

/// `subtree(id)`: the category `$1` and every category under it. UNION (not UNION ALL) stops at
/// a category already seen, so even a loop written around the desk ends.
pub(crate) const SUBTREE: &str = "WITH RECURSIVE subtree(id) AS (SELECT CAST($1 AS BIGINT) UNION \
     SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id)";

const CATEGORY_COLUMNS: &str = "c.id, c.name, c.slug, \
     (SELECT COUNT(*) FROM articles a WHERE a.category_id = c.id AND a.status = 'published') AS articles, \
     c.parent_id, c.sort";

impl Store {
    /// Every category, empty ones too, in menu order (`sort`, then name): the caller folds
    /// sub-categories into their parents' counts and leaves out what holds nothing.
    pub async fn categories(&self) -> Result<Vec<CategoryRow>> {
        sqlx::query_as::<Any, CategoryRow>(&format!(
            "SELECT {CATEGORY_COLUMNS} FROM categories c ORDER BY c.sort, c.name"
        ))
        .fetch_all(&self.pool)
        .await
        .context("listing categories")
    }

    pub async fn category_by_slug(&self, slug: &str) -> Result<Option<CategoryRow>> {
        self.category_where("c.slug = $1", slug).await
    }

    /// The category whose slug, or else whose name, is `key` (a filter given by hand, as the
    /// JSON API's `category=` is: the name reads better than a pinyin slug).
    pub async fn category_by_slug_or_name(&self, key: &str) -> Result<Option<CategoryRow>> {
        match self.category_by_slug(key).await? {
            Some(row) => Ok(Some(row)),
            None => self.category_where("c.name = $1", key).await,
        }
    }

    async fn category_where(&self, condition: &str, value: &str) -> Result<Option<CategoryRow>> {
        sqlx::query_as::<Any, CategoryRow>(&format!(
            "SELECT {CATEGORY_COLUMNS} FROM categories c WHERE {condition}"
        ))
        .bind(value)
        .fetch_optional(&self.pool)
        .await
        .context("reading a category")
    }

    /// `id` and the ids of every category under it, at any depth.
    pub async fn category_subtree(&self, id: i64) -> Result<Vec<i64>> {
        sqlx::query_scalar::<Any, i64>(&format!("{SUBTREE} SELECT id FROM subtree"))
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .context("reading the categories under a category")
    }
}

impl Store {
    /// Place categories under others by name, creating any that are missing: `(child,
    /// parent)` pairs, as a site moved over nests its 栏目. A category already placed (by the
    /// desk, or an earlier run) keeps its place, and a pair that would make a loop is left out.
    /// Returns how many categories were placed.
    pub async fn nest_categories(&self, pairs: &[(String, String)]) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let mut placed = 0;
        for (child, parent) in pairs {
            let child_id = ensure_in(&mut tx, child).await?;
            let parent_id = ensure_in(&mut tx, parent).await?;
            // The parent must not be the child or under it.
            let loops = sqlx::query_scalar::<Any, i64>(&format!(
                "{SUBTREE} SELECT id FROM subtree WHERE id = $2"
            ))
            .bind(child_id)
            .bind(parent_id)
            .fetch_optional(&mut *tx)
            .await
            .context("reading the categories under a category")?;
            if loops.is_some() {
                continue;
            }
            placed += sqlx::query(
                "UPDATE categories SET parent_id = $1 WHERE id = $2 AND parent_id IS NULL",
            )
            .bind(parent_id)
            .bind(child_id)
            .execute(&mut *tx)
            .await
            .context("placing a category under another")?
            .rows_affected() as usize;
        }
        tx.commit().await.context("committing nested categories")?;
        Ok(placed)
    }
}

/// The id of the category with this name, created when missing.
///
/// Inserts use ON CONFLICT DO NOTHING so that two importers creating the same category at once
/// both succeed (an error would abort a PostgreSQL transaction).
pub(crate) async fn ensure_in(tx: &mut Transaction<'static, Any>, name: &str) -> Result<i64> {
    let base = base_slug(SlugKind::Category, name);
    for n in 1..100 {
        if let Some(id) = category_id(tx, name).await? {
            return Ok(id);
        }
        // Two names may read alike (重庆 and 重慶, 讲话 and 奖划): number the later one.
        let slug = numbered(&base, n);
        let inserted = sqlx::query_scalar::<Any, i64>(
            "INSERT INTO categories (name, slug) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(&slug)
        .fetch_optional(&mut **tx)
        .await
        .context("creating a category")?;
        if let Some(id) = inserted {
            return Ok(id);
        }
    }
    Err(crate::StoreError::Conflict {
        what: "category slug",
    })
}

async fn category_id(tx: &mut Transaction<'static, Any>, name: &str) -> Result<Option<i64>> {
    sqlx::query_scalar::<Any, i64>("SELECT id FROM categories WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await
        .context("reading a category")
}
