//! Wenyuan's full-text index (tantivy) with Chinese analysis: character bigrams for exact
//! substring matching, jieba words for ranking, pinyin keys for Latin-letter queries.
//!
//! The index is derived data: the database is the truth, and the index follows the change feed
//! (`wenyuan-core` drives it). It knows nothing of the gate: callers turn hits into snippets from
//! text the viewer may see.

pub mod analysis;
mod facets;
mod fallback;
mod index;
mod pinyin;
pub mod query;
mod rank;
mod schema;
pub mod synonyms;

pub use index::{
    Filing, IndexDoc, Relaxed, SearchIndex, SearchRequest, SearchResults, Sort, WriterBudget,
};
pub use query::{parse, ParsedQuery, QueryTerm};
pub use rank::Popularity;
pub use synonyms::{Expansion, Synonyms};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index in {0} is in use by another process (a running `wenyuan serve`?); stop it first")]
    Locked(String),
    #[error("search index folder {0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
}
