//! Near-duplicates: documents whose SimHash fingerprints (`wenyuan_text::simhash`) are at most
//! a few bits apart — the same text reordered, lightly edited, or anonymised (X/XX) — found
//! through the store's band index, never by comparing all documents.
//!
//! The importer holds a new near-duplicate as `pending` (see `import.rs`); editors settle the
//! pairs in the duplicates view: [`NearDuplicates::duplicate_pairs`] lists the undecided ones and
//! [`NearDuplicates::decide_pair`] records `keep`, `hide` or `merge`.
//!
//! Fingerprints are written with each document. [`NearDuplicates::fingerprint_changes`], run by the
//! background tasks, keeps them in step with the text: it follows the change feed and
//! fingerprints again every document that changed (an edit needs nothing more than the change it
//! records anyway); on a database that never had fingerprints it first runs
//! [`NearDuplicates::backfill_simhashes`] over all documents.

use serde::Serialize;
use wenyuan_store::{PairDecision, SimhashCandidate, MAX_INDEXED_DISTANCE};
use wenyuan_text::compare::{compare, MarkedParagraph};
use wenyuan_text::simhash::{hamming, simhash, similarity};

use std::sync::Arc;

use crate::context::Context;
use crate::desk::Refresh;
use crate::discovery::ViewCounting;
use crate::error::Missing;
use crate::{CoreError, Result};

pub mod hold;

/// Largest Hamming distance (of 64 bits) at which two documents count as near-duplicates, unless
/// the site sets another (`near_duplicate_distance`, at most [`MAX_INDEXED_DISTANCE`]). Chosen
/// from `bench/near_dup.sh`: at 3, about 95% of long reports with one sentence or paragraph
/// changed and 91% of anonymised ones stay within, while no two different reports of the same
/// kind (工作报告 of two years) come within 8 bits.
pub const DEFAULT_MAX_DISTANCE: u32 = 3;
/// Pairs per page of the duplicates view.
pub const PAIRS_PER_PAGE: i64 = 50;
/// Documents fingerprinted per round of the backfill.
const BACKFILL_BATCH: i64 = 200;
/// Changes read per round when following the feed.
const CHANGES_BATCH: i64 = 500;
/// The settings key holding the last change whose documents have their fingerprints.
const SIMHASH_CURSOR: &str = "cursor.simhash";

/// A stored document close to the one looked up.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NearDuplicate {
    pub id: i64,
    pub title: String,
    pub status: String,
    /// Bits in which the fingerprints differ.
    pub distance: u32,
    /// `1 − distance/64`.
    pub similarity: f64,
}

/// One side of a pair in the duplicates view.
#[derive(Debug, Clone, Serialize)]
pub struct PairDocument {
    pub id: i64,
    pub title: String,
    pub status: String,
}

/// Two near-duplicate documents; `older` has the smaller id (was stored first).
#[derive(Debug, Clone, Serialize)]
pub struct DuplicatePair {
    pub older: PairDocument,
    pub newer: PairDocument,
    pub distance: u32,
    pub similarity: f64,
    /// Both texts, paragraph by paragraph, with what differs marked (side by side on the page).
    pub older_text: Vec<MarkedParagraph>,
    pub newer_text: Vec<MarkedParagraph>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicatePairsPage {
    pub items: Vec<DuplicatePair>,
    /// At most [`wenyuan_store::PAIR_COUNT_CAP`]; `more` says there are more than that.
    pub total: i64,
    pub more: bool,
    pub page: i64,
    pub pages: i64,
}

/// The fingerprint of a document, computed off the async threads (segmentation is CPU work).
pub async fn fingerprint(title: &str, paragraphs: &[impl AsRef<str>]) -> Result<u64> {
    let title = title.to_owned();
    let paragraphs: Vec<String> = paragraphs.iter().map(|p| p.as_ref().to_owned()).collect();
    tokio::task::spawn_blocking(move || simhash(&title, &paragraphs))
        .await
        .map_err(|e| CoreError::Internal(format!("fingerprint task: {e}")))
}

/// Round a similarity for display (0.953125 → 0.953).
pub fn rounded(similarity: f64) -> f64 {
    (similarity * 1000.0).round() / 1000.0
}

/// Near-duplicate fingerprints and pairs, and the editors' decisions on them.
pub struct NearDuplicates {
    ctx: Context,
    views: Arc<ViewCounting>,
    refresh: Refresh,
}

impl NearDuplicates {
    pub(crate) fn new(ctx: Context, views: Arc<ViewCounting>, refresh: Refresh) -> Self {
        NearDuplicates {
            ctx,
            views,
            refresh,
        }
    }

    /// The distance within which documents are near-duplicates here.
    pub fn near_duplicate_distance(&self) -> u32 {
        self.ctx
            .settings()
            .near_duplicate_distance
            .min(MAX_INDEXED_DISTANCE)
    }

    /// Stored documents (any status) within [`NearDuplicates::near_duplicate_distance`] of the document
    /// `title` + `paragraphs`, closest first (then oldest first).
    pub async fn near_duplicates_of(
        &self,
        title: &str,
        paragraphs: &[impl AsRef<str>],
    ) -> Result<Vec<NearDuplicate>> {
        let hash = fingerprint(title, paragraphs).await?;
        self.near_duplicates_of_simhash(hash).await
    }

    /// As [`NearDuplicates::near_duplicates_of`], for a fingerprint already computed.
    pub async fn near_duplicates_of_simhash(&self, hash: u64) -> Result<Vec<NearDuplicate>> {
        let candidates = self.ctx.store.simhash_candidates(hash).await?;
        Ok(self.within_distance(hash, candidates.iter()))
    }

    /// The `candidates` within the near-duplicate distance of `hash`, closest first (then
    /// oldest first).
    pub(crate) fn within_distance<'a>(
        &self,
        hash: u64,
        candidates: impl Iterator<Item = &'a SimhashCandidate>,
    ) -> Vec<NearDuplicate> {
        let max = self.near_duplicate_distance();
        let mut found: Vec<NearDuplicate> = candidates
            .filter_map(|c| {
                let distance = hamming(hash, c.simhash);
                (distance <= max).then(|| NearDuplicate {
                    id: c.id,
                    title: c.title.clone(),
                    status: c.status.clone(),
                    distance,
                    similarity: rounded(similarity(hash, c.simhash)),
                })
            })
            .collect();
        found.sort_by(|a, b| a.distance.cmp(&b.distance).then(a.id.cmp(&b.id)));
        found
    }

    /// One page (from 1) of the pairs editors have not decided on, closest first, newest first;
    /// pairs with a hidden document are left out (one of them was already dealt with).
    pub async fn duplicate_pairs(&self, page: i64) -> Result<DuplicatePairsPage> {
        let page = page.clamp(1, 1_000_000);
        let (rows, total) = self
            .ctx
            .store
            .duplicate_pairs(
                self.near_duplicate_distance(),
                PAIRS_PER_PAGE,
                (page - 1) * PAIRS_PER_PAGE,
            )
            .await?;
        let ids: Vec<i64> = rows.iter().flat_map(|r| [r.a_id, r.b_id]).collect();
        let bodies: std::collections::HashMap<i64, String> = self
            .ctx
            .store
            .articles_by_ids(&ids)
            .await?
            .into_iter()
            .map(|row| (row.id, row.body))
            .collect();
        let paragraphs = |id: i64| -> Vec<&str> {
            bodies.get(&id).map_or_else(Vec::new, |body| {
                body.split('\n').filter(|p| !p.trim().is_empty()).collect()
            })
        };
        let items = rows
            .into_iter()
            .map(|r| {
                let (older_text, newer_text) = compare(&paragraphs(r.a_id), &paragraphs(r.b_id));
                (r, older_text, newer_text)
            })
            .map(|(r, older_text, newer_text)| DuplicatePair {
                older: PairDocument {
                    id: r.a_id,
                    title: r.a_title,
                    status: r.a_status,
                },
                newer: PairDocument {
                    id: r.b_id,
                    title: r.b_title,
                    status: r.b_status,
                },
                distance: r.distance,
                similarity: rounded(1.0 - f64::from(r.distance) / 64.0),
                older_text,
                newer_text,
            })
            .collect();
        let more = total > wenyuan_store::PAIR_COUNT_CAP;
        let total = total.min(wenyuan_store::PAIR_COUNT_CAP);
        Ok(DuplicatePairsPage {
            items,
            total,
            more,
            page,
            pages: ((total + PAIRS_PER_PAGE - 1) / PAIRS_PER_PAGE).max(1),
        })
    }

    /// Settle a pair of documents, in either order; the one with the larger id is the newer.
    ///
    /// - `keep`: both stay as they are; the pair leaves the list.
    /// - `hide`: the newer document's status becomes `hidden` (readers get 404; editors still see
    ///   it and can publish it again).
    /// - `merge`: as `hide`, and the newer document's views — its imported starting count, its
    ///   counted total and its per-day counts (so the hot lists follow) — are added to the older
    ///   one. Nothing else moves: tags, category and text of the older document stay its own.
    ///
    /// `by_user` is the deciding editor's user id, recorded with the decision.
    pub async fn decide_pair(
        &self,
        a: i64,
        b: i64,
        decision: PairDecision,
        by_user: Option<i64>,
    ) -> Result<()> {
        if a == b {
            return Err(CoreError::invalid(
                "decision",
                "一篇文档不能与自己成对（请选择两篇不同的文档）".to_owned(),
            ));
        }
        let (older, newer) = (a.min(b), a.max(b));
        for id in [older, newer] {
            if self.ctx.store.article(id).await?.is_none() {
                return Err(CoreError::NotFound(Missing::Document(id)));
            }
        }
        self.ctx
            .store
            .decide_duplicate_pair(older, newer, decision, by_user, self.ctx.now())
            .await?;
        if decision == PairDecision::Merge {
            if let Some(total) = self.ctx.store.article_views(older).await? {
                self.views.cache_total(older, total);
            }
        }
        // Pages and lists showing the hidden document must go now, not at the next feed poll.
        self.refresh.apply_changes().await?;
        Ok(())
    }

    /// Fingerprint documents that have none, a batch at a time until none is left. Returns how
    /// many were fingerprinted. Safe on several nodes at once (the writes are upserts). Reads
    /// every document's id: [`NearDuplicates::fingerprint_changes`] runs it once per database.
    pub async fn backfill_simhashes(&self) -> Result<usize> {
        let mut done = 0;
        loop {
            let batch = self
                .ctx
                .store
                .articles_without_simhash(BACKFILL_BATCH)
                .await?;
            let count = batch.len();
            for (id, title, body) in batch {
                let hash = fingerprint_of_stored(&title, &body).await?;
                self.ctx.store.set_simhash(id, Some(hash)).await?;
            }
            done += count;
            if count < BACKFILL_BATCH as usize {
                return Ok(done);
            }
        }
    }

    /// Bring the fingerprints up to date with the change feed: documents inserted without one
    /// get one, documents whose text changed get a new one (with their pairs), deleted ones lose
    /// theirs. The first run on a database (no cursor stored yet: an upgrade, or a new database)
    /// runs [`NearDuplicates::backfill_simhashes`] first. Returns how many fingerprints were written.
    pub async fn fingerprint_changes(&self) -> Result<usize> {
        let mut written = 0;
        let mut cursor: i64 = match self.ctx.store.setting(SIMHASH_CURSOR).await? {
            Some(value) => value.parse().unwrap_or(0),
            None => {
                // Changes up to here are covered by the backfill that follows.
                let head = self.ctx.store.last_change_id().await?;
                written += self.backfill_simhashes().await?;
                // Recorded at once: with no change after it, the loop below records nothing, and
                // the backfill (a scan of the whole library) would run again at every interval.
                self.ctx
                    .store
                    .set_setting(SIMHASH_CURSOR, &head.to_string())
                    .await?;
                head
            }
        };
        loop {
            let changes = self.ctx.store.changes_since(cursor, CHANGES_BATCH).await?;
            let Some(last) = changes.last().map(|c| c.id) else {
                break;
            };
            for change in &changes {
                written += usize::from(
                    self.refresh_simhash(change.article_id, &change.kind)
                        .await?,
                );
            }
            cursor = last;
            self.ctx
                .store
                .set_setting(SIMHASH_CURSOR, &cursor.to_string())
                .await?;
            if changes.len() < CHANGES_BATCH as usize {
                break;
            }
        }
        Ok(written)
    }

    /// Make the fingerprint of one changed document match its text; true when one was written.
    async fn refresh_simhash(&self, id: i64, kind: &str) -> Result<bool> {
        let stored = self.ctx.store.simhash(id).await?;
        // The importer writes the fingerprint with the document: an insert is done already.
        if kind == "insert" && stored.is_some() {
            return Ok(false);
        }
        let Some(row) = self.ctx.store.article(id).await? else {
            if stored.is_some() {
                self.ctx.store.set_simhash(id, None).await?;
            }
            return Ok(false);
        };
        let hash = fingerprint_of_stored(&row.title, &row.body).await?;
        if stored == Some(hash) {
            // A change of status or access: the pairs stay as they are.
            return Ok(false);
        }
        self.ctx.store.set_simhash(id, Some(hash)).await?;
        Ok(true)
    }
}

/// The fingerprint of a stored document. The stored body is the imported paragraphs joined by
/// newlines: split back the same way, it gives what the importer computed.
pub(crate) async fn fingerprint_of_stored(title: &str, body: &str) -> Result<u64> {
    let paragraphs: Vec<&str> = body.split('\n').collect();
    fingerprint(title, &paragraphs).await
}
