//! The editorial desk in a real browser (headless Chromium), end to end: an editor logs in,
//! uploads a `.docx`, a GB18030 `.txt` and a saved `.html` page, sees each file's result, turns one
//! document into a template (模板化) through the diff view — rejecting one proposal — publishes
//! it, and a guest then reads it on the site. Screenshots go to `screenshots/`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::webdriver::Browser;
use common::{backends, corpus, english_words, table, unescape_html, TestApp};
use wenyuan_store::Backend;
use wenyuan_text::docx::fixture::DocxBuilder;

fn screenshot_dir() -> PathBuf {
    std::env::var_os("WENYUAN_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../screenshots")))
}

const SPEECH_TITLE: &str = "在安吉县2021年经济工作会议上的讲话";

/// A real-looking speech with the names a template must lose, and the common words it must keep.
fn speech_docx() -> Vec<u8> {
    DocxBuilder::new()
        .title(SPEECH_TITLE)
        .paragraph("同志们：今天我们召开全县经济工作会议，王建国书记作了重要讲话，我完全同意。")
        .heading(1, "一、2020年工作回顾")
        .paragraph("过去一年，安吉县地区生产总值增长6.5%，递铺街道、孝丰镇等地发展势头良好，市场主体持续壮大。")
        .heading(2, "（一）产业发展稳中有进")
        .paragraph("湖州市委、市政府对我县工作给予充分肯定，李明县长多次到孝丰镇调研指导。")
        .heading(1, "二、2021年重点工作")
        .paragraph("全县上下要坚定信心，推动县域经济高质量发展，确保各项目标任务圆满完成。")
        .build()
        .unwrap()
}

/// A saved web page with a report in it, navigation around it and script payloads inside.
fn saved_page() -> Vec<u8> {
    let line = std::fs::read_to_string(corpus("reports.jsonl"))
        .unwrap()
        .lines()
        .nth(8)
        .unwrap()
        .to_owned();
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    let title = record["title"].as_str().unwrap();
    let paragraphs: String = record["body"]
        .as_str()
        .unwrap()
        .split('\n')
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}_范文网</title>\
         <script>alert('x')</script></head><body><nav><a href=\"/\">首页</a> <a href=\"/c/1\">工作报告</a></nav>\
         <div class=\"content\"><h1>{title}</h1>{paragraphs}<img src=x onerror=\"alert(1)\"></div>\
         <aside><h3>热门推荐</h3><ul><li>本周热门</li></ul></aside><footer>联系客服</footer></body></html>"
    )
    .into_bytes()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// The proposals of the diff view as (original, replacement), in page order.
fn proposals(source: &str) -> Vec<(String, String)> {
    let text = unescape_html(source);
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<del>") {
        let after = &rest[start + 5..];
        let del_end = after.find("</del>").unwrap();
        let original = after[..del_end].to_owned();
        let ins = &after[del_end..];
        let ins_start = ins.find("<ins>").unwrap() + 5;
        let ins_end = ins.find("</ins>").unwrap();
        let replacement = ins[ins_start..ins_end].to_owned();
        // The page's legend shows what the marks mean with these two words.
        if (original.as_str(), replacement.as_str()) != ("原文", "占位符") {
            found.push((original, replacement));
        }
        rest = &ins[ins_end..];
    }
    found
}

/// The id after `/admin/documents/` on the results row of `place`.
fn result_id(source: &str, place: &str) -> i64 {
    let text = unescape_html(source);
    let row = text
        .find(place)
        .unwrap_or_else(|| panic!("no result for {place}"));
    let link = text[row..].find("/admin/documents/").unwrap() + row + "/admin/documents/".len();
    text[link..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Wait (up to 20 s) for the page after a form submit to show `needle`, then return its visible
/// text. The page source is polled, not the body element, which goes stale while the browser is
/// still navigating.
async fn wait_for_text(browser: &Browser, needle: &str) -> String {
    for _ in 0..200 {
        if browser.source().await.contains(needle) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.text().await
}

/// The stored document once `done` holds for it (a form post through the browser is under way);
/// panics after 20 s.
async fn stored_when(
    app: &TestApp,
    id: i64,
    done: impl Fn(&wenyuan_store::ArticleRow) -> bool,
) -> wenyuan_store::ArticleRow {
    for _ in 0..200 {
        let row = app
            .services()
            .store_for_tests()
            .article(id)
            .await
            .unwrap()
            .unwrap();
        if done(&row) {
            return row;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("document {id} never reached the expected state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_uploads_templates_and_publishes_and_a_guest_reads_it() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        app.add_user("editor1", "editor-password", "editor").await;
        let files = tempfile::tempdir().unwrap();
        let docx = write(files.path(), "经济工作会议讲话.docx", &speech_docx());
        let gb18030 = write(
            files.path(),
            "读书会讲话-gb18030.txt",
            &std::fs::read(corpus("fixtures/seed-gb18030.txt")).unwrap(),
        );
        let html = write(files.path(), "saved-page.html", &saved_page());
        let shots = screenshot_dir();
        let tag = format!("{backend:?}").to_lowercase();

        let browser = Browser::start().await;
        browser
            .log_in(
                &format!("{}/login?next=/admin/upload", app.base),
                "editor1",
                "editor-password",
            )
            .await;
        let at = browser
            .wait_for_url(&format!("{}/admin/upload", app.base))
            .await;
        assert!(at.ends_with("/admin/upload"), "{at}");

        // Upload the three files at once (a file input takes several paths, one per line).
        browser
            .type_into("#upload-files", &format!("{docx}\n{gb18030}\n{html}"))
            .await;
        browser.click("#upload-submit").await;
        let text = wait_for_text(&browser, "导入结果").await;
        assert!(
            text.contains("导入 3 · 重复 0 · 近似重复 0 · 失败 0"),
            "{text}"
        );
        for name in [
            "经济工作会议讲话.docx",
            "读书会讲话-gb18030.txt",
            "saved-page.html",
        ] {
            assert!(text.contains(name), "{name} has its result line");
        }
        browser
            .screenshot(&shots.join(format!("admin-upload-results-{tag}.png")))
            .await;
        let source = browser.source().await;
        let speech_id = result_id(&source, "经济工作会议讲话.docx");
        let page_id = result_id(&source, "saved-page.html");
        let page_doc = app
            .services()
            .store_for_tests()
            .article(page_id)
            .await
            .unwrap()
            .unwrap();
        assert!(!page_doc.body.contains("alert") && !page_doc.body.contains("onerror"));

        // 模板化: the diff view proposes the names; reject the first proposal, accept the rest.
        browser
            .goto(&format!(
                "{}/admin/documents/{speech_id}/anonymize",
                app.base
            ))
            .await;
        let proposed = proposals(&browser.source().await);
        let originals: Vec<&str> = proposed.iter().map(|(o, _)| o.as_str()).collect();
        for name in ["安吉县", "王建国", "递铺街道", "湖州市", "李明"] {
            assert!(
                originals.iter().any(|o| o.contains(name)),
                "{name} is proposed: {proposed:?}"
            );
        }
        for word in ["市场", "县域", "全县上下", "丰镇"] {
            assert!(
                !originals.iter().any(|o| o.contains(word)),
                "{word} stays: {proposed:?}"
            );
        }
        browser
            .screenshot(&shots.join(format!("admin-anonymize-diff-{tag}.png")))
            .await;
        let (rejected, _) = proposed[0].clone();
        browser.click("input[name=accept]").await;
        let before = app
            .services()
            .store_for_tests()
            .article(speech_id)
            .await
            .unwrap()
            .unwrap();
        browser.click("#accept button[type=submit]").await;
        let saved = stored_when(&app, speech_id, |row| row.body != before.body).await;

        // What was saved: every proposal but the rejected one applied.
        let whole = format!("{}\n{}", saved.title, saved.body);
        assert!(whole.contains(&rejected), "the rejected {rejected} is kept");
        for (original, _) in &proposed[1..] {
            if !original.contains(&rejected) && !rejected.contains(original.as_str()) {
                assert!(
                    !whole.contains(original.as_str()),
                    "{original} was replaced"
                );
            }
        }
        browser
            .goto(&format!(
                "{}/admin/documents/{speech_id}/anonymize",
                app.base
            ))
            .await;
        let left = proposals(&browser.source().await);
        assert_eq!(
            left.len(),
            1,
            "only the rejected proposal is left: {left:?}"
        );
        assert_eq!(left[0].0, rejected);
        assert!(
            whole.contains("市场主体") && whole.contains("全县上下") && whole.contains("县域经济")
        );

        // Publish it from the editor.
        browser
            .goto(&format!("{}/admin/documents/{speech_id}", app.base))
            .await;
        browser
            .click("select[name=status] option[value=published]")
            .await;
        browser.click("button[name=action][value=save]").await;
        let published = stored_when(&app, speech_id, |row| row.status == "published").await;
        wait_for_text(&browser, "已保存").await;
        browser
            .screenshot(&shots.join(format!("admin-document-published-{tag}.png")))
            .await;
        browser.quit().await;

        // A guest reads it on the site: the template, not the names.
        app.sync().await;
        let guest = Browser::start().await;
        guest.goto(&format!("{}/a/{speech_id}", app.base)).await;
        let read = guest.text().await;
        assert!(read.contains(&published.title), "{read}");
        let first_paragraph = published.body.lines().next().unwrap();
        assert!(
            read.contains(first_paragraph),
            "the templated text is shown: {read}"
        );
        assert!(read.contains("全县上下要坚定信心"), "the body is shown");
        guest
            .screenshot(&shots.join(format!("article-templated-guest-{tag}.png")))
            .await;
        guest.quit().await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_uploads_are_explained_in_chinese_in_the_browser() {
    let app = TestApp::start(Backend::Sqlite).await;
    app.add_user("editor1", "editor-password", "editor").await;
    let files = tempfile::tempdir().unwrap();
    let paths = [
        write(files.path(), "空文件.txt", b""),
        write(
            files.path(),
            "坏压缩包.zip",
            b"PK\x03\x04 this is no zip at all",
        ),
        write(files.path(), "坏文档.docx", b"PK\x05\x06 broken"),
        write(files.path(), "程序.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    ];
    let browser = Browser::start().await;
    browser
        .log_in(
            &format!("{}/login?next=/admin/upload", app.base),
            "editor1",
            "editor-password",
        )
        .await;
    browser
        .wait_for_url(&format!("{}/admin/upload", app.base))
        .await;
    browser.type_into("#upload-files", &paths.join("\n")).await;
    browser.click("#upload-submit").await;
    let text = wait_for_text(&browser, "导入结果").await;
    assert!(text.contains("失败 4"), "{text}");
    for reason in [
        "文件是空的",
        "不是可读取的 zip 压缩包",
        "不是有效的 Word .docx 文件",
        "不支持的文件类型",
    ] {
        assert!(text.contains(reason), "{reason}: {text}");
    }
    let source = browser.source().await;
    let words = english_words(table(&source));
    assert!(words.is_empty(), "English in the results: {words:?}");
    browser
        .screenshot(&screenshot_dir().join("admin-upload-broken-files.png"))
        .await;
    browser.quit().await;
    app.stop().await;
}
