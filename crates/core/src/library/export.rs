//! 导出我的数据 (PIPL): everything the site keeps about a member, as JSON. Documents no longer
//! published keep their place with their id and time, without a title.

use serde::Serialize;
use wenyuan_store::{LibraryRow, HISTORY_KEPT};

use super::{article_url, Library, DOWNLOADS_EXPORTED, FAVORITES_CAP};
use crate::accounts::Member;
use crate::error::Missing;
use crate::{CoreError, Result, Status};

#[derive(Debug, Clone, Serialize)]
pub struct MemberExport {
    /// RFC 3339, site-local.
    pub exported_at: String,
    pub account: ExportAccount,
    pub favorites: Vec<ExportFavorite>,
    pub history: Vec<ExportRead>,
    pub downloads: Vec<ExportDownload>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportAccount {
    pub id: i64,
    pub name: String,
    /// `member`, `vip`, `editor`, `admin`.
    pub role: String,
    pub created: String,
    /// When VIP ends, if it was ever granted.
    pub vip_until: Option<String>,
    /// The address for 忘记密码, if given at /me.
    pub email: Option<String>,
}

/// A document in the export: `title` and `url` are `None` when it is no longer published.
#[derive(Debug, Clone, Serialize)]
pub struct ExportFavorite {
    pub id: i64,
    pub title: Option<String>,
    pub url: Option<String>,
    pub favourited_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportRead {
    pub id: i64,
    pub title: Option<String>,
    pub url: Option<String>,
    pub read_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportDownload {
    pub id: i64,
    pub title: Option<String>,
    pub url: Option<String>,
    pub format: String,
    pub downloaded_at: String,
}

impl Library {
    /// The member's data as it is stored now.
    pub async fn export(&self, member: &Member) -> Result<MemberExport> {
        let store = &self.ctx.store;
        let user = store
            .user_by_id(member.id)
            .await?
            .ok_or(CoreError::NotFound(Missing::Member(member.id)))?;
        let vip_until = store.user_vip_until(member.id).await?;
        let email = store.user_email(member.id).await?;
        if let Err(err) = self.flush_reads().await {
            tracing::warn!(%err, "writing reading history before an export failed");
        }
        let favorites = store.favorites(member.id, FAVORITES_CAP).await?;
        let history = store.reading_history(member.id, HISTORY_KEPT).await?;
        let downloads = store
            .member_downloads(member.id, DOWNLOADS_EXPORTED)
            .await?;
        Ok(MemberExport {
            exported_at: self.rfc3339(self.ctx.now()),
            account: ExportAccount {
                id: user.id,
                name: user.name,
                role: user.role,
                created: self.rfc3339(user.created_at),
                vip_until: vip_until.map(|t| self.rfc3339(t)),
                email,
            },
            favorites: favorites
                .into_iter()
                .map(|row| {
                    let (title, url) = title_and_url(&row);
                    ExportFavorite {
                        id: row.article_id,
                        title,
                        url,
                        favourited_at: self.rfc3339(row.at),
                    }
                })
                .collect(),
            history: history
                .into_iter()
                .map(|row| {
                    let (title, url) = title_and_url(&row);
                    ExportRead {
                        id: row.article_id,
                        title,
                        url,
                        read_at: self.rfc3339(row.at),
                    }
                })
                .collect(),
            downloads: downloads
                .into_iter()
                .map(|row| {
                    let published = row.status == Status::Published.as_str();
                    ExportDownload {
                        id: row.article_id,
                        title: published.then_some(row.title),
                        url: published.then(|| article_url(row.article_id)),
                        format: row.format,
                        downloaded_at: self.rfc3339(row.at),
                    }
                })
                .collect(),
        })
    }
}

fn title_and_url(row: &LibraryRow) -> (Option<String>, Option<String>) {
    if row.status == Status::Published.as_str() {
        (Some(row.title.clone()), Some(article_url(row.article_id)))
    } else {
        (None, None)
    }
}
