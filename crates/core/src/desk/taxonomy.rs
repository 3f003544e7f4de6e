//! Categories and tags at the desk: checks and audit details around the store's transactions.

use serde::Serialize;
use wenyuan_store::{
    base_slug, AdminCategoryRow, AdminTagRow, CategoryDeletion, CategoryFields, SlugKind,
    StoreError,
};

use super::Refresh;
use crate::accounts::Member;
use crate::audit::audit_entry;
use crate::context::Context;
use crate::error::Missing;
use crate::{CoreError, Result};

const MAX_NAME_CHARS: usize = 32;
const MAX_SLUG_CHARS: usize = 64;
/// Tags listed on the taxonomy page at most (the name filter finds the rest).
pub const TAGS_SHOWN: i64 = 300;

#[derive(Debug, Clone, Serialize)]
pub struct CategoryAdmin {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub sort: i64,
    pub articles: i64,
    pub published: i64,
    /// The category it sits under (上级栏目), `None` at the top level.
    pub parent_id: Option<i64>,
}

impl From<AdminCategoryRow> for CategoryAdmin {
    fn from(r: AdminCategoryRow) -> Self {
        CategoryAdmin {
            id: r.id,
            name: r.name,
            slug: r.slug,
            sort: r.sort,
            articles: r.articles,
            published: r.published,
            parent_id: r.parent_id,
        }
    }
}

/// `parent` as a parent of `id` (`None`: a new category): it must exist and must not be the
/// category itself or one under it, which would make a loop the menu could never show.
fn check_parent(categories: &[CategoryAdmin], id: Option<i64>, parent: i64) -> Result<()> {
    let Some(found) = categories.iter().find(|c| c.id == parent) else {
        return Err(CoreError::invalid("parent", "上级栏目不存在".to_owned()));
    };
    let Some(id) = id else { return Ok(()) };
    // Walk up from the proposed parent; meeting `id` means `parent` is `id` or under it.
    let mut at = Some(found);
    let mut steps = 0;
    while let Some(category) = at {
        if category.id == id {
            return Err(CoreError::invalid(
                "parent",
                "上级栏目不能是它自己或它下面的栏目".to_owned(),
            ));
        }
        steps += 1;
        if steps > categories.len() {
            break;
        }
        at = category
            .parent_id
            .and_then(|p| categories.iter().find(|c| c.id == p));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct TagAdmin {
    pub id: i64,
    pub name: String,
    /// Its URL is `/t/{slug}`.
    pub slug: String,
    pub articles: i64,
}

impl From<AdminTagRow> for TagAdmin {
    fn from(r: AdminTagRow) -> Self {
        TagAdmin {
            id: r.id,
            slug: r.slug.unwrap_or_else(|| r.name.clone()),
            name: r.name,
            articles: r.articles,
        }
    }
}

/// The slug a category gets when the editor leaves it empty: the name's pinyin, word by word
/// (政府工作报告 → zhengfu-gongzuo-baogao), numbered by the store when taken.
pub fn default_slug(name: &str) -> String {
    base_slug(SlugKind::Category, name)
}

fn check_name(what: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CoreError::invalid("name", format!("{what}名称不能为空")));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(CoreError::invalid(
            "name",
            format!("{what}名称太长，请控制在 {MAX_NAME_CHARS} 字以内"),
        ));
    }
    Ok(name.to_owned())
}

/// The slug the editor typed, lowercased; `None` when left empty (the pinyin is made then).
/// Slugs are ASCII (lowercase letters, digits, hyphens), as the pinyin ones are, so every
/// category URL reads the same in any browser or chat app.
fn check_slug(slug: &str) -> Result<Option<String>> {
    let slug = slug.trim().to_ascii_lowercase();
    if slug.is_empty() {
        return Ok(None);
    }
    if slug.chars().count() > MAX_SLUG_CHARS
        || slug.starts_with('-')
        || slug.ends_with('-')
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(CoreError::invalid(
            "name",
            format!(
                "网址别名「{slug}」只能用小写字母、数字和连字符（如 zhengfu-gongzuo-baogao），且不超过 {MAX_SLUG_CHARS} 个字符；留空则自动用拼音"
            ),
        ));
    }
    Ok(Some(slug))
}

fn taken(err: CoreError, what: &str) -> CoreError {
    match err {
        CoreError::Conflict(_) => CoreError::Conflict(format!("{what}已被使用，请换一个")),
        other => other,
    }
}

/// Categories and tags at the desk.
pub struct Taxonomy {
    ctx: Context,
    refresh: Refresh,
}

impl Taxonomy {
    pub(crate) fn new(ctx: Context, refresh: Refresh) -> Self {
        Taxonomy { ctx, refresh }
    }

    pub async fn categories(&self) -> Result<Vec<CategoryAdmin>> {
        Ok(self
            .ctx
            .store
            .admin_categories()
            .await?
            .into_iter()
            .map(CategoryAdmin::from)
            .collect())
    }

    pub async fn tags(&self, name: Option<&str>) -> Result<Vec<TagAdmin>> {
        Ok(self
            .ctx
            .store
            .admin_tags(name, TAGS_SHOWN)
            .await?
            .into_iter()
            .map(TagAdmin::from)
            .collect())
    }

    /// A new category from the desk's form (`input.slug` as typed: empty for the name's pinyin).
    pub async fn create_category(&self, actor: &Member, input: &CategoryFields<'_>) -> Result<i64> {
        let CategoryFields { sort, parent, .. } = *input;
        let name = check_name("栏目", input.name)?;
        let slug = check_slug(input.slug)?;
        if let Some(parent) = parent {
            check_parent(&self.categories().await?, None, parent)?;
        }
        let shown = slug.clone().unwrap_or_else(|| default_slug(&name));
        let detail = format!("新建栏目「{name}」（{shown}）");
        let entry = audit_entry(actor, "category.create", "", &detail);
        let (id, _) = self
            .ctx
            .store
            .create_category(&name, slug.as_deref(), sort, parent, &entry, self.ctx.now())
            .await
            .map_err(|e| taken(e.into(), "栏目名称或网址别名"))?;
        self.ctx.bump_generation();
        Ok(id)
    }

    pub async fn update_category(
        &self,
        actor: &Member,
        id: i64,
        input: &CategoryFields<'_>,
    ) -> Result<()> {
        let CategoryFields { sort, parent, .. } = *input;
        let name = check_name("栏目", input.name)?;
        let categories = self.categories().await?;
        let old = categories
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or(CoreError::NotFound(Missing::Category(id.to_string())))?;
        if let Some(parent) = parent {
            check_parent(&categories, Some(id), parent)?;
        }
        let name_of = |id: Option<i64>| {
            id.and_then(|id| categories.iter().find(|c| c.id == id))
                .map_or_else(|| "顶级".to_owned(), |c| format!("「{}」", c.name))
        };
        // Cleared: the name's pinyin (the old slug keeps answering with a 301).
        let slug = check_slug(input.slug)?.unwrap_or_else(|| default_slug(&name));
        let mut changes = Vec::new();
        if old.name != name {
            changes.push(format!("名称：{} → {name}", old.name));
        }
        if old.slug != slug {
            changes.push(format!("别名：{} → {slug}", old.slug));
        }
        if old.sort != sort {
            changes.push(format!("排序：{} → {sort}", old.sort));
        }
        if old.parent_id != parent {
            changes.push(format!(
                "上级栏目：{} → {}",
                name_of(old.parent_id),
                name_of(parent)
            ));
        }
        let detail = if changes.is_empty() {
            "无改动".to_owned()
        } else {
            changes.join("；")
        };
        let action = if old.name != name {
            "category.rename"
        } else {
            "category.update"
        };
        let target = format!("category:{id}");
        let entry = audit_entry(actor, action, &target, &detail);
        self.ctx
            .store
            .update_category(
                id,
                &CategoryFields {
                    name: &name,
                    slug: &slug,
                    sort,
                    parent,
                },
                &entry,
                self.ctx.now(),
            )
            .await
            .map_err(|e| taken(e.into(), "栏目名称或网址别名"))?;
        // A category moved under another changes menus and crumbs even when it holds no
        // document itself (no change-feed row then).
        self.ctx.bump_generation();
        self.refresh.after_edit().await
    }

    /// Delete a category; a category with documents needs `move_to`, the category they go to.
    pub async fn delete_category(
        &self,
        actor: &Member,
        id: i64,
        move_to: Option<i64>,
    ) -> Result<()> {
        let categories = self.categories().await?;
        let old = categories
            .iter()
            .find(|c| c.id == id)
            .ok_or(CoreError::NotFound(Missing::Category(id.to_string())))?;
        let into = move_to.and_then(|to| categories.iter().find(|c| c.id == to));
        if move_to.is_some() && into.is_none() {
            return Err(CoreError::invalid("name", "要移入的栏目不存在".to_owned()));
        }
        let detail = match into {
            Some(into) if old.articles > 0 => format!(
                "删除栏目「{}」，{} 篇文档移到「{}」",
                old.name, old.articles, into.name
            ),
            _ => format!("删除栏目「{}」", old.name),
        };
        let target = format!("category:{id}");
        let entry = audit_entry(actor, "category.delete", &target, &detail);
        match self
            .ctx
            .store
            .delete_category(id, move_to, &entry, self.ctx.now())
            .await?
        {
            CategoryDeletion::Deleted => {
                // An empty category leaves no change-feed row, but the menu and the crumbs of
                // the categories it held change: move this process's generation.
                self.ctx.bump_generation();
                self.refresh.after_edit().await
            }
            CategoryDeletion::NotEmpty(n) => Err(CoreError::invalid(
                "name",
                format!(
                    "栏目「{}」里还有 {n} 篇文档：请选择把它们移到哪个栏目，再删除",
                    old.name
                ),
            )),
            CategoryDeletion::Missing => {
                Err(CoreError::NotFound(Missing::Category(id.to_string())))
            }
        }
    }

    async fn tag_named(&self, id: i64) -> Result<String> {
        self.ctx
            .store
            .tag_name(id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Tag(id)))
    }

    /// Rename a tag; `slug` empty gives it the new name's pinyin (the old slug answers 301).
    pub async fn rename_tag(&self, actor: &Member, id: i64, name: &str, slug: &str) -> Result<()> {
        let name = check_name("标签", name)?;
        let slug = check_slug(slug)?;
        let old = self.tag_named(id).await?;
        let detail = match &slug {
            Some(slug) => format!("{old} → {name}（{slug}）"),
            None => format!("{old} → {name}"),
        };
        let target = format!("tag:{id}");
        let entry = audit_entry(actor, "tag.rename", &target, &detail);
        self.ctx
            .store
            .rename_tag(id, &name, slug.as_deref(), &entry, self.ctx.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict { what: "tag slug" } => {
                    CoreError::Conflict("网址别名已被其他标签使用，请换一个".to_owned())
                }
                StoreError::Conflict { .. } => CoreError::Conflict(format!(
                    "标签「{name}」已经存在：要把两个标签并成一个，请用“合并”"
                )),
                other => other.into(),
            })?;
        self.refresh.after_edit().await
    }

    /// Merge tag `id` into the tag named `into` (which must exist).
    pub async fn merge_tag(&self, actor: &Member, id: i64, into: &str) -> Result<()> {
        let into = into.trim();
        let old = self.tag_named(id).await?;
        let into_id = self.ctx.store.tag_id(into).await?.ok_or_else(|| {
            CoreError::invalid(
                "name",
                format!("没有标签「{into}」：合并的目标必须是已有标签（只想改名请用“改名”）"),
            )
        })?;
        if into_id == id {
            return Err(CoreError::invalid(
                "name",
                "不能把标签合并到它自己".to_owned(),
            ));
        }
        let detail = format!("{old} 并入 {into}");
        let target = format!("tag:{id}");
        let entry = audit_entry(actor, "tag.merge", &target, &detail);
        if !self
            .ctx
            .store
            .merge_tag(id, into_id, &entry, self.ctx.now())
            .await?
        {
            return Err(CoreError::NotFound(Missing::Tag(id)));
        }
        self.refresh.after_edit().await
    }

    pub async fn delete_tag(&self, actor: &Member, id: i64) -> Result<()> {
        let old = self.tag_named(id).await?;
        let detail = format!("删除标签「{old}」");
        let target = format!("tag:{id}");
        let entry = audit_entry(actor, "tag.delete", &target, &detail);
        if !self
            .ctx
            .store
            .delete_tag(id, &entry, self.ctx.now())
            .await?
        {
            return Err(CoreError::NotFound(Missing::Tag(id)));
        }
        self.refresh.after_edit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_default_to_pinyin_and_are_ascii() {
        assert_eq!(default_slug("讲话稿"), "jianghuagao");
        assert_eq!(default_slug("工作总结"), "gongzuo-zongjie");
        assert_eq!(check_slug("").unwrap(), None);
        assert_eq!(check_slug(" Work-Report ").unwrap().unwrap(), "work-report");
        assert!(check_slug("a/b").is_err());
        assert!(check_slug("a b").is_err());
        assert!(check_slug("讲话稿").is_err());
        assert!(check_slug("-x").is_err());
    }
}
