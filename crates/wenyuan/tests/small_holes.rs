//! Small holes of issue 10 (item 6), as an attacker tries them: views inflated with fresh cookies
//! and User-Agents from one address, a forged `Host` header reaching the share link and the QR
//! code, and the registration form telling a script which names exist.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{backends, unescape_html, TestApp, Visitor, BROWSER_UA};

async fn publish(editor: &Visitor, title: &str) -> i64 {
    let csrf = editor.csrf_from("/admin/documents/new").await;
    let body = format!("{title}的正文第一段。\n一、主要任务\n认真落实各项部署，确保取得实效。");
    let saved = editor
        .post_form(
            "/admin/documents/new",
            &[
                ("csrf", csrf.as_str()),
                ("title", title),
                ("body", &body),
                ("format", "plain"),
                ("date", "2024-03-01"),
                ("category", ""),
                ("new_category", "通知公告"),
                ("tags", ""),
                ("status", "published"),
                ("access", "public"),
                ("preview_ratio", ""),
                ("preview_max", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let to = saved.headers["location"].to_str().unwrap();
    to.trim_start_matches("/admin/documents/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_counts_three_views_a_day_whatever_cookies_and_browsers_it_invents() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let editor = app.member("editor1", "editor").await;
        let id = publish(&editor, "关于开展安全生产大检查的通知").await;
        let views = || async { app.services().views.views_of(id).await.unwrap() };
        let start = views().await;
        // Twenty "readers" from 127.0.0.1, each with its own cookie jar and User-Agent.
        for n in 0..20 {
            let fresh = app.cookieless(&format!("{BROWSER_UA} fresh/{n}"));
            assert_eq!(fresh.get(&format!("/a/{id}")).await.status, 200);
            let with_cookies = app.visitor();
            with_cookies
                .client
                .get(format!("{}/a/{id}", app.base))
                .header("user-agent", format!("{BROWSER_UA} jar/{n}"))
                .send()
                .await
                .unwrap();
        }
        assert_eq!(views().await, start + 3, "{backend:?}");
        // Readers from other addresses still count.
        app.reader(1).get(&format!("/a/{id}")).await;
        app.reader(2).get(&format!("/a/{id}")).await;
        assert_eq!(views().await, start + 5, "{backend:?}");
        app.stop().await;
    }
}

/// The text of a QR code in an SVG, read with `rsvg-convert` and `zbarimg` when they are
/// installed.
fn decode_qr(svg: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let (svg_path, png_path) = (dir.path().join("qr.svg"), dir.path().join("qr.png"));
    std::fs::write(&svg_path, svg).unwrap();
    let converted = Command::new("rsvg-convert")
        .args(["-w", "400", "-o"])
        .arg(&png_path)
        .arg(&svg_path)
        .status()
        .ok()?;
    if !converted.success() {
        return None;
    }
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png_path)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Every `Vary` value of a response, joined.
fn vary_of(page: &common::Page) -> String {
    page.headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn get_with_host(app: &TestApp, path: &str, host: &str) -> common::Page {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header("host", host)
        .header("user-agent", BROWSER_UA)
        .send()
        .await
        .unwrap();
    common::page(response).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_host_never_reaches_the_share_link_or_the_qr_code() {
    let app = TestApp::start_with(backends()[0], |config| {
        config.site.allowed_hosts = vec!["fanwen.example.com".to_owned()];
    })
    .await;
    let editor = app.member("editor1", "editor").await;
    let id = publish(&editor, "关于做好防汛工作的通知").await;
    let own = app.base.trim_start_matches("http://").to_owned();
    let share_url = format!("{}/a/{id}", app.base);

    let trusted_qr = get_with_host(&app, &format!("/a/{id}/qr.svg"), &own).await;
    for host in [
        "evil.example",
        "evil.example:80",
        "fanwen.example.com.evil.example",
    ] {
        let page = get_with_host(&app, &format!("/a/{id}"), host).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("evil.example"), "{host}: {}", page.body);
        assert!(
            unescape_html(&page.body).contains(&share_url),
            "{host}: the listen address"
        );
        let vary = vary_of(&page);
        assert!(
            vary.contains("host") && vary.contains("accept-encoding"),
            "{vary}"
        );

        let qr = get_with_host(&app, &format!("/a/{id}/qr.svg"), host).await;
        assert_eq!(qr.status, 200);
        let vary = vary_of(&qr);
        assert!(vary.contains("host"), "{vary}");
        assert_eq!(
            qr.body, trusted_qr.body,
            "{host}: the QR of the listen address"
        );
        if let Some(text) = decode_qr(&qr.body) {
            assert_eq!(text, share_url, "{host}");
        } else {
            eprintln!("rsvg-convert/zbarimg not installed: QR compared as SVG only");
        }
    }
    // A host on the allow-list is taken.
    let allowed = get_with_host(&app, &format!("/a/{id}"), "fanwen.example.com").await;
    assert!(unescape_html(&allowed.body).contains(&format!("http://fanwen.example.com/a/{id}")));
    let qr = get_with_host(&app, &format!("/a/{id}/qr.svg"), "fanwen.example.com").await;
    if let Some(text) = decode_qr(&qr.body) {
        assert_eq!(text, format!("http://fanwen.example.com/a/{id}"));
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_does_not_tell_a_script_which_names_exist() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        app.add_user("zhangsan", "zhangsan-password", "member")
            .await;
        // Each probe from a fresh browser (a registration that works logs that one in).
        let shared = &app;
        let try_name = |name: &'static str| async move {
            let script = shared.visitor();
            let csrf = script.csrf_from("/register").await;
            script
                .post_form(
                    "/register",
                    &[
                        ("name", name),
                        ("password", "some-password"),
                        ("csrf", &csrf),
                    ],
                )
                .await
        };
        let taken = try_name("zhangsan").await;
        assert_eq!(taken.status, 422, "{backend:?}: {}", taken.body);
        assert!(taken.body.contains("请换一个用户名"), "{}", taken.body);
        for telling in ["已被占用", "已存在", "已注册", "exists", "taken"] {
            assert!(!taken.body.contains(telling), "{telling}: {}", taken.body);
        }
        // The probes count against the address's registrations: after five, none is answered.
        for name in ["lisi", "wangwu", "zhaoliu", "sunqi"] {
            let page = try_name(name).await;
            assert!(
                [303, 422].contains(&page.status.as_u16()),
                "{name}: {}",
                page.status
            );
        }
        let cut_off = try_name("zhouba").await;
        assert_eq!(cut_off.status, 429, "{backend:?}");
        app.stop().await;
    }
}
