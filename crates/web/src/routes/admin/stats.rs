//! `/admin/stats` (editors and admins): views and sign-ups per day over 30 days as server-drawn
//! SVG charts, the week's and the month's most read documents, and the searches that found
//! nothing (with a link to try each one).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use wenyuan_core::discovery::hot::{HotItem, HotWindow};
use wenyuan_core::statistics::{DayCount, SearchMiss, CHART_DAYS};

use crate::admin_page::admin_page;
use crate::chart::{line_chart, Labels, Point};
use crate::error::AppResult;
use crate::share::urlencode;
use crate::staff::Staff;
use crate::state::AppState;

/// Documents listed per hot window.
const TOP_DOCUMENTS: i64 = 10;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/admin/stats", get(stats))
}

#[derive(Serialize)]
struct StatsContent {
    days: u64,
    views_total: i64,
    signups_total: i64,
    /// The charts' SVG, made here from numbers only (safe to insert as markup).
    views_chart: String,
    signups_chart: String,
    top_week: Vec<HotItem>,
    top_month: Vec<HotItem>,
    misses: Vec<MissLine>,
}

#[derive(Serialize)]
struct MissLine {
    #[serde(flatten)]
    miss: SearchMiss,
    /// `/search?q=…`, so an editor can see what readers saw.
    href: String,
}

async fn stats(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    let views = state.services.statistics.views_per_day().await?;
    let signups = state.services.statistics.signups_per_day().await?;
    let top_week = state
        .services
        .hot
        .hot(HotWindow::Week, TOP_DOCUMENTS, 1)
        .await?
        .items;
    let top_month = state
        .services
        .hot
        .hot(HotWindow::Month, TOP_DOCUMENTS, 1)
        .await?
        .items;
    let misses = state
        .services
        .statistics
        .top_search_misses()
        .await?
        .into_iter()
        .map(|miss| MissLine {
            href: format!("/search?q={}", urlencode(&miss.query)),
            miss,
        })
        .collect();
    let content = StatsContent {
        days: CHART_DAYS,
        views_total: views.iter().map(|d| d.count).sum(),
        signups_total: signups.iter().map(|d| d.count).sum(),
        views_chart: chart("views", "近 30 天每日阅读量", "次", &views),
        signups_chart: chart("signups", "近 30 天每日注册数", "人", &signups),
        top_week,
        top_month,
        misses,
    };
    admin_page(
        &state,
        &staff,
        "admin_stats.html",
        "stats",
        "/admin/stats",
        content,
    )
    .await
}

fn chart(id: &str, title: &str, unit: &str, days: &[DayCount]) -> String {
    let points: Vec<Point<'_>> = days
        .iter()
        .map(|d| Point {
            day: &d.day,
            value: d.count,
        })
        .collect();
    line_chart(&Labels { title, unit, id }, &points)
}
