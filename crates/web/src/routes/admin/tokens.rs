//! `/admin/tokens` (editors and admins): API tokens for editors' tools. A token is made here,
//! its secret shown once on the page that answers the form (never cached), and revoked here.
//! Editors see and revoke their own tokens; admins see and revoke everyone's.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use wenyuan_core::accounts::{ApiScope, ApiTokenInfo, NewApiToken};
use wenyuan_core::CoreError;

use crate::admin_page::{admin_page, form_answer};
use crate::error::AppResult;
use crate::extract::parse_id;
use crate::pages::see_other;
use crate::staff::{Staff, StaffForm};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", get(list).post(create))
        .route("/admin/tokens/{id}/revoke", post(revoke))
}

/// The form: a name and one checkbox per scope (a checked box sends its name).
#[derive(Debug, Deserialize, Serialize, Default)]
struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope_create: Option<String>,
    #[serde(default)]
    scope_update: Option<String>,
    #[serde(default)]
    scope_delete: Option<String>,
}

impl CreateForm {
    fn scopes(&self) -> Vec<ApiScope> {
        [
            (&self.scope_create, ApiScope::CreateDocuments),
            (&self.scope_update, ApiScope::UpdateDocuments),
            (&self.scope_delete, ApiScope::DeleteDocuments),
        ]
        .into_iter()
        .filter(|(checked, _)| checked.is_some())
        .map(|(_, scope)| scope)
        .collect()
    }
}

#[derive(Serialize)]
struct TokensContent<'a> {
    tokens: Vec<ApiTokenInfo>,
    /// The token just made: its secret, shown this once.
    made: Option<MadeToken>,
    form: &'a CreateForm,
    error: Option<String>,
}

#[derive(Serialize)]
struct MadeToken {
    id: i64,
    secret: String,
}

impl From<NewApiToken> for MadeToken {
    fn from(token: NewApiToken) -> Self {
        MadeToken {
            id: token.id,
            secret: token.secret,
        }
    }
}

async fn list(State(state): State<AppState>, staff: Staff) -> AppResult<Response> {
    let form = CreateForm {
        scope_create: Some("on".to_owned()),
        ..CreateForm::default()
    };
    render(&state, &staff, &form, None, None).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    form: &CreateForm,
    made: Option<MadeToken>,
    error: Option<String>,
) -> AppResult<Response> {
    let has_secret = made.is_some();
    let refused = error.is_some();
    let content = TokensContent {
        tokens: state.services.api_tokens.list(&staff.member).await?,
        made,
        form,
        error,
    };
    form_answer(
        admin_page(
            state,
            staff,
            "admin_tokens.html",
            "tokens",
            "/admin/tokens",
            content,
        )
        .await,
        refused,
        has_secret,
    )
}

async fn create(
    State(state): State<AppState>,
    StaffForm { staff, form }: StaffForm<CreateForm>,
) -> AppResult<Response> {
    match state
        .services
        .api_tokens
        .create(&staff.member, &form.name, &form.scopes())
        .await
    {
        Ok(token) => render(&state, &staff, &form, Some(token.into()), None).await,
        Err(err @ CoreError::Invalid(_)) => {
            render(&state, &staff, &form, None, Some(err.to_string())).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
struct RevokeForm {}

async fn revoke(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    StaffForm { staff, .. }: StaffForm<RevokeForm>,
) -> AppResult<Response> {
    let id = parse_id(&raw_id)?;
    state.services.api_tokens.revoke(&staff.member, id).await?;
    Ok(see_other("/admin/tokens"))
}
