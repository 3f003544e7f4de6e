//! API tokens of editors' tools: stored as SHA-256 hashes, each with its owner, name and scopes.
//! Making and revoking one is written with its audit entry in one transaction.

use sqlx::Any;

use crate::audit::record_audit_in;
use crate::error::Context;
use crate::{NewAuditEntry, Result, Store};

/// A token as the desk lists it (never its secret: only the hash is stored).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub name: String,
    /// Space-separated scopes (`documents:create documents:update`).
    pub scopes: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The owner of a live token, as a request authenticated by it acts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenOwner {
    pub token_id: i64,
    pub scopes: String,
    pub last_used_at: Option<i64>,
    pub user_id: i64,
    pub user_name: String,
    pub role: String,
    pub vip_until: Option<i64>,
}

const TOKEN_COLUMNS: &str = "t.id, t.user_id, u.name AS user_name, t.name, t.scopes, \
     t.created_at, t.last_used_at, t.revoked_at";

impl Store {
    /// Store a new token of `user_id` (its secret's hash) with `audit`; returns its id.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        scopes: &str,
        now: i64,
        audit: &NewAuditEntry<'_>,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = sqlx::query_scalar::<Any, i64>(
            "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(scopes)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .context("storing an API token")?;
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing an API token")?;
        Ok(id)
    }

    /// Tokens, the newest first: every member's when `user_id` is `None` (admins), else one
    /// member's own.
    pub async fn api_tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiTokenRow>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE (CAST($1 AS BIGINT) IS NULL OR t.user_id = CAST($1 AS BIGINT)) ORDER BY t.id DESC"
        );
        sqlx::query_as::<Any, ApiTokenRow>(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .context("listing API tokens")
    }

    pub async fn api_token(&self, id: i64) -> Result<Option<ApiTokenRow>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.id = $1"
        );
        sqlx::query_as::<Any, ApiTokenRow>(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading an API token")
    }

    /// Revoke token `id` with `audit`; false when it was already revoked (nothing written).
    pub async fn revoke_api_token(
        &self,
        id: i64,
        now: i64,
        audit: &NewAuditEntry<'_>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("revoking an API token")?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit()
            .await
            .context("committing an API token's revocation")?;
        Ok(true)
    }

    /// The owner of the live token behind `token_hash`: not revoked, its owner enabled and still
    /// an editor or admin (a member demoted since keeps no way in through a token).
    pub async fn api_token_owner(&self, token_hash: &str) -> Result<Option<ApiTokenOwner>> {
        sqlx::query_as::<Any, ApiTokenOwner>(
            "SELECT t.id AS token_id, t.scopes, t.last_used_at, u.id AS user_id, \
             u.name AS user_name, u.role, u.vip_until \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0 \
             AND u.role IN ('editor', 'admin')",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .context("reading an API token")
    }

    /// Note that token `id` was used at `now` (shown at the desk).
    pub async fn touch_api_token(&self, id: i64, now: i64) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await
            .context("noting an API token's use")?;
        Ok(())
    }
}
