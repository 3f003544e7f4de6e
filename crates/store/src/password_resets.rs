//! Password resets: one-time links (stored as hashes), new passwords set with every session of
//! the member ended, and members' e-mail addresses (for 忘记密码 by mail). Each change is written
//! with its audit entry in one transaction.

use sqlx::{Any, Transaction};

use crate::audit::record_audit_in;
use crate::error::{is_unique_violation, Context, StoreError};
use crate::{MemberChange, NewAuditEntry, Result, Store};

/// A reset link as stored, with its member's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasswordResetRow {
    pub user_id: i64,
    pub user_name: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub disabled: i64,
}

/// What became of an attempt to use a reset link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetUse {
    /// The password is set, the link used, every session of the member ended.
    Done {
        user_id: i64,
    },
    /// No such link (never issued, or replaced by a newer one).
    Unknown,
    Expired,
    Used,
}

impl Store {
    /// Store a new reset link of member `user_id` (its token's hash), replacing the member's older
    /// link, with `audit` in the same transaction. `Missing` when there is no such member.
    pub async fn issue_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        now: i64,
        expires_at: i64,
        audit: &NewAuditEntry<'_>,
    ) -> Result<MemberChange> {
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await
            .context("reading a user")?;
        if exists == 0 {
            return Ok(MemberChange::Missing);
        }
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .context("voiding a member's older reset link")?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .context("storing a reset link")?;
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a reset link")?;
        Ok(MemberChange::Done)
    }

    /// The reset link behind `token_hash`, if one is stored (used or not, expired or not).
    pub async fn password_reset(&self, token_hash: &str) -> Result<Option<PasswordResetRow>> {
        sqlx::query_as::<Any, PasswordResetRow>(
            "SELECT r.user_id, u.name AS user_name, r.expires_at, r.used_at, u.disabled \
             FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .context("reading a reset link")
    }

    /// Use the reset link behind `token_hash`: when it is live, mark it used, set the password,
    /// end every session of the member and write `audit`, all in one transaction. The link is
    /// taken by one conditional UPDATE, so two submissions of one link cannot both succeed.
    pub async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
        audit: &NewAuditEntry<'_>,
    ) -> Result<ResetUse> {
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query_scalar::<Any, i64>(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .context("taking a reset link")?;
        let Some(user_id) = taken else {
            let row = sqlx::query_as::<Any, (i64, Option<i64>)>(
                "SELECT expires_at, used_at FROM password_resets WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .context("reading a reset link")?;
            return Ok(match row {
                None => ResetUse::Unknown,
                Some((_, Some(_))) => ResetUse::Used,
                Some(_) => ResetUse::Expired,
            });
        };
        set_password_in(&mut tx, user_id, password_hash).await?;
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a password reset")?;
        Ok(ResetUse::Done { user_id })
    }

    /// Set member `user_id`'s password and end all their sessions, with `audit` (the CLI's
    /// `user passwd`). `Missing` when there is no such member.
    pub async fn reset_password(
        &self,
        user_id: i64,
        password_hash: &str,
        now: i64,
        audit: &NewAuditEntry<'_>,
    ) -> Result<MemberChange> {
        let mut tx = self.begin_write().await?;
        if !set_password_in(&mut tx, user_id, password_hash).await? {
            return Ok(MemberChange::Missing);
        }
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a password reset")?;
        Ok(MemberChange::Done)
    }

    /// A member's e-mail address, if they gave one.
    pub async fn user_email(&self, user_id: i64) -> Result<Option<String>> {
        let email =
            sqlx::query_scalar::<Any, Option<String>>("SELECT email FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .context("reading a member's e-mail address")?;
        Ok(email.flatten())
    }

    /// Set (or, with `None`, remove) a member's e-mail address, already normalised by the
    /// caller. An address another account has is [`StoreError::Conflict`].
    pub async fn set_user_email(&self, user_id: i64, email: Option<&str>) -> Result<()> {
        let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user_id)
            .execute(&self.pool)
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(err) if is_unique_violation(&err) => Err(StoreError::Conflict {
                what: "e-mail address",
            }),
            Err(err) => Err(err).context("setting a member's e-mail address"),
        }
    }

    /// The id, name and e-mail address of the enabled account whose name is `name` or whose
    /// address is `email` (normalised by the caller).
    pub async fn user_for_recovery(
        &self,
        name: &str,
        email: &str,
    ) -> Result<Option<(i64, String, Option<String>)>> {
        sqlx::query_as::<Any, (i64, String, Option<String>)>(
            "SELECT id, name, email FROM users WHERE (name = $1 OR email = $2) AND disabled = 0 \
             ORDER BY CASE WHEN name = $1 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(name)
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .context("looking up an account to recover")
    }
}

/// Set a password and end every session of the member; false when there is no such member.
pub(crate) async fn set_password_in(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    password_hash: &str,
) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .context("setting a password")?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .context("ending a member's sessions")?;
    Ok(true)
}
