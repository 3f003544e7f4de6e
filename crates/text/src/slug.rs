//! URL slugs of category and tag names in ASCII pinyin, one hyphen between words:
//! 政府工作报告 → `zhengfu-gongzuo-baogao`. Words come from jieba (so 重庆 reads chongqing, see
//! [`crate::pinyin`]); words of more than two characters are cut into their dictionary sub-words
//! where jieba knows them, so a name the dictionary holds whole still reads word by word.

use crate::fold::fold;
use crate::pinyin::word_pinyin;
use crate::segment;

/// Longest slug, in characters; a longer one is cut at a hyphen.
pub const MAX_SLUG_CHARS: usize = 64;

/// The pinyin slug of `name`: lowercase ASCII letters and digits, words joined by '-'. Empty
/// when the name has nothing pinyin or ASCII can spell (the caller picks a fallback).
pub fn pinyin_slug(name: &str) -> String {
    let folded = fold(name);
    let mut parts: Vec<String> = Vec::new();
    for word in segment::words(&folded) {
        for piece in pieces(&word) {
            let (full, _) = word_pinyin(&piece);
            let part: String = full
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            if !part.is_empty() {
                parts.push(part);
            }
        }
    }
    let mut slug = String::new();
    for part in parts {
        let extra = usize::from(!slug.is_empty()) + part.len();
        if slug.len() + extra > MAX_SLUG_CHARS {
            if slug.is_empty() {
                slug = part[..MAX_SLUG_CHARS].to_owned();
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&part);
    }
    slug
}

/// A long Han word as its dictionary sub-words (政府工作报告 → 政府, 工作, 报告), when they cover
/// it exactly without overlapping; otherwise the word itself.
fn pieces(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() <= 3 || !chars.iter().all(|c| !c.is_ascii()) {
        return vec![word.to_owned()];
    }
    // Search mode lists sub-words with their offsets; keep a left-to-right chain of them.
    let subwords = segment::search_words(word);
    let mut cover = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let next = subwords
            .iter()
            .filter(|(w, start)| *start == at && w.chars().count() < chars.len())
            .max_by_key(|(w, _)| w.chars().count());
        match next {
            Some((w, _)) => {
                at += w.chars().count();
                cover.push(w.clone());
            }
            None => return vec![word.to_owned()],
        }
    }
    cover
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_pinyin_words_joined_by_hyphens() {
        for (name, slug) in [
            ("政府工作报告", "zhengfu-gongzuo-baogao"),
            ("讲话稿", "jianghuagao"),
            ("工作总结", "gongzuo-zongjie"),
            ("重庆", "chongqing"),
            ("乡村振兴", "xiangcun-zhenxing"),
            ("2025年 述职报告", "2025-nian-shuzhi-baogao"),
            ("AI 应用", "ai-yingyong"),
            ("???", ""),
        ] {
            assert_eq!(pinyin_slug(name), slug, "{name}");
        }
    }

    #[test]
    fn slugs_are_ascii_and_bounded() {
        let long = "中华人民共和国国务院关于进一步加强和改进新形势下高校宣传思想工作的意见的通知";
        let slug = pinyin_slug(long);
        assert!(slug.len() <= MAX_SLUG_CHARS, "{slug}");
        assert!(slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        assert!(!slug.ends_with('-') && !slug.starts_with('-'));
    }
}
