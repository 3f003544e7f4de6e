//! The editorial desk's services: documents (list, form, preview, writes), categories and tags,
//! imports and uploads, near-duplicates, and 模板化 (anonymising a document through a reviewed
//! proposal).

pub mod anonymize;
pub mod documents;
pub mod form;
pub mod import;
pub mod near_duplicates;
pub mod taxonomy;

use std::sync::Arc;

pub use anonymize::Anonymization;
pub use documents::{DateRepair, DeskItem, DeskPage, DocumentPreview, Documents, DESK_PAGE_SIZE};
pub use form::{split_tags, DocumentForm, ValidDocument};
pub use import::dedecms::{DedeMigration, DedeReport};
pub use import::Importer;
pub use near_duplicates::NearDuplicates;
pub use taxonomy::Taxonomy;

use crate::audit::AuditLog;
use crate::context::Context;
use crate::discovery::ViewCounting;
use crate::reading::Reading;
use crate::search::Search;
use crate::Result;

/// The desk's services, one per task an editor does.
pub struct Desk {
    pub documents: Arc<Documents>,
    pub taxonomy: Taxonomy,
    pub import: Importer,
    /// Moving a DedeCMS site over (`wenyuan import --from-dedecms`).
    pub dedecms: DedeMigration,
    pub duplicates: Arc<NearDuplicates>,
    pub anonymization: Arc<Anonymization>,
}

impl Desk {
    pub(crate) fn new(
        ctx: &Context,
        reading: Arc<Reading>,
        search: Arc<Search>,
        views: Arc<ViewCounting>,
        audit: Arc<AuditLog>,
    ) -> Self {
        let refresh = Refresh { reading, search };
        let documents = Arc::new(Documents::new(ctx.clone(), refresh.clone()));
        let duplicates = Arc::new(NearDuplicates::new(ctx.clone(), views, refresh.clone()));
        let anonymization = Arc::new(Anonymization::new(ctx.clone(), audit, documents.clone()));
        Desk {
            taxonomy: Taxonomy::new(ctx.clone(), refresh),
            import: Importer::new(duplicates.clone(), anonymization.clone()),
            dedecms: DedeMigration::new(
                ctx.clone(),
                Importer::new(duplicates.clone(), anonymization.clone()),
            ),
            documents,
            duplicates,
            anonymization,
        }
    }
}

/// What an edit made at the desk must bring up to date in this process at once.
#[derive(Clone)]
pub(crate) struct Refresh {
    reading: Arc<Reading>,
    search: Arc<Search>,
}

impl Refresh {
    /// Drop cached documents and pages that changed (the change feed).
    pub(crate) async fn apply_changes(&self) -> Result<()> {
        self.reading.apply_changes().await.map(|_| ())
    }

    /// Make this process show an edit at once: drop cached documents and pages (the change feed)
    /// and bring the search index up to date. The background loops would do the same within a
    /// second; an editor who just pressed 保存 should not wait for them.
    pub(crate) async fn after_edit(&self) -> Result<()> {
        self.apply_changes().await?;
        if self.search.has_index() {
            if let Err(err) = self.search.index_changes().await {
                // The edit is stored; the background loop retries the index.
                tracing::warn!(%err, "updating the search index after an edit failed");
            }
        }
        Ok(())
    }
}
