//! What a search falls back to when nothing matches a query as typed: its words (jieba), all of
//! them anywhere, then any of them (the documents with the most first).
//!
//! Both stages cover only the documents the viewer reads in full (see `SearchIndex::search`).
//!
//! Words that state a number are left out of both stages. A figure is a fact, not a topic: a
//! relaxed query that kept it would answer differently for `增长1` and `增长2` — by matches in
//! other documents, but an answer that changes with each digit is what a reader probing hidden
//! text digit by digit watches for. Quoted phrases are kept as they are.

use wenyuan_text::fold::fold;

use crate::query::{is_number, ParsedQuery, QueryTerm, MAX_TERMS};

/// The query's terms split into words, numbers left out; `None` when no word is left.
pub fn words(parsed: &ParsedQuery) -> Option<ParsedQuery> {
    let mut must: Vec<QueryTerm> = Vec::new();
    for term in &parsed.must {
        if term.phrase {
            must.push(term.clone());
            continue;
        }
        for word in wenyuan_text::segment::words(&fold(&term.text)) {
            let word = QueryTerm {
                text: word,
                phrase: false,
            };
            if !is_number(&word.text) && !must.contains(&word) && must.len() < MAX_TERMS {
                must.push(word);
            }
        }
    }
    if must.is_empty() {
        return None;
    }
    Some(ParsedQuery {
        must,
        must_not: parsed.must_not.clone(),
        truncated: parsed.truncated,
    })
}

/// The words worth matching one at a time: those of two characters or more (a single character
/// matches nearly everything), or all of them when none is that long.
pub fn partial(words: &ParsedQuery) -> ParsedQuery {
    let long: Vec<QueryTerm> = words
        .must
        .iter()
        .filter(|t| t.phrase || t.text.chars().count() >= 2)
        .cloned()
        .collect();
    ParsedQuery {
        must: if long.is_empty() {
            words.must.clone()
        } else {
            long
        },
        ..words.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn texts(parsed: &ParsedQuery) -> Vec<&str> {
        parsed.must.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn words_leave_numbers_out_and_keep_phrases() {
        let words = words(&parse("设备购置投资增长15.7 \"高质量\"")).unwrap();
        assert_eq!(texts(&words), ["设备", "购置", "投资", "增长", "高质量"]);
        assert!(words.must[4].phrase);
        let other = self::words(&parse("设备购置投资增长15.8")).unwrap();
        assert_eq!(texts(&other), ["设备", "购置", "投资", "增长"]);
        assert!(self::words(&parse("2024 15.7%")).is_none());
        assert_eq!(texts(&partial(&parse("的 是"))), ["的", "是"]);
        assert_eq!(texts(&partial(&parse("的 是 文化"))), ["文化"]);
    }
}
