//! The audit log of the editorial desk: who changed what, and when.

use sqlx::{Any, Transaction};

use crate::error::Context;
use crate::{Result, Store};

/// One change to record. `target` is `kind:id` (`article:12`), or empty for site-wide changes.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub user_id: Option<i64>,
    pub user_name: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub user_name: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (at, user_id, user_name, action, target, detail) \
     VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    /// Record a change on its own (for changes that are not themselves one transaction).
    pub async fn record_audit(&self, entry: &NewAuditEntry<'_>, now: i64) -> Result<()> {
        bind_entry(sqlx::query(INSERT_AUDIT), entry, now)
            .execute(&self.pool)
            .await
            .context("writing the audit log")?;
        Ok(())
    }

    /// The log, newest first; `target` narrows it to one thing (`article:12`).
    pub async fn audit_entries(
        &self,
        target: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditRow>> {
        let query = match target {
            Some(target) => sqlx::query_as::<Any, AuditRow>(
                "SELECT id, at, user_id, user_name, action, target, detail FROM audit_log \
                 WHERE target = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
            )
            .bind(target.to_owned()),
            None => sqlx::query_as::<Any, AuditRow>(
                "SELECT id, at, user_id, user_name, action, target, detail FROM audit_log \
                 ORDER BY id DESC LIMIT $1 OFFSET $2",
            ),
        };
        query
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
            .context("reading the audit log")
    }

    pub async fn count_audit_entries(&self, target: Option<&str>) -> Result<i64> {
        let query = match target {
            Some(target) => {
                sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM audit_log WHERE target = $1")
                    .bind(target.to_owned())
            }
            None => sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM audit_log"),
        };
        query
            .fetch_one(&self.pool)
            .await
            .context("counting the audit log")
    }
}

/// Record a change inside the transaction that makes it, so the log and the change land together.
/// Store functions behind admin actions take a [`NewAuditEntry`] and call this.
pub(crate) async fn record_audit_in(
    tx: &mut Transaction<'static, Any>,
    entry: &NewAuditEntry<'_>,
    now: i64,
) -> Result<()> {
    bind_entry(sqlx::query(INSERT_AUDIT), entry, now)
        .execute(&mut **tx)
        .await
        .context("writing the audit log")?;
    Ok(())
}

fn bind_entry<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    entry: &NewAuditEntry<'_>,
    now: i64,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(now)
        .bind(entry.user_id)
        .bind(entry.user_name.to_owned())
        .bind(entry.action.to_owned())
        .bind(entry.target.to_owned())
        .bind(entry.detail.to_owned())
}
