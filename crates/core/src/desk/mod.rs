//! The editorial desk's services: documents (list, form, preview, writes), categories and tags,
//! and 模板化 (anonymising a document through a reviewed proposal).

pub mod documents;
pub mod form;
pub mod taxonomy;
pub mod templating;

pub use documents::{DeskItem, DeskPage, DocumentPreview, DESK_PAGE_SIZE};
pub use form::{DocumentForm, ValidDocument, STATUSES};
