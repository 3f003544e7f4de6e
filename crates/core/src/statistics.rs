//! The desk's statistics: views and sign-ups per day, and the searches that found nothing.
//!
//! A search that finds nothing is counted in memory on the request path (a map update under a
//! mutex, no I/O) and written by the background task with the views (DESIGN.md §5), as additive
//! upserts so several nodes can count into the same rows.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::clock::local_date;
use crate::{Library, Result};

/// Days the charts cover, today included.
pub const CHART_DAYS: u64 = 30;
/// Longest query kept, in characters: enough to recognise it, bounded for the table.
pub const MISS_QUERY_MAX_CHARS: usize = 100;
/// Searches-with-no-results listed on the page.
pub const TOP_MISSES: i64 = 50;
/// Distinct queries held between two flushes; past it new ones wait for the next flush (a flood
/// of random queries cannot grow memory).
const MISS_PENDING_MAX_KEYS: usize = 10_000;

/// One day of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`, site-local.
    pub day: String,
    pub count: i64,
}

/// A search that found nothing, for the list.
#[derive(Debug, Clone, Serialize)]
pub struct SearchMiss {
    pub query: String,
    pub count: i64,
    /// `YYYY-MM-DD HH:MM:SS`, site-local.
    pub last: String,
}

/// The query as it is counted: folded like the index folds it (width, case, 繁→简), control
/// characters and runs of spaces made one space, trimmed, at most 100 characters. `None` for a
/// blank query.
pub fn normalise_query(query: &str) -> Option<String> {
    let folded = wenyuan_text::fold::fold(query);
    let mut out = String::new();
    for word in folded
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let out: String = out.chars().take(MISS_QUERY_MAX_CHARS).collect();
    let out = out.trim_end().to_owned();
    (!out.is_empty()).then_some(out)
}

/// Searches that found nothing, counted since the last flush: query → (count, last time).
#[derive(Default)]
pub struct SearchMissCounter {
    pending: Mutex<HashMap<String, (i64, i64)>>,
}

impl SearchMissCounter {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, i64)>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Count one search for `query` (already normalised) at `now`.
    pub fn record(&self, query: String, now: i64) {
        let mut pending = self.lock();
        if let Some((count, last)) = pending.get_mut(&query) {
            *count += 1;
            *last = (*last).max(now);
        } else if pending.len() < MISS_PENDING_MAX_KEYS {
            pending.insert(query, (1, now));
        }
    }

    /// Take everything counted, as `(query, count, last time)`.
    pub fn take(&self) -> Vec<(String, i64, i64)> {
        let pending = std::mem::take(&mut *self.lock());
        pending.into_iter().map(|(q, (n, at))| (q, n, at)).collect()
    }

    /// Put back a batch whose write failed, to be tried with the next.
    pub fn restore(&self, batch: Vec<(String, i64, i64)>) {
        let mut pending = self.lock();
        for (query, count, at) in batch {
            let entry = pending.entry(query).or_insert((0, at));
            entry.0 += count;
            entry.1 = entry.1.max(at);
        }
    }
}

/// `counts` (by site-local day, sparse) laid over the `days` days ending with `today`, oldest
/// first, zeros where nothing was counted.
pub fn fill_days(today: NaiveDate, days: u64, counts: &HashMap<NaiveDate, i64>) -> Vec<DayCount> {
    let first = today
        .checked_sub_days(Days::new(days.saturating_sub(1)))
        .unwrap_or(today);
    first
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| DayCount {
            day: d.to_string(),
            count: counts.get(&d).copied().unwrap_or(0),
        })
        .collect()
}

impl Library {
    /// Note a search that found nothing (no I/O: written by [`Library::flush_search_misses`]).
    pub fn record_search_miss(&self, query: &str) {
        if let Some(query) = normalise_query(query) {
            self.search_misses.record(query, self.now());
        }
    }

    /// Write the counted searches-with-no-results; on failure they stay for the next try.
    /// Returns how many searches were written.
    pub async fn flush_search_misses(&self) -> Result<i64> {
        let batch = self.search_misses.take();
        if batch.is_empty() {
            return Ok(0);
        }
        match self.store.add_search_misses(&batch).await {
            Ok(()) => Ok(batch.iter().map(|(_, n, _)| n).sum()),
            Err(err) => {
                self.search_misses.restore(batch);
                Err(err.into())
            }
        }
    }

    fn local_today(&self) -> NaiveDate {
        local_date(self.now(), self.settings().utc_offset)
    }

    /// Views of all documents per day over the last 30 days (counted views as flushed).
    pub async fn views_per_day(&self) -> Result<Vec<DayCount>> {
        let today = self.local_today();
        let since = fill_days(today, CHART_DAYS, &HashMap::new())
            .first()
            .map(|d| d.day.clone())
            .unwrap_or_default();
        let counts: HashMap<NaiveDate, i64> = self
            .store
            .views_per_day(&since)
            .await?
            .into_iter()
            .filter_map(|(day, n)| Some((day.parse::<NaiveDate>().ok()?, n)))
            .collect();
        Ok(fill_days(today, CHART_DAYS, &counts))
    }

    /// New accounts per day over the last 30 days.
    pub async fn signups_per_day(&self) -> Result<Vec<DayCount>> {
        let today = self.local_today();
        let offset = i64::from(self.settings().utc_offset.local_minus_utc());
        let first = today
            .checked_sub_days(Days::new(CHART_DAYS - 1))
            .unwrap_or(today);
        // Local midnight of the first day, as unix seconds.
        let since = first
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp() - offset);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        let counts: HashMap<NaiveDate, i64> = self
            .store
            .signups_per_day(since, offset)
            .await?
            .into_iter()
            .filter_map(|(day, n)| {
                Some((
                    epoch.checked_add_days(Days::new(u64::try_from(day).ok()?))?,
                    n,
                ))
            })
            .collect();
        Ok(fill_days(today, CHART_DAYS, &counts))
    }

    /// The searches that found nothing most often (top 50).
    pub async fn top_search_misses(&self) -> Result<Vec<SearchMiss>> {
        Ok(self
            .store
            .top_search_misses(TOP_MISSES)
            .await?
            .into_iter()
            .map(|row| SearchMiss {
                last: self.local_time(row.last_at),
                query: row.query,
                count: row.count,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_counted_in_one_spelling() {
        let table = [
            ("  乡村振兴  ", Some("乡村振兴")),
            ("ＡＢＣ　工作\t总结", Some("abc 工作 总结")),
            ("鄉村振興", Some("乡村振兴")),
            ("a\u{0}b", Some("a b")),
            ("   ", None),
            ("", None),
        ];
        for (query, expected) in table {
            assert_eq!(normalise_query(query).as_deref(), expected, "{query:?}");
        }
        let long = "字".repeat(300);
        assert_eq!(normalise_query(&long).unwrap().chars().count(), 100);
    }

    #[test]
    fn misses_add_up_until_taken_and_a_failed_batch_comes_back() {
        let counter = SearchMissCounter::default();
        counter.record("乡村振兴".into(), 10);
        counter.record("乡村振兴".into(), 20);
        counter.record("述职".into(), 15);
        let mut batch = counter.take();
        batch.sort();
        assert_eq!(
            batch,
            vec![("乡村振兴".into(), 2, 20), ("述职".into(), 1, 15)]
        );
        assert!(counter.take().is_empty());
        counter.record("述职".into(), 30);
        counter.restore(batch);
        let mut again = counter.take();
        again.sort();
        assert_eq!(
            again,
            vec![("乡村振兴".into(), 2, 20), ("述职".into(), 2, 30)]
        );
    }

    #[test]
    fn days_are_filled_with_zeros_oldest_first() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let counts = HashMap::from([(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(), 5)]);
        let days = fill_days(today, 4, &counts);
        let got: Vec<(&str, i64)> = days.iter().map(|d| (d.day.as_str(), d.count)).collect();
        assert_eq!(
            got,
            vec![
                ("2026-02-27", 0),
                ("2026-02-28", 5),
                ("2026-03-01", 0),
                ("2026-03-02", 0)
            ]
        );
        assert_eq!(fill_days(today, CHART_DAYS, &HashMap::new()).len(), 30);
    }
}
