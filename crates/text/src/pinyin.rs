//! Pinyin of titles for search: a reader types `dsh` or `dushuhui` and finds
//! 在2020年区委读书会上的讲话.
//!
//! Heteronyms are read per word, not per character (per-character pinyin reads 重庆 as
//! "zhongqing"): a table of words (`pinyin/phrases.rs`) is longest-matched over each jieba word,
//! and characters outside any table word take a per-character default — the `pinyin` crate's
//! first reading unless `preferred_reading` knows that reading is the rarer one in modern text.
//! Output is plain ASCII: no tones, ü written `v` (效率 → xiaolv), as people type it.

mod phrases;

use ::pinyin::ToPinyin;

use crate::fold::fold;
use crate::segment;
use phrases::PHRASES;

/// Longest key [`title_pinyin_keys`] makes; longer queries are not pinyin of a title prefix
/// anyone types, and the cap bounds the index size of long titles.
pub const MAX_KEY_CHARS: usize = 48;

/// Longest word in the phrase table, in characters (checked by a test).
const MAX_PHRASE_CHARS: usize = 5;

/// The pinyin of a word, plain (no tones), lowercase: (full, initials), e.g. 重庆 →
/// ("chongqing", "cq"), 2020年 → ("2020nian", "2020n"). The word is folded first (繁→简,
/// full-width → ASCII), so 重慶 reads as 重庆. ASCII letters and digits are kept (lowercased)
/// in both; other non-Han characters are dropped.
pub fn word_pinyin(word: &str) -> (String, String) {
    folded_word_pinyin(&fold(word))
}

/// [`word_pinyin`] of a word already folded.
fn folded_word_pinyin(word: &str) -> (String, String) {
    let mut full = String::with_capacity(word.len() * 2);
    let mut initials = String::with_capacity(word.len());
    // Byte offset of every character, and of the end, so table candidates are plain slices.
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(word.len()))
        .collect();
    let chars = bounds.len() - 1;
    let mut i = 0;
    while i < chars {
        if let Some((len, syllables)) = phrase_at(word, &bounds, i) {
            for syllable in syllables.split(' ') {
                push_syllable(&mut full, &mut initials, syllable);
            }
            i += len;
            continue;
        }
        let c = word[bounds[i]..].chars().next().unwrap_or_default();
        if c.is_ascii_alphanumeric() {
            full.push(c);
            initials.push(c);
        } else if let Some(reading) = char_reading(c) {
            push_syllable(&mut full, &mut initials, reading);
        }
        i += 1;
    }
    (full, initials)
}

/// The longest table word starting at character `i`: its length in characters and syllables.
fn phrase_at(word: &str, bounds: &[usize], i: usize) -> Option<(usize, &'static str)> {
    let longest = MAX_PHRASE_CHARS.min(bounds.len() - 1 - i);
    (2..=longest).rev().find_map(|len| {
        let candidate = &word[bounds[i]..bounds[i + len]];
        PHRASES
            .binary_search_by(|(w, _)| (*w).cmp(candidate))
            .ok()
            .map(|at| (len, PHRASES[at].1))
    })
}

/// Append a syllable from the crate or the table, normalised to ASCII (ü → v, ê → e).
fn push_syllable(full: &mut String, initials: &mut String, syllable: &str) {
    let start = full.len();
    for c in syllable.chars() {
        match c {
            'ü' => full.push('v'),
            'ê' => full.push('e'),
            c if c.is_ascii_lowercase() => full.push(c),
            _ => {}
        }
    }
    if let Some(first) = full[start..].chars().next() {
        initials.push(first);
    }
}

/// The reading of a character outside any table word.
fn char_reading(c: char) -> Option<&'static str> {
    preferred_reading(c).or_else(|| c.to_pinyin().map(|p| p.plain()))
}

/// Characters whose first reading in the `pinyin` crate is the rarer one in modern text
/// (checked one by one against what the crate returns; see the tests).
fn preferred_reading(c: char) -> Option<&'static str> {
    Some(match c {
        '长' => "chang", // 长期 长江 延长; the zhang words (增长 县长) are in the table
        '调' => "tiao",  // 调整 协调 调控; the diao words (调查 调研) are in the table
        '似' => "si",    // 类似 似乎; 似的 is in the table
        '佛' => "fo",    // 佛教 佛山; 仿佛 is in the table
        '卜' => "bu",    // 占卜; 萝卜 is in the table
        '泊' => "bo",    // 停泊 漂泊; 湖泊 is in the table
        '茄' => "qie",   // 番茄 茄子; 雪茄 is in the table
        '吁' => "yu",    // 呼吁
        '嚼' => "jiao",
        '伽' => "jia",  // 瑜伽
        '缪' => "miao", // the surname
        '翟' => "zhai", // the surname
        '〇' => "ling", // 二〇二〇年
        _ => return None,
    })
}

/// Search keys of a title: for every word boundary k (words from [`segment::words`] of the
/// folded title), the full pinyin and the initials of words k.. concatenated, each cut to
/// [`MAX_KEY_CHARS`]; deduplicated, in order (full before initials for each k). A query typed
/// as the pinyin or the initials of any word of the title onwards is then a prefix of a key:
/// `dsh` and `dushuhui` for 在2020年区委读书会上的讲话, `gdbh` for 严守耕地保护红线.
pub fn title_pinyin_keys(title: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for words in title_readings(title) {
        for key in [full_key(&words), initials_key(&words)] {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        if keys.len() >= MAX_KEYS {
            break;
        }
    }
    keys.truncate(MAX_KEYS);
    keys
}

/// The key of words read in full: `dushuhuishangdejianghua`.
pub fn full_key(words: &[(String, String)]) -> String {
    joined(words.iter().map(|(full, _)| full.as_str()))
}

/// The key of words read as initials: `dshsdjh`.
pub fn initials_key(words: &[(String, String)]) -> String {
    joined(words.iter().map(|(_, initials)| initials.as_str()))
}

/// The (full, initials) readings of the title's words from every word on where a key starts:
/// the first list from the title's first word, then one from each later word, then one from
/// each start of a search-mode sub-word, so a long dictionary word (中华人民共和国国务院, or a
/// user word such as 区委读书会) does not hide the words inside it (国务院, 读书会). Lists whose
/// keys repeat an earlier list's are left out. [`title_pinyin_keys`] joins them; the index also
/// uses the word boundaries (a query that covers whole words ranks higher).
pub fn title_readings(title: &str) -> Vec<Vec<(String, String)>> {
    let folded = fold(title);
    let readings = readings_of(&folded);
    let mut lists: Vec<Vec<(String, String)>> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut add = |words: Vec<(String, String)>, lists: &mut Vec<Vec<(String, String)>>| {
        let keys = (full_key(&words), initials_key(&words));
        if words.is_empty() || seen.contains(&keys) || lists.len() >= MAX_KEYS {
            return;
        }
        seen.push(keys);
        lists.push(words);
    };
    for k in 0..readings.len() {
        add(readings[k..].to_vec(), &mut lists);
    }
    let chars: Vec<char> = folded.chars().collect();
    let mut starts: Vec<usize> = segment::search_words(&folded)
        .into_iter()
        .map(|(_, start)| start)
        .collect();
    starts.sort_unstable();
    starts.dedup();
    for start in starts.into_iter().filter(|s| *s > 0 && *s < chars.len()) {
        let suffix: String = chars[start..].iter().collect();
        add(readings_of(&suffix), &mut lists);
    }
    lists
}

/// Most keys kept per title.
const MAX_KEYS: usize = 96;

/// (full, initials) of each word of already-folded text, words without a reading left out.
fn readings_of(folded: &str) -> Vec<(String, String)> {
    segment::words(folded)
        .iter()
        .map(|w| folded_word_pinyin(w))
        .filter(|(full, _)| !full.is_empty())
        .collect()
}

/// `parts` concatenated up to [`MAX_KEY_CHARS`] (all ASCII, so bytes are characters).
fn joined<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut key = String::with_capacity(MAX_KEY_CHARS);
    for part in parts {
        let room = MAX_KEY_CHARS - key.len();
        if part.len() >= room {
            key.push_str(&part[..room]);
            break;
        }
        key.push_str(part);
    }
    key
}

/// Whether a query looks like pinyin: after trimming, 2 to [`MAX_KEY_CHARS`] ASCII letters
/// and nothing else (case does not matter).
pub fn looks_like_pinyin(query: &str) -> bool {
    let query = query.trim();
    (2..=MAX_KEY_CHARS).contains(&query.len()) && query.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests;
