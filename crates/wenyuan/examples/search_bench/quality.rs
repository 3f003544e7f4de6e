//! Step 4: known-item quality. For sampled documents, a query of each kind made from the title;
//! recall@10 and MRR@10 of that very document, for Wenyuan and FTS5, next to the oracle bound.
//!
//! Two families of query sets, and the choice between them matters:
//! - random (the first sets, kept so figures compare across runs): a random 3-8 character
//!   fragment of the title, a random 2-character word, the initials of a random title word, the
//!   title in traditional script. Many of these are held by dozens of titles (工作会议, `gz`).
//! - distinctive (a modelling choice: a reader looking for a document they know types what sets
//!   it apart): a fragment of the title that at most 10 titles hold (none when the title has no
//!   such fragment, e.g. 国内联播快讯 shared by 1,130 documents); the title's 2-character word
//!   held by the fewest titles; the initials of the title word (2+ characters) whose initials
//!   the fewest titles' pinyin keys hold.
//!
//! The oracle bound of a query is the best any ranking can do: min(1, 10 / n), n the documents
//! whose title holds the query (or whose title pinyin keys start with the initials). Recall far
//! below the bound is the ranking's fault; a low bound is the query's.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use sqlx::SqliteConnection;
use wenyuan_core::Services;
use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::{title_pinyin_keys, word_pinyin};

use crate::{
    fts_like, fts_match, fts_matchable, percentile, pinyin_initials, quality_header, query_terms,
    say, title_fragment, title_words, two_char_word, usable, verdict, wenyuan_search, Kind,
    Quality, Rng,
};

const RANDOM: [Kind; 4] = [
    Kind::TitleFragment,
    Kind::TwoChar,
    Kind::Pinyin,
    Kind::Traditional,
];
const DISTINCTIVE: [Kind; 3] = [
    Kind::DistinctiveFragment,
    Kind::RarestTwoChar,
    Kind::RarestInitials,
];
/// Sets added later, after the others so that their draws stay as they were.
const LATER: [Kind; 1] = [Kind::AcrossSeparator];

/// Whether a character is set aside when matching across separators.
fn separator(c: char) -> bool {
    !c.is_alphanumeric()
}

/// Up to 4 Han characters on each side of the title's first separator that has at least 2 on
/// both sides, the separators left out: what a reader remembering that part types (no draw: the
/// first such separator of the title).
fn across_separator(title: &str) -> Option<String> {
    let chars: Vec<char> = title.chars().collect();
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    for (i, c) in chars.iter().enumerate() {
        if !separator(*c) || i == 0 {
            continue;
        }
        let before: Vec<char> = chars[..i]
            .iter()
            .rev()
            .take_while(|c| han(**c))
            .take(4)
            .copied()
            .collect();
        let after_start = chars[i..].iter().position(|c| !separator(*c))? + i;
        let after: Vec<char> = chars[after_start..]
            .iter()
            .take_while(|c| han(**c))
            .take(4)
            .copied()
            .collect();
        if before.len() >= 2 && after.len() >= 2 {
            let mut query: String = before.iter().rev().collect();
            query.extend(after);
            return Some(query);
        }
    }
    None
}

/// How many titles hold a query: its text (folded), or for initials a pinyin key starting
/// with it.
struct Holders {
    folded: Vec<String>,
    /// The folded titles with separators set aside.
    joined: Vec<String>,
    keys: Vec<Vec<String>>,
}

impl Holders {
    fn new(docs: &[(i64, String, String)]) -> Self {
        Holders {
            folded: docs.iter().map(|d| fold(&d.1)).collect(),
            joined: docs
                .iter()
                .map(|d| fold(&d.1).chars().filter(|c| !separator(*c)).collect())
                .collect(),
            keys: docs.iter().map(|d| title_pinyin_keys(&d.1)).collect(),
        }
    }

    fn count(&self, kind: Kind, query: &str) -> usize {
        match kind {
            Kind::Pinyin | Kind::RarestInitials => self
                .keys
                .iter()
                .filter(|keys| keys.iter().any(|k| k.starts_with(query)))
                .count(),
            Kind::AcrossSeparator => {
                let q = fold(query);
                self.joined.iter().filter(|t| t.contains(&q)).count()
            }
            _ => {
                let q = fold(query);
                self.folded.iter().filter(|t| t.contains(&q)).count()
            }
        }
    }
}

/// A fragment of 3-8 characters of the title that at most 10 titles hold.
fn distinctive_fragment(rng: &mut Rng, title: &str, holders: &Holders) -> Option<String> {
    let chars: Vec<char> = title.chars().collect();
    let mut tried = HashSet::new();
    for _ in 0..40 {
        let fragment = title_fragment(rng, title)?;
        if tried.insert(fragment.clone()) && holders.count(Kind::TitleFragment, &fragment) <= 10 {
            return Some(fragment);
        }
    }
    // Random draws repeat on short titles: try every window, longest first.
    for len in (3..=8.min(chars.len())).rev() {
        for window in chars.windows(len) {
            if window.iter().all(|c| usable(*c)) {
                let fragment: String = window.iter().collect();
                if !tried.contains(&fragment) && holders.count(Kind::TitleFragment, &fragment) <= 10
                {
                    return Some(fragment);
                }
            }
        }
    }
    None
}

/// The candidate held by the fewest titles (the first of equals).
fn rarest(kind: Kind, candidates: Vec<String>, holders: &Holders) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (holders.count(kind, &c), c))
        .min_by_key(|(n, _)| *n)
        .map(|(_, c)| c)
}

fn initials_of_words(title: &str) -> Vec<String> {
    title_words(title, 2, 16)
        .into_iter()
        .map(|w| word_pinyin(&w).1)
        .filter(|i| i.len() >= 2 && i.bytes().all(|b| b.is_ascii_lowercase()))
        .collect()
}

/// Figures of one query kind.
#[derive(Default, Clone)]
struct KindStats {
    wen: Quality,
    fts: Quality,
    fts_like: Quality,
    /// Sum of min(1, 10 / n) over the queries.
    bound: f64,
    holders: Vec<usize>,
    /// Queries that 10 or fewer titles hold (bound 1).
    unambiguous: Quality,
    unambiguous_fts: Quality,
    /// The others: their bound, and Wenyuan on them.
    ambiguous_bound: f64,
    ambiguous: Quality,
    /// Milliseconds per query: Wenyuan's full search path, FTS5 (MATCH, or LIKE).
    wen_ms: Vec<f64>,
    fts_ms: Vec<f64>,
}

impl KindStats {
    fn rate(q: &Quality) -> f64 {
        q.found as f64 / q.n.max(1) as f64
    }

    fn oracle_row(&self, label: &str, fts: bool) -> String {
        let n = self.wen.n.max(1) as f64;
        let fts_cell = |q: &Quality| {
            if fts {
                format!("{:.3}", Self::rate(q))
            } else {
                "-".to_owned()
            }
        };
        format!(
            "  {label:<40} {:>4} {:>6.3} {:>8.3} {:>8} {:>8} | {:>4} {:>8.3} {:>8} | {:>4} {:>6.3} {:>8.3}",
            self.wen.n,
            self.bound / n,
            Self::rate(&self.wen),
            fts_cell(&self.fts),
            fts_cell(&self.fts_like),
            self.unambiguous.n,
            Self::rate(&self.unambiguous),
            fts_cell(&self.unambiguous_fts),
            self.ambiguous.n,
            self.ambiguous_bound / self.ambiguous.n.max(1) as f64,
            Self::rate(&self.ambiguous),
        )
    }
}

fn oracle_header() -> String {
    format!(
        "  {:<40} {:>4} {:>6} {:>8} {:>8} {:>8} | {:>4} {:>8} {:>8} | {:>4} {:>6} {:>8}",
        "query kind (recall@10)",
        "n",
        "bound",
        "Wenyuan",
        "FTS5",
        "FTS5+LK",
        "n<=10",
        "Wenyuan",
        "FTS5",
        "n>10",
        "bound",
        "Wenyuan"
    )
}

/// Known-item quality over `known` sampled documents.
pub async fn known_item(
    lib: &Services,
    docs: &[(i64, String, String)],
    titles: &HashMap<i64, String>,
    mut fts: Option<&mut SqliteConnection>,
    known: usize,
    seed: u64,
) -> Result<()> {
    macro_rules! out {
        ($($arg:tt)*) => {{ println!($($arg)*); }};
    }
    say("known-item quality: title pinyin keys of every document (for holder counts)");
    let holders = Holders::new(docs);
    // The random sets draw from this generator exactly as before the distinctive sets existed,
    // so their figures compare across runs; the distinctive sets draw from their own.
    let mut rng = Rng(seed ^ 0x5EED);
    let mut distinctive_rng = Rng(seed ^ 0xD157);
    let kinds: Vec<Kind> = RANDOM
        .iter()
        .chain(DISTINCTIVE.iter())
        .chain(LATER.iter())
        .copied()
        .collect();
    let mut stats: Vec<KindStats> = vec![KindStats::default(); kinds.len()];
    // Title fragments by length, pinyin initials by length (2, 3, 4+).
    let mut pinyin_by_len: HashMap<usize, Quality> = HashMap::new();
    let mut fragment_by_len: HashMap<usize, Quality> = HashMap::new();
    let mut misses_unambiguous: Vec<String> = Vec::new();
    let mut misses_ambiguous: Vec<String> = Vec::new();
    // Traditional titles whose folding (fast2s) does not give back the original, by the
    // characters that differ: what the fold table misses.
    let mut trad_split: [Quality; 2] = Default::default();
    let mut fold_misses: HashMap<String, usize> = HashMap::new();
    let mut trad_changed = 0;
    let mut trad_folds_back = 0;
    let mut no_distinctive = 0;
    let mut sample = 0;
    let mut seen = HashSet::new();
    say("known-item quality: queries");
    while sample < known.min(docs.len()) {
        let (id, title, _) = &docs[rng.below(docs.len())];
        if !seen.insert(*id) {
            continue;
        }
        sample += 1;
        for (k, kind) in kinds.iter().enumerate() {
            let query = match kind {
                Kind::TitleFragment => title_fragment(&mut rng, title),
                Kind::TwoChar => two_char_word(&mut rng, title),
                Kind::Pinyin => pinyin_initials(&mut rng, title),
                Kind::Traditional => {
                    let t = character_converter::simplified_to_traditional(title).into_owned();
                    if t != *title {
                        trad_changed += 1;
                    }
                    if fold(&t) == fold(title) {
                        trad_folds_back += 1;
                    }
                    Some(t)
                }
                Kind::DistinctiveFragment => {
                    let f = distinctive_fragment(&mut distinctive_rng, title, &holders);
                    no_distinctive += usize::from(f.is_none());
                    f
                }
                Kind::RarestTwoChar => rarest(Kind::TwoChar, title_words(title, 2, 2), &holders),
                Kind::RarestInitials => {
                    rarest(Kind::RarestInitials, initials_of_words(title), &holders)
                }
                Kind::AcrossSeparator => across_separator(title),
                _ => None,
            };
            let Some(query) = query else { continue };
            let (ids, total, took) = wenyuan_search(lib, &query).await?;
            let n_titles = holders.count(*kind, &query).max(1);
            let st = &mut stats[k];
            st.wen_ms.push(took);
            st.wen.add(&ids, *id, titles);
            st.holders.push(n_titles);
            let bound = (10.0 / n_titles as f64).min(1.0);
            st.bound += bound;
            if n_titles <= 10 {
                st.unambiguous.add(&ids, *id, titles);
            } else {
                st.ambiguous.add(&ids, *id, titles);
                st.ambiguous_bound += bound;
            }
            if *kind == Kind::Traditional {
                let back = fold(&query);
                let original = fold(title);
                trad_split[usize::from(back == original)].add(&ids, *id, titles);
                if back.chars().count() == original.chars().count() {
                    for ((t, b), o) in query.chars().zip(back.chars()).zip(original.chars()) {
                        if b != o {
                            *fold_misses
                                .entry(format!("{t}->{b} (not {o})"))
                                .or_default() += 1;
                        }
                    }
                }
            }
            if *kind == Kind::Pinyin {
                pinyin_by_len
                    .entry(query.len().min(4))
                    .or_default()
                    .add(&ids, *id, titles);
            }
            if *kind == Kind::TitleFragment {
                fragment_by_len
                    .entry(query.chars().count())
                    .or_default()
                    .add(&ids, *id, titles);
            }
            if !ids.contains(id) && *kind != Kind::Traditional {
                let line = format!(
                    "{}: {query:?} for {title:?} (id {id}; {n_titles} titles hold it, {total} matches)",
                    kind.label()
                );
                if n_titles <= 10 && misses_unambiguous.len() < 25 {
                    misses_unambiguous.push(line);
                } else if n_titles > 10 && misses_ambiguous.len() < 10 {
                    misses_ambiguous.push(line);
                }
            }
            if let Some(conn) = fts.as_deref_mut() {
                let terms = query_terms(&query);
                let (ids, like_ids) = if fts_matchable(&terms) {
                    let (ids, took) = fts_match(conn, &terms).await?;
                    st.fts_ms.push(took);
                    (ids.clone(), ids)
                } else {
                    let (ids, took) = fts_like(conn, &terms).await?;
                    st.fts_ms.push(took);
                    (Vec::new(), ids)
                };
                st.fts.add(&ids, *id, titles);
                st.fts_like.add(&like_ids, *id, titles);
                if n_titles <= 10 {
                    st.unambiguous_fts.add(&like_ids, *id, titles);
                }
            }
        }
    }
    let has_fts = fts.is_some();
    out!("");
    out!(
        "known-item quality at {} documents: {sample} documents drawn with seed {}, one query of each kind per document (n < {sample}: no such query in that title)",
        docs.len(),
        seed ^ 0x5EED
    );
    out!("  random sets: a random fragment / 2-char word / word's initials of the title; distinctive sets: what sets the title apart (a choice: a reader who knows the document types its distinctive part)");
    out!("  recall@10 / MRR@10: that very document in the top 10; \"t\" columns: a document with the same title counts (20% of corpus titles are shared, e.g. 国内联播快讯 x1130)");
    out!("{}", quality_header());
    for (k, kind) in kinds.iter().enumerate() {
        out!(
            "{}",
            stats[k].wen.row(&format!("Wenyuan: {}", kind.label()))
        );
    }
    if has_fts {
        for (k, kind) in kinds.iter().enumerate() {
            out!(
                "{}",
                stats[k].fts.row(&format!("FTS5 MATCH: {}", kind.label()))
            );
        }
        for (k, kind) in kinds.iter().enumerate() {
            out!(
                "{}",
                stats[k]
                    .fts_like
                    .row(&format!("FTS5 + LIKE if <3 chars: {}", kind.label()))
            );
        }
    }
    out!("  next to the oracle bound min(1, 10/n), n = titles holding the query (title text, or title pinyin keys for initials); FTS5+LK = MATCH, or LIKE when a term has <3 characters; the n<=10 FTS5 column is FTS5+LK:");
    out!("{}", oracle_header());
    for (k, kind) in kinds.iter().enumerate() {
        let mut h = stats[k].holders.clone();
        h.sort_unstable();
        out!(
            "{}   (median n {})",
            stats[k].oracle_row(kind.label(), has_fts),
            h.get(h.len() / 2).copied().unwrap_or(0)
        );
    }
    // Issue 14 item 6: per query kind, quality and latency side by side.
    out!("  per query kind (issue 14): recall@10 and MRR@10 of that very document, and latency of these known-item queries (ms; Wenyuan through the whole search path with snippets, FTS5 MATCH or LIKE):");
    out!(
        "  {:<40} {:>4} | {:>9} {:>7} {:>7} {:>7} | {:>9} {:>7} {:>7} {:>7}",
        "query kind",
        "n",
        "W rec@10",
        "W MRR",
        "W p50",
        "W p99",
        "F rec@10",
        "F MRR",
        "F p50",
        "F p99"
    );
    let issue_kinds = [
        (Kind::TitleFragment, "fragment as typed"),
        (Kind::AcrossSeparator, "fragment across a separator"),
        (Kind::Traditional, "traditional"),
        (Kind::Pinyin, "initials"),
        (Kind::TwoChar, "2-character word"),
        (Kind::DistinctiveFragment, "distinctive fragment"),
        (Kind::RarestInitials, "initials of the rarest word"),
    ];
    for (kind, label) in issue_kinds {
        let Some(k) = kinds.iter().position(|x| *x == kind) else {
            continue;
        };
        let st = &stats[k];
        let mut w = st.wen_ms.clone();
        w.sort_by(f64::total_cmp);
        let mut f = st.fts_ms.clone();
        f.sort_by(f64::total_cmp);
        let n = st.wen.n.max(1) as f64;
        let fts_n = st.fts_like.n.max(1) as f64;
        out!(
            "  {label:<40} {:>4} | {:>9.3} {:>7.3} {:>7.2} {:>7.2} | {:>9} {:>7} {:>7} {:>7}",
            st.wen.n,
            st.wen.found as f64 / n,
            st.wen.rr / n,
            percentile(&w, 50.0),
            percentile(&w, 99.0),
            if has_fts {
                format!("{:.3}", st.fts_like.found as f64 / fts_n)
            } else {
                "-".into()
            },
            if has_fts {
                format!("{:.3}", st.fts_like.rr / fts_n)
            } else {
                "-".into()
            },
            if has_fts {
                format!("{:.2}", percentile(&f, 50.0))
            } else {
                "-".into()
            },
            if has_fts {
                format!("{:.2}", percentile(&f, 99.0))
            } else {
                "-".into()
            },
        );
    }
    out!("  {no_distinctive} of {sample} titles have no fragment that 10 or fewer titles hold (no distinctive fragment query for them)");
    out!("  Wenyuan, title fragments (random) by length:");
    let mut lens: Vec<_> = fragment_by_len.iter().collect();
    lens.sort_by_key(|e| *e.0);
    for (len, q) in lens {
        out!("{}", q.row(&format!("  {len} characters")));
    }
    out!("  Wenyuan, pinyin initials (random) by length:");
    let mut lens: Vec<_> = pinyin_by_len.iter().collect();
    lens.sort_by_key(|e| *e.0);
    for (len, q) in lens {
        let label = if *len >= 4 {
            "  4+ letters".to_owned()
        } else {
            format!("  {len} letters")
        };
        out!("{}", q.row(&label));
    }
    out!(
        "  traditional titles: {trad_changed} of {sample} differ from the original after s->t (character_converter); {trad_folds_back} fold back (fast2s) to exactly the folded original"
    );
    out!(
        "{}",
        trad_split[1].row("  Wenyuan: traditional titles that fold back")
    );
    out!(
        "{}",
        trad_split[0].row("  Wenyuan: traditional titles that do not")
    );
    let mut misses_by_char: Vec<_> = fold_misses.into_iter().collect();
    misses_by_char.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out!(
        "  characters fast2s folds to something else than the original (traditional->folded, count): {}",
        misses_by_char
            .iter()
            .take(20)
            .map(|(c, n)| format!("{c} x{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rate = |q: &Quality| q.found as f64 / q.n.max(1) as f64;
    let rate_t = |q: &Quality| q.found_title as f64 / q.n.max(1) as f64;
    let bound = |st: &KindStats| st.bound / st.wen.n.max(1) as f64;
    for (k, name, target) in [
        (0, "title fragments (random)", 0.95),
        (4, "title fragments (distinctive)", 0.95),
        (2, "pinyin initials (random)", 0.8),
        (6, "pinyin initials (rarest word)", 0.8),
    ] {
        let st = &stats[k];
        out!(
            "target recall@10 >= {target} for {name}: {:.3} (same title counts: {:.3}; oracle bound {:.3}) -> {}",
            rate(&st.wen),
            rate_t(&st.wen),
            bound(st),
            verdict(rate(&st.wen), rate_t(&st.wen), target)
        );
    }
    out!("  misses that 10 or fewer titles hold (the ranking's fault; the target not in the top 10):");
    for m in &misses_unambiguous {
        out!("    {m}");
    }
    out!("  some misses that more than 10 titles hold:");
    for m in &misses_ambiguous {
        out!("    {m}");
    }
    Ok(())
}
