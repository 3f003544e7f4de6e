//! 阅读历史 off the request path (docs/design.md §5, as for views): the article page only notes
//! (member, document, time) in memory; the background task that flushes views writes the notes
//! in one batch, and on shutdown.

use std::collections::HashMap;

use parking_lot::Mutex;

/// Reads noted and not yet written, at most. Flushed twice a second, so this is only reached when
/// the database is down for a while; past it new reads are dropped (a history is a convenience,
/// not a record anyone relies on) and logged once per flush.
const MAX_PENDING: usize = 200_000;

#[derive(Default)]
struct State {
    /// (member, document) → the latest read time.
    pending: HashMap<(i64, i64), i64>,
    dropped: u64,
}

#[derive(Default)]
pub(crate) struct PendingReads {
    state: Mutex<State>,
}

impl PendingReads {
    /// Note that `user_id` read `article_id` at `now`.
    pub fn note(&self, user_id: i64, article_id: i64, now: i64) {
        let mut state = self.state.lock();
        let full = state.pending.len() >= MAX_PENDING;
        match state.pending.get_mut(&(user_id, article_id)) {
            Some(at) => *at = (*at).max(now),
            None if full => state.dropped += 1,
            None => {
                state.pending.insert((user_id, article_id), now);
            }
        }
    }

    /// Take everything noted, to write: `(user_id, article_id, read_at)`.
    pub fn take(&self) -> Vec<(i64, i64, i64)> {
        let mut state = self.state.lock();
        if state.dropped > 0 {
            tracing::warn!(
                dropped = state.dropped,
                "reading history: reads dropped while the batch was full"
            );
            state.dropped = 0;
        }
        state
            .pending
            .drain()
            .map(|((user, article), at)| (user, article, at))
            .collect()
    }

    /// Put a batch back after a failed write, keeping the later time of each read.
    pub fn restore(&self, batch: Vec<(i64, i64, i64)>) {
        let mut state = self.state.lock();
        for (user, article, at) in batch {
            let entry = state.pending.entry((user, article)).or_insert(at);
            *entry = (*entry).max(at);
        }
    }

    /// Forget what a member read and was not written yet (the account is being deleted).
    pub fn forget_member(&self, user_id: i64) {
        self.state
            .lock()
            .pending
            .retain(|(user, _), _| *user != user_id);
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.state.lock().pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_keeps_its_latest_time_and_a_failed_write_loses_nothing() {
        let reads = PendingReads::default();
        reads.note(1, 10, 100);
        reads.note(1, 10, 90);
        reads.note(1, 11, 95);
        reads.note(2, 10, 99);
        let mut batch = reads.take();
        batch.sort();
        assert_eq!(batch, vec![(1, 10, 100), (1, 11, 95), (2, 10, 99)]);
        assert!(reads.is_empty());
        reads.note(1, 10, 120);
        reads.restore(batch);
        let mut again = reads.take();
        again.sort();
        assert_eq!(again, vec![(1, 10, 120), (1, 11, 95), (2, 10, 99)]);
        reads.restore(again);
        reads.forget_member(1);
        assert_eq!(reads.take(), vec![(2, 10, 99)]);
    }
}
