//! The SMTP server for 忘记密码 mails: off unless a host is set (in `wenyuan.toml`'s `[smtp]` or
//! at `/admin/settings`). One rule for both, like every other setting (see [`super::rules`]).

use super::rules::{one_line, BadSetting, SHORT_TEXT_MAX_CHARS};

/// The default SMTP port: plain SMTP to a relay.
pub const SMTP_DEFAULT_PORT: u16 = 25;

/// Where reset mails go out; `SiteSettings::smtp` is `None` when mail is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Host name or address of the SMTP server (a relay on this machine or network).
    pub host: String,
    pub port: u16,
    /// The sender, `noreply@example.com` or `文渊 <noreply@example.com>`.
    pub from: String,
    /// Login for AUTH, if the server asks for one.
    pub user: Option<String>,
    pub password: Option<String>,
}

/// Mail off: no host (what the settings table keeps then).
impl Default for SmtpSettings {
    fn default() -> Self {
        SmtpSettings {
            host: String::new(),
            port: SMTP_DEFAULT_PORT,
            from: String::new(),
            user: None,
            password: None,
        }
    }
}

fn bad(zh: String, en: String) -> BadSetting {
    BadSetting { zh, en }
}

/// Check SMTP settings given as text (the form's fields, the file's values): a blank host turns
/// mail off (`None`); with a host, the port and the sender must be usable.
pub fn smtp(
    host: &str,
    port: &str,
    from: &str,
    user: &str,
    password: &str,
) -> Result<Option<SmtpSettings>, BadSetting> {
    let host = one_line(host);
    if host.is_empty() {
        return Ok(None);
    }
    if host.chars().count() > 253 || host.chars().any(char::is_whitespace) {
        return Err(bad(
            format!("SMTP 服务器“{host}”不是有效的主机名"),
            format!("smtp.host {host:?} is not a host name"),
        ));
    }
    let port_text = one_line(port);
    let port = if port_text.is_empty() {
        SMTP_DEFAULT_PORT
    } else {
        match port_text.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                return Err(bad(
                    format!("SMTP 端口应为 1 到 65535 的整数，而不是“{port_text}”"),
                    format!("smtp.port must be 1 to 65535, not {port_text:?}"),
                ))
            }
        }
    };
    let from = one_line(from);
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(bad(
            format!("发件人“{from}”不是有效的邮箱地址（如 noreply@example.com）"),
            format!("smtp.from {from:?} is not a mail address"),
        ));
    }
    let user = one_line(user);
    if user.chars().count() > SHORT_TEXT_MAX_CHARS {
        return Err(bad(
            format!("SMTP 用户名不能超过 {SHORT_TEXT_MAX_CHARS} 个字"),
            format!("smtp.user is longer than {SHORT_TEXT_MAX_CHARS} characters"),
        ));
    }
    // The password is kept as typed (spaces may be part of it), on one line.
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().any(char::is_control) || password.chars().count() > 1000 {
        return Err(bad(
            "SMTP 密码含有无法使用的字符或过长".to_owned(),
            "smtp.password has control characters or is too long".to_owned(),
        ));
    }
    Ok(Some(SmtpSettings {
        host,
        port,
        from,
        user: Some(user).filter(|u| !u.is_empty()),
        password: Some(password).filter(|p| !p.is_empty()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_host_is_off_and_bad_values_are_named() {
        assert_eq!(smtp(" ", "x", "y", "", "").unwrap(), None);
        let on = smtp("127.0.0.1", "", "文渊 <noreply@example.com>", " u ", "p w")
            .unwrap()
            .unwrap();
        assert_eq!(on.port, 25);
        assert_eq!(on.user.as_deref(), Some("u"));
        assert_eq!(on.password.as_deref(), Some("p w"));
        for (host, port, from, expected) in [
            ("mail host", "25", "a@b.cn", "不是有效的主机名"),
            ("mail", "0", "a@b.cn", "SMTP 端口"),
            ("mail", "70000", "a@b.cn", "SMTP 端口"),
            ("mail", "25", "noreply", "发件人"),
        ] {
            let err = smtp(host, port, from, "", "").unwrap_err();
            assert!(
                err.zh.contains(expected),
                "{host} {port} {from}: {}",
                err.zh
            );
        }
    }
}
