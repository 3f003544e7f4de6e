//! A member's own library (`/me`): 我的收藏, 阅读历史, 下载记录, and the account's self-service —
//! changing the password, deleting the account, exporting one's data (PIPL).
//!
//! Lists carry titles and links only, never document text, so no gate is involved; documents no
//! longer published drop out of the lists (their titles are the desk's business now).

mod account;
mod export;
mod reads;

use std::sync::Arc;

use serde::Serialize;
use wenyuan_store::{FavoriteAdded, LibraryRow, HISTORY_KEPT};

pub use self::account::PasswordChange;
pub use self::export::{ExportAccount, ExportDownload, ExportFavorite, ExportRead, MemberExport};

use self::reads::PendingReads;
use crate::accounts::{Member, ACCOUNT_FAILURES, LOCKOUT_SECONDS};
use crate::context::Context;
use crate::limits::Lockout;
use crate::reading::Reading;
use crate::{CoreError, Result, Status};

/// Favourites a member may hold: enough for any real use, and it bounds the list.
pub const FAVORITES_CAP: i64 = 1_000;
/// Downloads the page lists (the export holds them all).
pub const DOWNLOADS_LISTED: i64 = 200;
/// Downloads the export holds at most (a VIP at the daily limit for years).
const DOWNLOADS_EXPORTED: i64 = 100_000;

/// One document in a member's list: its title, its link and when.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryItem {
    pub id: i64,
    pub title: String,
    /// The article page, as a path (`/a/12`).
    pub url: String,
    /// RFC 3339 in the site's time zone.
    pub at: String,
    /// `YYYY-MM-DD HH:MM`, site-local, for the page.
    pub at_text: String,
}

/// One line of 下载记录.
#[derive(Debug, Clone, Serialize)]
pub struct DownloadItem {
    pub id: i64,
    pub title: String,
    pub url: String,
    /// `docx`, `txt`.
    pub format: String,
    pub at: String,
    pub at_text: String,
}

/// Everything the `/me` page lists.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryOverview {
    pub favorites: Vec<LibraryItem>,
    pub history: Vec<LibraryItem>,
    pub downloads: Vec<DownloadItem>,
    pub history_kept: i64,
    pub favorites_cap: i64,
}

pub struct Library {
    ctx: Context,
    reading: Arc<Reading>,
    reads: PendingReads,
    /// Wrong passwords given to change the password or delete the account, per member: a stolen
    /// session must not become a way to guess the password.
    password_failures: Lockout,
}

impl Library {
    pub(crate) fn new(ctx: Context, reading: Arc<Reading>) -> Self {
        Library {
            ctx,
            reading,
            reads: PendingReads::default(),
            password_failures: Lockout::new("member-password", ACCOUNT_FAILURES, LOCKOUT_SECONDS),
        }
    }

    /// Favourite document `id`. Only published documents can be favourited (anything else is
    /// "not found", as on the page).
    pub async fn favorite(&self, member: &Member, id: i64) -> Result<()> {
        self.reading.readable_document(id, false).await?;
        match self
            .ctx
            .store
            .add_favorite(member.id, id, self.ctx.now(), FAVORITES_CAP)
            .await?
        {
            FavoriteAdded::Added | FavoriteAdded::Already => Ok(()),
            FavoriteAdded::Full => Err(CoreError::invalid(
                "favorite",
                format!("收藏已达上限 {FAVORITES_CAP} 篇，请先取消一些收藏"),
            )),
        }
    }

    /// Remove document `id` from the favourites (nothing happens when it is not one).
    pub async fn unfavorite(&self, member: &Member, id: i64) -> Result<()> {
        self.ctx.store.remove_favorite(member.id, id).await?;
        Ok(())
    }

    pub async fn is_favorite(&self, member: &Member, id: i64) -> Result<bool> {
        Ok(self.ctx.store.is_favorite(member.id, id).await?)
    }

    /// The member's favourites, the latest first.
    pub async fn favorites(&self, member: &Member) -> Result<Vec<LibraryItem>> {
        let rows = self.ctx.store.favorites(member.id, FAVORITES_CAP).await?;
        Ok(self.published_items(rows))
    }

    /// The member's last reads (at most [`HISTORY_KEPT`]), the latest first. Reads still waiting
    /// in memory are written first, so a document read a moment ago is there.
    pub async fn history(&self, member: &Member) -> Result<Vec<LibraryItem>> {
        if let Err(err) = self.flush_reads().await {
            // The list shows what is stored; the pending reads stay for the next flush.
            tracing::warn!(%err, "writing reading history before listing it failed");
        }
        let rows = self
            .ctx
            .store
            .reading_history(member.id, HISTORY_KEPT)
            .await?;
        Ok(self.published_items(rows))
    }

    /// The member's last downloads, the latest first.
    pub async fn downloads(&self, member: &Member) -> Result<Vec<DownloadItem>> {
        let rows = self
            .ctx
            .store
            .member_downloads(member.id, DOWNLOADS_LISTED)
            .await?;
        Ok(rows
            .into_iter()
            .filter(|row| row.status == Status::Published.as_str())
            .map(|row| DownloadItem {
                url: article_url(row.article_id),
                id: row.article_id,
                title: row.title,
                format: row.format,
                at: self.rfc3339(row.at),
                at_text: self.at_text(row.at),
            })
            .collect())
    }

    /// What the `/me` page lists.
    pub async fn overview(&self, member: &Member) -> Result<LibraryOverview> {
        Ok(LibraryOverview {
            favorites: self.favorites(member).await?,
            history: self.history(member).await?,
            downloads: self.downloads(member).await?,
            history_kept: HISTORY_KEPT,
            favorites_cap: FAVORITES_CAP,
        })
    }

    /// Note that a member read document `id` (memory only; see [`reads`]).
    pub fn record_read(&self, member: &Member, id: i64) {
        self.reads.note(member.id, id, self.ctx.now());
    }

    /// Write the noted reads. On failure they stay noted for the next try. Returns how many
    /// were written.
    pub async fn flush_reads(&self) -> Result<usize> {
        let batch = self.reads.take();
        if batch.is_empty() {
            return Ok(0);
        }
        match self.ctx.store.record_reads(&batch).await {
            Ok(()) => Ok(batch.len()),
            Err(err) => {
                self.reads.restore(batch);
                Err(err.into())
            }
        }
    }

    fn published_items(&self, rows: Vec<LibraryRow>) -> Vec<LibraryItem> {
        rows.into_iter()
            .filter(|row| row.status == Status::Published.as_str())
            .map(|row| LibraryItem {
                url: article_url(row.article_id),
                id: row.article_id,
                title: row.title,
                at: self.rfc3339(row.at),
                at_text: self.at_text(row.at),
            })
            .collect()
    }

    fn rfc3339(&self, unix_seconds: i64) -> String {
        self.ctx.local_format(unix_seconds, "%Y-%m-%dT%H:%M:%S%:z")
    }

    fn at_text(&self, unix_seconds: i64) -> String {
        self.ctx.local_format(unix_seconds, "%Y-%m-%d %H:%M")
    }
}

fn article_url(id: i64) -> String {
    format!("/a/{id}")
}
