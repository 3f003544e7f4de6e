//! A member's own library in a real browser (headless Chromium, no JavaScript of ours): favourite
//! a document from its page, find it and the read in /me, change the password, export the data,
//! delete the account — on SQLite and PostgreSQL. Screenshots of /me at desktop and phone widths go
//! to `screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::webdriver::Browser;
use common::{backends, TestApp};
use serde_json::Value;

fn screenshot_dir() -> PathBuf {
    std::env::var_os("WENYUAN_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../screenshots")))
}

/// The first finished `.json` file in `dir`, waiting up to 10 s for the download.
async fn downloaded_json(dir: &std::path::Path) -> String {
    for _ in 0..100 {
        let found = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "json"));
        if let Some(path) = found {
            return std::fs::read_to_string(path).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no export downloaded into {}", dir.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_keeps_a_library_changes_the_password_exports_and_leaves() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let report = wenyuan::demo::load_sample(app.services()).await.unwrap();
        let seed_id = report.inserted_ids[0];
        let other_id = report.inserted_ids[1];
        app.add_user("书友", "shuyou-password-1", "member").await;
        let shots = screenshot_dir();
        let tag = format!("{backend:?}").to_lowercase();
        let base = &app.base;

        let browser = Browser::start().await;
        let downloads = tempfile::tempdir().unwrap();
        browser.download_into(downloads.path()).await;

        // Log in through the form from the article's 登录后收藏.
        let article = format!("{base}/a/{seed_id}");
        browser.goto(&article).await;
        assert!(browser.text().await.contains("登录后收藏"), "{backend:?}");
        browser.click(".favorite a").await;
        assert!(browser.wait_for_text("用户名").await.contains("登录"));
        browser.type_into("#name", "书友").await;
        browser.type_into("#password", "shuyou-password-1").await;
        browser.click("#login-submit").await;
        assert_eq!(browser.wait_for_url(&article).await, article);

        // 收藏 → the button turns into 取消收藏, back on the same article.
        browser.click("#favorite-toggle").await;
        assert_eq!(browser.wait_for_url(&article).await, article);
        let toggled = browser.wait_for_text("取消收藏").await;
        assert!(
            toggled.contains("取消收藏"),
            "the button says it is a favourite"
        );
        browser
            .screenshot(&shots.join(format!("article-favorite-{tag}.png")))
            .await;
        browser.goto(&format!("{base}/a/{other_id}")).await;

        // /me: the favourite, both reads (the latest first), reached from the header.
        browser.goto(&format!("{base}/")).await;
        browser.click(".account a.who").await;
        let me = format!("{base}/me");
        assert_eq!(browser.wait_for_url(&me).await, me);
        let text = browser.text().await;
        let seed_title = "在2020年区委读书会上的讲话";
        for part in [
            "我的收藏",
            "阅读历史",
            "下载记录",
            "修改密码",
            "导出我的数据",
            "注销账号",
            "VIP 会员",
        ] {
            assert!(text.contains(part), "{backend:?}: /me shows {part}");
        }
        let history = text.split("阅读历史").nth(2).unwrap_or_default();
        assert_eq!(history.matches(seed_title).count(), 1, "{text}");
        let favorites = text.split("我的收藏").nth(2).unwrap_or_default();
        let favorites = favorites.split("阅读历史").next().unwrap_or_default();
        assert!(
            favorites.contains(seed_title),
            "the favourite is listed: {text}"
        );
        assert!(favorites.contains("取消收藏"));
        browser
            .screenshot(&shots.join(format!("me-desktop-{tag}.png")))
            .await;
        browser.resize(390, 844).await;
        browser
            .screenshot(&shots.join(format!("me-phone-{tag}.png")))
            .await;
        browser.resize(1280, 900).await;

        // A wrong old password is refused with a clear message.
        browser.type_into("#old-password", "not-my-password").await;
        browser
            .type_into("#new-password", "shuyou-password-2")
            .await;
        browser
            .type_into("#confirm-password", "shuyou-password-2")
            .await;
        browser.click("#password-submit").await;
        assert!(browser
            .wait_for_text("原密码不正确")
            .await
            .contains("原密码不正确"));
        // The right one changes it.
        browser
            .type_into("#old-password", "shuyou-password-1")
            .await;
        browser
            .type_into("#new-password", "shuyou-password-2")
            .await;
        browser
            .type_into("#confirm-password", "shuyou-password-2")
            .await;
        browser.click("#password-submit").await;
        let done = format!("{base}/me?done=password#password");
        assert_eq!(browser.wait_for_url(&done).await, done, "{backend:?}");
        assert!(browser.text().await.contains("密码已修改"));
        assert_eq!(
            app.visitor()
                .login("书友", "shuyou-password-1")
                .await
                .status,
            401,
            "the old password is gone"
        );

        // 导出我的数据: a file with the favourite and the history.
        browser.click("#export-link").await;
        let export: Value = serde_json::from_str(&downloaded_json(downloads.path()).await).unwrap();
        assert_eq!(export["account"]["name"], "书友");
        assert_eq!(export["favorites"][0]["id"], seed_id);
        assert_eq!(export["favorites"][0]["title"], seed_title);
        let read: Vec<i64> = export["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        assert_eq!(read, vec![other_id, seed_id], "the latest read first");

        // 注销账号, with the (new) password.
        browser
            .type_into("#delete-password", "shuyou-password-2")
            .await;
        browser.click("#delete-submit").await;
        let gone = browser.wait_for_text("账号已注销").await;
        assert!(gone.contains("账号已注销"), "{backend:?}: {gone}");
        browser.goto(&me).await;
        assert!(
            browser.current_url().await.contains("/login?next="),
            "logged out: /me asks to log in"
        );
        browser.type_into("#name", "书友").await;
        browser.type_into("#password", "shuyou-password-2").await;
        browser.click("#login-submit").await;
        assert!(
            browser
                .wait_for_text("用户名或密码不正确")
                .await
                .contains("用户名或密码不正确"),
            "the name logs in no more"
        );
        browser.quit().await;
        app.stop().await;
    }
}
