//! URL slugs of categories and tags: ASCII pinyin made from the name when the row is created
//! (`/c/zhengfu-gongzuo-baogao`), unique (a clash is numbered -2, -3 …), and never lost: every
//! slug a category or tag gave up stays in `slug_redirects`, so its old URL answers 301.
//!
//! Pinyin needs the text crate, so slugs of rows made before migration 0011 (Chinese or
//! percent-encoded category slugs, tags without a slug) are made here at start-up, once.

use sqlx::{Any, Transaction};

use crate::error::Context;
use crate::{Backend, Result, Store};

/// What a slug names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugKind {
    Category,
    Tag,
}

impl SlugKind {
    fn as_str(self) -> &'static str {
        match self {
            SlugKind::Category => "category",
            SlugKind::Tag => "tag",
        }
    }

    fn table(self) -> &'static str {
        match self {
            SlugKind::Category => "categories",
            SlugKind::Tag => "tags",
        }
    }

    /// The slug of a name with no pinyin at all (punctuation only): 栏目 / 标签 in pinyin.
    fn fallback(self) -> &'static str {
        match self {
            SlugKind::Category => "lanmu",
            SlugKind::Tag => "biaoqian",
        }
    }
}

/// The slug a new `name` starts from, before numbering: its pinyin, or the kind's fallback.
pub fn base_slug(kind: SlugKind, name: &str) -> String {
    let slug = wenyuan_text::slug::pinyin_slug(name);
    if slug.is_empty() {
        kind.fallback().to_owned()
    } else {
        slug
    }
}

/// Candidate `n` (from 1) of a slug: the base, then base-2, base-3 …
pub(crate) fn numbered(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_owned()
    } else {
        format!("{base}-{n}")
    }
}

/// Whether a slug is already in the form new slugs take (lowercase ASCII letters, digits and
/// hyphens); others (Chinese, percent signs) are moved to pinyin at start-up.
fn is_ascii_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The first numbered candidate of `base` no other row of `kind` has.
pub(crate) async fn free_slug(
    tx: &mut Transaction<'static, Any>,
    kind: SlugKind,
    base: &str,
    except: i64,
) -> Result<String> {
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE slug = $1 AND id <> $2",
        kind.table()
    );
    let mut n = 1;
    loop {
        let slug = numbered(base, n);
        let taken = sqlx::query_scalar::<Any, i64>(&sql)
            .bind(&slug)
            .bind(except)
            .fetch_one(&mut **tx)
            .await
            .context("looking up a slug")?;
        if taken == 0 {
            return Ok(slug);
        }
        n += 1;
    }
}

/// Remember that `old` named row `id` of `kind`, so its URL answers 301 to the current slug.
pub(crate) async fn record_redirect(
    tx: &mut Transaction<'static, Any>,
    kind: SlugKind,
    old: &str,
    id: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO slug_redirects (kind, old_slug, target_id) VALUES ($1, $2, $3) \
         ON CONFLICT (kind, old_slug) DO UPDATE SET target_id = excluded.target_id",
    )
    .bind(kind.as_str())
    .bind(old)
    .bind(id)
    .execute(&mut **tx)
    .await
    .context("recording an old slug")?;
    Ok(())
}

impl Store {
    /// The current slug of the category or tag that once had slug `old`, if any.
    pub async fn moved_slug(&self, kind: SlugKind, old: &str) -> Result<Option<String>> {
        let sql = format!(
            "SELECT t.slug FROM slug_redirects r JOIN {} t ON t.id = r.target_id \
             WHERE r.kind = $1 AND r.old_slug = $2",
            kind.table()
        );
        sqlx::query_scalar::<Any, Option<String>>(&sql)
            .bind(kind.as_str())
            .bind(old)
            .fetch_optional(&self.pool)
            .await
            .context("looking up an old slug")
            .map(Option::flatten)
    }

    /// Give rows made before pinyin slugs theirs: categories whose slug is not ASCII move to
    /// their name's pinyin (the old slug kept for 301s), tags without a slug get one (their old
    /// URL was the name itself: kept too). Does nothing once done.
    pub(crate) async fn make_pinyin_slugs(&self) -> Result<()> {
        let categories = sqlx::query_as::<Any, (i64, String, String)>(
            "SELECT id, name, slug FROM categories ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading category slugs")?;
        let categories: Vec<_> = categories
            .into_iter()
            .filter(|(_, _, slug)| !is_ascii_slug(slug))
            .collect();
        let tags = sqlx::query_as::<Any, (i64, String)>(
            "SELECT id, name FROM tags WHERE slug IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading tags without a slug")?;
        if categories.is_empty() && tags.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            // Nodes starting together: one makes the slugs, the others find them made.
            sqlx::query("SELECT pg_advisory_xact_lock(7301130611)")
                .execute(&mut *tx)
                .await
                .context("waiting for the slug lock")?;
        }
        for (id, name, old) in categories {
            let current =
                sqlx::query_scalar::<Any, String>("SELECT slug FROM categories WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .context("reading a category slug")?;
            if current.as_deref() != Some(old.as_str()) {
                continue;
            }
            let slug = free_slug(
                &mut tx,
                SlugKind::Category,
                &base_slug(SlugKind::Category, &name),
                id,
            )
            .await?;
            sqlx::query("UPDATE categories SET slug = $1 WHERE id = $2")
                .bind(&slug)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("moving a category to its pinyin slug")?;
            record_redirect(&mut tx, SlugKind::Category, &old, id).await?;
            // Its documents link to the category: they changed too.
            sqlx::query(
                "INSERT INTO changes (article_id, kind, at) \
                 SELECT id, 'update', updated_at FROM articles WHERE category_id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("recording changes of a category slug")?;
        }
        for (id, name) in tags {
            let slug =
                free_slug(&mut tx, SlugKind::Tag, &base_slug(SlugKind::Tag, &name), id).await?;
            let updated = sqlx::query("UPDATE tags SET slug = $1 WHERE id = $2 AND slug IS NULL")
                .bind(&slug)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("giving a tag its slug")?
                .rows_affected();
            if updated > 0 && name != slug {
                record_redirect(&mut tx, SlugKind::Tag, &name, id).await?;
            }
        }
        tx.commit().await.context("committing pinyin slugs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ascii_slugs_stay() {
        assert!(is_ascii_slug("zhengfu-gongzuo-baogao"));
        assert!(is_ascii_slug("work-2"));
        assert!(!is_ascii_slug("政府工作报告"));
        assert!(!is_ascii_slug("%E6%94%BF"));
        assert!(!is_ascii_slug("Work"));
        assert!(!is_ascii_slug(""));
    }

    #[test]
    fn new_slugs_are_pinyin_or_a_fallback() {
        assert_eq!(base_slug(SlugKind::Category, "讲话稿"), "jianghuagao");
        assert_eq!(base_slug(SlugKind::Tag, "？？"), "biaoqian");
        assert_eq!(numbered("jianghuagao", 1), "jianghuagao");
        assert_eq!(numbered("jianghuagao", 3), "jianghuagao-3");
    }
}
