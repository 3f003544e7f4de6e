//! SimHash fingerprints for near-duplicate detection (Charikar 2002).
//!
//! A document becomes a weighted set of features; each feature's 64-bit hash votes +weight for
//! the bits it has set and −weight for the others; the fingerprint keeps the bits with a positive
//! total. Two documents sharing most of their weighted features get fingerprints a few bits apart,
//! so the Hamming distance of two fingerprints estimates how different the documents are.
//!
//! Features are jieba words and 2-word shingles (pairs of consecutive words within a paragraph),
//! weighted by `1 + ln(tf)`, the title's counting [`TITLE_WEIGHT`] times. `bench/near_dup.sh`
//! measured words, shingles and both on edited copies of the corpus: at the default distance (3
//! bits) words alone keep the most edited copies but bring the 1992 and 1995 政府工作报告 within
//! 3 bits; shingles alone separate every pair of different reports (none within 8 bits) but lose
//! a quarter of the anonymised copies; both together separate every pair of different reports
//! too and keep nearly what words keep.
//!
//! What only names a template's blanks is left out of long documents, so an edited or anonymised
//! copy of a report stays close: numbers and ordinals (2012年, 第五次), placeholder names
//! (X, XX, 某), punctuation and a short list of function words. Two exceptions (issue 12.6):
//! - in a **short** document (body under [`SHORT_DOCUMENT_CHARS`]) numbers, years and dates count:
//!   two news items that differ only in the year or a figure are different news;
//! - in a short document the numbers of the **title** count heavily too (together half the norm
//!   of all other features): 《2023年新年贺词》 and 《2026年新年贺词》, or the 决议 of two
//!   sessions, are different documents, so their fingerprints land ~13 bits apart on average
//!   (arccos(1/1.25)/π of 64) — far beyond the near-duplicate distance. Not in a long one: there
//!   half the weight on the title's year would leave the body so little say that one rewritten
//!   paragraph of a report moves its fingerprint past the near-duplicate distance, and two long
//!   reports of different years are told apart by their bodies' shingles already.
//!
//! The hash is FNV-1a 64 followed by the MurmurHash3 finaliser, written out here because the
//! fingerprints are stored: they must not change across Rust versions, platforms or runs (std's
//! hashers promise none of that). The finaliser matters: FNV-1a's low bits depend on few input
//! bits (bit 0 is the parity of the bytes' low bits), which would make those fingerprint bits
//! agree between unrelated documents.

use std::collections::HashMap;

/// Votes per feature hash. The keys are finalised hashes already: foldhash's fixed state is
/// enough to place them (SipHash cost a twentieth of an import).
type FeatureCounts = HashMap<u64, f64, foldhash::fast::FixedState>;

use crate::fold::fold;
use crate::segment::word_slices;

/// How many times the title's features count: the title names what the document is.
pub const TITLE_WEIGHT: f64 = 2.0;
/// A body shorter than this (characters) keeps its numbers as features.
pub const SHORT_DOCUMENT_CHARS: usize = 1500;
/// The title's numbers weigh together this share of the norm of all other features.
const TITLE_NUMBERS_SHARE: f64 = 0.5;
/// Marks a title-number feature in the hashed bytes, apart from the same number in the text.
const TITLE_NUMBER_MARK: &str = "\u{1}title-number";

const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Separates the two words of a shingle in the hashed bytes (0x1F never occurs in a word).
const SHINGLE_SEPARATOR: u8 = 0x1F;

/// What a fingerprint is made of. [`simhash`] uses [`Features::WordsAndShingles`]; the others
/// exist so the benchmark can show why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Features {
    /// Single words.
    Words,
    /// Pairs of consecutive words.
    Shingles,
    /// Both single words and pairs.
    WordsAndShingles,
}

/// The 64-bit SimHash of a document.
pub fn simhash(title: &str, paragraphs: &[impl AsRef<str>]) -> u64 {
    simhash_with(Features::WordsAndShingles, title, paragraphs)
}

/// The SimHash of a document over the given kind of features.
pub fn simhash_with(features: Features, title: &str, paragraphs: &[impl AsRef<str>]) -> u64 {
    let length: usize = paragraphs.iter().map(|p| p.as_ref().chars().count()).sum();
    let numbers = length < SHORT_DOCUMENT_CHARS;
    // About one feature per character and a pair per word: sized once, not grown by rehashing.
    let mut counts: FeatureCounts =
        HashMap::with_capacity_and_hasher(length / 2 + 16, Default::default());
    add_features(&mut counts, features, title, TITLE_WEIGHT, numbers);
    for paragraph in paragraphs {
        add_features(&mut counts, features, paragraph.as_ref(), 1.0, numbers);
    }
    let mut weighted: Vec<(u64, f64)> = counts
        .into_iter()
        .map(|(hash, tf)| (hash, 1.0 + tf.ln()))
        .collect();
    let title_numbers = number_runs(&fold(title));
    if numbers && !title_numbers.is_empty() {
        let norm = weighted.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        let each = TITLE_NUMBERS_SHARE * norm / (title_numbers.len() as f64).sqrt();
        for number in &title_numbers {
            weighted.push((hash_feature(TITLE_NUMBER_MARK, number), each));
        }
    }
    fingerprint(weighted.into_iter())
}

/// Number of bits in which two fingerprints differ (0..=64).
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// `1 − distance/64`: 1.0 for equal fingerprints, about 0.5 for unrelated documents.
pub fn similarity(a: u64, b: u64) -> f64 {
    1.0 - f64::from(hamming(a, b)) / 64.0
}

/// Add the features of one paragraph (or the title) with `weight` per occurrence. For shingles,
/// a paragraph of a single kept word contributes that word alone, so short texts still count.
fn add_features(
    counts: &mut FeatureCounts,
    features: Features,
    text: &str,
    weight: f64,
    numbers: bool,
) {
    let folded = fold(text);
    let kept: Vec<&str> = word_slices(&folded)
        .into_iter()
        .filter(|w| is_feature_word(w) || numbers && is_number(w))
        .collect();
    let single_words = features != Features::Shingles || kept.len() == 1;
    if single_words {
        for word in &kept {
            *counts.entry(hash_feature(word, "")).or_default() += weight;
        }
    }
    if features != Features::Words {
        for pair in kept.windows(2) {
            *counts.entry(hash_feature(pair[0], pair[1])).or_default() += weight;
        }
    }
}

/// Words that carry content. Numbers (also ordinals and dates: 第五次, 十四届, 2012年),
/// placeholders and function words name a template's blanks or glue; leaving them out keeps
/// templated documents together.
fn is_feature_word(word: &str) -> bool {
    let is_placeholder = word.chars().all(|c| matches!(c, 'x' | 'X' | '某' | '×'));
    // Every function word is one or two characters: longer words skip the list.
    let is_function_word = word.len() <= FUNCTION_WORD_BYTES && FUNCTION_WORDS.contains(&word);
    !is_number(word) && !is_placeholder && !is_function_word
}

/// The numbers of a title as written, whole: maximal runs of numerals and number marks holding
/// a numeral (二〇二五年, 第一次, 7416.7万 → 7416.7). Not jieba words: it cuts 二〇二五年 into
/// pieces most of which two years share.
fn number_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_numeral(c) || is_number_mark(c) {
            run.push(c);
        } else if !run.is_empty() {
            if run.chars().any(is_numeral) {
                runs.push(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    runs
}

/// A number, ordinal, figure or date word: 2012, 第五次, 十四届, 2012年, 3.5%.
fn is_number(word: &str) -> bool {
    word.chars().any(is_numeral) && word.chars().all(|c| is_numeral(c) || is_number_mark(c))
}

/// Digits and Chinese numerals: 2012, 十四, 两. (A `match`, not a search of a string of them:
/// this runs for every character of every word of an import.)
fn is_numeral(c: char) -> bool {
    matches!(
        c,
        '0'..='9'
            | '零'
            | '〇'
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '万'
            | '亿'
            | '两'
    )
}

/// What makes a numeral an ordinal, a date or a figure: 第五次, 十四届, 2012年, 3.5%.
fn is_number_mark(c: char) -> bool {
    matches!(
        c,
        '第' | '次' | '届' | '年' | '月' | '日' | '号' | '.' | '%' | ',' | '-'
    )
}

/// The longest function word in bytes (two Han characters).
const FUNCTION_WORD_BYTES: usize = 6;

/// Function words frequent in 公文 that say nothing of the content.
const FUNCTION_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "等", "是", "在", "对", "为", "把", "将", "以", "从", "向", "于",
    "也", "都", "而", "并", "或", "就", "又", "之", "其", "这", "那", "要", "着", "有", "被", "由",
    "个", "各", "我们", "我", "你", "他", "她", "它", "他们", "同志",
];

fn fingerprint(features: impl Iterator<Item = (u64, f64)>) -> u64 {
    let mut votes = [0f64; 64];
    for (hash, weight) in features {
        for (bit, vote) in votes.iter_mut().enumerate() {
            if hash >> bit & 1 == 1 {
                *vote += weight;
            } else {
                *vote -= weight;
            }
        }
    }
    votes
        .iter()
        .enumerate()
        .filter(|(_, vote)| **vote > 0.0)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
}

fn hash_feature(first: &str, second: &str) -> u64 {
    let mut hash = FNV64_OFFSET;
    let mut write = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(FNV64_PRIME);
        }
    };
    write(first.as_bytes());
    if !second.is_empty() {
        write(&[SHINGLE_SEPARATOR]);
        write(second.as_bytes());
    }
    finalise(hash)
}

/// MurmurHash3's 64-bit finaliser: every output bit depends on every input bit.
fn finalise(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

#[cfg(test)]
mod tests;
