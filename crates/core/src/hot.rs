//! 本周热门 / 本月热门: views in the last 7 and 30 site-local days, most viewed first.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::Days;
use serde::Serialize;

use crate::clock::local_date;
use crate::{CoreError, Library, Result};

/// Hot lists are recomputed at most this often (the same list serves every page in between).
const HOT_TTL_SECONDS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HotWindow {
    Week,
    Month,
}

impl HotWindow {
    pub fn days(self) -> u64 {
        match self {
            HotWindow::Week => 7,
            HotWindow::Month => 30,
        }
    }

    pub fn parse(text: Option<&str>) -> Result<Self> {
        match text.map(str::trim) {
            None | Some("") | Some("week") => Ok(HotWindow::Week),
            Some("month") => Ok(HotWindow::Month),
            Some(other) => Err(CoreError::Invalid(format!(
                "window 应为 week 或 month，而不是 {other:?}"
            ))),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HotWindow::Week => "本周热门",
            HotWindow::Month => "本月热门",
        }
    }
}

/// One line of a hot list. Titles only: a hot list never carries document text.
#[derive(Debug, Clone, Serialize)]
pub struct HotItem {
    pub id: i64,
    pub title: String,
    pub access: String,
    pub views_in_window: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HotPage {
    pub window: HotWindow,
    pub items: Vec<HotItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

type HotKey = (HotWindow, i64, i64);

/// Computed hot lists by (window, limit, offset), with the time they were computed and the
/// library generation they saw.
#[derive(Default)]
pub struct HotCache(Mutex<HashMap<HotKey, (i64, i64, HotPage)>>);

impl Library {
    /// The first day of a window, as stored ('YYYY-MM-DD', site-local), today included.
    pub fn window_start(&self, window: HotWindow) -> String {
        let today = local_date(self.now(), self.settings().utc_offset);
        today
            .checked_sub_days(Days::new(window.days() - 1))
            .unwrap_or(today)
            .to_string()
    }

    /// One page of a hot list, `limit` per page.
    pub async fn hot(&self, window: HotWindow, limit: i64, page: i64) -> Result<HotPage> {
        let limit = limit.clamp(1, 100);
        let page = page.clamp(1, 10_000);
        let offset = (page - 1) * limit;
        let key = (window, limit, offset);
        let now = self.now();
        let generation = self.generation();
        {
            let cache = self.hot_cache.0.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, gen, list)) = cache.get(&key) {
                if now - at < HOT_TTL_SECONDS && now >= *at && *gen == generation {
                    return Ok(list.clone());
                }
            }
        }
        let (rows, total) = self
            .store
            .hot(&self.window_start(window), limit, offset)
            .await?;
        let list = HotPage {
            window,
            items: rows
                .into_iter()
                .map(|r| HotItem {
                    id: r.id,
                    title: r.title,
                    access: r.access,
                    views_in_window: r.views_in_window,
                })
                .collect(),
            total,
            page,
            pages: ((total + limit - 1) / limit).max(1),
        };
        let mut cache = self.hot_cache.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 1_000 {
            cache.clear();
        }
        cache.insert(key, (now, generation, list.clone()));
        Ok(list)
    }

    /// Forget computed hot lists (after a flush of views, tests, or a change of time).
    pub fn clear_hot_cache(&self) {
        self.hot_cache
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
