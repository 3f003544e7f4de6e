//! Limits shared by the services: a sliding-window rate limit per client address (the contact
//! form, registration), a growing lockout after repeated failures (logins, per address and per
//! account), and a gate that bounds how many expensive computations (argon2) run at once.
//!
//! Our own code rather than `governor`: these limits read the injected clock (tests move time
//! instead of sleeping, design note 4), and the lockout grows with each repeat, which a token
//! bucket does not express. Login lockouts and registrations are counted in the database, so that
//! several nodes behind a load balancer enforce them together; the contact form's limit only
//! guards one node's work and stays in memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Semaphore;
use wenyuan_store::{Store, StrikeRule};

use crate::Result;

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
/// failure for a day is forgotten.
///
/// Counted in the database (the store's `login_strikes`), not in the process: several nodes
/// behind a load balancer share one count, so spreading guesses over nodes gains nothing, and a
/// restart does not lift a lockout. Keys carry a prefix naming the lockout, so one table serves all.
#[derive(Debug, Clone)]
pub struct Lockout {
    prefix: &'static str,
    rule: StrikeRule,
}

impl Lockout {
    pub fn new(prefix: &'static str, threshold: u32, base_seconds: i64) -> Self {
        Lockout {
            prefix,
            rule: StrikeRule {
                threshold: i64::from(threshold.max(1)),
                base_seconds: base_seconds.max(1),
                max_seconds: LOCKOUT_MAX_SECONDS,
                forget_seconds: LOCKOUT_FORGET_SECONDS,
            },
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.prefix)
    }

    /// Whether `key` may try now (`Ok`), or the seconds it must still wait (`Err`).
    pub async fn check(
        &self,
        store: &Store,
        key: &str,
        now: i64,
    ) -> Result<std::result::Result<(), i64>> {
        Ok(match store.locked_until(&self.key(key), now).await? {
            Some(until) => Err((until - now).max(1)),
            None => Ok(()),
        })
    }

    /// Record a failure of `key`; returns the length of the lockout it starts, if it starts one.
    pub async fn fail(&self, store: &Store, key: &str, now: i64) -> Result<Option<i64>> {
        Ok(store.record_strike(&self.key(key), now, &self.rule).await?)
    }

    /// Forget `key`'s failures (a successful login to an account).
    pub async fn forgive(&self, store: &Store, key: &str) -> Result<()> {
        Ok(store.forget_strikes(&self.key(key)).await?)
    }
}

/// A sliding-window limit per client address counted in the database (the store's
/// `rate_events`), for limits that must hold across nodes: registrations. Low-volume by nature;
/// the in-memory [`RateLimiter`] is for limits that only guard one node's work.
#[derive(Debug, Clone)]
pub struct SharedRateLimit {
    prefix: &'static str,
    limit: i64,
    window: i64,
}

impl SharedRateLimit {
    pub fn new(prefix: &'static str, limit: usize, window_seconds: i64) -> Self {
        SharedRateLimit {
            prefix,
            limit: i64::try_from(limit.max(1)).unwrap_or(i64::MAX),
            window: window_seconds.max(1),
        }
    }

    /// Record a request from `addr` at `now`, or refuse it with the seconds until one is allowed.
    pub async fn check(
        &self,
        store: &Store,
        addr: &str,
        now: i64,
    ) -> Result<std::result::Result<(), i64>> {
        let key = format!("{}:{}", self.prefix, limit_key(addr));
        let taken = store
            .take_rate_slot(&key, now, now - self.window, self.limit)
            .await?;
        Ok(taken.map_err(|oldest| (oldest + self.window - now).max(1)))
    }
}

/// Delete the counts of [`Lockout`] and [`SharedRateLimit`] that no longer matter (run now and
/// then by the background tasks).
pub async fn sweep(store: &Store, now: i64) -> Result<u64> {
    let longest_window = 24 * 3600;
    Ok(store
        .sweep_limits(now - longest_window, now - LOCKOUT_FORGET_SECONDS, now)
        .await?)
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

    /// One computation per core of this machine but one: that core stays free to serve pages
    /// while a burst of logins hashes (on 2 cores, article pages during a 200-login burst answered
    /// p99 54–508 ms with both cores hashing).
    pub fn per_core(wait: Duration) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores.saturating_sub(1), wait)
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lockouts_start_after_the_threshold_double_and_are_shared_by_nodes() {
        use wenyuan_store::testing::{backends, TestDatabase};
        for backend in backends() {
            let db = TestDatabase::new(backend).await;
            // Two nodes: two stores (two pools) on one database.
            let node_a = Store::connect(&db.url).await.unwrap();
            let node_b = Store::connect(&db.url).await.unwrap();
            let lockout = Lockout::new("login-account", 5, 60);
            for t in 0..4 {
                let node = if t % 2 == 0 { &node_a } else { &node_b };
                assert_eq!(lockout.fail(node, "a", t).await.unwrap(), None);
                assert_eq!(lockout.check(node, "a", t).await.unwrap(), Ok(()));
            }
            assert_eq!(
                lockout.fail(&node_a, "a", 4).await.unwrap(),
                Some(60),
                "{backend:?}: five failures over two nodes lock the key"
            );
            assert_eq!(
                lockout.check(&node_b, "a", 10).await.unwrap(),
                Err(54),
                "the other node refuses too"
            );
            assert_eq!(lockout.check(&node_b, "b", 10).await.unwrap(), Ok(()));
            let other_lockout = Lockout::new("login-address", 5, 60);
            assert_eq!(
                other_lockout.check(&node_a, "a", 10).await.unwrap(),
                Ok(()),
                "another lockout's key of the same name is not affected"
            );
            assert_eq!(lockout.check(&node_a, "a", 64).await.unwrap(), Ok(()));
            for t in 65..69 {
                assert_eq!(lockout.fail(&node_b, "a", t).await.unwrap(), None);
            }
            assert_eq!(
                lockout.fail(&node_b, "a", 69).await.unwrap(),
                Some(120),
                "the second lockout doubles"
            );
            lockout.forgive(&node_a, "a").await.unwrap();
            assert_eq!(lockout.check(&node_b, "a", 70).await.unwrap(), Ok(()));
            // A quiet day forgets the failures.
            lockout.fail(&node_a, "c", 100).await.unwrap();
            for t in 0..3 {
                lockout
                    .fail(&node_a, "c", 100 + LOCKOUT_FORGET_SECONDS + t)
                    .await
                    .unwrap();
            }
            assert_eq!(
                lockout
                    .fail(&node_a, "c", 100 + LOCKOUT_FORGET_SECONDS + 3)
                    .await
                    .unwrap(),
                None,
                "four failures after a quiet day, not five"
            );
            // Concurrent failures on both nodes start exactly one lockout.
            let started: Vec<Option<i64>> = futures_join_all(
                (0..10)
                    .map(|i| {
                        let node = if i % 2 == 0 {
                            node_a.clone()
                        } else {
                            node_b.clone()
                        };
                        let lockout = lockout.clone();
                        tokio::spawn(async move { lockout.fail(&node, "d", 1_000).await.unwrap() })
                    })
                    .collect(),
            )
            .await;
            // Ten failures make at most two rounds of five; racing nodes never start a lockout
            // twice for one round (a round can be cut short by failures counted meanwhile).
            let lockouts = started.iter().filter(|s| s.is_some()).count();
            assert!(
                (1..=2).contains(&lockouts),
                "{backend:?}: {lockouts} lockouts from ten failures: {started:?}"
            );
            assert_eq!(
                sweep(&node_a, 10 * LOCKOUT_FORGET_SECONDS).await.unwrap(),
                2,
                "the quiet keys c and d are swept (a was forgiven)"
            );
        }
    }

    async fn futures_join_all<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_shared_limit_counts_per_address_across_nodes_and_slides() {
        use wenyuan_store::testing::{backends, TestDatabase};
        for backend in backends() {
            let db = TestDatabase::new(backend).await;
            let node_a = Store::connect(&db.url).await.unwrap();
            let node_b = Store::connect(&db.url).await.unwrap();
            let limit = SharedRateLimit::new("register", 3, 600);
            assert_eq!(
                limit.check(&node_a, "198.51.100.1", 0).await.unwrap(),
                Ok(())
            );
            assert_eq!(
                limit.check(&node_b, "198.51.100.1", 10).await.unwrap(),
                Ok(())
            );
            assert_eq!(
                limit.check(&node_a, "198.51.100.1", 20).await.unwrap(),
                Ok(())
            );
            assert_eq!(
                limit.check(&node_b, "198.51.100.1", 30).await.unwrap(),
                Err(570),
                "{backend:?}: the fourth on the other node waits for the first to slide out"
            );
            assert_eq!(
                limit.check(&node_b, "198.51.100.2", 30).await.unwrap(),
                Ok(())
            );
            assert_eq!(
                limit.check(&node_a, "2001:db8:1:2::9", 30).await.unwrap(),
                Ok(())
            );
            assert_eq!(
                limit.check(&node_a, "198.51.100.1", 601).await.unwrap(),
                Ok(())
            );
        }
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
