//! The reset mail (忘记密码 by e-mail), sent over SMTP with lettre.
//!
//! Plain SMTP only (lettre without a TLS stack, to keep the build light): point the settings at a
//! mail relay on the same machine or network (Postfix, a provider's relay agent), which carries
//! the mail on with TLS. Credentials, when given, are sent with AUTH PLAIN/LOGIN.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::SmtpSettings;

/// How long one SMTP exchange may take before the mail is given up (and logged).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The reset mail's text: where it comes from, the link, how long it works.
pub fn reset_mail_text(site_name: &str, member_name: &str, link: &str, hours: i64) -> String {
    format!(
        "{member_name}，您好：\n\n\
         有人（可能是您本人）在「{site_name}」申请重设账号 {member_name} 的密码。\n\
         请在 {hours} 小时内打开下面的链接设置新密码（链接只能使用一次）：\n\n\
         {link}\n\n\
         设置新密码后，该账号在所有设备上的登录都会退出。\n\
         如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n\n\
         {site_name}\n"
    )
}

/// Send one plain-text mail through the configured SMTP server. Errors are for the log.
pub async fn send_mail(
    smtp: &SmtpSettings,
    to: &str,
    subject: &str,
    text: String,
) -> Result<(), String> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| format!("the sender address {:?}: {e}", smtp.from))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| format!("the recipient address: {e}"))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| format!("building the mail: {e}"))?;
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .timeout(Some(SMTP_TIMEOUT));
    if let Some(user) = &smtp.user {
        transport = transport.credentials(Credentials::new(
            user.clone(),
            smtp.password.clone().unwrap_or_default(),
        ));
    }
    transport
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("SMTP {}:{}: {e}", smtp.host, smtp.port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_names_the_site_the_account_and_the_link() {
        let text = reset_mail_text("文渊", "书友", "https://example.com/reset-password/ab", 24);
        assert!(text.contains("「文渊」"));
        assert!(text.contains("账号 书友"));
        assert!(text.contains("\nhttps://example.com/reset-password/ab\n"));
        assert!(text.contains("24 小时"));
    }
}
