//! The query language readers type: words are ANDed, `"a phrase"` is matched as written, `-word`
//! excludes. Everything else is plain text: no syntax can make a query fail.

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;
use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::looks_like_pinyin;

use crate::analysis::{units, word_tokens, Unit};
use crate::schema::Fields;
use crate::{pinyin, rank};

/// Longest query taken into account, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most terms taken into account.
pub const MAX_TERMS: usize = 16;

/// One term of a query: a word (substring) or a quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// As typed, without quotes or the leading `-`.
    pub text: String,
    pub phrase: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub must: Vec<QueryTerm>,
    pub must_not: Vec<QueryTerm>,
    /// True when the input was cut to [`MAX_QUERY_CHARS`] or [`MAX_TERMS`].
    pub truncated: bool,
}

impl ParsedQuery {
    /// The folded texts to highlight in snippets.
    pub fn highlights(&self) -> Vec<String> {
        self.must.iter().map(|t| fold(&t.text)).collect()
    }
}

/// Parse what a reader typed.
pub fn parse(input: &str) -> ParsedQuery {
    let mut truncated = input.chars().count() > MAX_QUERY_CHARS;
    let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
    // Full-width quotes and minus signs count as their ASCII forms.
    let input = input.replace(['“', '”', '＂'], "\"").replace('－', "-");
    let mut parsed = ParsedQuery::default();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        let (text, phrase) = if chars.peek() == Some(&'"') {
            chars.next();
            // An unbalanced quote runs to the end of the query.
            let text: String = chars.by_ref().take_while(|c| *c != '"').collect();
            (text, true)
        } else {
            let text: String =
                std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect();
            (text, false)
        };
        if units(&text).is_empty() {
            continue; // only punctuation
        }
        let term = QueryTerm { text, phrase };
        let list = if negated {
            &mut parsed.must_not
        } else {
            &mut parsed.must
        };
        if list.len() < MAX_TERMS {
            list.push(term);
        } else {
            truncated = true;
        }
    }
    parsed.truncated = truncated;
    parsed
}

/// The substring query of `text` on one gram field: the bigrams of its characters in a row,
/// the last character as a prefix (see `analysis`).
pub fn substring_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let units = units(text);
    let n = units.len();
    if n == 0 {
        return None;
    }
    let mut exact: Vec<Term> = Vec::with_capacity(n);
    for i in 0..n - 1 {
        let token = match (&units[i], &units[i + 1]) {
            // As in documents: a character that ends a run (before a space, punctuation or a
            // Latin word) is a token of its own; otherwise it starts a bigram.
            (
                Unit::Cjk {
                    c, run_end: false, ..
                },
                Unit::Cjk { c: next, .. },
            ) => format!("{c}{next}"),
            (Unit::Cjk { c, .. }, _) => c.to_string(),
            (Unit::Word { text, .. }, _) => text.clone(),
        };
        exact.push(Term::from_field_text(field, &token));
    }
    match &units[n - 1] {
        // The bigram before already holds the last character, and every character of a document
        // starts a token: a prefix on it would add nothing but a costly term expansion.
        Unit::Cjk { .. } if n >= 2 && matches!(units[n - 2], Unit::Cjk { run_end: false, .. }) => {
            if exact.len() == 1 {
                Some(Box::new(TermQuery::new(
                    exact.remove(0),
                    IndexRecordOption::WithFreqs,
                )))
            } else {
                Some(Box::new(PhraseQuery::new(exact)))
            }
        }
        Unit::Cjk { c, .. } => {
            exact.push(Term::from_field_text(field, &c.to_string()));
            let mut query = PhrasePrefixQuery::new(exact);
            query.set_max_expansions(10_000);
            Some(Box::new(query))
        }
        // After other units, a Latin word or number may be cut by the query's end (`诞辰1` for
        // 诞辰130): a prefix. Alone it is matched whole (or as a suffix, see `analysis`).
        Unit::Word { text, .. } if n >= 2 => {
            exact.push(Term::from_field_text(field, text));
            let mut query = PhrasePrefixQuery::new(exact);
            query.set_max_expansions(10_000);
            Some(Box::new(query))
        }
        Unit::Word { text, .. } => {
            exact.push(Term::from_field_text(field, text));
            if exact.len() == 1 {
                Some(Box::new(TermQuery::new(
                    exact.remove(0),
                    IndexRecordOption::WithFreqs,
                )))
            } else {
                Some(Box::new(PhraseQuery::new(exact)))
            }
        }
    }
}

/// Where a term must match: title, outline or body (or the title's pinyin). A match in the
/// title scores [`rank::TITLE`] points; outline and body add their BM25 score, scaled to stay
/// below one point (see `rank`).
pub fn term_query(fields: &Fields, term: &QueryTerm) -> Option<Box<dyn Query>> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(q) = substring_query(fields.title_grams, &term.text) {
        should.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(q, rank::TITLE)),
        ));
    }
    for (field, weight) in [(fields.outline_grams, 1.5), (fields.body_grams, 1.0)] {
        if let Some(q) = substring_query(field, &term.text) {
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(q, weight * rank::TEXT)),
            ));
        }
    }
    let folded = fold(term.text.trim());
    if !term.phrase && looks_like_pinyin(&folded) {
        // Letters only: also the pinyin (or initials) of any word of the title onwards, and of
        // the document's keywords.
        should.extend(pinyin::clauses(
            fields.title_pinyin,
            Some(fields.keyword_pinyin),
            &folded,
        ));
    }
    if should.is_empty() {
        None
    } else {
        Some(Box::new(BooleanQuery::new(should)))
    }
}

/// Optional clauses that rank whole-word matches (jieba words) higher; they never decide a match
/// and, like all text scores, weigh less than one point.
pub fn ranking_query(fields: &Fields, term: &QueryTerm) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (word, _, _) in word_tokens(&term.text).into_iter().take(8) {
        for (field, weight) in [(fields.title_words, 1.5), (fields.body_words, 0.3)] {
            let q = TermQuery::new(
                Term::from_field_text(field, &word),
                IndexRecordOption::WithFreqs,
            );
            out.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), weight * rank::TEXT)),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(list: &[QueryTerm]) -> Vec<(&str, bool)> {
        list.iter().map(|t| (t.text.as_str(), t.phrase)).collect()
    }

    #[test]
    fn queries_parse_into_terms_phrases_and_exclusions() {
        let q = parse("营商 -金融");
        assert_eq!(terms(&q.must), [("营商", false)]);
        assert_eq!(terms(&q.must_not), [("金融", false)]);
        let q = parse("\"高质量发展\" 读书会");
        assert_eq!(terms(&q.must), [("高质量发展", true), ("读书会", false)]);
        let q = parse("“高质量 发展”");
        assert_eq!(terms(&q.must), [("高质量 发展", true)], "full-width quotes");
        let q = parse("\"unbalanced quote 读书");
        assert_eq!(terms(&q.must), [("unbalanced quote 读书", true)]);
        assert!(
            parse("。，！？ --- \"\"").must.is_empty(),
            "punctuation only"
        );
        assert!(parse("").must.is_empty());
        let q = parse("title:读书 AND (x OR y)");
        assert_eq!(q.must.len(), 5, "syntax is just text: {:?}", q.must);
    }

    #[test]
    fn huge_queries_are_cut_not_refused() {
        let q = parse(&"读书会 ".repeat(3000));
        assert!(q.truncated);
        assert!(q.must.len() <= MAX_TERMS);
    }
}
