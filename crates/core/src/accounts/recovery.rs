//! Account recovery: one-time password reset links (issued by an admin from the desk, valid
//! 24 hours, stored only as a SHA-256 of the token, a new link voids the older one, used once),
//! the CLI's `wenyuan user passwd`, and, when SMTP is configured, 忘记密码 by mail (the same links,
//! sent to the address a member gave at /me). Every reset sets the password with the registration rules
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
use crate::limits::{limit_key, Lockout, SharedRateLimit};
use crate::{CoreError, Result};

/// How long a reset link works.
pub const RESET_LINK_HOURS: i64 = 24;
/// 忘记密码 requests one address may make per hour (whatever they name).
pub const MAIL_REQUESTS_PER_ADDRESS: usize = 5;
/// Reset mails one account may be sent per hour, so a stranger cannot flood its mailbox.
pub const MAILS_PER_ACCOUNT: usize = 3;
const MAIL_WINDOW_SECONDS: i64 = 3600;
/// Longest e-mail address kept (RFC 5321's path limit).
const EMAIL_MAX_CHARS: usize = 254;

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
    mail_requests: SharedRateLimit,
    mails_per_account: SharedRateLimit,
}

impl Recovery {
    pub(crate) fn new(ctx: Context) -> Self {
        Recovery {
            ctx,
            bad_links: Lockout::new("reset-address", ADDRESS_FAILURES, LOCKOUT_SECONDS),
            mail_requests: SharedRateLimit::new(
                "reset-mail",
                MAIL_REQUESTS_PER_ADDRESS,
                MAIL_WINDOW_SECONDS,
            ),
            mails_per_account: SharedRateLimit::new(
                "reset-mail-account",
                MAILS_PER_ACCOUNT,
                MAIL_WINDOW_SECONDS,
            ),
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

    /// 忘记密码: mail a reset link to the account named `who` (its name or its e-mail address),
    /// from address `ip`, with links starting at `base` (the site's URL). The answer is the same
    /// whether or not the account exists or has an address: `Ok` (or the per-address limit's
    /// [`CoreError::TooMany`], counted for every request alike). The mail goes out in the
    /// background, so the time taken tells nothing either. With SMTP off: `NotFound`.
    pub async fn request_by_mail(&self, who: &str, ip: &str, base: &str) -> Result<()> {
        let settings = self.ctx.settings();
        let Some(smtp) = settings.smtp.clone() else {
            return Err(CoreError::Forbidden("本站未开通邮件找回密码，请联系管理员"));
        };
        let who = who.trim();
        if who.is_empty() {
            return Err(CoreError::invalid("who", "请输入用户名或邮箱"));
        }
        let now = self.ctx.now();
        self.mail_requests
            .check(&self.ctx.store, ip, now)
            .await?
            .map_err(|wait| {
                CoreError::TooMany(format!(
                    "找回密码的请求太频繁了，请约 {} 分钟后再试",
                    minutes(wait)
                ))
            })?;
        if who.chars().any(char::is_control) || who.chars().count() > EMAIL_MAX_CHARS {
            return Ok(());
        }
        let found = self
            .ctx
            .store
            .user_for_recovery(who, &who.to_lowercase())
            .await?;
        let Some((id, name, Some(email))) = found else {
            tracing::info!("a reset mail was asked for an account without an address");
            return Ok(());
        };
        let account = format!("user-{id}");
        if self
            .mails_per_account
            .check(&self.ctx.store, &account, now)
            .await?
            .is_err()
        {
            tracing::warn!(member = id, "reset mails for one account limited");
            return Ok(());
        }
        let token = random_token();
        let expires_at = now + RESET_LINK_HOURS * 3600;
        let target = format!("member:{id}");
        let detail = format!("向 {name} 的邮箱发送重设密码链接");
        let entry = NewAuditEntry {
            user_id: None,
            user_name: SYSTEM_ACTOR,
            action: "member.reset_mail",
            target: &target,
            detail: &detail,
        };
        self.ctx
            .store
            .issue_password_reset(id, &token_hash(&token), now, expires_at, &entry)
            .await?;
        let link = format!("{}/reset-password/{token}", base.trim_end_matches('/'));
        let text =
            super::mail::reset_mail_text(&settings.site_name, &name, &link, RESET_LINK_HOURS);
        let subject = format!("{}：重设密码", settings.site_name);
        tokio::spawn(async move {
            match super::mail::send_mail(&smtp, &email, &subject, text).await {
                Ok(()) => tracing::info!(member = id, "reset mail sent"),
                Err(e) => tracing::error!(member = id, error = %e, "cannot send a reset mail"),
            }
        });
        Ok(())
    }

    /// The member's e-mail address, if they gave one.
    pub async fn email_of(&self, member: &Member) -> Result<Option<String>> {
        Ok(self.ctx.store.user_email(member.id).await?)
    }

    /// Set (blank: remove) the member's e-mail address for 忘记密码. Stored trimmed and
    /// lowercased; an address another account has is refused without saying whose.
    pub async fn set_email(&self, member: &Member, text: &str) -> Result<Option<String>> {
        let email = crate::settings::rules::one_line(text).to_lowercase();
        if email.chars().count() > EMAIL_MAX_CHARS {
            return Err(CoreError::invalid("email", "邮箱地址太长"));
        }
        if !email.is_empty() && email.parse::<lettre::Address>().is_err() {
            return Err(CoreError::invalid(
                "email",
                format!("“{email}”不像邮箱地址（例如 name@example.com）"),
            ));
        }
        let email = Some(email).filter(|e| !e.is_empty());
        self.ctx
            .store
            .set_user_email(member.id, email.as_deref())
            .await
            .map_err(|e| match CoreError::from(e) {
                CoreError::Conflict(_) => {
                    CoreError::invalid("email", "这个邮箱已被其他账号使用，请换一个")
                }
                other => other,
            })?;
        Ok(email)
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
