//! Wenyuan's store: every SQL statement of the project lives in this crate.
//!
//! One [`Store`] talks to SQLite (the default) or PostgreSQL, chosen by the URL scheme. Both run the
//! same SQL through sqlx's `Any` driver; the schema is written once per backend in
//! `migrations/{sqlite,postgres}` and embedded in the binary. Where the dialects differ the
//! difference is kept next to the statement, with [`Backend`] deciding.

mod api_tokens;
mod articles;
mod audit;
mod backup;
mod categories;
mod changes;
mod dates;
mod db;
mod download_quota;
mod editing;
mod error;
mod featured;
mod hot;
mod import_batch;
mod keywords;
mod library;
mod limits;
mod listing;
mod messages;
mod near_duplicates;
mod old_urls;
mod password_resets;
mod push;
mod sessions;
mod settings;
mod sitemap;
mod slugs;
mod statistics;
mod synonyms;
mod taxonomy;
mod users;
mod views;
mod vip;

#[cfg(feature = "testing")]
pub mod testing;

pub use api_tokens::{ApiTokenOwner, ApiTokenRow};
pub use articles::{ArticleRow, ArticleSummary, InsertOutcome, ListFilter, NewArticle, LEAD_CHARS};
pub use audit::{AuditRow, NewAuditEntry};
pub use backup::PoolUse;
pub use categories::CategoryRow;
pub use changes::ChangeRow;
pub use dates::DatedArticleRow;
pub use db::{Backend, Store};
pub use download_quota::NewDownload;
pub use editing::{AdminArticleRow, AdminFilter, AdminSort, ArticleEdit, SaveOutcome};
pub use error::StoreError;
pub use hot::HotRow;
pub use keywords::{RelatedCandidate, HEAVIEST_PER_KEYWORD};
pub use library::{DownloadRow, FavoriteAdded, LibraryRow, DELETED_MEMBER_NAME, HISTORY_KEPT};
pub use limits::StrikeRule;
pub use messages::{MessageCounts, MessageRow, NewMessage};
pub use near_duplicates::{
    simhash_bands, DuplicatePairRow, PairDecision, SimhashCandidate, MAX_INDEXED_DISTANCE,
    PAIR_COUNT_CAP, SIMHASH_BANDS,
};
pub use password_resets::{PasswordResetRow, ResetUse};
pub use push::{PushAttemptRow, PushClaim, PushCounts};
pub use sitemap::SitemapRow;
pub use slugs::{base_slug, SlugKind};
pub use statistics::SearchMissRow;
pub use synonyms::SynonymRow;
pub use taxonomy::{AdminCategoryRow, AdminTagRow, CategoryDeletion, CategoryFields};
pub use users::{MemberChange, UserFilter, UserRow};
pub use vip::{NewVipCodes, Redemption, VipBatchRow, VipChange};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
