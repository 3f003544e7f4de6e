//! Honest view counts (docs/design.md §5). A request only records (document, visitor, day) in
//! memory; a background task flushes the counts into per-document per-day rows at least once a
//! second and on shutdown. One view per visitor per document per site-local day, and at most
//! [`MAX_VIEWS_PER_ADDRESS`] per address per document per day whatever cookies and User-Agents a
//! client makes up; crawlers and prefetches do not count.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use chrono::{FixedOffset, NaiveDate};

use crate::cache::{Cache, Stamp};
use crate::clock::local_date;
use crate::context::Context;
use crate::Result;

/// Remembered (document, visitor) pairs per day, at most. About 16 bytes each, so ~64 MB. Past it,
/// views still count but are no longer de-duplicated for the rest of the day (logged once).
const MAX_SEEN_PER_DAY: usize = 4_000_000;
/// Views of one document counted from one address (an IPv6 /64) per site-local day. A few, not
/// one: a household or an office shares an address. A client inventing a fresh cookie and
/// User-Agent for every request counts no more than this.
pub const MAX_VIEWS_PER_ADDRESS: u8 = 3;
/// Cached display totals are dropped this often, so counts flushed by other nodes show up.
const TOTALS_TTL_SECONDS: i64 = 60;

/// User-Agent fragments of crawlers (matched case-insensitively). Generic "bot"/"spider" catch
/// the long tail.
const CRAWLER_MARKERS: &[&str] = &[
    "baiduspider",
    "googlebot",
    "bingbot",
    "sogou",
    "360spider",
    "haosouspider",
    "yisouspider",
    "bytespider",
    "petalbot",
    "yandex",
    "duckduckbot",
    "applebot",
    "semrush",
    "ahrefs",
    "mj12bot",
    "dotbot",
    "slurp",
    "facebookexternalhit",
    "twitterbot",
    "headlesschrome",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "curl/",
    "wget/",
    "scrapy",
    "httpclient",
    "java/",
    "okhttp",
    "spider",
    "crawler",
    "bot/",
    "bot;",
    "robot",
];

/// Whether a User-Agent is a crawler or a tool rather than a reader. A missing User-Agent is not a
/// reader either: every browser sends one.
pub fn is_crawler(user_agent: Option<&str>) -> bool {
    match user_agent {
        None => true,
        Some(ua) if ua.trim().is_empty() => true,
        // One pass over the User-Agent for every marker, ASCII case ignored: this runs on every
        // article request.
        Some(ua) => crawler_markers().is_some_and(|markers| markers.is_match(ua)),
    }
}

/// The markers as one automaton. Building it from these fixed, short ASCII patterns does not
/// fail; were it to, it is logged once and no reader is taken for a crawler.
fn crawler_markers() -> Option<&'static aho_corasick::AhoCorasick> {
    static MARKERS: OnceLock<Option<aho_corasick::AhoCorasick>> = OnceLock::new();
    MARKERS
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(CRAWLER_MARKERS)
                .map_err(|e| tracing::error!(%e, "the crawler markers do not build"))
                .ok()
        })
        .as_ref()
}

/// Who read: the keys under which a view is de-duplicated (a view counts when none of them has
/// read the document today), and the address it came from.
#[derive(Debug, Clone)]
pub struct VisitorKeys {
    pub keys: Vec<String>,
    /// The client's address as [`crate::limits::limit_key`] gives it (an IPv6 address by its
    /// /64): at most [`MAX_VIEWS_PER_ADDRESS`] views of a document count from it per day.
    pub address: String,
}

impl VisitorKeys {
    pub fn new(keys: Vec<String>, address: &str) -> Self {
        VisitorKeys {
            keys,
            address: crate::limits::limit_key(address),
        }
    }
}

#[derive(Default)]
struct CounterState {
    /// The site-local day `seen` belongs to.
    day: Option<NaiveDate>,
    seen: HashSet<u64>,
    /// Views counted today per (document, address), hashed.
    per_address: HashMap<u64, u8>,
    warned_full: bool,
    /// Counted but not yet flushed: (document, day) → views.
    pending: HashMap<(i64, String), i64>,
    /// The same per document (summed over days), so showing a count does not scan `pending`.
    pending_by_doc: HashMap<i64, i64>,
}

/// Display totals kept at most (documents shown recently).
const TOTALS_CACHED: usize = 100_000;

pub struct ViewCounter {
    state: Mutex<CounterState>,
    /// Display totals as stored (views_base + views_total), for documents shown recently; aged
    /// out so that counts flushed by other nodes show up.
    totals: Cache<i64, i64>,
    hasher: RandomState,
    utc_offset: FixedOffset,
}

impl ViewCounter {
    pub fn new(utc_offset: FixedOffset) -> Self {
        ViewCounter {
            state: Mutex::new(CounterState::default()),
            totals: Cache::keyed_by_change(TOTALS_CACHED).with_max_age(TOTALS_TTL_SECONDS),
            hasher: RandomState::new(),
            utc_offset,
        }
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, CounterState> {
        self.state.lock()
    }

    /// Record a read of `article_id` at `now`. Returns whether it counted.
    pub fn record(&self, article_id: i64, visitor: &VisitorKeys, now: i64) -> bool {
        let day = local_date(now, self.utc_offset);
        let hashes: Vec<u64> = visitor
            .keys
            .iter()
            .map(|key| self.hasher.hash_one((article_id, key.as_str())))
            .collect();
        let mut state = self.lock();
        if state.day != Some(day) {
            // A new day: yesterday's set is no longer needed.
            state.day = Some(day);
            state.seen = HashSet::new();
            state.per_address = HashMap::new();
            state.warned_full = false;
        }
        let already = hashes.iter().any(|h| state.seen.contains(h));
        // Remember every key, also when the view does not count: they are the same reader.
        if state.seen.len() + hashes.len() <= MAX_SEEN_PER_DAY {
            state.seen.extend(hashes);
        } else if !state.warned_full {
            state.warned_full = true;
            tracing::warn!(
                "view de-duplication set is full for {day}; further views count without it"
            );
        }
        if already {
            return false;
        }
        let address = self
            .hasher
            .hash_one((article_id, "address", visitor.address.as_str()));
        let remembered = state.per_address.len();
        match state.per_address.get_mut(&address) {
            Some(counted) if *counted >= MAX_VIEWS_PER_ADDRESS => return false,
            Some(counted) => *counted += 1,
            // Bounded like `seen`; past it, views count without the per-address cap.
            None if remembered < MAX_SEEN_PER_DAY => {
                state.per_address.insert(address, 1);
            }
            None => {}
        }
        *state
            .pending
            .entry((article_id, day.to_string()))
            .or_insert(0) += 1;
        *state.pending_by_doc.entry(article_id).or_insert(0) += 1;
        true
    }

    /// Counted views not yet flushed for one document.
    pub fn pending_for(&self, article_id: i64) -> i64 {
        self.lock()
            .pending_by_doc
            .get(&article_id)
            .copied()
            .unwrap_or(0)
    }

    /// The count to show at `now`, if the stored total is cached: stored plus pending.
    pub fn shown_total(&self, article_id: i64, now: i64) -> Option<i64> {
        let stored = self.totals.get(&article_id, totals_stamp(now))?;
        let state = self.lock();
        Some(stored + state.pending_by_doc.get(&article_id).copied().unwrap_or(0))
    }

    /// Take everything pending, to flush.
    pub fn take_pending(&self) -> Vec<(i64, String, i64)> {
        let mut state = self.lock();
        state.pending_by_doc.clear();
        state
            .pending
            .drain()
            .map(|((id, day), n)| (id, day, n))
            .collect()
    }

    /// Put a batch back after a failed flush, so nothing is lost.
    pub fn restore_pending(&self, batch: Vec<(i64, String, i64)>) {
        let mut state = self.lock();
        for (id, day, n) in batch {
            *state.pending.entry((id, day)).or_insert(0) += n;
            *state.pending_by_doc.entry(id).or_insert(0) += n;
        }
    }

    /// A batch reached the database: move it into the cached totals.
    pub fn flushed(&self, batch: &[(i64, String, i64)], now: i64) {
        for (id, _, n) in batch {
            // Kept with its first stamp: a flushed view does not make the total younger.
            if let Some((made, total)) = self.totals.get_with_stamp(id, totals_stamp(now)) {
                self.totals.insert(*id, made, total + n);
            }
        }
    }

    pub fn cache_total(&self, article_id: i64, total: i64, now: i64) {
        self.totals.insert(article_id, totals_stamp(now), total);
    }
}

/// Totals age by the clock only: they are corrected by flushes, not by edits.
fn totals_stamp(now: i64) -> Stamp {
    Stamp { generation: 0, now }
}

/// The view-counting service: records reads on the request path, shows counts, and writes the
/// counted views in batches (called by the background task and on shutdown).
pub struct ViewCounting {
    ctx: Context,
    counter: Arc<ViewCounter>,
}

impl ViewCounting {
    pub(crate) fn new(ctx: Context) -> Self {
        let counter = Arc::new(ViewCounter::new(ctx.settings().utc_offset));
        ViewCounting { ctx, counter }
    }

    /// Record a read by a visitor; returns whether it counted.
    pub fn count_view(&self, id: i64, visitor: &VisitorKeys) -> bool {
        let counted = self.counter.record(id, visitor, self.ctx.now());
        if counted {
            metrics::counter!("wenyuan_views_counted_total").increment(1);
        }
        counted
    }

    /// The view count to show: stored total plus views counted here and not yet flushed.
    pub async fn views_of(&self, id: i64) -> Result<i64> {
        let now = self.ctx.now();
        if let Some(shown) = self.counter.shown_total(id, now) {
            return Ok(shown);
        }
        let total = self.ctx.store.article_views(id).await?.unwrap_or(0);
        self.counter.cache_total(id, total, now);
        Ok(total + self.counter.pending_for(id))
    }

    /// Show `total` as the stored count of `id` from now on (the desk merged another document's
    /// views into it).
    pub fn cache_total(&self, id: i64, total: i64) {
        self.counter.cache_total(id, total, self.ctx.now());
    }

    /// Write the counted views to the database. On failure they stay pending for the next try.
    /// Returns how many views were written.
    pub async fn flush(&self) -> Result<i64> {
        let batch = self.counter.take_pending();
        if batch.is_empty() {
            return Ok(0);
        }
        match self.ctx.store.add_views(&batch).await {
            Ok(()) => {
                self.counter.flushed(&batch, self.ctx.now());
                let written: i64 = batch.iter().map(|(_, _, n)| n).sum();
                metrics::counter!("wenyuan_views_flushed_total").increment(written.max(0) as u64);
                Ok(written)
            }
            Err(err) => {
                self.counter.restore_pending(batch);
                Err(err.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::shanghai;

    fn keys(k: &[&str]) -> VisitorKeys {
        // Each test visitor from its own address, unless the test says otherwise.
        VisitorKeys::new(k.iter().map(|s| s.to_string()).collect(), &k.join(","))
    }

    #[test]
    fn one_address_counts_a_few_views_per_document_per_day_whatever_its_keys() {
        let counter = ViewCounter::new(shanghai());
        let noon = 1_700_000_000 - (1_700_000_000 % 86_400) + 4 * 3600;
        let from = |n: usize, address: &str| VisitorKeys::new(vec![format!("c:{n}")], address);
        let counted = (0..20)
            .filter(|n| counter.record(1, &from(*n, "203.0.113.7"), noon))
            .count();
        assert_eq!(counted, usize::from(MAX_VIEWS_PER_ADDRESS));
        assert!(
            counter.record(2, &from(99, "203.0.113.7"), noon),
            "another document"
        );
        assert!(
            counter.record(1, &from(99, "203.0.113.8"), noon),
            "another address"
        );
        // One IPv6 /64 is one address.
        for n in 0..3 {
            assert!(counter.record(3, &from(n, &format!("2001:db8::{n}")), noon));
        }
        assert!(!counter.record(3, &from(3, "2001:db8::99"), noon));
        assert!(
            counter.record(1, &from(100, "203.0.113.7"), noon + 86_400),
            "the next day"
        );
    }

    #[test]
    fn one_view_per_visitor_per_document_per_day() {
        let counter = ViewCounter::new(shanghai());
        let noon = 1_700_000_000 - (1_700_000_000 % 86_400) + 4 * 3600; // 12:00 in Shanghai
        assert!(counter.record(1, &keys(&["a"]), noon));
        assert!(
            !counter.record(1, &keys(&["a"]), noon + 60),
            "the same visitor, the same day"
        );
        assert!(counter.record(2, &keys(&["a"]), noon), "another document");
        assert!(counter.record(1, &keys(&["b"]), noon), "another visitor");
        assert!(
            counter.record(1, &keys(&["a"]), noon + 86_400),
            "the next day"
        );
        assert_eq!(counter.pending_for(1), 3);
        let mut batch = counter.take_pending();
        batch.sort();
        assert_eq!(batch.len(), 3, "{batch:?}: (1, day1), (1, day2), (2, day1)");
        assert_eq!(counter.pending_for(1), 0);
        counter.restore_pending(batch);
        assert_eq!(counter.pending_for(1), 3, "a failed flush loses nothing");
        assert_eq!(counter.pending_for(2), 1);
        assert_eq!(
            counter.shown_total(1, noon),
            None,
            "no stored total cached yet"
        );
        counter.cache_total(1, 100, noon);
        assert_eq!(counter.shown_total(1, noon), Some(103));
        assert!(counter.record(1, &keys(&["c"]), noon));
        assert_eq!(counter.shown_total(1, noon), Some(104));
    }

    #[test]
    fn any_shared_key_means_the_same_visitor() {
        let counter = ViewCounter::new(shanghai());
        assert!(counter.record(1, &keys(&["ip-ua:1"]), 0));
        // The same person, now with the cookie issued on the first visit.
        assert!(!counter.record(1, &keys(&["cookie:9", "ip-ua:1"]), 10));
        assert!(!counter.record(1, &keys(&["cookie:9"]), 20));
    }

    #[test]
    fn crawlers_and_tools_are_recognised() {
        for ua in [
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
            "Mozilla/5.0 (Windows NT 6.1; rv:2.0.1) Gecko/20100101 Firefox/4.0.1 360Spider",
            "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
            "YisouSpider",
            "curl/8.5.0",
            "",
        ] {
            assert!(is_crawler(Some(ua)), "{ua}");
        }
        assert!(is_crawler(None));
        let long_bot = format!("{} Googlebot/2.1", "x".repeat(600));
        assert!(is_crawler(Some(&long_bot)), "past the stack buffer");
        assert!(!is_crawler(Some(&"Mozilla/5.0 ".repeat(60))));
        for ua in [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        ] {
            assert!(!is_crawler(Some(ua)), "{ua}");
        }
    }
}
