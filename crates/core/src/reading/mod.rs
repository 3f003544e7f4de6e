//! Reading: the catalogue as readers reach it. Parsed documents (cached, following the change
//! feed), the lists of the newest, a category's or a tag's documents, and the gate that decides
//! what each viewer sees of one ([`gate`], [`article_view`]).

pub mod article_view;
mod category_tree;
pub mod document;
pub mod gate;
pub mod list;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use wenyuan_store::ListFilter;

pub use article_view::{ArticleView, OutlineItem};
pub use category_tree::CategoryFamily;
pub use document::{Document, Paragraph};
pub use list::{CategoryItem, ListItem, ListPage};

use crate::cache::{Cache, Stamp};
use crate::context::Context;
use crate::error::Missing;
use crate::{CoreError, Result};

/// Parsed documents kept in memory, at most. Documents are at most a few hundred KB, so this
/// bounds the cache to tens of MB; past it the least used are evicted.
const DOCUMENT_CACHE_ENTRIES: usize = 2_000;
/// Changes read from the feed per round.
const CHANGES_PER_ROUND: i64 = 1_000;

pub struct Reading {
    ctx: Context,
    /// Parsed documents by id; an entry is removed when the change feed names its document.
    documents: Cache<i64, Arc<Document>>,
    /// The last change-feed id whose effects the caches have seen.
    applied_change: AtomicI64,
    /// Every tag's slug by name, for tag links (made once per generation).
    tag_slugs: Cache<(), Arc<HashMap<String, String>>>,
}

/// A tag as lists and pages link it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TagLink {
    pub name: String,
    /// Its URL is `/t/{slug}`.
    pub slug: String,
    /// Published documents carrying it (0 where not counted).
    pub count: i64,
}

impl Reading {
    pub(crate) async fn new(ctx: Context) -> Result<Self> {
        // Changes before start-up are already in the database; caches start empty.
        let head = ctx.store.last_change_id().await?;
        Ok(Reading {
            ctx,
            documents: Cache::keyed_by_change(DOCUMENT_CACHE_ENTRIES),
            applied_change: AtomicI64::new(head),
            tag_slugs: Cache::new(1),
        })
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            generation: self.ctx.generation(),
            now: self.ctx.now(),
        }
    }

    /// The parsed document, from the cache or the database. Unpublished documents are returned
    /// too; callers decide who may see them.
    pub async fn document(&self, id: i64) -> Result<Arc<Document>> {
        let stamp = self.stamp();
        if let Some(doc) = self.documents.get(&id, stamp) {
            return Ok(doc);
        }
        let row = self
            .ctx
            .store
            .article(id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Document(id)))?;
        let tags = self.ctx.store.article_tags(id).await?;
        let doc = Arc::new(Document::from_row(row, tags));
        self.documents.insert(id, stamp, doc.clone());
        Ok(doc)
    }

    /// A published document, as readers reach it. Drafts and hidden documents are "not found"
    /// for everyone but staff.
    pub async fn readable_document(&self, id: i64, staff: bool) -> Result<Arc<Document>> {
        let doc = self.document(id).await?;
        if doc.is_published() || staff {
            Ok(doc)
        } else {
            Err(CoreError::NotFound(Missing::Document(id)))
        }
    }

    /// The published ones among `ids`, in the order of `ids`, read in one batch for what the
    /// cache does not hold. Ids that are gone or unpublished are left out (the search index may
    /// be a moment behind the database); a database error is an error.
    pub async fn published_documents(&self, ids: &[i64]) -> Result<Vec<Arc<Document>>> {
        let stamp = self.stamp();
        let mut found: HashMap<i64, Arc<Document>> = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for &id in ids {
            match self.documents.get(&id, stamp) {
                Some(doc) => {
                    found.insert(id, doc);
                }
                None => missing.push(id),
            }
        }
        if !missing.is_empty() {
            let rows = self.ctx.store.articles_by_ids(&missing).await?;
            let mut tags = self.ctx.store.tags_of_articles(&missing).await?;
            for row in rows {
                let id = row.id;
                let doc = Arc::new(Document::from_row(
                    row,
                    tags.remove(&id).unwrap_or_default(),
                ));
                self.documents.insert(id, stamp, doc.clone());
                found.insert(id, doc);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .filter(|doc| doc.is_published())
            .collect())
    }

    pub async fn latest(&self, page: i64) -> Result<ListPage> {
        self.list(&ListFilter::default(), page).await
    }

    pub async fn list(&self, filter: &ListFilter, page: i64) -> Result<ListPage> {
        let size = self.ctx.settings().page_size.max(1);
        // Absurd page numbers are clamped, not trusted into an OFFSET.
        let page = page.clamp(1, 1_000_000);
        let (rows, total) = self
            .ctx
            .store
            .list_articles(filter, size, (page - 1) * size)
            .await?;
        Ok(ListPage {
            items: rows.into_iter().map(ListItem::from).collect(),
            total,
            page,
            pages: ((total + size - 1) / size).max(1),
        })
    }

    /// How many documents each status has, for the editorial desk's overview.
    pub async fn status_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(self.ctx.store.article_status_counts().await?)
    }

    /// How many documents are stored, whatever their status.
    pub async fn count_documents(&self) -> Result<i64> {
        Ok(self.ctx.store.count_articles().await?)
    }

    /// The menu: top-level categories holding published documents, each counting everything
    /// under it.
    pub async fn categories(&self) -> Result<Vec<CategoryItem>> {
        Ok(self.category_tree().await?.menu())
    }

    /// The categories above the category `id` and those just under it.
    pub async fn category_family(&self, id: i64) -> Result<CategoryFamily> {
        Ok(self.category_tree().await?.family(id))
    }

    async fn category_tree(&self) -> Result<category_tree::CategoryTree> {
        Ok(category_tree::CategoryTree::new(
            self.ctx.store.categories().await?,
        ))
    }

    /// The newest documents the editors feature (推荐), at most `limit`.
    pub async fn featured(&self, limit: i64) -> Result<Vec<ListItem>> {
        Ok(self
            .ctx
            .store
            .featured_articles(limit)
            .await?
            .into_iter()
            .map(ListItem::from)
            .collect())
    }

    pub async fn category(&self, slug: &str) -> Result<(i64, CategoryItem)> {
        let row = self
            .ctx
            .store
            .category_by_slug(slug)
            .await?
            .ok_or_else(|| CoreError::NotFound(Missing::Category(slug.to_owned())))?;
        Ok((row.id, row.into()))
    }

    /// A category named by its slug or by its name (the JSON API's filters).
    pub async fn category_by_slug_or_name(&self, key: &str) -> Result<(i64, CategoryItem)> {
        let row = self
            .ctx
            .store
            .category_by_slug_or_name(key)
            .await?
            .ok_or_else(|| CoreError::NotFound(Missing::Category(key.to_owned())))?;
        Ok((row.id, row.into()))
    }

    /// The current slug of a category that was once at `old` (renamed at the desk, or moved to
    /// pinyin), so its old URLs answer 301.
    pub async fn moved_category(&self, old: &str) -> Result<Option<String>> {
        Ok(self
            .ctx
            .store
            .moved_slug(wenyuan_store::SlugKind::Category, old)
            .await?)
    }

    /// Tags of published documents, most used first.
    pub async fn tags(&self) -> Result<Vec<TagLink>> {
        Ok(self
            .ctx
            .store
            .tags_in_use()
            .await?
            .into_iter()
            .map(|(name, slug, count)| TagLink { name, slug, count })
            .collect())
    }

    /// `names` with their slugs, for links (`/t/{slug}`). A tag without a slug (none should be
    /// left after start-up) is linked by its name, which redirects.
    pub async fn tag_links(&self, names: &[String]) -> Result<Vec<TagLink>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let slugs = self
            .tag_slugs
            .get_or_make(&(), self.stamp(), || async {
                let pairs = self.ctx.store.tag_slugs().await?;
                Ok::<_, CoreError>(Arc::new(pairs.into_iter().collect::<HashMap<_, _>>()))
            })
            .await?;
        Ok(names
            .iter()
            .map(|name| TagLink {
                slug: slugs.get(name).cloned().unwrap_or_else(|| name.clone()),
                name: name.clone(),
                count: 0,
            })
            .collect())
    }

    /// The name of the tag at `/t/{slug}`.
    pub async fn tag_by_slug(&self, slug: &str) -> Result<String> {
        self.ctx
            .store
            .tag_by_slug(slug)
            .await?
            .ok_or_else(|| CoreError::NotFound(Missing::TagSlug(slug.to_owned())))
    }

    /// The current slug of a tag once at `/t/{old}`: a slug it gave up (renamed, merged) or,
    /// from before slugs, its name.
    pub async fn moved_tag(&self, old: &str) -> Result<Option<String>> {
        let store = &self.ctx.store;
        if let Some(slug) = store.moved_slug(wenyuan_store::SlugKind::Tag, old).await? {
            return Ok(Some(slug));
        }
        Ok(store.tag_slug_of_name(old).await?)
    }

    /// Apply the change feed to the caches: drop every document that changed since the last call
    /// and bump the generation. The server calls this about once a second, so a change made by
    /// another process (an import from the CLI, another node) shows within a second. Returns how
    /// many changes were applied.
    pub async fn apply_changes(&self) -> Result<usize> {
        let mut applied = 0;
        loop {
            let after = self.applied_change.load(Ordering::Acquire);
            let changes = self
                .ctx
                .store
                .changes_since(after, CHANGES_PER_ROUND)
                .await?;
            let Some(last) = changes.last() else {
                break;
            };
            for change in &changes {
                self.documents.remove(&change.article_id);
            }
            self.applied_change.store(last.id, Ordering::Release);
            self.ctx.bump_generation();
            applied += changes.len();
            if (changes.len() as i64) < CHANGES_PER_ROUND {
                break;
            }
        }
        Ok(applied)
    }
}
