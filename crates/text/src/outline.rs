//! 公文 heading recognition: which paragraphs start with a heading, at which level.
//!
//! Levels follow the national standard for official documents (GB/T 9704):
//!
//! | level | markers |
//! |---|---|
//! | 1 | `一、` (also `一．`), `第一章`, `第一编`, `第一部分` |
//! | 2 | `（一）` / `(一)`, `第一节` |
//! | 3 | `1.` / `1、` / `1．`, `第一条` |
//! | 4 | `（1）` / `(1)` |
//!
//! A heading often runs into its paragraph (`（一）学先进，看X发展更需努力。这次外出考察…`):
//! the heading text ends at the first `。：！？` (or half-width `:!?`), at most 40 characters
//! after the marker. Without such a terminator the paragraph is a heading only if it is short
//! as a whole; otherwise it is a body paragraph that merely starts with a number.
//!
//! `第X条` (articles of regulations) is special: the article text that follows is body, not
//! title, so the heading text is the marker alone (`第一条`). A `第X条/章…` followed by a comma
//! (`第一条，反对；第二条，不怕`) is a spoken enumeration, not a heading.

use serde::Serialize;

use crate::chars::{ascii_digit, is_blank};

/// A heading found at the start of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 (一、/第X章) to 4 ((1)); see the module docs.
    pub level: u8,
    /// The marker as written, e.g. `"（一）"`, `"1."`, `"第三章"`.
    pub marker: String,
    /// The heading including its marker, without terminator, e.g. `"（一）学先进，看X发展更需努力"`.
    pub text: String,
    /// Byte offset in the paragraph where the heading ends: at the terminator (`。`, `：` …)
    /// when the heading runs into body text, else the end of the paragraph's content.
    pub end: usize,
}

/// One line of a document's outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutlineEntry {
    /// Index of the paragraph that starts with the heading.
    pub paragraph: usize,
    /// Heading level, 1 (top) to 4.
    pub level: u8,
    /// The heading text including its marker.
    pub text: String,
}

/// Heading text after the marker may be at most this many characters.
const MAX_HEADING_CHARS: usize = 40;

/// The heading at the start of `paragraph`, if any.
pub fn heading_of(paragraph: &str) -> Option<Heading> {
    let start = paragraph.len() - paragraph.trim_start_matches(is_blank).len();
    let content_end = paragraph.trim_end_matches(is_blank).len();
    if start >= content_end {
        return None;
    }
    let (marker, kind) = parse_marker(&paragraph[start..content_end])?;
    let marker_end = start + marker.len();
    let end = match kind {
        MarkerKind::Article => marker_end,
        MarkerKind::Ordinal => heading_end(paragraph, marker_end, content_end, true)?,
        MarkerKind::Plain => heading_end(paragraph, marker_end, content_end, false)?,
    };
    let text = paragraph[start..end].trim_end_matches(is_blank).to_owned();
    Some(Heading {
        level: kind_level(kind, marker),
        marker: marker.to_owned(),
        text,
        end,
    })
}

/// The headings of a document, in order: [`heading_of`] for each paragraph, then list items and
/// out-of-sequence numbers taken out (see [`clean_outline`]).
pub fn outline(paragraphs: &[impl AsRef<str>]) -> Vec<OutlineEntry> {
    clean_outline(paragraphs, raw_outline(paragraphs))
}

/// Every paragraph that starts like a heading, before [`clean_outline`].
pub fn raw_outline(paragraphs: &[impl AsRef<str>]) -> Vec<OutlineEntry> {
    paragraphs
        .iter()
        .enumerate()
        .filter_map(|(paragraph, p)| {
            heading_of(p.as_ref()).map(|h| OutlineEntry {
                paragraph,
                level: h.level,
                text: h.text,
            })
        })
        .collect()
}

/// The outline without what only looks like headings:
/// - a numbered line ending in `；` `，` `、` (or `;` `,`) is an item of a list;
/// - so is each line of a run of two or more short numbered lines of one level (nothing after
///   the heading, no text between);
/// - the `一、` headings of level 1 run 一、二、三…: in each stretch between higher headings
///   (第X部分/章/编), the longest run counting up by one from 一 is kept, the other `一、` lines
///   (a list restarting at 一 mid-document, a stray 三、) are dropped.
pub fn clean_outline(
    paragraphs: &[impl AsRef<str>],
    entries: Vec<OutlineEntry>,
) -> Vec<OutlineEntry> {
    let text = |e: &OutlineEntry| {
        paragraphs
            .get(e.paragraph)
            .map_or("", |p| p.as_ref())
            .trim_end_matches(is_blank)
    };
    let mut keep: Vec<bool> = entries
        .iter()
        .map(|e| !text(e).ends_with(['；', '，', '、', ';', ',']))
        .collect();
    // Runs of adjacent paragraphs that are numbered at one level.
    let mut i = 0;
    while i < entries.len() {
        let mut j = i;
        // Headings that run into their text (（一）学先进。这次外出考察…) are sections even
        // when they follow each other; a run of list items is of short lines.
        let short = |e: &OutlineEntry| {
            let whole = text(e).chars().count();
            whole <= SHORT_ITEM_CHARS && whole <= e.text.chars().count() + 1
        };
        while j + 1 < entries.len()
            && short(&entries[i])
            && short(&entries[j + 1])
            && entries[j + 1].paragraph == entries[j].paragraph + 1
            && entries[j + 1].level == entries[i].level
            && is_plain_marker(&entries[j + 1].text) == is_plain_marker(&entries[i].text)
        {
            j += 1;
        }
        if j > i && is_plain_marker(&entries[i].text) {
            keep[i..=j].fill(false);
        }
        i = j + 1;
    }
    // Level-1 一、 headings: the longest 一、二、三… chain per stretch between ordinal headings.
    let mut stretch: Vec<(usize, u32)> = Vec::new();
    let mut chains = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        if !keep[index] || entry.level != 1 {
            continue;
        }
        match level_one_number(&entry.text) {
            Some(n) => stretch.push((index, n)),
            None => chains.push(std::mem::take(&mut stretch)),
        }
    }
    chains.push(stretch);
    for stretch in chains {
        let best = longest_count_up(&stretch);
        for (index, _) in &stretch {
            if !best.contains(index) {
                keep[*index] = false;
            }
        }
    }
    entries
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect()
}

/// A numbered line up to this length, with no text after its heading, may be an item of a list.
const SHORT_ITEM_CHARS: usize = 50;

/// A marker of the 一、 / （一） / 1. / （1） kind (not 第X章).
fn is_plain_marker(text: &str) -> bool {
    !text.starts_with('第')
}

/// The number of a level-1 `一、` heading (not `第一部分`).
fn level_one_number(text: &str) -> Option<u32> {
    if text.starts_with('第') {
        return None;
    }
    chinese_prefix(text).map(|(_, n)| n)
}

/// Indexes of the longest chain 1, 2, 3 … (in order) among `(index, number)`; with no 1 at all,
/// the longest chain counting up by one from any start.
fn longest_count_up(items: &[(usize, u32)]) -> Vec<usize> {
    let mut best: Vec<usize> = Vec::new();
    let has_one = items.iter().any(|(_, n)| *n == 1);
    for (start, (_, first)) in items.iter().enumerate() {
        if has_one && *first != 1 {
            continue;
        }
        let mut chain = vec![items[start].0];
        let mut next = first + 1;
        for (index, n) in &items[start + 1..] {
            if *n == next {
                chain.push(*index);
                next += 1;
            }
        }
        if chain.len() > best.len() {
            best = chain;
        }
    }
    best
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    /// 一、 （一） 1. （1）: needs heading text after it.
    Plain,
    /// 第X章 / 第X节 …: may stand alone.
    Ordinal,
    /// 第X条: the marker is the whole heading.
    Article,
}

fn kind_level(kind: MarkerKind, marker: &str) -> u8 {
    match kind {
        MarkerKind::Article => 3,
        MarkerKind::Ordinal if marker.ends_with('节') => 2,
        MarkerKind::Ordinal => 1,
        MarkerKind::Plain => {
            let paren = marker.starts_with(['(', '（']);
            let arabic = marker.chars().any(|c| ascii_digit(c).is_some());
            match (paren, arabic) {
                (false, false) => 1,
                (true, false) => 2,
                (false, true) => 3,
                (true, true) => 4,
            }
        }
    }
}

/// Finds where the heading text after the marker ends; `None` if this is no heading.
fn heading_end(
    paragraph: &str,
    marker_end: usize,
    content_end: usize,
    may_be_empty: bool,
) -> Option<usize> {
    let rest = &paragraph[marker_end..content_end];
    let body = rest.trim_start_matches(is_blank);
    let body_start = marker_end + (rest.len() - body.len());
    if body.is_empty() {
        return may_be_empty.then_some(content_end);
    }
    let mut prev: Option<char> = None;
    let mut chars = body.char_indices().peekable();
    let mut count = 0;
    while let Some((i, c)) = chars.next() {
        if count > MAX_HEADING_CHARS {
            return None;
        }
        let next = chars.peek().map(|(_, n)| *n);
        if is_terminator(c, prev, next) {
            return (count > 0).then_some(body_start + i);
        }
        prev = Some(c);
        count += 1;
    }
    // No terminator: the whole paragraph is the heading if it is short.
    (count <= MAX_HEADING_CHARS).then_some(content_end)
}

/// `。：！？` end a heading; their half-width forms too, except `:` between digits (`9:30`).
fn is_terminator(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    match c {
        '。' | '：' | '！' | '？' | '!' | '?' => true,
        ':' => !(digit(prev) && digit(next)),
        _ => false,
    }
}

/// Recognises the marker at the start of `s`; returns the marker text.
fn parse_marker(s: &str) -> Option<(&str, MarkerKind)> {
    if let Some(found) = ordinal_marker(s) {
        return Some(found);
    }
    let first = s.chars().next()?;
    if matches!(first, '(' | '（') {
        let inner = &s[first.len_utf8()..];
        let (len, _) = chinese_prefix(inner).or_else(|| arabic_prefix(inner))?;
        let close = inner[len..].chars().next()?;
        if !matches!(close, ')' | '）') {
            return None;
        }
        let end = first.len_utf8() + len + close.len_utf8();
        return Some((&s[..end], MarkerKind::Plain));
    }
    if let Some((len, _)) = chinese_prefix(s) {
        let sep = s[len..].chars().next()?;
        if !matches!(sep, '、' | '．' | '.') {
            return None;
        }
        return Some((&s[..len + sep.len_utf8()], MarkerKind::Plain));
    }
    let (len, _) = arabic_prefix(s)?;
    let mut after = s[len..].chars();
    let sep = after.next()?;
    if !matches!(sep, '.' | '、' | '．') {
        return None;
    }
    // `1.5万亿`, `3.14`, `1、2、3号`: a digit after the separator means a number, not a marker.
    if after.next().and_then(ascii_digit).is_some() {
        return None;
    }
    Some((&s[..len + sep.len_utf8()], MarkerKind::Plain))
}

/// `第` + number + 章/编/部分/节/条.
fn ordinal_marker(s: &str) -> Option<(&str, MarkerKind)> {
    let inner = s.strip_prefix('第')?;
    let (len, _) = chinese_prefix(inner).or_else(|| arabic_prefix(inner))?;
    let unit_start = '第'.len_utf8() + len;
    let after = &s[unit_start..];
    let (unit_len, kind) = [
        ("章", MarkerKind::Ordinal),
        ("编", MarkerKind::Ordinal),
        ("部分", MarkerKind::Ordinal),
        ("节", MarkerKind::Ordinal),
        ("条", MarkerKind::Article),
    ]
    .into_iter()
    .find(|(unit, _)| after.starts_with(unit))
    .map(|(unit, kind)| (unit.len(), kind))?;
    let end = unit_start + unit_len;
    // `第一条，反对；第二条，不怕`: a comma after the unit makes it a spoken enumeration.
    if s[end..].starts_with(['，', ',', '、', '；', ';']) {
        return None;
    }
    Some((&s[..end], kind))
}

/// 1–99 in ASCII or full-width digits at the start of `s`: (byte length, value).
fn arabic_prefix(s: &str) -> Option<(usize, u32)> {
    let mut value = 0;
    let mut len = 0;
    let mut count = 0;
    for c in s.chars() {
        let Some(d) = ascii_digit(c) else { break };
        value = value * 10 + d;
        len += c.len_utf8();
        count += 1;
    }
    (1..=2).contains(&count).then_some(())?;
    (1..=99).contains(&value).then_some((len, value))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numeral {
    Digit(u32),
    Ten,
    Hundred,
}

fn numeral(c: char) -> Option<Numeral> {
    Some(match c {
        '〇' | '零' => Numeral::Digit(0),
        '一' => Numeral::Digit(1),
        '二' => Numeral::Digit(2),
        '三' => Numeral::Digit(3),
        '四' => Numeral::Digit(4),
        '五' => Numeral::Digit(5),
        '六' => Numeral::Digit(6),
        '七' => Numeral::Digit(7),
        '八' => Numeral::Digit(8),
        '九' => Numeral::Digit(9),
        '十' => Numeral::Ten,
        '百' => Numeral::Hundred,
        _ => return None,
    })
}

/// A Chinese number 1–999 at the start of `s` (一, 十二, 二十, 九十九, 一百零五 …):
/// (byte length, value). Irregular sequences such as 一一 are rejected.
fn chinese_prefix(s: &str) -> Option<(usize, u32)> {
    let mut tokens = Vec::new();
    let mut len = 0;
    for c in s.chars() {
        let Some(n) = numeral(c) else { break };
        tokens.push(n);
        len += c.len_utf8();
    }
    let value = chinese_value(&tokens)?;
    Some((len, value))
}

fn chinese_value(tokens: &[Numeral]) -> Option<u32> {
    use Numeral::{Digit, Hundred, Ten};
    let mut rest = tokens;
    let mut value = 0;
    match rest {
        [Digit(d @ 1..=9), Hundred, tail @ ..] => {
            value += d * 100;
            rest = tail;
        }
        [Hundred, tail @ ..] => {
            value += 100;
            rest = tail;
        }
        _ => {}
    }
    if value > 0 {
        if let [Digit(0), Digit(d @ 1..=9)] = rest {
            return Some(value + d);
        }
    }
    match rest {
        [Digit(d @ 1..=9), Ten, tail @ ..] => {
            value += d * 10;
            rest = tail;
        }
        [Ten, tail @ ..] => {
            value += 10;
            rest = tail;
        }
        _ => {}
    }
    match rest {
        [] => {}
        [Digit(d @ 1..=9)] => value += d,
        _ => return None,
    }
    (value > 0).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: u8, marker: &str, text: &str, end: usize) -> Option<Heading> {
        Some(Heading {
            level,
            marker: marker.to_owned(),
            text: text.to_owned(),
            end,
        })
    }

    #[test]
    fn headings_table() {
        let seed_l2 =
            "(一)学先进，看X发展更需努力。这次外出考察行程紧凑，考察点位设计合理，类型丰富。";
        let gwr = "（四）推动标志性改革举措加快落地，更好发挥经济体制改革牵引作用。扎实推进重点领域改革。";
        let cases: Vec<(&str, Option<Heading>)> = vec![
            (
                "一、关于外出考察的体会和思考",
                h(1, "一、", "一、关于外出考察的体会和思考", 42),
            ),
            (
                seed_l2,
                h(
                    2,
                    "(一)",
                    "(一)学先进，看X发展更需努力",
                    seed_l2.find('。').unwrap_or(0),
                ),
            ),
            (
                gwr,
                h(
                    2,
                    "（四）",
                    "（四）推动标志性改革举措加快落地，更好发挥经济体制改革牵引作用",
                    gwr.find('。').unwrap_or(0),
                ),
            ),
            ("十二、其他", h(1, "十二、", "十二、其他", 15)),
            ("二十一、附则", h(1, "二十一、", "二十一、附则", 18)),
            ("1.坚持稳中求进", h(3, "1.", "1.坚持稳中求进", 20)),
            (
                "2、加强组织领导：各级党委要…",
                h(3, "2、", "2、加强组织领导", 22),
            ),
            ("3．强化监督", h(3, "3．", "3．强化监督", 16)),
            ("12. 完善制度", h(3, "12.", "12. 完善制度", 16)),
            ("（1）目标任务", h(4, "（1）", "（1）目标任务", 19)),
            ("(2)工作要求!", h(4, "(2)", "(2)工作要求", 15)),
            ("第一章　总则", h(1, "第一章", "第一章　总则", 18)),
            ("第三部分", h(1, "第三部分", "第三部分", 12)),
            ("第二节 主要任务", h(2, "第二节", "第二节 主要任务", 22)),
            (
                "第一条　为了规范公文处理工作，制定本条例。",
                h(3, "第一条", "第一条", 9),
            ),
            (
                "\u{3000}\u{3000}二、关于人大工作的初步考虑",
                h(1, "二、", "二、关于人大工作的初步考虑", 45),
            ),
        ];
        for (paragraph, want) in cases {
            assert_eq!(heading_of(paragraph), want, "{paragraph:?}");
        }
    }

    #[test]
    fn not_headings_table() {
        let long = format!("一、{}", "坚持稳中求进工作总基调".repeat(20));
        let cases = [
            "1.5万亿元专项债券已经下达。",
            "2020.11.04",
            "2020年接下来的有限工作时间内，区人大常委会要高举XX新时代中国特色社会主义思想伟大旗帜",
            "一是营商环境创优持续推进。做实做细“三服务”活动。",
            "第一，要坚持稳中求进。",
            "第一条，反对；第二条，不怕",
            "一一、不是编号",
            "3.14是圆周率",
            "1、2、3号文件已经印发。",
            "100.全年目标",
            "（一）",
            "一、",
            long.as_str(),
            "十分重要、十分紧迫",
            "各位代表：",
        ];
        for paragraph in cases {
            assert_eq!(heading_of(paragraph), None, "{paragraph:?}");
        }
    }

    #[test]
    fn heading_text_is_at_most_forty_chars() {
        let forty = "关".repeat(40);
        let ok = format!("（三）{forty}。后文");
        assert_eq!(heading_of(&ok).map(|h| h.level), Some(2));
        let too_long = format!("（三）{forty}关。后文后文后文");
        assert_eq!(heading_of(&too_long), None);
    }

    #[test]
    fn time_colon_does_not_end_a_heading() {
        let p = "1.上午9:30集合";
        assert_eq!(heading_of(p).map(|h| h.text), Some(p.to_owned()));
    }

    #[test]
    fn chinese_numbers() {
        let cases = [
            ("一", Some(1)),
            ("十", Some(10)),
            ("十五", Some(15)),
            ("二十", Some(20)),
            ("九十九", Some(99)),
            ("一百", Some(100)),
            ("一百零五", Some(105)),
            ("一百二十三", Some(123)),
            ("零", None),
            ("一一", None),
            ("十十", None),
        ];
        for (s, want) in cases {
            assert_eq!(chinese_prefix(s).map(|(_, v)| v), want, "{s}");
        }
    }

    #[test]
    fn outline_lists_headings_with_paragraph_index() {
        let paragraphs = [
            "各位代表：",
            "一、2024年工作回顾",
            "过去一年，我国发展历程很不平凡。",
            "（一）大力提振消费、提高投资效益，全方位扩大国内需求。促进消费和投资更好结合。",
        ];
        let got = outline(&paragraphs);
        assert_eq!(
            got,
            vec![
                OutlineEntry {
                    paragraph: 1,
                    level: 1,
                    text: "一、2024年工作回顾".to_owned()
                },
                OutlineEntry {
                    paragraph: 3,
                    level: 2,
                    text: "（一）大力提振消费、提高投资效益，全方位扩大国内需求".to_owned()
                },
            ]
        );
    }
}
