//! Everything a guest asks is cheap (issue 10, item 5): the home, category, tag and 热门 pages are
//! kept whole for guests, so on a warm cache they are answered with the database gone; a page
//! that needs the database then gets a 503 with a Chinese message at once instead of hanging;
//! and a document published at the desk is on the home page right after.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{backends, unescape_html, TestApp, Visitor};

async fn publish(editor: &Visitor, title: &str, tag: &str) {
    let csrf = editor.csrf_from("/admin/documents/new").await;
    let body = format!(
        "{title}的正文第一段，写明了工作的总体要求。\n一、主要任务\n认真落实各项部署，确保取得实效。"
    );
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
                ("tags", tag),
                ("status", "published"),
                ("access", "public"),
                ("preview_ratio", ""),
                ("preview_max", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_guest_list_pages_are_served_without_the_database() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let editor = app.member("editor1", "editor").await;
        publish(&editor, "关于做好年终总结工作的通知", "年终总结").await;
        let guest = app.visitor();
        let home = guest.get("/").await;
        let category_link = unescape_html(&home.body)
            .split("href=\"/c/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|slug| format!("/c/{slug}"))
            .expect("a category link in the menu");
        let pages = [
            "/".to_owned(),
            category_link,
            format!("/t/{}", wenyuan_text::slug::pinyin_slug("年终总结")),
            "/hot".to_owned(),
            "/hot?window=month".to_owned(),
        ];
        let mut warm = Vec::new();
        for path in &pages {
            let page = guest.get(path).await;
            assert_eq!(page.status, 200, "{backend:?} {path}: {}", page.body);
            warm.push(page.body);
        }
        assert!(unescape_html(&warm[0]).contains("关于做好年终总结工作的通知"));

        // The database goes away: every warm page is still answered, the same, by a new guest.
        app.services().store_for_tests().close().await;
        let other = app.visitor();
        for (path, body) in pages.iter().zip(&warm) {
            let page = other.get(path).await;
            assert_eq!(page.status, 200, "{backend:?} {path}: {}", page.body);
            assert_eq!(&page.body, body, "{backend:?} {path}");
        }
        // A page that needs the database answers at once with a 503 and a message.
        let started = Instant::now();
        let cold = other.get("/?page=2").await;
        assert_eq!(cold.status, 503, "{backend:?}: {}", cold.body);
        assert!(
            cold.body.contains("服务器繁忙，请稍后再试"),
            "{}",
            cold.body
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        // A member's page is not taken from the guests' cache.
        assert_eq!(editor.get("/").await.status, 503, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_document_is_on_the_cached_home_page_right_after() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let editor = app.member("editor1", "editor").await;
        publish(&editor, "第一份通知", "通知").await;
        let guest = app.visitor();
        for _ in 0..2 {
            let home = unescape_html(&guest.get("/").await.body);
            assert!(home.contains("第一份通知"));
            assert!(!home.contains("第二份通知"));
        }
        let tag = "/t/tongzhi";
        assert!(!unescape_html(&guest.get(tag).await.body).contains("第二份通知"));
        publish(&editor, "第二份通知", "通知").await;
        let home = unescape_html(&guest.get("/").await.body);
        assert!(home.contains("第二份通知"), "{backend:?}: {home}");
        assert!(
            unescape_html(&guest.get(tag).await.body).contains("第二份通知"),
            "{backend:?}"
        );
        app.stop().await;
    }
}
