use sqlx::Any;

use crate::audit::record_audit_in;
use crate::error::Context;
use crate::{NewAuditEntry, Result, Store};

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        sqlx::query_scalar::<Any, String>("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .context("reading a setting")
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await
        .context("writing a setting")?;
        Ok(())
    }

    /// Every stored setting whose key starts with `prefix`, as (key, value).
    pub async fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        sqlx::query_as::<Any, (String, String)>(
            "SELECT key, value FROM settings WHERE substr(key, 1, CAST($1 AS INTEGER)) = $2 ORDER BY key",
        )
        .bind(prefix.chars().count() as i64)
        .bind(prefix)
        .fetch_all(&self.pool)
        .await
        .context("reading settings")
    }

    /// Write several settings and the audit entry of the change in one transaction: a reader
    /// never sees half of an admin's save.
    pub async fn set_settings(
        &self,
        values: &[(String, String)],
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (key, value) in values {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await
            .context("writing a setting")?;
        }
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing settings")?;
        Ok(())
    }
}
