//! 忘记密码 by e-mail (issue 13, item 10): off by default; an admin turns it on at /admin/settings;
//! a member gives an address at /me; the login page offers 忘记密码, which mails a one-time link
//! (the admin's link mechanism) to a local SMTP sink written here; the link sets a new password
//! and ends the member's sessions. The answer is the same for accounts that do not exist.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use base64::Engine;
use common::{backends, Page, TestApp, Visitor};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// An SMTP server on 127.0.0.1:0 that accepts one message and returns it (headers and body as
/// sent, dot-stuffing undone).
async fn smtp_sink() -> (u16, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sink = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
        let mut message = String::new();
        let mut in_data = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    message.push_str(line.strip_prefix('.').unwrap_or(&line));
                    message.push('\n');
                }
                continue;
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 sink.test\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 end with .\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
        message
    });
    (port, sink)
}

/// The text of a single-part mail, decoded from base64 or quoted-printable as its header says.
fn mail_text(message: &str) -> String {
    let (head, body) = message.split_once("\n\n").expect("headers, then the body");
    let encoding = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Transfer-Encoding:"))
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match encoding.as_str() {
        "base64" => {
            let joined: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap();
            String::from_utf8(bytes).unwrap()
        }
        "quoted-printable" => {
            let unwrapped = body.replace("=\n", "");
            let mut bytes = Vec::new();
            let raw = unwrapped.as_bytes();
            let mut i = 0;
            while i < raw.len() {
                if raw[i] == b'=' && i + 2 < raw.len() {
                    let hex = std::str::from_utf8(&raw[i + 1..i + 3]).unwrap();
                    bytes.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    bytes.push(raw[i]);
                    i += 1;
                }
            }
            String::from_utf8(bytes).unwrap()
        }
        _ => body.to_owned(),
    }
}

/// Save the settings form with mail on, sending to the sink (the other fields: defaults).
async fn turn_mail_on(admin: &Visitor, port: u16) -> Page {
    let csrf = admin.csrf_from("/admin/settings").await;
    let port = port.to_string();
    admin
        .post_form(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("site_name", "文渊"),
                ("preview_ratio", "0.3"),
                ("preview_max_chars", "1500"),
                ("registration_open", "on"),
                ("default_access", "public"),
                ("downloads_member", "10"),
                ("downloads_vip", "100"),
                ("smtp_host", "127.0.0.1"),
                ("smtp_port", &port),
                ("smtp_from", "文渊 <noreply@example.com>"),
                ("smtp_user", ""),
                ("smtp_password", ""),
            ],
        )
        .await
}

async fn ask_for_mail(visitor: &Visitor, who: &str) -> Page {
    let csrf = visitor.csrf_from("/forgot-password").await;
    visitor
        .post_form("/forgot-password", &[("csrf", &csrf), ("who", who)])
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_comes_by_mail_when_smtp_is_configured() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let admin = app.member("邮件站长", "admin").await;
        let member = app.member("有邮箱的书友", "member").await;
        let guest = app.visitor();

        // Off by default: no link on the login page, no form.
        assert!(!guest.get("/login").await.body.contains("/forgot-password"));
        assert_eq!(guest.get("/forgot-password").await.status, 404);

        // The member's address at /me: checked, kept lowercased, unique.
        let csrf = member.csrf_from("/me").await;
        let bad = member
            .post_form("/me/email", &[("csrf", &csrf), ("email", "not-an-address")])
            .await;
        assert_eq!(bad.status, 422, "{backend:?}");
        assert!(bad.body.contains("不像邮箱地址"), "{}", bad.body);
        let saved = member
            .post_form(
                "/me/email",
                &[("csrf", &csrf), ("email", " ShuYou@Example.COM ")],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let me = member.get("/me?done=email").await.body;
        assert!(me.contains("邮箱已保存") && me.contains("shuyou@example.com"));
        let other = app.member("另一位", "member").await;
        let taken = other
            .post_form(
                "/me/email",
                &[
                    ("csrf", &other.csrf_from("/me").await),
                    ("email", "shuyou@example.com"),
                ],
            )
            .await;
        assert_eq!(taken.status, 422);
        assert!(taken.body.contains("已被其他账号使用"));

        // The admin turns mail on at /admin/settings.
        let (port, sink) = smtp_sink().await;
        let on = turn_mail_on(&admin, port).await;
        assert_eq!(on.status, 303, "{backend:?}: {}", on.body);
        let login = guest.get("/login").await.body;
        assert!(
            login.contains("/forgot-password"),
            "the login page offers it"
        );

        // The same answer whether or not the account exists (or has an address).
        let nobody = ask_for_mail(&guest, "没有这个人").await;
        let no_address = ask_for_mail(&guest, "另一位").await;
        let by_address = ask_for_mail(&guest, "SHUYOU@example.com").await;
        for page in [&nobody, &no_address, &by_address] {
            assert_eq!(page.status, 200, "{}", page.body);
            assert!(page.body.contains("如果该账号存在"), "{}", page.body);
        }

        // The one mail, to the member's address, with the link.
        let message = tokio::time::timeout(Duration::from_secs(60), sink)
            .await
            .expect("a mail within a minute")
            .unwrap();
        assert!(message.contains("shuyou@example.com"), "{message}");
        let text = mail_text(&message);
        assert!(
            text.contains("有邮箱的书友") && text.contains("24 小时"),
            "{text}"
        );
        let start = text.find("/reset-password/").expect("the link in the mail");
        let token: String = text[start + "/reset-password/".len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        assert_eq!(token.len(), 64, "{text}");
        assert!(
            text[..start].ends_with(&app.base),
            "an absolute link: {text}"
        );

        // The link sets a new password; the member's session from before ends.
        let link = format!("/reset-password/{token}");
        let reader = app.visitor();
        let csrf = reader.csrf_from(&link).await;
        let done = reader
            .post_form(
                &link,
                &[
                    ("csrf", &csrf),
                    ("password", "mailed-password-1"),
                    ("confirm", "mailed-password-1"),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(member.get("/me").await.status, 303, "{backend:?}");
        assert_eq!(
            app.visitor()
                .login("有邮箱的书友", "mailed-password-1")
                .await
                .status,
            303
        );

        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("发送重设密码邮件"), "{log}");
        assert!(log.contains("修改站点设置"), "{log}");
        app.stop().await;
    }
}
