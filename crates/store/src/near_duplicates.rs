//! SimHash fingerprints, the band index over them, the near-duplicate pairs found through it and
//! the editors' decisions on those pairs.
//!
//! The index is the pigeonhole trick: the 64 bits are cut into [`SIMHASH_BANDS`] bands; two
//! fingerprints at most [`MAX_INDEXED_DISTANCE`] bits apart (one fewer than the bands) agree
//! exactly on at least one band, so looking up the rows that share a band with a fingerprint finds
//! every fingerprint within that distance, and few others. Each band is an indexed column.
//!
//! Whenever a fingerprint is written, the pairs it forms with the stored ones (within
//! [`MAX_INDEXED_DISTANCE`]) are written in the same transaction. The duplicates view then reads
//! pairs instead of comparing all documents with each other.

use std::collections::HashMap;

use sqlx::{Any, Row, Transaction};

use crate::error::Context;
use crate::{Backend, Result, Store};

/// Bands of the index (see the migration `0004_near_duplicates.sql`, which has one column each).
pub const SIMHASH_BANDS: usize = 4;
/// The largest distance the band index finds every pair within.
pub const MAX_INDEXED_DISTANCE: u32 = SIMHASH_BANDS as u32 - 1;

/// A stored document whose fingerprint shares a band with the one looked up.
#[derive(Debug, Clone)]
pub struct SimhashCandidate {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub simhash: u64,
}

/// A pair of near-duplicate documents, `a` the older (smaller id).
#[derive(Debug, Clone)]
pub struct DuplicatePairRow {
    pub a_id: i64,
    pub a_title: String,
    pub a_status: String,
    pub b_id: i64,
    pub b_title: String,
    pub b_status: String,
    pub distance: u32,
}

/// What an editor decided about a pair of near-duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairDecision {
    /// Both documents stay; the pair leaves the list.
    Keep,
    /// The newer document is hidden.
    Hide,
    /// The newer document is hidden and its views are added to the older one.
    Merge,
}

impl PairDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            PairDecision::Keep => "keep",
            PairDecision::Hide => "hide",
            PairDecision::Merge => "merge",
        }
    }
}

impl std::str::FromStr for PairDecision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "keep" => Ok(PairDecision::Keep),
            "hide" => Ok(PairDecision::Hide),
            "merge" => Ok(PairDecision::Merge),
            other => Err(format!(
                "unknown decision {other:?}: use keep, hide or merge"
            )),
        }
    }
}

/// Bits per band.
const BAND_BITS: usize = 64 / SIMHASH_BANDS;
// Equal bands: a band count that does not divide 64 needs bands of two widths.
const _: () = assert!(64 % SIMHASH_BANDS == 0);

/// The band values of a fingerprint, lowest bits first.
pub fn simhash_bands(simhash: u64) -> [i64; SIMHASH_BANDS] {
    let mask = (1u64 << BAND_BITS) - 1;
    std::array::from_fn(|band| ((simhash >> (band * BAND_BITS)) & mask) as i64)
}

/// `WHERE` condition matching rows that share a band with bound parameters `$first`…
fn band_condition(first: usize) -> String {
    (0..SIMHASH_BANDS)
        .map(|band| format!("s.band{band} = ${}", first + band))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn band_columns() -> String {
    (0..SIMHASH_BANDS)
        .map(|band| format!("band{band}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows sharing a band with `simhash`, with their documents' title and status.
async fn candidates<'c>(
    executor: impl sqlx::Executor<'c, Database = Any>,
    simhash: u64,
) -> Result<Vec<SimhashCandidate>> {
    let sql = format!(
        "SELECT s.article_id, s.simhash, a.title, a.status FROM article_simhash s \
         JOIN articles a ON a.id = s.article_id WHERE {}",
        band_condition(1)
    );
    let mut query = sqlx::query(&sql);
    for band in simhash_bands(simhash) {
        query = query.bind(band);
    }
    let rows = query
        .fetch_all(executor)
        .await
        .context("looking up fingerprints by band")?;
    candidate_rows(&rows)
}

/// Fingerprints per band lookup (4 values each: well under either database's parameter limit).
const BAND_LOOKUP_CHUNK: usize = 1_000;
/// Ids per `IN` list when reading the documents of candidates.
const ID_LOOKUP_CHUNK: usize = 500;

/// The stored fingerprints `(id, simhash)` sharing a band with any of `simhashes`, each once, in
/// a query per [`BAND_LOOKUP_CHUNK`] fingerprints. Only the fingerprint table is read: in a large
/// library most rows sharing a 16-bit band are chance matches, and joining each to its document
/// cost more than the rest of the import.
pub(crate) async fn fingerprints_sharing_a_band(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    simhashes: &[u64],
) -> Result<Vec<(i64, u64)>> {
    let mut found: Vec<(i64, u64)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for chunk in simhashes.chunks(BAND_LOOKUP_CHUNK) {
        let mut values: [Vec<i64>; SIMHASH_BANDS] = std::array::from_fn(|_| Vec::new());
        for hash in chunk {
            for (band, value) in simhash_bands(*hash).into_iter().enumerate() {
                values[band].push(value);
            }
        }
        for band in &mut values {
            band.sort_unstable();
            band.dedup();
        }
        let mut next = 1;
        let mut conditions = Vec::with_capacity(SIMHASH_BANDS);
        for (band, list) in values.iter().enumerate() {
            let placeholders = backend.placeholders(next, list.len());
            next += list.len();
            conditions.push(format!("band{band} IN ({})", placeholders.join(", ")));
        }
        // One row holding every match as `id:simhash,…`: in a large library a batch matches tens
        // of thousands of rows, and sqlx hands rows over one by one (a thread wake-up each).
        let pairs = match backend {
            Backend::Sqlite => "group_concat(article_id || ':' || simhash, ',')",
            Backend::Postgres => "string_agg(article_id::text || ':' || simhash::text, ',')",
        };
        let sql = format!(
            "SELECT {pairs} FROM article_simhash WHERE {}",
            conditions.join(" OR ")
        );
        let mut query = sqlx::query_scalar::<Any, Option<String>>(&sql);
        for value in values.iter().flatten() {
            query = query.bind(*value);
        }
        let joined = query
            .fetch_one(&mut *conn)
            .await
            .context("looking up the fingerprints of a batch by band")?
            .unwrap_or_default();
        for pair in joined.split(',').filter(|p| !p.is_empty()) {
            let (id, hash) = parse_fingerprint(pair).ok_or_else(|| crate::StoreError::Query {
                context: "reading the fingerprints of a batch",
                source: sqlx::Error::Decode(format!("not id:simhash: {pair:?}").into()),
            })?;
            if seen.insert(id) {
                found.push((id, hash));
            }
        }
    }
    Ok(found)
}

/// `id:simhash` as the band lookup joins them.
fn parse_fingerprint(pair: &str) -> Option<(i64, u64)> {
    let (id, hash) = pair.split_once(':')?;
    Some((id.parse().ok()?, hash.parse::<i64>().ok()? as u64))
}

/// Fingerprints asked about, by band value: which of them a stored fingerprint may be near
/// (two fingerprints within [`MAX_INDEXED_DISTANCE`] share a band) without comparing it to all.
pub(crate) struct AskedBands {
    bands: [HashMap<i64, Vec<usize>>; SIMHASH_BANDS],
}

impl AskedBands {
    pub(crate) fn new(asked: impl IntoIterator<Item = u64>) -> Self {
        let mut bands: [HashMap<i64, Vec<usize>>; SIMHASH_BANDS] =
            std::array::from_fn(|_| HashMap::new());
        for (i, hash) in asked.into_iter().enumerate() {
            for (band, value) in simhash_bands(hash).into_iter().enumerate() {
                bands[band].entry(value).or_default().push(i);
            }
        }
        AskedBands { bands }
    }

    /// The indices of the asked fingerprints sharing a band with `hash`, each once.
    pub(crate) fn sharing(&self, hash: u64) -> Vec<usize> {
        let mut found: Vec<usize> = simhash_bands(hash)
            .into_iter()
            .enumerate()
            .filter_map(|(band, value)| self.bands[band].get(&value))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Candidates from rows of `article_id, simhash, title, status`.
fn candidate_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<SimhashCandidate>> {
    rows.iter()
        .map(|r| {
            Ok(SimhashCandidate {
                id: r.try_get(0)?,
                simhash: r.try_get::<i64, _>(1)? as u64,
                title: r.try_get(2)?,
                status: r.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .context("reading fingerprints")
}

/// Store the fingerprint of `article_id` (replacing any) and the pairs it forms, in `tx`.
pub(crate) async fn write_simhash_in(
    tx: &mut Transaction<'static, Any>,
    article_id: i64,
    simhash: u64,
) -> Result<()> {
    forget_pairs_in(tx, article_id).await?;
    write_new_simhash_in(tx, article_id, simhash).await
}

/// As [`write_simhash_in`], for a document inserted in `tx` just now: it has no pairs to forget.
pub(crate) async fn write_new_simhash_in(
    tx: &mut Transaction<'static, Any>,
    article_id: i64,
    simhash: u64,
) -> Result<()> {
    let placeholders: Vec<String> = (3..3 + SIMHASH_BANDS).map(|n| format!("${n}")).collect();
    let updates: Vec<String> = (0..SIMHASH_BANDS)
        .map(|band| format!("band{band} = excluded.band{band}"))
        .collect();
    let sql = format!(
        "INSERT INTO article_simhash (article_id, simhash, {}) VALUES ($1, $2, {}) \
         ON CONFLICT (article_id) DO UPDATE SET simhash = excluded.simhash, {}",
        band_columns(),
        placeholders.join(", "),
        updates.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(article_id).bind(simhash as i64);
    for band in simhash_bands(simhash) {
        query = query.bind(band);
    }
    query
        .execute(&mut **tx)
        .await
        .context("storing a fingerprint")?;

    for other in candidates(&mut **tx, simhash).await? {
        let distance = (other.simhash ^ simhash).count_ones();
        if other.id == article_id || distance > MAX_INDEXED_DISTANCE {
            continue;
        }
        sqlx::query(
            "INSERT INTO near_duplicate_pairs (article_a, article_b, distance) VALUES ($1, $2, $3) \
             ON CONFLICT (article_a, article_b) DO UPDATE SET distance = excluded.distance",
        )
        .bind(other.id.min(article_id))
        .bind(other.id.max(article_id))
        .bind(i64::from(distance))
        .execute(&mut **tx)
        .await
        .context("storing a near-duplicate pair")?;
    }
    Ok(())
}

async fn forget_pairs_in(tx: &mut Transaction<'static, Any>, article_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM near_duplicate_pairs WHERE article_a = $1 OR article_b = $2")
        .bind(article_id)
        .bind(article_id)
        .execute(&mut **tx)
        .await
        .context("forgetting near-duplicate pairs")?;
    Ok(())
}

/// A document held as `pending` for its near-duplicates is published once none of its pairs is
/// left undecided (pairs with a hidden partner no longer count: the list leaves them out too).
async fn publish_if_settled_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    now: i64,
) -> Result<()> {
    let published = sqlx::query(
        "UPDATE articles SET status = 'published', updated_at = $1 WHERE id = $2 \
         AND status = 'pending' AND NOT EXISTS ( \
           SELECT 1 FROM near_duplicate_pairs p \
           JOIN articles o ON o.id = CASE WHEN p.article_a = $2 THEN p.article_b ELSE p.article_a END \
           WHERE (p.article_a = $2 OR p.article_b = $2) AND o.status <> 'hidden' \
           AND NOT EXISTS (SELECT 1 FROM near_duplicate_decisions d \
                           WHERE d.article_a = p.article_a AND d.article_b = p.article_b))",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await
    .context("publishing a settled near-duplicate")?;
    if published.rows_affected() > 0 {
        crate::changes::record_in(tx, id, "update", now).await?;
    }
    Ok(())
}

/// The duplicates view counts pairs up to this many.
pub const PAIR_COUNT_CAP: i64 = 10_000;

impl Store {
    /// Documents whose fingerprint shares a band with `simhash`: every one within
    /// [`MAX_INDEXED_DISTANCE`] and some farther (the caller measures the distance).
    pub async fn simhash_candidates(&self, simhash: u64) -> Result<Vec<SimhashCandidate>> {
        candidates(&self.pool, simhash).await
    }

    /// The stored documents within `max_distance` (at most [`MAX_INDEXED_DISTANCE`]) of any
    /// of `simhashes`, each once, in a few queries (an import batch asks for all of its documents
    /// at once rather than one round trip each). For each fingerprint, those within the distance
    /// of it are exactly the ones [`Store::simhash_candidates`] gives it within that distance.
    pub async fn simhash_neighbours_of_many(
        &self,
        simhashes: &[u64],
        max_distance: u32,
    ) -> Result<Vec<SimhashCandidate>> {
        if simhashes.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self
            .pool
            .acquire()
            .await
            .context("connecting to look up fingerprints")?;
        let asked = AskedBands::new(simhashes.iter().copied());
        let near: HashMap<i64, u64> =
            fingerprints_sharing_a_band(&mut conn, self.backend(), simhashes)
                .await?
                .into_iter()
                .filter(|(_, hash)| {
                    asked
                        .sharing(*hash)
                        .iter()
                        .any(|i| (simhashes[*i] ^ hash).count_ones() <= max_distance)
                })
                .collect();
        let ids: Vec<i64> = near.keys().copied().collect();
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(ID_LOOKUP_CHUNK) {
            let sql = format!(
                "SELECT id, title, status FROM articles WHERE id IN ({})",
                self.backend().placeholders(1, chunk.len()).join(", ")
            );
            let mut query = sqlx::query_as::<Any, (i64, String, String)>(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for (id, title, status) in query
                .fetch_all(&mut *conn)
                .await
                .context("reading the documents of near fingerprints")?
            {
                if let Some(simhash) = near.get(&id) {
                    found.push(SimhashCandidate {
                        id,
                        title,
                        status,
                        simhash: *simhash,
                    });
                }
            }
        }
        found.sort_unstable_by_key(|c| c.id);
        Ok(found)
    }

    /// Replace the fingerprint of a document, with its pairs; `None` removes both. (After an
    /// edit, `wenyuan_core`'s change-feed follower calls this; an editor need not.)
    pub async fn set_simhash(&self, article_id: i64, simhash: Option<u64>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        match simhash {
            Some(hash) => write_simhash_in(&mut tx, article_id, hash).await?,
            None => {
                forget_pairs_in(&mut tx, article_id).await?;
                sqlx::query("DELETE FROM article_simhash WHERE article_id = $1")
                    .bind(article_id)
                    .execute(&mut *tx)
                    .await
                    .context("removing a fingerprint")?;
            }
        }
        tx.commit().await.context("committing a fingerprint")?;
        Ok(())
    }

    /// The stored fingerprint of a document, if it has one.
    pub async fn simhash(&self, article_id: i64) -> Result<Option<u64>> {
        let hash = sqlx::query_scalar::<Any, i64>(
            "SELECT simhash FROM article_simhash WHERE article_id = $1",
        )
        .bind(article_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading a fingerprint")?;
        Ok(hash.map(|h| h as u64))
    }

    /// Up to `limit` documents with no fingerprint yet (imported before fingerprints existed, or
    /// cleared by an edit): `(id, title, body)`, oldest first.
    pub async fn articles_without_simhash(&self, limit: i64) -> Result<Vec<(i64, String, String)>> {
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.body FROM articles a WHERE NOT EXISTS \
             (SELECT 1 FROM article_simhash s WHERE s.article_id = a.id) ORDER BY a.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("finding documents without a fingerprint")?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()
            .context("reading documents without a fingerprint")
    }

    /// Undecided pairs within `max_distance` whose documents are both still visible to editors
    /// (not hidden), closest first, then newest first; one page, and how many there are in all
    /// (counted up to [`PAIR_COUNT_CAP`] + 1: more than the cap is reported as cap + 1).
    pub async fn duplicate_pairs(
        &self,
        max_distance: u32,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<DuplicatePairRow>, i64)> {
        const FROM: &str = "FROM near_duplicate_pairs p \
             JOIN articles a ON a.id = p.article_a JOIN articles b ON b.id = p.article_b \
             WHERE p.distance <= $1 AND a.status <> 'hidden' AND b.status <> 'hidden' \
             AND NOT EXISTS (SELECT 1 FROM near_duplicate_decisions d \
                             WHERE d.article_a = p.article_a AND d.article_b = p.article_b)";
        let rows = sqlx::query(&format!(
            "SELECT p.article_a, a.title, a.status, p.article_b, b.title, b.status, p.distance \
             {FROM} ORDER BY p.distance, p.article_b DESC, p.article_a DESC LIMIT $2 OFFSET $3"
        ))
        .bind(i64::from(max_distance))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .context("listing near-duplicate pairs")?;
        // Counted only up to the cap: at 160k documents an exact count of ~500k pairs through the
        // joins took most of a second, and nobody pages through 10,000 pairs.
        let total = sqlx::query_scalar::<Any, i64>(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 {FROM} LIMIT {}) counted",
            PAIR_COUNT_CAP + 1
        ))
        .bind(i64::from(max_distance))
        .fetch_one(&self.pool)
        .await
        .context("counting near-duplicate pairs")?;
        let pairs = rows
            .iter()
            .map(|r| {
                Ok(DuplicatePairRow {
                    a_id: r.try_get(0)?,
                    a_title: r.try_get(1)?,
                    a_status: r.try_get(2)?,
                    b_id: r.try_get(3)?,
                    b_title: r.try_get(4)?,
                    b_status: r.try_get(5)?,
                    distance: u32::try_from(r.try_get::<i64, _>(6)?).unwrap_or(u32::MAX),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .context("reading near-duplicate pairs")?;
        Ok((pairs, total))
    }

    /// The distance of a stored pair (`a` < `b`), if the index found it.
    pub async fn duplicate_pair_distance(&self, a: i64, b: i64) -> Result<Option<u32>> {
        let distance = sqlx::query_scalar::<Any, i64>(
            "SELECT distance FROM near_duplicate_pairs WHERE article_a = $1 AND article_b = $2",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(&self.pool)
        .await
        .context("reading a near-duplicate pair")?;
        Ok(distance.map(|d| u32::try_from(d).unwrap_or(u32::MAX)))
    }

    /// Record a decision on the pair `older` < `newer` and carry it out, in one transaction:
    /// [`PairDecision::Hide`] hides `newer`; [`PairDecision::Merge`] also adds its views (the
    /// imported starting count, the counted total and the per-day rows the hot lists read) to
    /// `older`. Changed documents get a change-feed row. A pair decided before is decided again.
    pub async fn decide_duplicate_pair(
        &self,
        older: i64,
        newer: i64,
        decision: PairDecision,
        decided_by: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO near_duplicate_decisions (article_a, article_b, decision, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (article_a, article_b) DO UPDATE SET \
             decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
        )
        .bind(older)
        .bind(newer)
        .bind(decision.as_str())
        .bind(decided_by)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("recording a near-duplicate decision")?;
        if decision == PairDecision::Merge {
            merge_views_in(&mut tx, older, newer, now).await?;
        }
        if decision != PairDecision::Keep {
            sqlx::query("UPDATE articles SET status = 'hidden', updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(newer)
                .execute(&mut *tx)
                .await
                .context("hiding a near-duplicate")?;
            crate::changes::record_in(&mut tx, newer, "update", now).await?;
        }
        for id in [older, newer] {
            publish_if_settled_in(&mut tx, id, now).await?;
        }
        tx.commit()
            .await
            .context("committing a near-duplicate decision")?;
        Ok(())
    }

    /// The decision recorded for the pair `a` < `b`, if any.
    pub async fn duplicate_pair_decision(&self, a: i64, b: i64) -> Result<Option<String>> {
        sqlx::query_scalar::<Any, String>(
            "SELECT decision FROM near_duplicate_decisions WHERE article_a = $1 AND article_b = $2",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(&self.pool)
        .await
        .context("reading a near-duplicate decision")
    }
}

/// Add the views of `from` to `into`. `from` keeps its own numbers (it is hidden, not deleted).
async fn merge_views_in(
    tx: &mut Transaction<'static, Any>,
    into: i64,
    from: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO article_views_daily (article_id, day, views) \
         SELECT $1, day, views FROM article_views_daily WHERE article_id = $2 \
         ON CONFLICT (article_id, day) DO UPDATE SET views = article_views_daily.views + excluded.views",
    )
    .bind(into)
    .bind(from)
    .execute(&mut **tx)
    .await
    .context("merging daily views")?;
    let totals = sqlx::query("SELECT views_base, views_total FROM articles WHERE id = $1")
        .bind(from)
        .fetch_optional(&mut **tx)
        .await
        .context("reading the views of a near-duplicate")?;
    let (base, total): (i64, i64) = match totals {
        Some(row) => (
            row.try_get(0).context("reading views")?,
            row.try_get(1).context("reading views")?,
        ),
        None => (0, 0),
    };
    sqlx::query(
        "UPDATE articles SET views_base = views_base + $1, views_total = views_total + $2, \
         updated_at = $3 WHERE id = $4",
    )
    .bind(base)
    .bind(total)
    .bind(now)
    .bind(into)
    .execute(&mut **tx)
    .await
    .context("adding merged views")?;
    crate::changes::record_in(tx, into, "update", now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_all_bits_once() {
        assert_eq!(simhash_bands(0), [0; SIMHASH_BANDS]);
        let all = simhash_bands(u64::MAX);
        let bits: u32 = all.iter().map(|b| (*b as u64).count_ones()).sum();
        assert_eq!(bits, 64);
        // A single bit lands in exactly one band.
        for bit in 0..64 {
            let bands = simhash_bands(1 << bit);
            assert_eq!(bands.iter().filter(|b| **b != 0).count(), 1, "bit {bit}");
        }
    }
}
