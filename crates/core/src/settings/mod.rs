//! Site-wide settings that the services need. The binary fills them from flags, `WENYUAN_*`
//! variables and the config file; tests build them directly.

use chrono::{FixedOffset, Offset, Utc};

pub mod contact;
pub mod editable;
pub mod rules;
pub mod smtp;

pub use self::contact::{ContactInfo, WechatAccount, WechatQr};
pub use self::editable::{SettingsForm, SettingsService};
pub use self::smtp::SmtpSettings;
use crate::Access;

#[derive(Debug, Clone)]
pub struct SiteSettings {
    /// Shown in the header and the page titles.
    pub site_name: String,
    /// Canonical absolute URL of the site without a trailing slash (e.g. `https://example.com`);
    /// `None` means "derive from the request". A `https` base URL makes cookies `Secure`.
    pub base_url: Option<String>,
    /// Share of a gated document's characters a guest may read.
    pub preview_ratio: f64,
    /// Upper bound of the preview, in characters.
    pub preview_max_chars: usize,
    /// Whether visitors may create accounts at `/register`.
    pub registration_open: bool,
    /// Access level given to imported documents that name none.
    pub default_access: Access,
    /// The site's time zone, as a fixed offset (Asia/Shanghai, the default, has no DST).
    pub utc_offset: FixedOffset,
    /// How long a login lasts.
    pub session_days: i64,
    /// Documents per list page.
    pub page_size: i64,
    /// The 微信订阅号 shown in the sidebar and on `/contact`; `None` hides the block.
    pub wechat: Option<WechatAccount>,
    /// Contact methods (联系客服) shown in the sidebar and on `/contact`.
    pub contact: ContactInfo,
    /// Whether the server sits behind a reverse proxy whose `X-Forwarded-For` names the client.
    /// Off by default: a client could otherwise claim any address and slip past rate limits.
    pub trust_proxy: bool,
    /// Without `base_url`, the host names (lowercase, optionally with `:port`) whose `Host`
    /// header share links and QR codes may name, besides the address the server listens on. Any
    /// other `Host` gets the listen address: a request must not put a stranger's site into a page
    /// or a QR code.
    pub allowed_hosts: Vec<String>,
    /// Largest SimHash distance (bits of 64) at which an imported document counts as a
    /// near-duplicate of a stored one and is held as `pending`; at most
    /// `wenyuan_store::MAX_INDEXED_DISTANCE`. 0 holds only documents whose words are the same.
    pub near_duplicate_distance: u32,
    /// Files a member may download per site-local day; 0: none.
    pub downloads_member: u32,
    /// Files a VIP may download per site-local day; 0: none. Editors and admins have no limit.
    pub downloads_vip: u32,
    /// Searches for words one client address may make per minute (suggestions: four times as
    /// many); 0 turns the limit off (e.g. for a load test).
    pub search_per_minute: usize,
    /// URLs per sitemap file (`/sitemaps/{n}.xml`), at most 50,000 (sitemaps.org); tests set
    /// fewer to see several files.
    pub sitemap_urls: i64,
    /// ICP备案号 shown in every page's footer, linked to the MIIT 备案 site; `None` hides it.
    pub icp_beian: Option<String>,
    /// 公安备案号 shown in every page's footer; `None` hides it.
    pub police_beian: Option<String>,
    /// The home page's `<meta name="description">`.
    pub description: Option<String>,
    /// The home page's `<meta name="keywords">`.
    pub keywords: Option<String>,
    /// The SMTP server for 忘记密码 mails; `None` (the default): no mail, the login page points
    /// to the admin instead.
    pub smtp: Option<SmtpSettings>,
    /// Search-engine push (Baidu 普通收录): the endpoint new URLs are sent to; `None` turns push
    /// off. Needs `push_token` and `base_url` (see [`crate::seo::push`]).
    pub push_endpoint: Option<String>,
    /// The push endpoint's token.
    pub push_token: Option<String>,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            site_name: "文渊".to_owned(),
            base_url: None,
            preview_ratio: 0.3,
            preview_max_chars: 1500,
            registration_open: true,
            default_access: Access::Public,
            utc_offset: shanghai(),
            session_days: 30,
            page_size: 20,
            wechat: None,
            contact: ContactInfo::default(),
            trust_proxy: false,
            allowed_hosts: Vec::new(),
            near_duplicate_distance: crate::desk::near_duplicates::DEFAULT_MAX_DISTANCE,
            downloads_member: 10,
            downloads_vip: 100,
            search_per_minute: 60,
            sitemap_urls: crate::seo::SITEMAP_MAX_URLS,
            icp_beian: None,
            police_beian: None,
            description: None,
            keywords: None,
            smtp: None,
            push_endpoint: None,
            push_token: None,
        }
    }
}

impl SiteSettings {
    pub fn secure_cookies(&self) -> bool {
        self.base_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}

/// UTC+8, the offset of Asia/Shanghai all year round.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Parse an offset such as `+08:00`, `-05:30` or `8`.
pub fn parse_utc_offset(text: &str) -> Result<FixedOffset, String> {
    let text = text.trim();
    let bad = || format!("bad time-zone offset {text:?}: use e.g. +08:00");
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: i32 = hours.parse().map_err(|_| bad())?;
    let minutes: i32 = minutes.parse().map_err(|_| bad())?;
    if hours > 14 || minutes > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse_in_the_usual_spellings() {
        assert_eq!(parse_utc_offset("+08:00").unwrap(), shanghai());
        assert_eq!(parse_utc_offset("8").unwrap(), shanghai());
        assert_eq!(
            parse_utc_offset("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 30 * 60)
        );
        assert!(parse_utc_offset("Asia/Shanghai").is_err());
        assert!(parse_utc_offset("+25").is_err());
    }
}
