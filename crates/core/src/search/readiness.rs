//! Whether this node's search index has caught up with the change feed: for `/readyz` (a load
//! balancer sends no readers to a node whose searches would miss documents), for the flag on
//! search answers, for the desk, and for the catch-up progress in the log.
//!
//! The lag is counted in change-feed entries: the newest change id in the database minus the
//! last one the index committed. Ids may have gaps (a rolled-back PostgreSQL insert), so the lag
//! is an upper bound, and exactly 0 once the index holds the newest change.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use serde::Serialize;

/// A node is ready while its index is at most this many changes behind …
pub const READY_MAX_LAG: i64 = 500;
/// … and its last catch-up (an indexing round that reached the end of the feed) was at most
/// this many seconds ago. A busy import keeps the lag above 0 for a moment on every node; only
/// a node that has not reached the end of the feed for longer is "catching up".
pub const READY_WITHIN_SECONDS: i64 = 5;
/// A round further behind than this logs its progress (done/total, rate, ETA).
const LOG_CATCH_UP_FROM: i64 = 2_000;
/// How often a long catch-up logs its progress.
const LOG_EVERY_SECONDS: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexStatus {
    pub ready: bool,
    /// Changes of the library the index has not applied yet.
    pub index_lag: i64,
}

/// When the indexing loop last reached the end of the feed (by the injected clock; `i64::MIN`
/// before the first time), and the feed's head and the index's change as it last saw them: the
/// search answers' flag reads these (no query on the hot path), `/readyz` reads fresh figures.
#[derive(Debug)]
pub(crate) struct IndexProgress {
    pub caught_up_at: AtomicI64,
    /// The newest change id when the indexing loop last looked (`i64::MAX` before it has).
    pub head_seen: AtomicI64,
    /// The last change id the index committed, as the indexing loop last saw it.
    pub applied_seen: AtomicI64,
}

impl Default for IndexProgress {
    fn default() -> Self {
        IndexProgress {
            caught_up_at: AtomicI64::new(i64::MIN),
            head_seen: AtomicI64::new(i64::MAX),
            applied_seen: AtomicI64::new(0),
        }
    }
}

impl IndexProgress {
    /// The status by what the indexing loop last saw (no I/O): for the flag on every search.
    /// Before the loop's first look the index counts as catching up.
    pub fn last_seen(&self, now: i64) -> IndexStatus {
        let head = self.head_seen.load(Ordering::Acquire);
        let applied = self.applied_seen.load(Ordering::Acquire);
        self.status(head, applied, now)
    }

    /// The status for a feed at `head` and an index at `applied`, at `now`.
    pub fn status(&self, head: i64, applied: i64, now: i64) -> IndexStatus {
        let index_lag = head.saturating_sub(applied).max(0);
        let caught_up_at = self.caught_up_at.load(Ordering::Acquire);
        let recently =
            caught_up_at != i64::MIN && now.saturating_sub(caught_up_at) <= READY_WITHIN_SECONDS;
        IndexStatus {
            ready: index_lag == 0 || (index_lag <= READY_MAX_LAG && recently),
            index_lag,
        }
    }
}

/// Progress lines of a long catch-up: an operator who starts a node on a big library sees how
/// far it is and when it will be done.
pub(crate) struct CatchUpLog {
    from: i64,
    head: i64,
    started: Instant,
    last_line: Instant,
    logging: bool,
}

impl CatchUpLog {
    pub fn start(applied: i64, head: i64) -> Self {
        let logging = head - applied > LOG_CATCH_UP_FROM;
        if logging {
            tracing::info!(
                behind = head - applied,
                "the search index is catching up with the library"
            );
        }
        CatchUpLog {
            from: applied,
            head,
            started: Instant::now(),
            last_line: Instant::now(),
            logging,
        }
    }

    pub fn reached(&mut self, applied: i64) {
        self.counted(applied - self.from, self.head - self.from);
    }

    /// `done` of `total` documents filed (a fill counts documents, not changes).
    pub fn counted(&mut self, done: i64, total: i64) {
        if !self.logging || self.last_line.elapsed().as_secs() < LOG_EVERY_SECONDS {
            return;
        }
        self.last_line = Instant::now();
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / seconds;
        let eta = if rate > 0.0 {
            ((total - done) as f64 / rate).round() as i64
        } else {
            -1
        };
        tracing::info!(
            done,
            total,
            rate = rate.round() as i64,
            eta_seconds = eta,
            "search index catch-up"
        );
    }

    pub fn finished(&self, applied: i64) {
        if self.logging {
            tracing::info!(
                applied = applied - self.from,
                seconds = self.started.elapsed().as_secs(),
                "the search index has caught up"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_when_caught_up_or_slightly_behind_after_a_recent_catch_up() {
        let progress = IndexProgress::default();
        assert!(progress.status(10, 10, 100).ready, "nothing to apply");
        assert_eq!(
            progress.status(900, 10, 100),
            IndexStatus {
                ready: false,
                index_lag: 890
            }
        );
        assert!(
            !progress.status(20, 10, 100).ready,
            "behind and never caught up"
        );
        progress.caught_up_at.store(98, Ordering::Release);
        assert!(progress.status(20, 10, 100).ready, "a moment behind");
        assert!(
            !progress.status(20, 10, 100 + READY_WITHIN_SECONDS).ready,
            "behind for too long"
        );
        assert!(
            !progress.status(10 + READY_MAX_LAG + 1, 10, 100).ready,
            "too far behind"
        );
    }
}
