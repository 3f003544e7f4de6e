//! Relevance order. A reader who types part of a title wants that title, so matches are ranked
//! in tiers before text statistics count:
//!
//! 1. points: each query term found as written in the title (or as the pinyin of title words)
//!    scores [`TITLE`]; each term found in the title once separators are set aside on both
//!    sides (so also when found as written) scores [`TITLE_JOINED`], and so does the whole query
//!    of several terms, their texts in a row; pinyin that covers whole words adds [`TITLE_WORDS`], pinyin from the
//!    title's first word adds [`TITLE_START`], pinyin of a document keyword scores [`KEYWORD`];
//! 2. among documents with title points ([`TITLE_JOINED`] or more): the shorter title first (a title that *is* the query
//!    comes first);
//! 3. the BM25 text score of body, outline and whole words, scaled by [`TEXT`] so that it stays
//!    below one point;
//! 4. the newer date, then the higher id: equal documents always come in the same order,
//!    whatever the index's segments (scores alone tie, and ties followed segment order).
//!
//! The points are constant scores added by the query (see `query` and `pinyin`); the order is
//! computed from the score and fast fields by [`sort_key`].

use tantivy::columnar::ColumnValues;
use tantivy::{DocId, Score, SegmentReader};

use crate::schema::{DATE, ID, TITLE_CHARS, VIEWS};

/// A query term found in the title.
pub const TITLE: f32 = 16.0;
/// A query term (or all of them, in order and adjacent) found in the title once spaces,
/// punctuation and brackets are set aside on both sides. The exact phrase scores this and
/// [`TITLE`]; the same characters across separators this alone: still above any bonus below
/// and any text score.
pub const TITLE_JOINED: f32 = 8.0;
/// Pinyin of whole title words (`gz` for 工作, not for 改造之).
pub const TITLE_WORDS: f32 = 4.0;
/// Pinyin from the title's first word.
pub const TITLE_START: f32 = 2.0;
/// Pinyin of one of the document's keywords.
pub const KEYWORD: f32 = 1.0;
/// Suggestions: the typed text is the whole title (separators aside).
pub const SUGGEST_WHOLE: f32 = 64.0;
/// Suggestions: the title starts with the typed text, or its pinyin (or initials) with the typed
/// letters.
pub const SUGGEST_START: f32 = 32.0;
/// Weight of BM25 text scores: their sum stays below one point for queries people type (BM25 of
/// a long phrase over several fields is a few hundred at most).
pub const TEXT: f32 = 1e-4;

/// The order of a relevance hit: greater is better, compared field by field.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct RankKey {
    pub points: u32,
    /// Minus the title's length in characters when the title matched, else 0.
    pub shortness: i64,
    /// The text part of the score (below one point).
    pub text: f32,
    /// yyyymmdd.
    pub date: i64,
    pub id: u64,
    /// The query's score, reported as is.
    pub score: Score,
}

/// The sort key function of one segment, for `TopDocs::tweak_score`.
pub fn sort_key(segment: &SegmentReader) -> impl Fn(DocId, Score) -> RankKey {
    let fast = segment.fast_fields();
    let chars = fast
        .u64(TITLE_CHARS)
        .ok()
        .map(|c| c.first_or_default_col(0));
    let dates = fast.i64(DATE).ok().map(|c| c.first_or_default_col(0));
    let ids = fast.u64(ID).ok().map(|c| c.first_or_default_col(0));
    move |doc, score| {
        let points = score.floor().max(0.0);
        let shortness = if points >= TITLE_JOINED {
            -(chars.as_ref().map_or(0, |c| c.get_val(doc)) as i64)
        } else {
            0
        };
        RankKey {
            points: points as u32,
            shortness,
            text: score - points,
            date: dates.as_ref().map_or(0, |c| c.get_val(doc)),
            id: ids.as_ref().map_or(0, |c| c.get_val(doc)),
            score,
        }
    }
}

/// The order of a suggestion: greater is better. The typed title first, then titles that start
/// with what is typed; among equals the more read (popular before unpopular), then the shorter
/// (closer to what is typed), the newer.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct SuggestKey {
    pub points: u32,
    pub views: i64,
    pub shortness: i64,
    pub date: i64,
    pub id: u64,
}

/// The sort key function of one segment for suggestions.
pub fn suggest_key(segment: &SegmentReader) -> impl Fn(DocId, Score) -> SuggestKey {
    let fast = segment.fast_fields();
    let chars = fast
        .u64(TITLE_CHARS)
        .ok()
        .map(|c| c.first_or_default_col(0));
    let views = fast.i64(VIEWS).ok().map(|c| c.first_or_default_col(0));
    let dates = fast.i64(DATE).ok().map(|c| c.first_or_default_col(0));
    let ids = fast.u64(ID).ok().map(|c| c.first_or_default_col(0));
    move |doc, score| SuggestKey {
        points: score.floor().max(0.0) as u32,
        views: views.as_ref().map_or(0, |c| c.get_val(doc)),
        shortness: -(chars.as_ref().map_or(0, |c| c.get_val(doc)) as i64),
        date: dates.as_ref().map_or(0, |c| c.get_val(doc)),
        id: ids.as_ref().map_or(0, |c| c.get_val(doc)),
    }
}
