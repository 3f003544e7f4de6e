//! The desk's statistics: views and sign-ups per day, and the searches that found nothing
//! (counted by [`crate::search::misses`]).

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::context::Context;
use crate::Result;

/// Days the charts cover, today included.
pub const CHART_DAYS: u64 = 30;
/// Searches-with-no-results listed on the page.
pub const TOP_MISSES: i64 = 50;

/// One day of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`, site-local.
    pub day: String,
    pub count: i64,
}

/// A search that found nothing, for the list.
#[derive(Debug, Clone, Serialize)]
pub struct SearchMiss {
    pub query: String,
    pub count: i64,
    /// `YYYY-MM-DD HH:MM:SS`, site-local.
    pub last: String,
}

/// `counts` (by site-local day, sparse) laid over the `days` days ending with `today`, oldest
/// first, zeros where nothing was counted.
pub fn fill_days(today: NaiveDate, days: u64, counts: &HashMap<NaiveDate, i64>) -> Vec<DayCount> {
    let first = today
        .checked_sub_days(Days::new(days.saturating_sub(1)))
        .unwrap_or(today);
    first
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| DayCount {
            day: d.to_string(),
            count: counts.get(&d).copied().unwrap_or(0),
        })
        .collect()
}

/// The statistics page's figures, read from the store.
pub struct Statistics {
    ctx: Context,
}

impl Statistics {
    pub(crate) fn new(ctx: Context) -> Self {
        Statistics { ctx }
    }

    /// Views of all documents per day over the last 30 days (counted views as flushed).
    pub async fn views_per_day(&self) -> Result<Vec<DayCount>> {
        let today = self.ctx.local_today();
        let since = fill_days(today, CHART_DAYS, &HashMap::new())
            .first()
            .map(|d| d.day.clone())
            .unwrap_or_default();
        let counts: HashMap<NaiveDate, i64> = self
            .ctx
            .store
            .views_per_day(&since)
            .await?
            .into_iter()
            .filter_map(|(day, n)| Some((day.parse::<NaiveDate>().ok()?, n)))
            .collect();
        Ok(fill_days(today, CHART_DAYS, &counts))
    }

    /// New accounts per day over the last 30 days.
    pub async fn signups_per_day(&self) -> Result<Vec<DayCount>> {
        let today = self.ctx.local_today();
        let offset = i64::from(self.ctx.settings().utc_offset.local_minus_utc());
        let first = today
            .checked_sub_days(Days::new(CHART_DAYS - 1))
            .unwrap_or(today);
        // Local midnight of the first day, as unix seconds.
        let since = first
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp() - offset);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        let counts: HashMap<NaiveDate, i64> = self
            .ctx
            .store
            .signups_per_day(since, offset)
            .await?
            .into_iter()
            .filter_map(|(day, n)| {
                Some((
                    epoch.checked_add_days(Days::new(u64::try_from(day).ok()?))?,
                    n,
                ))
            })
            .collect();
        Ok(fill_days(today, CHART_DAYS, &counts))
    }

    /// The searches that found nothing most often (top 50).
    pub async fn top_search_misses(&self) -> Result<Vec<SearchMiss>> {
        Ok(self
            .ctx
            .store
            .top_search_misses(TOP_MISSES)
            .await?
            .into_iter()
            .map(|row| SearchMiss {
                last: self.ctx.local_time(row.last_at),
                query: row.query,
                count: row.count,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_filled_with_zeros_oldest_first() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let counts = HashMap::from([(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(), 5)]);
        let days = fill_days(today, 4, &counts);
        let got: Vec<(&str, i64)> = days.iter().map(|d| (d.day.as_str(), d.count)).collect();
        assert_eq!(
            got,
            vec![
                ("2026-02-27", 0),
                ("2026-02-28", 5),
                ("2026-03-01", 0),
                ("2026-03-02", 0)
            ]
        );
        assert_eq!(fill_days(today, CHART_DAYS, &HashMap::new()).len(), 30);
    }
}
