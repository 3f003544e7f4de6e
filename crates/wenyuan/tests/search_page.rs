//! The search page and API as readers and editors use them (issue 13 item 8, issue 14 item 4),
//! on SQLite and PostgreSQL, over real corpus documents: filters for category, date range and
//! access and the three orders, all in the URL (plain GET forms, no script); result counts per
//! category as links that add the filter; pinyin and initials marked in titles; suggestions when
//! nothing matches as typed; and the desk's synonyms applied at query time, the page saying so.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::search::urlencode;
use common::{backends, corpus, unescape_html, TestApp, Visitor};
use serde_json::Value;

/// The library: news items holding 乡村振兴 (新闻联播, public) and the reports since 2018 as
/// 讲话稿 (member documents): a query both kinds answer.
async fn library(backend: wenyuan_store::Backend, dir: &std::path::Path) -> TestApp {
    let news = std::fs::read_to_string(corpus("news.jsonl")).unwrap();
    let lines: Vec<&str> = news
        .lines()
        .filter(|l| l.contains("乡村振兴"))
        .take(40)
        .collect();
    let news_path = dir.join("news.jsonl");
    std::fs::write(&news_path, lines.join("\n")).unwrap();
    let reports = std::fs::read_to_string(corpus("reports.jsonl")).unwrap();
    let speeches: Vec<String> = reports
        .lines()
        .filter_map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let recent = v["date"].as_str().is_some_and(|d| d >= "2018");
            v["category"] = Value::from("讲话稿");
            recent.then(|| v.to_string())
        })
        .collect();
    let speech_path = dir.join("speeches.jsonl");
    std::fs::write(&speech_path, speeches.join("\n")).unwrap();

    let app = TestApp::start(backend).await;
    for (access, path) in [("public", &news_path), ("member", &speech_path)] {
        let (code, out, err) = app.import(&["--access", access, path.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}\n{err}");
    }
    app.sync().await;
    app.services().search.index_changes().await.unwrap();
    app
}

async fn api(visitor: &Visitor, query: &str) -> Value {
    let page = visitor.get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    serde_json::from_str(&page.body).unwrap()
}

fn hits(results: &Value) -> &Vec<Value> {
    results["hits"].as_array().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_facets_orders_and_marks_on_the_search_page_and_the_api() {
    let dir = tempfile::tempdir().unwrap();
    for backend in backends() {
        let app = library(backend, dir.path()).await;
        let guest = app.visitor();
        let q = urlencode("乡村振兴");
        let speech = urlencode("讲话稿");

        // Facets: every category's count, summing to the total (for a reader of everything: a
        // guest's facets leave out matches by hidden words, as a filter would).
        let vip = app.member("reader", "vip").await;
        let all = api(&vip, &format!("q={q}&size=50")).await;
        let facets = all["facets"].as_array().unwrap();
        let count = |name: &str| {
            facets
                .iter()
                .find(|f| f["category"] == name)
                .and_then(|f| f["count"].as_u64())
                .unwrap_or(0)
        };
        assert!(
            count("讲话稿") > 0 && count("新闻联播") > 0,
            "{backend:?}: {facets:?}"
        );
        assert_eq!(
            count("讲话稿") + count("新闻联播"),
            all["total"].as_u64().unwrap(),
            "{backend:?}"
        );

        // /search?q=乡村振兴&category=讲话稿: only 讲话稿, in the API and on the page.
        let narrowed = api(&vip, &format!("q={q}&category={speech}&size=50")).await;
        assert_eq!(
            narrowed["total"].as_u64(),
            Some(count("讲话稿")),
            "{backend:?}"
        );
        assert!(hits(&narrowed).iter().all(|h| h["category"] == "讲话稿"));
        let as_guest = api(&guest, &format!("q={q}&category={speech}&size=50")).await;
        assert!(!hits(&as_guest).is_empty(), "{backend:?}: {as_guest}");
        assert!(hits(&as_guest).iter().all(|h| h["category"] == "讲话稿"));
        assert_eq!(
            narrowed["facets"], all["facets"],
            "the facets still show every category (links to widen again)"
        );
        let page = guest.get(&format!("/search?q={q}&category={speech}")).await;
        assert_eq!(page.status, 200);
        let body = unescape_html(&page.body);
        let list = body
            .split("<ol class=\"hits\">")
            .nth(1)
            .and_then(|rest| rest.split("</ol>").next())
            .unwrap_or_default();
        let listed: Vec<&str> = list
            .split("<p class=\"meta\">")
            .skip(1)
            .map(|m| m.split("</p>").next().unwrap())
            .collect();
        assert!(!listed.is_empty(), "{backend:?}: hits listed");
        assert!(
            listed
                .iter()
                .all(|m| m.contains("讲话稿") && !m.contains("新闻联播")),
            "{backend:?}: {listed:?}"
        );
        // The facet links add (or drop) the filter and keep the query.
        assert!(
            body.contains(&format!(
                "href=\"/search?q={}&category={}\"",
                urlencode("乡村振兴"),
                urlencode("新闻联播")
            )),
            "{backend:?}: a facet link to 新闻联播"
        );
        assert!(body.contains("新闻联播（"), "{backend:?}");
        assert!(body.contains("全部栏目"));
        // The filters are a plain GET form that shows what is chosen.
        assert!(
            body.contains("<option value=\"讲话稿\" selected>讲话稿</option>"),
            "{backend:?}"
        );
        assert!(body.contains("name=\"from\"") && body.contains("name=\"access\""));

        // Date range, inclusive, and the newest first.
        let ranged = api(
            &guest,
            &format!("q={q}&from=2023-01-01&to=2024-12-31&sort=date&size=50"),
        )
        .await;
        let dates: Vec<&str> = hits(&ranged)
            .iter()
            .map(|h| h["date"].as_str().unwrap())
            .collect();
        assert!(!dates.is_empty(), "{backend:?}");
        assert!(
            dates
                .iter()
                .all(|d| ("2023-01-01"..="2024-12-31").contains(d)),
            "{dates:?}"
        );
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "最新: {dates:?}");
        // Access: only member documents.
        let members = api(&guest, &format!("q={q}&access=member&size=50")).await;
        assert!(!hits(&members).is_empty());
        assert!(hits(&members).iter().all(|h| h["access"] == "member"));
        // 最热 is accepted in the URL (and on the page).
        let hot = guest.get(&format!("/search?q={q}&sort=views")).await;
        assert_eq!(hot.status, 200);
        assert!(hot
            .body
            .contains("<option value=\"views\" selected>最热</option>"));

        // Initials and full pinyin are marked in titles.
        let initials = guest.get("/search?q=xczx").await;
        assert!(
            unescape_html(&initials.body).contains("<mark>乡村振兴</mark>"),
            "{backend:?}: initials marked in a title"
        );
        let full = api(&guest, "q=xiangcunzhenxing&size=5").await;
        assert!(
            hits(&full).iter().any(|h| h["title_html"]
                .as_str()
                .unwrap()
                .contains("<mark>乡村振兴</mark>")),
            "{backend:?}: {full}"
        );

        // A homophone typo: the page offers the titles that read like it.
        let typo = api(&guest, &format!("q={}", urlencode("乡村震兴"))).await;
        let closest = typo["closest"].as_array().unwrap();
        assert!(
            closest
                .iter()
                .any(|t| t["title"].as_str().unwrap().contains("乡村振兴")),
            "{backend:?}: {typo}"
        );
        let typo_page = guest
            .get(&format!("/search?q={}", urlencode("乡村震兴")))
            .await;
        assert!(typo_page.body.contains("您要找的是不是"));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desks_synonyms_apply_at_query_time_and_the_page_names_them() {
    let dir = tempfile::tempdir().unwrap();
    for backend in backends() {
        let app = library(backend, dir.path()).await;
        let guest = app.visitor();
        let vip = app.member("reader", "vip").await;

        // The starter list: 十四五 finds the report that writes 第十四个五年规划.
        let page = vip.get(&format!("/search?q={}", urlencode("十四五"))).await;
        let body = unescape_html(&page.body);
        assert!(
            body.contains("已包含同义词：十四五 → 第十四个五年规划"),
            "{backend:?}: {}",
            &body[..body.len().min(3000)]
        );

        // An editor adds a pair at the desk; the search uses it at once, and names it.
        let editor = app.member("editor", "editor").await;
        let desk = editor.get("/admin/search").await;
        assert_eq!(desk.status, 200, "{}", desk.body);
        assert!(unescape_html(&desk.body).contains("全国人民代表大会和中国人民政治协商会议"));
        let before = api(&guest, &format!("q={}", urlencode("乡振"))).await;
        assert_eq!(before["synonyms"], Value::Array(vec![]));
        let token = editor.csrf_from("/admin/search").await;
        let added = editor
            .post_form(
                "/admin/search/synonyms",
                &[
                    ("csrf", &token),
                    ("term", "乡振"),
                    ("expansion", "乡村振兴"),
                ],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let after = api(&guest, &format!("q={}&size=50", urlencode("乡振"))).await;
        assert!(after["total"].as_u64().unwrap() > 0, "{backend:?}: {after}");
        assert_eq!(after["synonyms"][0]["from"], "乡振");
        assert_eq!(after["synonyms"][0]["to"], "乡村振兴");
        let shown = guest.get(&format!("/search?q={}", urlencode("乡振"))).await;
        assert!(unescape_html(&shown.body).contains("已包含同义词：乡振 → 乡村振兴"));

        // Refused: an empty side, and a form without its token.
        let refused = editor
            .post_form(
                "/admin/search/synonyms",
                &[("csrf", &token), ("term", "乡振"), ("expansion", " ")],
            )
            .await;
        assert_eq!(refused.status, 422);
        let forged = editor
            .post_form(
                "/admin/search/synonyms",
                &[("term", "甲"), ("expansion", "乙")],
            )
            .await;
        assert!(
            forged.status == 403 || forged.status == 400,
            "{}",
            forged.status
        );
        // Readers cannot reach the desk.
        assert_ne!(vip.get("/admin/search").await.status, 200);

        // Deleted: the pair no longer applies, and the audit log has both changes.
        let desk = unescape_html(&editor.get("/admin/search").await.body);
        let marker = "乡振</td>";
        let row = &desk[desk.find(marker).unwrap()..];
        let action = row
            .split("action=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let deleted = editor.post_form(action, &[("csrf", &token)]).await;
        assert_eq!(deleted.status, 303);
        let gone = api(&guest, &format!("q={}", urlencode("乡振"))).await;
        assert_eq!(gone["synonyms"], Value::Array(vec![]));
        let admin = app.member("boss", "admin").await;
        let audit = unescape_html(&admin.get("/admin/audit").await.body);
        assert!(
            audit.contains("添加同义词") && audit.contains("删除同义词"),
            "{backend:?}"
        );
        app.stop().await;
    }
}
