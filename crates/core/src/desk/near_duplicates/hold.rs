//! Holding near-duplicates at import: a new document within the near-duplicate distance of a
//! stored one, or of an earlier document of the same batch, is stored as `pending` (not
//! published) and reported with the document it resembles. Exact duplicates (same content hash)
//! are still skipped by the store.
//!
//! The check reads the band index before the batch's write transaction, so two imports running
//! at the same moment may each let through a near-duplicate of the other's document; the pair is
//! still recorded (the store writes pairs with the fingerprints) and shows in the duplicates view.

use rayon::prelude::*;
use serde::Serialize;

use wenyuan_store::{InsertOutcome, NewArticle};
use wenyuan_text::simhash::{hamming, simhash, similarity};

use super::NearDuplicates;
use super::{rounded, NearDuplicate};
use crate::{CoreError, Result};

/// What happened to one imported document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Stored and published as asked.
    Inserted { id: i64 },
    /// Not stored: the same text is already stored under `of`.
    Duplicate { of: i64 },
    /// Stored, but close to `of`: `held` says whether it waits as `pending` for an editor (the
    /// default) or was published anyway (`--allow-near-duplicates`).
    NearDuplicate {
        id: i64,
        of: NearDuplicate,
        held: bool,
    },
}

impl ImportOutcome {
    /// The id of the stored document, or of the one it duplicates.
    pub fn id(&self) -> i64 {
        match self {
            ImportOutcome::Inserted { id } | ImportOutcome::NearDuplicate { id, .. } => *id,
            ImportOutcome::Duplicate { of } => *of,
        }
    }
}

/// What a document of the batch resembles, before the batch is stored.
enum Resembles {
    Stored(NearDuplicate),
    /// An earlier document of the same batch, by index, at this distance.
    InBatch(usize, u32),
}

/// Documents with their fingerprints, ready for [`NearDuplicates::insert_fingerprinted`]: the
/// CPU work of a batch, which an import does for the next batch while this one is stored.
pub struct FingerprintedBatch {
    articles: Vec<NewArticle>,
    prints: Vec<u64>,
}

impl FingerprintedBatch {
    /// Fingerprint `articles`, in one blocking task on all cores.
    pub async fn of(articles: Vec<NewArticle>) -> Result<Self> {
        let prints = fingerprints(&articles).await?;
        Ok(FingerprintedBatch { articles, prints })
    }
}

impl NearDuplicates {
    /// Store `batch` in one transaction, holding near-duplicates as `pending` unless
    /// `allow_near_duplicates`. One outcome per document, in order.
    pub async fn insert_checked(
        &self,
        batch: Vec<NewArticle>,
        allow_near_duplicates: bool,
    ) -> Result<Vec<ImportOutcome>> {
        let batch = FingerprintedBatch::of(batch).await?;
        self.insert_fingerprinted(batch, allow_near_duplicates)
            .await
    }

    /// [`NearDuplicates::insert_checked`] of a batch fingerprinted beforehand.
    pub async fn insert_fingerprinted(
        &self,
        batch: FingerprintedBatch,
        allow_near_duplicates: bool,
    ) -> Result<Vec<ImportOutcome>> {
        let FingerprintedBatch {
            articles: mut batch,
            prints,
        } = batch;
        let max = self.near_duplicate_distance();
        // The stored documents near any of the batch, read at once; among them, those near one
        // document are the ones its own lookup would have found.
        let near = self
            .ctx
            .store
            .simhash_neighbours_of_many(&prints, max)
            .await?;
        let mut resembles: Vec<Option<Resembles>> = Vec::with_capacity(batch.len());
        for (i, hash) in prints.iter().enumerate() {
            let stored = self.within_distance(*hash, near.iter()).into_iter().next();
            let in_batch = prints[..i]
                .iter()
                .enumerate()
                .map(|(j, earlier)| (j, hamming(*hash, *earlier)))
                .filter(|(_, d)| *d <= max)
                .min_by_key(|(j, d)| (*d, *j));
            resembles.push(match (stored, in_batch) {
                (Some(s), Some((j, d))) if d < s.distance => Some(Resembles::InBatch(j, d)),
                (Some(s), _) => Some(Resembles::Stored(s)),
                (None, Some((j, d))) => Some(Resembles::InBatch(j, d)),
                (None, None) => None,
            });
        }
        for (article, (hash, found)) in batch.iter_mut().zip(prints.iter().zip(&resembles)) {
            article.simhash = Some(*hash);
            if found.is_some() && !allow_near_duplicates {
                article.status = "pending".to_owned();
            }
        }
        let outcomes = self
            .ctx
            .store
            .insert_articles(&batch, self.ctx.now())
            .await?;
        if outcomes.len() != batch.len() {
            return Err(CoreError::Internal(
                "the store returned an outcome per document of another batch".to_owned(),
            ));
        }
        let mut results = Vec::with_capacity(outcomes.len());
        for (i, outcome) in outcomes.iter().enumerate() {
            results.push(match (*outcome, resembles[i].take()) {
                (InsertOutcome::Duplicate(of), _) => ImportOutcome::Duplicate { of },
                (InsertOutcome::Inserted(id), None) => ImportOutcome::Inserted { id },
                (InsertOutcome::Inserted(id), Some(Resembles::Stored(of))) => {
                    ImportOutcome::NearDuplicate {
                        id,
                        of,
                        held: !allow_near_duplicates,
                    }
                }
                (InsertOutcome::Inserted(id), Some(Resembles::InBatch(j, distance))) => {
                    let earlier = &batch[j];
                    ImportOutcome::NearDuplicate {
                        id,
                        of: NearDuplicate {
                            // Stored under its own id, or skipped as a duplicate of this one.
                            id: insert_outcome_id(outcomes[j]),
                            title: earlier.title.clone(),
                            status: earlier.status.clone(),
                            distance,
                            similarity: rounded(similarity(prints[i], prints[j])),
                        },
                        held: !allow_near_duplicates,
                    }
                }
            });
        }
        Ok(results)
    }
}

fn insert_outcome_id(outcome: InsertOutcome) -> i64 {
    match outcome {
        InsertOutcome::Inserted(id) | InsertOutcome::Duplicate(id) => id,
    }
}

/// Fingerprints of a batch, computed in one blocking task on all cores (segmentation is CPU
/// work, a third of an import's time on one core).
async fn fingerprints(batch: &[NewArticle]) -> Result<Vec<u64>> {
    let texts: Vec<(String, String)> = batch
        .iter()
        .map(|a| (a.title.clone(), a.body.clone()))
        .collect();
    tokio::task::spawn_blocking(move || {
        texts
            .par_iter()
            .map(|(title, body)| simhash(title, &body.split('\n').collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| CoreError::Internal(format!("fingerprint task: {e}")))
}
