//! Counting for core's limits (issue 10): login failures with their lockouts, and the accepted
//! requests of sliding-window limits. In the database, not in each process, so that several
//! nodes behind a load balancer enforce one limit together.

use sqlx::Any;

use crate::error::Context;
use crate::{Result, Store};

/// How failures of one key turn into lockouts; see core's `limits::Lockout` for the rule.
#[derive(Debug, Clone, Copy)]
pub struct StrikeRule {
    /// Failures that start a lockout.
    pub threshold: i64,
    /// The first lockout, in seconds; each further one doubles.
    pub base_seconds: i64,
    /// The longest lockout.
    pub max_seconds: i64,
    /// A key with no failure for this long (and not locked) starts again from nothing.
    pub forget_seconds: i64,
}

impl Store {
    /// When `key`'s lockout ends, if it is locked at `now`.
    pub async fn locked_until(&self, key: &str, now: i64) -> Result<Option<i64>> {
        sqlx::query_scalar::<Any, i64>(
            "SELECT locked_until FROM login_strikes WHERE key = $1 AND locked_until > $2",
        )
        .bind(key)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .context("reading a login lockout")
    }

    /// Count one failure of `key` at `now`; returns the length in seconds of the lockout it
    /// starts, if it starts one. Safe with several nodes: the count is one upsert, and of two
    /// nodes reaching the threshold at once only one starts the lockout (the conditional update).
    pub async fn record_strike(
        &self,
        key: &str,
        now: i64,
        rule: &StrikeRule,
    ) -> Result<Option<i64>> {
        let (failures, lockouts) = sqlx::query_as::<Any, (i64, i64)>(
            "INSERT INTO login_strikes (key, failures, lockouts, locked_until, last_at) \
             VALUES ($1, 1, 0, 0, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN $2 - login_strikes.last_at >= $3 AND login_strikes.locked_until <= $2 \
                          THEN 1 ELSE login_strikes.failures + 1 END, \
               lockouts = CASE WHEN $2 - login_strikes.last_at >= $3 AND login_strikes.locked_until <= $2 \
                          THEN 0 ELSE login_strikes.lockouts END, \
               last_at = $2 \
             RETURNING failures, lockouts",
        )
        .bind(key)
        .bind(now)
        .bind(rule.forget_seconds)
        .fetch_one(&self.pool)
        .await
        .context("counting a login failure")?;
        if failures < rule.threshold {
            return Ok(None);
        }
        let doublings = lockouts.clamp(0, 20) as u32;
        let seconds = rule
            .base_seconds
            .max(1)
            .saturating_mul(1 << doublings)
            .min(rule.max_seconds);
        let started = sqlx::query(
            "UPDATE login_strikes SET failures = 0, lockouts = lockouts + 1, locked_until = $1 \
             WHERE key = $2 AND failures >= $3",
        )
        .bind(now + seconds)
        .bind(key)
        .bind(rule.threshold)
        .execute(&self.pool)
        .await
        .context("starting a login lockout")?
        .rows_affected();
        Ok((started > 0).then_some(seconds))
    }

    /// Forget `key`'s failures (a successful login).
    pub async fn forget_strikes(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_strikes WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .context("forgetting login failures")?;
        Ok(())
    }

    /// Take one slot of a sliding-window limit: record a request of `key` at `now` when fewer
    /// than `limit` were recorded after `window_start`; otherwise refuse with the time of the
    /// oldest one in the window (the caller says when a slot frees). Two nodes taking the last
    /// slot at the same instant may both get it: the limit is exact to within one per node.
    pub async fn take_rate_slot(
        &self,
        key: &str,
        now: i64,
        window_start: i64,
        limit: i64,
    ) -> Result<std::result::Result<(), i64>> {
        let (count, oldest) = sqlx::query_as::<Any, (i64, Option<i64>)>(
            "SELECT COUNT(*), MIN(at) FROM rate_events WHERE key = $1 AND at > $2",
        )
        .bind(key)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await
        .context("counting rate-limited requests")?;
        if count >= limit {
            return Ok(Err(oldest.unwrap_or(now)));
        }
        sqlx::query("INSERT INTO rate_events (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(&self.pool)
            .await
            .context("recording a rate-limited request")?;
        Ok(Ok(()))
    }

    /// Delete counts nobody needs any more: rate events before `events_before`, and failures of
    /// keys quiet since `strikes_before` whose lockout has ended by `now`.
    pub async fn sweep_limits(
        &self,
        events_before: i64,
        strikes_before: i64,
        now: i64,
    ) -> Result<u64> {
        let events = sqlx::query("DELETE FROM rate_events WHERE at < $1")
            .bind(events_before)
            .execute(&self.pool)
            .await
            .context("sweeping old rate-limit events")?
            .rows_affected();
        let strikes =
            sqlx::query("DELETE FROM login_strikes WHERE last_at < $1 AND locked_until <= $2")
                .bind(strikes_before)
                .bind(now)
                .execute(&self.pool)
                .await
                .context("sweeping old login failures")?
                .rows_affected();
        Ok(events + strikes)
    }
}
