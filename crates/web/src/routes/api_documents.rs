//! `/api/v1/documents`: editors' tools add, read, change and take off documents with an API
//! token ([`ApiToken`]), never a cookie. Each route goes through the desk's own code, so the
//! rules, results and audit entries are the desk's: a new document takes the upload path (`POST`
//! with JSON is one `.jsonl` record, with multipart a file or several), a change takes the edit
//! form's validation, and `DELETE` takes the document off the site as the desk's 隐藏 does (it is
//! kept, and an editor can publish it again).

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wenyuan_core::accounts::ApiScope;
use wenyuan_core::desk::import::{FileOutcome, FileResult, ImportOptions, DEFAULT_MAX_FILE_BYTES};
use wenyuan_core::desk::{split_tags, DocumentForm};
use wenyuan_core::Status;

use crate::api_token::ApiToken;
use crate::error::{ApiError, AppError};
use crate::extract::parse_id;
use crate::openapi::ErrorBody;
use crate::routes::admin::upload::{
    read_file_field, upload_options, ResultLine, Summary, UploadForm, UPLOAD_MAX_BYTES,
};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_documents))
        .routes(routes!(get_document, update_document, delete_document))
        .layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES))
}

/// The name a JSON document is imported under: its results name it so.
const JSON_PLACE: &str = "请求正文.jsonl";
/// Files one multipart request may carry (a zip counts as one), as the desk's upload.
const MAX_FILES: usize = 200;

/// A new document as JSON: the fields of one `.jsonl` record of `wenyuan import`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewDocument {
    title: String,
    /// Paragraphs separated by `\n`.
    body: String,
    /// `YYYY-MM-DD`; without it the text's own date line, else today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    /// A category's name; made when it does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    /// public, member or vip (default public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access: Option<String>,
    /// draft, pending, published or hidden (default draft: an editor looks first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    /// Views counted elsewhere before (a migration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    views: Option<i64>,
    /// Where it came from (shown to editors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

/// The fields of a multipart `POST` (as the desk's upload form has them).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct UploadFields {
    /// One or more files: .docx, .doc, .pdf, .html, .txt, .md, .jsonl or .zip.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
    /// A category's name for every document (made when it does not exist).
    category: Option<String>,
    /// public (default), member or vip.
    access: Option<String>,
    /// draft (default), pending, published or hidden.
    status: Option<String>,
}

/// What a `POST` did: one line per document (a `.zip` or `.jsonl` file holds many).
#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedDocuments {
    #[serde(flatten)]
    summary: Summary,
    results: Vec<ResultLine>,
}

/// A document as the desk's edit form holds it: all of its text, whatever the gate, since only
/// an editor's token reads it.
#[derive(Serialize, ToSchema)]
pub(crate) struct DocumentJson {
    id: i64,
    title: String,
    /// Paragraphs separated by `\n`.
    body: String,
    date: String,
    category: Option<String>,
    tags: Vec<String>,
    /// draft, pending, published or hidden.
    status: String,
    /// public, member or vip.
    access: String,
    /// Its page (readers see it once it is published).
    url: String,
}

impl DocumentJson {
    fn new(id: i64, form: DocumentForm) -> Self {
        DocumentJson {
            id,
            title: form.title,
            body: form.body,
            date: form.date,
            category: Some(form.category).filter(|c| !c.is_empty()),
            tags: split_tags(&form.tags),
            status: form.status,
            access: form.access,
            url: format!("/a/{id}"),
        }
    }
}

/// A change: only the fields given are changed, with the desk's edit form's rules.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocumentPatch {
    title: Option<String>,
    /// Paragraphs separated by `\n`.
    body: Option<String>,
    /// `YYYY-MM-DD`.
    date: Option<String>,
    /// A category's name (made when it does not exist); `""` for none.
    category: Option<String>,
    /// The whole new list of tags.
    tags: Option<Vec<String>>,
    /// public, member or vip.
    access: Option<String>,
    /// draft, pending, published or hidden.
    status: Option<String>,
}

impl DocumentPatch {
    fn apply(self, form: &mut DocumentForm) {
        let set = |field: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *field = value;
            }
        };
        set(&mut form.title, self.title);
        if let Some(body) = self.body {
            form.body = body;
            form.format = "plain".to_owned();
        }
        set(&mut form.date, self.date);
        if let Some(category) = self.category {
            // `new_category` makes the category when it does not exist yet.
            form.category = String::new();
            form.new_category = category;
        }
        set(&mut form.tags, self.tags.map(|tags| tags.join("，")));
        set(&mut form.access, self.access);
        set(&mut form.status, self.status);
    }
}

/// A JSON body, or a 400 in the API's shape saying what is wrong with it (axum's own rejection
/// is English text).
struct JsonBody<T>(T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(ApiError(json_refusal(&rejection))),
        }
    }
}

fn json_refusal(rejection: &JsonRejection) -> AppError {
    let message = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "请求正文应为 JSON（Content-Type: application/json）".to_owned()
        }
        JsonRejection::JsonSyntaxError(_) => "请求正文不是有效的 JSON".to_owned(),
        JsonRejection::JsonDataError(e) => format!(
            "请求正文的字段不对（未知字段、缺少 title/body 或类型不符）：{}",
            e.body_text()
                .rsplit(": ")
                .next()
                .unwrap_or_default()
                .chars()
                .take(120)
                .collect::<String>()
        ),
        JsonRejection::BytesRejection(_) => "请求正文没有读完或太大".to_owned(),
        _ => "请求正文无法读取".to_owned(),
    };
    if matches!(rejection, JsonRejection::JsonDataError(_)) {
        AppError::Client(StatusCode::UNPROCESSABLE_ENTITY, message)
    } else {
        AppError::bad_request(message)
    }
}

/// Add documents: a JSON document, or files as multipart (`file` fields, and optional `category`,
/// `access`, `status` fields as the desk's upload form has). 201 when a document was stored
/// (imported, or held as 待审 beside a near-duplicate), 200 when all were duplicates, 422 when
/// none could be read.
#[utoipa::path(
    post,
    path = "/documents",
    tag = "documents",
    security(("bearer" = [])),
    request_body(
        description = "A document as JSON, or files as a multipart form",
        content(
            (NewDocument = "application/json"),
            (UploadFields = "multipart/form-data")
        )
    ),
    responses(
        (status = 201, description = "Stored", body = CreatedDocuments),
        (status = 200, description = "Nothing new: duplicates of stored documents", body = CreatedDocuments),
        (status = 401, description = "No token, or a revoked one", body = ErrorBody),
        (status = 403, description = "The token lacks documents:create", body = ErrorBody),
        (status = 422, description = "Nothing could be read", body = CreatedDocuments),
    )
)]
async fn create_documents(
    State(state): State<AppState>,
    ApiToken(caller): ApiToken,
    request: Request,
) -> Result<Response, ApiError> {
    caller.require(ApiScope::CreateDocuments)?;
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
    let results = if is_multipart {
        let multipart = Multipart::from_request(request, &state).await;
        import_files(&state, multipart).await?
    } else {
        let JsonBody(document) = JsonBody::<NewDocument>::from_request(request, &state).await?;
        import_json(&state, &document).await?
    };
    let mut summary = Summary::default();
    let results: Vec<ResultLine> = results.into_iter().map(ResultLine::from).collect();
    for line in &results {
        summary.add(line);
    }
    let detail = format!("接口令牌 #{}：{}", caller.token_id, summary.detail());
    state
        .services
        .audit
        .record(&caller.member, "api.create", "", &detail)
        .await?;
    let status = if results.iter().any(|line| line.stored().is_some()) {
        StatusCode::CREATED
    } else if summary.failed == results.len() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let location = match results.as_slice() {
        [only] => only.stored().map(|id| format!("/api/v1/documents/{id}")),
        _ => None,
    };
    let mut response = (status, Json(CreatedDocuments { summary, results })).into_response();
    if let Some(location) = location.and_then(|l| l.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The upload options every API import starts from: the desk upload's defaults (draft).
fn default_options() -> Result<ImportOptions, ApiError> {
    upload_options(&UploadForm::default(), DEFAULT_MAX_FILE_BYTES)
        .map_err(|m| ApiError(AppError::bad_request(m)))
}

async fn import_json(
    state: &AppState,
    document: &NewDocument,
) -> Result<Vec<FileResult>, ApiError> {
    let line = serde_json::to_vec(document)
        .map_err(|e| ApiError(AppError::Internal(format!("writing a JSON record: {e}"))))?;
    Ok(state
        .services
        .desk
        .import
        .import_upload(JSON_PLACE, &line, &default_options()?)
        .await?)
}

async fn import_files(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<FileResult>, ApiError> {
    let mut multipart =
        multipart.map_err(|_| ApiError(AppError::bad_request("multipart 表单无法读取")))?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError(AppError::bad_request(format!(
            "上传没有完成：{}",
            e.body_text()
        )))
    };
    let mut form = UploadForm::default();
    let mut files = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "file" | "files" => {
                let name = field.file_name().unwrap_or_default().trim().to_owned();
                if name.is_empty() {
                    continue;
                }
                if files.len() >= MAX_FILES {
                    return Err(ApiError(AppError::bad_request(format!(
                        "一次最多上传 {MAX_FILES} 个文件；多的请打包成 zip"
                    ))));
                }
                let bytes = read_file_field(&mut field, DEFAULT_MAX_FILE_BYTES)
                    .await
                    .map_err(bad)?;
                files.push((name, bytes));
            }
            "category" => form.category = field.text().await.map_err(bad)?.trim().to_owned(),
            "access" => form.access = field.text().await.map_err(bad)?.trim().to_owned(),
            "status" => form.status = field.text().await.map_err(bad)?.trim().to_owned(),
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(ApiError(AppError::bad_request(
            "没有文件：multipart 表单的 file 字段为空",
        )));
    }
    let options = upload_options(&form, DEFAULT_MAX_FILE_BYTES)
        .map_err(|m| ApiError(AppError::Client(StatusCode::UNPROCESSABLE_ENTITY, m)))?;
    let mut results = Vec::new();
    for (name, bytes) in files {
        match bytes {
            Ok(bytes) => results.extend(
                state
                    .services
                    .desk
                    .import
                    .import_upload(&name, &bytes, &options)
                    .await?,
            ),
            Err(reason) => results.push(FileResult {
                place: name,
                outcome: FileOutcome::Failed { reason },
            }),
        }
    }
    Ok(results)
}

async fn document_json(state: &AppState, id: i64) -> Result<DocumentJson, ApiError> {
    let form = state.services.desk.documents.document_form(id).await?;
    Ok(DocumentJson::new(id, form))
}

/// One document as the desk holds it, whatever its status.
#[utoipa::path(
    get,
    path = "/documents/{id}",
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 200, body = DocumentJson),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The token lacks documents:update", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
async fn get_document(
    State(state): State<AppState>,
    ApiToken(caller): ApiToken,
    Path(raw_id): Path<String>,
) -> Result<Json<DocumentJson>, ApiError> {
    caller.require(ApiScope::UpdateDocuments)?;
    let id = parse_id(&raw_id)?;
    Ok(Json(document_json(&state, id).await?))
}

/// Change the fields given, with the desk's rules (422 says what is wrong with each field); the
/// change is audited as the token's owner's.
#[utoipa::path(
    patch,
    path = "/documents/{id}",
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The document's id")),
    request_body = DocumentPatch,
    responses(
        (status = 200, description = "Changed", body = DocumentJson),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The token lacks documents:update", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The same text as another document", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
    )
)]
async fn update_document(
    State(state): State<AppState>,
    ApiToken(caller): ApiToken,
    Path(raw_id): Path<String>,
    JsonBody(patch): JsonBody<DocumentPatch>,
) -> Result<Json<DocumentJson>, ApiError> {
    caller.require(ApiScope::UpdateDocuments)?;
    let id = parse_id(&raw_id)?;
    let documents = &state.services.desk.documents;
    let mut form = documents.document_form(id).await?;
    patch.apply(&mut form);
    documents.update_document(&caller.member, id, &form).await?;
    Ok(Json(document_json(&state, id).await?))
}

/// Take the document off the site (status hidden), as the desk's 隐藏 does: it is kept, and
/// an editor can publish it again. Audited.
#[utoipa::path(
    delete,
    path = "/documents/{id}",
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 200, description = "Hidden", body = DocumentJson),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The token lacks documents:delete", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
async fn delete_document(
    State(state): State<AppState>,
    ApiToken(caller): ApiToken,
    Path(raw_id): Path<String>,
) -> Result<Json<DocumentJson>, ApiError> {
    caller.require(ApiScope::DeleteDocuments)?;
    let id = parse_id(&raw_id)?;
    state
        .services
        .desk
        .documents
        .set_document_status(&caller.member, id, Status::Hidden)
        .await?;
    Ok(Json(document_json(&state, id).await?))
}
