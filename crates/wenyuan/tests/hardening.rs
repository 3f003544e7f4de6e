//! Hardening (issue 10) as an attacker meets it: login and registration limits, bounded password
//! hashing, slow clients, security headers, NUL bytes — on SQLite and PostgreSQL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

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

/// Open a connection and send half a request: the request line and one header, never the blank
/// line that ends the head.
async fn half_sent_request(app: &TestApp) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_is_closed_within_the_header_timeout() {
    use tokio::io::AsyncReadExt;
    let app = TestApp::start_with(backends()[0], |config| {
        config.limits.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = half_sent_request(&app).await;
    let started = Instant::now();
    let mut buf = Vec::new();
    // The server closes the connection (perhaps after a 408): reading ends, by EOF or reset.
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut buf)).await;
    let waited = started.elapsed();
    eprintln!("a half-sent request (header timeout 1 s) was closed after {waited:?}");
    assert!(read.is_ok(), "the connection was still open after 20 s");
    assert!(waited < Duration::from_secs(8), "closed after {waited:?}");
    // Whole requests still work.
    assert_eq!(app.visitor().get("/healthz").await.status, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_with_a_slow_client_connected_ends_within_the_deadline_with_views_flushed() {
    for backend in backends() {
        let mut app = TestApp::start_with(backend, |config| {
            // Longer than the test would wait: only the shutdown deadline can end the client.
            config.limits.header_read_timeout = Duration::from_secs(120);
            config.limits.shutdown_deadline = Duration::from_secs(2);
        })
        .await;
        let (code, _, err) = app.import(&[
            "--access",
            "public",
            common::corpus("seed/000_38663bb0f25ad367.txt")
                .to_str()
                .unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        app.sync().await;
        let before = app.visitor().get("/api/v1/articles/1").await;
        let before: serde_json::Value = serde_json::from_str(&before.body).unwrap();
        for n in 0..3 {
            assert_eq!(app.reader(n).get("/a/1").await.status, 200);
        }
        let _slow = half_sent_request(&app).await;
        // And one whose request has begun but whose body never ends: the handler waits on it,
        // so only the deadline ends this one.
        let _slower = {
            use tokio::io::AsyncWriteExt;
            let mut stream = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
                .await
                .unwrap();
            stream
                .write_all(
                    b"POST /contact HTTP/1.1\r\nHost: x\r\n\
                      Content-Type: application/x-www-form-urlencoded\r\n\
                      Content-Length: 1000\r\n\r\nname=a",
                )
                .await
                .unwrap();
            stream
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let server = app.server.take().unwrap();
        let started = Instant::now();
        server.stop().await.unwrap();
        let took = started.elapsed();
        eprintln!("{backend:?}: stopped with a slow client (deadline 2 s) in {took:?}");
        assert!(
            took < Duration::from_secs(10),
            "{backend:?}: stopped after {took:?}"
        );
        app.restart().await;
        let after = app.visitor().get("/api/v1/articles/1").await;
        let after: serde_json::Value = serde_json::from_str(&after.body).unwrap();
        assert_eq!(
            after["views"].as_i64().unwrap(),
            before["views"].as_i64().unwrap() + 3,
            "{backend:?}: the views were written on the way out"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_the_security_headers() {
    let app = TestApp::start(backends()[0]).await;
    let guest = app.visitor();
    for path in [
        "/",
        "/login",
        "/search?q=x",
        "/api/v1/articles",
        "/no-such-page",
    ] {
        let page = guest.get(path).await;
        let header = |name: &str| {
            page.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'self'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
    }
    // No page needs an inline script: the editor's is a static file.
    let editor = app.member("editor1", "editor").await;
    let form = editor.get("/admin/documents/new").await;
    assert_eq!(form.status, 200);
    assert!(!form.body.contains("<script>"), "no inline script");
    let src_at = form
        .body
        .find("<script src=\"")
        .expect("the editor's script")
        + 13;
    let src = &form.body[src_at..src_at + form.body[src_at..].find('"').unwrap()];
    let script = editor.get(&common::unescape_html(src)).await;
    assert_eq!(script.status, 200, "{src}");
    assert!(script.body.contains("/admin/documents/preview"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_bytes_in_paths_queries_and_login_names_are_refused_not_500() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let guest = app.visitor();
        for path in [
            "/t/%00",
            "/c/%00",
            "/a/%00",
            "/search?q=%00",
            "/search?q=a%00b",
            "/api/v1/articles?category=%00",
            "/api/v1/articles?tag=%00",
            "/api/v1/search?q=%00",
            "/api/v1/search?q=x&category=%00",
            "/hot?window=%00",
        ] {
            let status = guest.get(path).await.status.as_u16();
            assert!(
                status == 400 || status == 404,
                "{backend:?}: {path} gave {status}"
            );
        }
        let api = guest.get("/api/v1/articles?category=%00").await;
        assert!(api.body.contains("\"bad_request\""), "{}", api.body);
        let login = guest.login("a\0b", "some-password").await;
        assert_eq!(login.status, 401, "{backend:?}: a NUL in a login name");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_paragraph_member_document_is_not_shown_to_guests_in_full() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("one.txt");
        let paragraph = "今年以来，全区上下认真贯彻落实各项决策部署。经济运行总体平稳，稳中有进。\
                         固定资产投资增长百分之十五点七，社会消费品零售总额持续回升。\
                         下一步，我们将继续深化改革，推动高质量发展取得新成效。";
        std::fs::write(&file, format!("一段话的总结\n2024-05-01\n{paragraph}\n")).unwrap();
        let (code, _, err) = app.import(&["--access", "member", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        app.sync().await;
        let guest = app.visitor();
        let page = guest.get("/a/1").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("今年以来"),
            "the preview shows the beginning"
        );
        assert!(
            !page.body.contains("高质量发展") && !page.body.contains("百分之十五点七"),
            "{backend:?}: the end of the paragraph stays behind the gate"
        );
        let api = guest.get("/api/v1/articles/1").await;
        assert!(api.body.contains("今年以来") && !api.body.contains("高质量发展"));
        let member = app.member("reader", "member").await;
        assert!(member.get("/a/1").await.body.contains("高质量发展"));
        app.stop().await;
    }
}
