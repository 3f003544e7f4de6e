//! Daily download quotas: how many files a member and a VIP may take away per site-local day
//! (settings `downloads.member`, `downloads.vip`; 0: none), counted per account in the
//! `downloads` table. Editors and admins have no limit; their downloads are recorded all the
//! same, for their 下载记录.

use chrono::Days;
use serde::Serialize;
use wenyuan_store::NewDownload;

use super::{Takeaway, TakeawayFile};
use crate::accounts::Member;
use crate::clock::local_midnight;
use crate::{Result, Role, SiteSettings};

/// Why a download was refused by the quota: what the reader's message says.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaReached {
    /// The reader's level, as the message names it (会员, VIP).
    pub level: &'static str,
    /// Files per day at that level; 0: this level cannot download at all.
    pub limit: i64,
    /// When the count starts again: `YYYY-MM-DD HH:MM`, site-local (the next midnight).
    pub resets_at: String,
    /// Seconds until then (`Retry-After`).
    pub retry_after: i64,
    /// The VIP's daily limit, when becoming VIP would give more.
    pub vip_limit: Option<i64>,
}

/// Files per day for `role` (`None`: no limit).
pub fn daily_limit(role: Role, site: &SiteSettings) -> Option<i64> {
    match role {
        Role::Guest | Role::Member => Some(i64::from(site.downloads_member)),
        Role::Vip => Some(i64::from(site.downloads_vip)),
        Role::Editor | Role::Admin => None,
    }
}

fn level_name(role: Role) -> &'static str {
    match role {
        Role::Vip => "VIP",
        _ => "会员",
    }
}

impl Takeaway {
    /// Count `file` against `member`'s quota of today and record it, or refuse it when today's
    /// quota is used up. A guest's download (a public document) has no account to count.
    pub async fn record_download(
        &self,
        member: Option<&Member>,
        file: &TakeawayFile,
    ) -> Result<std::result::Result<(), QuotaReached>> {
        let Some(member) = member else {
            return Ok(Ok(()));
        };
        let site = self.ctx.settings();
        let limit = daily_limit(member.role, &site);
        let today = self.ctx.local_today();
        let day = today.to_string();
        let download = NewDownload {
            user_id: member.id,
            article_id: file.id,
            format: file.format.extension(),
            day: &day,
            at: self.ctx.now(),
        };
        if self
            .ctx
            .store
            .record_download(&download, limit)
            .await?
            .is_some()
        {
            return Ok(Ok(()));
        }
        let limit = limit.unwrap_or_default();
        let resets = today
            .checked_add_days(Days::new(1))
            .map_or(i64::MAX, |next| local_midnight(next, site.utc_offset));
        let vip_limit = i64::from(site.downloads_vip);
        Ok(Err(QuotaReached {
            level: level_name(member.role),
            limit,
            resets_at: self.ctx.local_format(resets, "%Y-%m-%d %H:%M"),
            retry_after: (resets - self.ctx.now()).max(1),
            vip_limit: (member.role == Role::Member && vip_limit > limit).then_some(vip_limit),
        }))
    }

    /// Downloads `member` has left today (`None`: no limit, or a guest).
    pub async fn downloads_left(&self, member: Option<&Member>) -> Result<Option<i64>> {
        let Some(member) = member else {
            return Ok(None);
        };
        let Some(limit) = daily_limit(member.role, &self.ctx.settings()) else {
            return Ok(None);
        };
        let used = self
            .ctx
            .store
            .downloads_on_day(member.id, &self.ctx.local_today().to_string())
            .await?;
        Ok(Some((limit - used).max(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_has_its_limit_and_staff_none() {
        let site = SiteSettings {
            downloads_member: 10,
            downloads_vip: 100,
            ..SiteSettings::default()
        };
        assert_eq!(daily_limit(Role::Member, &site), Some(10));
        assert_eq!(daily_limit(Role::Vip, &site), Some(100));
        assert_eq!(daily_limit(Role::Editor, &site), None);
        assert_eq!(daily_limit(Role::Admin, &site), None);
        let closed = SiteSettings {
            downloads_member: 0,
            ..site
        };
        assert_eq!(daily_limit(Role::Member, &closed), Some(0));
    }
}
