//! Search: keeping the index in step with the database, and answering queries through the gate.

pub mod misses;
pub mod readiness;
pub mod snippet;
pub mod synonyms;
pub mod title_marks;

use rayon::prelude::*;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use serde::Serialize;
use wenyuan_search::{Filing, IndexDoc, Popularity, SearchIndex, SearchRequest, Synonyms};
use wenyuan_store::ArticleRow;

use self::misses::{normalise_query, SearchMissCounter};
use self::readiness::{CatchUpLog, IndexProgress, IndexStatus};
use self::snippet::{snippet, Snippet};
use self::synonyms::SynonymNote;
use self::title_marks::title_html;
use crate::context::Context;
use crate::limits::RateLimiter;
use crate::reading::gate::gate;
use crate::reading::{Document, Reading};
use crate::{Access, CoreError, Result, Role, SiteSettings, Status};

/// The window of views that orders equally good matches, in site-local days.
const POPULAR_DAYS: u64 = 30;
/// Changes applied per index commit.
const INDEX_BATCH: i64 = 500;
/// Documents read per query in a rebuild, and analysed (on all cores) per batch.
const REBUILD_BATCH: i64 = 1_000;
/// The window of the search limit: `search_per_minute` searches per address within it.
const LIMIT_WINDOW_SECONDS: i64 = 60;
/// Suggestions come as a reader types (titles only, cheap): this many times the search limit.
const SUGGEST_FACTOR: usize = 4;
/// Addresses each limiter remembers at most.
const LIMITER_MAX_KEYS: usize = 50_000;
/// The version of what the gate shows as a preview, beyond the rule's numbers: bump it when the
/// gate cuts previews differently, so that indexed previews are made again (see `preview_key`).
const PREVIEW_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub id: i64,
    pub title: String,
    /// HTML: the title escaped, with what the query matched (characters, pinyin, initials) in
    /// `<mark>`.
    pub title_html: String,
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<SearchHit>,
    pub page: usize,
    pub pages: usize,
    /// Set when the query was too long and only its start was used.
    pub truncated: bool,
    /// Set while this node's index is still catching up with the library (a new node, a big
    /// import): the results may miss documents, and the page says so.
    pub index_catching_up: bool,
    /// Set when nothing matched the query as typed and the hits match its words instead (all
    /// of them, or the most of them): the page says so with [`PARTIAL_NOTICE`].
    pub partial: bool,
    /// What the page shows above relaxed hits, `None` for hits that match as typed.
    pub notice: Option<&'static str>,
    /// Matches per category, most first (when asked for): links that add the filter.
    pub facets: Vec<Facet>,
    /// The synonyms that found documents (「已包含同义词：…」).
    pub synonyms: Vec<SynonymNote>,
    /// When nothing matched as typed: titles that read like the query (a homophone typo).
    pub closest: Vec<Suggestion>,
    /// When nothing matched at all: the query without its rarest word, which finds something.
    pub without_rarest: Option<String>,
}

/// One category's count of matches.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Facet {
    pub category: String,
    pub count: usize,
}

/// The words above hits that match only part of a query (see [`SearchPage::partial`]).
pub const PARTIAL_NOTICE: &str = "未找到完全匹配，以下为部分匹配";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// Searches per address (`None`: `search_per_minute = 0`, no limit).
    searches: Option<RateLimiter>,
    /// Suggestions per address.
    suggestions: Option<RateLimiter>,
    /// How far the index has followed the change feed, as the indexing loop last saw it.
    progress: IndexProgress,
    /// The site's synonyms in force on this node (see `synonyms`).
    synonyms: parking_lot::RwLock<Arc<Synonyms>>,
}

impl Search {
    pub(crate) fn new(ctx: Context, reading: Arc<Reading>) -> Self {
        let per_minute = ctx.settings().search_per_minute;
        let limiter =
            |n: usize| (n > 0).then(|| RateLimiter::new(n, LIMIT_WINDOW_SECONDS, LIMITER_MAX_KEYS));
        Search {
            ctx,
            reading,
            index: OnceLock::new(),
            indexing: tokio::sync::Mutex::new(()),
            misses: SearchMissCounter::default(),
            searches: limiter(per_minute),
            suggestions: limiter(per_minute.saturating_mul(SUGGEST_FACTOR)),
            progress: IndexProgress::default(),
            synonyms: parking_lot::RwLock::new(Arc::new(Synonyms::default())),
        }
    }

    /// Count a search from address `ip`, or refuse it with [`CoreError::TooMany`]. Only searches
    /// for words count: a list by filters alone matches no text. The limit keeps a script from
    /// asking the index millions of questions (what one query may match is decided by the rule of
    /// `wenyuan_search::query::Scope`; this bounds how many a client asks).
    pub fn admit_search(&self, ip: &str, request: &SearchRequest) -> Result<()> {
        if wenyuan_search::parse(&request.query).must.is_empty() {
            return Ok(());
        }
        self.admit(self.searches.as_ref(), ip, "搜索")
    }

    /// Count a request for suggestions from address `ip` (a more generous limit: they come as a
    /// reader types).
    pub fn admit_suggest(&self, ip: &str) -> Result<()> {
        self.admit(self.suggestions.as_ref(), ip, "搜索提示")
    }

    fn admit(&self, limiter: Option<&RateLimiter>, ip: &str, what: &str) -> Result<()> {
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter.check(ip, self.ctx.now()).map_err(|wait| {
            CoreError::TooMany(format!(
                "{what}太频繁了，请约 {wait} 秒后再试（同一网络每分钟最多 {} 次）",
                limiter.limit()
            ))
        })
    }

    /// Give the service its search index (the server does; the CLI's import does not need one).
    pub fn attach_index(&self, index: Arc<SearchIndex>) {
        if let Ok(applied) = index.applied_change() {
            self.progress.applied_seen.store(applied, Ordering::Release);
        }
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
        // One snapshot of the settings for the round: every preview it indexes is made by one rule.
        let settings = self.ctx.settings();
        let rule = preview_key(&settings);
        if index.preview_rule() != rule {
            self.index_previews(&index, &settings, &rule).await?;
        }
        let mut applied = 0;
        let head = self.ctx.store.last_change_id().await?;
        self.progress.head_seen.store(head, Ordering::Release);
        if index.is_empty()? && head > INDEX_BATCH {
            // A new node or a lost index: the library in one pass in id order, as `wenyuan
            // reindex` files it, rather than replaying the whole feed a batch and a commit at a
            // time. It reaches the feed's head as of now; the loop below applies what came after.
            let log = parking_lot::Mutex::new(CatchUpLog::start(0, head));
            let filled = self
                .rebuild_index(&|total, done| log.lock().counted(done as i64, total as i64))
                .await?;
            log.lock().finished(head);
            applied += filled as usize;
        }
        let mut log = CatchUpLog::start(index.applied_change()?, head);
        loop {
            let after = index.applied_change()?;
            self.progress.applied_seen.store(after, Ordering::Release);
            log.reached(after);
            let changes = self.ctx.store.changes_since(after, INDEX_BATCH).await?;
            let Some(last) = changes.last().map(|c| c.id) else {
                break;
            };
            let mut ids: Vec<i64> = changes.iter().map(|c| c.article_id).collect();
            ids.sort_unstable();
            ids.dedup();
            // One query for the batch's documents, one for their tags, one for their keywords.
            let mut rows = self.ctx.store.articles_by_ids(&ids).await?;
            rows.sort_unstable_by_key(|r| r.id);
            let stored = self.stored(rows).await?;
            let index = index.clone();
            let rule = rule.clone();
            let settings = settings.clone();
            tokio::task::spawn_blocking(move || -> Result<()> {
                let docs = index_docs_of(&stored, &settings);
                // Gone, or no longer published: out of the index.
                for id in &ids {
                    if docs.binary_search_by_key(id, |d| d.id).is_err() {
                        index.delete(*id)?;
                    }
                }
                index.upsert_many(&docs, Filing::Replace)?;
                Ok(index.commit(last, &rule)?)
            })
            .await
            .map_err(|e| CoreError::Internal(format!("index task: {e}")))??;
            applied += changes.len();
            if (changes.len() as i64) < INDEX_BATCH {
                break;
            }
        }
        let reached = index.applied_change()?;
        self.progress.applied_seen.store(reached, Ordering::Release);
        self.progress
            .caught_up_at
            .store(self.ctx.now(), Ordering::Release);
        log.finished(reached);
        Ok(applied)
    }

    /// Whether this node's index has caught up with the change feed (`/readyz`), read fresh
    /// from the database and the index.
    pub async fn index_status(&self) -> Result<IndexStatus> {
        let head = self.ctx.store.last_change_id().await?;
        let applied = self.index()?.applied_change()?;
        Ok(self.progress.status(head, applied, self.ctx.now()))
    }

    /// Index the previews of every gated document again, under the preview rule `rule` now in
    /// force (an admin changed the preview length), then record that rule. Until then searches
    /// match no preview (see `wenyuan_search::query::Scope`), so a preview that shrank is never
    /// matched by its old length.
    async fn index_previews(
        &self,
        index: &Arc<SearchIndex>,
        settings: &SiteSettings,
        rule: &str,
    ) -> Result<()> {
        let applied = index.applied_change()?;
        if index.num_docs() > 0 {
            tracing::info!(
                rule,
                "the preview rule changed; indexing the previews of gated documents again"
            );
            for chunk in self
                .ctx
                .store
                .article_ids()
                .await?
                .chunks(INDEX_BATCH as usize)
            {
                let mut docs = Vec::with_capacity(chunk.len());
                for id in chunk {
                    if let Some(doc) = self.index_doc(*id, settings).await? {
                        if !doc.preview.is_empty() {
                            docs.push(doc);
                        }
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
            }
        }
        let index = index.clone();
        let rule = rule.to_owned();
        tokio::task::spawn_blocking(move || index.commit(applied, &rule))
            .await
            .map_err(|e| CoreError::Internal(format!("index task: {e}")))??;
        Ok(())
    }

    /// What the index holds of a document: `None` when it should not be found (gone, draft).
    /// Its preview is what the gate shows `settings`' readers who may not read it all.
    async fn index_doc(&self, id: i64, settings: &SiteSettings) -> Result<Option<IndexDoc>> {
        let Some(row) = self.ctx.store.article(id).await? else {
            return Ok(None);
        };
        if row.status != Status::Published.as_str() {
            return Ok(None);
        }
        let stored = Stored {
            tags: self.ctx.store.article_tags(id).await?,
            keywords: self.ctx.store.keywords(id).await?,
            row,
        };
        Ok(index_doc_of(&stored, settings))
    }

    /// The tags and keywords of a batch of documents, read in one query each.
    async fn stored(&self, rows: Vec<ArticleRow>) -> Result<Vec<Stored>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut tags = self.ctx.store.tags_of_articles(&ids).await?;
        let mut keywords = self.ctx.store.keywords_of_articles(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| Stored {
                tags: tags.remove(&row.id).unwrap_or_default(),
                keywords: keywords.remove(&row.id).unwrap_or_default(),
                row,
            })
            .collect())
    }

    /// Rebuild the whole index from the database (`wenyuan reindex`), and merge it into one
    /// segment. `progress` is told the total once and then each document done.
    pub async fn rebuild_index(&self, progress: &(dyn Fn(u64, u64) + Send + Sync)) -> Result<u64> {
        let index = self.index()?.clone();
        index.set_background_merges(false)?;
        let settings = self.ctx.settings();
        let rule = preview_key(&settings);
        let head = self.ctx.store.last_change_id().await?;
        let total = u64::try_from(self.ctx.store.count_articles().await?).unwrap_or_default();
        // Into an empty index (`wenyuan reindex` starts from none) no document replaces another.
        let filing = match index.num_docs() == 0 && index.applied_change()? == 0 {
            true => Filing::New,
            false => Filing::Replace,
        };
        let mut done = 0;
        let mut after = 0;
        // The batch being analysed and filed while the next one is read: at most two batches
        // of documents in memory, whatever the size of the library.
        let mut filing_batch: Option<tokio::task::JoinHandle<Result<u64>>> = None;
        loop {
            let rows = self.ctx.store.articles_after(after, REBUILD_BATCH).await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.id;
            let stored = self.stored(rows).await?;
            if let Some(batch) = filing_batch.take() {
                done += filed(batch).await?;
                progress(total.max(done), done);
            }
            let index = index.clone();
            let settings = settings.clone();
            filing_batch = Some(tokio::task::spawn_blocking(move || -> Result<u64> {
                let docs = index_docs_of(&stored, &settings);
                index.upsert_many(&docs, filing)?;
                Ok(stored.len() as u64)
            }));
        }
        if let Some(batch) = filing_batch.take() {
            done += filed(batch).await?;
            progress(total.max(done), done);
        }
        let committing = index.clone();
        tokio::task::spawn_blocking(move || committing.commit(head, &rule))
            .await
            .map_err(|e| CoreError::Internal(format!("index task: {e}")))??;
        // Searchable from here: searches stop saying the index is being built (the merge below
        // takes minutes on a large library, and searching does not wait for it).
        self.progress.applied_seen.store(head, Ordering::Release);
        let merging = index.clone();
        tokio::task::spawn_blocking(move || {
            merging.merge_segments()?;
            merging.set_background_merges(true)
        })
        .await
        .map_err(|e| CoreError::Internal(format!("index task: {e}")))??;
        Ok(done)
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
        let mut owned = request.clone();
        owned.readable = readable_levels(role);
        owned.preview_rule = preview_key(&self.ctx.settings());
        owned.fallback = true;
        owned.synonyms = self.synonyms();
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
                title_html: title_html(&doc.title, &terms),
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
        let mut synonyms: Vec<SynonymNote> = Vec::new();
        for e in &results.expansions {
            let note = SynonymNote {
                from: e.from.clone(),
                to: e.to.clone(),
            };
            if !synonyms.contains(&note) {
                synonyms.push(note);
            }
        }
        let closest = self.titles_of(&results.closest).await?;
        // A first page with nothing for a plain query is a gap editors may fill; with filters
        // the filter may be what emptied it, so those are not counted.
        let partial = results.relaxed.is_some();
        if (results.total == 0 || partial) && request.offset == 0 && is_unfiltered(request) {
            self.record_miss(&request.query);
        }
        // For /metrics (no-ops unless the server installed a recorder).
        metrics::histogram!("wenyuan_search_duration_seconds").record(started.elapsed());
        metrics::counter!("wenyuan_searches_total").increment(1);
        if results.total == 0 {
            metrics::counter!("wenyuan_search_zero_results_total").increment(1);
        }
        let size = request.limit.max(1);
        Ok(SearchPage {
            total: results.total,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            hits,
            page,
            pages: results.total.div_ceil(size).max(1),
            truncated: results.parsed.truncated,
            // As the indexing loop last saw it (no query per search; the loop looks every
            // moment, /readyz reads fresh figures).
            index_catching_up: !self.progress.last_seen(self.ctx.now()).ready,
            partial,
            notice: partial.then_some(PARTIAL_NOTICE),
            facets: results
                .facets
                .into_iter()
                .map(|(category, count)| Facet { category, count })
                .collect(),
            synonyms,
            closest,
            without_rarest: results.without_rarest,
        })
    }

    /// Titles for the search box.
    pub async fn suggest(&self, prefix: &str) -> Result<Vec<Suggestion>> {
        let index = self.index()?.clone();
        let prefix = prefix.to_owned();
        let ids = tokio::task::spawn_blocking(move || index.suggest(&prefix, 8))
            .await
            .map_err(|e| CoreError::Internal(format!("suggest task: {e}")))??;
        self.titles_of(&ids).await
    }

    /// Read the views of the last 30 site-local days into the index's ranking (the background
    /// loop calls this every minute: the order among equally good matches may lag that much).
    pub async fn refresh_popularity(&self) -> Result<()> {
        let Some(index) = self.index.get() else {
            return Ok(());
        };
        let today = self.ctx.local_today();
        let since = today
            .checked_sub_days(chrono::Days::new(POPULAR_DAYS - 1))
            .unwrap_or(today);
        let views = self
            .ctx
            .store
            .views_since(&since.format("%Y-%m-%d").to_string())
            .await?;
        let today = today.format("%Y-%m-%d").to_string();
        index.set_popularity(Popularity::new(views, &today));
        Ok(())
    }

    /// The published documents among `ids`, as suggestions (titles only), in that order.
    async fn titles_of(&self, ids: &[i64]) -> Result<Vec<Suggestion>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .reading
            .published_documents(ids)
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

/// The preview rule in force, as the index records it: indexed previews made by another are
/// indexed again.
fn preview_key(site: &SiteSettings) -> String {
    format!(
        "v{PREVIEW_VERSION}/{}/{}",
        site.preview_ratio, site.preview_max_chars
    )
}

/// A reader who may not read a document of this access level in full (`None` for public ones).
/// The gate shows every such reader the same preview — a guest of a member document and a member
/// of a VIP document alike — so one preview per document is indexed.
/// What the index needs of a stored document.
struct Stored {
    row: ArticleRow,
    tags: Vec<String>,
    keywords: Vec<(String, f64)>,
}

/// What the index holds of a stored document (`None` unless it is published). Pure CPU work
/// (outline, the gate's preview, keyword pinyin), so batches of documents run it on all cores.
/// What the index holds of each stored document (those to find), in order, made on all cores.
fn index_docs_of(stored: &[Stored], settings: &SiteSettings) -> Vec<IndexDoc> {
    stored
        .par_iter()
        .filter_map(|s| index_doc_of(s, settings))
        .collect()
}

fn index_doc_of(stored: &Stored, settings: &SiteSettings) -> Option<IndexDoc> {
    let row = &stored.row;
    if row.status != Status::Published.as_str() {
        return None;
    }
    let doc = Document::from_row(row.clone(), stored.tags.clone());
    let mut keyword_pinyin = Vec::new();
    for (keyword, _) in stored.keywords.iter().take(8) {
        let (full, initials) = wenyuan_text::pinyin::word_pinyin(keyword);
        keyword_pinyin.extend([full, initials].into_iter().filter(|k| !k.is_empty()));
    }
    let preview = match outsider(doc.access) {
        None => String::new(),
        Some(role) => {
            let view = gate(role, &doc, settings);
            let lines: Vec<String> = view.visible.iter().map(|p| p.full_text()).collect();
            lines.join("\n")
        }
    };
    Some(IndexDoc {
        id: row.id,
        title: row.title.clone(),
        outline: doc.outline.iter().map(|h| h.text.clone()).collect(),
        body: row.body.clone(),
        preview,
        category: row.category_name.clone(),
        tags: stored.tags.clone(),
        access: row.access.clone(),
        date: row.published_on.clone(),
        views: row.views,
        keyword_pinyin,
    })
}

/// Wait for a batch given to the writer; how many stored documents it held.
async fn filed(batch: tokio::task::JoinHandle<Result<u64>>) -> Result<u64> {
    batch
        .await
        .map_err(|e| CoreError::Internal(format!("index task: {e}")))?
}

fn outsider(access: Access) -> Option<Role> {
    match access {
        Access::Public => None,
        Access::Member => Some(Role::Guest),
        Access::Vip => Some(Role::Member),
    }
}

/// The access levels `role` reads in full, for the index (`None`: all of them).
fn readable_levels(role: Role) -> Option<Vec<String>> {
    let all = [Access::Public, Access::Member, Access::Vip];
    if all.iter().all(|a| role.can_read(*a)) {
        return None;
    }
    Some(
        all.iter()
            .filter(|a| role.can_read(**a))
            .map(|a| a.as_str().to_owned())
            .collect(),
    )
}

fn is_unfiltered(request: &SearchRequest) -> bool {
    request.category.is_none()
        && request.tag.is_none()
        && request.access.is_none()
        && request.date_from.is_none()
        && request.date_to.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenyuan_store::ArticleRow;

    fn doc(access: &str, paragraphs: usize) -> Document {
        let body: Vec<String> = (0..paragraphs)
            .map(|i| format!("第{i}段，这是一段用来测试预览长度的正文内容。"))
            .collect();
        Document::from_row(
            ArticleRow {
                id: 7,
                title: "测试".into(),
                body: body.join("\n"),
                published_on: "2024-01-01".into(),
                category_name: None,
                category_slug: None,
                access: access.into(),
                status: Status::Published.as_str().into(),
                preview_ratio: None,
                preview_max: None,
                views: 0,
                updated_at: 0,
                layout: None,
            },
            vec![],
        )
    }

    fn visible(role: Role, doc: &Document) -> Vec<String> {
        gate(role, doc, &SiteSettings::default())
            .visible
            .iter()
            .map(|p| p.full_text())
            .collect()
    }

    /// The index holds one preview per document: that is right only if the gate shows every
    /// reader who may not read a document the same part of it.
    #[test]
    fn every_reader_kept_out_of_a_document_sees_the_outsiders_preview() {
        let roles = [
            Role::Guest,
            Role::Member,
            Role::Vip,
            Role::Editor,
            Role::Admin,
        ];
        for access in [Access::Public, Access::Member, Access::Vip] {
            for paragraphs in [1, 2, 10] {
                let d = doc(access.as_str(), paragraphs);
                let shared = outsider(access).map(|role| visible(role, &d));
                for role in roles {
                    if role.can_read(access) {
                        assert!(!gate(role, &d, &SiteSettings::default()).gated);
                    } else {
                        assert_eq!(Some(visible(role, &d)), shared, "{role:?} on {access:?}");
                    }
                }
                assert_eq!(shared.is_none(), access == Access::Public);
            }
        }
        assert_eq!(
            readable_levels(Role::Guest),
            Some(vec!["public".to_owned()])
        );
        assert_eq!(
            readable_levels(Role::Member),
            Some(vec!["public".to_owned(), "member".to_owned()])
        );
        assert_eq!(readable_levels(Role::Vip), None);
        assert_eq!(readable_levels(Role::Editor), None);
    }
}
