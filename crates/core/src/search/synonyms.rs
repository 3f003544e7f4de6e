//! The site's search synonyms: the desk's list (`/admin/search`), kept in memory for queries and
//! reloaded from the database by every node's background loop, so an edit on one node applies
//! on all of them within [`crate::tasks`]' interval (and at once on the node that made it).

use std::sync::Arc;

use serde::Serialize;
use wenyuan_search::Synonyms;

use super::Search;
use crate::accounts::Member;
use crate::audit::audit_entry;
use crate::{CoreError, FieldError, Result};

/// Longest side of a pair, in characters.
pub const SYNONYM_MAX_CHARS: usize = 40;
/// Most pairs in the list (each query term is checked against every pair).
pub const SYNONYMS_MAX: usize = 2_000;

/// One pair as the desk shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SynonymPair {
    pub id: i64,
    pub term: String,
    pub expansion: String,
}

/// A synonym that found documents for a query: what the search page shows
/// (「已包含同义词：两会 → 全国人民代表大会和中国人民政治协商会议」).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SynonymNote {
    pub from: String,
    pub to: String,
}

impl Search {
    /// The pairs in force on this node (for queries).
    pub(crate) fn synonyms(&self) -> Arc<Synonyms> {
        self.synonyms.read().clone()
    }

    /// Read the list from the database again (the background loop, and after an edit here).
    pub async fn reload_synonyms(&self) -> Result<()> {
        let rows = self.ctx.store.search_synonyms().await?;
        let synonyms = Synonyms::new(rows.into_iter().map(|r| (r.term, r.expansion)));
        *self.synonyms.write() = Arc::new(synonyms);
        Ok(())
    }

    /// The desk's list, oldest first.
    pub async fn synonym_pairs(&self) -> Result<Vec<SynonymPair>> {
        Ok(self
            .ctx
            .store
            .search_synonyms()
            .await?
            .into_iter()
            .map(|r| SynonymPair {
                id: r.id,
                term: r.term,
                expansion: r.expansion,
            })
            .collect())
    }

    /// Add a pair (either side may be typed in a query); audited. A pair already there is no
    /// error: the list is as asked.
    pub async fn add_synonym(&self, actor: &Member, term: &str, expansion: &str) -> Result<()> {
        let (term, expansion) = (term.trim(), expansion.trim());
        let mut errors = Vec::new();
        for (field, value) in [("term", term), ("expansion", expansion)] {
            let chars = value.chars().count();
            if chars == 0 {
                errors.push(FieldError::new(field, "请填写词语"));
            } else if chars > SYNONYM_MAX_CHARS {
                errors.push(FieldError::new(
                    field,
                    format!("最多 {SYNONYM_MAX_CHARS} 个字"),
                ));
            } else if value.chars().any(char::is_whitespace) {
                errors.push(FieldError::new(field, "词语中不能有空格"));
            }
        }
        if errors.is_empty() && term == expansion {
            errors.push(FieldError::new("expansion", "两边不能是同一个词"));
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        if self.ctx.store.search_synonyms().await?.len() >= SYNONYMS_MAX {
            return Err(CoreError::invalid(
                "term",
                format!("同义词最多 {SYNONYMS_MAX} 组，请先删除不用的"),
            ));
        }
        let detail = format!("{term} ↔ {expansion}");
        let audit = audit_entry(actor, "search.synonym_add", "search:synonyms", &detail);
        self.ctx
            .store
            .add_search_synonym(term, expansion, &audit, self.ctx.now())
            .await?;
        self.reload_synonyms().await
    }

    /// Remove a pair; audited. False when there was no such pair.
    pub async fn delete_synonym(&self, actor: &Member, id: i64) -> Result<bool> {
        let pair = self
            .ctx
            .store
            .search_synonyms()
            .await?
            .into_iter()
            .find(|r| r.id == id);
        let detail = pair.map_or(format!("#{id}"), |r| {
            format!("{} ↔ {}", r.term, r.expansion)
        });
        let audit = audit_entry(actor, "search.synonym_delete", "search:synonyms", &detail);
        let gone = self
            .ctx
            .store
            .delete_search_synonym(id, &audit, self.ctx.now())
            .await?;
        self.reload_synonyms().await?;
        Ok(gone.is_some())
    }
}
