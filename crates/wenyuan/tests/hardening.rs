//! Hardening (issue 10) as an attacker meets it: login and registration limits, bounded password
//! hashing, slow clients, security headers, NUL bytes — on SQLite and PostgreSQL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, TestApp};
use wenyuan_core::ManualClock;

const START: i64 = 1_767_225_600; // 2026-01-01 00:00 UTC

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_61st_password_try_is_refused_even_when_right_until_the_lockout_ends() {
    for backend in backends() {
        let clock = ManualClock::at(START);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        app.add_user("reader", "right-password", "member").await;
        let client = app.visitor();
        for attempt in 1..=60 {
            let page = client.login("reader", &format!("guess-{attempt}")).await;
            let expected = if attempt <= 5 { 401 } else { 429 };
            assert_eq!(page.status, expected, "{backend:?}: attempt {attempt}");
        }
        let right = client.login("reader", "right-password").await;
        assert_eq!(
            right.status, 429,
            "{backend:?}: the 61st, right, is refused"
        );
        assert!(
            right.body.contains("登录失败次数过多") && right.body.contains("分钟后再试"),
            "a clear Chinese message: {}",
            right.body
        );
        assert!(
            !right.body.contains("right-password"),
            "the password is not echoed"
        );
        let audit = app
            .services()
            .audit
            .page(Some("account:reader"), 1)
            .await
            .unwrap();
        assert!(
            audit.items.iter().any(|e| e.action == "login.lockout"),
            "{backend:?}: the lockout is in the audit log"
        );
        // Once the minute is over, the right password works again.
        clock.advance(61);
        assert_eq!(
            client.login("reader", "right-password").await.status,
            303,
            "{backend:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_guessing_many_accounts_is_locked_out_with_a_generic_message() {
    let app = TestApp::start(backends()[0]).await;
    let client = app.visitor();
    let mut statuses = Vec::new();
    for n in 0..12 {
        let page = client.login(&format!("name{n}"), "some-password").await;
        if page.status == 401 {
            assert!(page.body.contains("用户名或密码不正确"), "generic message");
        }
        statuses.push(page.status.as_u16());
    }
    assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429; 2], "{statuses:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_burst_from_one_address_is_cut_off() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let mut statuses = Vec::new();
        for n in 0..8 {
            let visitor = app.visitor();
            let csrf = visitor.csrf_from("/register").await;
            let page = visitor
                .post_form(
                    "/register",
                    &[
                        ("name", &format!("burst{n}")),
                        ("password", "a-long-password"),
                        ("csrf", &csrf),
                    ],
                )
                .await;
            if page.status == 429 {
                assert!(page.body.contains("注册太频繁"), "{}", page.body);
            }
            statuses.push(page.status.as_u16());
        }
        assert_eq!(
            statuses,
            [303, 303, 303, 303, 303, 429, 429, 429],
            "{backend:?}"
        );
        app.stop().await;
    }
}
