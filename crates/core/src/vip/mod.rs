//! VIP a member can actually get: an end date (`users.vip_until`) that an admin grants or
//! revokes at `/admin/members`, or that a member extends by redeeming a code (卡密) at
//! `/me/vip`. Admins make codes in batches (`/admin/vip-codes`, `wenyuan vip codes`). Until the
//! end a member reads as VIP ([`Role::effective`], applied where a session becomes a member);
//! after it, as a member again. Every grant, batch and redemption is in the audit log.

pub mod codes;

use chrono::NaiveDate;
use serde::Serialize;
use wenyuan_store::{NewAuditEntry, NewVipCodes, Redemption, VipChange};

use crate::accounts::Member;
use crate::audit::audit_entry;
use crate::clock::local_midnight;
use crate::context::Context;
use crate::error::Missing;
use crate::limits::{limit_key, Lockout};
use crate::settings::rules::one_line;
use crate::{CoreError, Result, Role};

/// Most codes one batch makes.
pub const MAX_BATCH_CODES: i64 = 1000;
/// Longest VIP one code or one grant gives, in days (ten years).
pub const MAX_DAYS: i64 = 3650;
/// The grants the members page offers with one click, in days.
pub const GRANT_CHOICES: [i64; 3] = [30, 90, 365];
/// Longest batch label.
pub const BATCH_MAX_CHARS: usize = 40;
/// Wrong codes one account may try before it waits (then the wait doubles, as for logins).
pub const REDEEM_ACCOUNT_FAILURES: u32 = 5;
/// Wrong codes from one address (any accounts) before it waits.
pub const REDEEM_ADDRESS_FAILURES: u32 = 20;
pub const REDEEM_LOCKOUT_SECONDS: i64 = 600;
const DAY: i64 = 86_400;
/// Who made a batch from the command line, in the audit log.
const CLI_ACTOR: &str = "命令行";

/// A member's VIP as `/me/vip` and the members page show it.
#[derive(Debug, Clone, Serialize)]
pub struct VipStatus {
    /// The role the member reads as now.
    pub role: Role,
    /// Whether the member reads as VIP now.
    pub active: bool,
    /// VIP without end (the stored role is `vip`).
    pub permanent: bool,
    /// The end, `YYYY-MM-DD HH:MM` site-local, when there is one (past or future).
    pub until: Option<String>,
    /// Staff read everything already.
    pub staff: bool,
}

/// A new batch of codes: shown once, never stored in the clear.
#[derive(Debug, Clone, Serialize)]
pub struct CodeBatch {
    pub batch: String,
    pub days: i64,
    pub codes: Vec<String>,
}

/// One batch in the desk's list (never its codes).
#[derive(Debug, Clone, Serialize)]
pub struct BatchView {
    pub batch: String,
    pub days: i64,
    /// `YYYY-MM-DD HH:MM`, site-local.
    pub created: String,
    pub created_by: String,
    pub total: i64,
    pub used: i64,
    pub unused: i64,
}

/// After a redemption: what the code gave and the new end.
#[derive(Debug, Clone, Serialize)]
pub struct Redeemed {
    pub days: i64,
    /// `YYYY-MM-DD HH:MM`, site-local.
    pub until: String,
}

/// What an admin grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VipGrant {
    /// This many days more, from the later of now and the current end.
    Days(i64),
    /// VIP to the end of this site-local day.
    Until(NaiveDate),
}

impl VipGrant {
    /// From the members page's form: `days` (a number) or `until` (`YYYY-MM-DD`); a date wins
    /// when both are given, since it is the more deliberate field.
    pub fn parse(days: Option<&str>, until: Option<&str>) -> Result<Self> {
        let until = until.map(str::trim).filter(|u| !u.is_empty());
        if let Some(until) = until {
            return NaiveDate::parse_from_str(until, "%Y-%m-%d")
                .map(VipGrant::Until)
                .map_err(|_| {
                    CoreError::invalid(
                        "vip",
                        format!("日期应写作 2027-01-05 这样的格式，而不是“{until}”"),
                    )
                });
        }
        let days = days.map(str::trim).unwrap_or("");
        match days.parse::<i64>() {
            Ok(days) => Ok(VipGrant::Days(check_days(days)?)),
            Err(_) => Err(CoreError::invalid(
                "vip",
                "请选择开通天数，或填写到期日期".to_owned(),
            )),
        }
    }
}

fn check_days(days: i64) -> Result<i64> {
    if (1..=MAX_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(CoreError::invalid(
            "days",
            format!("天数应为 1 到 {MAX_DAYS} 之间的整数"),
        ))
    }
}

pub struct Vip {
    ctx: Context,
    account_failures: Lockout,
    address_failures: Lockout,
}

impl Vip {
    pub(crate) fn new(ctx: Context) -> Self {
        Vip {
            ctx,
            account_failures: Lockout::new(
                "redeem-account",
                REDEEM_ACCOUNT_FAILURES,
                REDEEM_LOCKOUT_SECONDS,
            ),
            address_failures: Lockout::new(
                "redeem-address",
                REDEEM_ADDRESS_FAILURES,
                REDEEM_LOCKOUT_SECONDS,
            ),
        }
    }

    /// Member `id`'s VIP now.
    pub async fn status(&self, id: i64) -> Result<VipStatus> {
        let user = self
            .ctx
            .store
            .user_by_id(id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Member(id)))?;
        let stored = user.role.parse().unwrap_or(Role::Member);
        let role = stored.effective(user.vip_until, self.ctx.now());
        Ok(VipStatus {
            role,
            active: role == Role::Vip,
            permanent: stored == Role::Vip,
            until: user.vip_until.map(|t| self.shown(t)),
            staff: role.is_staff(),
        })
    }

    /// A time as the VIP pages show it.
    fn shown(&self, unix_seconds: i64) -> String {
        self.ctx.local_format(unix_seconds, "%Y-%m-%d %H:%M")
    }

    /// Make `count` codes of `days` days each, in batch `batch` (blank: named by the time).
    /// `actor` is the admin, or `None` from the command line. The codes are returned once.
    pub async fn create_codes(
        &self,
        actor: Option<&Member>,
        count: i64,
        days: i64,
        batch: Option<&str>,
    ) -> Result<CodeBatch> {
        if !(1..=MAX_BATCH_CODES).contains(&count) {
            return Err(CoreError::invalid(
                "count",
                format!("数量应为 1 到 {MAX_BATCH_CODES} 之间的整数"),
            ));
        }
        let days = check_days(days)?;
        let batch = match batch.map(one_line).filter(|b| !b.is_empty()) {
            Some(b) if b.chars().count() > BATCH_MAX_CHARS => {
                return Err(CoreError::invalid(
                    "batch",
                    format!("批次名称不能超过 {BATCH_MAX_CHARS} 个字"),
                ))
            }
            Some(b) => b,
            None => self.ctx.local_format(self.ctx.now(), "%Y%m%d-%H%M%S"),
        };
        let made: Vec<String> = (0..count).map(|_| codes::new_code()).collect();
        let hashes: Vec<String> = made
            .iter()
            .filter_map(|c| codes::normalize(c))
            .map(|n| codes::code_hash(&n))
            .collect();
        let detail = format!("批次 {batch}：生成 {count} 个卡密，每个 {days} 天");
        let target = format!("vip-batch:{batch}");
        let entry = match actor {
            Some(actor) => audit_entry(actor, "vip.codes", &target, &detail),
            None => NewAuditEntry {
                user_id: None,
                user_name: CLI_ACTOR,
                action: "vip.codes",
                target: &target,
                detail: &detail,
            },
        };
        let new = NewVipCodes {
            hashes: &hashes,
            days,
            batch: &batch,
            created_by: actor.map(|a| a.id),
        };
        self.ctx
            .store
            .create_vip_codes(&new, &entry, self.ctx.now())
            .await?;
        Ok(CodeBatch {
            batch,
            days,
            codes: made,
        })
    }

    /// The batches made so far, newest first, with used and unused counts.
    pub async fn batches(&self) -> Result<Vec<BatchView>> {
        Ok(self
            .ctx
            .store
            .vip_batches()
            .await?
            .into_iter()
            .map(|row| BatchView {
                created: self.shown(row.created_at),
                created_by: row.created_by.unwrap_or_else(|| CLI_ACTOR.to_owned()),
                unused: row.total - row.used,
                batch: row.batch,
                days: row.days,
                total: row.total,
                used: row.used,
            })
            .collect())
    }

    /// Redeem `typed` (a code as the member typed it) for `member`, from address `ip`.
    ///
    /// Wrong and used codes count against the account and the address; after too many, every
    /// try waits (growing, as for logins) with [`CoreError::TooMany`], before the code is looked
    /// at — so the limit holds for a right code too.
    pub async fn redeem(&self, member: &Member, typed: &str, ip: &str) -> Result<Redeemed> {
        let account_key = member.id.to_string();
        let address_key = limit_key(ip);
        let now = self.ctx.now();
        let store = &self.ctx.store;
        let wait = [
            self.address_failures
                .check(store, &address_key, now)
                .await?,
            self.account_failures
                .check(store, &account_key, now)
                .await?,
        ]
        .into_iter()
        .filter_map(|r| r.err())
        .max();
        if let Some(wait) = wait {
            return Err(CoreError::TooMany(format!(
                "卡密输错次数过多，请约 {} 分钟后再试",
                (wait + 59) / 60
            )));
        }
        let status = self.status(member.id).await?;
        if status.staff {
            return Err(CoreError::invalid(
                "code",
                "编辑和管理员本就可以阅读全部文档，无需兑换卡密".to_owned(),
            ));
        }
        if status.permanent {
            return Err(CoreError::invalid(
                "code",
                "您的 VIP 长期有效，无需兑换卡密".to_owned(),
            ));
        }
        let Some(code) = codes::normalize(typed) else {
            self.failed(member, &account_key, &address_key).await;
            return Err(CoreError::invalid(
                "code",
                "卡密格式不对：卡密是 16 位字母和数字，形如 ABCD-EFGH-JKLM-NPQR".to_owned(),
            ));
        };
        let target = format!("member:{}", member.id);
        let entry = audit_entry(member, "vip.redeem", &target, "");
        let redemption = self
            .ctx
            .store
            .redeem_vip_code(
                &codes::code_hash(&code),
                member.id,
                now,
                &entry,
                |days, batch, until| {
                    format!(
                        "{} 兑换卡密（批次 {batch}，{days} 天），VIP 至 {}",
                        member.name,
                        self.shown(until)
                    )
                },
            )
            .await?;
        match redemption {
            Redemption::Redeemed {
                days, vip_until, ..
            } => Ok(Redeemed {
                days,
                until: self.shown(vip_until),
            }),
            Redemption::AlreadyUsed => {
                self.failed(member, &account_key, &address_key).await;
                Err(CoreError::invalid(
                    "code",
                    "这个卡密已经被使用过了：每个卡密只能兑换一次".to_owned(),
                ))
            }
            Redemption::Unknown => {
                self.failed(member, &account_key, &address_key).await;
                Err(CoreError::invalid(
                    "code",
                    "卡密不正确，请核对后重新输入".to_owned(),
                ))
            }
        }
    }

    /// Count a wrong code; a lockout it starts goes to the audit log.
    async fn failed(&self, member: &Member, account_key: &str, address_key: &str) {
        let now = self.ctx.now();
        let store = &self.ctx.store;
        let locks = [
            (
                "account",
                self.account_failures.fail(store, account_key, now).await,
            ),
            (
                "address",
                self.address_failures.fail(store, address_key, now).await,
            ),
        ];
        for (kind, started) in locks {
            let seconds = match started {
                Ok(Some(seconds)) => seconds,
                Ok(None) => continue,
                Err(e) => {
                    // The code is refused anyway; only this failure goes uncounted.
                    tracing::error!(error = %e, kind, "cannot count a wrong redeem code");
                    continue;
                }
            };
            tracing::warn!(kind, member = member.id, seconds, "VIP redeem locked out");
            let target = match kind {
                "account" => format!("member:{}", member.id),
                _ => format!("address:{address_key}"),
            };
            let detail = format!("卡密连续输错，锁定 {seconds} 秒");
            let entry = audit_entry(member, "vip.redeem_lockout", &target, &detail);
            if let Err(e) = self.ctx.store.record_audit(&entry, now).await {
                tracing::error!(error = %e, "cannot write the redeem lockout to the audit log");
            }
        }
    }

    /// Grant member `id` VIP as admin `actor`. Returns the member's name and the new end.
    pub async fn grant(
        &self,
        actor: &Member,
        id: i64,
        grant: VipGrant,
    ) -> Result<(String, String)> {
        let now = self.ctx.now();
        let offset = self.ctx.settings().utc_offset;
        let (change, what) = match grant {
            VipGrant::Days(days) => (
                VipChange::Extend {
                    seconds: check_days(days)? * DAY,
                },
                format!("+{days} 天"),
            ),
            VipGrant::Until(date) => {
                // To the end of that day: the start of the next one, less a second.
                let end = date
                    .succ_opt()
                    .map(|next| local_midnight(next, offset) - 1)
                    .unwrap_or(i64::MAX);
                if end <= now {
                    return Err(CoreError::invalid(
                        "vip",
                        "到期日期已经过去：请填写今天或以后的日期".to_owned(),
                    ));
                }
                if end - now > MAX_DAYS * DAY {
                    return Err(CoreError::invalid(
                        "vip",
                        format!("到期日期不能晚于 {MAX_DAYS} 天以后"),
                    ));
                }
                (VipChange::Until(end), format!("指定到期日 {date}"))
            }
        };
        let name = self.change(actor, id, change, "vip.grant", &what).await?;
        let until = self.status(id).await?.until.unwrap_or_default();
        Ok((name, until))
    }

    /// End member `id`'s VIP now (a stored `vip` role becomes `member`). Returns the name.
    pub async fn revoke(&self, actor: &Member, id: i64) -> Result<String> {
        self.change(actor, id, VipChange::Revoke, "vip.revoke", "取消 VIP")
            .await
    }

    async fn change(
        &self,
        actor: &Member,
        id: i64,
        change: VipChange,
        action: &str,
        what: &str,
    ) -> Result<String> {
        let user = self
            .ctx
            .store
            .user_by_id(id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Member(id)))?;
        let stored = user.role.parse().unwrap_or(Role::Member);
        if stored.is_staff() {
            return Err(CoreError::invalid(
                "vip",
                format!("{} 是编辑或管理员，本就可以阅读全部文档", user.name),
            ));
        }
        let target = format!("member:{id}");
        let entry = audit_entry(actor, action, &target, "");
        let name = user.name.clone();
        let changed = self
            .ctx
            .store
            .change_vip(id, change, self.ctx.now(), &entry, |until| match until {
                Some(until) => format!("{name}：{what}，VIP 至 {}", self.shown(until)),
                None => format!("{name}：{what}"),
            })
            .await?;
        match changed {
            Some(_) => Ok(user.name),
            None => Err(CoreError::NotFound(Missing::Member(id))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_parse_from_the_form_with_clear_messages() {
        assert_eq!(
            VipGrant::parse(Some("30"), None).unwrap(),
            VipGrant::Days(30)
        );
        assert_eq!(
            VipGrant::parse(Some("30"), Some("2027-01-05")).unwrap(),
            VipGrant::Until(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()),
            "a date wins"
        );
        assert_eq!(
            VipGrant::parse(Some(" 90 "), Some(" ")).unwrap(),
            VipGrant::Days(90)
        );
        for (days, until, message) in [
            (None, None, "请选择开通天数"),
            (Some("0"), None, "1 到 3650"),
            (Some("3651"), None, "1 到 3650"),
            (Some("三十"), None, "请选择开通天数"),
            (None, Some("2027/01/05"), "2027-01-05 这样的格式"),
        ] {
            let err = VipGrant::parse(days, until).unwrap_err().to_string();
            assert!(err.contains(message), "{days:?} {until:?}: {err}");
        }
    }
}
