//! 模板化: proposing to replace concrete names with placeholders, so that a real speech becomes a
//! template (萧山区 → X区, 张三书记 → X书记, 呼和浩特市 → XX市).
//!
//! [`Anonymizer::propose`] finds, in this order of precedence (an earlier kind wins where two
//! overlap):
//! 1. the editor's custom words, always;
//! 2. administrative divisions from the bundled gazetteer ([`gazetteer`]), with their suffix
//!    (浙江省, 萧山区, …镇/乡/街道) or, for names that are no common word, without (浙江, 杭州);
//!    the suffix is kept (萧山区 → X区) and a place followed by 人民政府, 大学, 委 … is reported as
//!    an organisation;
//! 3. a person's name right before a title (张三书记, 王区长, 欧阳某某主任).
//!
//! The placeholder is `X` for a name of one or two characters and `XX` for a longer one, the
//! name being the part without its suffix. Words that only look like names are left alone:
//! jieba's segmentation of the text decides whether a candidate stands on word boundaries
//! (提高城镇化 holds no 高城镇, 浙西南山区 no 南山区), and the lists in [`words`] cover the rest
//! (市场, 区域, 中国, 区委书记). [`apply`] then writes the accepted replacements into the text.
//!
//! Pure: no I/O; the gazetteer is compiled in and its automaton built once per process.

mod gazetteer;
mod person;
mod words;

pub(crate) use gazetteer::place_suffixes;
pub(crate) use words::{ORGANISATION_HEADS, TITLES};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use crate::segment::with_jieba;
use gazetteer::gazetteer;

/// What a replacement stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplacementKind {
    /// An administrative division (浙江省, 萧山区, 杭州).
    Place,
    /// A person's name before a title (张三 in 张三书记).
    Person,
    /// The place part of an organisation's name (萧山区 in 萧山区人民政府).
    Organisation,
    /// One of the editor's custom words.
    Custom,
}

/// One proposed replacement. Offsets count characters (not bytes) of the text given to
/// [`Anonymizer::propose`]; `end` is exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    pub start: usize,
    pub end: usize,
    /// The text between `start` and `end`.
    pub original: String,
    /// What replaces it (X区, XX, X).
    pub replacement: String,
    pub kind: ReplacementKind,
}

/// Settings of an [`Anonymizer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymizeOptions {
    /// Placeholder for a name of one or two characters.
    pub short_placeholder: String,
    /// Placeholder for a name of three or more characters.
    pub long_placeholder: String,
    /// Words always replaced (a company, a project, a person without a title).
    pub custom_words: Vec<String>,
}

impl Default for AnonymizeOptions {
    fn default() -> Self {
        Self {
            short_placeholder: "X".to_owned(),
            long_placeholder: "XX".to_owned(),
            custom_words: Vec::new(),
        }
    }
}

/// Proposes replacements. Build it once per set of options and share it: the gazetteer's
/// automaton is built once per process, and cloning copies only the options and the custom
/// words' automaton (reference-counted).
#[derive(Debug, Clone)]
pub struct Anonymizer {
    options: AnonymizeOptions,
    /// Custom words and their automaton (leftmost-longest); `None` when there are none.
    custom: Option<(Vec<String>, AhoCorasick)>,
    protected: Option<AhoCorasick>,
    titles: Option<AhoCorasick>,
    organisation_heads: Option<AhoCorasick>,
}

impl Anonymizer {
    pub fn new(options: AnonymizeOptions) -> Self {
        let custom_words: Vec<String> = options
            .custom_words
            .iter()
            .map(|w| w.trim().to_owned())
            .filter(|w| !w.is_empty())
            .collect();
        let custom = if custom_words.is_empty() {
            None
        } else {
            leftmost_longest(&custom_words).map(|ac| (custom_words, ac))
        };
        // The gazetteer is built here, not on the first proposal, so the cost is paid when the
        // anonymiser is made.
        let _ = gazetteer();
        Self {
            options,
            custom,
            protected: leftmost_longest(words::PROTECTED),
            titles: leftmost_longest(words::TITLES),
            organisation_heads: AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(aho_corasick::StartKind::Anchored)
                .build(words::ORGANISATION_HEADS)
                .ok(),
        }
    }

    pub fn options(&self) -> &AnonymizeOptions {
        &self.options
    }

    /// The replacements proposed for `text`, ordered by position, none overlapping.
    pub fn propose(&self, text: &str) -> Vec<Replacement> {
        let text_info = TextInfo::new(text);
        let mut taken = vec![false; text_info.chars.len()];
        let mut out = Vec::new();
        self.custom_words(&text_info, &mut taken, &mut out);
        self.places(&text_info, &mut taken, &mut out);
        if let Some(titles) = &self.titles {
            for found in person::persons(&text_info, titles, &taken) {
                mark(&mut taken, found.start, found.end);
                out.push(self.replacement(
                    &text_info,
                    found.start,
                    found.end,
                    found.name_chars,
                    ReplacementKind::Person,
                ));
            }
        }
        out.sort_by_key(|r| r.start);
        out
    }

    fn custom_words(&self, t: &TextInfo, taken: &mut [bool], out: &mut Vec<Replacement>) {
        let Some((words, automaton)) = &self.custom else {
            return;
        };
        for m in automaton.find_iter(t.text) {
            let (start, end) = (t.char_at(m.start()), t.char_at(m.end()));
            let chars = words
                .get(m.pattern().as_usize())
                .map_or(end - start, |w| w.chars().count());
            mark(taken, start, end);
            out.push(self.replacement(t, start, end, chars, ReplacementKind::Custom));
        }
    }

    fn places(&self, t: &TextInfo, taken: &mut [bool], out: &mut Vec<Replacement>) {
        let Some(g) = gazetteer() else {
            return;
        };
        let protected = self.protected_mask(t);
        let mut matches: Vec<(usize, usize, usize)> = g
            .automaton
            .find_overlapping_iter(t.text)
            .map(|m| {
                (
                    t.char_at(m.start()),
                    t.char_at(m.end()),
                    m.pattern().as_usize(),
                )
            })
            .collect();
        // Left to right, the longest first where several start at the same place.
        matches.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut place_starts = vec![false; t.chars.len() + 1];
        for &(start, _, _) in &matches {
            place_starts[start] = true;
        }
        for (start, end, pattern) in matches {
            let Some(p) = g.patterns.get(pattern) else {
                continue;
            };
            if taken[start..end].iter().any(|&x| x) || protected[start..end].iter().any(|&x| x) {
                continue;
            }
            let base_end = start + p.base_chars;
            let starts_clean = t.boundary_before(start, taken)
                || (start > 0 && words::BEFORE_PLACE.contains(t.chars[start - 1]));
            // A bare name that itself ends like a place (丰镇, from 丰镇市) right after another Han
            // character is the tail of a longer name jieba did not know: 孝丰镇 is a town of its
            // own, not 孝 + 丰镇.
            let tail_of_longer_name = p.bare
                && start > 0
                && t.chars
                    .get(end - 1)
                    .is_some_and(|c| words::PLACE_ENDINGS.contains(*c))
                && t.is_han(start - 1)
                && !taken[start - 1]
                && !words::BEFORE_PLACE.contains(t.chars[start - 1]);
            // Only whole words: a bare name wedged between two one-character words (拥江西进,
            // 挥师江西进) is part of a phrase, not the province.
            let one_char_word = |i: usize| t.token_span(i) == Some((i, i + 1));
            let wedged = p.bare
                && start > 0
                && end < t.chars.len()
                && t.is_han(start - 1)
                && t.is_han(end)
                && !taken[start - 1]
                && !words::BEFORE_PLACE.contains(t.chars[start - 1])
                && one_char_word(start - 1)
                && one_char_word(end);
            if tail_of_longer_name || wedged {
                continue;
            }
            let ok = if p.bare {
                // jieba reads 福建厦门 and 甘肃兰州 as one word, and 上海港, 北京航空航天大学 too:
                // a name may end inside a word that it begins, or that goes on with a place.
                let ends_clean = t.boundary_after(end, taken)
                    || place_starts[end]
                    || t.token_span(start)
                        .is_some_and(|(s, e)| s == start && e > end);
                starts_clean && ends_clean
            } else if p.base_chars == 1 {
                // 易县, 和县: only where jieba reads the very name as one word (市和县两级).
                t.token_span(start) == Some((start, end))
            } else {
                let glued = t
                    .chars
                    .get(end)
                    .is_some_and(|&next| words::suffix_glued(t.chars[end - 1], next));
                // A word that begins inside the name and runs into the suffix: 浙西南山区 (山区),
                // 提高城镇化 (城镇化) hold no 南山区, 高城镇.
                let straddles = t
                    .token_span(base_end - 1)
                    .is_some_and(|(s, e)| s > start && e > base_end);
                !glued && !straddles && starts_clean
            };
            if !ok {
                continue;
            }
            let kind = if self.names_organisation(t, end) {
                ReplacementKind::Organisation
            } else {
                ReplacementKind::Place
            };
            mark(taken, start, end);
            out.push(self.replacement(t, start, end, p.base_chars, kind));
        }
    }

    fn protected_mask(&self, t: &TextInfo) -> Vec<bool> {
        let mut mask = vec![false; t.chars.len()];
        if let Some(ac) = &self.protected {
            for m in ac.find_iter(t.text) {
                mark(&mut mask, t.char_at(m.start()), t.char_at(m.end()));
            }
        }
        mask
    }

    fn names_organisation(&self, t: &TextInfo, end: usize) -> bool {
        let Some(ac) = &self.organisation_heads else {
            return false;
        };
        let Some(&byte) = t.char_bytes.get(end) else {
            return false;
        };
        let input = aho_corasick::Input::new(t.text)
            .range(byte..)
            .anchored(aho_corasick::Anchored::Yes);
        ac.find(input).is_some()
    }

    /// The replacement of `start..end`, whose name (without suffix) is the first `name_chars`
    /// characters; the rest (the suffix) is kept.
    fn replacement(
        &self,
        t: &TextInfo,
        start: usize,
        end: usize,
        name_chars: usize,
        kind: ReplacementKind,
    ) -> Replacement {
        let name_chars = name_chars.min(end - start);
        let placeholder = if name_chars <= 2 {
            &self.options.short_placeholder
        } else {
            &self.options.long_placeholder
        };
        let suffix: String = t.chars[start + name_chars..end].iter().collect();
        Replacement {
            start,
            end,
            original: t.chars[start..end].iter().collect(),
            replacement: format!("{placeholder}{suffix}"),
            kind,
        }
    }
}

/// `text` with the `accepted` replacements written in. Replacements that overlap an earlier
/// one, fall outside the text, or whose `original` is not what the text holds there are
/// skipped, so a stale proposal never garbles a text edited since.
pub fn apply(text: &str, accepted: &[Replacement]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut sorted: Vec<&Replacement> = accepted.iter().collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in sorted {
        if r.start < at || r.end > chars.len() || r.start >= r.end {
            continue;
        }
        if !chars[r.start..r.end].iter().copied().eq(r.original.chars()) {
            continue;
        }
        out.extend(&chars[at..r.start]);
        out.push_str(&r.replacement);
        at = r.end;
    }
    out.extend(&chars[at..]);
    out
}

fn leftmost_longest<P: AsRef<[u8]>>(patterns: &[P]) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .ok()
}

fn mark(mask: &mut [bool], start: usize, end: usize) {
    for x in &mut mask[start..end] {
        *x = true;
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The text with its characters, byte offsets and jieba's words, computed once per proposal.
pub(super) struct TextInfo<'a> {
    pub text: &'a str,
    pub chars: Vec<char>,
    /// Byte offset of each character, and the text's length at the end.
    pub char_bytes: Vec<usize>,
    /// For each character, the jieba word (start, end) it belongs to.
    tokens: Vec<(usize, usize)>,
}

impl<'a> TextInfo<'a> {
    fn new(text: &'a str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut char_bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        char_bytes.push(text.len());
        let mut tokens = vec![(0, 0); chars.len()];
        with_jieba(|jieba| {
            for token in jieba.cut(text, true) {
                for slot in tokens.iter_mut().take(token.end).skip(token.start) {
                    *slot = (token.start, token.end);
                }
            }
        });
        Self {
            text,
            chars,
            char_bytes,
            tokens,
        }
    }

    /// The character offset of a byte offset (which is always on a character boundary here).
    pub fn char_at(&self, byte: usize) -> usize {
        self.char_bytes.partition_point(|&b| b < byte)
    }

    /// The jieba word holding character `i`.
    pub fn token_span(&self, i: usize) -> Option<(usize, usize)> {
        self.tokens.get(i).copied()
    }

    /// Whether a name may begin at `i`: the start of the text, after a character that is no
    /// Han character, right after another replacement, or where jieba begins a word.
    pub fn boundary_before(&self, i: usize, taken: &[bool]) -> bool {
        i == 0
            || !is_han(self.chars[i - 1])
            || taken[i - 1]
            || self.token_span(i).is_some_and(|(s, _)| s == i)
    }

    /// Whether a name may end at `i` (exclusive): the end of the text, before a character that
    /// is no Han character, or where jieba ends a word.
    pub fn boundary_after(&self, i: usize, taken: &[bool]) -> bool {
        i >= self.chars.len()
            || !is_han(self.chars[i])
            || taken[i]
            || (i > 0 && self.token_span(i - 1).is_some_and(|(_, e)| e == i))
    }

    pub fn is_han(&self, i: usize) -> bool {
        self.chars.get(i).copied().is_some_and(is_han)
    }
}

#[cfg(test)]
mod tests;
