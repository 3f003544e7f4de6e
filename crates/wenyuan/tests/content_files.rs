//! Files as editors really have them (issue 12, items 4 and 5): text in a foreign encoding or
//! damaged is refused rather than published as mojibake; Word files keep their tables and the
//! alignment of the date line and the 落款; .doc and .pdf are read.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;
use std::path::Path;

use common::{backends, corpus, unescape_html, TestApp, Visitor};
use serde_json::Value;

const OFFICE_TITLE: &str = "XX市应急管理局2024年度安全生产工作总结";

/// Japanese as a Japanese Windows saves it (Shift-JIS).
fn shift_jis() -> Vec<u8> {
    let text = "吾輩は猫である。名前はまだ無い。\r\nどこで生れたかとんと見当がつかぬ。\r\n\
                何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。\r\n";
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

/// French in Latin-1 (windows-1252).
fn latin1() -> Vec<u8> {
    let text = "Rapport annuel\r\nLe café est très bon. L’été dernier, nous étions à Paris…\r\n";
    encoding_rs::WINDOWS_1252.encode(text).0.into_owned()
}

/// Bytes from a fixed xorshift sequence.
fn random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// An editor's upload through `/admin/upload`, as a browser sends it.
async fn upload(editor: &Visitor, token: &str, files: &[(&str, Vec<u8>)]) -> String {
    let mut form = reqwest::multipart::Form::new().text("csrf", token.to_owned());
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let form = form.text("status", "published").text("access", "public");
    let response = editor
        .client
        .post(format!("{}/admin/upload", editor.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let page = common::page(response).await;
    assert_eq!(page.status, 200, "{}", page.body);
    unescape_html(&page.body)
}

/// The row of the upload results that names `file`.
fn result_row<'a>(page: &'a str, file: &str) -> &'a str {
    let at = page
        .find(file)
        .unwrap_or_else(|| panic!("{file} in {page}"));
    let end = page[at..].find("</tr>").map_or(page.len(), |e| at + e);
    &page[at..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mojibake_is_refused_at_import_and_at_upload_and_real_encodings_still_import() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "日文通知.txt", &shift_jis());
        write(dir.path(), "法文.txt", &latin1());
        write(dir.path(), "损坏.txt", &random_bytes(3000));
        for copy in ["seed-gb18030.txt", "seed-utf16le-bom.txt"] {
            let bytes = std::fs::read(corpus(&format!("fixtures/{copy}"))).unwrap();
            write(dir.path(), copy, &bytes);
        }
        let (code, stdout, stderr) = app.import(&[dir.path().to_str().unwrap()]);
        assert_eq!(code, 1, "{backend:?}: {stderr}");
        assert_eq!(
            stdout.trim(),
            "imported 1, skipped 1, failed 3",
            "the GB18030 copy imports, the UTF-16 copy is the same document: {stderr}"
        );
        for (file, reason) in [
            ("日文通知.txt", "乱码"),
            ("法文.txt", "乱码"),
            ("损坏.txt", "二进制"),
        ] {
            assert!(
                stderr
                    .lines()
                    .any(|l| l.contains(file) && l.contains(reason)),
                "{file}: {reason} in\n{stderr}"
            );
        }

        app.add_user("editor1", "editor-password", "editor").await;
        let editor = app.visitor();
        assert_eq!(editor.login("editor1", "editor-password").await.status, 303);
        let token = editor.csrf_from("/admin/upload").await;
        let page = upload(
            &editor,
            &token,
            &[
                ("日文通知.txt", shift_jis()),
                ("法文.txt", latin1()),
                ("损坏.txt", random_bytes(3000)),
            ],
        )
        .await;
        assert!(page.contains("失败 3"), "{page}");
        for file in ["日文通知.txt", "法文.txt"] {
            let row = result_row(&page, file);
            assert!(
                row.contains("读出来是乱码") && row.contains("UTF-8"),
                "{row}"
            );
        }
        assert!(result_row(&page, "损坏.txt").contains("二进制"));
        let stored = app.services().reading.status_counts().await.unwrap();
        assert_eq!(
            stored.iter().map(|(_, n)| *n).sum::<i64>(),
            1,
            "{backend:?}: nothing of the refused files was stored: {stored:?}"
        );
        app.stop().await;
    }
}

/// One part of a .docx package as text.
fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip package");
    let mut file = archive.by_name(name).expect(name);
    let mut xml = String::new();
    file.read_to_string(&mut xml).expect("UTF-8 XML");
    xml
}

/// The `w:p` element of a .docx body that holds `text`.
fn paragraph_xml<'a>(xml: &'a str, text: &str) -> &'a str {
    let at = xml
        .find(text)
        .unwrap_or_else(|| panic!("{text} in the .docx"));
    let start = xml[..at]
        .rfind("<w:p>")
        .or(xml[..at].rfind("<w:p "))
        .unwrap();
    &xml[start..at]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_file_keeps_its_table_and_alignment_on_the_page_and_in_the_download() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let docx = corpus("office/安全生产工作总结.docx");
        let (code, stdout, stderr) = app.import(&["--access", "member", docx.to_str().unwrap()]);
        assert_eq!(code, 0, "{backend:?}: {stdout} {stderr}");
        app.sync().await;
        let guest = app.visitor();
        let id = guest.id_of(OFFICE_TITLE).await;
        let api: Value =
            serde_json::from_str(&guest.get(&format!("/api/v1/articles/{id}")).await.body).unwrap();
        assert_eq!(
            api["date"], "2024-12-20",
            "the 落款 date, not the file's 2013"
        );

        // The table is text like any other: behind the gate for a guest.
        let preview = guest.get(&format!("/a/{id}")).await.body;
        assert!(preview.contains("（2024年12月20日）"), "{preview}");
        assert!(!preview.contains("doc-table") && !preview.contains("危险化学品"));

        // A member's page: an HTML table, the centred date line, the right-aligned 落款.
        let member = app.member("reader1", "member").await;
        let page = unescape_html(&member.get(&format!("/a/{id}")).await.body);
        assert!(page.contains("<table class=\"doc-table\">"), "{page}");
        assert_eq!(page.matches("<tr id=").count(), 4, "four rows");
        assert!(page.contains("<th>行业</th><th>排查隐患（项）</th><th>整改率</th>"));
        assert!(page.contains("<td>危险化学品</td><td>1,246</td><td>98.7%</td>"));
        assert!(
            page.contains("class=\"align-centre\">（2024年12月20日）</p>"),
            "{page}"
        );
        assert!(
            page.contains("class=\"align-right\">XX市应急管理局</p>"),
            "{page}"
        );
        assert!(page.contains("class=\"align-right\">2024年12月20日</p>"));
        assert!(
            page.contains("一、主要工作及成效") && !page.contains('\t'),
            "no tab-joined rows left on the page"
        );

        // The download: a Word table, the date line centred, the 落款 right-aligned.
        let download = member
            .client
            .get(format!("{}/a/{id}/download?format=docx", member.base))
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), 200, "{backend:?}");
        let bytes = download.bytes().await.unwrap().to_vec();
        let xml = part(&bytes, "word/document.xml");
        assert_eq!(xml.matches("<w:tbl>").count(), 1, "one table");
        assert_eq!(
            xml.matches("<w:tr>").count() + xml.matches("<w:tr ").count(),
            4
        );
        for cell in ["行业", "危险化学品", "1,246", "97.5%"] {
            assert!(xml.contains(&format!(">{cell}</w:t>")), "{cell}");
        }
        assert!(
            paragraph_xml(&xml, "（2024年12月20日）").contains("w:val=\"center\""),
            "the date line is centred"
        );
        assert!(paragraph_xml(&xml, ">XX市应急管理局</w:t>").contains("w:val=\"right\""));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doc_wps_and_pdf_files_import_with_their_text_and_headings() {
    let backend = backends()[0];
    for file in [
        "安全生产工作总结.doc",
        "安全生产工作总结.wps",
        "安全生产工作总结.pdf",
    ] {
        let app = TestApp::start(backend).await;
        let dir = tempfile::tempdir().unwrap();
        // A .wps is the same compound file as a .doc.
        let source = corpus(&format!("office/{}", file.replace(".wps", ".doc")));
        write(dir.path(), file, &std::fs::read(source).unwrap());
        let (code, stdout, stderr) = app.import(&[dir.path().join(file).to_str().unwrap()]);
        assert_eq!(code, 0, "{file}: {stdout} {stderr}");
        app.sync().await;
        let guest = app.visitor();
        let id = guest.id_of(OFFICE_TITLE).await;
        let api: Value =
            serde_json::from_str(&guest.get(&format!("/api/v1/articles/{id}")).await.body).unwrap();
        assert_eq!(api["date"], "2024-12-20", "{file}");
        let level1: Vec<&str> = api["outline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["level"] == 1)
            .map(|h| h["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            level1,
            [
                "一、主要工作及成效",
                "二、存在的主要问题",
                "三、2025年工作打算"
            ],
            "{file}"
        );
        let text = api["paragraphs"].to_string();
        assert!(
            text.contains("全面落实党政领导干部安全生产责任制"),
            "{file}: {text}"
        );
        app.stop().await;
    }

    // What still cannot be read says what to do.
    let app = TestApp::start(backend).await;
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "旧文件.doc",
        b"\xd0\xcf\x11\xe0 not really a compound file",
    );
    write(dir.path(), "扫描件.pdf", b"%PDF-1.4\n%broken\n");
    write(dir.path(), "通知.rtf", b"{\\rtf1\\ansi hello}");
    let (code, _, stderr) = app.import(&[
        dir.path().join("旧文件.doc").to_str().unwrap(),
        dir.path().join("扫描件.pdf").to_str().unwrap(),
        dir.path().join("通知.rtf").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    for file in ["旧文件.doc", "扫描件.pdf", "通知.rtf"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains("请另存为 .docx 后上传")),
            "{file} in\n{stderr}"
        );
    }
    app.stop().await;
}
