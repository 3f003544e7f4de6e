//! 联系客服 and 微信订阅号: the site's contact settings, and the message form's service (validation,
//! the honeypot, the per-address rate limit) over the store.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wenyuan_store::{MessageCounts, MessageRow, NewMessage};

use crate::audit::audit_entry;
use crate::members::Member;
use crate::{CoreError, Library, Result};

/// The WeChat subscription account (微信订阅号) shown in the sidebar and on `/contact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatAccount {
    /// The account's name, e.g. "文渊范文".
    pub name: String,
    /// Its QR code; `None` shows the name only.
    pub qr: Option<WechatQr>,
    /// A line under the QR, e.g. "扫码关注，获取更多范文".
    pub hint: Option<String>,
}

/// Where the subscription QR comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WechatQr {
    /// An uploaded PNG, JPEG or SVG file (an absolute path; the config resolves relative ones
    /// against the data folder).
    Image(PathBuf),
    /// A URL the site encodes as a QR code itself (the account's `http://weixin.qq.com/r/…` link).
    Url(String),
}

/// Ways to reach the site's staff (联系客服); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInfo {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// A personal WeChat ID for customer service (not the subscription account).
    pub wechat: Option<String>,
    pub qq: Option<String>,
    /// Office hours, e.g. "工作日 9:00–18:00".
    pub hours: Option<String>,
}

impl ContactInfo {
    /// Blank values count as unset, so templates need only test for presence.
    pub fn normalised(self) -> Self {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        ContactInfo {
            phone: clean(self.phone),
            email: clean(self.email),
            wechat: clean(self.wechat),
            qq: clean(self.qq),
            hours: clean(self.hours),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.phone.is_none()
            && self.email.is_none()
            && self.wechat.is_none()
            && self.qq.is_none()
            && self.hours.is_none()
    }
}

/// The message form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    pub name: String,
    /// How to reach the sender; optional.
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub message: String,
    /// The honeypot: a field people never see and bots fill in.
    #[serde(default)]
    pub website: String,
}

pub const NAME_MAX_CHARS: usize = 50;
pub const CONTACT_MAX_CHARS: usize = 100;
pub const MESSAGE_MIN_CHARS: usize = 2;
pub const MESSAGE_MAX_CHARS: usize = 2000;
/// Longest follow-up note staff may keep with a message.
pub const NOTE_MAX_CHARS: usize = 1000;
/// Messages one address may leave per [`MESSAGE_WINDOW_SECONDS`].
pub const MESSAGES_PER_WINDOW: usize = 3;
pub const MESSAGE_WINDOW_SECONDS: i64 = 600;
/// Addresses the limiter remembers at most; a flood from many addresses cannot grow it further.
const LIMITER_MAX_KEYS: usize = 50_000;
/// Longest User-Agent kept with a message.
const USER_AGENT_MAX_CHARS: usize = 300;

/// A stored message, as the admin page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: i64,
    pub name: String,
    pub contact: String,
    pub message: String,
    pub ip: String,
    pub user_agent: String,
    /// `YYYY-MM-DD HH:MM` in the site's time zone.
    pub created: String,
    pub is_read: bool,
    pub reply_note: Option<String>,
}

/// A page of messages, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct MessagePage {
    pub items: Vec<MessageView>,
    pub total: i64,
    pub unread: i64,
    pub page: i64,
    pub pages: i64,
}

impl Library {
    /// Validate and store a message from the contact form; returns its id.
    ///
    /// A filled-in honeypot returns `Ok(0)` and stores nothing: the bot is told it succeeded, so
    /// it has no reason to try harder. Bad input is [`CoreError::Invalid`] with a message for the
    /// visitor; the fourth message from one address within ten minutes is [`CoreError::TooMany`].
    pub async fn submit_message(
        &self,
        form: &MessageForm,
        ip: &str,
        user_agent: &str,
    ) -> Result<i64> {
        if !form.website.trim().is_empty() {
            tracing::info!(%ip, "contact form: honeypot filled in, message dropped");
            return Ok(0);
        }
        let valid = validate(form)?;
        // Counted only once the message is valid: a visitor fixing a typo is not punished.
        self.message_limiter
            .check(ip, self.now())
            .map_err(|wait| {
                CoreError::TooMany(format!(
                    "留言太频繁了：同一网络 {} 分钟内最多留言 {MESSAGES_PER_WINDOW} 条，请约 {} 分钟后再试",
                    MESSAGE_WINDOW_SECONDS / 60,
                    (wait + 59) / 60
                ))
            })?;
        let user_agent: String = clean_line(user_agent)
            .chars()
            .take(USER_AGENT_MAX_CHARS)
            .collect();
        let id = self
            .store
            .insert_message(&NewMessage {
                name: &valid.name,
                contact: &valid.contact,
                message: &valid.message,
                ip,
                user_agent: &user_agent,
                created_at: self.now(),
            })
            .await?;
        Ok(id)
    }

    /// How many messages there are, and how many are unread.
    pub async fn message_counts(&self) -> Result<MessageCounts> {
        Ok(self.store.message_counts().await?)
    }

    /// Messages for the inbox, newest first; `unread_only` shows only those nobody marked read.
    pub async fn messages(&self, page: i64, unread_only: bool) -> Result<MessagePage> {
        let size = self.settings().page_size.max(1);
        let MessageCounts { total, unread } = self.store.message_counts().await?;
        let shown = if unread_only { unread } else { total };
        let pages = ((shown + size - 1) / size).max(1);
        let page = page.clamp(1, pages);
        let rows = self
            .store
            .messages(unread_only, size, (page - 1) * size)
            .await?;
        Ok(MessagePage {
            items: rows.into_iter().map(|r| self.message_view(r)).collect(),
            total,
            unread,
            page,
            pages,
        })
    }

    /// Mark a message read or unread again (audited as `message.read` / `message.unread`).
    pub async fn set_message_read(&self, actor: &Member, id: i64, read: bool) -> Result<()> {
        let action = if read {
            "message.read"
        } else {
            "message.unread"
        };
        let target = format!("message:{id}");
        let entry = audit_entry(actor, action, &target, "");
        if self
            .store
            .set_message_read(id, read, &entry, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(CoreError::NotFound("没有这条留言"))
        }
    }

    /// Write the staff's follow-up note of a message (blank clears it); audited as
    /// `message.note` with the note's text.
    pub async fn set_message_note(&self, actor: &Member, id: i64, note: &str) -> Result<()> {
        let note = clean_text(note);
        let chars = note.chars().count();
        if chars > NOTE_MAX_CHARS {
            return Err(CoreError::Invalid(format!(
                "处理备注不能超过 {NOTE_MAX_CHARS} 个字（现在是 {chars} 个字）"
            )));
        }
        let note = Some(note).filter(|n| !n.is_empty());
        let target = format!("message:{id}");
        let detail: String = note
            .as_deref()
            .unwrap_or("（清空）")
            .chars()
            .take(200)
            .collect();
        let entry = audit_entry(actor, "message.note", &target, &detail);
        if self
            .store
            .set_message_note(id, note.as_deref(), &entry, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(CoreError::NotFound("没有这条留言"))
        }
    }

    fn message_view(&self, row: MessageRow) -> MessageView {
        let created = DateTime::<Utc>::from_timestamp(row.created_at, 0)
            .unwrap_or_default()
            .with_timezone(&self.settings().utc_offset)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        MessageView {
            id: row.id,
            name: row.name,
            contact: row.contact,
            message: row.message,
            ip: row.ip,
            user_agent: row.user_agent,
            created,
            is_read: row.is_read != 0,
            reply_note: row.reply_note,
        }
    }
}

/// The form's fields, trimmed and checked.
#[derive(Debug, PartialEq, Eq)]
struct ValidMessage {
    name: String,
    contact: String,
    message: String,
}

fn validate(form: &MessageForm) -> Result<ValidMessage> {
    let invalid = |m: String| Err(CoreError::Invalid(m));
    let name = clean_line(&form.name);
    let contact = clean_line(&form.contact);
    let message = clean_text(&form.message);
    let name_chars = name.chars().count();
    if name_chars == 0 {
        return invalid("请填写您的称呼".to_owned());
    }
    if name_chars > NAME_MAX_CHARS {
        return invalid(format!("称呼不能超过 {NAME_MAX_CHARS} 个字"));
    }
    if contact.chars().count() > CONTACT_MAX_CHARS {
        return invalid(format!("联系方式不能超过 {CONTACT_MAX_CHARS} 个字"));
    }
    let message_chars = message.chars().count();
    if message_chars == 0 {
        return invalid("请填写留言内容".to_owned());
    }
    if message_chars < MESSAGE_MIN_CHARS {
        return invalid(format!("留言内容至少需要 {MESSAGE_MIN_CHARS} 个字"));
    }
    if message_chars > MESSAGE_MAX_CHARS {
        return invalid(format!(
            "留言内容不能超过 {MESSAGE_MAX_CHARS} 个字（现在是 {message_chars} 个字）"
        ));
    }
    Ok(ValidMessage {
        name,
        contact,
        message,
    })
}

/// One line of text: control characters (NUL, which PostgreSQL refuses, newlines, escapes) become
/// spaces, then trimmed.
fn clean_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Several lines: line breaks kept (CRLF folded), other control characters dropped, trimmed.
fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A sliding-window limit per client address, in memory (per server process).
///
/// Each address keeps the times of its recent accepted requests; times older than the window are
/// dropped as it slides, and addresses with nothing left are swept out once per window, so memory
/// follows the number of addresses active in the last window, capped at `max_keys`.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: i64,
    max_keys: usize,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    hits: HashMap<String, Vec<i64>>,
    last_sweep: i64,
}

impl RateLimiter {
    pub fn new(limit: usize, window_seconds: i64, max_keys: usize) -> Self {
        RateLimiter {
            limit: limit.max(1),
            window: window_seconds.max(1),
            max_keys: max_keys.max(1),
            state: Mutex::new(LimiterState::default()),
        }
    }

    /// The limiter of the contact form: 3 messages per 10 minutes per address.
    pub fn for_messages() -> Self {
        Self::new(
            MESSAGES_PER_WINDOW,
            MESSAGE_WINDOW_SECONDS,
            LIMITER_MAX_KEYS,
        )
    }

    /// Record a request from `addr` at `now`, or refuse it with the seconds until one is allowed.
    pub fn check(&self, addr: &str, now: i64) -> Result<(), i64> {
        let key = limit_key(addr);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let window_start = now - self.window;
        if now - state.last_sweep >= self.window || state.hits.len() >= self.max_keys {
            state
                .hits
                .retain(|_, times| times.last().is_some_and(|t| *t > window_start));
            state.last_sweep = now;
        }
        if !state.hits.contains_key(&key) && state.hits.len() >= self.max_keys {
            // Still full of live addresses: forget the one idle longest rather than grow.
            let idlest = state
                .hits
                .iter()
                .min_by_key(|(_, times)| times.last().copied().unwrap_or(i64::MIN))
                .map(|(k, _)| k.clone());
            if let Some(k) = idlest {
                state.hits.remove(&k);
            }
        }
        let times = state.hits.entry(key).or_default();
        times.retain(|t| *t > window_start);
        if times.len() >= self.limit {
            let oldest = times.first().copied().unwrap_or(now);
            return Err((oldest + self.window - now).max(1));
        }
        times.push(now);
        Ok(())
    }

    /// Addresses currently remembered.
    pub fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .hits
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the limit counts per: the address, except that an IPv6 address counts by its /64 (one
/// household or server usually holds a whole /64, so per-address limits would be no limit).
fn limit_key(addr: &str) -> String {
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| addr.to_owned(), |v4| v4.to_string()),
        _ => addr.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, contact: &str, message: &str) -> MessageForm {
        MessageForm {
            name: name.to_owned(),
            contact: contact.to_owned(),
            message: message.to_owned(),
            website: String::new(),
        }
    }

    #[test]
    fn messages_are_trimmed_and_checked() {
        let ok = validate(&form(
            "  张先生 ",
            " 138 0000 0000\n",
            "\r\n您好，\r\n想咨询会员。  ",
        ))
        .unwrap();
        assert_eq!(
            ok,
            ValidMessage {
                name: "张先生".into(),
                contact: "138 0000 0000".into(),
                message: "您好，\n想咨询会员。".into()
            }
        );
        let table: &[(MessageForm, &str)] = &[
            (form("", "", "留言内容"), "请填写您的称呼"),
            (form(" \t ", "", "留言内容"), "请填写您的称呼"),
            (
                form(&"名".repeat(51), "", "留言内容"),
                "称呼不能超过 50 个字",
            ),
            (
                form("张", &"1".repeat(101), "留言内容"),
                "联系方式不能超过 100 个字",
            ),
            (form("张", "", "   "), "请填写留言内容"),
            (form("张", "", "好"), "至少需要 2 个字"),
            (
                form("张", "", &"字".repeat(2001)),
                "不能超过 2000 个字（现在是 2001 个字）",
            ),
        ];
        for (f, expected) in table {
            let err = validate(f).unwrap_err();
            assert!(
                matches!(&err, CoreError::Invalid(m) if m.contains(expected)),
                "{f:?}: {err}"
            );
        }
        assert!(validate(&form(
            &"名".repeat(50),
            &"1".repeat(100),
            &"字".repeat(2000)
        ))
        .is_ok());
        assert!(validate(&form("张", "", "好的")).is_ok());
    }

    #[test]
    fn control_characters_never_reach_the_store() {
        let ok = validate(&form("张\0三", "a\u{1b}b", "第一行\u{0}\n第二行")).unwrap();
        assert_eq!(ok.name, "张 三");
        assert_eq!(ok.contact, "a b");
        assert_eq!(ok.message, "第一行\n第二行");
    }

    #[test]
    fn the_limit_allows_three_per_window_then_slides() {
        let limiter = RateLimiter::new(3, 600, 100);
        for t in [0, 10, 20] {
            assert_eq!(limiter.check("198.51.100.1", t), Ok(()));
        }
        assert_eq!(
            limiter.check("198.51.100.1", 30),
            Err(570),
            "wait until the first expires"
        );
        assert_eq!(
            limiter.check("198.51.100.2", 30),
            Ok(()),
            "others are not affected"
        );
        assert_eq!(limiter.check("198.51.100.1", 599), Err(1));
        assert_eq!(
            limiter.check("198.51.100.1", 600),
            Ok(()),
            "the first one slid out"
        );
        assert!(limiter.check("198.51.100.1", 601).is_err());
    }

    #[test]
    fn refused_requests_do_not_extend_the_wait() {
        let limiter = RateLimiter::new(1, 600, 100);
        assert!(limiter.check("a", 0).is_ok());
        for t in 1..100 {
            assert!(limiter.check("a", t).is_err());
        }
        assert!(limiter.check("a", 600).is_ok());
    }

    #[test]
    fn memory_stays_bounded_and_idle_addresses_expire() {
        let limiter = RateLimiter::new(3, 600, 1_000);
        for i in 0..5_000 {
            limiter
                .check(&format!("10.0.{}.{}", i / 256, i % 256), i)
                .unwrap();
        }
        assert!(limiter.len() <= 1_000, "{}", limiter.len());
        // An hour later the next request sweeps everyone idle out.
        limiter.check("192.0.2.1", 10_000).unwrap();
        assert_eq!(limiter.len(), 1);
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(limit_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(limit_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(limit_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(limit_key("unknown"), "unknown");
    }

    #[test]
    fn blank_contact_settings_count_as_unset() {
        let info = ContactInfo {
            phone: Some(" 400-000-0000 ".into()),
            email: Some("  ".into()),
            ..ContactInfo::default()
        }
        .normalised();
        assert_eq!(info.phone.as_deref(), Some("400-000-0000"));
        assert_eq!(info.email, None);
        assert!(!info.is_empty());
        assert!(ContactInfo::default().is_empty());
    }
}
