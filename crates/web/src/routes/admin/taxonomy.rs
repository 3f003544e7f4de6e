//! Categories and tags at the desk. Each change is a small form; a refused one comes back to the
//! page with the reason, a done one with 已保存.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::desk::taxonomy::{CategoryAdmin, TagAdmin, TAGS_SHOWN};
use wenyuan_core::store::CategoryFields;

use crate::admin_page::admin_page;
use crate::error::{AppError, AppResult};
use crate::extract::parse_id;
use crate::pages::see_other;
use crate::staff::{Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/taxonomy", get(page))
        .route("/admin/taxonomy/categories", post(create_category))
        .route("/admin/taxonomy/categories/{id}", post(update_category))
        .route(
            "/admin/taxonomy/categories/{id}/delete",
            post(delete_category),
        )
        .route("/admin/taxonomy/tags/{id}", post(rename_tag))
        .route("/admin/taxonomy/tags/{id}/merge", post(merge_tag))
        .route("/admin/taxonomy/tags/{id}/delete", post(delete_tag))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TaxonomyQuery {
    tag: String,
    saved: String,
}

#[derive(Serialize)]
struct TaxonomyContent {
    categories: Vec<CategoryAdmin>,
    tags: Vec<TagAdmin>,
    tag_filter: String,
    tags_shown: i64,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<TaxonomyQuery>,
) -> AppResult<Response> {
    let notice = (!q.saved.is_empty()).then_some("已保存");
    render(&state, &staff, q.tag.trim(), notice, None).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    tag_filter: &str,
    notice: Option<&'static str>,
    error: Option<AppError>,
) -> AppResult<Response> {
    let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
    let filter = Some(tag_filter).filter(|t| !t.is_empty());
    let content = TaxonomyContent {
        categories: state.services.desk.taxonomy.categories().await?,
        tags: state.services.desk.taxonomy.tags(filter).await?,
        tag_filter: tag_filter.to_owned(),
        tags_shown: TAGS_SHOWN,
        notice,
        error: error.map(|e| e.public_message().to_owned()),
    };
    let mut response = admin_page(
        state,
        staff,
        "admin_taxonomy.html",
        "taxonomy",
        "/admin/taxonomy",
        content,
    )
    .await?;
    *response.status_mut() = status;
    Ok(response)
}

/// Back to the page: 已保存 when it worked, the page with the reason when the editor can fix it.
async fn done(
    state: &AppState,
    staff: &Staff,
    result: wenyuan_core::Result<()>,
) -> AppResult<Response> {
    match result.map_err(AppError::from) {
        Ok(()) => Ok(see_other("/admin/taxonomy?saved=1")),
        Err(err) if err.status().is_client_error() && err.status() != StatusCode::NOT_FOUND => {
            render(state, staff, "", None, Some(err)).await
        }
        Err(err) => Err(err),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CategoryForm {
    name: String,
    slug: String,
    sort: String,
    /// 上级栏目's id; empty for the top level.
    parent: String,
}

impl CategoryForm {
    fn input(&self, sort: i64) -> CategoryFields<'_> {
        CategoryFields {
            name: &self.name,
            slug: &self.slug,
            sort,
            parent: self.parent.trim().parse().ok(),
        }
    }

    fn sort(&self) -> Result<i64, AppError> {
        match self.sort.trim() {
            "" => Ok(0),
            s => s.parse().map_err(|_| {
                AppError::Client(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("排序「{s}」应为整数（小的排在前）"),
                )
            }),
        }
    }
}

async fn create_category(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<CategoryForm>,
) -> AppResult<Response> {
    let sort = match form.sort() {
        Ok(sort) => sort,
        Err(err) => return render(&state, &staff, "", None, Some(err)).await,
    };
    let result = state
        .services
        .desk
        .taxonomy
        .create_category(&staff.member, &form.input(sort))
        .await
        .map(|_| ());
    done(&state, &staff, result).await
}

async fn update_category(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<CategoryForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let sort = match form.sort() {
        Ok(sort) => sort,
        Err(err) => return render(&state, &staff, "", None, Some(err)).await,
    };
    let result = state
        .services
        .desk
        .taxonomy
        .update_category(&staff.member, id, &form.input(sort))
        .await;
    done(&state, &staff, result).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DeleteCategoryForm {
    move_to: String,
}

async fn delete_category(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<DeleteCategoryForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let move_to = form.move_to.trim().parse::<i64>().ok();
    let result = state
        .services
        .desk
        .taxonomy
        .delete_category(&staff.member, id, move_to)
        .await;
    done(&state, &staff, result).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TagForm {
    name: String,
    slug: String,
    into: String,
}

async fn rename_tag(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<TagForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let result = state
        .services
        .desk
        .taxonomy
        .rename_tag(&staff.member, id, &form.name, &form.slug)
        .await;
    done(&state, &staff, result).await
}

async fn merge_tag(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, form }: StaffForm<TagForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let result = state
        .services
        .desk
        .taxonomy
        .merge_tag(&staff.member, id, &form.into)
        .await;
    done(&state, &staff, result).await
}

async fn delete_tag(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, .. }: StaffForm<TagForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    let result = state
        .services
        .desk
        .taxonomy
        .delete_tag(&staff.member, id)
        .await;
    done(&state, &staff, result).await
}
