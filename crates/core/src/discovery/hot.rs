//! 本周热门 / 本月热门: views in the last 7 and 30 site-local days, most viewed first.

use chrono::Days;
use serde::Serialize;

use crate::cache::{Cache, Stamp};
use crate::context::Context;
use crate::{CoreError, Result};

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
            Some(other) => Err(CoreError::invalid(
                "window",
                format!("window 应为 week 或 month，而不是 {other:?}"),
            )),
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotItem {
    pub id: i64,
    pub title: String,
    pub access: String,
    pub views_in_window: i64,
    /// Not from the window: one of the most-read documents of all time, filling a list whose
    /// window holds too few (shown as 「累计」, `views` being the all-time count).
    pub all_time: bool,
    /// The count shown: `views_in_window`, or the all-time count for an `all_time` entry.
    pub views: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HotPage {
    pub window: HotWindow,
    pub items: Vec<HotItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// Hot lists kept, by (window, limit, offset): the pages anyone asks for are few.
const HOT_LISTS_CACHED: usize = 1_000;

/// The hot lists, computed from the daily view rows and cached for [`HOT_TTL_SECONDS`].
pub struct Hot {
    ctx: Context,
    lists: Cache<(HotWindow, i64, i64), HotPage>,
    /// The most-read documents of all time by list length, the filling of short lists.
    all_time: Cache<i64, Vec<wenyuan_store::HotRow>>,
}

impl Hot {
    pub(crate) fn new(ctx: Context) -> Self {
        Hot {
            ctx,
            lists: Cache::new(HOT_LISTS_CACHED).with_max_age(HOT_TTL_SECONDS),
            all_time: Cache::new(16).with_max_age(HOT_TTL_SECONDS),
        }
    }

    /// The first day of a window, as stored ('YYYY-MM-DD', site-local), today included.
    pub fn window_start(&self, window: HotWindow) -> String {
        let today = self.ctx.local_today();
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
        let stamp = Stamp {
            generation: self.ctx.generation(),
            now: self.ctx.now(),
        };
        // Every page shows these lists and each flush of views clears them: made once at a time.
        self.lists
            .get_or_make(&key, stamp, || async {
                let (rows, total) = self
                    .ctx
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
                            all_time: false,
                            views: r.views_in_window,
                        })
                        .collect(),
                    total,
                    page,
                    pages: ((total + limit - 1) / limit).max(1),
                };
                Ok(list)
            })
            .await
    }

    /// A hot list as readers see it: [`Hot::hot`], its first page filled up with the most-read
    /// documents of all time (imported view counts included) while the window holds fewer than
    /// `limit`, so a new site's 热门 is not empty. Filled entries are marked `all_time`.
    pub async fn hot_filled(&self, window: HotWindow, limit: i64, page: i64) -> Result<HotPage> {
        let mut list = self.hot(window, limit, page).await?;
        let limit = limit.clamp(1, 100);
        let short = limit - list.items.len() as i64;
        if list.page != 1 || short <= 0 {
            return Ok(list);
        }
        let stamp = Stamp {
            generation: self.ctx.generation(),
            now: self.ctx.now(),
        };
        let shown: Vec<i64> = list.items.iter().map(|item| item.id).collect();
        let fill = self
            .all_time
            .get_or_make(&limit, stamp, || async {
                Ok::<_, CoreError>(self.ctx.store.most_read(limit).await?)
            })
            .await?;
        list.items.extend(
            fill.into_iter()
                .filter(|row| !shown.contains(&row.id))
                .take(short as usize)
                .map(|r| HotItem {
                    id: r.id,
                    title: r.title,
                    access: r.access,
                    views_in_window: 0,
                    all_time: true,
                    views: r.views_in_window,
                }),
        );
        Ok(list)
    }

    /// Forget computed hot lists (after a flush of views, tests, or a change of time).
    pub fn clear_cache(&self) {
        self.lists.clear();
        self.all_time.clear();
    }
}
