//! Discovery: what leads a reader from one document to the next. View counting (off the request
//! path), 本周热门 / 本月热门, and 相关内容.

pub mod hot;
pub mod related;
pub mod view_counter;

pub use hot::{Hot, HotItem, HotPage, HotWindow};
pub use related::{Related, RelatedItem};
pub use view_counter::{is_crawler, ViewCounter, ViewCounting, VisitorKeys};
