use sqlx::Row;

use crate::error::Context;
use crate::{Backend, Result, Store};

/// A candidate related document: its keyword similarity to the source, and what it shares.
#[derive(Debug, Clone)]
pub struct RelatedCandidate {
    pub id: i64,
    pub title: String,
    pub access: String,
    pub category_id: Option<i64>,
    /// Dot product of the two unit keyword vectors (cosine similarity).
    pub similarity: f64,
    pub shared_tags: i64,
}

/// Rows per statement when keywords are stored (3 values each).
const KEYWORD_ROWS: usize = 1_000;
/// Documents read per keyword of the source when related documents are looked for: its heaviest
/// holders (a champion list).
pub const HEAVIEST_PER_KEYWORD: usize = 400;
/// Candidates whose whole keyword vectors are read for an exact similarity.
const RESCORED: usize = 200;

impl Store {
    /// Replace a document's keywords (derived data; see `wenyuan_core::related`).
    pub async fn set_keywords(&self, article_id: i64, keywords: &[(String, f64)]) -> Result<()> {
        self.set_keywords_of_many(&[(article_id, keywords.to_vec())])
            .await
    }

    /// Replace the keywords of several documents, in one transaction and a few statements (a
    /// statement per keyword was a round trip each: a library of a million documents took an hour).
    pub async fn set_keywords_of_many(
        &self,
        documents: &[(i64, Vec<(String, f64)>)],
    ) -> Result<()> {
        let backend = self.backend();
        let mut tx = self.begin_write().await?;
        for chunk in documents.chunks(KEYWORD_ROWS) {
            let sql = format!(
                "DELETE FROM article_keywords WHERE article_id IN ({})",
                backend.placeholders(1, chunk.len()).join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (id, _) in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *tx).await.context("clearing keywords")?;
        }
        let rows: Vec<(i64, &str, f64)> = documents
            .iter()
            .flat_map(|(id, words)| words.iter().map(|(w, weight)| (*id, w.as_str(), *weight)))
            .collect();
        for chunk in rows.chunks(KEYWORD_ROWS) {
            let groups: Vec<String> = (0..chunk.len())
                .map(|row| format!("({})", backend.placeholders(row * 3 + 1, 3).join(", ")))
                .collect();
            let sql = format!(
                "INSERT INTO article_keywords (article_id, keyword, weight) VALUES {}",
                groups.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (id, keyword, weight) in chunk {
                query = query.bind(*id).bind(*keyword).bind(*weight);
            }
            query.execute(&mut *tx).await.context("storing keywords")?;
        }
        tx.commit().await.context("committing keywords")?;
        Ok(())
    }

    pub async fn keywords(&self, article_id: i64) -> Result<Vec<(String, f64)>> {
        let rows = sqlx::query("SELECT keyword, weight FROM article_keywords WHERE article_id = $1 ORDER BY weight DESC")
            .bind(article_id)
            .fetch_all(&self.pool)
            .await
            .context("reading keywords")?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .context("reading keywords")
    }

    /// The keywords of several documents, each list as [`Store::keywords`] gives it (heaviest
    /// first), in one query.
    pub async fn keywords_of_articles(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<(String, f64)>>> {
        let mut out: std::collections::HashMap<i64, Vec<(String, f64)>> = Default::default();
        if ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT article_id, keyword, weight FROM article_keywords WHERE article_id IN ({}) \
             ORDER BY article_id, weight DESC",
            crate::articles::placeholders(ids.len())
        );
        let mut query = sqlx::query_as::<sqlx::Any, (i64, String, f64)>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        for (id, keyword, weight) in query
            .fetch_all(&self.pool)
            .await
            .context("reading the keywords of articles")?
        {
            out.entry(id).or_default().push((keyword, weight));
        }
        Ok(out)
    }

    /// Published documents sharing keywords with `article_id`, by similarity, at most `limit`,
    /// leaving out those of similarity `copies_from` or more (the same text under another title:
    /// a duplicate, not a related document).
    ///
    /// Champion lists, then exact scores: for each of the document's keywords only the
    /// [`HEAVIEST_PER_KEYWORD`] documents that weigh it most are read (an index range in weight
    /// order); the [`RESCORED`] documents whose similarity can be highest by what was read get
    /// their whole keyword vectors read and an exact cosine. Joining every document sharing a keyword read
    /// hundreds of thousands of rows for a common word at a million documents (seconds per cold
    /// article page); this reads at most 24 × 400 + 200 × 24. Where no keyword is shared by more
    /// than 400 documents the result is the exact one; beyond that a document is missed only when
    /// none of its shared keywords is among its 400 heaviest holders.
    ///
    /// Copies and documents not published are dropped before the list is cut to `limit`: a
    /// library holding sixty copies of a text would otherwise fill the whole list with them, and
    /// the caller, leaving them out, had none to show.
    pub async fn related_candidates(
        &self,
        article_id: i64,
        limit: i64,
        copies_from: f64,
    ) -> Result<Vec<RelatedCandidate>> {
        let source = self.keywords(article_id).await?;
        if source.is_empty() || limit <= 0 {
            return Ok(Vec::new());
        }
        let mut shortlist = self.champion_bounds(article_id, &source).await?;
        shortlist.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        shortlist.truncate(RESCORED);
        let ids: Vec<i64> = shortlist.iter().map(|(id, _)| *id).collect();
        let mut exact = self.similarities(article_id, &ids).await?;
        exact.retain(|(_, similarity)| *similarity < copies_from);
        exact.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let ids: Vec<i64> = exact.iter().map(|(id, _)| *id).collect();
        let mut published = self.published_of(&ids).await?;
        let mut found: Vec<RelatedCandidate> = exact
            .into_iter()
            .filter_map(|(id, similarity)| {
                published
                    .remove(&id)
                    .map(|(title, access, category_id)| RelatedCandidate {
                        id,
                        title,
                        access,
                        category_id,
                        similarity,
                        shared_tags: 0,
                    })
            })
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect();
        let ids: Vec<i64> = found.iter().map(|c| c.id).collect();
        let shared = self.shared_tags(article_id, &ids).await?;
        for candidate in &mut found {
            candidate.shared_tags = shared.get(&candidate.id).copied().unwrap_or(0);
        }
        Ok(found)
    }

    /// For each document among the heaviest holders of `source`'s keywords (`article_id` itself
    /// left out), the most its dot product with `source` can be: what the lists show of it, plus
    /// for each keyword whose list it is not in, the source's weight times the lightest weight
    /// that list read (nothing when the list holds every holder of the keyword). One statement,
    /// an index range per keyword.
    async fn champion_bounds(
        &self,
        article_id: i64,
        source: &[(String, f64)],
    ) -> Result<Vec<(i64, f64)>> {
        let backend = self.backend();
        // A row per keyword, its holders joined as `id:weight,…`: sqlx hands SQLite's rows over
        // one at a time (a thread wake-up each), which for 9,600 rows took 250 ms.
        let holders = match backend {
            Backend::Sqlite => "group_concat(article_id || ':' || weight, ',')",
            Backend::Postgres => "string_agg(article_id::text || ':' || weight::text, ',')",
        };
        let ranges: Vec<String> = backend
            .placeholders(1, source.len())
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "SELECT {i}, {holders} FROM (SELECT article_id, weight FROM article_keywords \
                     WHERE keyword = {p} ORDER BY weight DESC LIMIT {HEAVIEST_PER_KEYWORD}) AS c{i}"
                )
            })
            .collect();
        let sql = ranges.join(" UNION ALL ");
        let mut query = sqlx::query_as::<sqlx::Any, (i64, Option<String>)>(&sql);
        for (keyword, _) in source {
            query = query.bind(keyword.as_str());
        }
        let lists = query
            .fetch_all(&self.pool)
            .await
            .context("reading the heaviest holders of a document's keywords")?;
        let mut rows: Vec<(usize, i64, f64)> = Vec::new();
        for (k, holders) in lists {
            let k = usize::try_from(k).unwrap_or(usize::MAX);
            for pair in holders.as_deref().unwrap_or_default().split(',') {
                let Some((id, weight)) = pair.split_once(':') else {
                    continue;
                };
                match (id.parse(), weight.parse()) {
                    (Ok(id), Ok(weight)) => rows.push((k, id, weight)),
                    _ => {
                        return Err(crate::StoreError::Query {
                            context: "reading the heaviest holders of a document's keywords",
                            source: sqlx::Error::Decode(format!("not id:weight: {pair:?}").into()),
                        })
                    }
                }
            }
        }
        // Per keyword of the source: holders read, and the lightest weight among them.
        let mut read = vec![(0usize, f64::INFINITY); source.len()];
        // Per document: the products seen, and which keywords' lists it was in.
        let mut seen: std::collections::HashMap<i64, (f64, Vec<usize>)> = Default::default();
        for (k, id, weight) in rows {
            if k >= source.len() {
                continue;
            }
            read[k].0 += 1;
            read[k].1 = read[k].1.min(weight);
            if id == article_id {
                continue;
            }
            let entry = seen.entry(id).or_default();
            entry.0 += source[k].1 * weight;
            entry.1.push(k);
        }
        // What a holder left out of a full list can weigh at most.
        let unseen: Vec<f64> = read
            .iter()
            .zip(source)
            .map(|((count, lightest), (_, in_source))| {
                if *count >= HEAVIEST_PER_KEYWORD {
                    in_source * lightest
                } else {
                    0.0
                }
            })
            .collect();
        let all_unseen: f64 = unseen.iter().sum();
        Ok(seen
            .into_iter()
            .map(|(id, (products, lists))| {
                let beyond = all_unseen - lists.iter().map(|k| unseen[*k]).sum::<f64>();
                (id, products + beyond)
            })
            .collect())
    }

    /// The exact dot product of each of `ids`' keyword vectors with `article_id`'s, summed in
    /// SQL (a row per document, not per keyword). The source's weight is a lookup per keyword of
    /// the candidates: written as a join, SQLite drove it from the source's keywords through
    /// every holder of each (seconds at a million).
    async fn similarities(&self, article_id: i64, ids: &[i64]) -> Result<Vec<(i64, f64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT k.article_id, SUM(k.weight * (SELECT s.weight FROM article_keywords s \
             WHERE s.article_id = $1 AND s.keyword = k.keyword)) FROM article_keywords k \
             WHERE k.article_id IN ({}) GROUP BY k.article_id",
            crate::articles::placeholders_from(2, ids.len())
        );
        let mut query = sqlx::query_as::<sqlx::Any, (i64, f64)>(&sql).bind(article_id);
        for id in ids {
            query = query.bind(*id);
        }
        query
            .fetch_all(&self.pool)
            .await
            .context("computing similarities")
    }

    /// Title, access and category of those of `ids` that are published (by primary key).
    async fn published_of(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, (String, String, Option<i64>)>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let sql = format!(
            "SELECT id, title, access, category_id FROM articles \
             WHERE status = 'published' AND id IN ({})",
            crate::articles::placeholders(ids.len())
        );
        let mut query = sqlx::query_as::<sqlx::Any, (i64, String, String, Option<i64>)>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query
            .fetch_all(&self.pool)
            .await
            .context("reading related documents")?
            .into_iter()
            .map(|(id, title, access, category_id)| (id, (title, access, category_id)))
            .collect())
    }

    /// How many tags each of `ids` shares with `article_id` (absent: none).
    async fn shared_tags(
        &self,
        article_id: i64,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let sql = format!(
            "SELECT t2.article_id, COUNT(*) FROM article_tags t1 \
             JOIN article_tags t2 ON t2.tag_id = t1.tag_id \
             WHERE t1.article_id = $1 AND t2.article_id IN ({}) GROUP BY t2.article_id",
            crate::articles::placeholders_from(2, ids.len())
        );
        let mut query = sqlx::query_as::<sqlx::Any, (i64, i64)>(&sql).bind(article_id);
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query
            .fetch_all(&self.pool)
            .await
            .context("counting shared tags")?
            .into_iter()
            .collect())
    }

    /// The category id of a document, for boosting related documents of the same category.
    pub async fn article_category_id(&self, article_id: i64) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT category_id FROM articles WHERE id = $1")
            .bind(article_id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a category id")?;
        match row {
            Some(r) => r
                .try_get::<Option<i64>, _>(0)
                .context("reading a category id"),
            None => Ok(None),
        }
    }
}
