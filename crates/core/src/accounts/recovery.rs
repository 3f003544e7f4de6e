//! Account recovery: one-time password reset links (issued by an admin from the desk, valid
//! 24 hours, stored only as a SHA-256 of the token, a new link voids the older one, used once),
//! and the CLI's `wenyuan user passwd`. Every reset sets the password with the registration rules
//! and the same argon2 gate, ends every session of the member, and is written to the audit log in
//! the same transaction.

use wenyuan_store::{MemberChange, NewAuditEntry, ResetUse};

use super::{
    hash_password, minutes, random_token, token_hash, validate_password, Member, ADDRESS_FAILURES,
    LOCKOUT_SECONDS,
};
use crate::audit::{audit_entry, SYSTEM_ACTOR};
use crate::context::Context;
use crate::error::{FieldError, Missing};
use crate::limits::{limit_key, Lockout};
use crate::{CoreError, Result};

/// How long a reset link works.
pub const RESET_LINK_HOURS: i64 = 24;

/// A link just issued: the token goes into the URL shown (once) to the admin.
#[derive(Debug, Clone)]
pub struct ResetLink {
    pub token: String,
    pub member_name: String,
    /// `YYYY-MM-DD HH:MM`, site-local.
    pub expires: String,
}

/// What a reset link is worth now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// It works: the member it is for.
    Live {
        member_name: String,
    },
    /// Never issued, replaced by a newer link, or the account is gone or disabled.
    Unknown,
    Expired,
    Used,
}

impl LinkState {
    /// The reader's explanation of a link that does not work (`None` for a live one).
    pub fn refusal(&self) -> Option<&'static str> {
        match self {
            LinkState::Live { .. } => None,
            LinkState::Unknown => Some(
                "这个重设密码链接无效：可能复制不完整，或管理员已为您生成了更新的链接。请向管理员重新索取。",
            ),
            LinkState::Expired => Some(
                "这个重设密码链接已过期（有效期 24 小时）。请向管理员重新索取。",
            ),
            LinkState::Used => Some(
                "这个重设密码链接已经使用过，每个链接只能用一次。如需再次重设，请向管理员重新索取。",
            ),
        }
    }
}

/// The form at the link: the new password, typed twice.
#[derive(Debug, Clone, Default)]
pub struct NewPassword<'a> {
    pub password: &'a str,
    pub confirm: &'a str,
}

/// What became of a reset through a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The password is set; the member's name (for the login form).
    Done { member_name: String },
    /// The link does not work (see [`LinkState::refusal`]).
    Refused(LinkState),
}

/// Reset links and password resets. Looking up links that do not work is limited per address
/// like failed logins (the same threshold and doubling lockout), although a 256-bit token cannot
/// be guessed: the limit keeps a script from using the page as a free oracle or a load.
pub struct Recovery {
    ctx: Context,
    bad_links: Lockout,
}

impl Recovery {
    pub(crate) fn new(ctx: Context) -> Self {
        Recovery {
            ctx,
            bad_links: Lockout::new("reset-address", ADDRESS_FAILURES, LOCKOUT_SECONDS),
        }
    }

    /// Issue a reset link for member `id` (by an admin): the older link of the member stops
    /// working; the new one works for [`RESET_LINK_HOURS`], once.
    pub async fn issue_link(&self, actor: &Member, id: i64) -> Result<ResetLink> {
        let user = self
            .ctx
            .store
            .user_by_id(id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Member(id)))?;
        if user.disabled != 0 {
            return Err(CoreError::invalid(
                "member",
                format!("“{}”的账号已停用：请先启用，再生成重设密码链接", user.name),
            ));
        }
        let token = random_token();
        let now = self.ctx.now();
        let expires_at = now + RESET_LINK_HOURS * 3600;
        let expires = self.ctx.local_format(expires_at, "%Y-%m-%d %H:%M");
        let target = format!("member:{id}");
        let detail = format!("为 {} 生成重设密码链接，有效至 {expires}", user.name);
        let entry = audit_entry(actor, "member.reset_link", &target, &detail);
        match self
            .ctx
            .store
            .issue_password_reset(id, &token_hash(&token), now, expires_at, &entry)
            .await?
        {
            MemberChange::Done => {}
            MemberChange::Missing | MemberChange::LastAdmin => {
                return Err(CoreError::NotFound(Missing::Member(id)))
            }
        }
        tracing::info!(member = id, actor = actor.id, "password reset link issued");
        Ok(ResetLink {
            token,
            member_name: user.name,
            expires,
        })
    }

    /// What the link with `token` is worth now, seen from address `ip`. A link that does not
    /// work counts towards the address's lockout ([`CoreError::TooMany`] while locked).
    pub async fn link_state(&self, token: &str, ip: &str) -> Result<LinkState> {
        let key = limit_key(ip);
        self.check_address(&key).await?;
        let state = self.state_of(token).await?;
        if state.refusal().is_some() {
            self.count_bad_link(&key).await;
        }
        Ok(state)
    }

    /// Set a new password through the link with `token`, from address `ip`. The password follows
    /// the registration rules ([`CoreError::Invalid`] per field: `password`, `confirm`); the link
    /// is used up, every session of the member ends, and the audit log records it (the member as
    /// the actor).
    pub async fn reset_with_link(
        &self,
        token: &str,
        new: &NewPassword<'_>,
        ip: &str,
    ) -> Result<ResetOutcome> {
        let key = limit_key(ip);
        self.check_address(&key).await?;
        let state = self.state_of(token).await?;
        let LinkState::Live { member_name } = state else {
            self.count_bad_link(&key).await;
            return Ok(ResetOutcome::Refused(state));
        };
        let mut errors = Vec::new();
        if let Err(err) = validate_password(new.password) {
            for e in err.field_errors() {
                errors.push(FieldError::new("password", format!("新{}", e.message)));
            }
        } else if new.password != new.confirm {
            errors.push(FieldError::new("confirm", "两次输入的新密码不一致"));
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let hash = hash_password(new.password.to_owned()).await?;
        let row = self.ctx.store.password_reset(&token_hash(token)).await?;
        let Some(row) = row else {
            return Ok(ResetOutcome::Refused(LinkState::Unknown));
        };
        let target = format!("member:{}", row.user_id);
        let detail = format!("{member_name} 通过重设密码链接设置了新密码，其所有登录已退出");
        let entry = NewAuditEntry {
            user_id: Some(row.user_id),
            user_name: &member_name,
            action: "member.password_reset",
            target: &target,
            detail: &detail,
        };
        let used = self
            .ctx
            .store
            .use_password_reset(&token_hash(token), &hash, self.ctx.now(), &entry)
            .await?;
        Ok(match used {
            ResetUse::Done { user_id } => {
                tracing::info!(
                    member = user_id,
                    "password reset through a link; sessions ended"
                );
                ResetOutcome::Done { member_name }
            }
            // Another submission of the same link (or a newer link) came first.
            ResetUse::Unknown => ResetOutcome::Refused(LinkState::Unknown),
            ResetUse::Expired => ResetOutcome::Refused(LinkState::Expired),
            ResetUse::Used => ResetOutcome::Refused(LinkState::Used),
        })
    }

    /// Set member `name`'s password from the command line (`wenyuan user passwd`): the
    /// registration rules, every session of the member ended, the audit log naming the system as
    /// the actor. Errors are in Chinese, for the terminal.
    pub async fn set_password(&self, name: &str, password: &str) -> Result<()> {
        validate_password(password)?;
        let name = name.trim();
        let user = if name.chars().any(char::is_control) {
            None
        } else {
            self.ctx.store.user_by_name(name).await?
        };
        let Some(user) = user else {
            return Err(CoreError::invalid(
                "name",
                format!("没有名为“{name}”的用户"),
            ));
        };
        let hash = hash_password(password.to_owned()).await?;
        let target = format!("member:{}", user.id);
        let detail = format!("在命令行为 {} 设置了新密码，其所有登录已退出", user.name);
        let entry = NewAuditEntry {
            user_id: None,
            user_name: SYSTEM_ACTOR,
            action: "member.password_cli",
            target: &target,
            detail: &detail,
        };
        match self
            .ctx
            .store
            .reset_password(user.id, &hash, self.ctx.now(), &entry)
            .await?
        {
            MemberChange::Done => {
                tracing::info!(member = user.id, "password set from the command line");
                Ok(())
            }
            MemberChange::Missing | MemberChange::LastAdmin => Err(CoreError::invalid(
                "name",
                format!("没有名为“{name}”的用户"),
            )),
        }
    }

    async fn state_of(&self, token: &str) -> Result<LinkState> {
        // Tokens we issue are 64 hex characters; anything else cannot match, so skip the query.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(LinkState::Unknown);
        }
        let Some(row) = self.ctx.store.password_reset(&token_hash(token)).await? else {
            return Ok(LinkState::Unknown);
        };
        Ok(if row.disabled != 0 {
            LinkState::Unknown
        } else if row.used_at.is_some() {
            LinkState::Used
        } else if row.expires_at <= self.ctx.now() {
            LinkState::Expired
        } else {
            LinkState::Live {
                member_name: row.user_name,
            }
        })
    }

    async fn check_address(&self, key: &str) -> Result<()> {
        if let Err(wait) = self
            .bad_links
            .check(&self.ctx.store, key, self.ctx.now())
            .await?
        {
            return Err(CoreError::TooMany(format!(
                "无效链接尝试次数过多，已暂时锁定：请约 {} 分钟后再试",
                minutes(wait)
            )));
        }
        Ok(())
    }

    async fn count_bad_link(&self, key: &str) {
        match self
            .bad_links
            .fail(&self.ctx.store, key, self.ctx.now())
            .await
        {
            Ok(Some(seconds)) => {
                tracing::warn!(
                    key,
                    seconds,
                    "reset links locked out after repeated failures"
                );
            }
            Ok(None) => {}
            // The link is refused anyway; only this failure goes uncounted.
            Err(e) => tracing::error!(error = %e, "cannot count a bad reset link"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_that_does_not_work_is_explained_in_chinese() {
        let live = LinkState::Live {
            member_name: "书友".into(),
        };
        assert_eq!(live.refusal(), None);
        assert!(LinkState::Expired.refusal().unwrap().contains("已过期"));
        assert!(LinkState::Used.refusal().unwrap().contains("已经使用过"));
        assert!(LinkState::Unknown.refusal().unwrap().contains("无效"));
    }
}
