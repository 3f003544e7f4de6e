//! Interim segmentation API (replaced by the full module on the `pinyin` branch).

/// jieba search-mode words of `text` with their char offsets.
pub fn search_words(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for word in crate::keywords::jieba().cut_for_search(text, true) {
        out.push((word.to_owned(), offset));
        offset += word.chars().count();
    }
    out
}

/// jieba words of `text`.
pub fn words(text: &str) -> Vec<String> {
    crate::keywords::jieba().cut(text, true).into_iter().map(str::to_owned).collect()
}
