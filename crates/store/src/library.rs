//! A member's own library: 我的收藏, 阅读历史, 下载记录 (read only here: the download route
//! writes them), and what leaves with the account when a member deletes it.

use sqlx::Any;

use crate::audit::record_audit_in;
use crate::error::Context;
use crate::password_resets::set_password_in;
use crate::users::refusal;
use crate::{MemberChange, NewAuditEntry, Result, Store};

/// Readings kept per member; older ones are trimmed when new ones are written.
pub const HISTORY_KEPT: i64 = 200;

/// What stands in for a deleted member's name in the audit log.
pub const DELETED_MEMBER_NAME: &str = "已注销会员";

/// One document in a member's list, with the time it was favourited, read or downloaded.
/// `status` is the document's, so callers can leave out (or mark) what readers may no longer see.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LibraryRow {
    pub article_id: i64,
    pub title: String,
    pub status: String,
    pub at: i64,
}

/// One download of a member.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DownloadRow {
    pub article_id: i64,
    pub title: String,
    pub status: String,
    pub format: String,
    pub at: i64,
}

/// What [`Store::add_favorite`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FavoriteAdded {
    Added,
    /// It was a favourite already (its time is left as it was).
    Already,
    /// The member holds `cap` favourites already.
    Full,
}

impl Store {
    /// Favourite a document, unless the member holds `cap` favourites already. The count and the
    /// insert are one transaction, so two quick clicks cannot pass the cap together.
    pub async fn add_favorite(
        &self,
        user_id: i64,
        article_id: i64,
        now: i64,
        cap: i64,
    ) -> Result<FavoriteAdded> {
        let mut tx = self.begin_write().await?;
        let held =
            sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM favorites WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await
                .context("counting a member's favourites")?;
        if held >= cap {
            let already = sqlx::query_scalar::<Any, i64>(
                "SELECT COUNT(*) FROM favorites WHERE user_id = $1 AND article_id = $2",
            )
            .bind(user_id)
            .bind(article_id)
            .fetch_one(&mut *tx)
            .await
            .context("reading a favourite")?;
            return Ok(if already > 0 {
                FavoriteAdded::Already
            } else {
                FavoriteAdded::Full
            });
        }
        let done = sqlx::query(
            "INSERT INTO favorites (user_id, article_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, article_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(article_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("adding a favourite")?;
        tx.commit().await.context("committing a favourite")?;
        Ok(if done.rows_affected() > 0 {
            FavoriteAdded::Added
        } else {
            FavoriteAdded::Already
        })
    }

    /// Remove a favourite; whether there was one.
    pub async fn remove_favorite(&self, user_id: i64, article_id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM favorites WHERE user_id = $1 AND article_id = $2")
            .bind(user_id)
            .bind(article_id)
            .execute(&self.pool)
            .await
            .context("removing a favourite")?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn is_favorite(&self, user_id: i64, article_id: i64) -> Result<bool> {
        let n = sqlx::query_scalar::<Any, i64>(
            "SELECT COUNT(*) FROM favorites WHERE user_id = $1 AND article_id = $2",
        )
        .bind(user_id)
        .bind(article_id)
        .fetch_one(&self.pool)
        .await
        .context("reading a favourite")?;
        Ok(n > 0)
    }

    /// A member's favourites, the latest first, at most `limit`.
    pub async fn favorites(&self, user_id: i64, limit: i64) -> Result<Vec<LibraryRow>> {
        sqlx::query_as::<Any, LibraryRow>(
            "SELECT f.article_id, a.title, a.status, f.created_at AS at \
             FROM favorites f JOIN articles a ON a.id = f.article_id \
             WHERE f.user_id = $1 ORDER BY f.created_at DESC, f.article_id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("listing a member's favourites")
    }

    /// Write reads: `(user_id, article_id, read_at)`, in one transaction. A document read before
    /// moves forward (never back: batches may arrive out of order from several nodes); reads of
    /// documents or members deleted meanwhile are dropped. Each member's history is then trimmed
    /// to the last [`HISTORY_KEPT`].
    pub async fn record_reads(&self, batch: &[(i64, i64, i64)]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for (user_id, article_id, read_at) in batch {
            // INSERT … SELECT, so a row whose member or document is gone is no row at all
            // (instead of a foreign-key error that would fail the whole batch).
            sqlx::query(
                "INSERT INTO reading_history (user_id, article_id, read_at) \
                 SELECT u.id, a.id, $3 FROM users u, articles a WHERE u.id = $1 AND a.id = $2 \
                 ON CONFLICT (user_id, article_id) DO UPDATE SET read_at = excluded.read_at \
                 WHERE excluded.read_at > reading_history.read_at",
            )
            .bind(user_id)
            .bind(article_id)
            .bind(read_at)
            .execute(&mut *tx)
            .await
            .context("recording a read")?;
        }
        let mut members: Vec<i64> = batch.iter().map(|(user, _, _)| *user).collect();
        members.sort_unstable();
        members.dedup();
        for user_id in members {
            sqlx::query(
                "DELETE FROM reading_history WHERE user_id = $1 AND article_id NOT IN \
                 (SELECT article_id FROM reading_history WHERE user_id = $1 \
                  ORDER BY read_at DESC, article_id DESC LIMIT $2)",
            )
            .bind(user_id)
            .bind(HISTORY_KEPT)
            .execute(&mut *tx)
            .await
            .context("trimming a reading history")?;
        }
        tx.commit().await.context("committing reads")?;
        Ok(())
    }

    /// A member's reading history, the latest read first.
    pub async fn reading_history(&self, user_id: i64, limit: i64) -> Result<Vec<LibraryRow>> {
        sqlx::query_as::<Any, LibraryRow>(
            "SELECT h.article_id, a.title, a.status, h.read_at AS at \
             FROM reading_history h JOIN articles a ON a.id = h.article_id \
             WHERE h.user_id = $1 ORDER BY h.read_at DESC, h.article_id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading a member's history")
    }

    /// A member's downloads, the latest first, at most `limit`.
    pub async fn member_downloads(&self, user_id: i64, limit: i64) -> Result<Vec<DownloadRow>> {
        sqlx::query_as::<Any, DownloadRow>(
            "SELECT d.article_id, a.title, a.status, d.format, d.at \
             FROM downloads d JOIN articles a ON a.id = d.article_id \
             WHERE d.user_id = $1 ORDER BY d.at DESC, d.id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("listing a member's downloads")
    }

    /// When a member's VIP ends (unix seconds), if it was ever granted.
    pub async fn user_vip_until(&self, user_id: i64) -> Result<Option<i64>> {
        let until =
            sqlx::query_scalar::<Any, Option<i64>>("SELECT vip_until FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await
                .context("reading a member's VIP expiry")?;
        Ok(until.flatten())
    }

    /// Change a password and end every session of the member, then open `new_session`
    /// (token hash, expiry) in its place: one transaction, so no old session outlives it.
    pub async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        new_session: (&str, i64),
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        set_password_in(&mut tx, user_id, password_hash).await?;
        let (token_hash, expires_at) = new_session;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .context("opening the renewed session")?;
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing a password change")
    }

    /// Delete a member's account. Favourites, history, downloads and sessions go with the user
    /// row (ON DELETE CASCADE); redeem codes and duplicate decisions keep their fact with no one
    /// named (ON DELETE SET NULL). The audit log keeps what was done, not who it was: the
    /// member's name is replaced in the rows they made and in the rows about them, and a login
    /// lockout keyed by the name loses the key. `entry` (member.delete) is recorded in the same
    /// transaction. Refused when it would leave the site without an enabled admin.
    pub async fn delete_user(
        &self,
        user_id: i64,
        entry: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<MemberChange> {
        let mut tx = self.begin_write().await?;
        if let Some(refused) = refusal(&mut tx, self.backend(), user_id, true).await? {
            return Ok(refused);
        }
        let name = sqlx::query_scalar::<Any, String>("SELECT name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await
            .context("reading the name of an account to delete")?;
        sqlx::query("UPDATE audit_log SET user_name = $1 WHERE user_id = $2")
            .bind(DELETED_MEMBER_NAME)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .context("removing a deleted member's name from the audit log")?;
        sqlx::query("UPDATE audit_log SET detail = REPLACE(detail, $1, $2) WHERE target = $3")
            .bind(&name)
            .bind(DELETED_MEMBER_NAME)
            .bind(format!("member:{user_id}"))
            .execute(&mut *tx)
            .await
            .context("removing a deleted member's name from the audit log")?;
        // Login lockouts name the account as typed, lower-cased (see core accounts).
        sqlx::query("UPDATE audit_log SET target = 'account:' WHERE target = $1")
            .bind(format!("account:{}", name.to_lowercase()))
            .execute(&mut *tx)
            .await
            .context("removing a deleted member's name from the audit log")?;
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .context("deleting an account")?;
        record_audit_in(&mut tx, entry, now).await?;
        tx.commit()
            .await
            .context("committing an account deletion")?;
        Ok(MemberChange::Done)
    }
}
