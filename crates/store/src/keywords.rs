use sqlx::Row;

use crate::error::Context;
use crate::{Result, Store};

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

    /// Published documents sharing keywords with `article_id`, by similarity, at most `limit`.
    pub async fn related_candidates(
        &self,
        article_id: i64,
        limit: i64,
    ) -> Result<Vec<RelatedCandidate>> {
        let rows = sqlx::query(
            "SELECT s.id, a.title, a.access, a.category_id, s.similarity, \
             (SELECT COUNT(*) FROM article_tags t1 JOIN article_tags t2 ON t2.tag_id = t1.tag_id \
              WHERE t1.article_id = $1 AND t2.article_id = s.id) AS shared_tags \
             FROM (SELECT k2.article_id AS id, SUM(k1.weight * k2.weight) AS similarity \
                   FROM article_keywords k1 JOIN article_keywords k2 ON k2.keyword = k1.keyword \
                   WHERE k1.article_id = $2 AND k2.article_id <> $3 \
                   GROUP BY k2.article_id ORDER BY similarity DESC LIMIT $4) s \
             JOIN articles a ON a.id = s.id WHERE a.status = 'published' ORDER BY s.similarity DESC",
        )
        .bind(article_id)
        .bind(article_id)
        .bind(article_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("finding related documents")?;
        rows.iter()
            .map(|r| {
                Ok(RelatedCandidate {
                    id: r.try_get(0)?,
                    title: r.try_get(1)?,
                    access: r.try_get(2)?,
                    category_id: r.try_get(3)?,
                    similarity: r.try_get(4)?,
                    shared_tags: r.try_get(5)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .context("reading related documents")
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
