use sqlx::Any;

use crate::error::Context;
use crate::{Result, Store, UserRow};

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .context("creating a session")?;
        Ok(())
    }

    /// The user of a live session (not expired, user not disabled).
    pub async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<UserRow>> {
        sqlx::query_as::<Any, UserRow>(
            "SELECT u.id, u.name, u.password_hash, u.role, u.disabled, u.created_at, u.vip_until \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .context("reading a session")
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .context("deleting a session")?;
        Ok(())
    }

    /// Remove expired sessions; returns how many went.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .context("deleting expired sessions")?;
        Ok(done.rows_affected())
    }
}
