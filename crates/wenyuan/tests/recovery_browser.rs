//! A forgotten password in real browsers (headless Chromium), on SQLite and PostgreSQL: an admin
//! issues a reset link at /admin/members; in a second browser the member opens it, sets a new
//! password and logs in with it; the old password fails, and a session the member had before the
//! reset (a cookie kept by another client) is gone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::webdriver::Browser;
use common::{backends, TestApp};

/// Log in through the form at /login.
async fn log_in(browser: &Browser, base: &str, name: &str, password: &str) {
    browser.goto(&format!("{base}/login")).await;
    browser.type_into("#name", name).await;
    browser.type_into("#password", password).await;
    browser.click("#login-submit").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_through_an_admins_link() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let base = &app.base;
        app.add_user("站长", "zhanzhang-password", "admin").await;
        // The member's session from before: a cookie another client keeps.
        let before = app.member("健忘的书友", "member").await;
        assert_eq!(before.get("/me").await.status, 200);
        let id = app
            .services()
            .store_for_tests()
            .user_by_name("健忘的书友")
            .await
            .unwrap()
            .unwrap()
            .id;

        // The admin, in one browser, issues the link from the members list.
        let admin = Browser::start().await;
        log_in(&admin, base, "站长", "zhanzhang-password").await;
        assert_eq!(
            admin.wait_for_url(&format!("{base}/")).await,
            format!("{base}/")
        );
        admin.goto(&format!("{base}/admin/members")).await;
        admin.click(&format!("#reset-link-{id}")).await;
        let page = admin.wait_for_text("重设密码链接").await;
        assert!(page.contains("健忘的书友"), "{backend:?}: {page}");
        let source = common::unescape_html(&admin.source().await);
        let start = source
            .find("/reset-password/")
            .expect("the link on the page");
        let token: String = source[start + "/reset-password/".len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        assert_eq!(token.len(), 64);
        let link = format!("{base}/reset-password/{token}");
        admin.quit().await;

        // The member, in a second browser, opens it and sets a new password.
        let member = Browser::start().await;
        member.goto(&link).await;
        let form = member.wait_for_text("设置新密码").await;
        assert!(form.contains("健忘的书友"), "{form}");
        member.type_into("#reset-password", "xinmima-2026").await;
        member.type_into("#reset-confirm", "xinmima-2026").await;
        member.click("#reset-submit").await;
        let login = member.wait_for_text("密码已重设").await;
        assert!(login.contains("请用新密码登录"), "{backend:?}: {login}");
        assert!(member
            .current_url()
            .await
            .starts_with(&format!("{base}/login")));

        // The old password fails; the new one logs in.
        log_in(&member, base, "健忘的书友", "健忘的书友-password").await;
        let refused = member.wait_for_text("用户名或密码不正确").await;
        assert!(refused.contains("用户名或密码不正确"), "{refused}");
        log_in(&member, base, "健忘的书友", "xinmima-2026").await;
        assert_eq!(
            member.wait_for_url(&format!("{base}/")).await,
            format!("{base}/")
        );
        member.goto(&format!("{base}/me")).await;
        let me = member.wait_for_text("我的收藏").await;
        assert!(me.contains("健忘的书友"), "logged in: {me}");

        // The link works once.
        member.goto(&link).await;
        let used = member.wait_for_text("已经使用过").await;
        assert!(used.contains("已经使用过"), "{used}");
        member.quit().await;

        // The session from before the reset is gone: /me sends it to log in, the API says 401.
        let old_me = before.get("/me").await;
        assert_eq!(old_me.status, 303, "{backend:?}");
        let to = old_me.headers["location"].to_str().unwrap();
        assert!(to.starts_with("/login"), "{to}");
        assert_eq!(before.get("/api/v1/me/favorites").await.status, 401);
        app.stop().await;
    }
}
