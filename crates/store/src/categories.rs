use sqlx::{Any, Transaction};

use crate::error::Context;
use crate::{Result, Store};

/// A category with the number of published documents in it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub articles: i64,
}

/// The URL slug of a category name: the name itself (browsers show Chinese paths readably), with
/// white space and URL-reserved characters replaced by '-'.
pub fn slug_of(name: &str) -> String {
    let slug: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || "/?#%&+\\\"'<>".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    if slug.is_empty() {
        "-".to_owned()
    } else {
        slug
    }
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
}

/// The id of the category with this name, created when missing.
///
/// Inserts use ON CONFLICT DO NOTHING so that two importers creating the same category at once
/// both succeed (an error would abort a PostgreSQL transaction).
pub(crate) async fn ensure_in(tx: &mut Transaction<'static, Any>, name: &str) -> Result<i64> {
    let base = slug_of(name);
    for n in 1..100 {
        if let Some(id) = category_id(tx, name).await? {
            return Ok(id);
        }
        // Two names may fold to one slug ("a b" and "a-b"): number the later one.
        let slug = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
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

#[cfg(test)]
mod tests {
    use super::slug_of;

    #[test]
    fn slugs_keep_chinese_and_replace_reserved_characters() {
        assert_eq!(slug_of("政府工作报告"), "政府工作报告");
        assert_eq!(slug_of(" 讲话 稿 "), "讲话-稿");
        assert_eq!(slug_of("a/b?c"), "a-b-c");
        assert_eq!(slug_of("   "), "-");
    }
}
