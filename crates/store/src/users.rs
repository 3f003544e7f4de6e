use sqlx::{Any, Transaction};

use crate::audit::record_audit_in;
use crate::error::{is_unique_violation, Context, StoreError};
use crate::listing::{fetch_page, like_escape, Bind, Filter};
use crate::{Backend, NewAuditEntry, Result, Store};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: i64,
    pub created_at: i64,
    /// End of a granted or redeemed VIP (unix seconds); `None` when never granted.
    pub vip_until: Option<i64>,
}

const USER_COLUMNS: &str = "id, name, password_hash, role, disabled, created_at, vip_until";

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

/// Which members a list shows: a name fragment and a role, both optional.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Part of the name (matched anywhere, case-sensitively on PostgreSQL).
    pub name: Option<String>,
    pub role: Option<String>,
}

/// Why a change to a member was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    /// No such member.
    Missing,
    /// It would leave the site without an enabled admin.
    LastAdmin,
}

impl UserFilter {
    /// The conditions and their values, numbered from `$1`.
    fn conditions(&self) -> Filter {
        let mut conditions = Filter::default();
        if let Some(name) = &self.name {
            conditions.push(
                "LOWER(name) LIKE LOWER(?) ESCAPE '\\'",
                Bind::Text(format!("%{}%", like_escape(name))),
            );
        }
        if let Some(role) = &self.role {
            conditions.push("role = ?", Bind::Text(role.clone()));
        }
        conditions
    }
}

impl Store {
    /// Members matching `filter`, oldest account first, and how many match in all.
    pub async fn users(
        &self,
        filter: &UserFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<UserRow>, i64)> {
        let conditions = filter.conditions();
        let clause = conditions.where_clause();
        let list = format!(
            "SELECT {USER_COLUMNS} FROM users {clause} ORDER BY id {}",
            conditions.limit_offset()
        );
        let count = format!("SELECT COUNT(*) FROM users {clause}");
        fetch_page(
            &self.pool,
            &list,
            &count,
            &conditions,
            (limit, offset),
            "listing users",
        )
        .await
    }

    /// Give a member a role, recording who did it. Refused when it would leave no enabled admin;
    /// the check and the change are one transaction, so two admins demoting each other at once
    /// cannot both succeed.
    pub async fn set_user_role(
        &self,
        id: i64,
        role: &str,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<MemberChange> {
        let mut tx = self.begin_write().await?;
        if let Some(refused) = refusal(&mut tx, self.backend(), id, role != "admin").await? {
            return Ok(refused);
        }
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role)
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("changing a user's role")?;
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a role change")?;
        Ok(MemberChange::Done)
    }

    /// Disable or enable an account, recording who did it. Disabling ends the member's sessions
    /// in the same transaction, so they are logged out at once. Refused when it would leave no
    /// enabled admin.
    pub async fn set_user_disabled(
        &self,
        id: i64,
        disabled: bool,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<MemberChange> {
        let mut tx = self.begin_write().await?;
        if let Some(refused) = refusal(&mut tx, self.backend(), id, disabled).await? {
            return Ok(refused);
        }
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("disabling or enabling a user")?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("ending a disabled user's sessions")?;
        }
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing an account change")?;
        Ok(MemberChange::Done)
    }

    /// Accounts created per site-local day since `since` (unix seconds), as (day, count), with
    /// `offset_seconds` the site's offset from UTC. Days without sign-ups are absent.
    pub async fn signups_per_day(
        &self,
        since: i64,
        offset_seconds: i64,
    ) -> Result<Vec<(i64, i64)>> {
        // The day number (days since 1970-01-01, site-local) is integer arithmetic, the same on
        // both backends; the caller turns it into a date.
        sqlx::query_as::<Any, (i64, i64)>(
            "SELECT (created_at + $1) / 86400 AS day, COUNT(*) FROM users \
             WHERE created_at >= $2 GROUP BY 1 ORDER BY 1",
        )
        .bind(offset_seconds)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .context("counting sign-ups per day")
    }
}

/// Why a change to user `id` may not go ahead, if it may not: the user is missing, or the change
/// (`demotes`: it takes away admin rights or the account) would leave no enabled admin.
pub(crate) async fn refusal(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    id: i64,
    demotes: bool,
) -> Result<Option<MemberChange>> {
    if demotes && backend == Backend::Postgres {
        // Lock the admins' rows first: two admins demoting each other at once then take turns,
        // and the second sees the first's change. (SQLite's write transaction is exclusive.)
        sqlx::query("SELECT id FROM users WHERE role = 'admin' AND disabled = 0 FOR UPDATE")
            .execute(&mut **tx)
            .await
            .context("locking the admins")?;
    }
    let user =
        sqlx::query_as::<Any, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .context("reading a user")?;
    let Some(user) = user else {
        return Ok(Some(MemberChange::Missing));
    };
    if !(demotes && user.role == "admin" && user.disabled == 0) {
        return Ok(None);
    }
    let others = sqlx::query_scalar::<Any, i64>(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await
    .context("counting enabled admins")?;
    Ok((others == 0).then_some(MemberChange::LastAdmin))
}
