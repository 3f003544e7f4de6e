//! Uploads through the desk: one or many files, or a zip, imported with the same code as
//! `wenyuan import`, each file's result shown (imported, duplicate of #id, near-duplicate of #id
//! held as 待审, or failed with the reason).
//!
//! The form is multipart; its `csrf` field comes first in the form, and is checked before any
//! file is read. Files are read in chunks with the per-file limit, so an oversized file is
//! refused without being held in memory.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Serialize;
use wenyuan_core::desk::import::{FileOutcome, FileResult, ImportOptions, DEFAULT_MAX_FILE_BYTES};
use wenyuan_core::{Access, Status};

use crate::admin_page::admin_page;
use crate::error::{AppError, AppResult};
use crate::staff::Staff;
use crate::state::AppState;

/// Largest upload request: several files up to the per-file limit each.
pub const UPLOAD_MAX_BYTES: usize = 256 * 1024 * 1024;
/// Files per upload (a zip counts as one; its entries have their own limit).
const MAX_FILES: usize = 200;

#[derive(Serialize, Default)]
struct UploadContent {
    categories: Vec<String>,
    /// Results of the upload just made; empty on the blank form.
    results: Vec<ResultLine>,
    summary: Option<Summary>,
    error: Option<String>,
    form: UploadForm,
    max_file_mb: u64,
}

#[derive(Serialize, Clone)]
pub(crate) struct UploadForm {
    pub(crate) category: String,
    pub(crate) access: String,
    pub(crate) status: String,
    /// 模板化 on import: apply every proposed replacement.
    pub(crate) anonymize: bool,
}

impl Default for UploadForm {
    fn default() -> Self {
        UploadForm {
            category: String::new(),
            access: "public".to_owned(),
            // Uploads arrive as drafts: an editor looks before readers do.
            status: Status::Draft.as_str().to_owned(),
            anonymize: false,
        }
    }
}

/// How many documents of an upload went each way.
#[derive(Serialize, Default, utoipa::ToSchema)]
pub(crate) struct Summary {
    pub(crate) imported: usize,
    pub(crate) duplicates: usize,
    pub(crate) near_duplicates: usize,
    pub(crate) failed: usize,
}

impl Summary {
    /// Count `line` in.
    pub(crate) fn add(&mut self, line: &ResultLine) {
        match line.kind {
            "imported" => self.imported += 1,
            "duplicate" => self.duplicates += 1,
            "near-duplicate" => self.near_duplicates += 1,
            _ => self.failed += 1,
        }
    }

    /// The audit log's line for it.
    pub(crate) fn detail(&self) -> String {
        format!(
            "导入 {}，重复 {}，近似重复 {}，失败 {}",
            self.imported, self.duplicates, self.near_duplicates, self.failed
        )
    }
}

/// One document's result of an upload (the desk's form and `POST /api/v1/documents`).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ResultLine {
    /// The file (and line of a `.jsonl`, entry of a `.zip`) the document came from.
    place: String,
    /// imported | duplicate | near-duplicate | failed
    #[schema(value_type = String, example = "imported")]
    kind: &'static str,
    /// The new document (imported, near-duplicate held as 待审).
    id: Option<i64>,
    /// The existing document it duplicates.
    of: Option<i64>,
    /// Similarity of a near-duplicate, as a percentage.
    similarity: Option<String>,
    /// Why it failed.
    reason: Option<String>,
}

impl ResultLine {
    /// The document the upload stored, if it stored one.
    pub(crate) fn stored(&self) -> Option<i64> {
        self.id
    }
}

impl From<FileResult> for ResultLine {
    fn from(result: FileResult) -> Self {
        let mut line = ResultLine {
            place: result.place,
            kind: "failed",
            id: None,
            of: None,
            similarity: None,
            reason: None,
        };
        match result.outcome {
            FileOutcome::Imported { id } => {
                line.kind = "imported";
                line.id = Some(id);
            }
            FileOutcome::Duplicate { of } => {
                line.kind = "duplicate";
                line.of = Some(of);
            }
            FileOutcome::NearDuplicate {
                id, of, similarity, ..
            } => {
                line.kind = "near-duplicate";
                line.id = Some(id);
                line.of = Some(of);
                line.similarity = Some(format!("{:.0}%", similarity * 100.0));
            }
            FileOutcome::Failed { reason } => line.reason = Some(reason),
        }
        line
    }
}

async fn category_names(state: &AppState) -> AppResult<Vec<String>> {
    Ok(state
        .services
        .reading
        .categories()
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect())
}

pub(super) async fn form(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    let content = UploadContent {
        categories: category_names(&state).await?,
        max_file_mb: DEFAULT_MAX_FILE_BYTES / (1024 * 1024),
        ..UploadContent::default()
    };
    upload_page(&state, &staff, content).await
}

/// One file of the form, read under the per-file limit.
struct UploadedFile {
    name: String,
    bytes: Result<Vec<u8>, String>,
}

pub(super) async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    // Not a multipart form at all: it cannot carry a valid token either.
    let Ok(mut multipart) = multipart else {
        staff.viewer.check_csrf("")?;
        return Err(AppError::bad_request("上传需要 multipart/form-data 表单"));
    };
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("上传没有完成：{}", e.body_text()))
    };
    // The token must come first: nothing of a forged request is stored or parsed.
    let first = multipart.next_field().await.map_err(bad)?;
    let token = match first {
        Some(field) if field.name() == Some("csrf") => field.text().await.map_err(bad)?,
        _ => String::new(),
    };
    if let Err(refused) = staff.viewer.check_csrf(&token) {
        // Read the rest away (nothing is kept) so the browser gets the 403 page, not a reset
        // connection; the route's body limit bounds what this costs.
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
        return Err(refused);
    }

    let mut form = UploadForm::default();
    let mut files = Vec::new();
    let limit = DEFAULT_MAX_FILE_BYTES;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "files" => {
                let file_name = field.file_name().unwrap_or_default().trim().to_owned();
                if file_name.is_empty() {
                    // An empty file input sends one nameless, empty part.
                    continue;
                }
                if files.len() >= MAX_FILES {
                    return Err(AppError::bad_request(format!(
                        "一次最多上传 {MAX_FILES} 个文件；多的请打包成 zip"
                    )));
                }
                let bytes = read_file_field(&mut field, limit).await.map_err(bad)?;
                files.push(UploadedFile {
                    name: file_name,
                    bytes,
                });
            }
            "anonymize" => {
                form.anonymize = !field.text().await.map_err(bad)?.trim().is_empty();
            }
            "category" | "access" | "status" => {
                let value = field.text().await.map_err(bad)?.trim().to_owned();
                match name.as_str() {
                    "category" => form.category = value,
                    "access" => form.access = value,
                    _ => form.status = value,
                }
            }
            _ => {}
        }
    }

    let mut content = UploadContent {
        categories: category_names(&state).await?,
        max_file_mb: limit / (1024 * 1024),
        form: form.clone(),
        ..UploadContent::default()
    };
    let options = match upload_options(&form, limit) {
        Ok(mut options) => {
            if form.anonymize {
                options.anonymize = Some(state.services.desk.import.import_anonymizer().await?);
            }
            options
        }
        Err(message) => {
            content.error = Some(message);
            return upload_page(&state, &staff, content).await;
        }
    };
    if files.is_empty() {
        content.error = Some("请选择要上传的文件".to_owned());
        return upload_page(&state, &staff, content).await;
    }
    let mut summary = Summary::default();
    for file in files {
        let results = match file.bytes {
            Ok(bytes) => {
                state
                    .services
                    .desk
                    .import
                    .import_upload(&file.name, &bytes, &options)
                    .await?
            }
            Err(reason) => vec![FileResult {
                place: file.name,
                outcome: FileOutcome::Failed { reason },
            }],
        };
        for result in results {
            let line = ResultLine::from(result);
            summary.add(&line);
            content.results.push(line);
        }
    }
    let detail = summary.detail();
    state
        .services
        .audit
        .record(&staff.member, "upload", "", &detail)
        .await?;
    content.summary = Some(summary);
    upload_page(&state, &staff, content).await
}

/// A file field of a multipart form, read in chunks: its bytes, or the reason it is refused when
/// it is larger than `limit` (read away, not held).
pub(crate) async fn read_file_field(
    field: &mut axum::extract::multipart::Field<'_>,
    limit: u64,
) -> Result<Result<Vec<u8>, String>, axum::extract::multipart::MultipartError> {
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = field.chunk().await? {
        if too_large {
            continue;
        }
        if (bytes.len() + chunk.len()) as u64 > limit {
            too_large = true;
            bytes = Vec::new();
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok(if too_large {
        Err(format!("文件太大（上限 {} MB）", limit / (1024 * 1024)))
    } else {
        Ok(bytes)
    })
}

/// The import options of an upload's form fields; the message says what is wrong with them.
pub(crate) fn upload_options(form: &UploadForm, limit: u64) -> Result<ImportOptions, String> {
    let access = form.access.parse::<Access>().map_err(|_| {
        format!(
            "未知的阅读权限 {:?}：只能是 public、member 或 vip",
            form.access
        )
    })?;
    let status = form
        .status
        .parse::<Status>()
        .map_err(|_| format!("未知的状态 {:?}", form.status))?;
    if form.category.chars().count() > 32 {
        return Err("分类名称太长（最多 32 个字）".to_owned());
    }
    Ok(ImportOptions {
        category: Some(form.category.clone()).filter(|c| !c.is_empty()),
        access,
        status,
        max_file_bytes: limit,
        ..ImportOptions::default()
    })
}

async fn upload_page(
    state: &AppState,
    staff: &Staff,
    content: UploadContent,
) -> AppResult<Response> {
    admin_page(
        state,
        staff,
        "admin_upload.html",
        "upload",
        "/admin/upload",
        content,
    )
    .await
}
