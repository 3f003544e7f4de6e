use sqlx::{Any, Row, Transaction};

use crate::error::Context;
use crate::listing::{fetch_page, Bind, Filter};
use crate::{Result, Store};

/// A document as the importer or the editor hands it to the store.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub title: String,
    /// Paragraphs joined by '\n'.
    pub body: String,
    pub published_on: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub access: String,
    pub status: String,
    pub views_base: i64,
    pub content_hash: String,
    pub source: Option<String>,
    pub external_id: Option<String>,
    pub preview_ratio: Option<f64>,
    pub preview_max: Option<i64>,
    /// SimHash of the title and paragraphs (`wenyuan_text::simhash`), stored with the document
    /// in the same transaction so near-duplicate lookups see it at once. `None` leaves it to the
    /// start-up backfill.
    pub simhash: Option<u64>,
    /// How an office file laid out the paragraphs (`wenyuan_text::layout`), `None` for plain.
    pub layout: Option<String>,
}

/// What happened to one document handed to [`Store::insert_articles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Inserted(i64),
    /// The same normalised title and body is already stored under this id.
    Duplicate(i64),
}

/// One whole document, as the reading pages need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub published_on: String,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    pub access: String,
    pub status: String,
    pub preview_ratio: Option<f64>,
    pub preview_max: Option<i64>,
    /// The imported starting count plus the views counted since.
    pub views: i64,
    pub updated_at: i64,
    /// One layout code per paragraph (`wenyuan_text::layout`), or `None`.
    pub layout: Option<String>,
}

/// A line of a document list. `lead` is the start of the first paragraph, which every viewer may
/// read (the preview always holds at least the first paragraph).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub published_on: String,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    pub access: String,
    pub views: i64,
    pub lead: String,
    /// 1 when the editors feature it (推荐), else 0.
    pub featured: i64,
}

/// Which published documents a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// This category and every category under it.
    pub category_id: Option<i64>,
    pub tag: Option<String>,
}

const ARTICLE_COLUMNS: &str = "a.id, a.title, a.body, a.published_on, c.name AS category_name, \
     c.slug AS category_slug, a.access, a.status, a.preview_ratio, a.preview_max, a.views_base + a.views_total AS views, a.updated_at, a.layout";

/// The columns of an [`ArticleSummary`], over `articles a LEFT JOIN categories c`.
pub(crate) fn summary_columns() -> String {
    format!(
        "a.id, a.title, a.published_on, c.name AS category_name, c.slug AS category_slug, \
         a.access, a.views_base + a.views_total AS views, substr(a.body, 1, {LEAD_CHARS}) AS lead, \
         a.featured"
    )
}

/// How many characters of the body a list line carries: enough to step over a document's front
/// (salutation, title block, date line) to the first sentences of its text.
pub const LEAD_CHARS: i64 = 600;

impl Store {
    /// One document by id, whatever its status (callers decide who may see drafts).
    pub async fn article(&self, id: i64) -> Result<Option<ArticleRow>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
             WHERE a.id = $1"
        );
        sqlx::query_as::<Any, ArticleRow>(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading an article")
    }

    /// Several documents by id, whatever their status, in one query (search results). Ids that
    /// are not stored are left out; the order is the database's.
    pub async fn articles_by_ids(&self, ids: &[i64]) -> Result<Vec<ArticleRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
             WHERE a.id IN ({})",
            placeholders(ids.len())
        );
        let mut query = sqlx::query_as::<Any, ArticleRow>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        query
            .fetch_all(&self.pool)
            .await
            .context("reading articles by id")
    }

    /// Up to `limit` documents with ids above `after`, whatever their status, in id order: a
    /// rebuild of the index reads the library this way, a batch at a time (bounded memory, one
    /// query per batch, each an index range scan).
    pub async fn articles_after(&self, after: i64, limit: i64) -> Result<Vec<ArticleRow>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
             WHERE a.id > $1 ORDER BY a.id LIMIT $2"
        );
        sqlx::query_as::<Any, ArticleRow>(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .context("reading a batch of articles")
    }

    /// The tags of several documents, each list in name order.
    pub async fn tags_of_articles(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<String>>> {
        let mut tags: std::collections::HashMap<i64, Vec<String>> = Default::default();
        if ids.is_empty() {
            return Ok(tags);
        }
        let sql = format!(
            "SELECT at.article_id, t.name FROM tags t JOIN article_tags at ON at.tag_id = t.id \
             WHERE at.article_id IN ({}) ORDER BY at.article_id, t.name",
            placeholders(ids.len())
        );
        let mut query = sqlx::query_as::<Any, (i64, String)>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        for (id, name) in query
            .fetch_all(&self.pool)
            .await
            .context("reading the tags of articles")?
        {
            tags.entry(id).or_default().push(name);
        }
        Ok(tags)
    }

    /// Published documents, newest first, one page of them, and how many there are in all.
    pub async fn list_articles(
        &self,
        filter: &ListFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ArticleSummary>, i64)> {
        let mut conditions = Filter::default();
        conditions.require("a.status = 'published'");
        if let Some(category_id) = filter.category_id {
            let ids = self.category_subtree(category_id).await?;
            if ids.len() <= 1 {
                // A category with nothing under it, as most are: the plain condition lets the
                // planner walk the (category, date) index without sorting.
                conditions.push("a.category_id = ?", Bind::Int(category_id));
            } else {
                let list = ids
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                // Integers from the database, not input: safe to inline.
                conditions.require(&format!("a.category_id IN ({list})"));
            }
        }
        if let Some(tag) = &filter.tag {
            conditions.push(
                "a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id \
                 WHERE t.name = ?)",
                Bind::Text(tag.clone()),
            );
        }
        let where_clause = conditions.where_clause();
        let list_sql = format!(
            "SELECT {} FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
             {where_clause} ORDER BY a.published_on DESC, a.id DESC {}",
            summary_columns(),
            conditions.limit_offset()
        );
        let count_sql = format!("SELECT COUNT(*) FROM articles a {where_clause}");
        fetch_page(
            &self.pool,
            &list_sql,
            &count_sql,
            &conditions,
            (limit, offset),
            "listing articles",
        )
        .await
    }

    /// The tags of one document, in name order.
    pub async fn article_tags(&self, id: i64) -> Result<Vec<String>> {
        sqlx::query_scalar::<Any, String>(
            "SELECT t.name FROM tags t JOIN article_tags at ON at.tag_id = t.id \
             WHERE at.article_id = $1 ORDER BY t.name",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("reading an article's tags")
    }

    /// Number of stored documents, any status.
    pub async fn count_articles(&self) -> Result<i64> {
        sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM articles")
            .fetch_one(&self.pool)
            .await
            .context("counting articles")
    }

    /// All tags that label at least one published document: (name, slug, count).
    pub async fn tags_in_use(&self) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT t.name, COALESCE(t.slug, t.name), COUNT(*) AS n FROM tags t \
             JOIN article_tags at ON at.tag_id = t.id \
             JOIN articles a ON a.id = at.article_id WHERE a.status = 'published' \
             GROUP BY t.name, t.slug ORDER BY n DESC, t.name LIMIT 200",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing tags")?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()
            .context("reading tags")
    }

    /// The slug of every tag: (name, slug).
    pub async fn tag_slugs(&self) -> Result<Vec<(String, String)>> {
        sqlx::query_as::<Any, (String, String)>(
            "SELECT name, slug FROM tags WHERE slug IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading tag slugs")
    }

    /// The name of the tag with this slug.
    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<String>> {
        sqlx::query_scalar::<Any, String>("SELECT name FROM tags WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .context("reading a tag by slug")
    }

    /// The slug of the tag with this name (a tag's URL was its name before slugs).
    pub async fn tag_slug_of_name(&self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar::<Any, Option<String>>("SELECT slug FROM tags WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .context("reading a tag's slug")
            .map(Option::flatten)
    }
}

pub(crate) async fn id_by_hash(
    tx: &mut Transaction<'static, Any>,
    hash: &str,
) -> Result<Option<i64>> {
    sqlx::query_scalar::<Any, i64>("SELECT id FROM articles WHERE content_hash = $1")
        .bind(hash)
        .fetch_optional(&mut **tx)
        .await
        .context("looking up a content hash")
}

/// The id of the tag with this name, created with its pinyin slug when missing. As with
/// categories, ON CONFLICT DO NOTHING lets two importers create the same tag at once.
pub(crate) async fn ensure_tag(tx: &mut Transaction<'static, Any>, name: &str) -> Result<i64> {
    use crate::slugs::{base_slug, numbered, SlugKind};
    let base = base_slug(SlugKind::Tag, name);
    for n in 1..100 {
        let found = sqlx::query_scalar::<Any, i64>("SELECT id FROM tags WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await
            .context("reading a tag")?;
        if let Some(id) = found {
            return Ok(id);
        }
        let inserted = sqlx::query_scalar::<Any, i64>(
            "INSERT INTO tags (name, slug) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(numbered(&base, n))
        .fetch_optional(&mut **tx)
        .await
        .context("creating a tag")?;
        if let Some(id) = inserted {
            return Ok(id);
        }
    }
    Err(crate::StoreError::Conflict { what: "tag slug" })
}

impl Store {
    /// Ids of all documents, in id order (for rebuilding derived data).
    pub async fn article_ids(&self) -> Result<Vec<i64>> {
        sqlx::query_scalar::<Any, i64>("SELECT id FROM articles ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .context("listing article ids")
    }
}

impl Store {
    /// How many documents each status has (`draft`, `pending`, `published`, `hidden`), for the
    /// editorial desk's overview. Statuses with no documents are absent.
    pub async fn article_status_counts(&self) -> Result<Vec<(String, i64)>> {
        sqlx::query_as::<Any, (String, i64)>(
            "SELECT status, COUNT(*) FROM articles GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await
        .context("counting documents by status")
    }
}

/// `$1, $2, …, $n` for an `IN (…)` list.
pub(crate) fn placeholders(n: usize) -> String {
    placeholders_from(1, n)
}

/// `$first, …` for `n` values: a list after `first - 1` other parameters.
pub(crate) fn placeholders_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
