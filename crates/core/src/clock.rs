//! "Now", injected (docs/design.md §4): sessions, daily counts and hot lists ask a [`Clock`], so tests
//! move time forward instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub trait Clock: Send + Sync + 'static {
    /// Unix time in seconds.
    fn now(&self) -> i64;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        Utc::now().timestamp()
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(unix_seconds: i64) -> Self {
        ManualClock(Arc::new(AtomicI64::new(unix_seconds)))
    }
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
    pub fn set(&self, unix_seconds: i64) {
        self.0.store(unix_seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The calendar date at `unix_seconds` in the site's time zone.
pub fn local_date(unix_seconds: i64, offset: FixedOffset) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(unix_seconds, 0)
        .unwrap_or_default()
        .with_timezone(&offset)
        .date_naive()
}

/// The unix time at which `date` begins (00:00) in the site's time zone.
pub fn local_midnight(date: NaiveDate, offset: FixedOffset) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp()
        - i64::from(offset.local_minus_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_day_turns_at_local_midnight() {
        let shanghai = FixedOffset::east_opt(8 * 3600).unwrap();
        // 2020-11-03 15:59:59 UTC is 23:59:59 in Shanghai; one second later it is the 4th.
        let t = 1_604_419_199;
        assert_eq!(local_date(t, shanghai).to_string(), "2020-11-03");
        assert_eq!(local_date(t + 1, shanghai).to_string(), "2020-11-04");
    }

    #[test]
    fn local_midnight_is_where_the_local_day_turns() {
        let shanghai = FixedOffset::east_opt(8 * 3600).unwrap();
        let day = NaiveDate::from_ymd_opt(2020, 11, 4).unwrap();
        let midnight = local_midnight(day, shanghai);
        assert_eq!(midnight, 1_604_419_200);
        assert_eq!(local_date(midnight, shanghai), day);
        assert_eq!(local_date(midnight - 1, shanghai).to_string(), "2020-11-03");
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = ManualClock::at(100);
        let shared = clock.clone();
        clock.advance(86_400);
        assert_eq!(shared.now(), 86_500);
    }
}
