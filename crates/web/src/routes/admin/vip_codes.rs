//! `/admin/vip-codes` (admins): make a batch of VIP redeem codes (卡密) and list the batches with
//! how many were used. The codes are shown once, on the page that answers the form (never
//! cached), with a button that hands the same list back as a `.txt` file: the browser posts the
//! codes it holds, so the server never has to keep them in the clear.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::vip::{codes, BatchView, CodeBatch, BATCH_MAX_CHARS, MAX_BATCH_CODES, MAX_DAYS};
use wenyuan_core::CoreError;

use crate::admin_page::{admin_page, form_answer};
use crate::error::AppResult;
use crate::share::urlencode;
use crate::staff::{AdminOnly, Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/vip-codes", get(list).post(create))
        .route("/admin/vip-codes/download", post(download))
}

#[derive(Debug, Deserialize, Serialize, Default)]
struct CreateForm {
    #[serde(default)]
    count: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    batch: String,
}

#[derive(Serialize)]
struct CodesContent<'a> {
    batches: Vec<BatchView>,
    /// The batch just made: its codes, shown this once.
    made: Option<CodeBatch>,
    /// The form as typed (after an error) or its defaults.
    form: &'a CreateForm,
    error: Option<String>,
    limits: Limits,
}

#[derive(Serialize)]
struct Limits {
    count: i64,
    days: i64,
    batch: usize,
}

const LIMITS: Limits = Limits {
    count: MAX_BATCH_CODES,
    days: MAX_DAYS,
    batch: BATCH_MAX_CHARS,
};

async fn list(State(state): State<AppState>, AdminOnly(staff): AdminOnly) -> AppResult<Response> {
    let form = CreateForm {
        count: "10".to_owned(),
        days: "30".to_owned(),
        batch: String::new(),
    };
    render(&state, &staff, &form, None, None).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    form: &CreateForm,
    made: Option<CodeBatch>,
    error: Option<String>,
) -> AppResult<Response> {
    let has_codes = made.is_some();
    let refused = error.is_some();
    let content = CodesContent {
        batches: state.services.vip.batches().await?,
        made,
        form,
        error,
        limits: LIMITS,
    };
    form_answer(
        admin_page(
            state,
            staff,
            "admin_vip_codes.html",
            "vip_codes",
            "/admin/vip-codes",
            content,
        )
        .await,
        refused,
        has_codes,
    )
}

async fn create(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<CreateForm>,
) -> AppResult<Response> {
    let number = |text: &str, field: &'static str, what: &str| {
        text.trim().parse::<i64>().map_err(|_| {
            CoreError::invalid(field, format!("{what}应为整数，而不是“{}”", text.trim()))
        })
    };
    let made = match (
        number(&form.count, "count", "数量"),
        number(&form.days, "days", "天数"),
    ) {
        (Ok(count), Ok(days)) => {
            state
                .services
                .vip
                .create_codes(Some(&staff.member), count, days, Some(&form.batch))
                .await
        }
        (Err(err), _) | (_, Err(err)) => Err(err),
    };
    match made {
        Ok(batch) => render(&state, &staff, &form, Some(batch), None).await,
        Err(err @ CoreError::Invalid(_)) => {
            render(&state, &staff, &form, None, Some(err.to_string())).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
struct DownloadForm {
    #[serde(default)]
    batch: String,
    #[serde(default)]
    codes: String,
}

/// The codes the result page holds (separated by spaces), as a `.txt` file: one per line. Only well-formed codes go
/// back out, so this cannot be made to serve anything else.
async fn download(StaffForm { form, .. }: StaffForm<DownloadForm>) -> AppResult<Response> {
    let mut text = String::new();
    for line in form.codes.split_whitespace().take(MAX_BATCH_CODES as usize) {
        if let Some(code) = codes::normalize(line) {
            let grouped: Vec<String> = code
                .as_bytes()
                .chunks(4)
                .map(|g| String::from_utf8_lossy(g).into_owned())
                .collect();
            text.push_str(&grouped.join("-"));
            text.push_str("\r\n");
        }
    }
    let stem: String = form
        .batch
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        .take(BATCH_MAX_CHARS)
        .collect();
    let name = format!("vip-codes-{stem}.txt");
    let disposition = format!(
        "attachment; filename=\"vip-codes.txt\"; filename*=UTF-8''{}",
        urlencode(&name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        text,
    )
        .into_response())
}
