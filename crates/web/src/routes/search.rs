//! Search: the results page, the JSON search API and the search-box suggestions.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wenyuan_core::search::{SearchPage, Suggestion};
use wenyuan_search::{SearchRequest, Sort};

use crate::client_ip::ClientIp;
use crate::error::{ApiError, AppError, AppResult};
use crate::openapi::ErrorBody;
use crate::pages::{html, render};
use crate::paging::Pager;
use crate::state::AppState;
use crate::viewer::Viewer;

/// Hits per page unless `size=` says otherwise.
const PAGE_SIZE: usize = 10;
/// Deepest page reachable (deep paging over relevance is not useful and costs).
const MAX_PAGE: usize = 100;

pub fn page_router() -> Router<AppState> {
    Router::new().route("/search", get(search_page))
}

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_api))
        .routes(routes!(suggest_api))
}

/// The query string of `/search` and `/api/v1/search`. Every field is text, parsed leniently:
/// an absurd value means "not given", never an error page.
#[derive(Debug, Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query: characters, pinyin or its initials; 繁體 folds to 简体.
    #[serde(default)]
    q: String,
    /// A category's name.
    category: Option<String>,
    tag: Option<String>,
    /// public, member or vip.
    access: Option<String>,
    /// Published on or after `YYYY-MM-DD`.
    from: Option<String>,
    /// Published on or before `YYYY-MM-DD`.
    to: Option<String>,
    /// relevance (default), date or views.
    sort: Option<String>,
    /// From 1.
    page: Option<String>,
    /// Hits per page, 1 to 50 (default 10).
    size: Option<String>,
}

impl SearchParams {
    fn page(&self) -> usize {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(1)
            .clamp(1, MAX_PAGE)
    }

    fn request(&self) -> AppResult<SearchRequest> {
        let size = match self
            .size
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => PAGE_SIZE,
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=50).contains(n))
                .ok_or_else(|| AppError::bad_request("size 应为 1 到 50 之间的整数"))?,
        };
        let sort = match self.sort.as_deref().map(str::trim) {
            None | Some("") | Some("relevance") => Sort::Relevance,
            Some("date") => Sort::Date,
            Some("views") => Sort::Views,
            Some(other) => {
                return Err(AppError::bad_request(format!(
                    "sort 应为 relevance、date 或 views，而不是 {other:?}"
                )))
            }
        };
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| v.chars().take(100).collect::<String>())
        };
        let date = |v: &Option<String>| text(v).filter(|d| chrono_like_date(d));
        Ok(SearchRequest {
            query: self.q.clone(),
            category: text(&self.category),
            tag: text(&self.tag),
            access: text(&self.access),
            date_from: date(&self.from),
            date_to: date(&self.to),
            sort,
            offset: (self.page() - 1) * size,
            limit: size,
            // Counts per category: the page shows them as links, the API returns them.
            facets: true,
            // What the viewer may match is the search service's to say (it knows the role).
            ..SearchRequest::default()
        })
    }
}

/// 'YYYY-MM-DD' with plausible numbers.
fn chrono_like_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The parameters a search page keeps in its links (all but `page`), in this order.
const KEPT: [&str; 7] = ["q", "category", "access", "from", "to", "sort", "tag"];

impl SearchParams {
    fn value(&self, key: &str) -> Option<&str> {
        let v = match key {
            "q" => Some(self.q.as_str()),
            "category" => self.category.as_deref(),
            "access" => self.access.as_deref(),
            "from" => self.from.as_deref(),
            "to" => self.to.as_deref(),
            "sort" => self.sort.as_deref(),
            "tag" => self.tag.as_deref(),
            _ => None,
        };
        v.map(str::trim).filter(|v| !v.is_empty())
    }

    /// The kept parameters, with `key` set to `value` (or dropped, with `None`).
    fn kept_with(&self, key: &str, value: Option<&str>) -> Vec<(&'static str, String)> {
        KEPT.iter()
            .filter_map(|k| {
                let v = if *k == key { value } else { self.value(k) };
                v.map(|v| (*k, v.to_owned()))
            })
            .collect()
    }

    /// `/search?…` with `key` set to `value` (or dropped), from page 1.
    fn link_with(&self, key: &str, value: Option<&str>) -> String {
        let query: Vec<String> = self
            .kept_with(key, value)
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::share::urlencode(v)))
            .collect();
        format!("/search?{}", query.join("&"))
    }
}

/// A category's count of matches, linking to the search narrowed to it.
#[derive(Serialize)]
struct FacetLink {
    category: String,
    count: usize,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct SearchContent<'a> {
    q: &'a str,
    results: Option<SearchPage>,
    category: Option<&'a str>,
    access: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
    sort: &'a str,
    /// The category menu, for the filter's choices.
    categories: Vec<String>,
    facets: Vec<FacetLink>,
    /// The same search in every category (shown while one is chosen).
    all_categories: String,
    /// The same search without its rarest word (when nothing matched).
    without_rarest: Option<(String, String)>,
    /// The query string without `page=`, for links that keep the search.
    base_query: String,
    pager: Option<Pager>,
}

async fn search_page(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Query(params): Query<SearchParams>,
) -> AppResult<Response> {
    let request = params.request()?;
    let results = if request.query.trim().is_empty()
        && request.category.is_none()
        && request.tag.is_none()
        && request.access.is_none()
        && request.date_from.is_none()
        && request.date_to.is_none()
    {
        None
    } else {
        state.services.search.admit_search(&ip, &request)?;
        Some(
            state
                .services
                .search
                .search(viewer.role(), &request, params.page())
                .await?,
        )
    };
    let base_query = params
        .link_with("page", None)
        .trim_start_matches("/search?")
        .to_owned();
    // A page past the last one (or past the deepest page served) does not exist.
    let asked: usize = params
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let mut pager = None;
    if let Some(results) = &results {
        let pages = results.pages.clamp(1, MAX_PAGE);
        if asked > pages {
            return Err(AppError::not_found());
        }
        let owned = params.kept_with("page", None);
        let kept: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pager = Some(Pager::new(
            "/search",
            &kept,
            results.page as i64,
            pages as i64,
        ));
    }
    let here = format!("/search?{base_query}");
    let chosen = params.value("category");
    let facets = results
        .as_ref()
        .map(|r| {
            r.facets
                .iter()
                .map(|f| FacetLink {
                    category: f.category.clone(),
                    count: f.count,
                    href: params.link_with("category", Some(&f.category)),
                    current: chosen == Some(f.category.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let without_rarest = results
        .as_ref()
        .and_then(|r| r.without_rarest.clone())
        .map(|q| {
            let href = params.link_with("q", Some(&q));
            (q, href)
        });
    let categories = state.nav().await?.iter().map(|c| c.name.clone()).collect();
    let content = SearchContent {
        q: &params.q,
        results,
        category: chosen,
        access: params.value("access"),
        from: params.value("from"),
        to: params.value("to"),
        sort: params.value("sort").unwrap_or("relevance"),
        categories,
        facets,
        all_categories: params.link_with("category", None),
        without_rarest,
        base_query,
        pager,
    };
    Ok(html(
        render(&state, "search.html", Some(&viewer), &here, content).await?,
    ))
}

/// Search: hits with snippets from what the caller may read (the session cookie counts).
#[utoipa::path(
    get,
    path = "/search",
    tag = "search",
    security((), ("session" = [])),
    params(SearchParams),
    responses(
        (status = 200, body = SearchPage),
        (status = 400, body = ErrorBody),
        (status = 429, body = ErrorBody)
    )
)]
async fn search_api(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchPage>, ApiError> {
    let request = params.request()?;
    state.services.search.admit_search(&ip, &request)?;
    Ok(Json(
        state
            .services
            .search
            .search(viewer.role(), &request, params.page())
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SuggestParams {
    /// What has been typed so far: characters, full pinyin or initials.
    #[serde(default)]
    q: String,
}

/// Titles for the search box as the reader types.

#[utoipa::path(
    get,
    path = "/suggest",
    tag = "search",
    params(SuggestParams),
    responses((status = 200, body = Vec<Suggestion>), (status = 429, body = ErrorBody))
)]
async fn suggest_api(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(params): Query<SuggestParams>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    if params.q.trim().is_empty() {
        return Ok(Json(Vec::new()));
    }
    state.services.search.admit_suggest(&ip)?;
    Ok(Json(state.services.search.suggest(&params.q).await?))
}
