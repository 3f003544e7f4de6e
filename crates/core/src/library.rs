//! The library: documents, lists and their caches, over one store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use serde::Serialize;
use wenyuan_store::{ArticleSummary, CategoryRow, ListFilter, Store};

use crate::contact::RateLimiter;
use crate::document::Document;
use crate::hot::HotCache;
use crate::related::RelatedCache;
use crate::statistics::SearchMissCounter;
use crate::views::{ViewCounter, VisitorKeys};
use crate::{Clock, CoreError, Result, SiteSettings};

/// Upper bound of parsed documents kept in memory; past it the cache is emptied and refilled by
/// use. Documents are at most a few hundred KB, so this bounds the cache to tens of MB.
const DOCUMENT_CACHE_LIMIT: usize = 2_000;

/// The services' shared state. Cheap to share behind an `Arc`.
pub struct Library {
    pub store: Store,
    /// The live settings: swapped whole when an admin saves new ones, so a reader holding the old
    /// `Arc` finishes its request with a consistent set. Read through [`Library::settings`].
    settings: RwLock<Arc<SiteSettings>>,
    /// The admin's saved settings as last read, so a periodic re-read only swaps on a change.
    pub(crate) stored_settings: std::sync::Mutex<Option<HashMap<String, String>>>,
    pub clock: Arc<dyn Clock>,
    documents: RwLock<HashMap<i64, Arc<Document>>>,
    /// The last change-feed id whose effects the caches have seen.
    applied_change: AtomicI64,
    /// Bumped on every applied change, so derived caches (rendered pages, lists) know to refresh.
    generation: AtomicI64,
    /// Views counted in memory, flushed by [`Library::flush_views`].
    pub views: ViewCounter,
    pub(crate) hot_cache: HotCache,
    pub(crate) related_cache: RelatedCache,
    pub(crate) keywords_lock: tokio::sync::Mutex<()>,
    /// The search index, when this process serves search (see [`Library::attach_index`]).
    pub(crate) search_index: std::sync::OnceLock<Arc<wenyuan_search::SearchIndex>>,
    pub(crate) index_lock: tokio::sync::Mutex<()>,
    /// Per-address limit of the contact form (in memory: each node limits on its own).
    pub(crate) message_limiter: RateLimiter,
    /// Searches that found nothing, counted here and flushed with the views.
    pub(crate) search_misses: SearchMissCounter,
}

/// A page of a document list.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage {
    pub items: Vec<ListItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub category: Option<String>,
    pub category_slug: Option<String>,
    pub access: String,
    pub views: i64,
    /// The start of the first paragraph: every viewer may read it (the preview always holds it).
    pub lead: String,
}

impl From<ArticleSummary> for ListItem {
    fn from(s: ArticleSummary) -> Self {
        let lead = s.lead.split('\n').next().unwrap_or("").trim();
        let lead: String = lead.chars().take(90).collect();
        ListItem {
            id: s.id,
            title: s.title,
            date: s.published_on,
            category: s.category_name,
            category_slug: s.category_slug,
            access: s.access,
            views: s.views,
            lead,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryItem {
    pub name: String,
    pub slug: String,
    pub articles: i64,
}

impl From<CategoryRow> for CategoryItem {
    fn from(c: CategoryRow) -> Self {
        CategoryItem {
            name: c.name,
            slug: c.slug,
            articles: c.articles,
        }
    }
}

impl Library {
    pub async fn new(store: Store, settings: SiteSettings, clock: Arc<dyn Clock>) -> Result<Self> {
        // Changes before start-up are already in the database; caches start empty.
        let head = store.last_change_id().await?;
        Ok(Library {
            views: ViewCounter::new(settings.utc_offset),
            hot_cache: HotCache::default(),
            related_cache: RelatedCache::default(),
            keywords_lock: tokio::sync::Mutex::new(()),
            search_index: std::sync::OnceLock::new(),
            index_lock: tokio::sync::Mutex::new(()),
            store,
            settings: RwLock::new(Arc::new(settings)),
            stored_settings: std::sync::Mutex::new(None),
            clock,
            documents: RwLock::new(HashMap::new()),
            applied_change: AtomicI64::new(head),
            generation: AtomicI64::new(0),
            message_limiter: RateLimiter::for_messages(),
            search_misses: SearchMissCounter::default(),
        })
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The settings in force now. Cheap (one reference count); hold it for one request at most,
    /// so a change an admin saves shows on the next one.
    pub fn settings(&self) -> Arc<SiteSettings> {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Put new settings in force, and bump the generation so that pages rendered with the old
    /// ones (the guest page cache, lists) are rendered again.
    pub fn replace_settings(&self, settings: SiteSettings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(settings);
        self.bump_generation();
    }

    /// A changing number: when it moves, anything derived from documents must be rebuilt.
    pub fn generation(&self) -> i64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Invalidate everything derived from documents (rendered pages, lists, related lists).
    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Record a read by a visitor; returns whether it counted (see [`crate::views`]).
    pub fn count_view(&self, id: i64, visitor: &VisitorKeys) -> bool {
        self.views.record(id, visitor, self.now())
    }

    /// The view count to show: stored total plus views counted here and not yet flushed.
    pub async fn views_of(&self, id: i64) -> Result<i64> {
        if let Some(shown) = self.views.shown_total(id) {
            return Ok(shown);
        }
        let total = self.store.article_views(id).await?.unwrap_or(0);
        self.views.cache_total(id, total);
        Ok(total + self.views.pending_for(id))
    }

    /// Write the counted views to the database. On failure they stay pending for the next try.
    /// Returns how many views were written.
    pub async fn flush_views(&self) -> Result<i64> {
        let batch = self.views.take_pending();
        if batch.is_empty() {
            return Ok(0);
        }
        match self.store.add_views(&batch).await {
            Ok(()) => {
                self.views.flushed(&batch, self.now());
                Ok(batch.iter().map(|(_, _, n)| n).sum())
            }
            Err(err) => {
                self.views.restore_pending(batch);
                Err(err.into())
            }
        }
    }

    /// The parsed document, from the cache or the database. Unpublished documents are returned
    /// too; callers decide who may see them.
    pub async fn document(&self, id: i64) -> Result<Arc<Document>> {
        if let Some(doc) = self.read_cache().get(&id) {
            return Ok(doc.clone());
        }
        let row = self
            .store
            .article(id)
            .await?
            .ok_or(CoreError::NotFound("没有这篇文档（文档不存在或已删除）"))?;
        let tags = self.store.article_tags(id).await?;
        let doc = Arc::new(Document::from_row(row, tags));
        let mut cache = self.write_cache();
        if cache.len() >= DOCUMENT_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(id, doc.clone());
        Ok(doc)
    }

    /// A published document, as readers reach it. Drafts and hidden documents are "not found"
    /// for everyone but staff.
    pub async fn readable_document(&self, id: i64, staff: bool) -> Result<Arc<Document>> {
        let doc = self.document(id).await?;
        if doc.is_published() || staff {
            Ok(doc)
        } else {
            Err(CoreError::NotFound("没有这篇文档（文档不存在或已删除）"))
        }
    }

    pub async fn latest(&self, page: i64) -> Result<ListPage> {
        self.list(&ListFilter::default(), page).await
    }

    pub async fn list(&self, filter: &ListFilter, page: i64) -> Result<ListPage> {
        let size = self.settings().page_size.max(1);
        // Absurd page numbers are clamped, not trusted into an OFFSET.
        let page = page.clamp(1, 1_000_000);
        let (rows, total) = self
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
        Ok(self.store.article_status_counts().await?)
    }

    pub async fn categories(&self) -> Result<Vec<CategoryItem>> {
        Ok(self
            .store
            .categories()
            .await?
            .into_iter()
            .map(CategoryItem::from)
            .collect())
    }

    pub async fn category(&self, slug: &str) -> Result<(i64, CategoryItem)> {
        let row = self
            .store
            .category_by_slug(slug)
            .await?
            .ok_or(CoreError::NotFound("没有这个栏目"))?;
        Ok((row.id, row.into()))
    }

    pub async fn tags(&self) -> Result<Vec<(String, i64)>> {
        Ok(self.store.tags_in_use().await?)
    }

    /// Apply the change feed to the caches: drop every document that changed since the last call.
    /// The server calls this about once a second, so a change made by another process (an import
    /// from the CLI, another node) shows within a second. Returns how many changes were applied.
    pub async fn apply_changes(&self) -> Result<usize> {
        let mut applied = 0;
        loop {
            let after = self.applied_change.load(Ordering::Acquire);
            let changes = self.store.changes_since(after, 1_000).await?;
            let Some(last) = changes.last() else {
                break;
            };
            {
                let mut cache = self.write_cache();
                for change in &changes {
                    cache.remove(&change.article_id);
                }
            }
            self.applied_change.store(last.id, Ordering::Release);
            self.bump_generation();
            applied += changes.len();
            if changes.len() < 1_000 {
                break;
            }
        }
        Ok(applied)
    }

    fn read_cache(&self) -> std::sync::RwLockReadGuard<'_, HashMap<i64, Arc<Document>>> {
        // A panic while holding the lock leaves a usable map; keep serving.
        self.documents.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_cache(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<i64, Arc<Document>>> {
        self.documents.write().unwrap_or_else(|e| e.into_inner())
    }
}
