//! Relevance order: one scoring function, its weights in one place (this file), documented in
//! `docs/search-ranking.md`.
//!
//! A reader who types part of a title wants that title, so matches are first put in **tiers** by
//! how they match, and only documents in the same tier (equally good matches) are ordered by
//! what readers do:
//!
//! 1. **points** (the tier): each query term found as written in the title (or as the pinyin of
//!    title words) scores [`TITLE`]; each term found in the title once separators are set aside
//!    on both sides (so also when found as written) scores [`TITLE_JOINED`], and so does the
//!    whole query of several terms, their texts in a row; pinyin that covers whole words adds
//!    [`TITLE_WORDS`], pinyin from the title's first word adds [`TITLE_START`], pinyin of a
//!    document keyword scores [`KEYWORD`]; every jieba word of a term being a whole word of the
//!    title adds [`WHOLE_WORDS`] (工作 in 工作会议, not in 施工作业). A title match therefore
//!    always beats a body match, and a whole-word title match a partial one.
//! 2. **blend** within a tier, [`blend`]: how much of the title the query is ([`W_FIT`]; a title
//!    that *is* the query comes first), views of the last 30 days ([`W_VIEWS`], on a log scale
//!    up to [`VIEWS_FULL`]), how new the document is ([`W_RECENCY`], a half-life of
//!    [`RECENCY_HALF_LIFE_DAYS`]) and, for documents that match by their text only, the text
//!    score ([`W_TEXT`]: BM25 of body, outline and whole jieba words). The weights make views
//!    count before age: 20 views in 30 days outweigh any difference of dates.
//! 3. the text score (for title matches), the newer date, then the higher id: equal documents
//!    always come in the same order, whatever the index's segments.
//!
//! The points are constant scores added by the query (see `query` and `pinyin`); the views come
//! from [`Popularity`], a table by document id that the caller refreshes from the database's
//! daily view counts (derived data: a restart or a stale table changes only tie order).

use std::sync::Arc;

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
/// Every jieba word of a query term is a whole word of the title.
pub const WHOLE_WORDS: f32 = 1.0;
/// Suggestions: the typed text is the whole title (separators aside).
pub const SUGGEST_WHOLE: f32 = 64.0;
/// Suggestions: the title starts with the typed text, or its pinyin (or initials) with the typed
/// letters.
pub const SUGGEST_START: f32 = 32.0;
/// Weight of BM25 text scores inside the query: their sum stays below one point for queries
/// people type (BM25 of a long phrase over several fields is a few hundred at most).
pub const TEXT: f32 = 1e-4;

// ---- the blend: the order among equally good matches ------------------------------------------

/// How much of the title the query covers (query characters / title characters, at most 1),
/// for documents whose title matched: 工作会议 before 关于召开全省工作会议的通知.
pub const W_FIT: f32 = 1.5;
/// Views of the last 30 days, as ln(1 + views) / ln(1 + [`VIEWS_FULL`]), at most 1.
pub const W_VIEWS: f32 = 0.6;
/// Views in 30 days that earn the whole of [`W_VIEWS`].
pub const VIEWS_FULL: f32 = 1000.0;
/// Recency: 2^(-age / half-life), age in days before today.
pub const W_RECENCY: f32 = 0.2;
/// Days after which recency is worth half.
pub const RECENCY_HALF_LIFE_DAYS: f32 = 365.0;
/// The text score of documents that match by their text only, as t / (t + [`TEXT_HALF`]) so
/// that it stays below the weight. (For title matches the body's statistics are noise beside
/// the title: they only break ties after the blend.)
pub const W_TEXT: f32 = 1.0;
/// The (already [`TEXT`]-scaled) text score that earns half of [`W_TEXT`].
pub const TEXT_HALF: f32 = 2e-4;

/// Views of the last 30 days by document id, and the day they count up to (for recency). Built by
/// the caller from the database (`SearchIndex::set_popularity`).
#[derive(Debug, Default, Clone)]
pub struct Popularity {
    /// Views by id (ids are small and dense: a vector, not a map; ids past its end have none).
    views: Vec<u32>,
    /// Today as yyyymmdd (0: unknown, recency then counts from the newest document).
    today: i64,
}

impl Popularity {
    /// `views`: (document id, views in the last 30 days); `today`: 'YYYY-MM-DD'.
    pub fn new(views: impl IntoIterator<Item = (i64, i64)>, today: &str) -> Self {
        let mut table: Vec<u32> = Vec::new();
        for (id, n) in views {
            let (Ok(id), Ok(n)) = (usize::try_from(id), u32::try_from(n.max(0))) else {
                continue;
            };
            // Ids far beyond the library's size would make a huge table; they are rare enough
            // to leave out (such a document ranks as unread).
            if id >= 1 << 26 {
                continue;
            }
            if table.len() <= id {
                table.resize(id + 1, 0);
            }
            table[id] = table[id].saturating_add(n);
        }
        Popularity {
            views: table,
            today: crate::index::date_number(today).unwrap_or(0),
        }
    }

    pub fn views(&self, id: u64) -> u32 {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.views.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Views on the 0..=1 scale of the blend.
    fn share(&self, id: u64) -> f32 {
        ((1.0 + self.views(id) as f32).ln() / (1.0 + VIEWS_FULL).ln()).min(1.0)
    }
}

/// Days from yyyymmdd `from` to yyyymmdd `to`: 0 when `from` is later or `to` unknown, infinite
/// when `from` is unknown (a document without a date is not new).
fn days_between(from: i64, to: i64) -> f32 {
    fn day_number(d: i64) -> Option<i64> {
        let (y, m, day) = (d / 10_000, (d / 100) % 100, d % 100);
        if !(1..=12).contains(&m) || !(1..=31).contains(&day) || y < 1000 {
            return None;
        }
        // Days from civil (Howard Hinnant's algorithm), enough for a difference.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(era * 146_097 + doe)
    }
    match (day_number(from), day_number(to)) {
        (None, _) => f32::INFINITY,
        (Some(a), Some(b)) if b > a => (b - a) as f32,
        _ => 0.0,
    }
}

/// What the blend knows of one matched document.
#[derive(Debug, Clone, Copy)]
pub struct Signals {
    /// Query characters / title characters when the title matched, else 0.
    pub fit: f32,
    /// 0..=1, see [`Popularity`].
    pub views: f32,
    /// Days between the document's date and today.
    pub age_days: f32,
    /// The [`TEXT`]-scaled text score.
    pub text: f32,
    /// Whether the title matched (the text score then stays out of the blend).
    pub titled: bool,
}

/// THE scoring function among equally good matches (same points): every weight is above.
pub fn blend(s: Signals) -> f32 {
    let recency = (-s.age_days / RECENCY_HALF_LIFE_DAYS).exp2();
    let text = if s.titled {
        0.0
    } else {
        s.text.max(0.0) / (s.text.max(0.0) + TEXT_HALF)
    };
    W_FIT * s.fit.clamp(0.0, 1.0) + W_VIEWS * s.views + W_RECENCY * recency + W_TEXT * text
}

/// The order of a relevance hit: greater is better, compared field by field.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct RankKey {
    pub points: u32,
    pub blend: f32,
    /// The text part of the score (below one point).
    pub text: f32,
    /// yyyymmdd.
    pub date: i64,
    pub id: u64,
    /// The query's score, reported as is.
    pub score: Score,
}

/// The sort key function of one segment, for `TopDocs::tweak_score`: `query_chars` is the
/// length of what was typed (separators aside), for the fit.
pub fn sort_key(
    popularity: Arc<Popularity>,
    query_chars: usize,
) -> impl Fn(&SegmentReader) -> Box<dyn Fn(DocId, Score) -> RankKey> + Send + Sync {
    move |segment: &SegmentReader| {
        let popularity = popularity.clone();
        let fast = segment.fast_fields();
        let chars = fast
            .u64(TITLE_CHARS)
            .ok()
            .map(|c| c.first_or_default_col(0));
        let dates = fast.i64(DATE).ok().map(|c| c.first_or_default_col(0));
        let ids = fast.u64(ID).ok().map(|c| c.first_or_default_col(0));
        Box::new(move |doc, score| {
            let points = score.floor().max(0.0);
            let id = ids.as_ref().map_or(0, |c| c.get_val(doc));
            let date = dates.as_ref().map_or(0, |c| c.get_val(doc));
            let titled = points >= TITLE_JOINED;
            let fit = if titled {
                let title = chars.as_ref().map_or(0, |c| c.get_val(doc)).max(1);
                query_chars as f32 / title as f32
            } else {
                0.0
            };
            let today = if popularity.today > 0 {
                popularity.today
            } else {
                date
            };
            RankKey {
                points: points as u32,
                blend: blend(Signals {
                    fit,
                    views: popularity.share(id),
                    age_days: days_between(date, today),
                    text: score - points,
                    titled,
                }),
                text: score - points,
                date,
                id,
                score,
            }
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(fit: f32, views: f32, age_days: f32, text: f32) -> Signals {
        Signals {
            fit,
            views,
            age_days,
            text,
            titled: fit > 0.0,
        }
    }

    #[test]
    fn the_blend_orders_equally_good_matches() {
        // A title that is the query beats a long title holding it, however read.
        assert!(blend(signals(1.0, 0.0, 3000.0, 0.0)) > blend(signals(0.3, 1.0, 0.0, 1.0)));
        // Same fit: the more read first, even if much older (20 views against none).
        let twenty = Popularity::new([(1, 20)], "2024-01-01").share(1);
        assert!(blend(signals(0.5, twenty, 3000.0, 0.0)) > blend(signals(0.5, 0.0, 0.0, 0.0)));
        // Same fit and views: the newer first.
        assert!(blend(signals(0.5, 0.0, 10.0, 0.0)) > blend(signals(0.5, 0.0, 900.0, 0.0)));
        // Same everything else: the stronger text (whole words) first.
        assert!(blend(signals(0.0, 0.0, 0.0, 3e-4)) > blend(signals(0.0, 0.0, 0.0, 1e-4)));
    }

    #[test]
    fn popularity_and_days() {
        let p = Popularity::new([(3, 100), (5, 0), (-1, 7)], "2024-03-01");
        assert_eq!(p.views(3), 100);
        assert_eq!(p.views(4), 0);
        assert_eq!(p.views(99), 0);
        assert!(p.share(3) > 0.6 && p.share(3) < 0.7);
        assert_eq!(p.share(5), 0.0);
        assert_eq!(days_between(20240101, 20240301), 60.0);
        assert_eq!(days_between(20240301, 20240101), 0.0);
        assert_eq!(days_between(0, 20240101), f32::INFINITY);
        assert_eq!(days_between(20240101, 0), 0.0);
        assert_eq!(
            blend(signals(0.0, 0.0, f32::INFINITY, 0.0)),
            0.0,
            "no date: not new"
        );
    }
}
