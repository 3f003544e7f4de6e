use sqlx::Any;

use crate::error::{is_unique_violation, Context, StoreError};
use crate::{Result, Store};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: i64,
    pub created_at: i64,
}

const USER_COLUMNS: &str = "id, name, password_hash, role, disabled, created_at";

impl Store {
    /// Create a user; a taken name is [`StoreError::Conflict`].
    pub async fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: &str,
        now: i64,
    ) -> Result<i64> {
        let inserted = sqlx::query_scalar::<Any, i64>(
            "INSERT INTO users (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(password_hash)
        .bind(role)
        .bind(now)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(id) => Ok(id),
            Err(err) if is_unique_violation(&err) => {
                Err(StoreError::Conflict { what: "user name" })
            }
            Err(err) => Err(err).context("creating a user"),
        }
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRow>> {
        sqlx::query_as::<Any, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .context("reading a user")
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>> {
        sqlx::query_as::<Any, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a user")
    }

    pub async fn set_user_password(&self, id: i64, password_hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&self.pool)
            .await
            .context("changing a password")?;
        Ok(())
    }
}
