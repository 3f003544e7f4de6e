//! VIP: the end date of a member's VIP (`users.vip_until`), granted by an admin or by a redeem
//! code (卡密, table `vip_codes`). Only hashes of codes are stored; a code is redeemed at most
//! once, decided by one conditional UPDATE so that two redeems of the same code at once cannot
//! both win.

use sqlx::{Any, Transaction};

use crate::audit::record_audit_in;
use crate::error::{is_unique_violation, Context, StoreError};
use crate::{NewAuditEntry, Result, Store};

/// A batch of new codes, as hashes.
#[derive(Debug, Clone)]
pub struct NewVipCodes<'a> {
    pub hashes: &'a [String],
    /// Days of VIP each code gives.
    pub days: i64,
    pub batch: &'a str,
    /// The admin who made them; `None` from the command line.
    pub created_by: Option<i64>,
}

/// What redeeming a code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// The code was unused and is now this member's: VIP runs to `vip_until`.
    Redeemed {
        code_id: i64,
        days: i64,
        batch: String,
        vip_until: i64,
    },
    /// The code exists but was redeemed before.
    AlreadyUsed,
    /// No such code.
    Unknown,
}

/// A change an admin makes to a member's VIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VipChange {
    /// Add this many seconds to the later of now and the current end.
    Extend { seconds: i64 },
    /// Set the end to this time.
    Until(i64),
    /// End VIP now: the end is cleared, and a stored role of `vip` (VIP without end) becomes
    /// `member`.
    Revoke,
}

/// One batch of codes as the desk lists it: never the codes themselves.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VipBatchRow {
    pub batch: String,
    pub days: i64,
    pub created_at: i64,
    pub total: i64,
    pub used: i64,
    /// The admin who made it (`None`: the command line, or an account deleted since).
    pub created_by: Option<String>,
}

/// Batches the desk lists, newest first.
const BATCH_LIST_LIMIT: i64 = 200;

/// The new end of a VIP extended by `$2` seconds at time `$1`: from now when it has ended (or
/// never began), else from its end. One expression, so concurrent extensions add up.
const EXTENDED_UNTIL: &str =
    "(CASE WHEN vip_until IS NULL OR vip_until < $1 THEN $1 ELSE vip_until END) + $2";

impl Store {
    /// Store a batch of codes (their hashes) and the audit entry, in one transaction.
    pub async fn create_vip_codes(
        &self,
        codes: &NewVipCodes<'_>,
        audit: &NewAuditEntry<'_>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for hash in codes.hashes {
            let inserted = sqlx::query(
                "INSERT INTO vip_codes (code_hash, days, batch, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash.as_str())
            .bind(codes.days)
            .bind(codes.batch)
            .bind(codes.created_by)
            .bind(now)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {}
                Err(err) if is_unique_violation(&err) => {
                    return Err(StoreError::Conflict { what: "VIP code" })
                }
                Err(err) => return Err(err).context("storing a VIP code"),
            }
        }
        record_audit_in(&mut tx, audit, now).await?;
        tx.commit().await.context("committing VIP codes")
    }

    /// Redeem the code with hash `code_hash` for member `user_id` at `now`: mark it used and
    /// extend the member's VIP by its days, with an audit entry whose detail `describe` writes
    /// from (days, batch, new end) — all one transaction.
    pub async fn redeem_vip_code(
        &self,
        code_hash: &str,
        user_id: i64,
        now: i64,
        audit: &NewAuditEntry<'_>,
        describe: impl FnOnce(i64, &str, i64) -> String,
    ) -> Result<Redemption> {
        let mut tx = self.begin_write().await?;
        // The one decision: only an unused code changes, so of two redeems at once the second
        // finds no row (PostgreSQL re-checks the condition after the first commits).
        let claimed = sqlx::query_as::<Any, (i64, i64, String)>(
            "UPDATE vip_codes SET redeemed_by = $1, redeemed_at = $2 \
             WHERE code_hash = $3 AND redeemed_at IS NULL RETURNING id, days, batch",
        )
        .bind(user_id)
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await
        .context("claiming a VIP code")?;
        let Some((code_id, days, batch)) = claimed else {
            let exists = sqlx::query_scalar::<Any, i64>(
                "SELECT COUNT(*) FROM vip_codes WHERE code_hash = $1",
            )
            .bind(code_hash)
            .fetch_one(&mut *tx)
            .await
            .context("looking up a VIP code")?;
            return Ok(if exists > 0 {
                Redemption::AlreadyUsed
            } else {
                Redemption::Unknown
            });
        };
        let vip_until = extend(&mut tx, user_id, now, days.saturating_mul(86_400))
            .await?
            .ok_or(StoreError::Query {
                context: "extending the VIP of a redeeming member",
                source: sqlx::Error::RowNotFound,
            })?;
        let detail = describe(days, &batch, vip_until);
        let entry = NewAuditEntry {
            detail: &detail,
            ..audit.clone()
        };
        record_audit_in(&mut tx, &entry, now).await?;
        tx.commit().await.context("committing a redemption")?;
        Ok(Redemption::Redeemed {
            code_id,
            days,
            batch,
            vip_until,
        })
    }

    /// Change member `user_id`'s VIP as an admin, with an audit entry whose detail `describe`
    /// writes from the new end. Returns the new end (`Some(None)`: no end), or `None` when there
    /// is no such member.
    pub async fn change_vip(
        &self,
        user_id: i64,
        change: VipChange,
        now: i64,
        audit: &NewAuditEntry<'_>,
        describe: impl FnOnce(Option<i64>) -> String,
    ) -> Result<Option<Option<i64>>> {
        let mut tx = self.begin_write().await?;
        let until = match change {
            VipChange::Extend { seconds } => {
                extend(&mut tx, user_id, now, seconds).await?.map(Some)
            }
            VipChange::Until(until) => sqlx::query_scalar::<Any, Option<i64>>(
                "UPDATE users SET vip_until = $1 WHERE id = $2 RETURNING vip_until",
            )
            .bind(until)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
            .context("setting a member's VIP end")?,
            VipChange::Revoke => sqlx::query_scalar::<Any, Option<i64>>(
                "UPDATE users SET vip_until = NULL, \
                 role = CASE WHEN role = 'vip' THEN 'member' ELSE role END \
                 WHERE id = $1 RETURNING vip_until",
            )
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
            .context("ending a member's VIP")?,
        };
        let Some(until) = until else {
            return Ok(None);
        };
        let detail = describe(until);
        let entry = NewAuditEntry {
            detail: &detail,
            ..audit.clone()
        };
        record_audit_in(&mut tx, &entry, now).await?;
        tx.commit().await.context("committing a VIP change")?;
        Ok(Some(until))
    }

    /// The batches of codes, newest first, with how many of each were used.
    pub async fn vip_batches(&self) -> Result<Vec<VipBatchRow>> {
        sqlx::query_as::<Any, VipBatchRow>(
            "SELECT c.batch, c.days, MIN(c.created_at) AS created_at, COUNT(*) AS total, \
             COUNT(c.redeemed_at) AS used, MAX(u.name) AS created_by \
             FROM vip_codes c LEFT JOIN users u ON u.id = c.created_by \
             GROUP BY c.batch, c.days ORDER BY MIN(c.created_at) DESC, c.batch LIMIT $1",
        )
        .bind(BATCH_LIST_LIMIT)
        .fetch_all(&self.pool)
        .await
        .context("listing VIP code batches")
    }
}

/// Extend member `user_id`'s VIP by `seconds` from the later of `now` and its end; the new end,
/// or `None` when there is no such member.
async fn extend(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    now: i64,
    seconds: i64,
) -> Result<Option<i64>> {
    let until = sqlx::query_scalar::<Any, Option<i64>>(&format!(
        "UPDATE users SET vip_until = {EXTENDED_UNTIL} WHERE id = $3 RETURNING vip_until"
    ))
    .bind(now)
    .bind(seconds)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await
    .context("extending a member's VIP")?;
    Ok(until.flatten())
}
