//! The desk's documents: the list, and every write (create, edit, status), each one store
//! transaction with its change-feed row and audit entry, after which this process's caches and
//! search index are brought up to date at once (other nodes follow the feed within a second).

use serde::Serialize;
use wenyuan_store::{
    AdminArticleRow, AdminFilter, ArticleEdit, ArticleRow, NewArticle, SaveOutcome,
};

use super::form::{DocumentForm, ValidDocument};
use super::Refresh;
use crate::accounts::Member;
use crate::audit::audit_entry;
use crate::context::Context;
use crate::error::Missing;
use crate::reading::{ArticleView, Document};
use crate::{CoreError, Result, Role, Status};

/// Documents per page of the desk's list.
pub const DESK_PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Serialize)]
pub struct DeskItem {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub category: Option<String>,
    pub status: String,
    pub access: String,
    pub views: i64,
    /// Local time of the last change.
    pub updated: String,
    /// Featured (推荐).
    pub featured: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeskPage {
    pub items: Vec<DeskItem>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// The live preview: the page as an editor sees it (all paragraphs), and where the gate cuts it
/// for guests and, for VIP documents, for members.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentPreview {
    pub doc: ArticleView,
    /// Paragraphs a guest reads before the gate; `None` when guests read it all.
    pub guest_cut: Option<usize>,
    /// Paragraphs a plain member reads before the gate; `None` when members read it all.
    pub member_cut: Option<usize>,
}

/// The desk's documents: the list, the editor's form and preview, and every write.
pub struct Documents {
    ctx: Context,
    refresh: Refresh,
}

impl Documents {
    pub(crate) fn new(ctx: Context, refresh: Refresh) -> Self {
        Documents { ctx, refresh }
    }

    /// One page of the desk's list.
    pub async fn list(&self, filter: &AdminFilter, page: i64) -> Result<DeskPage> {
        let page = page.clamp(1, 1_000_000);
        let (rows, total) = self
            .ctx
            .store
            .admin_articles(filter, DESK_PAGE_SIZE, (page - 1) * DESK_PAGE_SIZE)
            .await?;
        Ok(DeskPage {
            items: rows.into_iter().map(|r| self.desk_item(r)).collect(),
            total,
            page,
            pages: ((total + DESK_PAGE_SIZE - 1) / DESK_PAGE_SIZE).max(1),
        })
    }

    fn desk_item(&self, row: AdminArticleRow) -> DeskItem {
        DeskItem {
            id: row.id,
            title: row.title,
            date: row.published_on,
            category: row.category_name,
            status: row.status,
            access: row.access,
            views: row.views,
            updated: self.ctx.local_time(row.updated_at),
            featured: row.featured != 0,
        }
    }

    /// Today's date in the site's time zone, `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        self.ctx.local_today().to_string()
    }

    /// The stored document as the editor's form shows it.
    pub async fn document_form(&self, id: i64) -> Result<DocumentForm> {
        let row = self.stored_document(id).await?;
        let tags = self.ctx.store.article_tags(id).await?;
        Ok(DocumentForm {
            title: row.title,
            body: row.body,
            format: "plain".to_owned(),
            date: row.published_on,
            category: row.category_name.unwrap_or_default(),
            new_category: String::new(),
            tags: tags.join("，"),
            status: row.status,
            access: row.access,
            preview_ratio: row
                .preview_ratio
                .map(|r| format!("{}", (r * 1000.0).round() / 10.0))
                .unwrap_or_default(),
            preview_max: row.preview_max.map(|m| m.to_string()).unwrap_or_default(),
        })
    }

    /// The stored row of document `id`, whatever its status.
    pub(crate) async fn stored_document(&self, id: i64) -> Result<ArticleRow> {
        self.ctx
            .store
            .article(id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Document(id)))
    }

    fn validate(&self, form: &DocumentForm) -> Result<ValidDocument> {
        form.validate(&self.today()).map_err(CoreError::Invalid)
    }

    /// How the form's document will look, gate included. `id` is the document's, when it has one.
    pub fn preview_document(&self, id: i64, form: &DocumentForm) -> Result<DocumentPreview> {
        let valid = self.validate(form)?;
        let row = ArticleRow {
            id,
            body: valid.body(),
            title: valid.title,
            published_on: valid.published_on,
            category_name: valid.category,
            category_slug: None,
            access: valid.access.as_str().to_owned(),
            status: valid.status.as_str().to_owned(),
            preview_ratio: valid.preview_ratio,
            preview_max: valid.preview_max,
            views: 0,
            updated_at: self.ctx.now(),
            layout: None,
        };
        let doc = Document::from_row(row, valid.tags);
        let settings = self.ctx.settings();
        let cut = |role| {
            let view = ArticleView::new(&doc, role, &settings, 0);
            view.gated.then_some(view.visible_paragraphs)
        };
        Ok(DocumentPreview {
            guest_cut: cut(Role::Guest),
            member_cut: cut(Role::Member),
            doc: ArticleView::new(&doc, Role::Editor, &settings, 0),
        })
    }

    /// Store a new document from the form; returns its id.
    pub async fn create_document(&self, actor: &Member, form: &DocumentForm) -> Result<i64> {
        let valid = self.validate(form)?;
        let detail = format!("新建「{}」，状态 {}", short(&valid.title), valid.status);
        let simhash = Some(valid.simhash().await?);
        let article = NewArticle {
            body: valid.body(),
            content_hash: valid.content_hash(),
            title: valid.title,
            published_on: valid.published_on,
            category: valid.category,
            tags: valid.tags,
            access: valid.access.as_str().to_owned(),
            status: valid.status.as_str().to_owned(),
            views_base: 0,
            source: Some("editor".to_owned()),
            external_id: None,
            preview_ratio: valid.preview_ratio,
            preview_max: valid.preview_max,
            simhash,
            layout: None,
        };
        let entry = audit_entry(actor, "article.create", "", &detail);
        let outcome = self
            .ctx
            .store
            .create_article(&article, &entry, self.ctx.now())
            .await?;
        let id = saved(outcome, 0)?;
        self.refresh.after_edit().await?;
        Ok(id)
    }

    /// Write the form over document `id`.
    pub async fn update_document(
        &self,
        actor: &Member,
        id: i64,
        form: &DocumentForm,
    ) -> Result<()> {
        let valid = self.validate(form)?;
        let old = self.stored_document(id).await?;
        let old_tags = self.ctx.store.article_tags(id).await?;
        let detail = edit_detail(&old, &old_tags, &valid);
        self.save_edit(actor, id, &valid, "article.update", &detail)
            .await
    }

    /// The one write path of an edit (the form, 模板化): row, tags, content hash, change-feed row
    /// and audit entry in one transaction. A text identical to another document's is refused.
    /// The near-duplicate fingerprint follows from the change-feed row
    /// ([`crate::desk::NearDuplicates::fingerprint_changes`]), which must read and hash the text anyway.
    pub(crate) async fn save_edit(
        &self,
        actor: &Member,
        id: i64,
        valid: &ValidDocument,
        action: &str,
        detail: &str,
    ) -> Result<()> {
        let edit = ArticleEdit {
            title: valid.title.clone(),
            body: valid.body(),
            published_on: valid.published_on.clone(),
            category: valid.category.clone(),
            tags: valid.tags.clone(),
            access: valid.access.as_str().to_owned(),
            status: valid.status.as_str().to_owned(),
            preview_ratio: valid.preview_ratio,
            preview_max: valid.preview_max,
            content_hash: valid.content_hash(),
        };
        let target = format!("article:{id}");
        let entry = audit_entry(actor, action, &target, detail);
        saved(
            self.ctx
                .store
                .update_article(id, &edit, &entry, self.ctx.now())
                .await?,
            id,
        )?;
        self.refresh.after_edit().await
    }

    /// Feature one document (推荐) or stop featuring it.
    pub async fn set_document_featured(
        &self,
        actor: &Member,
        id: i64,
        featured: bool,
    ) -> Result<()> {
        let old = self.stored_document(id).await?;
        let detail = format!(
            "{}「{}」",
            if featured {
                "设为推荐"
            } else {
                "取消推荐"
            },
            old.title
        );
        let target = format!("article:{id}");
        let entry = audit_entry(actor, "article.featured", &target, &detail);
        if !self
            .ctx
            .store
            .set_featured(id, featured, &entry, self.ctx.now())
            .await?
        {
            return Err(CoreError::NotFound(Missing::Document(id)));
        }
        self.refresh.after_edit().await
    }

    /// Publish, hide … one document.
    pub async fn set_document_status(&self, actor: &Member, id: i64, status: Status) -> Result<()> {
        let old = self.stored_document(id).await?;
        if old.status == status.as_str() {
            return Ok(());
        }
        let detail = format!("状态：{} → {status}", old.status);
        let target = format!("article:{id}");
        let entry = audit_entry(actor, "article.status", &target, &detail);
        if !self
            .ctx
            .store
            .set_article_status(id, status.as_str(), &entry, self.ctx.now())
            .await?
        {
            return Err(CoreError::NotFound(Missing::Document(id)));
        }
        self.refresh.after_edit().await
    }
}

/// `id` is the document written over (0 for a new one), for the "not found" error.
fn saved(outcome: SaveOutcome, id: i64) -> Result<i64> {
    match outcome {
        SaveOutcome::Saved(id) => Ok(id),
        SaveOutcome::SameAs(other) => Err(CoreError::Conflict(format!(
            "与 #{other} 内容相同：这篇文档已经存在，请改动后再保存或直接编辑 #{other}"
        ))),
        SaveOutcome::Missing => Err(CoreError::NotFound(Missing::Document(id))),
    }
}

/// What `wenyuan repair dates` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateRepair {
    /// Imported documents looked at.
    pub checked: usize,
    /// Given the date their text states (a date line under the title or in the 落款).
    pub dated: usize,
    /// Left without a date (their date was the import day and the text gives none).
    pub undated: usize,
}

/// Documents read per batch by the date repair.
const DATE_REPAIR_BATCH: i64 = 200;

impl Documents {
    /// Re-derive the dates of imported documents: one dated with its import day (the old
    /// fallback) or with no date gets the date its text states, else no date. A date that is
    /// not the import day came from the source and is kept. Each change is a store write with its
    /// change-feed row and an audit entry by the system.
    pub async fn repair_dates(&self) -> Result<DateRepair> {
        let offset = self.ctx.settings().utc_offset;
        let mut report = DateRepair::default();
        let mut after = 0;
        loop {
            let rows = self
                .ctx
                .store
                .imported_articles_after(after, DATE_REPAIR_BATCH)
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in rows {
                report.checked += 1;
                let import_day = crate::clock::local_date(row.created_at, offset).to_string();
                if !row.published_on.is_empty() && row.published_on != import_day {
                    continue;
                }
                let paragraphs = wenyuan_text::paragraphs_from_body(&row.body);
                let date = wenyuan_text::date::text_date(&paragraphs).unwrap_or_default();
                if date == row.published_on {
                    continue;
                }
                let target = format!("#{} {}", row.id, short(&row.title));
                let detail = format!(
                    "日期：{} → {}",
                    display_date(&row.published_on),
                    display_date(&date)
                );
                let entry = wenyuan_store::NewAuditEntry {
                    user_id: None,
                    user_name: crate::audit::SYSTEM_ACTOR,
                    action: "article.date_repair",
                    target: &target,
                    detail: &detail,
                };
                let now = self.ctx.now();
                if self
                    .ctx
                    .store
                    .set_article_date(row.id, &date, &entry, now)
                    .await?
                {
                    if date.is_empty() {
                        report.undated += 1;
                    } else {
                        report.dated += 1;
                    }
                }
            }
        }
        self.refresh.after_edit().await?;
        Ok(report)
    }
}

/// A stored date for the audit log: '' is 无日期.
fn display_date(date: &str) -> &str {
    if date.is_empty() {
        "无日期"
    } else {
        date
    }
}

/// An access level as the desk names it.
fn access_label(access: &str) -> &str {
    match access {
        "public" => "公开",
        "member" => "会员",
        "vip" => "VIP",
        other => other,
    }
}

/// A title cut for the audit log.
fn short(title: &str) -> String {
    let mut out: String = title.chars().take(40).collect();
    if title.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// What an edit changed, for the audit log: "状态：草稿 → 已发布；标题已改".
fn edit_detail(old: &ArticleRow, old_tags: &[String], new: &ValidDocument) -> String {
    let mut parts = Vec::new();
    if old.status != new.status.as_str() {
        parts.push(format!(
            "状态：{} → {}",
            Status::label_of(&old.status),
            new.status.label()
        ));
    }
    if old.title != new.title {
        parts.push(format!(
            "标题：{} → {}",
            short(&old.title),
            short(&new.title)
        ));
    }
    if old.body != new.body() {
        parts.push("正文已改".to_owned());
    }
    if old.access != new.access.as_str() {
        parts.push(format!(
            "权限：{} → {}",
            access_label(&old.access),
            access_label(new.access.as_str())
        ));
    }
    if old.category_name != new.category {
        parts.push(format!(
            "栏目：{} → {}",
            old.category_name.as_deref().unwrap_or("无"),
            new.category.as_deref().unwrap_or("无")
        ));
    }
    if old.published_on != new.published_on {
        parts.push(format!("日期：{} → {}", old.published_on, new.published_on));
    }
    let mut sorted_old = old_tags.to_vec();
    let mut sorted_new = new.tags.clone();
    sorted_old.sort();
    sorted_new.sort();
    if sorted_old != sorted_new {
        parts.push(format!("标签：{}", new.tags.join("，")));
    }
    if old.preview_ratio != new.preview_ratio || old.preview_max != new.preview_max {
        parts.push("预览长度已改".to_owned());
    }
    if parts.is_empty() {
        "无改动".to_owned()
    } else {
        parts.join("；")
    }
}
