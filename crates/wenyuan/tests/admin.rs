//! The editorial desk's door: who gets in, the CSRF check on every form, and the audit log — over
//! real HTTP on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, TestApp};

/// Every page of the desk. Add each new admin page here: the door test walks them all.
const ADMIN_PAGES: &[&str] = &[
    "/admin",
    "/admin/audit",
    "/admin/audit?target=article:1",
    "/admin/upload",
    "/admin/duplicates",
    // Documents, taxonomy (admindocs).
    "/admin/documents",
    "/admin/documents?status=draft&sort=views&q=%E8%AE%B2&from=2020-01-01&to=2030-01-01",
    "/admin/documents/new",
    "/admin/taxonomy",
    "/admin/taxonomy?tag=x",
    // adminsite
    "/admin/stats",
];
/// The admins-only pages (editors get 403 too).
const ADMIN_ONLY_PAGES: &[&str] = &[
    "/admin/messages",
    // adminsite
    "/admin/messages?show=unread",
    "/admin/members",
    "/admin/members?q=bo&role=admin&page=2",
    "/admin/settings",
    // vip
    "/admin/vip-codes",
];
/// Every form target of the desk. Add each new admin POST here.
const ADMIN_POSTS: &[&str] = &[
    "/admin/messages/1/read",
    "/admin/upload",
    "/admin/duplicates/decide",
    "/admin/duplicates/bulk",
    // Documents, taxonomy and 模板化 (admindocs).
    "/admin/documents/status",
    "/admin/documents/preview",
    "/admin/documents/new",
    "/admin/documents/1",
    "/admin/documents/1/anonymize",
    "/admin/documents/1/anonymize/words",
    "/admin/taxonomy/categories",
    "/admin/taxonomy/categories/1",
    "/admin/taxonomy/categories/1/delete",
    "/admin/taxonomy/tags/1",
    "/admin/taxonomy/tags/1/merge",
    "/admin/taxonomy/tags/1/delete",
    // adminsite
    "/admin/messages/1/unread",
    "/admin/messages/1/note",
    "/admin/members/1/role",
    "/admin/members/1/disable",
    "/admin/members/1/enable",
    "/admin/settings",
    // vip
    "/admin/members/1/vip",
    "/admin/members/1/vip/revoke",
    "/admin/vip-codes",
    "/admin/vip-codes/download",
    // account recovery
    "/admin/members/1/reset-link",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_editors_and_admins_get_in() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let guest = app.visitor();
        let member = app.member("reader", "member").await;
        let vip = app.member("patron", "vip").await;
        let editor = app.member("editor1", "editor").await;
        let admin = app.member("boss", "admin").await;

        for path in ADMIN_PAGES.iter().chain(ADMIN_ONLY_PAGES) {
            let page = guest.get(path).await;
            assert_eq!(page.status, 403, "{backend:?} guest {path}");
            assert!(
                page.body.contains("action=\"/login\""),
                "a guest may log in from the 403 page"
            );
            for (who, visitor) in [("member", &member), ("vip", &vip)] {
                let page = visitor.get(path).await;
                assert_eq!(page.status, 403, "{backend:?} {who} {path}");
                assert!(
                    page.body.contains("编辑后台只对编辑和管理员开放"),
                    "{who} {path}"
                );
            }
            let page = admin.get(path).await;
            assert_eq!(page.status, 200, "{backend:?} admin {path}: {}", page.body);
            assert!(page.body.contains("class=\"admin-nav\""), "admin {path}");
        }
        for path in ADMIN_PAGES {
            let page = editor.get(path).await;
            assert_eq!(page.status, 200, "{backend:?} editor {path}");
        }
        for path in ADMIN_ONLY_PAGES {
            let page = editor.get(path).await;
            assert_eq!(page.status, 403, "{backend:?} editor {path}");
            assert!(page.body.contains("这里只对管理员开放"));
        }
        // The menu offers editors only what they may open.
        let menu = editor.get("/admin").await.body;
        assert!(menu.contains("href=\"/admin/audit\""));
        assert!(!menu.contains("href=\"/admin/members\""));
        assert!(admin
            .get("/admin")
            .await
            .body
            .contains("href=\"/admin/members\""));
        // Staff see the way in from every page; readers do not.
        assert!(editor.get("/").await.body.contains("href=\"/admin\""));
        assert!(!member.get("/").await.body.contains("href=\"/admin\""));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_form_needs_the_viewers_csrf_token() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let admin = app.member("boss", "admin").await;
        let other = app.member("boss2", "admin").await;
        let others_token = other.csrf_from("/admin/audit").await;
        let own_token = admin.csrf_from("/admin/audit").await;
        assert_ne!(own_token, others_token, "tokens are per session");
        for path in ADMIN_POSTS {
            for (what, form) in [
                ("no token", vec![]),
                ("empty token", vec![("csrf", "")]),
                ("a forged token", vec![("csrf", "0123456789abcdef")]),
                (
                    "another session's token",
                    vec![("csrf", others_token.as_str())],
                ),
            ] {
                let page = admin.post_form(path, &form).await;
                assert_eq!(
                    page.status, 403,
                    "{backend:?} {path} with {what}: {}",
                    page.body
                );
                assert!(page.body.contains("CSRF"), "{path} with {what} says why");
            }
        }
        // Nothing was done: the log is empty.
        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("共 0 条"), "{log}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_through_the_desk_are_in_the_audit_log() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        // A message to act on, left through the contact form.
        let sent = app
            .visitor()
            .leave_message("李老师", "13800000000", "请问会员如何下载全文？")
            .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
        let admin = app.member("boss", "admin").await;
        let inbox = admin.get("/admin/messages").await.body;
        let id_start = inbox.find("id=\"m-").expect("a message") + 6;
        let id: String = inbox[id_start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let token = admin.csrf_from("/admin/messages").await;
        let done = admin
            .post_form(
                &format!("/admin/messages/{id}/read"),
                &[("csrf", &token), ("page", "1")],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);

        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("共 1 条"), "{log}");
        assert!(log.contains("message.read") && log.contains(&format!("message:{id}")));
        assert!(log.contains("<td>boss</td>"), "who did it");
        let filtered = admin
            .get(&format!("/admin/audit?target=message:{id}"))
            .await
            .body;
        assert!(filtered.contains("message.read"));
        let none = admin.get("/admin/audit?target=article:999").await.body;
        assert!(none.contains("没有记录"));
        // The overview shows it among the recent changes.
        assert!(admin.get("/admin").await.body.contains("message.read"));
        app.stop().await;
    }
}
