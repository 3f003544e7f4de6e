//! The reading site as readers meet it: imported documents, the article page, the member gate, the
//! JSON API — on SQLite and on PostgreSQL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, corpus, paragraphs, sentences, unescape_html, TestApp, Visitor};
use serde_json::Value;

/// All strings inside a JSON value, joined: what a client of the API can read.
fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join("\n"),
        Value::Object(map) => map.values().map(json_text).collect::<Vec<_>>().join("\n"),
        other => other.to_string(),
    }
}

async fn json(visitor: &Visitor, path: &str) -> Value {
    let page = visitor.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    serde_json::from_str(&page.body).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_page_and_its_three_encodings_import_as_one_document() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let seed = corpus("seed/000_38663bb0f25ad367.txt");
        let copies = [
            "fixtures/seed-gb18030.txt",
            "fixtures/seed-utf16le-bom.txt",
            "fixtures/seed-utf8-bom-crlf.txt",
        ]
        .map(corpus);
        let mut args: Vec<&str> = vec![
            "--category",
            "讲话稿",
            "--access",
            "member",
            seed.to_str().unwrap(),
        ];
        args.extend(copies.iter().map(|p| p.to_str().unwrap()));
        let (code, stdout, stderr) = app.import(&args);
        assert_eq!(code, 0, "{backend:?}: {stderr}");
        assert_eq!(
            stdout.trim(),
            "imported 1, skipped 3, failed 0",
            "{backend:?}"
        );
        app.sync().await;

        app.add_user("reader", "reader-password", "member").await;
        let member = app.visitor();
        assert_eq!(member.login("reader", "reader-password").await.status, 303);
        let id = member.id_of("在2020年区委读书会上的讲话").await;
        let doc = json(&member, &format!("/api/v1/articles/{id}")).await;
        assert_eq!(doc["date"], "2020-11-04", "{backend:?}");
        assert!(doc["views"].as_i64().unwrap() >= 246);
        assert_eq!(doc["category"], "讲话稿");
        assert_eq!(doc["gated"], false);
        let shown = paragraphs(&doc);
        assert!(
            shown[0].starts_with("这次读书会是在全区上下"),
            "the repeated title line is not body: {:?}",
            shown[0]
        );
        assert!(shown.last().unwrap().ends_with("谋划人大履职的方向"));
        let body = shown.join("\n");
        for chrome in [
            "阅读全文",
            "想阅读完全部图文内容",
            "分享",
            "微信扫一扫",
            "相关内容",
            "热门推荐",
            "本周热门",
            "本月热门",
            "二维码",
            "微信订阅号",
            "联系客服",
        ] {
            assert!(
                !body.contains(chrome),
                "{backend:?}: page chrome {chrome:?} left in the body"
            );
        }
        let outline: Vec<&str> = doc["outline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            outline,
            [
                "一、关于外出考察的体会和思考",
                "(一)学先进,看X发展更需努力",
                "(二)看自身,对X发展更有信心",
                "(三)求共识,让X发展更具合力",
                "二、关于人大工作的初步考虑"
            ]
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_get_the_preview_and_the_gate_and_members_get_everything() {
    let reports: Vec<Value> = std::fs::read_to_string(corpus("reports.jsonl"))
        .expect("reports.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    // A spread of long and short documents, old and new.
    let chosen: Vec<&Value> = reports.iter().step_by(9).collect();
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, stdout, stderr) = app.import(&[
            "--access",
            "member",
            corpus("reports.jsonl").to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{backend:?}: {stderr}");
        assert_eq!(stdout.trim(), "imported 88, skipped 0, failed 0");
        app.sync().await;
        app.add_user("member1", "member-password", "member").await;
        let guest = app.visitor();
        let member = app.visitor();
        assert_eq!(member.login("member1", "member-password").await.status, 303);

        let mut gated_documents = 0;
        for record in &chosen {
            let title = record["title"].as_str().unwrap();
            let id = guest.id_of(title).await;
            let in_file: Vec<&str> = record["body"]
                .as_str()
                .unwrap()
                .split('\n')
                .map(|p| {
                    p.trim_matches(|c: char| {
                        c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
                    })
                })
                .filter(|p| !p.is_empty())
                .collect();
            // What a member reads must be the file's paragraphs, less at most the Wikisource
            // licence footer at the end (本作品…公有领域… Public domain, false).
            let member_api = json(&member, &format!("/api/v1/articles/{id}")).await;
            let full = paragraphs(&member_api);
            assert_eq!(
                &in_file[..full.len()],
                &full[..],
                "{backend:?} {title}: the stored text is the file's text"
            );
            let dropped = in_file[full.len()..].join("\n");
            assert!(
                dropped.is_empty()
                    || ((dropped.starts_with("本作品") || dropped.starts_with("这部作品"))
                        && dropped.ends_with("false")
                        && in_file.len() - full.len() <= 40),
                "{title}: only the licence footer may be dropped, not {dropped:?}"
            );

            // As a guest.
            let html_page = guest.get(&format!("/a/{id}")).await;
            assert_eq!(html_page.status, 200);
            let html = unescape_html(&html_page.body);
            let api = json(&guest, &format!("/api/v1/articles/{id}")).await;
            let api_text = json_text(&api);
            let visible = paragraphs(&api);
            assert!(!visible.is_empty());
            assert!(html.contains(title), "{backend:?} {title}: title");
            assert!(html.contains("<b class=\"views\">"), "views shown");
            assert!(html.contains("阅读 "));
            if full.len() >= 2 {
                gated_documents += 1;
                assert_eq!(api["gated"], true, "{title}");
                assert!(visible.len() < full.len());
                assert!(
                    html.contains("阅读全文")
                        && html.contains("想阅读完全部图文内容，您需要先登录"),
                    "{title}: the gate"
                );
                assert!(
                    html.contains("/login?next=/a/"),
                    "{title}: the gate links to login with a return address"
                );
                let preview_chars: usize = visible.iter().map(|p| p.chars().count()).sum();
                let total_chars: usize = full.iter().map(|p| p.chars().count()).sum();
                // At least up to the first paragraph of real text (past a salutation or a title
                // block), where the list's summary comes from.
                let minimum = wenyuan_text::lead::lead_start(title, &full) + 1;
                assert!(
                    visible.len() <= minimum || preview_chars <= 1500,
                    "{title}: preview at most 1,500 characters"
                );
                assert!(
                    visible.len() <= minimum
                        || preview_chars as f64 <= 0.3 * total_chars as f64 + 1.0,
                    "{title}: about 30 %"
                );
                // The outline is shown whole, as a teaser.
                for heading in api["outline"].as_array().unwrap() {
                    assert!(
                        html.contains(heading["text"].as_str().unwrap()),
                        "{title}: outline in the page"
                    );
                }
                // Nothing past the preview, in any form — except heading text, which the outline shows.
                let shown: String = visible.join("\n");
                let headings: Vec<String> = api["outline"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["text"].as_str().unwrap().to_owned())
                    .collect();
                let mut hidden_checked = 0;
                for paragraph in &full[visible.len()..] {
                    for sentence in sentences(paragraph) {
                        if shown.contains(&sentence)
                            || headings.iter().any(|h| {
                                sentence.contains(h.as_str())
                                    && sentence.chars().count() <= h.chars().count() + 2
                            })
                        {
                            continue;
                        }
                        hidden_checked += 1;
                        assert!(
                            !html.contains(&sentence),
                            "{backend:?} {title}: hidden sentence in the guest's HTML: {sentence}"
                        );
                        assert!(
                            !api_text.contains(&sentence),
                            "{backend:?} {title}: hidden sentence in the guest's JSON: {sentence}"
                        );
                    }
                }
                assert!(
                    hidden_checked > 0,
                    "{title}: the test checked some hidden text"
                );
            }

            // As a member: all of it, in the page and in the API.
            let html = unescape_html(&member.get(&format!("/a/{id}")).await.body);
            let api = json(&member, &format!("/api/v1/articles/{id}")).await;
            assert_eq!(api["gated"], false);
            let shown = paragraphs(&api);
            assert_eq!(shown.len(), full.len(), "{title}");
            for paragraph in &full {
                for sentence in sentences(paragraph) {
                    assert!(
                        html.contains(&sentence),
                        "{backend:?} {title}: member's page lacks {sentence}"
                    );
                }
            }
            assert!(
                !html.contains("想阅读完全部图文内容"),
                "no gate for members"
            );
        }
        assert!(gated_documents >= 8, "the test saw gated documents");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_ids_are_real_404_pages() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let guest = app.visitor();
        for path in [
            "/a/1",
            "/a/0",
            "/a/-5",
            "/a/abc",
            "/a/99999999999999999999999",
            "/a/1.5",
            "/nowhere",
            "/c/没有的栏目",
            "/t/没有的标签",
        ] {
            let page = guest.get(path).await;
            assert_eq!(page.status, 404, "{backend:?} {path}");
            assert!(
                page.body.contains("<!doctype html>") && page.body.contains("返回首页"),
                "{path}: a real page"
            );
        }
        for path in [
            "/api/v1/articles/1",
            "/api/v1/articles/abc",
            "/api/v1/nothing",
        ] {
            let page = guest.get(path).await;
            assert_eq!(page.status, 404, "{path}");
            let body: Value = serde_json::from_str(&page.body).expect("JSON error");
            assert_eq!(body["error"]["status"], 404);
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_carry_a_stable_code_beside_status_and_message() {
    let app = TestApp::start(backends()[0]).await;
    let guest = app.visitor();
    for (path, status, code) in [
        ("/api/v1/articles/999999", 404, "not_found"),
        ("/api/v1/articles/abc", 404, "not_found"),
        ("/api/v1/nothing", 404, "not_found"),
        ("/api/v1/hot?window=year", 422, "invalid"),
        ("/api/v1/hot?limit=0", 400, "bad_request"),
        ("/api/v1/search?q=x&size=1000", 400, "bad_request"),
    ] {
        let page = guest.get(path).await;
        assert_eq!(page.status, status, "{path}: {}", page.body);
        let body: Value = serde_json::from_str(&page.body).expect("JSON error");
        assert_eq!(body["error"]["code"], code, "{path}");
        assert_eq!(body["error"]["status"], status, "{path}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{path}: {body}"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_category_and_tag_pages_list_documents_with_pagination() {
    let backend = backends()[0];
    let app = TestApp::start(backend).await;
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/reports-sample.jsonl");
    let (code, stdout, _) = app.import(&[demo]);
    assert_eq!(
        (code, stdout.trim()),
        (0, "imported 23, skipped 0, failed 0")
    );
    app.sync().await;
    let guest = app.visitor();
    let home = guest.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("2025年中华人民共和国国务院政府工作报告"));
    assert!(
        home.body
            .contains("<span class=\"current\" aria-current=\"page\">1</span>")
            && home.body.contains("共 2 页"),
        "23 documents, 20 a page"
    );
    let page2 = guest.get("/?page=2").await;
    assert!(page2
        .body
        .contains("<span class=\"current\" aria-current=\"page\">2</span>"));
    assert_eq!(
        guest.get("/?page=abc").await.status,
        200,
        "a bad page number is page 1"
    );
    assert_eq!(
        guest.get("/?page=99999999").await.status,
        404,
        "a page past the end does not exist"
    );
    let category = guest.get("/c/zhengfu-gongzuo-baogao").await;
    assert_eq!(category.status, 200);
    assert!(category.body.contains("政府工作报告") && category.body.contains("共 20 篇"));
    let tag = guest.get("/t/xiangcun-zhenxing").await;
    assert_eq!(tag.status, 200);
    assert!(tag.body.contains("标签：乡村振兴"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theme_folder_overrides_templates() {
    let app = TestApp::start(backends()[0]).await;
    let theme = app.db.data_dir().join("theme");
    std::fs::create_dir_all(&theme).unwrap();
    std::fs::write(theme.join("error.html"), "<p>自定义主题 {{ status }}</p>").unwrap();
    // Templates load on first use, so a restarted server picks the file up.
    let mut app = app;
    app.restart().await;
    let body = app.visitor().get("/nothing").await.body;
    assert_eq!(body, "<p>自定义主题 404</p>");
    app.stop().await;
}
