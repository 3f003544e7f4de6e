//! Accounts as a visitor meets them: register, log in, log out, wrong passwords, taken names,
//! CSRF, session rotation, registration switched off — on SQLite and PostgreSQL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, TestApp};

fn session_cookie(page: &common::Page) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wy_session="))
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_log_out_and_log_back_in() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let visitor = app.visitor();
        let csrf = visitor.csrf_from("/register?next=/a/1").await;
        let page = visitor
            .post_form(
                "/register",
                &[
                    ("name", "新读者"),
                    ("password", "a-good-password"),
                    ("csrf", &csrf),
                    ("next", "/a/1"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{backend:?}: {}", page.body);
        assert_eq!(
            page.headers["location"], "/a/1",
            "back where the reader came from"
        );
        let cookie = session_cookie(&page).expect("a session cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(
            !cookie.contains("Secure"),
            "plain http base: no Secure flag"
        );
        let home = visitor.get("/").await;
        assert!(
            home.body.contains("新读者") && home.body.contains("退出"),
            "logged in"
        );

        // Log out needs the CSRF token; without it nothing happens.
        let refused = visitor.post_form("/logout", &[("csrf", "forged")]).await;
        assert_eq!(refused.status, 403);
        assert!(refused.body.contains("CSRF"), "a clear message");
        assert!(
            visitor.get("/").await.body.contains("退出"),
            "still logged in"
        );
        let token = {
            let body = visitor.get("/").await.body;
            let start = body.find("name=\"csrf\" value=\"").unwrap() + 19;
            body[start..start + 64].to_owned()
        };
        let out = visitor.post_form("/logout", &[("csrf", &token)]).await;
        assert_eq!(out.status, 303);
        assert!(session_cookie(&out).unwrap().contains("Max-Age=0"));
        assert!(visitor.get("/").await.body.contains("登录"), "logged out");

        let back = visitor.login("新读者", "a-good-password").await;
        assert_eq!(back.status, 303);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_and_taken_names_get_clear_messages() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        app.add_user("reader", "right-password", "member").await;
        let visitor = app.visitor();
        let wrong = visitor.login("reader", "wrong-password").await;
        assert_eq!(wrong.status, 401, "{backend:?}");
        assert!(wrong.body.contains("用户名或密码不正确"));
        assert!(session_cookie(&wrong).is_none());
        let unknown = visitor.login("nobody", "whatever-password").await;
        assert_eq!(unknown.status, 401);
        assert!(
            unknown.body.contains("用户名或密码不正确"),
            "the same message: names are not revealed"
        );

        let csrf = visitor.csrf_from("/register").await;
        let taken = visitor
            .post_form(
                "/register",
                &[
                    ("name", "reader"),
                    ("password", "another-password"),
                    ("csrf", &csrf),
                ],
            )
            .await;
        // Refused like any unusable name: the form does not say that the name exists.
        assert_eq!(taken.status, 422);
        assert!(taken.body.contains("请换一个用户名"), "{}", taken.body);
        assert!(!taken.body.contains("已被占用"), "{}", taken.body);
        let short = visitor
            .post_form(
                "/register",
                &[("name", "short-pw"), ("password", "1234"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(short.status, 422);
        assert!(short.body.contains("至少需要 8 个字符"));
        let bad_name = visitor
            .post_form(
                "/register",
                &[
                    ("name", "<script>"),
                    ("password", "long-enough-pw"),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(bad_name.status, 422);
        assert!(!bad_name.body.contains("<script>"), "user input is escaped");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_rotates_the_session_and_forms_need_their_token() {
    let app = TestApp::start(backends()[0]).await;
    app.add_user("reader", "right-password", "member").await;
    let visitor = app.visitor();
    let first = session_cookie(&visitor.login("reader", "right-password").await).unwrap();
    // Logging in again from the logged-in browser (the form's token is the session's).
    let token = {
        let body = visitor.get("/").await.body;
        let start = body.find("name=\"csrf\" value=\"").unwrap() + 19;
        body[start..start + 64].to_owned()
    };
    let again = visitor
        .post_form(
            "/login",
            &[
                ("name", "reader"),
                ("password", "right-password"),
                ("csrf", &token),
            ],
        )
        .await;
    assert_eq!(again.status, 303);
    let second = session_cookie(&again).unwrap();
    assert_ne!(first, second, "a new session id on every login");

    // The old session is gone: a client presenting it is a guest.
    let old_token = first
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("wy_session=")
        .to_owned();
    let replay = reqwest::Client::new()
        .get(format!("{}/", app.base))
        .header("cookie", format!("wy_session={old_token}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !replay.contains("退出"),
        "the pre-login session no longer works"
    );

    // A login POST without the CSRF cookie and token is refused.
    let stranger = app.visitor();
    let page = stranger
        .post_form(
            "/login",
            &[("name", "reader"), ("password", "right-password")],
        )
        .await;
    assert_eq!(page.status, 403);
    // A next= pointing off-site is ignored.
    let csrf = stranger.csrf_from("/login").await;
    let page = stranger
        .post_form(
            "/login",
            &[
                ("name", "reader"),
                ("password", "right-password"),
                ("csrf", &csrf),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.headers["location"], "/");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_can_be_switched_off_and_https_cookies_are_secure() {
    let app = TestApp::start_with(backends()[0], |config| {
        config.site.registration_open = false;
        config.site.base_url = Some("https://fanwen.example.com".to_owned());
    })
    .await;
    let visitor = app.visitor();
    let form = visitor.get("/register").await;
    assert_eq!(form.status, 403);
    assert!(form.body.contains("暂不开放注册"));
    assert!(
        !visitor.get("/").await.body.contains("/register"),
        "no register link"
    );
    let csrf = visitor.csrf_from("/login").await;
    let refused = visitor
        .post_form(
            "/register",
            &[
                ("name", "someone"),
                ("password", "long-enough-pw"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);

    app.add_user("reader", "right-password", "member").await;
    let login = visitor.login("reader", "right-password").await;
    assert!(
        session_cookie(&login).unwrap().contains("Secure"),
        "https base URL: Secure cookies"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_adds_users_with_roles_and_refuses_bad_input() {
    let app = TestApp::start(backends()[0]).await;
    let out = app.cli_with_stdin(
        &[
            "user",
            "add",
            "--name",
            "editor1",
            "--password-stdin",
            "--role",
            "editor",
        ],
        Some("editor-password\n"),
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user editor1"));
    let dup = app.cli_with_stdin(
        &["user", "add", "--name", "editor1", "--password-stdin"],
        Some("editor-password\n"),
    );
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("已被占用"));
    let role = app.cli_with_stdin(
        &[
            "user",
            "add",
            "--name",
            "x1",
            "--password-stdin",
            "--role",
            "king",
        ],
        Some("long-enough-pw\n"),
    );
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));
    let empty = app.cli_with_stdin(
        &["user", "add", "--name", "x2", "--password-stdin"],
        Some(""),
    );
    assert!(String::from_utf8_lossy(&empty.stderr).contains("标准输入中没有密码"));
    app.stop().await;
}
