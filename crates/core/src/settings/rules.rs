//! The one definition of every site setting: its file key, default, allowed values and the message
//! for a bad value. The config (flags, `WENYUAN_*` variables, `wenyuan.toml`) and the admin's form
//! at `/admin/settings` both call these validators, so a value one accepts the other accepts too
//! (an admin can always re-save the form filled with the configured values).
//!
//! Flags and variables are declared with clap in the binary's `cli.rs`, because core must not
//! depend on clap; they point here.

use std::path::Path;

use chrono::FixedOffset;

use super::{ContactInfo, WechatQr};
use crate::Access;

/// Share of a gated document a guest may read: a fraction, both ends allowed.
pub const PREVIEW_RATIO_MIN: f64 = 0.0;
pub const PREVIEW_RATIO_MAX: f64 = 1.0;
/// Upper bound of the preview, in characters (a long report is some tens of thousands).
pub const PREVIEW_MAX_CHARS_LIMIT: usize = 100_000;
/// Longest site name: it has to fit the header.
pub const SITE_NAME_MAX_CHARS: usize = 40;
/// Longest URL (base URL, QR link): a QR of a longer one is hard to scan from a screen.
pub const URL_MAX_CHARS: usize = 1000;
/// Longest one-line text (订阅号 name and hint, contact fields): they sit in a narrow sidebar.
pub const SHORT_TEXT_MAX_CHARS: usize = 100;
/// Shortest login; a smaller configured value is raised to it rather than refused.
pub const SESSION_DAYS_MIN: i64 = 1;
/// Documents per list page; a value outside is clamped rather than refused.
pub const PAGE_SIZE_MIN: i64 = 1;
pub const PAGE_SIZE_MAX: i64 = 200;
/// Most downloads a level may be given per day (a limit that high is no limit in practice).
pub const DAILY_DOWNLOADS_MAX: u32 = 100_000;
/// Farthest near-duplicate distance: the store indexes candidates no farther apart.
pub const NEAR_DUPLICATE_DISTANCE_MAX: u32 = wenyuan_store::MAX_INDEXED_DISTANCE;

/// One setting as the README's configuration table and the admin's form know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingSpec {
    /// Key in `wenyuan.toml` (a dotted key is in a table, e.g. `contact.phone`).
    pub file_key: &'static str,
    /// The flag / variable pair, when there is one (declared in `cli.rs`).
    pub flag: Option<(&'static str, &'static str)>,
    /// The default as the README writes it.
    pub default: &'static str,
    /// Field of the admin's form at `/admin/settings`, when the desk edits the setting.
    pub form_field: Option<&'static str>,
    /// Key in the `settings` table where the desk stores it (`site.` + this).
    pub stored_key: Option<&'static str>,
    /// What it means, in one line.
    pub doc: &'static str,
}

const fn spec(file_key: &'static str, default: &'static str, doc: &'static str) -> SettingSpec {
    SettingSpec {
        file_key,
        flag: None,
        default,
        form_field: None,
        stored_key: None,
        doc,
    }
}

const fn desk(
    file_key: &'static str,
    default: &'static str,
    form_field: &'static str,
    stored_key: &'static str,
    doc: &'static str,
) -> SettingSpec {
    SettingSpec {
        form_field: Some(form_field),
        stored_key: Some(stored_key),
        ..spec(file_key, default, doc)
    }
}

/// Every site setting. The desk edits those with a `form_field`; the rest stay with the
/// configuration (time zone, session length, page size, proxy trust, a QR image file).
pub const SETTINGS: &[SettingSpec] = &[
    desk(
        "site_name",
        "文渊",
        "site_name",
        "name",
        "name in the header",
    ),
    SettingSpec {
        flag: Some(("--base-url", "WENYUAN_BASE_URL")),
        ..desk(
            "base_url",
            "from the request",
            "base_url",
            "base_url",
            "public URL; `https://` makes cookies `Secure`",
        )
    },
    desk(
        "preview_ratio",
        "0.3",
        "preview_ratio",
        "preview_ratio",
        "share of a gated document a guest sees",
    ),
    desk(
        "preview_max_chars",
        "1500",
        "preview_max_chars",
        "preview_max_chars",
        "upper bound of the preview",
    ),
    desk(
        "registration",
        "true",
        "registration_open",
        "registration_open",
        "whether visitors may register",
    ),
    desk(
        "default_access",
        "public",
        "default_access",
        "default_access",
        "access of imported documents that name none",
    ),
    spec("utc_offset", "+08:00", "the site's time zone"),
    spec("session_days", "30", "how long a login lasts"),
    spec("page_size", "20", "documents per list page"),
    spec(
        "trust_proxy",
        "false",
        "take the client's address from `X-Forwarded-For`",
    ),
    spec(
        "allowed_hosts",
        "[]",
        "without `base_url`: host names a request's `Host` may give share links and QR codes",
    ),
    spec(
        "near_duplicate_distance",
        "3",
        "largest SimHash distance at which an import is held as a near-duplicate",
    ),
    spec(
        "search_per_minute",
        "60",
        "searches per client address per minute; 0: no limit",
    ),
    desk(
        "wechat.name",
        "",
        "wechat_name",
        "wechat_name",
        "the 微信订阅号's name",
    ),
    desk(
        "wechat.hint",
        "",
        "wechat_hint",
        "wechat_hint",
        "a line under the QR",
    ),
    desk(
        "wechat.qr_url",
        "",
        "wechat_qr_url",
        "wechat_qr_url",
        "a link shown as a QR",
    ),
    spec("wechat.qr_image", "", "a QR image file in the data folder"),
    desk(
        "contact.phone",
        "",
        "contact_phone",
        "contact.phone",
        "客服电话",
    ),
    desk(
        "contact.email",
        "",
        "contact_email",
        "contact.email",
        "客服邮箱",
    ),
    desk(
        "contact.wechat",
        "",
        "contact_wechat",
        "contact.wechat",
        "客服微信",
    ),
    desk("contact.qq", "", "contact_qq", "contact.qq", "客服 QQ"),
    desk(
        "downloads.member",
        "10",
        "downloads_member",
        "downloads.member",
        "downloads a member may make per site-local day (0: none)",
    ),
    desk(
        "downloads.vip",
        "100",
        "downloads_vip",
        "downloads.vip",
        "downloads a VIP may make per site-local day (0: none); staff have no limit",
    ),
    desk(
        "contact.hours",
        "",
        "contact_hours",
        "contact.hours",
        "服务时间",
    ),
    desk(
        "icp_beian",
        "",
        "icp_beian",
        "icp_beian",
        "ICP备案号 in every page's footer, linked to beian.miit.gov.cn",
    ),
    desk(
        "police_beian",
        "",
        "police_beian",
        "police_beian",
        "公安备案号 in every page's footer",
    ),
    desk(
        "description",
        "",
        "site_description",
        "description",
        "the home page's meta description",
    ),
    desk(
        "keywords",
        "",
        "site_keywords",
        "keywords",
        "the home page's meta keywords",
    ),
    desk(
        "smtp.host",
        "",
        "smtp_host",
        "smtp.host",
        "SMTP server for 忘记密码 mails (plain SMTP, e.g. a local relay); blank: no mail",
    ),
    desk("smtp.port", "25", "smtp_port", "smtp.port", "its port"),
    desk(
        "smtp.from",
        "",
        "smtp_from",
        "smtp.from",
        "the mails' sender address",
    ),
    desk(
        "smtp.user",
        "",
        "smtp_user",
        "smtp.user",
        "login for SMTP AUTH, if the server asks",
    ),
    desk(
        "smtp.password",
        "",
        "smtp_password",
        "smtp.password",
        "its password",
    ),
    desk(
        "push.endpoint",
        "",
        "push_endpoint",
        "push.endpoint",
        "search-engine push (Baidu 普通收录) endpoint, e.g. http://data.zz.baidu.com/urls",
    ),
    desk(
        "push.token",
        "",
        "push_token",
        "push.token",
        "the push endpoint's token; new documents' URLs are sent as `?site={base_url}&token=…`",
    ),
];

/// The search-engine push (普通收录) endpoint and its token: both set, or both blank. Only
/// `http://` endpoints: the server carries no TLS client, and Baidu's API is served over HTTP
/// (`http://data.zz.baidu.com/urls`). Returns (endpoint, token).
pub fn push_target(endpoint: &str, token: &str) -> Checked<(Option<String>, Option<String>)> {
    let endpoint = one_line(endpoint);
    let token = short_text("推送令牌", "push.token", token)?;
    if endpoint.is_empty() {
        return match token {
            Some(_) => bad(
                "填了推送令牌，还要填推送接口地址".to_owned(),
                "push.token needs push.endpoint".to_owned(),
            ),
            None => Ok((None, None)),
        };
    }
    check_url("推送接口地址", "push.endpoint", &endpoint)?;
    if !endpoint.starts_with("http://") {
        return bad(
            format!("推送接口地址暂只支持 http:// 开头的地址（如百度普通收录的 http://data.zz.baidu.com/urls），而不是“{endpoint}”"),
            format!("push.endpoint {endpoint:?} must start with http:// (no TLS client is built in)"),
        );
    }
    if token.is_none() {
        return bad(
            "填了推送接口地址，还要填推送令牌（token）".to_owned(),
            "push.endpoint needs push.token".to_owned(),
        );
    }
    Ok((Some(endpoint), token))
}

/// The footer's 备案 numbers and the home page's meta texts: one line each, blank unset. Returns
/// (icp_beian, police_beian, description, keywords).
pub fn site_texts(
    icp: &str,
    police: &str,
    description: &str,
    keywords: &str,
) -> Checked<[Option<String>; 4]> {
    Ok([
        short_text("ICP备案号", "icp_beian", icp)?,
        short_text("公安备案号", "police_beian", police)?,
        short_text("站点简介", "description", description)?,
        short_text("站点关键词", "keywords", keywords)?,
    ])
}

/// The spec of the form field `field`, so the desk's storage keys come from the table.
pub fn by_form_field(field: &str) -> Option<&'static SettingSpec> {
    SETTINGS.iter().find(|s| s.form_field == Some(field))
}

/// A value a setting does not accept: the desk shows `zh` to the admin, the CLI prints `en`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSetting {
    pub zh: String,
    pub en: String,
}

impl std::fmt::Display for BadSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for BadSetting {}

type Checked<T> = Result<T, BadSetting>;

fn bad<T>(zh: String, en: String) -> Checked<T> {
    Err(BadSetting { zh, en })
}

/// One line: control characters become spaces, then trimmed.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `site_name`: required, one line, at most [`SITE_NAME_MAX_CHARS`].
pub fn site_name(text: &str) -> Checked<String> {
    let name = one_line(text);
    if name.is_empty() {
        return bad(
            "请填写站点名称".to_owned(),
            "site_name must not be empty".to_owned(),
        );
    }
    if name.chars().count() > SITE_NAME_MAX_CHARS {
        return bad(
            format!("站点名称不能超过 {SITE_NAME_MAX_CHARS} 个字"),
            format!("site_name must be at most {SITE_NAME_MAX_CHARS} characters"),
        );
    }
    Ok(name)
}

/// `base_url`: blank means "derive from the request"; else an http(s) URL, without the
/// trailing slash.
/// One entry of `allowed_hosts`: a host name or address, optionally with `:port`, lowercased.
pub fn allowed_host(text: &str) -> Checked<String> {
    let host = text.trim().to_ascii_lowercase();
    let plausible = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !plausible {
        return bad(
            format!("允许的主机名“{host}”无效：只写主机名（可带 :端口），如 fanwen.example.com"),
            format!("allowed host {host:?} is not a host name (with an optional :port)"),
        );
    }
    Ok(host)
}

pub fn base_url(text: &str) -> Checked<Option<String>> {
    let url = one_line(text).trim_end_matches('/').to_owned();
    if url.is_empty() {
        return Ok(None);
    }
    check_url("站点网址", "base URL", &url)?;
    Ok(Some(url))
}

fn check_url(label_zh: &str, label_en: &str, url: &str) -> Checked<()> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !host.contains(char::is_whitespace)
    });
    if !host_ok {
        return bad(
            format!("{label_zh}应以 http:// 或 https:// 开头并带有域名，而不是“{url}”"),
            format!("{label_en} {url:?} must start with http:// or https:// and name a host"),
        );
    }
    if url.chars().count() > URL_MAX_CHARS || url.contains(char::is_whitespace) {
        return bad(
            format!("{label_zh}不能含空格，且不能超过 {URL_MAX_CHARS} 个字符"),
            format!("{label_en} must have no spaces and at most {URL_MAX_CHARS} characters"),
        );
    }
    Ok(())
}

/// `preview_ratio` as typed in the form.
pub fn preview_ratio_text(text: &str) -> Checked<f64> {
    let text = one_line(text);
    match text.parse::<f64>() {
        Ok(ratio) => preview_ratio_shown(ratio, &text),
        Err(_) => bad_ratio(&text),
    }
}

/// `preview_ratio` as a number (the TOML file): between 0 and 1, both allowed.
pub fn preview_ratio(ratio: f64) -> Checked<f64> {
    preview_ratio_shown(ratio, &ratio.to_string())
}

fn preview_ratio_shown(ratio: f64, shown: &str) -> Checked<f64> {
    // NaN is in no range, so this refuses it too.
    if (PREVIEW_RATIO_MIN..=PREVIEW_RATIO_MAX).contains(&ratio) {
        Ok(ratio)
    } else {
        bad_ratio(shown)
    }
}

fn bad_ratio<T>(shown: &str) -> Checked<T> {
    bad(
        format!(
            "试读比例应为 {PREVIEW_RATIO_MIN} 到 {PREVIEW_RATIO_MAX} 之间的小数（如 0.3），而不是“{shown}”"
        ),
        format!(
            "preview_ratio must be between {PREVIEW_RATIO_MIN} and {PREVIEW_RATIO_MAX}, not {shown}"
        ),
    )
}

/// `preview_max_chars` as typed in the form.
pub fn preview_max_chars_text(text: &str) -> Checked<usize> {
    let text = one_line(text);
    match text.parse::<usize>() {
        Ok(max) => preview_max_chars_shown(max, &text),
        Err(_) => bad_max_chars(&text),
    }
}

/// `preview_max_chars` as a number: at most [`PREVIEW_MAX_CHARS_LIMIT`].
pub fn preview_max_chars(max: usize) -> Checked<usize> {
    preview_max_chars_shown(max, &max.to_string())
}

fn preview_max_chars_shown(max: usize, shown: &str) -> Checked<usize> {
    if max <= PREVIEW_MAX_CHARS_LIMIT {
        Ok(max)
    } else {
        bad_max_chars(shown)
    }
}

fn bad_max_chars<T>(shown: &str) -> Checked<T> {
    bad(
        format!("试读字数上限应为 0 到 {PREVIEW_MAX_CHARS_LIMIT} 之间的整数，而不是“{shown}”"),
        format!("preview_max_chars must be between 0 and {PREVIEW_MAX_CHARS_LIMIT}, not {shown}"),
    )
}

/// `default_access`: public, member or vip (any case).
pub fn default_access(text: &str) -> Checked<Access> {
    one_line(text).parse::<Access>().map_err(|en| BadSetting {
        zh: "默认访问级别应为 public、member 或 vip".to_owned(),
        en,
    })
}

/// `utc_offset`: e.g. `+08:00`, `-05:30` or `8`.
pub fn utc_offset(text: &str) -> Checked<FixedOffset> {
    super::parse_utc_offset(text).map_err(|en| BadSetting {
        zh: format!("时区应写作 +08:00 这样的偏移，而不是“{}”", text.trim()),
        en,
    })
}

/// `session_days`: a smaller value is raised to [`SESSION_DAYS_MIN`] (never refused, so an old
/// `session_days = 0` keeps working).
pub fn session_days(days: i64) -> i64 {
    days.max(SESSION_DAYS_MIN)
}

/// `page_size`: clamped to [`PAGE_SIZE_MIN`]–[`PAGE_SIZE_MAX`].
pub fn page_size(size: i64) -> i64 {
    size.clamp(PAGE_SIZE_MIN, PAGE_SIZE_MAX)
}

/// `near_duplicate_distance`: at most [`NEAR_DUPLICATE_DISTANCE_MAX`].
pub fn near_duplicate_distance(distance: u32) -> Checked<u32> {
    if distance <= NEAR_DUPLICATE_DISTANCE_MAX {
        Ok(distance)
    } else {
        bad(
            format!("近似重复距离应为 0 到 {NEAR_DUPLICATE_DISTANCE_MAX} 之间的整数"),
            format!(
                "near_duplicate_distance must be between 0 and {NEAR_DUPLICATE_DISTANCE_MAX}, not {distance}"
            ),
        )
    }
}

/// A daily download limit (`downloads.member`, `downloads.vip`) as typed in the form.
pub fn daily_downloads_text(label_zh: &str, key: &str, text: &str) -> Checked<u32> {
    let text = one_line(text);
    match text.parse::<u32>() {
        Ok(n) => daily_downloads_shown(label_zh, key, n, &text),
        Err(_) => bad_daily_downloads(label_zh, key, &text),
    }
}

/// A daily download limit as a number (the TOML file): 0 (no downloads) to
/// [`DAILY_DOWNLOADS_MAX`].
pub fn daily_downloads(key: &str, n: u32) -> Checked<u32> {
    daily_downloads_shown("每日下载次数", key, n, &n.to_string())
}

fn daily_downloads_shown(label_zh: &str, key: &str, n: u32, shown: &str) -> Checked<u32> {
    if n <= DAILY_DOWNLOADS_MAX {
        Ok(n)
    } else {
        bad_daily_downloads(label_zh, key, shown)
    }
}

fn bad_daily_downloads<T>(label_zh: &str, key: &str, shown: &str) -> Checked<T> {
    bad(
        format!(
            "{label_zh}应为 0 到 {DAILY_DOWNLOADS_MAX} 之间的整数（0 表示不能下载），而不是“{shown}”"
        ),
        format!("{key} must be between 0 and {DAILY_DOWNLOADS_MAX}, not {shown}"),
    )
}

/// A one-line text of the sidebar (订阅号 name or hint, a contact field): blank is unset.
pub fn short_text(label_zh: &str, key: &str, text: &str) -> Checked<Option<String>> {
    let text = one_line(text);
    if text.chars().count() > SHORT_TEXT_MAX_CHARS {
        return bad(
            format!("{label_zh}不能超过 {SHORT_TEXT_MAX_CHARS} 个字"),
            format!("{key} must be at most {SHORT_TEXT_MAX_CHARS} characters"),
        );
    }
    Ok(Some(text).filter(|t| !t.is_empty()))
}

/// `contact.email`: blank, or something that looks like an address.
pub fn contact_email(text: &str) -> Checked<Option<String>> {
    let email = short_text("客服邮箱", "contact.email", text)?;
    match email {
        Some(email) if !looks_like_email(&email) => bad(
            format!("客服邮箱“{email}”不像邮箱地址（例如 kefu@example.com）"),
            format!(
                "contact.email {email:?} does not look like an address (e.g. kefu@example.com)"
            ),
        ),
        email => Ok(email),
    }
}

fn looks_like_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !text.contains(char::is_whitespace)
}

/// The `[contact]` block (联系客服): every field a short text, blank unset, the email an address.
pub fn contact(info: &ContactInfo) -> Checked<ContactInfo> {
    let field = |label: &str, key: &str, value: &Option<String>| {
        short_text(label, key, value.as_deref().unwrap_or(""))
    };
    let checked = ContactInfo {
        phone: field("客服电话", "contact.phone", &info.phone)?,
        email: field("客服邮箱", "contact.email", &info.email)?,
        wechat: field("客服微信", "contact.wechat", &info.wechat)?,
        qq: field("客服 QQ", "contact.qq", &info.qq)?,
        hours: field("服务时间", "contact.hours", &info.hours)?,
    };
    contact_email(checked.email.as_deref().unwrap_or(""))?;
    Ok(checked)
}

/// `wechat.qr_url`: blank, or an http(s) link the site draws as a QR.
pub fn wechat_qr_url(text: &str) -> Checked<Option<WechatQr>> {
    let url = one_line(text);
    if url.is_empty() {
        return Ok(None);
    }
    check_url("订阅号二维码链接", "[wechat] qr_url", &url)?;
    Ok(Some(WechatQr::Url(url)))
}

/// `wechat.qr_image` (configuration only): a PNG, JPEG or SVG file.
pub fn wechat_qr_image(path: &Path) -> Checked<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg" | "svg")) {
        return Ok(());
    }
    bad(
        "订阅号二维码图片应为 .png、.jpg 或 .svg 文件".to_owned(),
        format!(
            "[wechat] qr_image {} must be a .png, .jpg or .svg file",
            path.display()
        ),
    )
}

/// The `[wechat]` block as a whole: a hint or a QR without the account's name means nothing.
pub fn wechat_needs_name(name: &Option<String>, has_hint_or_qr: bool) -> Checked<()> {
    if name.is_none() && has_hint_or_qr {
        return bad(
            "填写了订阅号的提示语或二维码链接，请同时填写订阅号名称".to_owned(),
            "[wechat] name must not be empty".to_owned(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SiteSettings;

    /// Runs a validator over text and says whether it accepted it, or the Chinese message.
    type Check = fn(&str) -> Result<(), String>;
    /// A setting's name, its validator, values it takes, and (value, expected message) it refuses.
    type Row<'a> = (&'a str, Check, &'a [&'a str], &'a [(&'a str, &'a str)]);

    fn zh<T>(r: Checked<T>) -> Result<(), String> {
        r.map(|_| ()).map_err(|e| e.zh)
    }

    #[test]
    fn every_validator_takes_the_good_and_names_the_bad() {
        let table: &[Row] = &[
            (
                "site_name",
                |t| zh(site_name(t)),
                &["文渊", " 范文网 ", &"名".repeat(40)],
                &[
                    ("  ", "请填写站点名称"),
                    (&"名".repeat(41), "不能超过 40 个字"),
                ],
            ),
            (
                "base_url",
                |t| zh(base_url(t)),
                &["", "https://example.com/", "http://127.0.0.1:8080"],
                &[
                    ("example.com", "站点网址应以 http://"),
                    ("https://", "带有域名"),
                    ("https://a.example/b c", "不能含空格"),
                ],
            ),
            (
                "preview_ratio",
                |t| zh(preview_ratio_text(t)),
                &["0", "0.3", "1", " 1.0 "],
                &[
                    ("1.5", "试读比例应为 0 到 1"),
                    ("-0.1", "试读比例"),
                    ("NaN", "试读比例"),
                    ("inf", "试读比例"),
                    ("三成", "而不是“三成”"),
                ],
            ),
            (
                "preview_max_chars",
                |t| zh(preview_max_chars_text(t)),
                &["0", "1500", "100000"],
                &[
                    ("-3", "试读字数上限"),
                    ("100001", "0 到 100000 之间"),
                    ("1.5", "试读字数上限"),
                ],
            ),
            (
                "default_access",
                |t| zh(default_access(t)),
                &["public", "Member", " vip "],
                &[("secret", "默认访问级别"), ("", "默认访问级别")],
            ),
            (
                "utc_offset",
                |t| zh(utc_offset(t)),
                &["+08:00", "8", "-05:30"],
                &[("Asia/Shanghai", "时区"), ("+25", "时区")],
            ),
            (
                "contact.email",
                |t| zh(contact_email(t)),
                &["", "kefu@example.com"],
                &[
                    ("kefu", "客服邮箱“kefu”不像邮箱地址"),
                    ("a@b.", "不像邮箱地址"),
                    ("a b@c.d", "不像邮箱地址"),
                ],
            ),
            (
                "contact.qq",
                |t| zh(short_text("客服 QQ", "contact.qq", t)),
                &["", "12345678", &"1".repeat(100)],
                &[(&"1".repeat(101), "客服 QQ不能超过 100 个字")],
            ),
            (
                "downloads.member",
                |t| {
                    zh(daily_downloads_text(
                        "会员每日下载次数",
                        "downloads.member",
                        t,
                    ))
                },
                &["0", "10", " 100000 "],
                &[
                    ("-1", "会员每日下载次数应为 0 到 100000"),
                    ("100001", "0 表示不能下载"),
                    ("", "而不是“”"),
                    ("十", "而不是“十”"),
                ],
            ),
            (
                "wechat.qr_url",
                |t| zh(wechat_qr_url(t)),
                &["", "http://weixin.qq.com/r/x"],
                &[
                    ("weixin.qq.com/r/x", "订阅号二维码链接应以 http://"),
                    (
                        &format!("https://a.example/{}", "x".repeat(1000)),
                        "1000 个字符",
                    ),
                ],
            ),
        ];
        for (name, check, good, bad) in table {
            for value in *good {
                assert_eq!(check(value), Ok(()), "{name} = {value:?}");
            }
            for (value, expected) in *bad {
                let err = check(value).expect_err(&format!("{name} = {value:?} passed"));
                assert!(err.contains(expected), "{name} = {value:?}: {err}");
            }
        }
    }

    #[test]
    fn number_rules_keep_the_cli_messages() {
        assert_eq!(preview_ratio(0.3), Ok(0.3));
        assert_eq!(
            preview_ratio(1.5).unwrap_err().en,
            "preview_ratio must be between 0 and 1, not 1.5"
        );
        assert!(preview_ratio(f64::NAN).is_err());
        assert_eq!(preview_max_chars(PREVIEW_MAX_CHARS_LIMIT), Ok(100_000));
        assert!(preview_max_chars(PREVIEW_MAX_CHARS_LIMIT + 1).is_err());
        assert_eq!(near_duplicate_distance(0), Ok(0));
        assert_eq!(near_duplicate_distance(NEAR_DUPLICATE_DISTANCE_MAX), Ok(3));
        assert_eq!(
            near_duplicate_distance(4).unwrap_err().en,
            "near_duplicate_distance must be between 0 and 3, not 4"
        );
        assert_eq!(session_days(0), 1);
        assert_eq!(session_days(30), 30);
        assert_eq!(page_size(0), 1);
        assert_eq!(page_size(20), 20);
        assert_eq!(page_size(1000), 200);
        assert!(base_url("ftp://x")
            .unwrap_err()
            .en
            .contains("must start with http:// or https://"));
        assert!(wechat_needs_name(&None, true).is_err());
        assert!(wechat_needs_name(&Some("号".into()), true).is_ok());
    }

    #[test]
    fn the_table_defaults_are_the_defaults_in_force() {
        let d = SiteSettings::default();
        let default_of = |key: &str| {
            SETTINGS
                .iter()
                .find(|s| s.file_key == key)
                .map(|s| s.default)
                .unwrap_or("missing")
        };
        assert_eq!(default_of("site_name"), d.site_name);
        assert_eq!(default_of("preview_ratio"), d.preview_ratio.to_string());
        assert_eq!(
            default_of("preview_max_chars"),
            d.preview_max_chars.to_string()
        );
        assert_eq!(default_of("registration"), d.registration_open.to_string());
        assert_eq!(default_of("default_access"), d.default_access.as_str());
        assert_eq!(utc_offset(default_of("utc_offset")), Ok(d.utc_offset));
        assert_eq!(default_of("session_days"), d.session_days.to_string());
        assert_eq!(default_of("page_size"), d.page_size.to_string());
        assert_eq!(default_of("trust_proxy"), d.trust_proxy.to_string());
        assert_eq!(
            default_of("near_duplicate_distance"),
            d.near_duplicate_distance.to_string()
        );
        assert_eq!(
            default_of("downloads.member"),
            d.downloads_member.to_string()
        );
        assert_eq!(default_of("downloads.vip"), d.downloads_vip.to_string());
        assert_eq!(
            default_of("search_per_minute"),
            d.search_per_minute.to_string()
        );
        // The defaults in force pass their own rules.
        assert!(site_name(&d.site_name).is_ok());
        assert!(preview_ratio(d.preview_ratio).is_ok());
        assert!(preview_max_chars(d.preview_max_chars).is_ok());
        assert!(near_duplicate_distance(d.near_duplicate_distance).is_ok());
    }
}
