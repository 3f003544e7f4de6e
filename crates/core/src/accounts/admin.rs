//! Managing members from the desk: the list (search by name, filter by role), role changes and
//! disabling. Admins cannot demote or disable themselves, and the site never loses its last
//! enabled admin; every change is in the audit log.

use serde::Serialize;
use wenyuan_store::{MemberChange, UserFilter, UserRow};

use super::Member;
use crate::audit::audit_entry;
use crate::context::Context;
use crate::error::Missing;
use crate::{CoreError, Result, Role};

/// Members per page of the list.
pub const MEMBERS_PAGE_SIZE: i64 = 50;
/// Longest name fragment searched for (a name is at most 32 characters).
const NAME_QUERY_MAX_CHARS: usize = 32;

/// Roles an admin may give, in the order the desk lists them.
pub const ASSIGNABLE_ROLES: [Role; 4] = [Role::Member, Role::Vip, Role::Editor, Role::Admin];

/// A role as the desk names it.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Guest => "访客",
        Role::Member => "会员",
        Role::Vip => "VIP",
        Role::Editor => "编辑",
        Role::Admin => "管理员",
    }
}

/// One line of the members list.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub role_label: &'static str,
    pub disabled: bool,
    /// `YYYY-MM-DD HH:MM:SS`, site-local.
    pub created: String,
    /// End of a granted or redeemed VIP, `YYYY-MM-DD HH:MM` site-local (past or future).
    pub vip_until: Option<String>,
    /// Whether the member reads as VIP now (by role or by date).
    pub vip_active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberPage {
    pub items: Vec<MemberRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// What the list is narrowed to. Blank values mean "any".
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    pub name: Option<String>,
    pub role: Option<Role>,
}

impl MemberQuery {
    /// From the form's text: a blank name is no filter, an unknown role is an error.
    pub fn parse(name: Option<&str>, role: Option<&str>) -> Result<Self> {
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(NAME_QUERY_MAX_CHARS).collect());
        let role = match role.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => Some(parse_assignable(r)?),
        };
        Ok(MemberQuery { name, role })
    }
}

/// A role an admin may give (not `guest`), with a message naming the choices.
pub fn parse_assignable(text: &str) -> Result<Role> {
    text.parse::<Role>().map_err(|_| {
        CoreError::invalid(
            "member",
            format!("没有“{text}”这种角色：可选 member、vip、editor、admin"),
        )
    })
}

/// The desk's members page: list, role changes, disabling.
pub struct MemberAdmin {
    ctx: Context,
}

impl MemberAdmin {
    pub(crate) fn new(ctx: Context) -> Self {
        MemberAdmin { ctx }
    }

    pub async fn members_page(&self, query: &MemberQuery, page: i64) -> Result<MemberPage> {
        let filter = UserFilter {
            name: query.name.clone(),
            role: query.role.map(|r| r.as_str().to_owned()),
        };
        let page = page.clamp(1, 1_000_000);
        let (rows, total) = self
            .ctx
            .store
            .users(&filter, MEMBERS_PAGE_SIZE, (page - 1) * MEMBERS_PAGE_SIZE)
            .await?;
        Ok(MemberPage {
            items: rows.into_iter().map(|r| self.member_row(r)).collect(),
            total,
            page,
            pages: ((total + MEMBERS_PAGE_SIZE - 1) / MEMBERS_PAGE_SIZE).max(1),
        })
    }

    /// Give member `id` a new role. Returns the member's name for the confirmation.
    pub async fn change_role(&self, actor: &Member, id: i64, role: Role) -> Result<String> {
        if role == Role::Guest {
            return Err(CoreError::invalid(
                "member",
                "不能把会员设为访客".to_owned(),
            ));
        }
        let user = self.existing_user(id).await?;
        if actor.id == id && role != Role::Admin {
            return Err(CoreError::invalid(
                "member",
                "不能降低自己的角色：请让另一位管理员操作".to_owned(),
            ));
        }
        let old = user.role.parse::<Role>().unwrap_or(Role::Member);
        if old == role {
            return Ok(user.name);
        }
        let detail = format!("{}：{} → {}", user.name, old.as_str(), role.as_str());
        let target = format!("member:{id}");
        let entry = audit_entry(actor, "member.role", &target, &detail);
        let outcome = self
            .ctx
            .store
            .set_user_role(id, role.as_str(), &entry, self.ctx.now())
            .await?;
        finish(
            outcome,
            id,
            "不能降低最后一位管理员的角色：请先把另一位会员设为管理员",
        )?;
        Ok(user.name)
    }

    /// Disable (or enable again) member `id`. A disabled member's sessions end at once and they
    /// cannot log in. Returns the member's name for the confirmation.
    pub async fn set_disabled(&self, actor: &Member, id: i64, disabled: bool) -> Result<String> {
        let user = self.existing_user(id).await?;
        if disabled && actor.id == id {
            return Err(CoreError::invalid(
                "member",
                "不能停用自己的账号：请让另一位管理员操作".to_owned(),
            ));
        }
        let (action, verb) = if disabled {
            ("member.disable", "停用")
        } else {
            ("member.enable", "启用")
        };
        let detail = format!("{verb} {}", user.name);
        let target = format!("member:{id}");
        let entry = audit_entry(actor, action, &target, &detail);
        let outcome = self
            .ctx
            .store
            .set_user_disabled(id, disabled, &entry, self.ctx.now())
            .await?;
        finish(
            outcome,
            id,
            "不能停用最后一位管理员：请先把另一位会员设为管理员",
        )?;
        Ok(user.name)
    }

    async fn existing_user(&self, id: i64) -> Result<UserRow> {
        self.ctx
            .store
            .user_by_id(id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Member(id)))
    }

    fn member_row(&self, row: UserRow) -> MemberRow {
        let role = row.role.parse::<Role>().unwrap_or(Role::Member);
        MemberRow {
            id: row.id,
            name: row.name,
            role,
            role_label: role_label(role),
            disabled: row.disabled != 0,
            created: self.ctx.local_time(row.created_at),
            vip_until: row
                .vip_until
                .map(|t| self.ctx.local_format(t, "%Y-%m-%d %H:%M")),
            vip_active: role.effective(row.vip_until, self.ctx.now()) == Role::Vip,
        }
    }
}

fn finish(outcome: MemberChange, id: i64, last_admin: &str) -> Result<()> {
    match outcome {
        MemberChange::Done => Ok(()),
        MemberChange::Missing => Err(CoreError::NotFound(Missing::Member(id))),
        MemberChange::LastAdmin => Err(CoreError::invalid("member", last_admin.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_queries_take_blank_as_any_and_refuse_unknown_roles() {
        let q = MemberQuery::parse(Some("  "), Some("")).unwrap();
        assert!(q.name.is_none() && q.role.is_none());
        let q = MemberQuery::parse(Some(" 张 "), Some("editor")).unwrap();
        assert_eq!(q.name.as_deref(), Some("张"));
        assert_eq!(q.role, Some(Role::Editor));
        let err = MemberQuery::parse(None, Some("guest")).unwrap_err();
        assert!(
            err.to_string().contains("member、vip、editor、admin"),
            "{err}"
        );
    }
}
