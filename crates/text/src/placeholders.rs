//! The blanks of a template (填写本单位信息): the placeholders 模板化 writes, or a 范文 was written
//! with — `X书记`, `XX县`, `X区`, `XX全会`, `某某市` — found in context, and filled with a
//! reader's own names.
//!
//! A placeholder is a run of `X` (ASCII or fullwidth `Ｘ`, mixed) followed by the word that gives
//! it its meaning: a place suffix (the same suffixes the anonymiser keeps, from its gazetteer:
//! 省, 市, 区, 县, 街道, 自治县 …), a title (书记, 区长 … — the anonymiser's list), an
//! organisation (人民政府, 大学, 局, 全会 …) or, for `X` only, a unit of a date or count (月, 日,
//! 万元, 个 …). The longest word wins, so `X区长` (a person, 王区长) is not `X区` (a district);
//! a word that is not in the table is not taken, so `中共X区委` holds `X区` and filling it with
//! 南湖区 gives 中共南湖区委. An `X` run followed by nothing that fits is a bare placeholder of
//! its own (`X`, `XX`, `XXX`); a single bare `X` counts only in a document that has other
//! placeholders — on its own it is more often a name (the platform X, 创新X) than a blank.
//! `某`/`某某` (the anonymiser's 某 style) count only with a word after them: alone they are
//! ordinary words (某些, 陆军某旅, 张某某).
//!
//! An `X` is no placeholder beside Latin letters or digits (XML, Xi, MAX, XR, 777X, 4X100, X801),
//! nor in the Latin terms X光, X射线, X线, X型, X轴.
//!
//! The same scanner finds the placeholders ([`detect`]) and fills them ([`Filler`]), so a field
//! counts exactly the places it fills. Filling is one pass over the original text: a value is
//! written as given and never scanned again, so a value holding `X书记` stays as typed.
//!
//! Pure: no I/O.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Serialize;

use crate::anonymize::{place_suffixes, ORGANISATION_HEADS, TITLES};

/// The longest value a reader may fill in, in characters: a unit's or a person's name.
pub const MAX_VALUE_CHARS: usize = 50;

/// One distinct placeholder of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    /// `p1`, `p2` … in order of first occurrence: the form field's name.
    pub key: String,
    /// The placeholder as it stands in the text (`X书记`, `XX县`, `X`).
    pub pattern: String,
    /// How often it occurs.
    pub count: usize,
}

/// Place words beyond the gazetteer's suffixes: units below the township and zones.
const PLACE_WORDS: &[&str] = &[
    "村",
    "社区",
    "居委会",
    "村委会",
    "开发区",
    "高新区",
    "新区",
    "园区",
];

/// Organisations, bodies and meetings (the anonymiser's organisation heads are added).
const ORGANISATION_WORDS: &[&str] = &[
    "全会",
    "中全会",
    "大会",
    "会议",
    "党代会",
    // Of the one-character offices only those that seldom begin another word: 科 (科创), 部
    // (部署), 处 (处理), 所 (所有), 办 (办理) after a placeholder are more often the next word.
    "局",
    "委",
    "厅",
    "办公室",
    "中心",
    "单位",
    "部门",
    "企业",
    "学校",
    "党支部",
    "支部",
    "党组",
    "项目",
    "工程",
];

/// Units of dates and counts: `X月X日`, `XX万元` are blanks too, but of their own kind (filling
/// the district name must not write it into a date).
const UNIT_WORDS: &[&str] = &[
    "年", "月", "日", "号", "届", "期", "批", "万", "亿", "元", "万元", "亿元", "个", "名", "项",
    "次", "件", "户", "家", "岁", "条", "亩", "吨", "倍", "%", "％",
];

/// Latin terms written with a single X: never placeholders.
const LATIN_TERMS: &[&str] = &[
    "光",
    "射线",
    "线",
    "型",
    "轴",
    "染色体",
    "战警",
    "档案",
    "因素",
];

/// The kind of run a placeholder is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    X,
    Mou,
}

impl Mark {
    fn of(c: char) -> Option<Mark> {
        match c {
            'X' | 'Ｘ' => Some(Mark::X),
            '某' => Some(Mark::Mou),
            _ => None,
        }
    }
}

/// The context words, for each mark, and the longest one's length in characters.
struct Table {
    x: HashSet<&'static str>,
    mou: HashSet<&'static str>,
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut mou: HashSet<&'static str> = HashSet::new();
        mou.extend(place_suffixes().iter().map(String::as_str));
        mou.extend(PLACE_WORDS);
        mou.extend(TITLES);
        mou.extend(ORGANISATION_HEADS);
        // 某 takes no one-character organisation: 某部, 某处, 某所 are everyday phrases
        // (陆军某部).
        mou.extend(ORGANISATION_WORDS.iter().filter(|w| w.chars().count() > 1));
        let mut x = mou.clone();
        x.extend(ORGANISATION_WORDS);
        x.extend(UNIT_WORDS);
        let longest = x.iter().map(|w| w.chars().count()).max().unwrap_or(1);
        Table { x, mou, longest }
    })
}

/// One placeholder in a text: byte offsets, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Occurrence {
    start: usize,
    end: usize,
    /// A single `X` with no word after it (see the module's note).
    lone: bool,
}

fn is_latin_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

/// Whether `next` (and the one after it) make an `X` run part of a Latin word, a code or a
/// number: a letter or digit touches it, or a joiner that has one on its other side.
fn touches_latin(next: Option<char>, after_next: Option<char>) -> bool {
    match next {
        Some(c) if is_latin_or_digit(c) || "_@#&+=*×".contains(c) => true,
        Some('.' | '-' | '/' | '－') => after_next.is_some_and(is_latin_or_digit),
        _ => false,
    }
}

/// The longest context word of `mark` at the start of `rest`.
fn context_word(mark: Mark, rest: &str) -> Option<&str> {
    let table = table();
    let words = match mark {
        Mark::X => &table.x,
        Mark::Mou => &table.mou,
    };
    let ends: Vec<usize> = rest
        .char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(rest.len()))
        .take(table.longest)
        .collect();
    ends.iter()
        .rev()
        .map(|&end| &rest[..end])
        .find(|word| !word.is_empty() && words.contains(word))
}

/// Every placeholder in `text`, left to right.
fn scan(text: &str) -> Vec<Occurrence> {
    // Most paragraphs hold no blank: the article page asks on every view.
    if !text.contains(['X', 'Ｘ', '某']) {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(mark) = Mark::of(chars[i].1) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < chars.len() && Mark::of(chars[j].1) == Some(mark) {
            j += 1;
        }
        let (start, run_end) = (byte_at(i), byte_at(j));
        let from = i;
        i = j;
        if mark == Mark::X {
            let before = from.checked_sub(1).and_then(char_at);
            let before_that = from.checked_sub(2).and_then(char_at);
            if touches_latin(before, before_that) || touches_latin(char_at(j), char_at(j + 1)) {
                continue;
            }
        }
        let rest = &text[run_end..];
        let single = j - from == 1;
        if mark == Mark::X && single && LATIN_TERMS.iter().any(|t| rest.starts_with(t)) {
            continue;
        }
        match context_word(mark, rest) {
            Some(word) => {
                out.push(Occurrence {
                    start,
                    end: run_end + word.len(),
                    lone: false,
                });
                i += word.chars().count();
            }
            None if mark == Mark::X => out.push(Occurrence {
                start,
                end: run_end,
                lone: single,
            }),
            None => {}
        }
    }
    out
}

/// The distinct placeholders of a document given as its texts in reading order (title, then
/// each paragraph's parts), each with its count, keyed `p1`, `p2` … by first occurrence. The
/// same texts give the same keys.
pub fn detect<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<Placeholder> {
    let mut order: Vec<(&str, bool)> = Vec::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut has_context = false;
    for text in texts {
        for o in scan(text) {
            let pattern = &text[o.start..o.end];
            has_context |= !o.lone;
            let count = counts.entry(pattern).or_insert(0);
            if *count == 0 {
                order.push((pattern, o.lone));
            }
            *count += 1;
        }
    }
    order
        .into_iter()
        .filter(|&(_, lone)| has_context || !lone)
        .enumerate()
        .map(|(n, (pattern, _))| Placeholder {
            key: format!("p{}", n + 1),
            pattern: pattern.to_owned(),
            count: counts.get(pattern).copied().unwrap_or(0),
        })
        .collect()
}

/// A reader's value as plain text: control and invisible formatting characters removed (line
/// breaks and tabs become spaces), trimmed, at most [`MAX_VALUE_CHARS`] characters. Markup is
/// left as the characters it is: whoever writes the value out escapes it for its format.
pub fn clean_value(raw: &str) -> String {
    let kept: String = raw
        .chars()
        .filter_map(|c| {
            if c.is_control() && c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_invisible_format(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect();
    let capped: String = kept.trim().chars().take(MAX_VALUE_CHARS).collect();
    capped.trim_end().to_owned()
}

/// Zero-width characters, direction overrides and the like: they would make a value look other
/// than it is.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// A run of filled text, for a preview that shows what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub text: String,
    pub kind: PieceKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PieceKind {
    /// The document's own text.
    Text,
    /// A reader's value, standing where a placeholder stood.
    Filled,
    /// A placeholder left as it is (no value given).
    Blank,
}

/// Writes a reader's values into a document's texts.
#[derive(Debug, Clone, Default)]
pub struct Filler {
    /// Each detected pattern and its cleaned value (`None`: left blank).
    values: HashMap<String, Option<String>>,
}

impl Filler {
    /// A filler for `placeholders` (from [`detect`] over the same texts), taking each value by
    /// key from `value_of`. Values are cleaned ([`clean_value`]); an empty one leaves its
    /// placeholder as it is.
    pub fn new<'v>(
        placeholders: &[Placeholder],
        value_of: impl Fn(&str) -> Option<&'v str>,
    ) -> Self {
        let values = placeholders
            .iter()
            .map(|p| {
                let value = value_of(&p.key).map(clean_value).filter(|v| !v.is_empty());
                (p.pattern.clone(), value)
            })
            .collect();
        Filler { values }
    }

    /// True when no placeholder gets a value: filling changes nothing.
    pub fn is_empty(&self) -> bool {
        self.values.values().all(Option::is_none)
    }

    /// `text` with every filled placeholder replaced by its value.
    pub fn fill<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.is_empty() {
            return Cow::Borrowed(text);
        }
        let pieces = self.pieces(text);
        if pieces.iter().all(|p| p.kind != PieceKind::Filled) {
            return Cow::Borrowed(text);
        }
        Cow::Owned(pieces.into_iter().map(|p| p.text).collect())
    }

    /// `text` cut into the document's own text, filled values and placeholders left blank.
    pub fn pieces(&self, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut at = 0;
        let push = |out: &mut Vec<Piece>, text: &str, kind| {
            if !text.is_empty() {
                out.push(Piece {
                    text: text.to_owned(),
                    kind,
                });
            }
        };
        for o in scan(text) {
            let pattern = &text[o.start..o.end];
            let Some(value) = self.values.get(pattern) else {
                continue;
            };
            push(&mut out, &text[at..o.start], PieceKind::Text);
            match value {
                Some(value) => push(&mut out, value, PieceKind::Filled),
                None => push(&mut out, pattern, PieceKind::Blank),
            }
            at = o.end;
        }
        push(&mut out, &text[at..], PieceKind::Text);
        out
    }
}

#[cfg(test)]
mod tests;
