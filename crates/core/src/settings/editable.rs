//! The settings an admin edits at `/admin/settings`: validation, storage in the `settings` table,
//! and putting them in force at once.
//!
//! Precedence: flags, `WENYUAN_*` variables and the TOML file give the initial values; once an
//! admin saves the form, the saved values win (at every start-up too, for the server and the CLI),
//! because the admin's save is the later and more deliberate decision, and a restart must not
//! silently undo it. Settings the form does not show (time zone, session length, page size,
//! proxy trust, a QR image file) stay with the configuration.

use std::collections::HashMap;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::contact::{ContactInfo, WechatAccount, WechatQr};
use super::rules;
use crate::accounts::Member;
use crate::audit::audit_entry;
use crate::context::Context;
use crate::{CoreError, Result, SiteSettings};

/// Keys of the `settings` table written by the form all start with this.
const PREFIX: &str = "site.";

/// The form's values, as text (so a form with an error comes back exactly as typed).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SettingsForm {
    pub site_name: String,
    pub base_url: String,
    pub preview_ratio: String,
    pub preview_max_chars: String,
    /// A checkbox: present ("on") when ticked.
    pub registration_open: Option<String>,
    pub default_access: String,
    pub wechat_name: String,
    pub wechat_hint: String,
    pub wechat_qr_url: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub contact_wechat: String,
    pub contact_qq: String,
    pub contact_hours: String,
    pub downloads_member: String,
    pub downloads_vip: String,
    pub icp_beian: String,
    pub police_beian: String,
    pub site_description: String,
    pub site_keywords: String,
    pub smtp_host: String,
    pub smtp_port: String,
    pub smtp_from: String,
    pub smtp_user: String,
    /// Never filled from the settings (the page does not show it); blank on save keeps the
    /// password in force (see [`SettingsService::save`]).
    pub smtp_password: String,
    pub push_endpoint: String,
    pub push_token: String,
}

impl SettingsForm {
    /// The form filled with the settings in force.
    pub fn from_settings(s: &SiteSettings) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let wechat = s.wechat.as_ref();
        let smtp = s.smtp.as_ref();
        SettingsForm {
            site_name: s.site_name.clone(),
            base_url: text(&s.base_url),
            preview_ratio: s.preview_ratio.to_string(),
            preview_max_chars: s.preview_max_chars.to_string(),
            registration_open: s.registration_open.then(|| "on".to_owned()),
            default_access: s.default_access.as_str().to_owned(),
            wechat_name: wechat.map(|w| w.name.clone()).unwrap_or_default(),
            wechat_hint: wechat.and_then(|w| w.hint.clone()).unwrap_or_default(),
            wechat_qr_url: match wechat.and_then(|w| w.qr.as_ref()) {
                Some(WechatQr::Url(url)) => url.clone(),
                _ => String::new(),
            },
            contact_phone: text(&s.contact.phone),
            contact_email: text(&s.contact.email),
            contact_wechat: text(&s.contact.wechat),
            contact_qq: text(&s.contact.qq),
            contact_hours: text(&s.contact.hours),
            downloads_member: s.downloads_member.to_string(),
            downloads_vip: s.downloads_vip.to_string(),
            icp_beian: text(&s.icp_beian),
            police_beian: text(&s.police_beian),
            site_description: text(&s.description),
            site_keywords: text(&s.keywords),
            smtp_host: smtp.map(|m| m.host.clone()).unwrap_or_default(),
            smtp_port: smtp
                .map_or(super::smtp::SMTP_DEFAULT_PORT, |m| m.port)
                .to_string(),
            smtp_from: smtp.map(|m| m.from.clone()).unwrap_or_default(),
            smtp_user: smtp.and_then(|m| m.user.clone()).unwrap_or_default(),
            smtp_password: String::new(),
            push_endpoint: text(&s.push_endpoint),
            push_token: text(&s.push_token),
        }
    }

    /// Check every field with the rules the configuration uses too ([`rules`]); the first problem
    /// is the error, named so the admin knows what to fix. Returns the (key, value) pairs to
    /// store, every key of the form (blank means unset).
    fn validate(&self) -> Result<Vec<(String, String)>> {
        let invalid = |bad: rules::BadSetting| CoreError::invalid("settings", bad.zh);
        let site_name = rules::site_name(&self.site_name).map_err(invalid)?;
        let base_url = rules::base_url(&self.base_url).map_err(invalid)?;
        // Stored as typed (trimmed), so the form comes back as the admin wrote it.
        rules::preview_ratio_text(&self.preview_ratio).map_err(invalid)?;
        rules::preview_max_chars_text(&self.preview_max_chars).map_err(invalid)?;
        let access = rules::default_access(&self.default_access).map_err(invalid)?;
        let qr_url = match rules::wechat_qr_url(&self.wechat_qr_url).map_err(invalid)? {
            Some(WechatQr::Url(url)) => Some(url),
            _ => None,
        };
        let wechat_name =
            rules::short_text("订阅号名称", "wechat.name", &self.wechat_name).map_err(invalid)?;
        let wechat_hint =
            rules::short_text("订阅号提示语", "wechat.hint", &self.wechat_hint).map_err(invalid)?;
        rules::wechat_needs_name(&wechat_name, wechat_hint.is_some() || qr_url.is_some())
            .map_err(invalid)?;
        let typed = |v: &String| Some(v.clone());
        let contact = rules::contact(&ContactInfo {
            phone: typed(&self.contact_phone),
            email: typed(&self.contact_email),
            wechat: typed(&self.contact_wechat),
            qq: typed(&self.contact_qq),
            hours: typed(&self.contact_hours),
        })
        .map_err(invalid)?;
        let downloads_member = rules::daily_downloads_text(
            "会员每日下载次数",
            "downloads.member",
            &self.downloads_member,
        )
        .map_err(invalid)?;
        let downloads_vip =
            rules::daily_downloads_text("VIP 每日下载次数", "downloads.vip", &self.downloads_vip)
                .map_err(invalid)?;
        let [icp, police, description, keywords] = rules::site_texts(
            &self.icp_beian,
            &self.police_beian,
            &self.site_description,
            &self.site_keywords,
        )
        .map_err(invalid)?;
        let smtp = super::smtp::smtp(
            &self.smtp_host,
            &self.smtp_port,
            &self.smtp_from,
            &self.smtp_user,
            &self.smtp_password,
        )
        .map_err(invalid)?;
        let (push_endpoint, push_token) =
            rules::push_target(&self.push_endpoint, &self.push_token).map_err(invalid)?;
        let text = |v: Option<String>| v.unwrap_or_default();
        let mut pairs = vec![
            ("site_name", site_name),
            ("base_url", text(base_url)),
            ("preview_ratio", rules::one_line(&self.preview_ratio)),
            (
                "preview_max_chars",
                rules::one_line(&self.preview_max_chars),
            ),
            (
                "registration_open",
                if self.registration_open.is_some() {
                    "1"
                } else {
                    "0"
                }
                .to_owned(),
            ),
            ("default_access", access.as_str().to_owned()),
            ("wechat_name", text(wechat_name)),
            ("wechat_hint", text(wechat_hint)),
            ("wechat_qr_url", text(qr_url)),
        ];
        pairs.extend([
            ("contact_phone", text(contact.phone)),
            ("contact_email", text(contact.email)),
            ("contact_wechat", text(contact.wechat)),
            ("contact_qq", text(contact.qq)),
            ("contact_hours", text(contact.hours)),
            ("downloads_member", downloads_member.to_string()),
            ("downloads_vip", downloads_vip.to_string()),
            ("icp_beian", text(icp)),
            ("police_beian", text(police)),
            ("site_description", text(description)),
            ("site_keywords", text(keywords)),
            ("push_endpoint", text(push_endpoint)),
            ("push_token", text(push_token)),
        ]);
        // Mail off stores a blank host and nothing else of it.
        let smtp = smtp.unwrap_or_default();
        pairs.extend([
            ("smtp_host", smtp.host),
            ("smtp_port", smtp.port.to_string()),
            ("smtp_from", smtp.from),
            ("smtp_user", text(smtp.user)),
            ("smtp_password", text(smtp.password)),
        ]);
        Ok(pairs.into_iter().map(|(k, v)| (key_name(k), v)).collect())
    }
}

/// The `settings` table key of a form field, from the one table of settings.
fn key_name(field: &str) -> String {
    let stored = rules::by_form_field(field)
        .and_then(|spec| spec.stored_key)
        .unwrap_or(field);
    format!("{PREFIX}{stored}")
}

/// `base` with the stored values put over it. A stored value that no longer parses (edited by
/// hand) is skipped with a warning: the configured value stays.
pub fn apply_stored(base: &SiteSettings, stored: &HashMap<String, String>) -> SiteSettings {
    let mut s = base.clone();
    let get = |field: &str| stored.get(&key_name(field)).map(String::as_str);
    let opt = |field: &str| get(field).map(str::to_owned).filter(|v| !v.is_empty());
    if let Some(name) = opt("site_name") {
        s.site_name = name;
    }
    if get("base_url").is_some() {
        s.base_url = opt("base_url");
    }
    // A stored value is checked by the same rules as the form, since it may have been edited by hand.
    if let Some(ratio) = get("preview_ratio") {
        match rules::preview_ratio_text(ratio) {
            Ok(r) => s.preview_ratio = r,
            Err(err) => tracing::warn!(
                %err,
                "stored preview_ratio is unusable; keeping the configured one"
            ),
        }
    }
    if let Some(max) = get("preview_max_chars") {
        match rules::preview_max_chars_text(max) {
            Ok(m) => s.preview_max_chars = m,
            Err(err) => tracing::warn!(%err, "stored preview_max_chars is unusable"),
        }
    }
    if let Some(open) = get("registration_open") {
        s.registration_open = open == "1";
    }
    if let Some(access) = get("default_access") {
        match rules::default_access(access) {
            Ok(a) => s.default_access = a,
            Err(err) => tracing::warn!(%err, "stored default_access is unusable"),
        }
    }
    if get("wechat_name").is_some() {
        s.wechat = opt("wechat_name").map(|name| {
            // A QR image file comes from the configuration only; a stored link replaces it.
            let configured_image = base
                .wechat
                .as_ref()
                .and_then(|w| w.qr.clone())
                .filter(|qr| matches!(qr, WechatQr::Image(_)));
            WechatAccount {
                name,
                hint: opt("wechat_hint"),
                qr: opt("wechat_qr_url").map(WechatQr::Url).or(configured_image),
            }
        });
    }
    if get("contact_phone").is_some() {
        s.contact = ContactInfo {
            phone: opt("contact_phone"),
            email: opt("contact_email"),
            wechat: opt("contact_wechat"),
            qq: opt("contact_qq"),
            hours: opt("contact_hours"),
        };
    }
    let texts = [
        ("icp_beian", &mut s.icp_beian),
        ("police_beian", &mut s.police_beian),
        ("site_description", &mut s.description),
        ("site_keywords", &mut s.keywords),
        ("push_endpoint", &mut s.push_endpoint),
        ("push_token", &mut s.push_token),
    ];
    for (field, value) in texts {
        if get(field).is_some() {
            *value = opt(field);
        }
    }
    if get("smtp_host").is_some() {
        let field = |f: &str| get(f).unwrap_or_default();
        match super::smtp::smtp(
            field("smtp_host"),
            field("smtp_port"),
            field("smtp_from"),
            field("smtp_user"),
            field("smtp_password"),
        ) {
            Ok(smtp) => s.smtp = smtp,
            Err(err) => tracing::warn!(%err, "stored SMTP settings are unusable"),
        }
    }
    let downloads = [
        ("downloads_member", &mut s.downloads_member),
        ("downloads_vip", &mut s.downloads_vip),
    ];
    for (field, value) in downloads {
        if let Some(stored) = get(field) {
            match rules::daily_downloads_text("每日下载次数", field, stored) {
                Ok(n) => *value = n,
                Err(err) => tracing::warn!(%err, "stored {field} is unusable"),
            }
        }
    }
    s
}

/// The admin's saved settings: read at start-up and every few seconds, saved from the desk.
pub struct SettingsService {
    ctx: Context,
    /// The saved settings as last read, so a periodic re-read only swaps on a change.
    stored: Mutex<Option<HashMap<String, String>>>,
}

impl SettingsService {
    pub(crate) fn new(ctx: Context) -> Self {
        SettingsService {
            ctx,
            stored: Mutex::new(None),
        }
    }

    /// Put the admin's saved settings over the ones in force, if they changed since last read.
    /// Called at start-up and by the background tasks every few seconds, so a save made on
    /// another node (or by another process) shows here too. Returns whether anything changed.
    pub async fn load_stored(&self) -> Result<bool> {
        let stored: HashMap<String, String> = self
            .ctx
            .store
            .settings_with_prefix(PREFIX)
            .await?
            .into_iter()
            .collect();
        {
            let mut seen = self.stored.lock();
            if seen.as_ref() == Some(&stored) {
                return Ok(false);
            }
            *seen = Some(stored.clone());
        }
        if stored.is_empty() {
            return Ok(false);
        }
        let merged = apply_stored(&self.ctx.settings(), &stored);
        self.ctx.replace_settings(merged);
        Ok(true)
    }

    /// Validate and save the form, record it in the audit log, and put it in force at once.
    pub async fn save(&self, actor: &Member, form: &SettingsForm) -> Result<()> {
        let current = self.ctx.settings();
        // The page never shows the SMTP password: left blank, the one in force stays.
        let mut form = form.clone();
        let password_typed = !form.smtp_password.is_empty();
        if !password_typed {
            if let Some(password) = current.smtp.as_ref().and_then(|m| m.password.clone()) {
                form.smtp_password = password;
            }
        }
        let pairs = form.validate()?;
        let before = SettingsForm::from_settings(&current);
        let stored: HashMap<String, String> = pairs.iter().cloned().collect();
        let next = apply_stored(&current, &stored);
        let after = SettingsForm::from_settings(&next);
        let mut detail = changed_fields(&before, &after);
        if password_typed && next.smtp.is_some() {
            // Which, never what: the log is read by people.
            detail = if detail == "无改动" {
                "SMTP 密码：已更改".to_owned()
            } else {
                format!("{detail}；SMTP 密码：已更改")
            };
        }
        let entry = audit_entry(actor, "settings.update", "", &detail);
        self.ctx
            .store
            .set_settings(&pairs, &entry, self.ctx.now())
            .await?;
        *self.stored.lock() = Some(stored);
        self.ctx.replace_settings(next);
        Ok(())
    }
}

/// Which fields changed, for the audit log ("site_name：文渊 → 范文网; …").
/// The settings form's fields as the form names them.
fn field_label(key: &str) -> &str {
    match key {
        "site_name" => "站点名称",
        "base_url" => "站点网址",
        "preview_ratio" => "试读比例",
        "preview_max_chars" => "试读字数上限",
        "registration_open" => "开放注册",
        "default_access" => "默认权限",
        "wechat_name" => "公众号名称",
        "wechat_hint" => "公众号提示",
        "wechat_qr_url" => "公众号二维码",
        "contact_phone" => "联系电话",
        "contact_email" => "联系邮箱",
        "contact_wechat" => "客服微信",
        "contact_qq" => "客服 QQ",
        "contact_hours" => "服务时间",
        "downloads_member" => "会员每日下载数",
        "downloads_vip" => "VIP 每日下载数",
        "smtp_host" => "SMTP 服务器",
        "smtp_port" => "SMTP 端口",
        "smtp_from" => "发件人",
        "smtp_user" => "SMTP 用户名",
        "push_endpoint" => "推送接口地址",
        "push_token" => "推送令牌",
        other => other,
    }
}

fn changed_fields(before: &SettingsForm, after: &SettingsForm) -> String {
    let (Ok(serde_json::Value::Object(b)), Ok(serde_json::Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return String::new();
    };
    let show = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => "—".to_owned(),
        Some(other) => other.to_string(),
    };
    let changes: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        // A token is a secret: the log says it changed, not what it is.
        .map(|(k, v)| match k.as_str() {
            "push_token" => format!("{}：已更改", field_label(k)),
            _ => format!("{}：{} → {}", field_label(k), show(b.get(k)), show(Some(v))),
        })
        .collect();
    if changes.is_empty() {
        "无改动".to_owned()
    } else {
        changes.join("；")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_form() -> SettingsForm {
        SettingsForm::from_settings(&SiteSettings::default())
    }

    #[test]
    fn the_default_settings_pass_and_round_trip() {
        let form = valid_form();
        let pairs = form.validate().unwrap();
        let stored: HashMap<String, String> = pairs.into_iter().collect();
        let back = apply_stored(&SiteSettings::default(), &stored);
        assert_eq!(SettingsForm::from_settings(&back), form);
    }

    #[test]
    fn bad_values_are_named_in_the_message() {
        type Change = fn(&mut SettingsForm);
        let table: &[(Change, &str)] = &[
            (|f| f.site_name = "  ".into(), "请填写站点名称"),
            (
                |f| f.site_name = "名".repeat(41),
                "站点名称不能超过 40 个字",
            ),
            (
                |f| f.base_url = "example.com".into(),
                "站点网址应以 http://",
            ),
            (|f| f.preview_ratio = "1.5".into(), "试读比例应为 0 到 1"),
            (|f| f.preview_ratio = "NaN".into(), "试读比例"),
            (|f| f.preview_max_chars = "-3".into(), "试读字数上限"),
            (|f| f.default_access = "secret".into(), "默认访问级别"),
            (
                |f| f.wechat_qr_url = "http://weixin.qq.com/r/x".into(),
                "请同时填写订阅号名称",
            ),
            (
                |f| f.contact_email = "kefu".into(),
                "客服邮箱“kefu”不像邮箱地址",
            ),
            (
                |f| f.contact_qq = "1".repeat(101),
                "客服 QQ不能超过 100 个字",
            ),
            (
                |f| f.downloads_vip = "-5".into(),
                "VIP 每日下载次数应为 0 到 100000",
            ),
        ];
        for (change, expected) in table {
            let mut form = valid_form();
            change(&mut form);
            let err = form.validate().unwrap_err().to_string();
            assert!(err.contains(expected), "{form:?}: {err}");
        }
    }

    #[test]
    fn stored_values_win_and_blank_ones_unset() {
        let base = SiteSettings {
            base_url: Some("https://config.example".into()),
            wechat: Some(WechatAccount {
                name: "配置号".into(),
                qr: Some(WechatQr::Image("/data/qr.png".into())),
                hint: None,
            }),
            ..SiteSettings::default()
        };
        let mut form = SettingsForm::from_settings(&base);
        form.site_name = "范文网".into();
        form.base_url = String::new();
        form.wechat_name = "文渊范文".into();
        form.contact_phone = "400-800-1234".into();
        form.downloads_member = "0".into();
        form.downloads_vip = " 5 ".into();
        let stored: HashMap<String, String> = form.validate().unwrap().into_iter().collect();
        let s = apply_stored(&base, &stored);
        assert_eq!(s.site_name, "范文网");
        assert_eq!(s.base_url, None, "a blank stored base URL unsets it");
        let wechat = s.wechat.unwrap();
        assert_eq!(wechat.name, "文渊范文");
        assert_eq!(
            wechat.qr,
            Some(WechatQr::Image("/data/qr.png".into())),
            "the configured image stays without a link"
        );
        assert_eq!(s.contact.phone.as_deref(), Some("400-800-1234"));
        assert_eq!(s.contact.email, None);
        assert_eq!((s.downloads_member, s.downloads_vip), (0, 5));
    }

    #[test]
    fn the_audit_detail_lists_what_changed() {
        let before = valid_form();
        let mut after = before.clone();
        after.site_name = "范文网".into();
        after.registration_open = None;
        let detail = changed_fields(&before, &after);
        // Field names as the settings page names them (操作日志 is read by people).
        assert!(detail.contains("站点名称：文渊 → 范文网"), "{detail}");
        assert!(detail.contains("开放注册：on → —"), "{detail}");
        assert_eq!(changed_fields(&before, &before), "无改动");
    }
}
