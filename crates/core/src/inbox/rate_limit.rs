//! A sliding-window rate limit per client address, in memory.

use std::collections::HashMap;
use std::net::IpAddr;

use parking_lot::Mutex;

/// A sliding-window limit per client address, in memory (per server process).
///
/// Each address keeps the times of its recent accepted requests; times older than the window are
/// dropped as it slides, and addresses with nothing left are swept out once per window, so memory
/// follows the number of addresses active in the last window, capped at `max_keys`.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: i64,
    max_keys: usize,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    hits: HashMap<String, Vec<i64>>,
    last_sweep: i64,
}

impl RateLimiter {
    pub fn new(limit: usize, window_seconds: i64, max_keys: usize) -> Self {
        RateLimiter {
            limit: limit.max(1),
            window: window_seconds.max(1),
            max_keys: max_keys.max(1),
            state: Mutex::new(LimiterState::default()),
        }
    }

    /// Record a request from `addr` at `now`, or refuse it with the seconds until one is allowed.
    pub fn check(&self, addr: &str, now: i64) -> Result<(), i64> {
        let key = limit_key(addr);
        let mut state = self.state.lock();
        let window_start = now - self.window;
        if now - state.last_sweep >= self.window || state.hits.len() >= self.max_keys {
            state
                .hits
                .retain(|_, times| times.last().is_some_and(|t| *t > window_start));
            state.last_sweep = now;
        }
        if !state.hits.contains_key(&key) && state.hits.len() >= self.max_keys {
            // Still full of live addresses: forget the one idle longest rather than grow.
            let idlest = state
                .hits
                .iter()
                .min_by_key(|(_, times)| times.last().copied().unwrap_or(i64::MIN))
                .map(|(k, _)| k.clone());
            if let Some(k) = idlest {
                state.hits.remove(&k);
            }
        }
        let times = state.hits.entry(key).or_default();
        times.retain(|t| *t > window_start);
        if times.len() >= self.limit {
            let oldest = times.first().copied().unwrap_or(now);
            return Err((oldest + self.window - now).max(1));
        }
        times.push(now);
        Ok(())
    }

    /// Addresses currently remembered.
    pub fn len(&self) -> usize {
        self.state.lock().hits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the limit counts per: the address, except that an IPv6 address counts by its /64 (one
/// household or server usually holds a whole /64, so per-address limits would be no limit).
fn limit_key(addr: &str) -> String {
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| addr.to_owned(), |v4| v4.to_string()),
        _ => addr.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_allows_three_per_window_then_slides() {
        let limiter = RateLimiter::new(3, 600, 100);
        for t in [0, 10, 20] {
            assert_eq!(limiter.check("198.51.100.1", t), Ok(()));
        }
        assert_eq!(
            limiter.check("198.51.100.1", 30),
            Err(570),
            "wait until the first expires"
        );
        assert_eq!(
            limiter.check("198.51.100.2", 30),
            Ok(()),
            "others are not affected"
        );
        assert_eq!(limiter.check("198.51.100.1", 599), Err(1));
        assert_eq!(
            limiter.check("198.51.100.1", 600),
            Ok(()),
            "the first one slid out"
        );
        assert!(limiter.check("198.51.100.1", 601).is_err());
    }

    #[test]
    fn refused_requests_do_not_extend_the_wait() {
        let limiter = RateLimiter::new(1, 600, 100);
        assert!(limiter.check("a", 0).is_ok());
        for t in 1..100 {
            assert!(limiter.check("a", t).is_err());
        }
        assert!(limiter.check("a", 600).is_ok());
    }

    #[test]
    fn memory_stays_bounded_and_idle_addresses_expire() {
        let limiter = RateLimiter::new(3, 600, 1_000);
        for i in 0..5_000 {
            limiter
                .check(&format!("10.0.{}.{}", i / 256, i % 256), i)
                .unwrap();
        }
        assert!(limiter.len() <= 1_000, "{}", limiter.len());
        // An hour later the next request sweeps everyone idle out.
        limiter.check("192.0.2.1", 10_000).unwrap();
        assert_eq!(limiter.len(), 1);
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(limit_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(limit_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(limit_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(limit_key("unknown"), "unknown");
    }
}
