//! How the desk names values that have a fixed set: shared by the desk's front page and its
//! document list.

use wenyuan_core::Status;

/// 状态 names as the desk shows them, from the stored spelling.
pub fn status_label(status: &str) -> &'static str {
    status.parse::<Status>().map_or("其他", Status::label)
}
