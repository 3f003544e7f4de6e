//! `wenyuan import` with bad input: clear errors, exit status 1, nothing half-imported.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, corpus, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_fail_alone_with_a_reason_and_good_ones_still_import() {
    let app = TestApp::start(backends()[0]).await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    write("empty.txt", b"");
    write("blank.txt", "  \n\u{3000}\n".as_bytes());
    write(
        "binary.txt",
        &[0u8, 159, 146, 150, 0, 1, 2, 3, 255, 0, 0, 7, 8, 9, 0, 0],
    );
    write("title-only.txt", "只有标题\n".as_bytes());
    write("good.md", "---\ntitle: 一篇 Markdown 范文\ndate: 2024-02-03\ncategory: 工作总结\ntags: [总结, 模板]\naccess: vip\n---\n\n一、总体情况\n\n今年以来，我们坚持稳中求进工作总基调。\n\n二、下一步打算\n\n继续抓好各项工作落实。\n".as_bytes());
    write(
        "records.jsonl",
        "{\"id\":\"a\",\"title\":\"第一条记录\",\"date\":\"2024-01-01\",\"category\":\"新闻\",\"body\":\"第一段。\\n第二段。\"}\n\
         {\"id\":\"b\",\"title\":\"\",\"body\":\"没有标题。\"}\n\
         this is not json\n\
         {\"id\":\"c\",\"title\":\"第三条记录\",\"date\":\"not-a-date\",\"body\":\"正文。\"}\n\
         {\"id\":\"d\",\"title\":\"被截断的记录\",\"body\":\"正文"
            .as_bytes(),
    );
    write("picture.png", &[137, 80, 78, 71]);
    let (code, stdout, stderr) = app.import(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "failures mean exit status 1");
    assert_eq!(
        stdout.trim(),
        "imported 3, skipped 0, failed 7",
        "stderr: {stderr}"
    );
    for (file, reason) in [
        ("empty.txt", "文件是空的"),
        ("blank.txt", "没有文字"),
        ("binary.txt", "二进制"),
        ("title-only.txt", "没有正文"),
        ("records.jsonl:2", "没有标题"),
        ("records.jsonl:3", "不是有效的 JSON 记录"),
        ("records.jsonl:5", "不是有效的 JSON 记录"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.to_lowercase().contains(&reason.to_lowercase())),
            "stderr names {file} with {reason:?}:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("picture.png"),
        "folders skip files of unknown types"
    );
    app.sync().await;
    let visitor = app.visitor();
    let list: serde_json::Value =
        serde_json::from_str(&visitor.get("/api/v1/articles").await.body).unwrap();
    let titles: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(list["total"], 3);
    for title in ["一篇 Markdown 范文", "第一条记录", "第三条记录"] {
        assert!(titles.contains(&title), "{title} in {titles:?}");
    }
    let md = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "一篇 Markdown 范文")
        .unwrap();
    assert_eq!(md["access"], "vip");
    assert_eq!(md["date"], "2024-02-03");
    assert_eq!(md["category"], "工作总结");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_the_same_files_twice_skips_them() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let seed = corpus("seed/000_38663bb0f25ad367.txt");
        let (code, out1, _) = app.import(&[seed.to_str().unwrap()]);
        let (code2, out2, _) =
            app.import(&[seed.to_str().unwrap(), corpus("fixtures").to_str().unwrap()]);
        assert_eq!((code, code2), (0, 0), "{backend:?}");
        assert_eq!(out1.trim(), "imported 1, skipped 0, failed 0");
        assert_eq!(out2.trim(), "imported 0, skipped 4, failed 0");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_path_or_a_bad_access_level_is_a_clear_error() {
    let app = TestApp::start(backends()[0]).await;
    let (code, _, stderr) = app.import(&["/no/such/file.txt"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("/no/such/file.txt"), "{stderr}");
    let seed = corpus("seed/000_38663bb0f25ad367.txt");
    let (code, _, stderr) = app.import(&["--access", "secret", seed.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("public, member or vip"), "{stderr}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_with_anonymize_stores_the_template_not_the_names() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let speech = dir.path().join("speech.txt");
        std::fs::write(
            &speech,
            "在安吉县2021年经济工作会议上的讲话\n2021-02-03\n\
             同志们：王建国书记作了重要讲话，湖州市委对我县工作给予充分肯定。\n\
             全县上下要坚定信心，推动县域经济和市场主体高质量发展。\n",
        )
        .unwrap();
        let (code, out, err) =
            app.import(&["--anonymize", "--status", "draft", speech.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.trim(), "imported 1, skipped 0, failed 0", "{backend:?}");
        let store = app.services().store_for_tests();
        let id = store.article_ids().await.unwrap()[0];
        let row = store.article(id).await.unwrap().unwrap();
        assert_eq!(row.title, "在X县2021年经济工作会议上的讲话");
        assert_eq!(row.status, "draft");
        for name in ["安吉", "王建国", "湖州"] {
            assert!(!row.body.contains(name), "{name} is gone: {}", row.body);
        }
        for word in ["全县上下", "县域经济", "市场主体"] {
            assert!(row.body.contains(word), "{word} stays: {}", row.body);
        }
        assert!(
            row.body.contains("XX书记") && row.body.contains("X市委"),
            "{}",
            row.body
        );
        app.stop().await;
    }
}

/// Issue 12, item 9: piped, the import writes plain lines (no control codes) on stderr; failures,
/// duplicates and near-duplicates are reported there alike; the import is in the audit log with
/// the system as the actor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_piped_import_reports_plain_lines_and_is_audited_as_the_system() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let seed = corpus("seed/000_38663bb0f25ad367.txt");
        let (code, _, stderr) = app.import(&[seed.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(&seed).unwrap();
        // The same text under another name (near-duplicates: tests/near_duplicates.rs).
        std::fs::write(dir.path().join("again.txt"), &text).unwrap();
        std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
        let (code, stdout, stderr) = app.import(&[dir.path().to_str().unwrap()]);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            !stderr.contains('\u{1b}'),
            "no control codes in a pipe: {stderr:?}"
        );
        let line_of = |prefix: &str, file: &str| {
            stderr
                .lines()
                .find(|l| l.starts_with(prefix) && l.contains(file))
                .unwrap_or_else(|| panic!("{prefix} {file} in\n{stderr}"))
                .to_owned()
        };
        assert!(line_of("failed: ", "empty.txt").contains("文件是空的"));
        assert!(line_of("duplicate: ", "again.txt").contains("same as document #"));
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("完成：") && l.contains("篇/秒")),
            "{stderr}"
        );
        assert!(
            stdout.lines().all(|l| l.starts_with("imported ")),
            "stdout has the summary only: {stdout}"
        );

        let log = app.services().audit.page(None, 1).await.unwrap();
        let imports: Vec<_> = log.items.iter().filter(|e| e.action == "import").collect();
        assert_eq!(imports.len(), 2, "{:?}", log.items);
        assert!(imports
            .iter()
            .all(|e| e.user_name == "系统" && e.action_label == "命令行导入"));
        assert!(
            imports[0].detail.contains("重复 1") && imports[0].detail.contains("失败 1"),
            "{:?}",
            imports[0]
        );
        app.stop().await;
    }
}
