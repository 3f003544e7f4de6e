//! Limits shared by the services: a sliding-window rate limit per client address (the contact
//! form, registration), a growing lockout after repeated failures (logins, per address and per
//! account), and a gate that bounds how many expensive computations (argon2) run at once.
//!
//! Our own code rather than `governor`: these limits read the injected clock (tests move time
//! instead of sleeping, design note 4), and the lockout grows with each repeat, which a token
//! bucket does not express. All counting is in memory, per server process: several nodes behind a
//! load balancer each enforce their own limits (counting in the database is left for later).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Semaphore;

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

    /// Requests allowed per window.
    pub fn limit(&self) -> usize {
        self.limit
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
pub fn limit_key(addr: &str) -> String {
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

/// Failures remembered per key; a key quiet for this long starts again from nothing.
const LOCKOUT_FORGET_SECONDS: i64 = 24 * 3600;
/// The longest a lockout grows to.
const LOCKOUT_MAX_SECONDS: i64 = 24 * 3600;

/// A lockout that grows: after `threshold` failures of one key, the key is refused for `base`
/// seconds; each further round of `threshold` failures doubles it (capped at a day). A key with no
/// failure for a day is forgotten. Memory is bounded by `max_keys` (the key idle longest goes).
#[derive(Debug)]
pub struct Lockout {
    threshold: u32,
    base: i64,
    max_keys: usize,
    state: Mutex<HashMap<String, Strikes>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Strikes {
    failures: u32,
    lockouts: u32,
    locked_until: i64,
    last: i64,
}

impl Lockout {
    pub fn new(threshold: u32, base_seconds: i64, max_keys: usize) -> Self {
        Lockout {
            threshold: threshold.max(1),
            base: base_seconds.max(1),
            max_keys: max_keys.max(1),
            state: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` may try now, or the seconds it must still wait.
    pub fn check(&self, key: &str, now: i64) -> Result<(), i64> {
        match self.state.lock().get(key) {
            Some(s) if s.locked_until > now => Err(s.locked_until - now),
            _ => Ok(()),
        }
    }

    /// Record a failure of `key`; returns the length of the lockout it starts, if it starts one.
    pub fn fail(&self, key: &str, now: i64) -> Option<i64> {
        let mut state = self.state.lock();
        if !state.contains_key(key) && state.len() >= self.max_keys {
            state.retain(|_, s| now - s.last < LOCKOUT_FORGET_SECONDS || s.locked_until > now);
            if state.len() >= self.max_keys {
                let idlest = state
                    .iter()
                    .min_by_key(|(_, s)| s.last)
                    .map(|(k, _)| k.clone());
                if let Some(k) = idlest {
                    state.remove(&k);
                }
            }
        }
        let strikes = state.entry(key.to_owned()).or_default();
        if now - strikes.last >= LOCKOUT_FORGET_SECONDS && strikes.locked_until <= now {
            *strikes = Strikes::default();
        }
        strikes.last = now;
        strikes.failures += 1;
        if strikes.failures < self.threshold {
            return None;
        }
        let doublings = strikes.lockouts.min(20);
        let seconds = (self.base << doublings).min(LOCKOUT_MAX_SECONDS);
        strikes.failures = 0;
        strikes.lockouts += 1;
        strikes.locked_until = now + seconds;
        Some(seconds)
    }

    /// Forget `key`'s failures (a successful login to an account).
    pub fn forgive(&self, key: &str) {
        self.state.lock().remove(key);
    }

    /// Keys currently remembered.
    pub fn len(&self) -> usize {
        self.state.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A bound on how many expensive computations run at once (argon2 takes 19 MiB and a core for
/// tens of milliseconds: 200 at once took 7 GB). The rest wait up to `wait`, then are refused,
/// so a burst is answered quickly with "busy" instead of queueing without end.
#[derive(Debug, Clone)]
pub struct WorkGate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

/// The gate was full for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl WorkGate {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        WorkGate {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            wait,
        }
    }

    /// One computation per core of this machine.
    pub fn per_core(wait: Duration) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, wait)
    }

    /// Run `work` on a blocking thread once a permit is free. The permit moves with the work, so
    /// a client that hangs up does not free it before the computation ends.
    pub async fn run<T, F>(&self, work: F) -> Result<Result<T, tokio::task::JoinError>, Busy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        Ok(tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await)
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

    #[test]
    fn lockouts_start_after_the_threshold_and_double() {
        let lockout = Lockout::new(5, 60, 100);
        for t in 0..4 {
            assert_eq!(lockout.fail("a", t), None);
            assert_eq!(lockout.check("a", t), Ok(()));
        }
        assert_eq!(lockout.fail("a", 4), Some(60));
        assert_eq!(lockout.check("a", 10), Err(54));
        assert_eq!(lockout.check("b", 10), Ok(()), "others are not affected");
        assert_eq!(lockout.check("a", 64), Ok(()));
        for t in 65..69 {
            assert_eq!(lockout.fail("a", t), None);
        }
        assert_eq!(
            lockout.fail("a", 69),
            Some(120),
            "the second lockout doubles"
        );
        lockout.forgive("a");
        assert_eq!(lockout.check("a", 70), Ok(()));
    }

    #[test]
    fn lockouts_are_forgotten_after_a_quiet_day_and_memory_stays_bounded() {
        let lockout = Lockout::new(2, 60, 100);
        lockout.fail("a", 0);
        assert_eq!(lockout.fail("a", LOCKOUT_FORGET_SECONDS + 1), None);
        for i in 0..1_000 {
            lockout.fail(&format!("k{i}"), 10);
        }
        assert!(lockout.len() <= 100, "{}", lockout.len());
    }

    #[tokio::test]
    async fn the_work_gate_refuses_what_cannot_start_within_the_wait() {
        let gate = WorkGate::new(1, Duration::from_millis(50));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let slow = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(move || rx.recv()).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(gate.run(|| 1).await.err(), Some(Busy));
        tx.send(()).unwrap();
        assert!(slow.await.unwrap().is_ok());
        assert_eq!(gate.run(|| 2).await.unwrap().unwrap(), 2);
    }
}
