//! Near-duplicates end to end: `wenyuan import` of the same report twice (a duplicate, skipped)
//! and of a copy with one paragraph changed (a near-duplicate, held as pending with a link to the
//! original, invisible to guests); the duplicates view and the editors' decisions; the backfill.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{backends, corpus, TestApp};
use serde_json::Value;
use wenyuan_store::PairDecision;

/// The corpus record of the 2024 government work report.
fn report_2024() -> Value {
    std::fs::read_to_string(corpus("reports.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["id"] == "gwr-002")
        .unwrap()
}

fn paragraphs(record: &Value) -> Vec<String> {
    wenyuan_text::paragraphs_from_body(record["body"].as_str().unwrap())
}

/// The report as a `.txt` file, with paragraph `changed` (if any) replaced.
fn write_txt(dir: &Path, name: &str, record: &Value, changed: Option<usize>) -> PathBuf {
    let mut body = paragraphs(record);
    if let Some(at) = changed {
        body[at] = "我们要坚持把发展经济的着力点放在实体经济上，推进新型工业化，加快建设制造强国、\
                    质量强国、网络强国、数字中国，不断夯实高质量发展的物质技术基础。"
            .to_owned();
    }
    let text = format!(
        "{}\n2024-03-05\n{}\n",
        record["title"].as_str().unwrap(),
        body.join("\n")
    );
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A `.jsonl` of the given records (title, paragraphs, views).
fn write_jsonl(dir: &Path, name: &str, records: &[(&str, Vec<String>, i64)]) -> PathBuf {
    let lines: String = records
        .iter()
        .map(|(title, paragraphs, views)| {
            let record = serde_json::json!({
                "title": title, "date": "2024-03-06", "body": paragraphs.join("\n"), "views": views,
            });
            format!("{record}\n")
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, lines).unwrap();
    path
}

/// Ids of the documents the public list shows.
async fn listed_ids(app: &TestApp) -> Vec<i64> {
    let list: Value =
        serde_json::from_str(&app.visitor().get("/api/v1/articles?page=1").await.body).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// `near-duplicate: PLACE: #NEW is a near-duplicate of #OF (similarity S), …` on stderr, reported
/// like duplicates and failures → (NEW, OF, S).
fn near_duplicate_line(stderr: &str) -> (i64, i64, f64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("near-duplicate: ") && l.contains("is a near-duplicate of #"))
        .unwrap_or_else(|| panic!("no near-duplicate line in {stderr:?}"));
    let line = &line[line.rfind(": #").expect("the ids after the place") + 2..];
    let numbers: Vec<&str> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    (
        numbers[0].parse().unwrap(),
        numbers[1].parse().unwrap(),
        numbers[2].parse().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_report_twice_is_a_duplicate_and_a_changed_copy_is_held_as_pending() {
    let record = report_2024();
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let original = write_txt(dir.path(), "report.txt", &record, None);
        let (code, stdout, stderr) = app.import(&[original.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout.trim(), "imported 1, skipped 0, failed 0");
        app.sync().await;
        let guest = app.visitor();
        let original_id = guest.id_of(record["title"].as_str().unwrap()).await;

        // The same report again, under another file name: a duplicate, not stored.
        let again = write_txt(dir.path(), "report-again.txt", &record, None);
        let (code, stdout, _) = app.import(&[again.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert_eq!(stdout.trim(), "imported 0, skipped 1, failed 0");

        // One paragraph changed: stored, held as pending, with the link to the original.
        let changed = write_txt(dir.path(), "report-changed.txt", &record, Some(40));
        let (code, stdout, stderr) = app.import(&[changed.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout
                .trim_end()
                .ends_with("imported 1 (1 held as near-duplicates), skipped 0, failed 0"),
            "{backend:?}: {stdout}"
        );
        let (held_id, of, similarity) = near_duplicate_line(&stderr);
        assert_eq!(of, original_id, "{stderr}");
        assert!(similarity >= 0.95, "{stderr}");
        assert!(stderr.contains("held as pending"), "{stderr}");
        app.sync().await;
        let held = app.services().reading.document(held_id).await.unwrap();
        assert_eq!(held.status, "pending");

        // A guest neither reads nor lists the held copy; the original stays published.
        assert_eq!(guest.get(&format!("/a/{held_id}")).await.status, 404);
        assert_eq!(
            guest
                .get(&format!("/api/v1/articles/{held_id}"))
                .await
                .status,
            404
        );
        assert_eq!(guest.get(&format!("/a/{original_id}")).await.status, 200);
        let listed = listed_ids(&app).await;
        assert!(listed.contains(&original_id) && !listed.contains(&held_id));

        // The core API the duplicates view uses.
        let found = app
            .services()
            .desk
            .duplicates
            .near_duplicates_of(record["title"].as_str().unwrap(), &paragraphs(&record))
            .await
            .unwrap();
        let found_ids: Vec<i64> = found.iter().map(|n| n.id).collect();
        assert_eq!(found_ids[0], original_id, "the exact copy comes first");
        assert_eq!(found[0].distance, 0);
        assert!(found_ids.contains(&held_id));
        let pairs = app
            .services()
            .desk
            .duplicates
            .duplicate_pairs(1)
            .await
            .unwrap();
        assert_eq!(pairs.total, 1);
        let pair = &pairs.items[0];
        assert_eq!((pair.older.id, pair.newer.id), (original_id, held_id));
        assert!((pair.similarity - similarity).abs() < 0.001);

        // Keep: both stay, the pair leaves the list, and the held copy, its last pair decided,
        // is published (issue 12.6: a document leaves 待审 when its last pair is decided).
        app.services()
            .desk
            .duplicates
            .decide_pair(held_id, original_id, PairDecision::Keep, None)
            .await
            .unwrap();
        assert_eq!(
            app.services()
                .desk
                .duplicates
                .duplicate_pairs(1)
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            app.services()
                .reading
                .document(held_id)
                .await
                .unwrap()
                .status,
            "published"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_duplicates_within_one_file_are_held_and_a_merge_moves_the_views() {
    let record = report_2024();
    let title = record["title"].as_str().unwrap();
    let body = paragraphs(&record);
    let mut edited = body.clone();
    edited.remove(30);
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        // Two near-duplicates in one batch: the second is held as a near-duplicate of the first.
        let file = write_jsonl(
            dir.path(),
            "batch.jsonl",
            &[(title, body.clone(), 100), (title, edited.clone(), 40)],
        );
        let (code, stdout, stderr) = app.import(&[file.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains("imported 2 (1 held as near-duplicates), skipped 0, failed 0"),
            "{backend:?}: {stdout}"
        );
        let (held_id, first_id, _) = near_duplicate_line(&stderr);
        assert!(held_id > first_id);

        // --allow-near-duplicates publishes a third copy anyway (and says so).
        let mut third = body.clone();
        third.swap(10, 20);
        third.remove(50);
        let file = write_jsonl(dir.path(), "third.jsonl", &[(title, third, 7)]);
        let (code, stdout, stderr) =
            app.import(&["--allow-near-duplicates", file.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert!(
            stdout.contains("imported 1 (1 near-duplicates published), skipped 0, failed 0"),
            "{stdout}"
        );
        assert!(stderr.contains("), published"), "{stderr}");
        let (third_id, _, _) = near_duplicate_line(&stderr);
        app.sync().await;
        let guest = app.visitor();
        assert_eq!(guest.get(&format!("/a/{third_id}")).await.status, 200);

        // Merge: the newer copy is hidden and its views go to the older one.
        let before = app.services().views.views_of(first_id).await.unwrap();
        app.services()
            .desk
            .duplicates
            .decide_pair(first_id, third_id, PairDecision::Merge, None)
            .await
            .unwrap();
        assert_eq!(guest.get(&format!("/a/{third_id}")).await.status, 404);
        assert_eq!(
            app.services()
                .reading
                .document(third_id)
                .await
                .unwrap()
                .status,
            "hidden"
        );
        assert_eq!(
            app.services().views.views_of(first_id).await.unwrap(),
            before + 7
        );
        assert_eq!(
            app.services()
                .store_for_tests()
                .duplicate_pair_decision(first_id, third_id)
                .await
                .unwrap()
                .as_deref(),
            Some("merge")
        );
        // Hide: the newer is hidden, the older untouched. Pairs with a hidden document are gone.
        app.services()
            .desk
            .duplicates
            .decide_pair(held_id, first_id, PairDecision::Hide, None)
            .await
            .unwrap();
        assert_eq!(
            app.services()
                .reading
                .document(held_id)
                .await
                .unwrap()
                .status,
            "hidden"
        );
        assert_eq!(
            app.services()
                .reading
                .document(first_id)
                .await
                .unwrap()
                .status,
            "published"
        );
        assert_eq!(
            app.services()
                .desk
                .duplicates
                .duplicate_pairs(1)
                .await
                .unwrap()
                .total,
            0
        );
        assert!(app
            .services()
            .desk
            .duplicates
            .decide_pair(first_id, first_id, PairDecision::Keep, None)
            .await
            .is_err());
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_without_a_fingerprint_get_one_from_the_backfill() {
    let record = report_2024();
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let file = write_txt(dir.path(), "report.txt", &record, None);
        assert_eq!(app.import(&[file.to_str().unwrap()]).0, 0);
        app.sync().await;
        let id = app.visitor().id_of(record["title"].as_str().unwrap()).await;
        let store = app.services().store_for_tests();
        let stored = store
            .simhash(id)
            .await
            .unwrap()
            .expect("written with the document");
        // The change-feed follower finds the insert's fingerprint already there.
        assert_eq!(
            app.services()
                .desk
                .duplicates
                .fingerprint_changes()
                .await
                .unwrap(),
            0
        );
        // The follower's place is kept even when no change came after its first backfill, so
        // the next round does not scan the whole library again.
        assert!(
            store.setting("cursor.simhash").await.unwrap().is_some(),
            "{backend:?}"
        );
        // As after an upgrade from a database without fingerprints.
        store.set_simhash(id, None).await.unwrap();
        assert_eq!(store.simhash(id).await.unwrap(), None);
        // (The server's background task does not backfill again once it has run: only ours can.)
        assert_eq!(
            app.services()
                .desk
                .duplicates
                .backfill_simhashes()
                .await
                .unwrap(),
            1
        );
        assert_eq!(store.simhash(id).await.unwrap(), Some(stored));
        assert_eq!(
            app.services()
                .desk
                .duplicates
                .backfill_simhashes()
                .await
                .unwrap(),
            0
        );
        app.stop().await;
    }
}

/// Issue 12, item 6: the duplicates view shows both texts with the differences marked; several
/// pairs are decided at once; a held document is published once its last pair is decided.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairs_are_decided_in_bulk_and_a_settled_document_leaves_pending() {
    let record = report_2024();
    let title = record["title"].as_str().unwrap();
    let body = paragraphs(&record);
    let mut second = body.clone();
    second[40] = format!("{}（另附）", second[40]);
    let mut third = body.clone();
    third[20] = format!("{}（补充说明）", third[20]);
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let file = write_jsonl(
            dir.path(),
            "three.jsonl",
            &[
                (title, body.clone(), 1),
                (title, second.clone(), 1),
                (title, third.clone(), 1),
            ],
        );
        let (code, stdout, stderr) = app.import(&[file.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains("imported 3 (2 held"),
            "{backend:?}: {stdout}"
        );
        app.sync().await;
        let mut ids = Vec::new();
        for id in 1..=50 {
            if status_of(&app, id).await.is_some() {
                ids.push(id);
            }
        }
        assert_eq!(ids.len(), 3, "{ids:?}");
        let (a, b, c) = (ids[0], ids[1], ids[2]);
        assert_eq!(status_of(&app, b).await.as_deref(), Some("pending"));
        assert_eq!(status_of(&app, c).await.as_deref(), Some("pending"));

        app.add_user("editor1", "editor-password", "editor").await;
        let editor = app.visitor();
        assert_eq!(editor.login("editor1", "editor-password").await.status, 303);
        let view = editor.get("/admin/duplicates").await.body;
        let listed = |x: i64, y: i64| view.contains(&format!("id=\"pair-{x}-{y}\""));
        assert!(listed(a, b) && listed(a, c), "{view}");
        let b_c = listed(b, c);
        // Side by side: the added words are marked in the copies.
        assert!(view.contains("对比全文") && view.contains("<mark>（补充说明）</mark>"));
        let token = editor.csrf_from("/admin/duplicates").await;

        // Keep both pairs with the original at once.
        let keep = editor
            .post_form(
                "/admin/duplicates/bulk",
                &[
                    ("csrf", &token),
                    ("pair", &format!("{a}-{b}")),
                    ("pair", &format!("{a}-{c}")),
                    ("decision", "keep"),
                ],
            )
            .await;
        assert_eq!(keep.status, 303, "{}", keep.body);
        let after = editor
            .get("/admin/duplicates?done=bulk-keep&count=2")
            .await
            .body;
        assert!(after.contains("已保留所选的 2 对"), "{after}");
        if b_c {
            assert_eq!(
                status_of(&app, b).await.as_deref(),
                Some("pending"),
                "b–c is still open"
            );
            // Hide the newer of b–c: c is hidden, b has no open pair left and is published.
            let hide = editor
                .post_form(
                    "/admin/duplicates/bulk",
                    &[
                        ("csrf", &token),
                        ("pair", &format!("{b}-{c}")),
                        ("decision", "hide"),
                    ],
                )
                .await;
            assert_eq!(hide.status, 303, "{}", hide.body);
            assert_eq!(status_of(&app, c).await.as_deref(), Some("hidden"));
        } else {
            assert_eq!(status_of(&app, c).await.as_deref(), Some("published"));
        }
        assert_eq!(
            status_of(&app, b).await.as_deref(),
            Some("published"),
            "{backend:?}: its last pair is decided"
        );
        assert_eq!(status_of(&app, a).await.as_deref(), Some("published"));
        let empty = editor.get("/admin/duplicates").await.body;
        assert!(empty.contains("没有待处理的近似重复"), "{empty}");

        // Nothing checked: a clear refusal.
        let none = editor
            .post_form(
                "/admin/duplicates/bulk",
                &[("csrf", &token), ("decision", "keep")],
            )
            .await;
        assert_eq!(none.status, 400);
        assert!(none.body.contains("没有选中"), "{}", none.body);
        app.stop().await;
    }
}

async fn status_of(app: &TestApp, id: i64) -> Option<String> {
    app.services()
        .store_for_tests()
        .article(id)
        .await
        .unwrap()
        .map(|row| row.status)
}

/// The source of the page once it contains `needle` (a form post and its redirect under way).
async fn wait_for_source(browser: &common::webdriver::Browser, needle: &str) -> String {
    for _ in 0..200 {
        let source = browser.source().await;
        if source.contains(needle) {
            return source;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.source().await
}

/// Issue 12, item 6, in a browser: an editor ticks two pairs and keeps them all with one button;
/// the texts open side by side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_keeps_several_pairs_at_once_in_a_browser() {
    let record = report_2024();
    let title = record["title"].as_str().unwrap();
    let body = paragraphs(&record);
    let mut second = body.clone();
    second[40] = format!("{}（另附）", second[40]);
    let mut third = body.clone();
    third[20] = format!("{}（补充说明）", third[20]);
    let backend = backends()[0];
    let app = TestApp::start(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_jsonl(
        dir.path(),
        "three.jsonl",
        &[(title, body, 1), (title, second, 1), (title, third, 1)],
    );
    let (code, _, stderr) = app.import(&[file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    app.sync().await;
    let (a, b, c) = (1, 2, 3);
    for id in [a, b, c] {
        assert!(
            status_of(&app, id).await.is_some(),
            "ids 1–3 are the three copies"
        );
    }
    app.add_user("editor1", "editor-password", "editor").await;

    let browser = common::webdriver::Browser::start().await;
    browser
        .log_in(
            &format!("{}/login?next=/admin/duplicates", app.base),
            "editor1",
            "editor-password",
        )
        .await;
    browser
        .wait_for_url(&format!("{}/admin/duplicates", app.base))
        .await;
    let source = wait_for_source(&browser, "对比全文").await;
    assert!(source.contains(&format!("value=\"{a}-{b}\"")), "{source}");
    // Open the comparison of the first pair: both texts, the difference marked.
    browser.click("tr.pair-compare summary").await;
    assert!(browser.text().await.contains("（"), "the texts are shown");

    browser
        .click(&format!("input[type=checkbox][value=\"{a}-{b}\"]"))
        .await;
    browser
        .click(&format!("input[type=checkbox][value=\"{a}-{c}\"]"))
        .await;
    browser.click("#bulk button[value=keep]").await;
    let done = wait_for_source(&browser, "已保留所选的 2 对").await;
    assert!(done.contains("已保留所选的 2 对"), "{done}");
    assert!(!done.contains(&format!("id=\"pair-{a}-{b}\"")));
    assert!(!done.contains(&format!("id=\"pair-{a}-{c}\"")));
    browser.quit().await;
    app.stop().await;
}
