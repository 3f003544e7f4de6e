//! Interim pinyin API (replaced by the full module on the `pinyin` branch).

pub fn title_pinyin_keys(_title: &str) -> Vec<String> {
    Vec::new()
}

pub fn looks_like_pinyin(query: &str) -> bool {
    let q = query.trim();
    (2..=48).contains(&q.len()) && q.bytes().all(|b| b.is_ascii_alphabetic())
}
