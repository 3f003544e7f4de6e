//! The editorial desk's audit log: every change made through the admin is recorded with who made
//! it and when, so editors can see what happened to a document and admins can see who did what.

use serde::Serialize;
use wenyuan_store::{AuditRow, NewAuditEntry};

use crate::accounts::Member;
use crate::context::Context;
use crate::Result;

/// Entries per page of the log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// The actor's name of changes made by the system itself (the CLI's repairs and imports).
pub const SYSTEM_ACTOR: &str = "系统";

/// The member who acts, as the audit log records them.
pub fn audit_entry<'a>(
    actor: &'a Member,
    action: &'a str,
    target: &'a str,
    detail: &'a str,
) -> NewAuditEntry<'a> {
    NewAuditEntry {
        user_id: Some(actor.id),
        user_name: &actor.name,
        action,
        target,
        detail,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    pub id: i64,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub user_name: String,
    /// The stored code (`article.status`), for filters and links.
    pub action: String,
    /// What the log shows: the action in Chinese (改状态).
    pub action_label: String,
    pub target: String,
    pub detail: String,
}

/// The Chinese name of an audit action code; an unknown code is shown as stored.
pub fn action_label(code: &str) -> &str {
    match code {
        "upload" => "上传导入",
        "import" => "命令行导入",
        "duplicate.keep" => "近似重复：都保留",
        "duplicate.hide" => "近似重复：隐藏较新的",
        "duplicate.merge" => "近似重复：合并",
        "article.create" => "新建文档",
        "article.update" => "编辑文档",
        "article.status" => "改状态",
        "article.anonymize" => "模板化",
        "article.featured" => "推荐",
        "api.create" => "接口新建文档",
        "api_token.create" => "创建接口令牌",
        "api_token.revoke" => "撤销接口令牌",
        "article.date_repair" => "修复日期",
        "category.create" => "新建栏目",
        "category.update" => "修改栏目",
        "category.rename" => "栏目改名",
        "category.delete" => "删除栏目",
        "tag.rename" => "标签改名",
        "tag.merge" => "合并标签",
        "tag.delete" => "删除标签",
        "login.lockout" => "登录锁定",
        "member.role" => "改角色",
        "member.disable" => "停用会员",
        "member.enable" => "启用会员",
        "member.delete" => "删除会员",
        "member.password" => "修改密码",
        "member.reset_link" => "生成重设密码链接",
        "member.password_reset" => "通过链接重设密码",
        "member.password_cli" => "命令行重设密码",
        "member.reset_mail" => "发送重设密码邮件",
        "message.read" => "留言标为已读",
        "message.unread" => "留言标为未读",
        "message.note" => "留言备注",
        "settings.update" => "修改站点设置",
        "search.synonym_add" => "添加同义词",
        "search.synonym_delete" => "删除同义词",
        "vip.codes" => "生成卡密",
        "vip.grant" => "开通 VIP",
        "vip.revoke" => "取消 VIP",
        "vip.redeem" => "兑换卡密",
        "vip.redeem_lockout" => "兑换锁定",
        other => other,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// The audit log: records changes that are not made in a store transaction of their own, and
/// reads the log back for the desk.
pub struct AuditLog {
    ctx: Context,
}

impl AuditLog {
    pub(crate) fn new(ctx: Context) -> Self {
        AuditLog { ctx }
    }

    /// Record a change that is not made in a store transaction of its own (settings, say).
    /// Store functions behind document changes record theirs in the same transaction instead.
    pub async fn record(
        &self,
        actor: &Member,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        self.ctx
            .store
            .record_audit(&audit_entry(actor, action, target, detail), self.ctx.now())
            .await?;
        Ok(())
    }

    /// Record a change made by the system itself: `wenyuan import` and the other commands run
    /// on the server, with [`SYSTEM_ACTOR`] as the actor.
    pub async fn record_system(&self, action: &str, target: &str, detail: &str) -> Result<()> {
        let entry = NewAuditEntry {
            user_id: None,
            user_name: SYSTEM_ACTOR,
            action,
            target,
            detail,
        };
        self.ctx.store.record_audit(&entry, self.ctx.now()).await?;
        Ok(())
    }

    /// One page of the log, newest first; `target` (`article:12`) narrows it to one thing.
    pub async fn page(&self, target: Option<&str>, page: i64) -> Result<AuditPage> {
        let page = page.max(1);
        let total = self.ctx.store.count_audit_entries(target).await?;
        let pages = ((total + AUDIT_PAGE_SIZE - 1) / AUDIT_PAGE_SIZE).max(1);
        let rows = self
            .ctx
            .store
            .audit_entries(target, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE)
            .await?;
        Ok(AuditPage {
            items: rows.into_iter().map(|row| self.audit_view(row)).collect(),
            total,
            page,
            pages,
        })
    }

    fn audit_view(&self, row: AuditRow) -> AuditView {
        AuditView {
            id: row.id,
            at: self.ctx.local_time(row.at),
            user_name: row.user_name,
            action_label: action_label(&row.action).to_owned(),
            action: row.action,
            target: row.target,
            detail: row.detail,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Arc;

    use wenyuan_store::testing::{backends, TestDatabase};
    use wenyuan_store::Store;

    use super::*;
    use crate::{ManualClock, Role, SiteSettings};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_are_logged_newest_first_and_by_target() {
        for backend in backends() {
            let db = TestDatabase::new(backend).await;
            let clock = Arc::new(ManualClock::at(1_700_000_000));
            let audit = AuditLog::new(Context::new(
                Store::connect(&db.url).await.unwrap(),
                SiteSettings::default(),
                clock.clone(),
            ));
            let editor = Member {
                id: 7,
                name: "编辑甲".to_owned(),
                role: Role::Editor,
            };
            audit
                .record(&editor, "article.update", "article:1", "标题：旧 → 新")
                .await
                .unwrap();
            clock.advance(60);
            audit
                .record(&editor, "article.status", "article:2", "draft → published")
                .await
                .unwrap();
            let all = audit.page(None, 1).await.unwrap();
            assert_eq!(all.total, 2, "{backend:?}");
            assert_eq!(all.items[0].action, "article.status");
            assert_eq!(all.items[1].detail, "标题：旧 → 新");
            assert_eq!(all.items[0].user_name, "编辑甲");
            // 1_700_000_060 is 2023-11-15 06:14:20 in Shanghai (UTC+8).
            assert_eq!(all.items[0].at, "2023-11-15 06:14:20");
            let one = audit.page(Some("article:1"), 1).await.unwrap();
            assert_eq!(one.total, 1);
            assert_eq!(one.items[0].action, "article.update");
        }
    }
}
