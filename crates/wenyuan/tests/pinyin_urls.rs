//! Category and tag URLs in ASCII pinyin (issue 13 item 6): made at import, unique, used by the
//! menu, breadcrumbs, tag links and feeds; slugs of an older database (Chinese, reached
//! percent-encoded) move to pinyin at start-up and their URLs answer 301 — list pages, paged
//! lists and feeds alike. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, corpus, unescape_html, Page, TestApp};

fn location(page: &Page) -> String {
    page.headers
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The paths of every `href="/{prefix}…"` link of a page.
fn links(html: &str, prefix: &str) -> Vec<String> {
    let marker = format!("href=\"{prefix}");
    html.split(&marker)
        .skip(1)
        .map(|rest| format!("{prefix}{}", rest.split('"').next().unwrap()))
        .collect()
}

fn is_ascii_slug_path(path: &str) -> bool {
    path.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-/?=.&".contains(c))
}

async fn any_pool(app: &TestApp) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&app.db.url).await.unwrap()
}

const REPORTS: &str = "/c/zhengfu-gongzuo-baogao";
const OLD_REPORTS: &str = "/c/%E6%94%BF%E5%BA%9C%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn category_and_tag_urls_are_pinyin_and_old_ones_answer_301() {
    for backend in backends() {
        let mut app = TestApp::start_with(backend, |c| c.site.page_size = 5).await;
        let dir = tempfile::tempdir().unwrap();
        // Two names that read alike get numbered slugs.
        let alike = dir.path().join("alike.jsonl");
        let record = |title: &str, category: &str, body: &str| {
            serde_json::json!({
                "title": title, "date": "2024-05-06", "category": category,
                "tags": ["乡村振兴"], "body": body,
            })
            .to_string()
        };
        std::fs::write(
            &alike,
            [
                record(
                    "关于干部任前公示的通知",
                    "公示",
                    "现将拟任干部情况予以公示。\n公示期为五个工作日。",
                ),
                record(
                    "常用计算公式汇编",
                    "公式",
                    "本汇编收录常用的计算公式。\n请各单位参照执行。",
                ),
            ]
            .join("\n"),
        )
        .unwrap();
        let (code, _, stderr) = app.import(&[
            "--access",
            "public",
            "--allow-near-duplicates",
            corpus("reports.jsonl").to_str().unwrap(),
            alike.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        let guest = app.visitor();

        // The menu links every category by an ASCII slug.
        let home = unescape_html(&guest.get("/").await.body);
        let menu = links(&home, "/c/");
        assert!(menu.len() >= 3, "{backend:?}: {menu:?}");
        for path in &menu {
            assert!(is_ascii_slug_path(path), "{backend:?}: {path}");
        }
        assert!(menu.contains(&REPORTS.to_owned()), "{menu:?}");
        assert!(menu.contains(&"/c/gongshi".to_owned()), "{menu:?}");
        assert!(menu.contains(&"/c/gongshi-2".to_owned()), "{menu:?}");
        for path in links(&home, "/t/") {
            assert!(is_ascii_slug_path(&path), "{backend:?}: {path}");
        }
        let list = guest.get(REPORTS).await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("政府工作报告"));
        let tag = guest.get("/t/xiangcun-zhenxing").await;
        assert_eq!(tag.status, 200, "{backend:?}");
        assert!(tag.body.contains("标签：乡村振兴"));

        // An older database: Chinese category slugs and tags without one.
        let pool = any_pool(&app).await;
        sqlx::query("UPDATE categories SET slug = name")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE tags SET slug = NULL")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        app.restart().await;
        let guest = app.visitor();

        // Old URLs answer 301 to the same place under the pinyin slug.
        for (old, new) in [
            (OLD_REPORTS.to_owned(), REPORTS.to_owned()),
            (format!("{OLD_REPORTS}?page=2"), format!("{REPORTS}?page=2")),
            (
                format!("{OLD_REPORTS}/feed.xml"),
                format!("{REPORTS}/feed.xml"),
            ),
            (
                "/t/%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4?page=1".to_owned(),
                "/t/xiangcun-zhenxing?page=1".to_owned(),
            ),
            (
                "/c/%E5%85%AC%E5%BC%8F".to_owned(),
                "/c/gongshi-2".to_owned(),
            ),
        ] {
            let page = guest.get(&old).await;
            assert_eq!(page.status, 301, "{backend:?} {old}");
            assert_eq!(location(&page), new, "{backend:?} {old}");
            // (Page 2 is past the end with the default page size after the restart.)
            if !new.ends_with("page=2") {
                assert_eq!(guest.get(&new).await.status, 200, "{backend:?} {new}");
            }
        }
        // A slug nobody ever had is still not found.
        assert_eq!(guest.get("/c/no-such").await.status, 404);
        assert_eq!(guest.get("/c/%E6%B2%A1%E6%9C%89").await.status, 404);
        assert_eq!(guest.get("/t/no-such").await.status, 404);

        // Menu, breadcrumbs, tag links and feeds use the pinyin slugs.
        let home = unescape_html(&guest.get("/").await.body);
        assert!(links(&home, "/c/").contains(&REPORTS.to_owned()));
        let id = guest.id_of("2025年中华人民共和国国务院政府工作报告").await;
        let article = unescape_html(&guest.get(&format!("/a/{id}")).await.body);
        assert!(
            article.contains(&format!("href=\"{REPORTS}\"")),
            "breadcrumb"
        );
        for path in links(&article, "/c/")
            .into_iter()
            .chain(links(&article, "/t/"))
        {
            assert!(is_ascii_slug_path(&path), "{backend:?}: {path}");
        }
        let feed = guest.get(&format!("{REPORTS}/feed.xml")).await;
        assert_eq!(feed.status, 200);
        assert!(
            feed.body.contains(&format!("{}{REPORTS}", guest.base)),
            "the feed links the list by its pinyin URL"
        );
        assert!(!feed.body.contains("/c/%"), "{backend:?}");

        // A rename at the desk moves the URL; every earlier one still answers.
        let editor = app.member("editor", "editor").await;
        let csrf = editor.csrf_from("/admin/taxonomy").await;
        let desk = editor.get("/admin/taxonomy").await.body;
        let at = desk.find("value=\"zhengfu-gongzuo-baogao\"").unwrap();
        let row = desk[..at].rfind("id=\"c-").unwrap() + 6;
        let cat: String = desk[row..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let saved = editor
            .post_form(
                &format!("/admin/taxonomy/categories/{cat}"),
                &[
                    ("csrf", &csrf),
                    ("name", "政府工作报告"),
                    ("slug", "gov-reports"),
                    ("sort", "0"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        for old in [REPORTS, OLD_REPORTS] {
            let page = guest.get(&format!("{old}?page=3")).await;
            assert_eq!(page.status, 301, "{backend:?} {old}");
            assert_eq!(location(&page), "/c/gov-reports?page=3");
        }
        // A Chinese slug typed at the desk is refused: slugs are ASCII.
        let refused = editor
            .post_form(
                &format!("/admin/taxonomy/categories/{cat}"),
                &[
                    ("csrf", &csrf),
                    ("name", "政府工作报告"),
                    ("slug", "政府"),
                    ("sort", "0"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{backend:?}");
        app.stop().await;
    }
}
