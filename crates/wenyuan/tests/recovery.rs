//! Account recovery (issue 13, item 10): an admin's one-time reset link from /admin/members
//! (24 hours, once, a new one voids the older, only a hash stored), the member's new password
//! through it, `wenyuan user passwd`, and every reset ending the member's sessions and written to
//! 操作日志 — on SQLite and PostgreSQL, over real HTTP and the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, Page, TestApp, Visitor};
use wenyuan_core::ManualClock;

fn location(page: &Page) -> &str {
    page.headers
        .get("location")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

async fn user_id(app: &TestApp, name: &str) -> i64 {
    app.services()
        .store_for_tests()
        .user_by_name(name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Issue a reset link for member `id` as `admin`; returns the link's path (`/reset-password/…`)
/// and the page.
async fn issue_link(admin: &Visitor, id: i64) -> (String, Page) {
    let csrf = admin.csrf_from("/admin/members").await;
    let page = admin
        .post_form(
            &format!("/admin/members/{id}/reset-link"),
            &[("csrf", &csrf), ("back", "/admin/members")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = common::unescape_html(&page.body);
    let start = body.find("/reset-password/").expect("the link shown");
    let token: String = body[start + "/reset-password/".len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{}", page.body);
    (format!("/reset-password/{token}"), page)
}

/// Submit the form at `link` with a new password (typed twice as `confirm`).
async fn submit(visitor: &Visitor, link: &str, password: &str, confirm: &str) -> Page {
    let csrf = visitor.csrf_from(link).await;
    visitor
        .post_form(
            link,
            &[
                ("csrf", &csrf),
                ("password", password),
                ("confirm", confirm),
            ],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_link_resets_a_forgotten_password_once() {
    for backend in backends() {
        let clock = ManualClock::at(1_764_000_000);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        let admin = app.member("站长", "admin").await;
        let kept = app.member("忘了密码", "member").await;
        assert_eq!(kept.get("/me").await.status, 200);
        let id = user_id(&app, "忘了密码").await;

        // The desk lists the button; the link page says whose and how long.
        let list = admin.get("/admin/members").await;
        assert!(list
            .body
            .contains(&format!("/admin/members/{id}/reset-link")));
        let forged = admin
            .post_form(&format!("/admin/members/{id}/reset-link"), &[])
            .await;
        assert_eq!(forged.status, 403, "{backend:?}: no CSRF token, no link");
        let member_try = kept
            .post_form(
                &format!("/admin/members/{id}/reset-link"),
                &[("csrf", &kept.csrf_from("/me").await)],
            )
            .await;
        assert_eq!(member_try.status, 403, "members cannot issue links");
        let (first, page) = issue_link(&admin, id).await;
        assert!(page.body.contains("忘了密码") && page.body.contains("24 小时"));
        assert_eq!(page.headers["cache-control"], "no-store");
        assert_eq!(page.headers["referrer-policy"], "no-referrer");
        let stored = app
            .services()
            .store_for_tests()
            .password_reset(&wenyuan_core::accounts::token_hash(
                first.trim_start_matches("/reset-password/"),
            ))
            .await
            .unwrap();
        assert!(stored.is_some(), "stored by its hash");

        // A second link voids the first.
        let (link, _) = issue_link(&admin, id).await;
        assert_ne!(link, first);
        let reader = app.visitor();
        let voided = reader.get(&first).await;
        assert_eq!(voided.status, 404, "{backend:?}");
        assert!(voided.body.contains("链接无效"), "{}", voided.body);

        // The form: names the account; the password rules of registration.
        let form = reader.get(&link).await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("忘了密码") && form.body.contains("设置新密码"));
        assert_eq!(form.headers["referrer-policy"], "no-referrer");
        for (password, confirm, message) in [
            ("short", "short", "新密码至少需要 8 个字符"),
            ("new-password-1", "new-password-2", "两次输入的新密码不一致"),
        ] {
            let page = submit(&reader, &link, password, confirm).await;
            assert_eq!(page.status, 422, "{message}");
            assert!(page.body.contains(message), "{message}: {}", page.body);
        }
        let no_csrf = reader
            .post_form(
                &link,
                &[
                    ("password", "new-password-1"),
                    ("confirm", "new-password-1"),
                ],
            )
            .await;
        assert_eq!(no_csrf.status, 403, "no CSRF token, no reset");
        assert_eq!(kept.get("/me").await.status, 200, "nothing changed yet");

        let done = submit(&reader, &link, "new-password-1", "new-password-1").await;
        assert_eq!(done.status, 303, "{backend:?}: {}", done.body);
        assert!(location(&done).starts_with("/login?reset=done"));
        let login = reader.get(location(&done)).await;
        assert!(login.body.contains("密码已重设"), "{}", login.body);
        assert_eq!(
            kept.get("/me").await.status,
            303,
            "{backend:?}: the session from before the reset is gone"
        );
        assert_eq!(
            app.visitor()
                .login("忘了密码", "忘了密码-password")
                .await
                .status,
            401,
            "the old password fails"
        );
        assert_eq!(
            app.visitor()
                .login("忘了密码", "new-password-1")
                .await
                .status,
            303
        );

        // Used once.
        let again = reader.get(&link).await;
        assert_eq!(again.status, 410);
        assert!(again.body.contains("已经使用过"), "{}", again.body);
        let replay = reader
            .post_form(
                &link,
                &[
                    ("csrf", &reader.csrf_from("/login").await),
                    ("password", "new-password-9"),
                    ("confirm", "new-password-9"),
                ],
            )
            .await;
        assert_eq!(replay.status, 410);
        assert_eq!(
            app.visitor()
                .login("忘了密码", "new-password-9")
                .await
                .status,
            401,
            "a used link sets nothing"
        );

        // Expired after 24 hours.
        let (late, _) = issue_link(&admin, id).await;
        clock.advance(24 * 3600);
        let expired = reader.get(&late).await;
        assert_eq!(expired.status, 410);
        assert!(expired.body.contains("已过期"), "{}", expired.body);
        let late_try = reader
            .post_form(
                &late,
                &[
                    ("csrf", &reader.csrf_from("/login").await),
                    ("password", "new-password-3"),
                    ("confirm", "new-password-3"),
                ],
            )
            .await;
        assert_eq!(late_try.status, 410);

        // 操作日志: who issued, who reset, in Chinese.
        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("生成重设密码链接"), "{log}");
        assert!(log.contains("通过链接重设密码"), "{log}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_links_are_explained_and_limited_like_logins() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let guesser = app.visitor();
        for path in [
            "/reset-password/abc",
            &format!("/reset-password/{}", "0".repeat(64)),
        ] {
            let page = guesser.get(path).await;
            assert_eq!(page.status, 404, "{backend:?} {path}");
            assert!(page.body.contains("链接无效"), "{}", page.body);
            assert!(!page.body.contains("reset-submit"), "no form");
        }
        // Ten bad links from one address lock it out, as ten failed logins do.
        let mut last = 0;
        for n in 0..12 {
            last = guesser
                .get(&format!("/reset-password/{n:064x}"))
                .await
                .status
                .as_u16();
        }
        assert_eq!(last, 429, "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_sets_a_password_and_ends_the_sessions() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let admin = app.member("管理员甲", "admin").await;
        let member = app.member("命令行用户", "member").await;
        assert_eq!(member.get("/me").await.status, 200);

        let help = app.cli(&["user", "passwd", "--help"]);
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(
            help.contains("设置新密码") && help.contains("用法"),
            "{help}"
        );

        let done = app.cli_with_stdin(
            &["user", "passwd", "命令行用户", "--password-stdin"],
            Some("cli-password-1\n"),
        );
        let stdout = String::from_utf8_lossy(&done.stdout);
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        assert!(
            stdout.contains("已为用户 命令行用户 设置新密码"),
            "{stdout}"
        );
        assert_eq!(member.get("/me").await.status, 303, "{backend:?}");
        assert_eq!(
            app.visitor()
                .login("命令行用户", "命令行用户-password")
                .await
                .status,
            401
        );
        assert_eq!(
            app.visitor()
                .login("命令行用户", "cli-password-1")
                .await
                .status,
            303
        );

        for (args, stdin, message) in [
            (
                vec!["user", "passwd", "没有这人", "--password-stdin"],
                "cli-password-2\n",
                "没有名为“没有这人”的用户",
            ),
            (
                vec!["user", "passwd", "命令行用户", "--password-stdin"],
                "short\n",
                "密码至少需要 8 个字符",
            ),
            (
                vec!["user", "passwd", "命令行用户", "--password-stdin"],
                "",
                "标准输入中没有密码",
            ),
        ] {
            let out = app.cli_with_stdin(&args, Some(stdin));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{message}");
            assert!(stderr.contains(message), "{message}: {stderr}");
        }

        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("命令行重设密码"), "{log}");
        assert!(log.contains("系统"), "the system is the actor: {log}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_at_me_is_audited() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let admin = app.member("审计员", "admin").await;
        let member = app.member("自己改", "member").await;
        let csrf = member.csrf_from("/me").await;
        let changed = member
            .post_form(
                "/me/password",
                &[
                    ("csrf", &csrf),
                    ("old_password", "自己改-password"),
                    ("new_password", "new-password-1"),
                    ("confirm", "new-password-1"),
                ],
            )
            .await;
        assert_eq!(changed.status, 303, "{backend:?}");
        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("修改密码"), "{log}");
        assert!(log.contains("自己改 修改了密码"), "{log}");
        app.stop().await;
    }
}
