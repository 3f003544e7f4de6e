//! A person's name right before a title: 张三书记, 王区长, 欧阳某某主任, 习近平总书记.
//!
//! For each title, candidate names end right before it: a surname from data/surnames.txt and
//! then nothing, one or two given characters. A candidate must begin on a word boundary, must
//! not be an ordinary word (公安局长, 国家主席: jieba's dictionary knows 公安 and 国家 as nouns),
//! must not hold a character that belongs to an office instead (区委书记, 党委书记), and must not
//! be glued into a word with the title (班主任). Of the candidates left the longest wins, unless
//! it starts with a character more often a preposition (向王书记汇报: 王).

use std::collections::HashSet;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::{words, TextInfo};
use crate::segment::with_jieba;

const SURNAMES: &str = include_str!("../../data/surnames.txt");

fn surnames() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        SURNAMES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect()
    })
}

/// A name found before a title: characters `start..end`, all of them the name.
pub(super) struct Found {
    pub start: usize,
    pub end: usize,
    pub name_chars: usize,
}

pub(super) fn persons(t: &TextInfo, titles: &AhoCorasick, taken: &[bool]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for m in titles.find_iter(t.text) {
        let title = t.char_at(m.start());
        if let Some(found) = name_before(t, title, taken) {
            if out.last().is_none_or(|f| f.end <= found.start) {
                out.push(found);
            }
        }
    }
    out
}

fn name_before(t: &TextInfo, title: usize, taken: &[bool]) -> Option<Found> {
    let surnames = surnames();
    let mut valid: Vec<usize> = Vec::new();
    for len in (1..=4).rev() {
        if len > title {
            continue;
        }
        let start = title - len;
        if (start..title).any(|i| taken[i] || !t.is_han(i)) {
            continue;
        }
        let name: String = t.chars[start..title].iter().collect();
        let double: String = t.chars[start..(start + 2).min(title)].iter().collect();
        let surname_len = if len >= 2 && surnames.contains(double.as_str()) {
            2
        } else if surnames.contains(t.chars[start].encode_utf8(&mut [0; 4]) as &str) {
            1
        } else {
            continue;
        };
        if len - surname_len > 2 {
            continue;
        }
        if t.chars[start + surname_len..title]
            .iter()
            .any(|c| words::NOT_IN_GIVEN_NAME.contains(*c))
        {
            continue;
        }
        let after_small_word = start > 0 && words::BEFORE_NAME.contains(t.chars[start - 1]);
        if !t.boundary_before(start, taken) && !after_title(t, start) && !after_small_word {
            continue;
        }
        if is_ordinary_word(&name) || glued_to_title(t, start, title) {
            continue;
        }
        valid.push(len);
    }
    let mut best = *valid.first()?;
    if words::FUNCTION_FIRST.contains(t.chars[title - best]) {
        if let Some(&shorter) = valid.get(1) {
            best = shorter;
        }
    }
    Some(Found {
        start: title - best,
        end: title,
        name_chars: best,
    })
}

/// Whether a title ends right before `i` (书记王伟区长 is rare, but 王书记、李区长 lists are not).
fn after_title(t: &TextInfo, i: usize) -> bool {
    words::TITLES.iter().any(|title| {
        let n = title.chars().count();
        i >= n && t.chars[i - n..i].iter().copied().eq(title.chars())
    })
}

/// Whether jieba's dictionary holds `name` as one word that is no person's name (公安, 国家).
fn is_ordinary_word(name: &str) -> bool {
    with_jieba(|jieba| {
        let tags = jieba.tag(name, false);
        matches!(tags.as_slice(), [only] if only.word == name && jieba.has_word(name) && !only.tag.starts_with("nr"))
    })
}

/// Whether the text's segmentation makes the end of the candidate and the start of the title
/// one dictionary word (班主任: 班 is a surname, but this is no 班 the 主任).
fn glued_to_title(t: &TextInfo, start: usize, title: usize) -> bool {
    let Some((s, e)) = t.token_span(title) else {
        return false;
    };
    if s >= title || s < start {
        return false;
    }
    let word: String = t.chars[s..e].iter().collect();
    with_jieba(|jieba| jieba.has_word(&word)) && !is_person_word(&word)
}

fn is_person_word(word: &str) -> bool {
    with_jieba(|jieba| {
        jieba
            .tag(word, false)
            .first()
            .is_some_and(|tag| tag.tag.starts_with("nr"))
    })
}
