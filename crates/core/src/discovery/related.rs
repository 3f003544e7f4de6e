//! 相关内容: documents most similar to a given one — cosine similarity of TF-IDF keyword vectors,
//! boosted by the same category and shared tags. Keywords are derived data: a background task
//! follows the change feed and (re)computes them; the lists are computed on demand and cached
//! until the library changes.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use serde::Serialize;
use wenyuan_text::keywords::{keywords, KEYWORDS_PER_DOCUMENT};

use crate::cache::{Cache, Stamp};
use crate::context::Context;
use crate::{CoreError, Result, Status};

/// Candidates read from the database before boosting and cutting to the list length.
const CANDIDATES: i64 = 60;
/// A candidate this similar is the same text under another title: not "related", a duplicate.
const DUPLICATE_SIMILARITY: f64 = 0.98;
const SAME_CATEGORY_BOOST: f64 = 0.15;
const SHARED_TAG_BOOST: f64 = 0.05;
const MAX_TAG_BOOST: f64 = 0.15;
/// The settings key holding the last change applied to the keywords.
const KEYWORDS_CURSOR: &str = "cursor.keywords";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelatedItem {
    pub id: i64,
    pub title: String,
    pub access: String,
    pub score: f64,
}

/// Related lists kept (one per document read recently).
const LISTS_CACHED: usize = 10_000;

/// 相关内容: the lists, and the keywords they are computed from.
pub struct Related {
    ctx: Context,
    /// The 20 best of each document, cut to what a caller asks for.
    lists: Cache<i64, Arc<Vec<RelatedItem>>>,
    /// One derivation at a time in this process (the background task and an explicit call).
    deriving: tokio::sync::Mutex<()>,
}

impl Related {
    pub(crate) fn new(ctx: Context) -> Self {
        Related {
            ctx,
            lists: Cache::new(LISTS_CACHED),
            deriving: tokio::sync::Mutex::new(()),
        }
    }

    /// The `n` documents most related to `id` (published ones, never itself nor a duplicate).
    pub async fn related(&self, id: i64, n: usize) -> Result<Arc<Vec<RelatedItem>>> {
        let stamp = Stamp {
            generation: self.ctx.generation(),
            now: self.ctx.now(),
        };
        let list = self
            .lists
            .get_or_make(&id, stamp, || async {
                let category = self.ctx.store.article_category_id(id).await?;
                let candidates = self
                    .ctx
                    .store
                    .related_candidates(id, CANDIDATES, DUPLICATE_SIMILARITY)
                    .await?;
                let mut items: Vec<RelatedItem> = candidates
                    .into_iter()
                    .map(|c| {
                        let mut score = c.similarity;
                        if category.is_some() && c.category_id == category {
                            score += SAME_CATEGORY_BOOST;
                        }
                        score += (c.shared_tags as f64 * SHARED_TAG_BOOST).min(MAX_TAG_BOOST);
                        RelatedItem {
                            id: c.id,
                            title: c.title,
                            access: c.access,
                            score: (score * 1000.0).round() / 1000.0,
                        }
                    })
                    .collect();
                items.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id)));
                items.truncate(20);
                let list = Arc::new(items);
                Ok::<_, CoreError>(list)
            })
            .await?;
        Ok(Arc::new(list.iter().take(n).cloned().collect()))
    }

    /// Bring the keywords up to date with the change feed. Returns how many documents were
    /// (re)computed. Safe to run on several nodes at once: each document's keywords are replaced
    /// whole, in one transaction.
    pub async fn derive_keywords(&self) -> Result<usize> {
        let _running = self.deriving.lock().await;
        let store = &self.ctx.store;
        let mut cursor: i64 = store
            .setting(KEYWORDS_CURSOR)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut derived = 0;
        loop {
            let changes = store.changes_since(cursor, 500).await?;
            let Some(last) = changes.last().map(|c| c.id) else {
                break;
            };
            let mut ids: Vec<i64> = changes.iter().map(|c| c.article_id).collect();
            ids.sort_unstable();
            ids.dedup();
            // The batch's documents in one query, their keywords on all cores, stored in one
            // transaction; a document gone or not published gets none.
            let rows = store.articles_by_ids(&ids).await?;
            let texts: Vec<(i64, String, String)> = rows
                .into_iter()
                .filter(|row| row.status == Status::Published.as_str())
                .map(|row| (row.id, row.title, row.body))
                .collect();
            let mut found: HashMap<i64, Vec<(String, f64)>> =
                tokio::task::spawn_blocking(move || {
                    texts
                        .par_iter()
                        .map(|(id, title, body)| {
                            (*id, keywords(title, body, KEYWORDS_PER_DOCUMENT))
                        })
                        .collect()
                })
                .await
                .map_err(|e| CoreError::Internal(format!("keyword task: {e}")))?;
            let batch: Vec<(i64, Vec<(String, f64)>)> = ids
                .iter()
                .map(|id| (*id, found.remove(id).unwrap_or_default()))
                .collect();
            store.set_keywords_of_many(&batch).await?;
            derived += batch.len();
            cursor = last;
            store
                .set_setting(KEYWORDS_CURSOR, &cursor.to_string())
                .await?;
            if changes.len() < 500 {
                break;
            }
        }
        if derived > 0 {
            // Related lists computed before these keywords existed are stale now.
            self.ctx.bump_generation();
        }
        Ok(derived)
    }
}
