//! The preview cut: how many leading paragraphs a guest may read before the gate.

/// How much of a document a guest may see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreviewRule {
    /// Share of the document's characters, 0.0–1.0.
    pub ratio: f32,
    /// Hard cap on the characters shown, whatever the ratio allows.
    pub max_chars: usize,
}

impl Default for PreviewRule {
    /// 30% of the text, at most 1,500 characters.
    fn default() -> Self {
        Self {
            ratio: 0.3,
            max_chars: 1500,
        }
    }
}

/// Number of leading paragraphs a guest may see.
///
/// The longest prefix of whole paragraphs whose character count is within both
/// `ratio × total` and `max_chars`, but:
/// - at least 1 paragraph, even when the first alone exceeds the limits (a one-paragraph
///   teaser is better than an empty page; paragraphs are never cut in the middle);
/// - never all paragraphs when there are 2 or more, so something stays behind the gate.
///
/// Empty input gives 0; a single paragraph gives 1.
pub fn preview_paragraph_count(paragraphs: &[impl AsRef<str>], rule: &PreviewRule) -> usize {
    let n = paragraphs.len();
    if n <= 1 {
        return n;
    }
    let lengths: Vec<usize> = paragraphs
        .iter()
        .map(|p| p.as_ref().chars().count())
        .collect();
    let total: usize = lengths.iter().sum();
    // NaN or a negative ratio allows nothing beyond the first paragraph.
    let ratio = f64::from(rule.ratio).clamp(0.0, 1.0);
    let by_ratio = if ratio.is_nan() {
        0.0
    } else {
        ratio * total as f64
    };
    let limit = by_ratio.min(rule.max_chars as f64);
    let mut shown = 0usize;
    let mut count = 0;
    for len in &lengths {
        if (shown + len) as f64 > limit {
            break;
        }
        shown += len;
        count += 1;
    }
    count.clamp(1, n - 1)
}

/// Where to cut the only paragraph of a gated document, in characters: something stays behind
/// the gate even then.
///
/// The longest run of whole sentences (ending in 。！？；!?; or …) within the preview's limit
/// (`ratio × length`, at most `max_chars`); when not even the first sentence fits, the longest run
/// of clauses (ending in ，、：,:) within it; failing that, the limit itself. Never the whole
/// paragraph and, for a paragraph of two or more characters, never nothing.
pub fn single_paragraph_cut(text: &str, rule: &PreviewRule) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let total = chars.len();
    if total < 2 {
        return 0;
    }
    let ratio = f64::from(rule.ratio).clamp(0.0, 1.0);
    let by_ratio = if ratio.is_nan() {
        0.0
    } else {
        ratio * total as f64
    };
    // Whole characters, at least one, and always short of the end.
    let limit = (by_ratio.min(rule.max_chars as f64) as usize).clamp(1, total - 1);
    let last_end_within = |ends: &[char]| {
        chars[..limit]
            .iter()
            .enumerate()
            .filter(|(_, c)| ends.contains(c))
            .map(|(i, _)| i + 1)
            .next_back()
    };
    last_end_within(&['。', '！', '？', '；', '!', '?', ';', '…'])
        .or_else(|| last_end_within(&['，', '、', '：', ',', ':']))
        .unwrap_or(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(lengths: &[usize]) -> Vec<String> {
        lengths.iter().map(|n| "字".repeat(*n)).collect()
    }

    #[test]
    fn table() {
        let rule = PreviewRule::default();
        let cases: &[(&[usize], usize)] = &[
            (&[], 0),
            (&[500], 1),
            (&[100, 100], 1),
            (&[3000, 10], 1),
            (&[10, 10, 10, 10, 10, 10, 10, 10, 10, 10], 3),
            (&[30, 30, 40, 100], 2),
            (&[29, 1, 70], 2),
            // 30% of 10,000 is 3,000 but the 1,500 cap wins.
            (&[500, 500, 500, 500, 8000], 3),
            (&[1000, 1000, 1000, 7000], 1),
        ];
        for (lengths, want) in cases {
            assert_eq!(
                preview_paragraph_count(&paragraphs(lengths), &rule),
                *want,
                "{lengths:?}"
            );
        }
    }

    #[test]
    fn never_everything_and_never_nothing() {
        let all_in = PreviewRule {
            ratio: 1.0,
            max_chars: usize::MAX,
        };
        assert_eq!(preview_paragraph_count(&paragraphs(&[1, 1, 1]), &all_in), 2);
        let none = PreviewRule {
            ratio: 0.0,
            max_chars: 0,
        };
        assert_eq!(preview_paragraph_count(&paragraphs(&[1, 1, 1]), &none), 1);
        let nan = PreviewRule {
            ratio: f32::NAN,
            max_chars: 1500,
        };
        assert_eq!(preview_paragraph_count(&paragraphs(&[1, 1, 1]), &nan), 1);
    }

    #[test]
    fn counts_chars_not_bytes() {
        let p = ["一二三", "四五六七八九十"];
        let rule = PreviewRule {
            ratio: 0.3,
            max_chars: 1500,
        };
        // 3 of 10 chars fit in 30%; bytes (9 of 30) would too, but 4 chars would not.
        assert_eq!(preview_paragraph_count(&p, &rule), 1);
    }

    #[test]
    fn a_single_paragraph_is_cut_at_a_sentence_within_the_limit() {
        let rule = PreviewRule::default();
        let text = "第一句话在这里。第二句话也在这里。第三句话还在这里。第四句话最后出现。";
        // 36 characters, 30% is 10: the first sentence (8) fits, the second does not.
        assert_eq!(single_paragraph_cut(text, &rule), 8);
        // No sentence fits: cut after the last clause within the limit.
        let text = "一二三，四五六，七八九十一二三四五六七八九十一二三四五六七八九十。";
        assert_eq!(single_paragraph_cut(text, &rule), 8);
        // No punctuation at all: the limit itself, never the whole, never nothing.
        assert_eq!(single_paragraph_cut(&"字".repeat(100), &rule), 30);
        assert_eq!(single_paragraph_cut("字字", &rule), 1);
        assert_eq!(single_paragraph_cut("字", &rule), 0);
        let all = PreviewRule {
            ratio: 1.0,
            max_chars: usize::MAX,
        };
        assert_eq!(single_paragraph_cut("一句。二句。", &all), 3);
    }
}
