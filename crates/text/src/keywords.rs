//! TF-IDF keywords of a document (jieba segmentation with jieba's IDF table), as a unit-length
//! weight vector: the dot product of two documents' vectors is their cosine similarity, which is
//! what 相关内容 ranks by.

use std::sync::OnceLock;

use jieba_rs::{KeywordExtract, TfIdf};

use crate::segment::with_jieba;

/// Keywords kept per document: enough to describe a long 工作报告, few enough for a cheap join.
pub const KEYWORDS_PER_DOCUMENT: usize = 24;

fn tfidf() -> &'static TfIdf {
    static TFIDF: OnceLock<TfIdf> = OnceLock::new();
    TFIDF.get_or_init(TfIdf::default)
}

/// The `top_k` keywords of `title` and `body`, weights scaled to unit length. The title counts
/// three times: it names what the document is about.
pub fn keywords(title: &str, body: &str, top_k: usize) -> Vec<(String, f64)> {
    let text = format!("{title}\n{title}\n{title}\n{body}");
    // The shared segmenter, so user-dictionary words (枫桥经验) are keywords as they are search words.
    let found = with_jieba(|jieba| tfidf().extract_keywords(jieba, &text, top_k * 2, Vec::new()));
    let mut kept: Vec<(String, f64)> = found
        .into_iter()
        .filter(|k| is_meaningful(&k.keyword))
        .take(top_k)
        .map(|k| (k.keyword, k.weight))
        .collect();
    let norm = kept.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm > 0.0 {
        for (_, w) in &mut kept {
            *w /= norm;
        }
    }
    kept
}

/// Numbers, single letters and the placeholder names of templates (X, XX) describe nothing.
fn is_meaningful(word: &str) -> bool {
    let chars = word.chars().count();
    chars >= 2
        && !word
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '%')
        && !word.chars().all(|c| c == 'X' || c == 'x')
}

/// Cosine similarity of two keyword vectors made by [`keywords`].
pub fn similarity(a: &[(String, f64)], b: &[(String, f64)]) -> f64 {
    a.iter()
        .filter_map(|(k, wa)| b.iter().find(|(kb, _)| kb == k).map(|(_, wb)| wa * wb))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_describe_the_document_and_have_unit_length() {
        let k = keywords(
            "在2020年区委读书会上的讲话",
            "这次读书会是在全区上下深入学习贯彻党的XX全会精神的大背景下召开的。读书会很有必要。\
             通过考察，大家开阔了视野，找到了差距。要坚持发展新时代“枫桥经验”，推进基层治理。",
            10,
        );
        let words: Vec<&str> = k.iter().map(|(w, _)| w.as_str()).collect();
        assert!(words.contains(&"读书会"), "{words:?}");
        assert!(
            !words.iter().any(|w| *w == "XX" || *w == "2020"),
            "{words:?}"
        );
        let norm: f64 = k.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-9);
    }

    #[test]
    fn similar_documents_score_higher_than_unrelated_ones() {
        let report_a = keywords("2024年政府工作报告", "各位代表：现在，我代表国务院，向大会报告政府工作。过去一年经济回升向好，高质量发展扎实推进。", 20);
        let report_b = keywords("2023年政府工作报告", "各位代表：现在，我代表国务院，向大会报告政府工作。过去五年经济实力跃上新台阶，高质量发展取得成效。", 20);
        let news = keywords(
            "大熊猫宝宝满月",
            "成都大熊猫繁育研究基地的熊猫宝宝今天满月，饲养员为它称了体重。",
            20,
        );
        assert!(similarity(&report_a, &report_b) > similarity(&report_a, &news) + 0.2);
        assert!((similarity(&report_a, &report_a) - 1.0).abs() < 1e-9);
    }
}
