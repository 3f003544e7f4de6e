//! The duplicates view: pairs of near-duplicate documents, closest first, and what the editor
//! decides for each (keep both, hide the newer, or merge the newer into the older).

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use wenyuan_core::desk::near_duplicates::DuplicatePairsPage;
use wenyuan_core::store::PairDecision;

use crate::admin_page::admin_page;
use crate::error::{AppError, AppResult};
use crate::extract::PageQuery;
use crate::pages::see_other;
use crate::staff::{Staff, StaffForm};
use crate::state::AppState;

#[derive(Serialize)]
struct DuplicatesContent {
    pairs: DuplicatePairsPage,
    /// The largest distance (in bits of 64) counted as a near-duplicate.
    max_distance: u32,
    notice: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    /// How many pairs a bulk decision settled.
    #[serde(default)]
    count: usize,
    #[serde(flatten)]
    page: PageQuery,
}

pub(super) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let page = q.page.page();
    let pairs = state.services.desk.duplicates.duplicate_pairs(page).await?;
    let notice = match q.done.as_deref() {
        Some("keep") => Some("已保留两篇，这一对不再列出".to_owned()),
        Some("hide") => Some("已隐藏较新的一篇".to_owned()),
        Some("merge") => Some("已合并：较新的一篇已隐藏，阅读数并入较早的一篇".to_owned()),
        Some("bulk-keep") => Some(format!("已保留所选的 {} 对，它们不再列出", q.count)),
        Some("bulk-hide") => Some(format!("已隐藏所选 {} 对中较新的一篇", q.count)),
        _ => None,
    };
    let here = match page {
        1 => "/admin/duplicates".to_owned(),
        n => format!("/admin/duplicates?page={n}"),
    };
    let content = DuplicatesContent {
        pairs,
        max_distance: state.services.desk.duplicates.near_duplicate_distance(),
        notice,
    };
    admin_page(
        &state,
        &staff,
        "admin_duplicates.html",
        "duplicates",
        &here,
        content,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    older: String,
    #[serde(default)]
    newer: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    similarity: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<DecideForm>,
) -> AppResult<Response> {
    let id = |raw: &str| {
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| AppError::bad_request("文档编号不对"))
    };
    let (older, newer) = (id(&form.older)?, id(&form.newer)?);
    let decision: PairDecision = form
        .decision
        .parse()
        .map_err(|_| AppError::bad_request("请选择保留、隐藏或合并"))?;
    state
        .services
        .desk
        .duplicates
        .decide_pair(older, newer, decision, Some(staff.member.id))
        .await?;
    let similarity = form.similarity.trim();
    let detail = match similarity.parse::<f64>() {
        Ok(s) => format!(
            "与 #{older} 近似（相似度 {:.0}%）：{}",
            s * 100.0,
            decision.as_str()
        ),
        Err(_) => format!("与 #{older} 近似：{}", decision.as_str()),
    };
    let action = format!("duplicate.{}", decision.as_str());
    state
        .services
        .audit
        .record(&staff.member, &action, &format!("article:{newer}"), &detail)
        .await?;
    Ok(see_other(&format!(
        "/admin/duplicates?done={}",
        decision.as_str()
    )))
}

/// 全部保留 / 隐藏较新的: one decision for every checked pair (`pair=OLDER-NEWER`).
pub(super) async fn decide_many(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let decision = form
        .iter()
        .find(|(k, _)| k == "decision")
        .map_or("", |(_, v)| v.as_str());
    let decision = match decision {
        "keep" => PairDecision::Keep,
        "hide" => PairDecision::Hide,
        _ => return Err(AppError::bad_request("请选择全部保留或隐藏较新的")),
    };
    let pairs: Vec<(i64, i64)> = form
        .iter()
        .filter(|(k, _)| k == "pair")
        .filter_map(|(_, v)| {
            let (a, b) = v.trim().split_once('-')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .filter(|(a, b): &(i64, i64)| *a > 0 && *b > 0)
        .collect();
    if pairs.is_empty() {
        return Err(AppError::bad_request(
            "没有选中任何一对：请先勾选要处理的近似重复",
        ));
    }
    for (older, newer) in &pairs {
        state
            .services
            .desk
            .duplicates
            .decide_pair(*older, *newer, decision, Some(staff.member.id))
            .await?;
        let action = format!("duplicate.{}", decision.as_str());
        let what = match decision {
            PairDecision::Keep => "都保留",
            _ => "隐藏较新的",
        };
        let detail = format!("与 #{older} 近似（批量处理）：{what}");
        state
            .services
            .audit
            .record(&staff.member, &action, &format!("article:{newer}"), &detail)
            .await?;
    }
    Ok(see_other(&format!(
        "/admin/duplicates?done=bulk-{}&count={}",
        decision.as_str(),
        pairs.len()
    )))
}
