//! Pinyin in the index as exact terms: a Latin-letter query is one term lookup, not a regex
//! expanded over the term dictionary (that made the slow tail of the latency).
//!
//! For every title key (the full pinyin or the initials of the title's words from one word on,
//! see `wenyuan_text::pinyin::title_readings`) the field holds:
//! - the key itself (for queries longer than [`MAX_PREFIX`], matched by a prefix regex, which is
//!   cheap for a long literal prefix);
//! - every prefix of 2..=[`MAX_PREFIX`] letters: `du`, `dus`, … `dushuhuishan`; `ds`, `dsh`, …;
//! - `{prefix}$` for the prefixes that end at a word boundary (`dsh$`, `dushuhui$`): the query
//!   covers whole words, so `gz` for 工作 outranks `gz` for 改造之 (a word and a half);
//! - `^{prefix}` for the keys that start at the title's first word: the query names the title's
//!   beginning.

use tantivy::query::{ConstScoreQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;
use wenyuan_text::pinyin::{full_key, initials_key};

use crate::rank;

/// Longest prefix indexed as a term. Longer queries (full pinyin of several words) fall back to
/// a prefix regex on the whole keys, which has few candidates at that length.
pub const MAX_PREFIX: usize = 12;

/// The terms of the title pinyin field for the title's word readings from each word on (the
/// first list from the title's first word).
pub fn title_terms(lists: &[Vec<(String, String)>]) -> Vec<String> {
    let mut terms = Vec::new();
    for (k, words) in lists.iter().enumerate() {
        for (key, lengths) in [
            (full_key(words), word_ends(words.iter().map(|w| w.0.len()))),
            (
                initials_key(words),
                word_ends(words.iter().map(|w| w.1.len())),
            ),
        ] {
            for len in 2..=key.len().min(MAX_PREFIX) {
                let prefix = &key[..len];
                terms.push(prefix.to_owned());
                if lengths.contains(&len) {
                    terms.push(format!("{prefix}$"));
                }
                if k == 0 {
                    terms.push(format!("^{prefix}"));
                }
            }
            if key.len() > MAX_PREFIX {
                terms.push(key);
            }
        }
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// The byte offsets where each word ends, in a key joined from words of these lengths.
fn word_ends(lengths: impl Iterator<Item = usize>) -> Vec<usize> {
    lengths
        .scan(0, |end, len| {
            *end += len;
            Some(*end)
        })
        .collect()
}

/// The terms of the keyword pinyin field: each key (full or initials of one keyword) and its
/// prefixes.
pub fn keyword_terms(keys: &[String]) -> Vec<String> {
    let mut terms = Vec::new();
    for key in keys {
        for len in 2..=key.len().min(MAX_PREFIX) {
            terms.push(key[..len].to_owned());
        }
        if key.len() > MAX_PREFIX {
            terms.push(key.clone());
        }
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

fn term(field: Field, text: &str, score: f32) -> Box<dyn Query> {
    let query = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic);
    Box::new(ConstScoreQuery::new(Box::new(query), score))
}

/// A key starting with `query` (letters only, longer than [`MAX_PREFIX`]).
fn long_prefix(field: Field, query: &str, score: f32) -> Option<Box<dyn Query>> {
    let regex = RegexQuery::from_pattern(&format!("{query}.*"), field).ok()?;
    Some(Box::new(ConstScoreQuery::new(Box::new(regex), score)))
}

/// Clauses matching a folded, letters-only query against the title pinyin (scored by
/// [`rank`]'s title points, with bonuses for whole words and for the title's start) and the
/// keyword pinyin (keyword points).
pub fn clauses(title: Field, keywords: Option<Field>, query: &str) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if query.len() <= MAX_PREFIX {
        out.push((Occur::Should, term(title, query, rank::TITLE)));
        out.push((
            Occur::Should,
            term(title, &format!("{query}$"), rank::TITLE_WORDS),
        ));
        out.push((
            Occur::Should,
            term(title, &format!("^{query}"), rank::TITLE_START),
        ));
    } else {
        out.extend(long_prefix(title, query, rank::TITLE).map(|q| (Occur::Should, q)));
    }
    if let Some(keywords) = keywords {
        out.extend(keyword_clause(keywords, query).map(|q| (Occur::Should, q)));
    }
    out
}

/// The keyword pinyin part of [`clauses`] alone (keywords come from the whole text, so the
/// caller may have to limit which documents it applies to).
pub fn keyword_clause(keywords: Field, query: &str) -> Option<Box<dyn Query>> {
    if query.len() <= MAX_PREFIX {
        Some(term(keywords, query, rank::KEYWORD))
    } else {
        long_prefix(keywords, query, rank::KEYWORD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenyuan_text::pinyin::title_readings;

    #[test]
    fn prefixes_mark_word_ends_and_the_title_start() {
        let terms = title_terms(&title_readings("在2020年区委读书会上的讲话"));
        // jieba (no user dictionary) reads 读书/会上: 读书 ends a word, 读书会 does not.
        for t in ["dsh", "ds$", "dush", "dushu$", "dushuhuishan", "^z2"] {
            assert!(terms.contains(&t.to_owned()), "{t} in {terms:?}");
        }
        assert!(!terms.contains(&"dush$".to_owned()), "dush ends inside 书");
        assert!(
            !terms.contains(&"^dsh".to_owned()),
            "读书会 is not the first word"
        );
        assert!(terms.iter().all(|t| t.len() <= 48 + 1));
        let terms = title_terms(&title_readings("严守耕地保护红线"));
        for t in [
            "gd$",
            "gdbh$",
            "gengdi$",
            "^ys",
            "^yanshougeng",
            "yanshougengdibaohuhongxian",
        ] {
            assert!(terms.contains(&t.to_owned()), "{t} in {terms:?}");
        }
    }

    #[test]
    fn keyword_keys_and_their_prefixes() {
        let terms = keyword_terms(&["gengdibaohu".to_owned(), "gdbh".to_owned()]);
        assert!(terms.contains(&"gengdi".to_owned()) && terms.contains(&"gdb".to_owned()));
        assert!(!terms.contains(&"g".to_owned()));
    }
}
