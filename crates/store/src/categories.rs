use sqlx::{Any, Transaction};

use crate::error::Context;
use crate::slugs::{base_slug, numbered, SlugKind};
use crate::{Result, Store};

/// A category with the number of published documents in it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub articles: i64,
}

impl Store {
    /// Categories with at least one published document, in menu order.
    pub async fn categories(&self) -> Result<Vec<CategoryRow>> {
        sqlx::query_as::<Any, CategoryRow>(
            "SELECT c.id, c.name, c.slug, COUNT(a.id) AS articles FROM categories c \
             JOIN articles a ON a.category_id = c.id AND a.status = 'published' \
             GROUP BY c.id, c.name, c.slug, c.sort ORDER BY c.sort, COUNT(a.id) DESC, c.name",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing categories")
    }

    pub async fn category_by_slug(&self, slug: &str) -> Result<Option<CategoryRow>> {
        sqlx::query_as::<Any, CategoryRow>(
            "SELECT c.id, c.name, c.slug, \
             (SELECT COUNT(*) FROM articles a WHERE a.category_id = c.id AND a.status = 'published') AS articles \
             FROM categories c WHERE c.slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await
        .context("reading a category")
    }

    /// The category whose slug, or else whose name, is `key` (a filter given by hand, as the
    /// JSON API's `category=` is: the name reads better than a pinyin slug).
    pub async fn category_by_slug_or_name(&self, key: &str) -> Result<Option<CategoryRow>> {
        if let Some(row) = self.category_by_slug(key).await? {
            return Ok(Some(row));
        }
        sqlx::query_as::<Any, CategoryRow>(
            "SELECT c.id, c.name, c.slug, \
             (SELECT COUNT(*) FROM articles a WHERE a.category_id = c.id AND a.status = 'published') AS articles \
             FROM categories c WHERE c.name = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .context("reading a category")
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
