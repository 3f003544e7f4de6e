//! The one cache rule of the process. Every cache of derived data (parsed documents, hot and
//! related lists, rendered guest pages, the category menu, QR images) is a [`Cache`]:
//!
//! - **Bounded by count, evicting the least useful entries** (quick_cache's CLOCK-Pro), never
//!   emptied whole when full.
//! - **Invalidated by the generation** ([`crate::context::Generation`]): an entry remembers the
//!   generation it was computed in and is a miss once the generation has moved, because the
//!   library or the settings changed. A cache whose entries are invalidated one by one from the
//!   change feed (the parsed documents) is made with [`Cache::keyed_by_change`] and ignores the
//!   generation instead.
//! - **Optionally aged**: [`Cache::with_max_age`] makes entries older than that many seconds
//!   (by the injected clock) a miss, for data that moves without a change (hot lists follow views).
//!
//! - **Computed once at a time** ([`Cache::get_or_make`]): callers that miss the same key
//!   together wait for one computation instead of each running it (a herd of readers arriving as a
//!   popular page or list expires would otherwise run the same queries hundreds of times at once),
//!   and an entry that is only *aged* (its generation still current, so nothing it shows has changed
//!   in the library or settings; only the lists in it moved with views) is served as it is while
//!   one caller recomputes it.
//!
//! Values are cloned out, so they should be cheap to clone (`Arc`s, `Bytes`).

use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;

pub use quick_cache::Equivalent;

/// When an entry was made: the generation it saw and the clock's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub generation: i64,
    pub now: i64,
}

#[derive(Clone)]
struct Entry<V> {
    made: Stamp,
    value: V,
}

pub struct Cache<K, V> {
    entries: quick_cache::sync::Cache<K, Entry<V>>,
    follow_generation: bool,
    max_age: Option<i64>,
    /// Keys whose aged entry one caller is recomputing (see [`Cache::get_or_make`]).
    refreshing: Mutex<HashSet<K>>,
}

/// What [`Cache::get_or_make`] found for a key.
enum Found<V> {
    Fresh(V),
    /// Aged, same generation: may be served while one caller recomputes it.
    Aged(V),
    /// Made in another generation, or at a time the clock has since gone back before.
    Unusable(Stamp),
}

/// One caller's claim to recompute an aged entry; released when dropped, also when the caller's
/// future is cancelled (a client gone) or its computation fails.
struct RefreshClaim<'a, K: Eq + Hash> {
    refreshing: &'a Mutex<HashSet<K>>,
    key: K,
}

impl<K: Eq + Hash> Drop for RefreshClaim<'_, K> {
    fn drop(&mut self) {
        if let Ok(mut keys) = self.refreshing.lock() {
            keys.remove(&self.key);
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Cache<K, V> {
    /// A cache of at most `capacity` entries, each valid while the generation stays.
    pub fn new(capacity: usize) -> Self {
        Cache {
            entries: quick_cache::sync::Cache::new(capacity.max(1)),
            follow_generation: true,
            max_age: None,
            refreshing: Mutex::new(HashSet::new()),
        }
    }

    /// A cache whose entries stay valid across generations: the owner removes each one when the
    /// change feed names it ([`Cache::remove`]).
    pub fn keyed_by_change(capacity: usize) -> Self {
        Cache {
            follow_generation: false,
            ..Cache::new(capacity)
        }
    }

    /// Entries older than `seconds` are misses too.
    pub fn with_max_age(mut self, seconds: i64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// The value for `key` if it is still valid at `now`.
    pub fn get<Q>(&self, key: &Q, now: Stamp) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let entry = self.entries.get(key)?;
        self.is_fresh(entry.made, now).then_some(entry.value)
    }

    /// As [`Cache::get`], with the stamp the entry was made with (to update a value without
    /// making it younger).
    pub fn get_with_stamp<Q>(&self, key: &Q, now: Stamp) -> Option<(Stamp, V)>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let entry = self.entries.get(key)?;
        self.is_fresh(entry.made, now)
            .then_some((entry.made, entry.value))
    }

    /// The value for `key` at `now`, made by `make` when there is none that may be served.
    ///
    /// - A fresh entry is returned.
    /// - A missing entry, or one from another generation, is made by one caller; the others asking
    ///   for the same key meanwhile wait for its value (quick_cache's placeholder). If that caller
    ///   fails or is cancelled, the next waiter makes it.
    /// - An entry that is only aged is made again by the first caller to find it so; the others
    ///   get the aged entry at once instead of waiting.
    ///
    /// The new entry is stamped `now`: the time its making began.
    pub async fn get_or_make<E, Fut>(
        &self,
        key: &K,
        now: Stamp,
        make: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: Future<Output = Result<V, E>>,
    {
        loop {
            let entry = match self.entries.get_value_or_guard_async(key).await {
                Ok(entry) => entry,
                Err(guard) => {
                    let value = make().await?;
                    // A full cache may refuse the entry; the value is still the answer.
                    let _ = guard.insert(Entry {
                        made: now,
                        value: value.clone(),
                    });
                    return Ok(value);
                }
            };
            match self.judge(entry, now) {
                Found::Fresh(value) => return Ok(value),
                Found::Aged(value) => {
                    let Some(_claim) = self.claim_refresh(key) else {
                        return Ok(value);
                    };
                    let value = make().await?;
                    self.insert(key.clone(), now, value.clone());
                    return Ok(value);
                }
                Found::Unusable(made) => {
                    // Drop it (unless another caller already replaced it) and ask again: the
                    // next round hands one caller the placeholder and the rest wait for it.
                    self.entries.remove_if(key, |e| e.made == made);
                }
            }
        }
    }

    fn judge(&self, entry: Entry<V>, now: Stamp) -> Found<V> {
        if self.is_fresh(entry.made, now) {
            Found::Fresh(entry.value)
        } else if (!self.follow_generation || entry.made.generation == now.generation)
            && entry.made.now <= now.now
        {
            Found::Aged(entry.value)
        } else {
            Found::Unusable(entry.made)
        }
    }

    fn claim_refresh(&self, key: &K) -> Option<RefreshClaim<'_, K>> {
        let mut keys = self.refreshing.lock().ok()?;
        keys.insert(key.clone()).then(|| RefreshClaim {
            refreshing: &self.refreshing,
            key: key.clone(),
        })
    }

    pub fn insert(&self, key: K, made: Stamp, value: V) {
        self.entries.insert(key, Entry { made, value });
    }

    pub fn remove<Q>(&self, key: &Q)
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        self.entries.remove(key);
    }

    /// Forget everything (a test moved the clock, an admin changed a source).
    pub fn clear(&self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn is_fresh(&self, made: Stamp, now: Stamp) -> bool {
        if self.follow_generation && made.generation != now.generation {
            return false;
        }
        match self.max_age {
            // A clock moved backwards (tests do) makes the entry stale too.
            Some(max_age) => (0..max_age).contains(&(now.now - made.now)),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn at(generation: i64, now: i64) -> Stamp {
        Stamp { generation, now }
    }

    #[test]
    fn entries_follow_the_generation_and_age() {
        let cache: Cache<i64, &str> = Cache::new(10).with_max_age(30);
        cache.insert(1, at(0, 100), "一");
        assert_eq!(cache.get(&1, at(0, 129)), Some("一"));
        assert_eq!(cache.get(&1, at(0, 130)), None, "too old");
        assert_eq!(cache.get(&1, at(0, 99)), None, "clock moved back");
        assert_eq!(cache.get(&1, at(1, 100)), None, "generation moved");
    }

    #[test]
    fn change_keyed_entries_ignore_the_generation_until_removed() {
        let cache: Cache<i64, &str> = Cache::keyed_by_change(10);
        cache.insert(1, at(0, 0), "一");
        assert_eq!(cache.get(&1, at(5, 1_000_000)), Some("一"));
        cache.remove(&1);
        assert_eq!(cache.get(&1, at(5, 0)), None);
    }

    #[tokio::test]
    async fn concurrent_misses_make_the_value_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cache: std::sync::Arc<Cache<i64, i64>> = std::sync::Arc::new(Cache::new(10));
        let made = std::sync::Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, made) = (cache.clone(), made.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_make(&7, at(0, 0), || async {
                        made.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok::<_, ()>(49)
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(49));
        }
        assert_eq!(
            made.load(Ordering::SeqCst),
            1,
            "one computation for 50 callers"
        );
    }

    #[tokio::test]
    async fn an_aged_entry_is_served_while_one_caller_remakes_it_but_a_new_generation_is_not() {
        let cache: Cache<i64, &str> = Cache::new(10).with_max_age(30);
        cache.insert(1, at(0, 100), "旧");
        // Aged: this caller remakes it.
        let remade = cache
            .get_or_make(&1, at(0, 200), || async { Ok::<_, ()>("新") })
            .await;
        assert_eq!(remade, Ok("新"));
        // While someone holds the claim, others get the aged value at once.
        cache.insert(1, at(0, 100), "旧");
        let claim = cache.claim_refresh(&1).unwrap();
        let served = cache
            .get_or_make(&1, at(0, 200), || async { Ok::<_, ()>("不该算") })
            .await;
        assert_eq!(served, Ok("旧"));
        drop(claim);
        // Another generation: never served, always remade.
        let next = cache
            .get_or_make(&1, at(1, 101), || async { Ok::<_, ()>("下一代") })
            .await;
        assert_eq!(next, Ok("下一代"));
        // A failed making leaves nothing behind and the next caller makes it.
        cache.clear();
        let failed = cache
            .get_or_make(&2, at(1, 0), || async { Err("坏") })
            .await;
        assert_eq!(failed, Err("坏"));
        let later = cache
            .get_or_make(&2, at(1, 0), || async { Ok::<_, &str>("好") })
            .await;
        assert_eq!(later, Ok("好"));
    }

    #[test]
    fn a_full_cache_evicts_some_entries_not_all() {
        let cache: Cache<i64, i64> = Cache::keyed_by_change(100);
        for i in 0..1_000 {
            cache.insert(i, at(0, 0), i);
        }
        let kept = (0..1_000)
            .filter(|i| cache.get(i, at(0, 0)).is_some())
            .count();
        assert!(kept > 50 && kept <= 110, "kept {kept}");
    }
}
