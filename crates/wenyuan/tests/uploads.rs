//! Uploads of real-world files: `.docx`, saved web pages (any encoding, with scripts in them),
//! `.zip` archives — through `wenyuan import` and `Services::import_upload`, on both backends.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{backends, corpus, english_words, table, TestApp};
use wenyuan_core::desk::import::{FileOutcome, FileResult, ImportOptions};
use wenyuan_text::docx::fixture::DocxBuilder;
use zip::write::SimpleFileOptions;

const PAYLOADS: [&str; 5] = ["<script", "alert(", "onerror", "javascript:", "<img"];

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A 公文 with a Title-style title, 一、/（一） headings and a table.
fn notice_docx() -> Vec<u8> {
    DocxBuilder::new()
        .title("关于2021年度财政预算执行情况的报告")
        .paragraph("现将2021年度财政预算执行情况报告如下。")
        .heading(1, "一、预算执行情况")
        .heading(2, "（一）一般公共预算收支情况")
        .paragraph("全年一般公共预算收入完成年度预算的102.3%，同比增长8.1%。")
        .table(&[&["项目", "预算数", "执行数"], &["税收收入", "1200", "1250"]])
        .heading(1, "二、下一步工作")
        .paragraph("加强预算绩效管理，提高财政资金使用效益。")
        .build()
        .unwrap()
}

/// The seed page (`seed/000_….txt`) as a saved web page: its title line in `<h1>`, its date
/// line, its body and its chrome lines in the article, wrapped in a site's navigation,
/// sidebar and footer, with script payloads sprinkled in.
fn seed_page(charset: &str) -> (String, wenyuan_text::ParsedDoc) {
    let seed = std::fs::read_to_string(corpus("seed/000_38663bb0f25ad367.txt")).unwrap();
    let expected = wenyuan_text::parse_txt(&seed).unwrap();
    let mut lines = seed.lines().map(str::trim).filter(|l| !l.is_empty());
    let title = lines.next().unwrap();
    let date = lines.next().unwrap();
    let body: String = lines
        .map(|l| format!("<p>{l}</p>\n"))
        .collect::<String>()
        .replacen(
            "</p>",
            "<img src=x onerror=alert(1)><script>alert(1)</script></p>",
            2,
        );
    let html = format!(
        r#"<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}_范文网</title>
<script src="/js/jquery.js"></script><script>document.cookie; alert(1)</script></head><body>
<div id="header"><a href="/" class="logo">范文网</a><ul class="nav"><li><a href="/">首页</a></li><li><a href="/jianghua/">讲话稿</a></li><li><a href="javascript:void(0)" onclick="alert(1)">登录</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/jianghua/">讲话稿</a></div>
<div class="wrap"><div class="main">
<div class="title"><h1>{title}</h1><div class="info">{date}</div></div>
<div class="content" id="article">{body}<a href="javascript:alert(document.cookie)">点击下载</a></div>
</div>
<div class="sidebar"><div class="hot"><h3>热门推荐</h3><ul><li><a href="/a/1.html">在全区经济工作会议上的讲话</a></li><li><a href="/a/2.html">2021年区委工作要点</a></li></ul></div>
<div class="hot"><h3>本周热门</h3><ul><li><a href="/a/3.html">在区人大常委会会议上的讲话</a></li></ul></div></div></div>
<div id="footer"><p>联系客服</p><p>Copyright © 范文网 All Rights Reserved</p></div>
<script>var s=document.createElement("script");s.src="https://hm.example/hm.js";</script>
</body></html>"#
    );
    (html, expected)
}

async fn stored(app: &TestApp, title: &str) -> wenyuan_store::ArticleRow {
    let id = app.visitor().id_of(title).await;
    app.services()
        .store_for_tests()
        .article(id)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docx_and_saved_pages_in_any_encoding_import_as_documents() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "notice.docx", &notice_docx());
        let (page, seed) = seed_page("utf-8");
        write(dir.path(), "page.html", page.as_bytes());
        let report = &std::fs::read_to_string(corpus("reports.jsonl")).unwrap();
        let record: serde_json::Value =
            serde_json::from_str(report.lines().next().unwrap()).unwrap();
        let gbk_title = record["title"].as_str().unwrap();
        let gbk_body: String = record["body"]
            .as_str()
            .unwrap()
            .lines()
            .take(20)
            .map(|l| format!("<p>{l}</p>"))
            .collect();
        let gbk_page = format!(
            "<html><head><meta charset=gbk><title>{gbk_title} - 某某网</title></head>\
             <body><div class=nav><a href=/>首页</a></div><div id=content>{gbk_body}</div></body></html>"
        );
        let (gbk_bytes, _, _) = encoding_rs::GB18030.encode(&gbk_page);
        write(dir.path(), "gbk.htm", &gbk_bytes);

        let (code, stdout, stderr) = app.import(&[dir.path().to_str().unwrap()]);
        assert_eq!(code, 0, "{backend:?} {stderr}");
        assert_eq!(stdout.trim(), "imported 3, skipped 0, failed 0");
        app.sync().await;

        let notice = stored(&app, "关于2021年度财政预算执行情况的报告").await;
        assert_eq!(
            notice.body.lines().collect::<Vec<_>>(),
            [
                "现将2021年度财政预算执行情况报告如下。",
                "一、预算执行情况",
                "（一）一般公共预算收支情况",
                "全年一般公共预算收入完成年度预算的102.3%，同比增长8.1%。",
                "项目\t预算数\t执行数",
                "税收收入\t1200\t1250",
                "二、下一步工作",
                "加强预算绩效管理，提高财政资金使用效益。",
            ]
        );
        let api: serde_json::Value = serde_json::from_str(
            &app.visitor()
                .get(&format!("/api/v1/articles/{}", notice.id))
                .await
                .body,
        )
        .unwrap();
        let outline: Vec<(u64, &str)> = api["outline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["level"].as_u64().unwrap(), e["text"].as_str().unwrap()))
            .collect();
        assert_eq!(
            outline,
            [
                (1, "一、预算执行情况"),
                (2, "（一）一般公共预算收支情况"),
                (1, "二、下一步工作")
            ]
        );

        let article = stored(&app, &seed.title).await;
        assert_eq!(article.body, seed.paragraphs.join("\n"), "only the article");
        assert_eq!(article.published_on, "2020-11-04");
        for payload in PAYLOADS
            .iter()
            .chain(&["热门推荐", "联系客服", "当前位置", "Copyright"])
        {
            assert!(!article.body.contains(payload), "{payload} in the body");
            assert!(!article.title.contains(payload), "{payload} in the title");
        }

        let gbk = stored(&app, gbk_title).await;
        let first_line = record["body"].as_str().unwrap().lines().next().unwrap();
        assert!(gbk.body.starts_with(first_line.trim()), "{}", gbk.body);
        assert!(!gbk.body.contains("首页"));
        app.stop().await;
    }
}

fn expect(results: &[FileResult], place: &str) -> FileOutcome {
    results
        .iter()
        .find(|r| r.place == place)
        .unwrap_or_else(|| panic!("no result for {place} in {results:#?}"))
        .outcome
        .clone()
}

fn reason(outcome: FileOutcome) -> String {
    match outcome {
        FileOutcome::Failed { reason } => reason,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zips_import_entry_by_entry_and_bombs_and_traversal_are_refused() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (page, _) = seed_page("utf-8");
        let inner = zip_of(&[("x.txt", b"x")]);
        let archive = zip_of(&[
            ("docs/notice.docx", &notice_docx()),
            ("docs/page.html", page.as_bytes()),
            (
                "notes.md",
                "---\ntitle: 一篇笔记\n---\n\n正文第一段。\n".as_bytes(),
            ),
            (
                "speech.txt",
                "一篇讲话\n同志们：\n今天的会议很重要。\n".as_bytes(),
            ),
            ("../evil.txt", "越界\n不应写出\n".as_bytes()),
            ("/etc/passwd", "root\nx\n".as_bytes()),
            ("inner.zip", &inner),
            ("picture.png", b"\x89PNG"),
        ]);
        let options = ImportOptions {
            status: wenyuan_core::Status::Draft,
            ..ImportOptions::default()
        };
        let results = app
            .services()
            .desk
            .import
            .import_upload("archive.zip", &archive, &options)
            .await
            .unwrap();
        assert_eq!(results.len(), 8, "{results:#?}");
        let imported: Vec<i64> = results
            .iter()
            .filter_map(|r| match r.outcome {
                FileOutcome::Imported { id } => Some(id),
                _ => None,
            })
            .collect();
        for place in [
            "archive.zip!docs/notice.docx",
            "archive.zip!docs/page.html",
            "archive.zip!notes.md",
            "archive.zip!speech.txt",
        ] {
            assert!(
                matches!(expect(&results, place), FileOutcome::Imported { .. }),
                "{place}"
            );
        }
        assert_eq!(imported.len(), 4);
        for id in &imported {
            let row = app
                .services()
                .store_for_tests()
                .article(*id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.status, "draft");
        }
        assert!(reason(expect(&results, "archive.zip!../evil.txt")).contains("路径不安全"));
        assert!(reason(expect(&results, "archive.zip!/etc/passwd")).contains("路径不安全"));
        assert!(reason(expect(&results, "archive.zip!inner.zip")).contains("压缩包里套压缩包"));
        assert!(reason(expect(&results, "archive.zip!picture.png")).contains("不支持的文件类型"));

        // The same archive again: every document is a duplicate of the one stored.
        let again = app
            .services()
            .desk
            .import
            .import_upload("archive.zip", &archive, &options)
            .await
            .unwrap();
        assert_eq!(
            expect(&again, "archive.zip!notes.md"),
            FileOutcome::Duplicate {
                of: match expect(&results, "archive.zip!notes.md") {
                    FileOutcome::Imported { id } => id,
                    other => panic!("{other:?}"),
                }
            }
        );

        // Bombs through the CLI: refused with the limit named, nothing else touched.
        let dir = tempfile::tempdir().unwrap();
        let inner_dir = dir.path().join("upload");
        std::fs::create_dir(&inner_dir).unwrap();
        let bomb = zip_of_zeros(500 << 20);
        write(&inner_dir, "bomb.zip", &bomb);
        let big_docx = DocxBuilder::new()
            .title("很大的文档")
            .paragraph("正文。")
            .build_padded(500 << 20)
            .unwrap();
        write(&inner_dir, "big.docx", &big_docx);
        write(&inner_dir, "traversal.zip", &archive);
        let (code, stdout, stderr) = app.import(&[inner_dir.to_str().unwrap()]);
        assert_eq!(code, 1, "{stderr}");
        assert_eq!(
            stdout.trim(),
            "imported 0, skipped 4, failed 6",
            "{backend:?}\n{stderr}"
        );
        for (place, message) in [
            (
                "bomb.zip!zeros.txt",
                "解压后为 500 MB，超过单个文件上限 20 MB",
            ),
            (
                "big.docx",
                "word/document.xml 已拒绝：解压后为 500 MB，超过单个文件上限 20 MB",
            ),
            ("traversal.zip!../evil.txt", "路径不安全"),
            ("traversal.zip!/etc/passwd", "路径不安全"),
        ] {
            assert!(
                stderr
                    .lines()
                    .any(|l| l.starts_with("failed: ") && l.contains(place) && l.contains(message)),
                "{place}: {message}\n{stderr}"
            );
        }
        assert!(
            stderr.lines().any(|l| l.starts_with("duplicate: ")
                && l.contains("traversal.zip!notes.md")
                && l.contains("same as document #")),
            "{stderr}"
        );
        for outside in [
            dir.path().join("evil.txt"),
            PathBuf::from("/etc/passwd.wenyuan"),
        ] {
            assert!(!outside.exists());
        }
        assert_eq!(
            std::fs::read_dir(&inner_dir).unwrap().count(),
            3,
            "nothing unpacked to disk"
        );
        app.stop().await;
    }
}

/// One entry of `size` zero bytes, deflated while streaming (about 500 KB for 500 MB).
fn zip_of_zeros(size: u64) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("zeros.txt", SimpleFileOptions::default())
        .unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..size / chunk.len() as u64 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_88_reports_uploaded_as_docx_files() {
    let reports = std::fs::read_to_string(corpus("reports.jsonl")).unwrap();
    let started = Instant::now();
    let mut titles = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, line) in reports.lines().enumerate() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let title = record["title"].as_str().unwrap().to_owned();
        let mut docx = DocxBuilder::new().title(&title);
        for paragraph in record["body"].as_str().unwrap().lines() {
            docx = docx.paragraph(paragraph);
        }
        files.push((format!("reports/{i:03}.docx"), docx.build().unwrap()));
        titles.push(title);
    }
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let archive = zip_of(&entries);
    eprintln!(
        "generated {} .docx files, zip {} KB, in {:.2}s",
        files.len(),
        archive.len() / 1024,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(files.len(), 88);
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "reports.zip", &archive);
        let started = Instant::now();
        let (code, stdout, stderr) = app.import(&[path.to_str().unwrap()]);
        eprintln!(
            "{backend:?}: imported 88 .docx from a zip in {:.2}s",
            started.elapsed().as_secs_f64()
        );
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout.trim(), "imported 88, skipped 0, failed 0");
        let mut stored = Vec::new();
        for id in app
            .services()
            .store_for_tests()
            .article_ids()
            .await
            .unwrap()
        {
            stored.push(
                app.services()
                    .store_for_tests()
                    .article(id)
                    .await
                    .unwrap()
                    .unwrap()
                    .title,
            );
        }
        stored.sort();
        let mut want = titles.clone();
        want.sort();
        assert_eq!(stored, want);
        app.stop().await;
    }
}

/// A report of the corpus as a `.txt` (title, date, paragraphs); `changed` replaces one paragraph.
fn report_txt(index: usize, changed: Option<usize>) -> (String, Vec<u8>) {
    let line = std::fs::read_to_string(corpus("reports.jsonl"))
        .unwrap()
        .lines()
        .nth(index)
        .unwrap()
        .to_owned();
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    let title = record["title"].as_str().unwrap().to_owned();
    let mut body: Vec<String> =
        wenyuan_text::paragraphs_from_body(record["body"].as_str().unwrap());
    if let Some(at) = changed {
        body[at] = "我们要坚持把发展经济的着力点放在实体经济上，加快建设制造强国、质量强国，\
                    不断夯实高质量发展的物质技术基础。"
            .to_owned();
    }
    let text = format!("{title}\n2024-03-05\n{}\n", body.join("\n"));
    (title, text.into_bytes())
}

/// A saved web page around a report, with the payloads a hostile page carries.
fn report_page(index: usize) -> (String, Vec<u8>) {
    let (title, text) = report_txt(index, None);
    let text = String::from_utf8(text).unwrap();
    let paragraphs: String = text
        .lines()
        .skip(2)
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}_范文网</title>\
         <script>alert(1)</script></head><body><nav><a href=\"/\">首页</a><a href=\"/c/1\">讲话稿</a></nav>\
         <div id=\"content\"><h1>{title}</h1><p>发布时间：2024-03-05</p>{paragraphs}\
         <img src=x onerror=\"alert(2)\"><a href=\"javascript:alert(3)\">阅读全文</a></div>\
         <aside class=\"hot\"><h3>热门推荐</h3><ul><li>别的文章</li></ul></aside>\
         <footer>版权所有 联系客服</footer></body></html>"
    );
    (title, html.into_bytes())
}

/// An editor's upload through `/admin/upload`, as a browser sends it: the CSRF field first.
async fn upload(visitor: &common::Visitor, token: &str, files: &[(&str, Vec<u8>)]) -> common::Page {
    let mut form = reqwest::multipart::Form::new().text("csrf", token.to_owned());
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let form = form.text("status", "draft").text("access", "public");
    let response = visitor
        .client
        .post(format!("{}/admin/upload", visitor.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    common::page(response).await
}

fn rows(body: &str, kind: &str) -> usize {
    body.matches(&format!("class=\"result-{kind}\"")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_uploads_through_the_desk_and_sees_each_files_result() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        app.add_user("editor1", "editor-password", "editor").await;
        let editor = app.visitor();
        assert_eq!(editor.login("editor1", "editor-password").await.status, 303);
        let form = editor.get("/admin/upload").await;
        assert_eq!(form.status, 200, "{}", form.body);
        assert!(form.body.contains("enctype=\"multipart/form-data\""));
        let token = editor.csrf_from("/admin/upload").await;

        // No token, or a wrong one: refused before any file is read.
        let (_, page_html) = report_page(6);
        let forged = upload(&editor, "forged", &[("page.html", page_html.clone())]).await;
        assert_eq!(forged.status, 403, "{backend:?}");
        assert_eq!(
            app.services().reading.status_counts().await.unwrap().len(),
            0,
            "nothing stored"
        );

        // A .docx, the seed page in GB18030, a saved web page with script payloads.
        let gb18030 = std::fs::read(corpus("fixtures/seed-gb18030.txt")).unwrap();
        let (report_title, report) = report_txt(4, None);
        let page = upload(
            &editor,
            &token,
            &[
                ("通知.docx", notice_docx()),
                ("seed-gb18030.txt", gb18030),
                ("page.html", page_html),
                ("report.txt", report.clone()),
            ],
        )
        .await;
        assert_eq!(page.status, 200, "{backend:?}: {}", page.body);
        assert_eq!(rows(&page.body, "imported"), 4, "{}", page.body);
        assert_eq!(rows(&page.body, "failed"), 0, "{}", page.body);
        assert!(page.body.contains("导入 4 · 重复 0 · 近似重复 0 · 失败 0"));
        let stored = stored_title(&app, "关于2021年度财政预算执行情况的报告").await;
        assert_eq!(stored.status, "draft", "uploads arrive as drafts");
        let seed = stored_title(&app, "在2020年区委读书会上的讲话").await;
        assert!(
            seed.body.starts_with("这次读书会"),
            "the GB18030 text is decoded"
        );
        let page_doc = stored_title(&app, &report_txt(6, None).0).await;
        assert!(page_doc.body.len() > 1000, "the page's article was kept");
        for payload in PAYLOADS {
            assert!(!page_doc.body.contains(payload), "{payload} survived");
            assert!(!page_doc.title.contains(payload));
        }

        // The same report again, and a copy with one paragraph changed.
        let (_, changed) = report_txt(4, Some(12));
        let again = upload(
            &editor,
            &token,
            &[("report.txt", report), ("report-changed.txt", changed)],
        )
        .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(rows(&again.body, "duplicate"), 1, "{}", again.body);
        assert_eq!(rows(&again.body, "near-duplicate"), 1, "{}", again.body);
        let original = stored_title(&app, &report_title).await;
        let text = common::unescape_html(&again.body);
        assert!(
            text.contains(&format!(
                "与 <a href=\"/admin/documents/{}\">#{}</a>",
                original.id, original.id
            )),
            "each duplicate links to the document it repeats"
        );
        assert!(text.contains("（待审）"));

        // The duplicates view lists the pair; merging hides the newer copy.
        let view = editor.get("/admin/duplicates").await;
        assert_eq!(view.status, 200, "{}", view.body);
        let changed_id = {
            let text = common::unescape_html(&view.body);
            let marker = format!("id=\"pair-{}-", original.id);
            let start = text.find(&marker).expect("the pair is listed") + marker.len();
            text[start..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<i64>()
                .unwrap()
        };
        assert!(view.body.contains("待处理 1 对"), "{}", view.body);
        let decided = editor
            .post_form(
                "/admin/duplicates/decide",
                &[
                    ("csrf", &token),
                    ("older", &original.id.to_string()),
                    ("newer", &changed_id.to_string()),
                    ("similarity", "0.97"),
                    ("decision", "merge"),
                ],
            )
            .await;
        assert_eq!(decided.status, 303, "{}", decided.body);
        let after = editor.get("/admin/duplicates?done=merge").await.body;
        assert!(
            after.contains("已合并") && after.contains("没有待处理的近似重复"),
            "{after}"
        );
        let hidden = app
            .services()
            .store_for_tests()
            .article(changed_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(hidden.status, "hidden");

        // A zip bomb is refused with a reason; the log has both uploads.
        let bomb = zip_of_zeros(500 << 20);
        let refused = upload(&editor, &token, &[("bomb.zip", bomb)]).await;
        assert_eq!(refused.status, 200);
        assert_eq!(rows(&refused.body, "failed"), 1, "{}", refused.body);
        assert!(refused.body.contains("500 MB"), "{}", refused.body);
        let log = editor.get("/admin/audit?target=").await.body;
        assert!(log.contains("上传导入") && log.contains("导入 4，重复 0，近似重复 0，失败 0"));
        assert!(log.contains("近似重复：合并") && log.contains(&format!("article:{changed_id}")));
        app.stop().await;
    }
}

/// A stored document by title, whatever its status (uploads arrive as drafts, which the public
/// list does not show).
async fn stored_title(app: &TestApp, title: &str) -> wenyuan_store::ArticleRow {
    let store = app.services().store_for_tests();
    for id in store.article_ids().await.unwrap() {
        let row = store.article(id).await.unwrap().unwrap();
        if row.title == title {
            return row;
        }
    }
    panic!("no document titled {title}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_results_and_the_log_speak_chinese() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        app.add_user("编辑小王", "editor-password", "editor").await;
        let editor = app.visitor();
        assert_eq!(
            editor.login("编辑小王", "editor-password").await.status,
            303
        );
        let token = editor.csrf_from("/admin/upload").await;
        let page = upload(
            &editor,
            &token,
            &[
                ("空文件.txt", Vec::new()),
                ("坏压缩包.zip", b"PK\x03\x04 this is no zip at all".to_vec()),
                ("坏文档.docx", b"PK\x05\x06 broken".to_vec()),
                ("程序.exe", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()),
            ],
        )
        .await;
        assert_eq!(page.status, 200, "{backend:?}: {}", page.body);
        assert_eq!(rows(&page.body, "failed"), 4, "{}", page.body);
        let results = table(&page.body);
        let words = english_words(results);
        assert!(
            words.is_empty(),
            "{backend:?}: English in the results: {words:?}\n{results}"
        );
        for reason in [
            "文件是空的",
            "不是可读取的 zip 压缩包",
            "不是有效的 Word .docx 文件",
            "不支持的文件类型",
        ] {
            assert!(
                common::unescape_html(results).contains(reason),
                "{reason}: {results}"
            );
        }

        // Publishing a document writes the log in Chinese too.
        let (_, report) = report_txt(4, None);
        upload(&editor, &token, &[("report.txt", report)]).await;
        app.add_user("管理员老李", "admin-password", "admin").await;
        let admin = app.visitor();
        assert_eq!(
            admin.login("管理员老李", "admin-password").await.status,
            303
        );
        let log = admin.get("/admin/audit").await;
        assert_eq!(log.status, 200);
        let words = english_words(table(&log.body));
        assert!(
            words.is_empty(),
            "{backend:?}: English in 操作日志: {words:?}"
        );
        app.stop().await;
    }
}
