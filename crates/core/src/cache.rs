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
//! Values are cloned out, so they should be cheap to clone (`Arc`s, `Bytes`).

use std::hash::Hash;

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
}

impl<K: Eq + Hash + Clone, V: Clone> Cache<K, V> {
    /// A cache of at most `capacity` entries, each valid while the generation stays.
    pub fn new(capacity: usize) -> Self {
        Cache {
            entries: quick_cache::sync::Cache::new(capacity.max(1)),
            follow_generation: true,
            max_age: None,
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
