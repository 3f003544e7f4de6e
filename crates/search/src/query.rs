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

/// What a query may match of each document, for one viewer. The rule (README, 搜索与会员内容):
///
/// - the title, the outline and the preview (what the gate shows every reader) match any way
///   a query can: substrings, phrases, numbers;
/// - the whole text of a document matches that way only for readers who may read it;
/// - the rest of any other document matches only a whole word, and only when no filter narrows
///   the search: see [`hidden_word`]. So a phrase, a fragment or a figure of hidden text is never
///   confirmed, and a word plus a date (which may name one document) is not a probe either; the
///   reader still finds a gated document by what it is about.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Access levels whose documents the viewer reads in full; `None`: every level (staff, VIP).
    pub readable: Option<Vec<String>>,
    /// Whether other documents' hidden text may match whole words (no narrowing filter).
    pub hidden_words: bool,
    /// Whether the indexed previews were made by the preview rule in force; if not, they are
    /// not matched (a preview that has since shrunk would otherwise still match).
    pub previews: bool,
}

/// Characters that write numbers in Chinese: a word made only of them is a figure, not a topic.
const NUMERALS: &str = "〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟点";

/// Whether a word states a number: it holds a digit, or it is written in numerals only (十五,
/// 二〇二三). Figures in hidden text are facts, not topics: matching a whole-number guess would be
/// an oracle again.
pub fn is_number(word: &str) -> bool {
    word.chars()
        .any(|c| c.is_numeric() && !NUMERALS.contains(c))
        || word.chars().all(|c| NUMERALS.contains(c))
}

/// The word by which a query term may match text the viewer may not read: the term is not a
/// phrase and is one word of jieba's dictionary (or the site's), of at least two characters (punctuation around it aside) that
/// states no number. `None` for anything else: phrases, runs of several words, fragments,
/// single characters, figures.
pub fn hidden_word(term: &QueryTerm) -> Option<String> {
    if term.phrase {
        return None;
    }
    let folded = fold(term.text.trim());
    let bare: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    let words = wenyuan_text::segment::dictionary_words(&folded);
    let [word] = words.as_slice() else {
        return None;
    };
    (*word == bare && word.chars().count() >= 2 && !is_number(word)).then(|| word.clone())
}

/// Documents of the readable access levels (a filter: it adds no score).
fn readable_filter(fields: &Fields, levels: &[String]) -> Box<dyn Query> {
    let any: Vec<(Occur, Box<dyn Query>)> = levels
        .iter()
        .map(|level| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(fields.access, level),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))
}

/// Documents the viewer reads in full (a filter, no score).
pub fn readable_only(fields: &Fields, levels: &[String]) -> Box<dyn Query> {
    readable_filter(fields, levels)
}

/// `query`, on documents the viewer reads in full only.
fn on_readable(fields: &Fields, levels: &[String], query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::Must, readable_filter(fields, levels)),
    ]))
}

/// `query`, on the documents the viewer may not read in full only.
fn on_gated(fields: &Fields, levels: &[String], query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::MustNot, readable_filter(fields, levels)),
    ]))
}

/// Where a term must match: title, outline, body (within `scope`) or the title's pinyin. A match
/// in the title scores [`rank::TITLE`] points; outline and body add their BM25 score, scaled to
/// stay below one point (see `rank`).
pub fn term_query(fields: &Fields, term: &QueryTerm, scope: &Scope) -> Option<Box<dyn Query>> {
    let mut should = title_text_clauses(fields, term);
    let text = |field, weight: f32| -> Option<Box<dyn Query>> {
        substring_query(field, &term.text)
            .map(|q| Box::new(BoostQuery::new(q, weight * rank::TEXT)) as Box<dyn Query>)
    };
    should.extend(text(fields.outline_grams, 1.5).map(|q| (Occur::Should, q)));
    match &scope.readable {
        None => should.extend(text(fields.body_grams, 1.0).map(|q| (Occur::Should, q))),
        Some(levels) => {
            if let Some(q) = text(fields.body_grams, 1.0) {
                should.push((Occur::Should, on_readable(fields, levels, q)));
            }
            if scope.previews {
                if let Some(q) = text(fields.preview_grams, 1.0) {
                    should.push((Occur::Should, on_gated(fields, levels, q)));
                }
            }
            if let Some(word) = hidden_word(term).filter(|_| scope.hidden_words) {
                let q = TermQuery::new(
                    Term::from_field_text(fields.body_words, &word),
                    IndexRecordOption::WithFreqs,
                );
                let q = Box::new(BoostQuery::new(Box::new(q), rank::TEXT));
                should.push((Occur::Should, on_gated(fields, levels, q)));
            }
        }
    }
    // Letters only: also the pinyin (or initials) of any word of the title onwards, and of the
    // document's keywords. Keywords are topic words of the whole text, letters only (no figure):
    // they count as hidden words do.
    should.extend(title_pinyin_clauses(fields, term));
    if let Some(q) = keyword_pinyin_clause(fields, term) {
        let q = match &scope.readable {
            Some(levels) if !scope.hidden_words => on_readable(fields, levels, q),
            _ => q,
        };
        should.push((Occur::Should, q));
    }
    if should.is_empty() {
        None
    } else {
        Some(Box::new(BooleanQuery::new(should)))
    }
}

/// The clauses of [`term_query`] on the title's text: the term as written ([`rank::TITLE`]) and
/// separators aside ([`rank::TITLE_JOINED`]).
fn title_text_clauses(fields: &Fields, term: &QueryTerm) -> Vec<(Occur, Box<dyn Query>)> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(q) = substring_query(fields.title_grams, &term.text) {
        should.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(q, rank::TITLE)),
        ));
    }
    if let Some(q) = joined_query(fields, &term.text) {
        should.push((Occur::Should, q));
    }
    should
}

/// The clauses of [`term_query`] on the pinyin of the title's words (letters typed only).
fn title_pinyin_clauses(fields: &Fields, term: &QueryTerm) -> Vec<(Occur, Box<dyn Query>)> {
    let folded = fold(term.text.trim());
    if !term.phrase && looks_like_pinyin(&folded) {
        pinyin::clauses(fields.title_pinyin, None, &folded)
    } else {
        Vec::new()
    }
}

/// The clause of [`term_query`] on the pinyin of the document's keywords (letters typed only),
/// before any scope.
fn keyword_pinyin_clause(fields: &Fields, term: &QueryTerm) -> Option<Box<dyn Query>> {
    let folded = fold(term.text.trim());
    (!term.phrase && looks_like_pinyin(&folded))
        .then(|| pinyin::keyword_clause(fields.keyword_pinyin, &folded))
        .flatten()
}

/// Every document that [`term_query`] and [`ranking_query`] can give a whole point or more (the
/// tiers of `rank`): title text, title pinyin, keyword pinyin, whole title words. Any other
/// match scores by its text alone, below one point; the search ranks this set first and reads
/// the rest only when it holds too few documents (see `SearchIndex::run`). A filter: no score,
/// no scope (it only narrows what the query matches).
pub fn point_clauses(fields: &Fields, term: &QueryTerm) -> Vec<(Occur, Box<dyn Query>)> {
    let mut should = title_text_clauses(fields, term);
    should.extend(title_pinyin_clauses(fields, term));
    should.extend(keyword_pinyin_clause(fields, term).map(|q| (Occur::Should, q)));
    should.extend(whole_words_clause(fields, term).map(|q| (Occur::Should, q)));
    should
}

/// Every jieba word of the term a whole word of the title ([`rank::WHOLE_WORDS`]).
fn whole_words_clause(fields: &Fields, term: &QueryTerm) -> Option<Box<dyn Query>> {
    let all: Vec<(Occur, Box<dyn Query>)> = ranking_words(term)
        .iter()
        .map(|word| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(fields.title_words, word),
                IndexRecordOption::Basic,
            ));
            (Occur::Must, q)
        })
        .collect();
    (!all.is_empty()).then(|| {
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(all)),
            rank::WHOLE_WORDS,
        )) as Box<dyn Query>
    })
}

/// The jieba words of a term that rank its matches (the first 8).
fn ranking_words(term: &QueryTerm) -> Vec<String> {
    word_tokens(&term.text)
        .into_iter()
        .take(8)
        .map(|(word, _, _)| word)
        .collect()
}

/// `text`, separators set aside, found in the title separators set aside too: worth
/// [`rank::TITLE_JOINED`] points. The title is what every reader sees, so this clause needs no
/// scope.
pub fn joined_query(fields: &Fields, text: &str) -> Option<Box<dyn Query>> {
    let joined = crate::analysis::joined(text);
    substring_query(fields.title_joined, &joined)
        .map(|q| Box::new(ConstScoreQuery::new(q, rank::TITLE_JOINED)) as Box<dyn Query>)
}

/// Optional clauses that rank whole-word matches (jieba words) higher; they never decide a match
/// and, like all text scores, weigh less than one point. Words of text the viewer may not read
/// count only where they could match (see [`Scope`]), so the order tells no more than the matches.
pub fn ranking_query(
    fields: &Fields,
    term: &QueryTerm,
    scope: &Scope,
) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Every word of the term a whole word of the title: a tier of its own (see `rank`). Titles
    // are public, so this needs no scope.
    out.extend(whole_words_clause(fields, term).map(|q| (Occur::Should, q)));
    for word in ranking_words(term) {
        for (field, weight) in [(fields.title_words, 1.5), (fields.body_words, 0.3)] {
            let q: Box<dyn Query> = Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &word),
                    IndexRecordOption::WithFreqs,
                )),
                weight * rank::TEXT,
            ));
            let q = match &scope.readable {
                Some(levels)
                    if field == fields.body_words
                        && !(scope.hidden_words
                            && word.chars().count() >= 2
                            && !is_number(&word)) =>
                {
                    on_readable(fields, levels, q)
                }
                _ => q,
            };
            out.push((Occur::Should, q));
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
    fn only_whole_words_that_state_no_number_may_match_hidden_text() {
        let term = |text: &str, phrase| QueryTerm {
            text: text.to_owned(),
            phrase,
        };
        assert_eq!(hidden_word(&term("投资", false)).as_deref(), Some("投资"));
        assert_eq!(hidden_word(&term("投资，", false)).as_deref(), Some("投资"));
        assert_eq!(hidden_word(&term("GDP", false)).as_deref(), Some("gdp"));
        assert_eq!(hidden_word(&term("讀書", false)).as_deref(), Some("读书"));
        for (text, phrase, why) in [
            ("投资", true, "a phrase"),
            ("投资增长", false, "two words"),
            ("购置投资增长15.7", false, "a sentence"),
            ("增长1", false, "a word and a digit"),
            ("15.7", false, "a figure"),
            ("2024", false, "a year"),
            ("十五", false, "a number in numerals"),
            ("资增", false, "a fragment across two words"),
            ("资", false, "one character"),
            ("投。资", false, "broken by punctuation"),
        ] {
            assert_eq!(hidden_word(&term(text, phrase)), None, "{text}: {why}");
        }
        assert!(is_number("15.7") && is_number("二〇二三") && is_number("3月"));
        assert!(!is_number("统一") && !is_number("第一") && !is_number("千方百计x"));
    }

    #[test]
    fn huge_queries_are_cut_not_refused() {
        let q = parse(&"读书会 ".repeat(3000));
        assert!(q.truncated);
        assert!(q.must.len() <= MAX_TERMS);
    }
}
