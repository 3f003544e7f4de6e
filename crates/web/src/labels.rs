//! How the desk names values that have a fixed set: shared by the desk's front page and its
//! document list.

/// 状态 names as the desk shows them.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "草稿",
        "pending" => "待审",
        "published" => "已发布",
        "hidden" => "已隐藏",
        _ => "其他",
    }
}
