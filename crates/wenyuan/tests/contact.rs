//! 联系客服 as a visitor and an admin meet it: the contact page, the message form (validation,
//! honeypot, rate limit with a controlled clock), the 微信订阅号 QR, and the admins' inbox — over
//! real HTTP, on SQLite and PostgreSQL where the database matters.

// Helpers panic on failure like the tests they serve (clippy only exempts `#[test]` fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{backends, unescape_html, TestApp, Visitor};
use wenyuan::config::Config;
use wenyuan_core::settings::{ContactInfo, WechatAccount, WechatQr};
use wenyuan_core::ManualClock;

const QR_URL: &str = "http://weixin.qq.com/r/wenyuan-fanwen-2024";

fn with_contact_settings(config: &mut Config) {
    config.site.wechat = Some(WechatAccount {
        name: "文渊范文".to_owned(),
        qr: Some(WechatQr::Url(QR_URL.to_owned())),
        hint: Some("扫码关注，获取更多范文".to_owned()),
    });
    config.site.contact = ContactInfo {
        phone: Some("400 800 1234".to_owned()),
        email: Some("kefu@example.com".to_owned()),
        wechat: Some("wenyuan-kefu".to_owned()),
        qq: Some("12345678".to_owned()),
        hours: Some("工作日 9:00–18:00".to_owned()),
    };
}

/// Post the contact form as a browser would: fetch the page (CSRF cookie and token), then submit.
async fn stored(app: &TestApp) -> (i64, i64) {
    let counts = app
        .services()
        .store_for_tests()
        .message_counts()
        .await
        .unwrap();
    (counts.total, counts.unread)
}

const CONFIRMATION: &str = "留言已收到，我们会尽快与您联系";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_stored_and_an_admin_reads_it() {
    for backend in backends() {
        let app = TestApp::start_with(backend, with_contact_settings).await;
        let visitor = app.visitor();

        let page = visitor.get("/contact").await;
        assert_eq!(page.status, 200, "{backend:?}");
        let body = unescape_html(&page.body);
        for expected in [
            "联系客服",
            "href=\"tel:4008001234\"",
            "href=\"mailto:kefu@example.com\"",
            "wenyuan-kefu",
            "12345678",
            "工作日 9:00–18:00",
            "文渊范文",
            "src=\"/wechat-qr.svg\"",
            "name=\"website\"",
            "maxlength=\"50\"",
            "maxlength=\"100\"",
            "maxlength=\"2000\"",
        ] {
            assert!(
                body.contains(expected),
                "{backend:?}: /contact lacks {expected}"
            );
        }

        let sent = visitor
            .leave_message("张老师", "13800000000", "您好，\n想咨询 VIP 会员的价格。")
            .await;
        assert_eq!(sent.status, 200, "{backend:?}: {}", sent.body);
        assert!(sent.body.contains(CONFIRMATION), "a clear confirmation");
        assert!(
            !sent.body.contains("name=\"message\""),
            "the form is gone once sent"
        );
        assert_eq!(stored(&app).await, (1, 1), "{backend:?}");

        app.add_user("boss", "admin-password-1", "admin").await;
        let admin = app.visitor();
        assert_eq!(admin.login("boss", "admin-password-1").await.status, 303);
        let inbox = admin.get("/admin/messages").await;
        assert_eq!(inbox.status, 200, "{backend:?}");
        let text = unescape_html(&inbox.body);
        assert!(
            text.contains("张老师") && text.contains("13800000000"),
            "{text}"
        );
        assert!(
            text.contains("您好，\n想咨询 VIP 会员的价格。"),
            "line breaks kept"
        );
        assert!(text.contains("未读"), "unread is marked");
        assert!(
            text.contains("IP 127.0.0.1"),
            "the sender's address is recorded"
        );

        // Mark it read with the button's form (CSRF token from the page).
        let marker = "action=\"/admin/messages/";
        let start = inbox.body.find(marker).expect("a mark-read button") + marker.len();
        let id: String = inbox.body[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let csrf = admin.csrf_from("/admin/messages").await;
        let forged = admin
            .post_form(&format!("/admin/messages/{id}/read"), &[("csrf", "forged")])
            .await;
        assert_eq!(forged.status, 403);
        let done = admin
            .post_form(
                &format!("/admin/messages/{id}/read"),
                &[("csrf", &csrf), ("page", "1")],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(
            done.headers["location"],
            format!("/admin/messages?done=read#m-{id}"),
            "back to the inbox, with a notice"
        );
        assert_eq!(stored(&app).await, (1, 0), "{backend:?}: read now");
        assert!(admin.get("/admin/messages").await.body.contains("已读"));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_and_oversized_messages_are_refused_with_a_clear_message() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let visitor = app.visitor();

        let empty = visitor
            .leave_message("李女士", "li@example.com", "   ")
            .await;
        assert_eq!(empty.status, 422, "{backend:?}");
        assert!(empty.body.contains("请填写留言内容"), "{}", empty.body);
        assert!(empty.body.contains("value=\"李女士\""), "the input is kept");
        assert!(empty.body.contains("value=\"li@example.com\""));

        let long = "字".repeat(2001);
        let oversized = visitor.leave_message("李女士", "", &long).await;
        assert_eq!(oversized.status, 422);
        assert!(
            oversized.body.contains("留言内容不能超过 2000 个字"),
            "{}",
            oversized.body
        );
        assert!(
            oversized.body.contains(&long),
            "the text is given back to shorten, not lost"
        );

        let nameless = visitor.leave_message("", "", "有一个问题想咨询").await;
        assert_eq!(nameless.status, 422);
        assert!(nameless.body.contains("请填写您的称呼"));
        assert!(nameless.body.contains("有一个问题想咨询"));

        let no_csrf = visitor
            .post_form(
                "/contact",
                &[("name", "李女士"), ("message", "没有令牌的留言")],
            )
            .await;
        assert_eq!(
            no_csrf.status, 403,
            "forms without the CSRF token are refused"
        );

        assert_eq!(stored(&app).await, (0, 0), "{backend:?}: nothing stored");
        let fine = visitor
            .leave_message("李女士", "", &"字".repeat(2000))
            .await;
        assert_eq!(fine.status, 200, "exactly 2000 characters is allowed");
        assert_eq!(stored(&app).await, (1, 1));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_honeypot_looks_sent_but_stores_nothing() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let bot = app.visitor();
        let csrf = bot.csrf_from("/contact").await;
        let page = bot
            .post_form(
                "/contact",
                &[
                    ("csrf", &csrf),
                    ("name", "Cheap pills"),
                    ("message", "Buy now http://spam.example"),
                    ("website", "http://spam.example"),
                ],
            )
            .await;
        assert_eq!(page.status, 200, "{backend:?}");
        assert!(
            page.body.contains(CONFIRMATION),
            "the bot is told it worked"
        );
        assert_eq!(
            stored(&app).await,
            (0, 0),
            "{backend:?}: but nothing is stored"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_limited_until_ten_minutes_pass() {
    for backend in backends() {
        let clock = ManualClock::at(1_700_000_000);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        let visitor = app.visitor();
        for i in 1..=3 {
            let page = visitor
                .leave_message("访客", "", &format!("第 {i} 条留言"))
                .await;
            assert_eq!(page.status, 200, "{backend:?}: message {i}");
            clock.advance(60);
        }
        let flood = visitor.leave_message("访客", "", "第 4 条留言").await;
        assert_eq!(flood.status, 429, "{backend:?}");
        assert!(flood.body.contains("留言太频繁"), "{}", flood.body);
        assert!(
            flood.body.contains("第 4 条留言"),
            "the text is kept for later"
        );
        // A fresh cookie jar on the same address does not reset the limit.
        let other = app.visitor();
        assert_eq!(
            other
                .leave_message("访客", "", "换个浏览器再来")
                .await
                .status,
            429
        );
        assert_eq!(stored(&app).await.0, 3, "{backend:?}");

        clock.advance(10 * 60);
        let later = visitor.leave_message("访客", "", "十分钟后再来").await;
        assert_eq!(
            later.status, 200,
            "{backend:?}: allowed again after ten minutes"
        );
        assert_eq!(stored(&app).await.0, 4);
        app.stop().await;
    }
}

/// `X-Forwarded-For` is believed only with `trust_proxy`: otherwise a client could name a new
/// address on every request and never be limited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    async fn post_as(visitor: &Visitor, forwarded_for: &str, n: usize) -> u16 {
        let csrf = visitor.csrf_from("/contact").await;
        let message = format!("经代理的第 {n} 条留言");
        visitor
            .client
            .post(format!("{}/contact", visitor.base))
            .header("x-forwarded-for", forwarded_for)
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "访客"),
                ("message", message.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    let backend = backends()[0];
    let untrusting = TestApp::start(backend).await;
    let visitor = untrusting.visitor();
    let statuses = [
        post_as(&visitor, "198.51.100.1", 1).await,
        post_as(&visitor, "198.51.100.2", 2).await,
        post_as(&visitor, "198.51.100.3", 3).await,
        post_as(&visitor, "198.51.100.4", 4).await,
    ];
    assert_eq!(
        statuses,
        [200, 200, 200, 429],
        "spoofed addresses are ignored"
    );
    untrusting.stop().await;

    let behind_proxy = TestApp::start_with(backend, |c| c.site.trust_proxy = true).await;
    let visitor = behind_proxy.visitor();
    for n in 1..=4 {
        let status = post_as(&visitor, &format!("203.0.113.{n}"), n).await;
        assert_eq!(status, 200, "distinct clients behind the proxy");
    }
    let same: Vec<u16> = post_four_times(&visitor, "spoof, 192.0.2.77").await;
    assert_eq!(
        same,
        [200, 200, 200, 429],
        "the proxy's last entry is the client"
    );
    let inbox = behind_proxy
        .services()
        .inbox
        .messages(1, false)
        .await
        .unwrap();
    assert_eq!(inbox.items[0].ip, "192.0.2.77");
    behind_proxy.stop().await;

    async fn post_four_times(visitor: &Visitor, header: &str) -> Vec<u16> {
        let mut out = Vec::new();
        for n in 0..4 {
            out.push(post_as(visitor, header, 10 + n).await);
        }
        out
    }
}

/// SVG → PNG with `rsvg-convert`, then read the QR with `zbarimg`.
fn decode_qr_svg(svg: &[u8], dir: &Path) -> String {
    let svg_path = dir.join("qr.svg");
    let png_path = dir.join("qr.png");
    std::fs::write(&svg_path, svg).unwrap();
    let convert = Command::new("rsvg-convert")
        .arg("-o")
        .arg(&png_path)
        .arg(&svg_path)
        .status()
        .expect("rsvg-convert (Debian package librsvg2-bin) is installed");
    assert!(convert.success());
    decode_qr_png(&png_path)
}

fn decode_qr_png(png: &Path) -> String {
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(png)
        .output()
        .expect("zbarimg (Debian package zbar-tools) is installed");
    assert!(
        out.status.success(),
        "zbarimg found no code: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscription_qr_decodes_to_the_configured_url() {
    let backend = backends()[0];
    let app = TestApp::start_with(backend, with_contact_settings).await;
    let guest = app.visitor();
    let response = guest
        .client
        .get(format!("{}/wechat-qr.svg", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(decode_qr_svg(&svg, dir.path()), QR_URL);
    assert_eq!(
        guest.get("/wechat-qr").await.status,
        404,
        "no image file configured"
    );

    // The sidebar boxes on the home page and the article page.
    let report = wenyuan::demo::load_sample(app.services()).await.unwrap();
    for path in ["/".to_owned(), format!("/a/{}", report.inserted_ids[0])] {
        let page = guest.get(&path).await;
        assert_eq!(page.status, 200);
        for expected in [
            "微信订阅号",
            "文渊范文",
            "src=\"/wechat-qr.svg\"",
            "扫码关注，获取更多范文",
            "联系客服",
            "href=\"/contact\"",
            "href=\"tel:4008001234\"",
        ] {
            assert!(
                unescape_html(&page.body).contains(expected),
                "{path} lacks {expected}"
            );
        }
    }
    app.stop().await;

    let plain = TestApp::start(backend).await;
    let guest = plain.visitor();
    assert_eq!(
        guest.get("/wechat-qr.svg").await.status,
        404,
        "no QR configured"
    );
    assert_eq!(guest.get("/wechat-qr").await.status, 404);
    let home = guest.get("/").await;
    assert!(
        !home.body.contains("微信订阅号"),
        "no subscription block without settings"
    );
    assert!(
        unescape_html(&home.body).contains("href=\"/contact\""),
        "the contact box is always there"
    );
    plain.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_qr_image_is_served_with_its_type_and_size_limit() {
    let backend = backends()[0];
    // A real PNG of a QR code, made the way an operator might: rendered from an SVG.
    let dir = tempfile::tempdir().unwrap();
    let svg = wenyuan_qr_svg_via_server(backend).await;
    let _ = decode_qr_svg(&svg, dir.path());
    let png = std::fs::read(dir.path().join("qr.png")).unwrap();

    let uploaded = png.clone();
    let app = TestApp::start_with(backend, move |config| {
        std::fs::create_dir_all(config.data_dir.join("uploads")).unwrap();
        std::fs::write(config.data_dir.join("uploads/wechat.png"), &uploaded).unwrap();
        config.site.wechat = Some(WechatAccount {
            name: "文渊范文".to_owned(),
            qr: Some(WechatQr::Image(config.data_dir.join("uploads/wechat.png"))),
            hint: None,
        });
    })
    .await;
    let guest = app.visitor();
    let response = guest
        .client
        .get(format!("{}/wechat-qr", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let served = response.bytes().await.unwrap();
    assert_eq!(served.as_ref(), png.as_slice());
    std::fs::write(dir.path().join("served.png"), &served).unwrap();
    assert_eq!(decode_qr_png(&dir.path().join("served.png")), QR_URL);
    assert!(unescape_html(&guest.get("/").await.body).contains("src=\"/wechat-qr\""));
    assert_eq!(
        guest.get("/wechat-qr.svg").await.status,
        404,
        "no URL to encode"
    );
    app.stop().await;

    let too_big = TestApp::start_with(backend, |config| {
        let mut huge = png.clone();
        huge.resize(3 * 1024 * 1024, 0);
        std::fs::write(config.data_dir.join("big.png"), huge).unwrap();
        config.site.wechat = Some(WechatAccount {
            name: "文渊范文".to_owned(),
            qr: Some(WechatQr::Image(config.data_dir.join("big.png"))),
            hint: None,
        });
    })
    .await;
    assert_eq!(
        too_big.visitor().get("/wechat-qr").await.status,
        404,
        "over 2 MB is not served"
    );
    too_big.stop().await;
}

/// The subscription QR SVG as the server makes it for [`QR_URL`].
async fn wenyuan_qr_svg_via_server(backend: wenyuan_store::Backend) -> Vec<u8> {
    let app = TestApp::start_with(backend, with_contact_settings).await;
    let svg = app
        .visitor()
        .client
        .get(format!("{}/wechat-qr.svg", app.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    app.stop().await;
    svg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_is_for_admins_only() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let guest = app.visitor();
        let page = guest.get("/admin/messages?page=2").await;
        assert_eq!(page.status, 403, "{backend:?}");
        assert!(
            unescape_html(&page.body).contains("name=\"next\" value=\"/admin/messages?page=2\""),
            "a guest's 403 is the login form, coming back here afterwards"
        );
        let post = guest
            .post_form("/admin/messages/1/read", &[("csrf", "x")])
            .await;
        assert_eq!(post.status, 403, "guests are told nothing more");

        app.add_user("reader", "member-password", "member").await;
        app.add_user("editor1", "editor-password", "editor").await;
        for (name, password) in [
            ("reader", "member-password"),
            ("editor1", "editor-password"),
        ] {
            let member = app.visitor();
            assert_eq!(member.login(name, password).await.status, 303);
            let refused = member.get("/admin/messages").await;
            assert_eq!(refused.status, 403, "{backend:?}: {name}");
            assert!(
                refused.body.contains("编辑后台只对编辑和管理员开放")
                    || refused.body.contains("这里只对管理员开放"),
                "{}",
                refused.body
            );
            let token = member.csrf_from("/contact").await;
            let post = member
                .post_form("/admin/messages/1/read", &[("csrf", &token)])
                .await;
            assert_eq!(post.status, 403, "{name} cannot mark messages either");
        }

        app.add_user("boss", "admin-password-1", "admin").await;
        let admin = app.visitor();
        admin.login("boss", "admin-password-1").await;
        let empty = admin.get("/admin/messages").await;
        assert_eq!(empty.status, 200);
        assert!(empty.body.contains("还没有留言"));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_pages_newest_first() {
    let backend = backends()[0];
    let clock = ManualClock::at(1_700_000_000);
    let app = TestApp::start_full(backend, Some(clock.clone()), |c| c.site.page_size = 2).await;
    let visitor = app.visitor();
    for i in 1..=5 {
        assert_eq!(
            visitor
                .leave_message(&format!("访客{i}"), "", "想咨询一下")
                .await
                .status,
            200
        );
        // Past the rate limit's window each time, so one address may leave all five.
        clock.advance(601);
    }
    app.add_user("boss", "admin-password-1", "admin").await;
    let admin = app.visitor();
    admin.login("boss", "admin-password-1").await;
    let first = admin.get("/admin/messages").await.body;
    assert!(first.contains("访客5") && first.contains("访客4") && !first.contains("访客3"));
    assert!(first.find("访客5") < first.find("访客4"), "newest first");
    assert!(first.contains("第 1 / 3 页"));
    let last = admin.get("/admin/messages?page=3").await.body;
    assert!(last.contains("访客1") && !last.contains("访客2"));
    app.stop().await;
}

fn screenshot_dir() -> std::path::PathBuf {
    std::env::var_os("WENYUAN_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../screenshots"))
        })
}

/// The contact page, its confirmation and the inbox in headless Chromium, at desktop and phone
/// widths; screenshots go to `screenshots/`. The visitor is the real browser: the honeypot stays
/// empty and the message arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_pages_in_a_browser() {
    use common::webdriver::Browser;

    let app = TestApp::start_with(backends()[0], with_contact_settings).await;
    let report = wenyuan::demo::load_sample(app.services()).await.unwrap();
    app.add_user("boss", "admin-password-1", "admin").await;
    let shots = screenshot_dir();
    let browser = Browser::start().await;

    browser.goto(&format!("{}/contact", app.base)).await;
    browser.screenshot(&shots.join("contact-desktop.png")).await;
    browser.resize(390, 844).await;
    browser.screenshot(&shots.join("contact-phone.png")).await;
    browser.type_into("#contact-name", "张老师").await;
    browser.type_into("#contact-contact", "13800000000").await;
    browser
        .type_into(
            "#contact-message",
            "您好，想咨询 VIP 会员的价格，以及能否下载 Word 版本。",
        )
        .await;
    browser.click("#contact-submit").await;
    for _ in 0..50 {
        if browser.text().await.contains(CONFIRMATION) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        browser.text().await.contains(CONFIRMATION),
        "the confirmation is shown"
    );
    browser
        .screenshot(&shots.join("contact-sent-phone.png"))
        .await;
    assert_eq!(
        stored(&app).await,
        (1, 1),
        "a real browser's message is stored (the honeypot stayed empty)"
    );

    browser
        .goto(&format!("{}/a/{}", app.base, report.inserted_ids[0]))
        .await;
    browser
        .screenshot(&shots.join("article-sidebar-contact-phone.png"))
        .await;
    browser.resize(1280, 900).await;
    browser
        .screenshot(&shots.join("article-sidebar-contact-desktop.png"))
        .await;

    browser
        .log_in(
            &format!("{}/login?next=%2Fadmin%2Fmessages", app.base),
            "boss",
            "admin-password-1",
        )
        .await;
    let inbox = format!("{}/admin/messages", app.base);
    assert_eq!(browser.wait_for_url(&inbox).await, inbox);
    assert!(browser.text().await.contains("张老师"));
    browser
        .screenshot(&shots.join("admin-messages-desktop.png"))
        .await;
    browser.resize(390, 844).await;
    browser
        .screenshot(&shots.join("admin-messages-phone.png"))
        .await;
    browser.quit().await;
    app.stop().await;
}
