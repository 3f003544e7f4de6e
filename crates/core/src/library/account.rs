//! The account's self-service: a new password (old one required; every other session ends, the
//! current one is renewed) and deleting the account (password required; the audit log keeps the
//! fact, not the person).

use wenyuan_store::{MemberChange, NewAuditEntry, UserRow, DELETED_MEMBER_NAME};

use super::Library;
use crate::accounts::{
    hash_password, random_token, token_hash, validate_password, verify_password, Login, Member,
};
use crate::audit::audit_entry;
use crate::error::{FieldError, Missing};
use crate::{CoreError, Result};

/// What the password form sends.
#[derive(Debug, Clone, Default)]
pub struct PasswordChange<'a> {
    pub old: &'a str,
    pub new: &'a str,
    /// The new password typed again.
    pub confirm: &'a str,
}

impl Library {
    /// Change the member's password. The new one follows the registration rules; every session
    /// of the member ends, and a new one is opened for this browser (returned, for the cookie).
    pub async fn change_password(
        &self,
        member: &Member,
        change: &PasswordChange<'_>,
    ) -> Result<Login> {
        let mut errors = Vec::new();
        if change.old.is_empty() {
            errors.push(FieldError::new("old_password", "请输入原密码"));
        }
        if let Err(err) = validate_password(change.new) {
            for e in err.field_errors() {
                errors.push(FieldError::new("new_password", format!("新{}", e.message)));
            }
        } else if change.new != change.confirm {
            errors.push(FieldError::new("confirm", "两次输入的新密码不一致"));
        } else if change.new == change.old {
            errors.push(FieldError::new("new_password", "新密码不能与原密码相同"));
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let user = self
            .check_password(member, change.old, "old_password", "原密码不正确")
            .await?;
        let hash = hash_password(change.new.to_owned()).await?;
        let token = random_token();
        let now = self.ctx.now();
        let max_age = self.ctx.settings().session_days.max(1) * 86_400;
        let target = format!("member:{}", user.id);
        let detail = format!("{} 修改了密码，其他登录已退出", user.name);
        let entry = audit_entry(member, "member.password", &target, &detail);
        self.ctx
            .store
            .change_password(
                user.id,
                &hash,
                (&token_hash(&token), now + max_age),
                &entry,
                now,
            )
            .await?;
        tracing::info!(member = user.id, "password changed; other sessions ended");
        Ok(Login {
            token,
            member: member.clone(),
            max_age_seconds: max_age,
        })
    }

    /// Delete the member's account, after checking the password. Favourites, history, downloads
    /// and sessions go with it; the audit log records `member.delete` with the id only.
    pub async fn delete_account(&self, member: &Member, password: &str) -> Result<()> {
        if password.is_empty() {
            return Err(CoreError::invalid("password", "请输入密码以确认注销"));
        }
        let user = self
            .check_password(member, password, "password", "密码不正确")
            .await?;
        let target = format!("member:{}", user.id);
        let entry = NewAuditEntry {
            user_id: Some(user.id),
            user_name: DELETED_MEMBER_NAME,
            action: "member.delete",
            target: &target,
            detail: "会员自行注销账号",
        };
        // Reads not yet written would otherwise be written for no one (they are dropped by the
        // store anyway; this just frees them now).
        self.reads.forget_member(user.id);
        match self
            .ctx
            .store
            .delete_user(user.id, &entry, self.ctx.now())
            .await?
        {
            MemberChange::Done => {
                tracing::info!(member = user.id, "account deleted by its member");
                Ok(())
            }
            MemberChange::Missing => Err(CoreError::NotFound(Missing::Member(user.id))),
            MemberChange::LastAdmin => Err(CoreError::invalid(
                "password",
                "您是本站最后一位管理员，不能注销：请先把另一位会员设为管理员",
            )),
        }
    }

    /// The member's row when `password` is theirs; a wrong one counts towards a lockout.
    async fn check_password(
        &self,
        member: &Member,
        password: &str,
        field: &'static str,
        wrong: &'static str,
    ) -> Result<UserRow> {
        let key = member.id.to_string();
        let now = self.ctx.now();
        if let Err(wait) = self
            .password_failures
            .check(&self.ctx.store, &key, now)
            .await?
        {
            return Err(CoreError::TooMany(format!(
                "密码错误次数过多，请约 {} 分钟后再试",
                (wait + 59) / 60
            )));
        }
        let user = self
            .ctx
            .store
            .user_by_id(member.id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Member(member.id)))?;
        if !verify_password(password.to_owned(), user.password_hash.clone()).await? {
            if let Some(seconds) = self
                .password_failures
                .fail(&self.ctx.store, &key, now)
                .await?
            {
                tracing::warn!(member = member.id, seconds, "password checks locked out");
            }
            return Err(CoreError::invalid(field, wrong));
        }
        self.password_failures
            .forgive(&self.ctx.store, &key)
            .await?;
        Ok(user)
    }
}
