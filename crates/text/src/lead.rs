//! The summary (`lead`) a list shows under a title: the first sentences of real body text.
//!
//! The front of a document is skipped: a salutation (同志们：, 各位代表：, 各位委员、同志们：), a
//! line repeating the title or a part of it (政府工作报告 under 2024年…政府工作报告), date lines,
//! 发文字号, and short lines without a sentence mark (a speaker's name, a subtitle, a heading).
//! A salutation that opens a paragraph (同志们，北京共产主义组织…) is cut off. The lead ends at a
//! sentence end, else a clause end, within [`LEAD_MAX_CHARS`].

use crate::date::date_line;

/// The longest lead, in characters (an ellipsis may follow).
pub const LEAD_MAX_CHARS: usize = 80;
/// How many paragraphs at the start may be front matter.
const FRONT_PARAGRAPHS: usize = 12;
/// A line without a sentence mark up to this length is a title, name or heading, not body text.
const SHORT_LINE_CHARS: usize = 24;

/// Words that make a short opening clause a salutation.
const SALUTATION_WORDS: &[&str] = &[
    "同志们",
    "同志",
    "代表",
    "委员",
    "各位",
    "朋友们",
    "女士们",
    "先生们",
    "来宾",
    "同学们",
    "老师们",
    "战友们",
    "乡亲们",
];

/// Index of the first paragraph of real body text among `paragraphs` (0 when none is found
/// among the first few).
pub fn lead_start(title: &str, paragraphs: &[impl AsRef<str>]) -> usize {
    paragraphs
        .iter()
        .take(FRONT_PARAGRAPHS)
        .position(|p| !is_front_line(title, p.as_ref()))
        .unwrap_or(0)
}

/// The lead of a document: from the paragraph [`lead_start`] points at, without an opening
/// salutation, cut at a sentence or clause end within [`LEAD_MAX_CHARS`].
pub fn lead(title: &str, paragraphs: &[impl AsRef<str>]) -> String {
    let Some(paragraph) = paragraphs.get(lead_start(title, paragraphs)) else {
        return String::new();
    };
    cut(strip_salutation(visible(paragraph.as_ref())))
}

/// The text without blanks and zero-width characters around it.
fn visible(line: &str) -> &str {
    line.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200d}' | '\u{feff}')
    })
}

/// A line of the front: not body text a summary should start with.
pub fn is_front_line(title: &str, line: &str) -> bool {
    let line = visible(line);
    if line.is_empty()
        || date_line(line).is_some()
        || is_salutation(line)
        || is_document_number(line)
    {
        return true;
    }
    let bare = bare(line);
    let title = bare_title(title);
    // A line inside the title, or the title with a little around it; a sentence that quotes the
    // title is body text.
    let repeats_title = !title.is_empty()
        && (title.contains(&bare)
            || (bare.contains(&title) && bare.chars().count() <= title.chars().count() + 8));
    if bare.is_empty() || repeats_title {
        return true;
    }
    // 主送机关 (各乡镇人民政府，县直各单位：) and other short lines that only announce what follows.
    if line.ends_with(['：', ':']) && line.chars().count() <= 30 && !line.contains('。') {
        return true;
    }
    let short = line.chars().count() <= SHORT_LINE_CHARS;
    let has_sentence_mark = line.contains(['。', '！', '？', '；', '，', '!', '?', ';', ',']);
    // A subtitle (——在…上的报告) or a bracketed note ((譯自…)) is front matter too.
    let framed = line.starts_with(['—', '（', '(', '[', '【'])
        && line.ends_with(['）', ')', ']', '】', '告', '话', '言', '上']);
    (short && !has_sentence_mark) || (framed && line.chars().count() <= 60)
}

/// Only letters and digits, for comparing a line with the title.
fn bare(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The title without a trailing note in brackets (`论联合政府 (七大)`).
fn bare_title(title: &str) -> String {
    let title = title.trim();
    let title = match title.rfind(['(', '（']) {
        Some(at) if at > 0 && title.ends_with([')', '）']) => &title[..at],
        _ => title,
    };
    bare(title)
}

/// A whole line that greets the audience: 同志们：, 各位代表！, 各位委员、同志们：.
fn is_salutation(line: &str) -> bool {
    let Some(body) = line.strip_suffix(['：', ':', '！', '!', '，', ',']) else {
        return false;
    };
    body.chars().count() <= 20
        && !body.contains(['。', '，', ','])
        && SALUTATION_WORDS.iter().any(|w| body.contains(w))
}

/// A 发文字号: `X政发〔2024〕12号`, `国发[2024]3号`.
fn is_document_number(line: &str) -> bool {
    line.chars().count() <= 30
        && line.ends_with('号')
        && line.contains(['〔', '[', '［', '【'])
        && line.contains(['〕', ']', '］', '】'])
}

/// The paragraph without an opening salutation clause (同志们，… / 各位代表，…).
fn strip_salutation(paragraph: &str) -> &str {
    let Some(end) = paragraph.find(['：', ':', '！', '!', '，', ',']) else {
        return paragraph;
    };
    let mark = paragraph[end..].chars().next().map_or(1, char::len_utf8);
    let (clause, rest) = (&paragraph[..end + mark], &paragraph[end + mark..]);
    if is_salutation(clause) && !rest.trim().is_empty() {
        rest.trim_start()
    } else {
        paragraph
    }
}

/// At most [`LEAD_MAX_CHARS`]: whole sentences when the first fits, else whole clauses, else the
/// limit itself; an ellipsis marks a cut.
fn cut(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= LEAD_MAX_CHARS {
        return text.to_owned();
    }
    let last_end = |marks: &[char]| {
        (0..LEAD_MAX_CHARS)
            .rev()
            .find(|&i| marks.contains(&chars[i]))
            .map(|i| i + 1)
    };
    match last_end(&['。', '！', '？', '；', '!', '?', ';']) {
        Some(end) => chars[..end].iter().collect(),
        None => {
            let end = last_end(&['，', '、', '：', ',', ':']).unwrap_or(LEAD_MAX_CHARS);
            let mut out: String = chars[..end.saturating_sub(1).max(1)].iter().collect();
            if end == LEAD_MAX_CHARS {
                out = chars[..end].iter().collect();
            }
            out.push('…');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_of_corpus_reports_is_skipped() {
        let cases: &[(&str, &[&str], &str)] = &[
            (
                "2025年中华人民共和国国务院政府工作报告",
                &[
                    "各位代表：",
                    "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。",
                ],
                "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。",
            ),
            (
                "2024年中华人民共和国国务院政府工作报告",
                &[
                    "政府工作报告",
                    "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
                    "国务院总理",
                    "李　强",
                    "各位代表：",
                    "现在，我代表国务院，向大会报告政府工作。",
                ],
                "现在，我代表国务院，向大会报告政府工作。",
            ),
            (
                "高举中国特色社会主义伟大旗帜 为全面建设社会主义现代化国家而团结奋斗 (二十大)",
                &[
                    "高举中国特色社会主义伟大旗帜",
                    "为全面建设社会主义现代化国家而团结奋斗",
                    "——在中国共产党第二十次全国代表大会上的报告",
                    "（2022年10月16日）",
                    "习　近　平",
                    "同志们：",
                    "现在，我代表第十九届中央委员会向大会作报告。",
                ],
                "现在，我代表第十九届中央委员会向大会作报告。",
            ),
            (
                "北京共产主义组织的报告 (一大)",
                &["同志们，北京共产主义组织仅仅是在十个月以前才产生的。"],
                "北京共产主义组织仅仅是在十个月以前才产生的。",
            ),
            (
                "2006年中华人民共和国国务院政府工作报告",
                &["各位代表，现在，我代表国务院，作政府工作报告，请予审议。"],
                "现在，我代表国务院，作政府工作报告，请予审议。",
            ),
            (
                "关于做好安全生产工作的通知",
                &[
                    "X政发〔2024〕12号",
                    "各乡镇人民政府，县直各单位：",
                    "现将有关事项通知如下。",
                ],
                "现将有关事项通知如下。",
            ),
            (
                "在全县大会上的讲话",
                &["各位委员、同志们：", "今年以来，全县上下。"],
                "今年以来，全县上下。",
            ),
        ];
        for (title, paragraphs, want) in cases {
            assert_eq!(lead(title, paragraphs), *want, "{title}");
        }
    }

    #[test]
    fn long_paragraphs_are_cut_at_a_sentence_or_clause_end() {
        let text = "过去一年，我国发展历程很不平凡。党的二十届三中全会胜利召开，对进一步全面深化改革、推进中国式现代化作出部署。我们隆重庆祝中华人民共和国成立75周年，极大激发了全国各族人民的爱国热情和奋斗精神。";
        let got = lead("标题", &[text]);
        assert_eq!(got, "过去一年，我国发展历程很不平凡。党的二十届三中全会胜利召开，对进一步全面深化改革、推进中国式现代化作出部署。");
        assert!(got.chars().count() <= LEAD_MAX_CHARS);
        let one = "这是一个没有句号但有很多逗号的长句子，它一直写下去，写到了很远的地方，又写了一些关于工作的内容，还有一些关于学习的内容，以及一些关于生活的内容，还有一些关于家庭和社区的内容，最后才结束";
        let got = lead("标题", &[one]);
        assert!(
            got.ends_with('…') && got.chars().count() <= LEAD_MAX_CHARS + 1,
            "{got}"
        );
        assert!(!got.contains("，…"), "{got}");
    }
}
