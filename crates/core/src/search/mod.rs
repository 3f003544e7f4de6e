//! Search: keeping the index in step with the database, and answering queries through the gate.

pub mod misses;
pub mod snippet;

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use serde::Serialize;
use wenyuan_search::{IndexDoc, SearchIndex, SearchRequest};

use self::misses::{normalise_query, SearchMissCounter};
use self::snippet::{snippet, Snippet};
use crate::context::Context;
use crate::reading::gate::gate;
use crate::reading::{Document, Reading};
use crate::{CoreError, Result, Role, Status};

/// Changes applied per index commit.
const INDEX_BATCH: i64 = 500;

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub id: i64,
    pub title: String,
    /// HTML: escaped text with `<mark>`ed matches, from what the viewer may read.
    pub snippet: String,
    /// The paragraph to link to (`/a/{id}#p-N`), when the match is in readable body text.
    pub paragraph: Option<usize>,
    pub score: f32,
    pub date: String,
    pub category: Option<String>,
    pub access: String,
    /// True when the document is gated for this viewer.
    pub gated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<SearchHit>,
    pub page: usize,
    pub pages: usize,
    /// Set when the query was too long and only its start was used.
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: i64,
    pub title: String,
}

/// The search service: the index (when this process has one), the reading service to load hits
/// through, and the count of searches that found nothing.
pub struct Search {
    ctx: Context,
    reading: Arc<Reading>,
    index: OnceLock<Arc<SearchIndex>>,
    /// One writer of the index at a time in this process (the background loop, an edit).
    indexing: tokio::sync::Mutex<()>,
    misses: SearchMissCounter,
}

impl Search {
    pub(crate) fn new(ctx: Context, reading: Arc<Reading>) -> Self {
        Search {
            ctx,
            reading,
            index: OnceLock::new(),
            indexing: tokio::sync::Mutex::new(()),
            misses: SearchMissCounter::default(),
        }
    }

    /// Give the service its search index (the server does; the CLI's import does not need one).
    pub fn attach_index(&self, index: Arc<SearchIndex>) {
        let _ = self.index.set(index);
    }

    pub fn has_index(&self) -> bool {
        self.index.get().is_some()
    }

    pub fn index(&self) -> Result<&Arc<SearchIndex>> {
        self.index.get().ok_or_else(|| CoreError::Unavailable {
            message: "搜索暂时不可用，请稍后再试",
            cause: "no search index is attached to this process".to_owned(),
        })
    }

    /// Apply the change feed to the index, committing every batch with the change id it reaches.
    /// After a crash the index resumes from its last commit. Returns how many changes it applied.
    pub async fn index_changes(&self) -> Result<usize> {
        let index = self.index()?.clone();
        let _running = self.indexing.lock().await;
        let mut applied = 0;
        loop {
            let after = index.applied_change()?;
            let changes = self.ctx.store.changes_since(after, INDEX_BATCH).await?;
            let Some(last) = changes.last().map(|c| c.id) else {
                break;
            };
            let mut ids: Vec<i64> = changes.iter().map(|c| c.article_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut docs = Vec::with_capacity(ids.len());
            for id in &ids {
                docs.push((*id, self.index_doc(*id).await?));
            }
            let index = index.clone();
            tokio::task::spawn_blocking(move || -> Result<()> {
                for (id, doc) in docs {
                    match doc {
                        Some(doc) => index.upsert(&doc),
                        None => index.delete(id),
                    }?;
                }
                Ok(index.commit(last)?)
            })
            .await
            .map_err(|e| CoreError::Internal(format!("index task: {e}")))??;
            applied += changes.len();
            if (changes.len() as i64) < INDEX_BATCH {
                break;
            }
        }
        Ok(applied)
    }

    /// What the index holds of a document: `None` when it should not be found (gone, draft).
    async fn index_doc(&self, id: i64) -> Result<Option<IndexDoc>> {
        let Some(row) = self.ctx.store.article(id).await? else {
            return Ok(None);
        };
        if row.status != Status::Published.as_str() {
            return Ok(None);
        }
        let tags = self.ctx.store.article_tags(id).await?;
        let doc = Document::from_row(row.clone(), tags.clone());
        let mut keyword_pinyin = Vec::new();
        for (keyword, _) in self.ctx.store.keywords(id).await?.iter().take(8) {
            let (full, initials) = wenyuan_text::pinyin::word_pinyin(keyword);
            keyword_pinyin.extend([full, initials].into_iter().filter(|k| !k.is_empty()));
        }
        Ok(Some(IndexDoc {
            id,
            title: row.title,
            outline: doc.outline.iter().map(|h| h.text.clone()).collect(),
            body: row.body,
            category: row.category_name,
            tags,
            access: row.access,
            date: row.published_on,
            views: row.views,
            keyword_pinyin,
        }))
    }

    /// Rebuild the whole index from the database (`wenyuan reindex`), and merge it into one
    /// segment. `progress` is told the total once and then each document done.
    pub async fn rebuild_index(&self, progress: &(dyn Fn(u64, u64) + Send + Sync)) -> Result<u64> {
        let index = self.index()?.clone();
        index.set_background_merges(false)?;
        let head = self.ctx.store.last_change_id().await?;
        let ids = self.ctx.store.article_ids().await?;
        let total = ids.len() as u64;
        let mut done = 0;
        for chunk in ids.chunks(INDEX_BATCH as usize) {
            let mut docs = Vec::with_capacity(chunk.len());
            for id in chunk {
                if let Some(doc) = self.index_doc(*id).await? {
                    docs.push(doc);
                }
            }
            let index = index.clone();
            tokio::task::spawn_blocking(move || -> Result<()> {
                for doc in &docs {
                    index.upsert(doc)?;
                }
                Ok(())
            })
            .await
            .map_err(|e| CoreError::Internal(format!("index task: {e}")))??;
            done += chunk.len() as u64;
            progress(total, done);
        }
        let committing = index.clone();
        tokio::task::spawn_blocking(move || {
            committing.commit(head)?;
            committing.merge_segments()?;
            committing.set_background_merges(true)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("index task: {e}")))??;
        Ok(total)
    }

    /// Search as `role` sees the library: snippets only from what that viewer may read.
    pub async fn search(
        &self,
        role: Role,
        request: &SearchRequest,
        page: usize,
    ) -> Result<SearchPage> {
        let started = Instant::now();
        let index = self.index()?.clone();
        let owned = request.clone();
        let results = tokio::task::spawn_blocking(move || index.search(&owned))
            .await
            .map_err(|e| CoreError::Internal(format!("search task: {e}")))??;
        let terms = results.parsed.highlights();
        let settings = self.ctx.settings();
        let ids: Vec<i64> = results.hits.iter().map(|(id, _)| *id).collect();
        // One batch for the page; the index may be a moment behind the database, so what is gone
        // or unpublished is left out (a database error is an error, not "gone").
        let docs = self.reading.published_documents(&ids).await?;
        let scores: std::collections::HashMap<i64, f32> = results.hits.iter().copied().collect();
        let mut hits = Vec::with_capacity(docs.len());
        for doc in docs {
            let id = doc.id;
            let score = scores.get(&id).copied().unwrap_or_default();
            let view = gate(role, &doc, &settings);
            let headings: Vec<String> = doc.outline.iter().map(|h| h.text.clone()).collect();
            let Snippet { html, paragraph } = snippet(&view.visible, &headings, &terms);
            hits.push(SearchHit {
                id,
                title: doc.title.clone(),
                snippet: html,
                paragraph,
                score,
                date: doc.published_on.clone(),
                category: doc.category_name.clone(),
                access: doc.access.as_str().to_owned(),
                gated: view.gated,
            });
        }
        // A first page with nothing for a plain query is a gap editors may fill; with filters
        // the filter may be what emptied it, so those are not counted.
        if results.total == 0 && request.offset == 0 && is_unfiltered(request) {
            self.record_miss(&request.query);
        }
        let size = request.limit.max(1);
        Ok(SearchPage {
            total: results.total,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            hits,
            page,
            pages: results.total.div_ceil(size).max(1),
            truncated: results.parsed.truncated,
        })
    }

    /// Titles for the search box.
    pub async fn suggest(&self, prefix: &str) -> Result<Vec<Suggestion>> {
        let index = self.index()?.clone();
        let prefix = prefix.to_owned();
        let ids = tokio::task::spawn_blocking(move || index.suggest(&prefix, 8))
            .await
            .map_err(|e| CoreError::Internal(format!("suggest task: {e}")))??;
        Ok(self
            .reading
            .published_documents(&ids)
            .await?
            .into_iter()
            .map(|doc| Suggestion {
                id: doc.id,
                title: doc.title.clone(),
            })
            .collect())
    }

    /// Note a search that found nothing (no I/O: written by [`Search::flush_misses`]).
    pub fn record_miss(&self, query: &str) {
        if let Some(query) = normalise_query(query) {
            self.misses.record(query, self.ctx.now());
        }
    }

    /// Write the counted searches-with-no-results; on failure they stay for the next try.
    /// Returns how many searches were written.
    pub async fn flush_misses(&self) -> Result<i64> {
        let batch = self.misses.take();
        if batch.is_empty() {
            return Ok(0);
        }
        match self.ctx.store.add_search_misses(&batch).await {
            Ok(()) => Ok(batch.iter().map(|(_, n, _)| n).sum()),
            Err(err) => {
                self.misses.restore(batch);
                Err(err.into())
            }
        }
    }
}

fn is_unfiltered(request: &SearchRequest) -> bool {
    request.category.is_none()
        && request.tag.is_none()
        && request.access.is_none()
        && request.date_from.is_none()
        && request.date_to.is_none()
}
