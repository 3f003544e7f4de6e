//! Searches that found nothing, counted on the request path (a map update under a mutex, no
//! I/O) and written by the background task with the views, as additive upserts so several nodes
//! can count into the same rows. The desk's statistics page lists them.

use std::collections::HashMap;

use parking_lot::Mutex;

/// Longest query kept, in characters: enough to recognise it, bounded for the table.
pub const MISS_QUERY_MAX_CHARS: usize = 100;
/// Distinct queries held between two flushes; past it new ones wait for the next flush (a flood
/// of random queries cannot grow memory).
const MISS_PENDING_MAX_KEYS: usize = 10_000;

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
    fn lock(&self) -> parking_lot::MutexGuard<'_, HashMap<String, (i64, i64)>> {
        self.pending.lock()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

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
}
