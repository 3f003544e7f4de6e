//! Storing an import batch in a few statements: one multi-row `INSERT` per table for many
//! documents at a time, where a document stored alone costs four or more (its row, its
//! fingerprint, the band lookup for its pairs, its change-feed row, two per tag). On PostgreSQL
//! every statement is a round trip, and those round trips bounded the import.
//!
//! The outcome is the one of storing the documents one by one, in order: the same ids (rows are
//! inserted in batch order), the same duplicates, tags, fingerprints, near-duplicate pairs and
//! change-feed rows.

use std::collections::{BTreeMap, HashMap};

use sqlx::{Any, Row, Transaction};

use crate::articles::{ensure_tag, id_by_hash, InsertOutcome, NewArticle};
use crate::error::Context;
use crate::near_duplicates::{
    fingerprints_sharing_a_band, simhash_bands, AskedBands, MAX_INDEXED_DISTANCE, SIMHASH_BANDS,
};
use crate::{Backend, Result, Store};

/// Documents per multi-row `INSERT` into `articles` (15 values each: well under SQLite's 32,766
/// and PostgreSQL's 65,535 parameters, and a statement of a few megabytes at most).
const ARTICLE_ROWS: usize = 200;
/// Rows per multi-row `INSERT` of the small tables (at most 6 values each).
const SMALL_ROWS: usize = 1_000;
/// Content hashes asked for per query.
const HASH_LOOKUP_CHUNK: usize = 500;

/// What a document of the batch is, before anything is written.
#[derive(Clone, Copy)]
enum Plan {
    /// Its content is stored already, under this id.
    Stored(i64),
    /// New: to insert.
    New,
    /// The same content as the earlier document at this index of the batch.
    SameAs(usize),
}

impl Store {
    /// Insert documents in one transaction, each with its tags and a change-feed row.
    ///
    /// A document whose content hash is already stored is not inserted again; its outcome names
    /// the existing id (a document twice in the batch: the first one's). Either the whole batch
    /// is stored or, on error, none of it.
    pub async fn insert_articles(
        &self,
        articles: &[NewArticle],
        now: i64,
    ) -> Result<Vec<InsertOutcome>> {
        let mut tx = self.begin_write().await?;
        let outcomes = insert_in(&mut tx, self.backend(), articles, now).await?;
        tx.commit().await.context("committing an import")?;
        Ok(outcomes)
    }
}

/// [`Store::insert_articles`] within `tx` (the editor's new document is a batch of one).
pub(crate) async fn insert_in(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    articles: &[NewArticle],
    now: i64,
) -> Result<Vec<InsertOutcome>> {
    let stored = stored_hashes(tx, backend, articles).await?;
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    let plans: Vec<Plan> = articles
        .iter()
        .enumerate()
        .map(|(i, article)| {
            let hash = article.content_hash.as_str();
            if let Some(id) = stored.get(hash) {
                return Plan::Stored(*id);
            }
            match first_of.get(hash) {
                Some(first) => Plan::SameAs(*first),
                None => {
                    first_of.insert(hash, i);
                    Plan::New
                }
            }
        })
        .collect();
    let new: Vec<usize> = (0..articles.len())
        .filter(|i| matches!(plans[*i], Plan::New))
        .collect();

    let categories = ensure_categories(tx, new.iter().map(|i| &articles[*i])).await?;
    let mut inserted: HashMap<String, i64> = HashMap::with_capacity(new.len());
    for chunk in new.chunks(ARTICLE_ROWS) {
        let rows: Vec<&NewArticle> = chunk.iter().map(|i| &articles[*i]).collect();
        inserted.extend(insert_rows(tx, backend, &rows, &categories, now).await?);
    }

    let mut outcomes: Vec<InsertOutcome> = Vec::with_capacity(articles.len());
    // The documents this batch stored, in batch order: (index, id).
    let mut stored_now: Vec<(usize, i64)> = Vec::with_capacity(new.len());
    for (i, plan) in plans.iter().enumerate() {
        let outcome = match *plan {
            Plan::Stored(id) => InsertOutcome::Duplicate(id),
            Plan::SameAs(first) => InsertOutcome::Duplicate(outcome_id(outcomes[first])),
            Plan::New => match inserted.get(&articles[i].content_hash) {
                Some(id) => {
                    stored_now.push((i, *id));
                    InsertOutcome::Inserted(*id)
                }
                // Another writer stored the same document between our check and our insert.
                None => match id_by_hash(tx, &articles[i].content_hash).await? {
                    Some(id) => InsertOutcome::Duplicate(id),
                    None => return Err(crate::StoreError::Conflict { what: "document" }),
                },
            },
        };
        outcomes.push(outcome);
    }

    insert_tags(tx, backend, articles, &stored_now).await?;
    let prints: Vec<(i64, u64)> = stored_now
        .iter()
        .filter_map(|(i, id)| articles[*i].simhash.map(|hash| (*id, hash)))
        .collect();
    insert_fingerprints(tx, backend, &prints).await?;
    let ids: Vec<i64> = stored_now.iter().map(|(_, id)| *id).collect();
    record_inserts(tx, backend, &ids, now).await?;
    Ok(outcomes)
}

fn outcome_id(outcome: InsertOutcome) -> i64 {
    match outcome {
        InsertOutcome::Inserted(id) | InsertOutcome::Duplicate(id) => id,
    }
}

/// The content hashes of `articles` already stored, with their ids.
async fn stored_hashes(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    articles: &[NewArticle],
) -> Result<HashMap<String, i64>> {
    let mut stored = HashMap::new();
    for chunk in articles.chunks(HASH_LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT content_hash, id FROM articles WHERE content_hash IN ({})",
            backend.placeholders(1, chunk.len()).join(", ")
        );
        let mut query = sqlx::query_as::<Any, (String, i64)>(&sql);
        for article in chunk {
            query = query.bind(&article.content_hash);
        }
        stored.extend(
            query
                .fetch_all(&mut **tx)
                .await
                .context("looking up the content hashes of a batch")?,
        );
    }
    Ok(stored)
}

/// The id of every category the documents name, found or made once per name.
async fn ensure_categories<'a>(
    tx: &mut Transaction<'static, Any>,
    articles: impl Iterator<Item = &'a NewArticle>,
) -> Result<HashMap<String, i64>> {
    let mut ids = HashMap::new();
    for article in articles {
        if let Some(name) = &article.category {
            if !ids.contains_key(name) {
                let id = crate::categories::ensure_in(tx, name).await?;
                ids.insert(name.clone(), id);
            }
        }
    }
    Ok(ids)
}

/// `($1, …, $k), ($k+1, …)`: `rows` groups of `per_row` placeholders.
fn value_groups(backend: Backend, rows: usize, per_row: usize) -> String {
    (0..rows)
        .map(|row| {
            format!(
                "({})",
                backend.placeholders(row * per_row + 1, per_row).join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Insert the rows of `articles` in one statement; the ids of those inserted, by content hash
/// (a row whose hash another writer stored meanwhile is left out, as `ON CONFLICT` skips it).
async fn insert_rows(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    articles: &[&NewArticle],
    categories: &HashMap<String, i64>,
    now: i64,
) -> Result<Vec<(String, i64)>> {
    // ON CONFLICT DO NOTHING instead of catching the violation: on PostgreSQL an error would abort
    // the whole transaction, and a concurrent writer of the same document is a normal event.
    let sql = format!(
        "INSERT INTO articles (title, body, published_on, category_id, access, status, preview_ratio, \
         preview_max, views_base, content_hash, source, external_id, created_at, updated_at, layout) \
         VALUES {} ON CONFLICT (content_hash) DO NOTHING RETURNING content_hash, id",
        value_groups(backend, articles.len(), 15)
    );
    let mut query = sqlx::query(&sql);
    for article in articles {
        let category_id = article
            .category
            .as_ref()
            .and_then(|name| categories.get(name).copied());
        query = query
            .bind(&article.title)
            .bind(&article.body)
            .bind(&article.published_on)
            .bind(category_id)
            .bind(&article.access)
            .bind(&article.status)
            .bind(article.preview_ratio)
            .bind(article.preview_max)
            .bind(article.views_base)
            .bind(&article.content_hash)
            .bind(&article.source)
            .bind(&article.external_id)
            .bind(now)
            .bind(now)
            .bind(&article.layout);
    }
    let rows = query
        .fetch_all(&mut **tx)
        .await
        .context("inserting a batch of articles")?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .context("reading the ids of inserted articles")
}

/// Tag the stored documents: each tag found or made once, then the links in a few statements.
async fn insert_tags(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    articles: &[NewArticle],
    stored_now: &[(usize, i64)],
) -> Result<()> {
    let mut tag_ids: HashMap<&str, i64> = HashMap::new();
    let mut links: Vec<(i64, i64)> = Vec::new();
    for (i, article_id) in stored_now {
        for tag in &articles[*i].tags {
            let tag_id = match tag_ids.get(tag.as_str()) {
                Some(id) => *id,
                None => {
                    let id = ensure_tag(tx, tag).await?;
                    tag_ids.insert(tag, id);
                    id
                }
            };
            links.push((*article_id, tag_id));
        }
    }
    // A tag named twice by one document is linked once (one statement may not insert a row twice
    // on PostgreSQL's ON CONFLICT).
    links.sort_unstable();
    links.dedup();
    for chunk in links.chunks(SMALL_ROWS) {
        let sql = format!(
            "INSERT INTO article_tags (article_id, tag_id) VALUES {} ON CONFLICT DO NOTHING",
            value_groups(backend, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (article_id, tag_id) in chunk {
            query = query.bind(*article_id).bind(*tag_id);
        }
        query
            .execute(&mut **tx)
            .await
            .context("tagging a batch of articles")?;
    }
    Ok(())
}

/// Store the fingerprints of documents just inserted (`(id, simhash)`) and the near-duplicate
/// pairs they form, with stored documents and with each other: the pairs each document's own
/// lookup after storing its fingerprint would have found.
async fn insert_fingerprints(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    prints: &[(i64, u64)],
) -> Result<()> {
    if prints.is_empty() {
        return Ok(());
    }
    let per_row = 2 + SIMHASH_BANDS;
    for chunk in prints.chunks(SMALL_ROWS) {
        let sql = format!(
            "INSERT INTO article_simhash (article_id, simhash, {}) VALUES {}",
            (0..SIMHASH_BANDS)
                .map(|band| format!("band{band}"))
                .collect::<Vec<_>>()
                .join(", "),
            value_groups(backend, chunk.len(), per_row)
        );
        let mut query = sqlx::query(&sql);
        for (id, hash) in chunk {
            query = query.bind(*id).bind(*hash as i64);
            for band in simhash_bands(*hash) {
                query = query.bind(band);
            }
        }
        query
            .execute(&mut **tx)
            .await
            .context("storing the fingerprints of a batch")?;
    }
    // Every stored fingerprint sharing a band with one of the batch, the batch's own included.
    // Within MAX_INDEXED_DISTANCE of each other, two fingerprints always share a band (there are
    // more bands than differing bits), so the distance alone decides a pair.
    let hashes: Vec<u64> = prints.iter().map(|(_, hash)| *hash).collect();
    let asked = AskedBands::new(hashes.iter().copied());
    let mut pairs: BTreeMap<(i64, i64), u32> = BTreeMap::new();
    for (other, other_hash) in fingerprints_sharing_a_band(tx, backend, &hashes).await? {
        for i in asked.sharing(other_hash) {
            let (id, hash) = prints[i];
            let distance = (other_hash ^ hash).count_ones();
            if other != id && distance <= MAX_INDEXED_DISTANCE {
                pairs.insert((id.min(other), id.max(other)), distance);
            }
        }
    }
    let pairs: Vec<((i64, i64), u32)> = pairs.into_iter().collect();
    for chunk in pairs.chunks(SMALL_ROWS) {
        let sql = format!(
            "INSERT INTO near_duplicate_pairs (article_a, article_b, distance) VALUES {} \
             ON CONFLICT (article_a, article_b) DO UPDATE SET distance = excluded.distance",
            value_groups(backend, chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for ((a, b), distance) in chunk {
            query = query.bind(*a).bind(*b).bind(i64::from(*distance));
        }
        query
            .execute(&mut **tx)
            .await
            .context("storing the near-duplicate pairs of a batch")?;
    }
    Ok(())
}

/// One change-feed row per inserted document, in batch order.
async fn record_inserts(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    ids: &[i64],
    now: i64,
) -> Result<()> {
    for chunk in ids.chunks(SMALL_ROWS) {
        let sql = format!(
            "INSERT INTO changes (article_id, kind, at) VALUES {}",
            value_groups(backend, chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id).bind("insert").bind(now);
        }
        query
            .execute(&mut **tx)
            .await
            .context("recording the changes of a batch")?;
    }
    Ok(())
}
