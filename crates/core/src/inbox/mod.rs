//! 联系客服: the message form's service (validation, the honeypot, the per-address rate limit)
//! over the store, and the admins' inbox.

use serde::{Deserialize, Serialize};
use wenyuan_store::{MessageCounts, MessageRow, NewMessage};

use crate::accounts::Member;
use crate::audit::audit_entry;
use crate::context::Context;
use crate::error::Missing;
pub use crate::limits::RateLimiter;
use crate::{CoreError, Result};

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

/// The contact form's messages: taken from visitors (validated, rate-limited), read by admins.
pub struct Inbox {
    ctx: Context,
    /// Per-address limit of the contact form (in memory: each node limits on its own).
    limiter: RateLimiter,
}

impl Inbox {
    pub(crate) fn new(ctx: Context) -> Self {
        Inbox {
            ctx,
            limiter: RateLimiter::new(
                MESSAGES_PER_WINDOW,
                MESSAGE_WINDOW_SECONDS,
                LIMITER_MAX_KEYS,
            ),
        }
    }

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
        self.limiter
            .check(ip, self.ctx.now())
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
            .ctx
            .store
            .insert_message(&NewMessage {
                name: &valid.name,
                contact: &valid.contact,
                message: &valid.message,
                ip,
                user_agent: &user_agent,
                created_at: self.ctx.now(),
            })
            .await?;
        Ok(id)
    }

    /// How many messages there are, and how many are unread.
    pub async fn message_counts(&self) -> Result<MessageCounts> {
        Ok(self.ctx.store.message_counts().await?)
    }

    /// Messages for the inbox, newest first; `unread_only` shows only those nobody marked read.
    pub async fn messages(&self, page: i64, unread_only: bool) -> Result<MessagePage> {
        let size = self.ctx.settings().page_size.max(1);
        let MessageCounts { total, unread } = self.ctx.store.message_counts().await?;
        let shown = if unread_only { unread } else { total };
        let pages = ((shown + size - 1) / size).max(1);
        let page = page.clamp(1, pages);
        let rows = self
            .ctx
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
            .ctx
            .store
            .set_message_read(id, read, &entry, self.ctx.now())
            .await?
        {
            Ok(())
        } else {
            Err(CoreError::NotFound(Missing::Message(id)))
        }
    }

    /// Write the staff's follow-up note of a message (blank clears it); audited as
    /// `message.note` with the note's text.
    pub async fn set_message_note(&self, actor: &Member, id: i64, note: &str) -> Result<()> {
        let note = clean_text(note);
        let chars = note.chars().count();
        if chars > NOTE_MAX_CHARS {
            return Err(CoreError::invalid(
                "message",
                format!("处理备注不能超过 {NOTE_MAX_CHARS} 个字（现在是 {chars} 个字）"),
            ));
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
            .ctx
            .store
            .set_message_note(id, note.as_deref(), &entry, self.ctx.now())
            .await?
        {
            Ok(())
        } else {
            Err(CoreError::NotFound(Missing::Message(id)))
        }
    }

    fn message_view(&self, row: MessageRow) -> MessageView {
        let created = self.ctx.local_format(row.created_at, "%Y-%m-%d %H:%M");
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
    let invalid = |m: String| Err(CoreError::invalid("message", m));
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
                err.to_string().contains(expected) && matches!(err, CoreError::Invalid(_)),
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
}
