//! Taking a 范文 away (issue 11, items 1, 2 and 4): downloads as a GB/T 9704 .docx and as text,
//! the plain-text 复制全文 view, who may download what, and the print stylesheet.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;

use common::{backends, corpus, unescape_html, xml_unescape, TestApp, Visitor};
use serde_json::Value;

/// What a download response carries.
struct Downloaded {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

async fn download(visitor: &Visitor, path: &str) -> Downloaded {
    let response = visitor
        .client
        .get(format!("{}{path}", visitor.base))
        .send()
        .await
        .expect("GET");
    Downloaded {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("body").to_vec(),
    }
}

/// The member's view of the document: the paragraphs the page shows, in order.
async fn paragraphs_seen(visitor: &Visitor, id: i64) -> (String, Vec<String>) {
    let api: Value =
        serde_json::from_str(&visitor.get(&format!("/api/v1/articles/{id}")).await.body)
            .expect("article JSON");
    assert_eq!(api["gated"], false, "the reader sees the whole document");
    let paragraphs = api["paragraphs"]
        .as_array()
        .expect("paragraphs")
        .iter()
        .map(|p| p.as_str().expect("text").to_owned())
        .collect();
    (api["title"].as_str().expect("title").to_owned(), paragraphs)
}

/// One part of the .docx package as text.
fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip package");
    let mut file = archive.by_name(name).expect(name);
    let mut xml = String::new();
    file.read_to_string(&mut xml).expect("UTF-8 XML");
    xml
}

/// Each `<w:p>` of document.xml: its text and its raw XML (for properties).
fn docx_paragraphs(xml: &str) -> Vec<(String, String)> {
    let body = xml.split("<w:body>").nth(1).expect("body");
    body.split("<w:p>")
        .flat_map(|chunk| chunk.split("<w:p "))
        .skip(1)
        .map(|p| {
            let p = p.split("</w:p>").next().unwrap_or(p);
            let mut text = String::new();
            for piece in p.split("<w:t").skip(1) {
                // `<w:t xml:space="preserve">text</w:t>`; skip `<w:tab/>` and `<w:tbl…`.
                if !(piece.starts_with('>') || piece.starts_with(' ')) {
                    continue;
                }
                let Some(start) = piece.find('>') else {
                    continue;
                };
                let Some(end) = piece.find("</w:t>") else {
                    continue;
                };
                text.push_str(&xml_unescape(&piece[start + 1..end]));
            }
            (text, p.to_owned())
        })
        .collect()
}

/// The checks of item 2 on one downloaded .docx: GB/T 9704 page, fonts and sizes, and every
/// paragraph the reader sees, in order, after the title.
fn assert_gongwen_docx(docx: &[u8], title: &str, seen: &[String], what: &str) {
    // For opening the files by hand (LibreOffice, python-docx): WENYUAN_TAKEAWAY_DUMP=<folder>.
    if let Some(dir) = std::env::var_os("WENYUAN_TAKEAWAY_DUMP") {
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{what}.docx")),
            docx,
        )
        .unwrap();
    }
    let xml = part(docx, "word/document.xml");
    assert!(
        xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
        "{what}: A4"
    );
    let margins = xml
        .split("<w:pgMar ")
        .nth(1)
        .and_then(|m| m.split("/>").next())
        .expect("page margins");
    for attr in [
        r#"w:top="2098""#,
        r#"w:bottom="1984""#,
        r#"w:left="1587""#,
        r#"w:right="1474""#,
    ] {
        assert!(margins.contains(attr), "{what}: margin {attr} in {margins}");
    }
    let paragraphs = docx_paragraphs(&xml);
    let texts: Vec<&str> = paragraphs
        .iter()
        .map(|(t, _)| t.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(texts[0], title, "{what}: the title first");
    assert_eq!(&texts[1..], seen, "{what}: every paragraph in order");

    let (_, title_xml) = paragraphs.iter().find(|(t, _)| t == title).expect("title");
    assert!(
        title_xml.contains(r#"w:eastAsia="方正小标宋简体""#),
        "{what}"
    );
    assert!(title_xml.contains(r#"<w:sz w:val="44""#), "{what}: 2号");
    assert!(
        title_xml.contains(r#"<w:jc w:val="center""#),
        "{what}: centred"
    );

    let body_xml = &paragraphs
        .iter()
        .find(|(t, x)| !t.is_empty() && t != title && !x.contains("w:outlineLvl"))
        .expect("a body paragraph")
        .1;
    assert!(
        body_xml.contains(r#"w:eastAsia="仿宋_GB2312""#),
        "{what}: body font"
    );
    assert!(body_xml.contains(r#"<w:sz w:val="32""#), "{what}: 3号");
    assert!(
        body_xml.contains(r#"w:firstLine="640""#),
        "{what}: two characters"
    );
    assert!(
        body_xml.contains(r#"w:line="579""#) && body_xml.contains(r#"w:lineRule="exact""#),
        "{what}: 22 lines a page"
    );
    // Headings: 一、 in 黑体, （一） in 楷体, when the document has them.
    for (marker, font) in [("一、", "黑体"), ("（一）", "楷体_GB2312")] {
        if let Some((_, heading)) = paragraphs
            .iter()
            .find(|(t, x)| t.starts_with(marker) && x.contains("w:outlineLvl"))
        {
            assert!(
                heading.contains(&format!(r#"w:eastAsia="{font}""#)),
                "{what}: {marker} in {font}"
            );
        }
    }
    let fonts = part(docx, "word/fontTable.xml");
    for fallback in [
        r#"<w:font w:name="方正小标宋简体"><w:altName w:val="小标宋"/>"#,
        r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>"#,
        r#"<w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/>"#,
    ] {
        assert!(fonts.contains(fallback), "{what}: {fallback}");
    }
    let footer = part(docx, "word/footer1.xml");
    assert!(
        footer.contains("PAGE") && footer.contains("— "),
        "{what}: — 1 —"
    );
    assert!(
        footer.contains(r#"<w:sz w:val="28""#),
        "{what}: 4号 page numbers"
    );
}

fn assert_attachment(d: &Downloaded, extension: &str, title: &str) {
    let disposition = d.headers["content-disposition"].to_str().expect("ASCII");
    assert!(disposition.starts_with("attachment; filename=\"wenyuan-"));
    let encoded = disposition
        .split("filename*=UTF-8''")
        .nth(1)
        .expect("RFC 5987 name");
    let name = percent_decode(encoded);
    assert_eq!(name, format!("{title}.{extension}"));
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 name")
}

/// The longest report of the corpus, by its body.
fn longest_report() -> (String, usize) {
    std::fs::read_to_string(corpus("reports.jsonl"))
        .expect("reports.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("record"))
        .map(|r| {
            (
                r["title"].as_str().expect("title").to_owned(),
                r["body"].as_str().expect("body").chars().count(),
            )
        })
        .max_by_key(|(_, len)| *len)
        .expect("reports")
}

#[tokio::test(flavor = "multi_thread")]
async fn readers_take_the_whole_text_away_as_a_gongwen_docx_and_as_text() {
    let seed = corpus("seed/000_38663bb0f25ad367.txt");
    let (report_title, report_chars) = longest_report();
    assert!(report_chars > 10_000, "a long report");
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, _, stderr) = app.import(&["--access", "member", seed.to_str().unwrap()]);
        assert_eq!(code, 0, "{backend:?}: {stderr}");
        let (code, _, stderr) =
            app.import(&["--access", "vip", corpus("reports.jsonl").to_str().unwrap()]);
        assert_eq!(code, 0, "{backend:?}: {stderr}");
        app.sync().await;

        let guest = app.visitor();
        let member = app.member("reader1", "member").await;
        let vip = app.member("vip1", "vip").await;
        let seed_id = guest.id_of("在2020年区委读书会上的讲话").await;
        let report_id = guest.id_of(&report_title).await;

        // A member downloads the member document: the .docx and the .txt.
        let (title, seen) = paragraphs_seen(&member, seed_id).await;
        let docx = download(&member, &format!("/a/{seed_id}/download?format=docx")).await;
        assert_eq!(docx.status, 200, "{backend:?}");
        assert_eq!(
            docx.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_attachment(&docx, "docx", &title);
        assert_gongwen_docx(&docx.bytes, &title, &seen, "seed");
        let txt = download(&member, &format!("/a/{seed_id}/download?format=txt")).await;
        assert_eq!(txt.status, 200);
        assert_eq!(txt.headers["content-type"], "text/plain; charset=utf-8");
        assert_attachment(&txt, "txt", &title);
        let text = String::from_utf8(txt.bytes).expect("UTF-8");
        assert_eq!(text, format!("{title}\n\n{}\n", seen.join("\n")));
        assert!(
            !text.contains("微信订阅号") && !text.contains("联系客服"),
            "no chrome"
        );

        // 复制全文: the same text shown in the browser.
        let inline = download(
            &member,
            &format!("/a/{seed_id}/download?format=txt&inline=1"),
        )
        .await;
        assert_eq!(inline.status, 200);
        assert!(inline.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;"));
        assert_eq!(String::from_utf8(inline.bytes).unwrap(), text);

        // The long VIP report, for a VIP member.
        let (title, seen) = paragraphs_seen(&vip, report_id).await;
        let docx = download(&vip, &format!("/a/{report_id}/download?format=docx")).await;
        assert_eq!(docx.status, 200, "{backend:?}");
        assert_gongwen_docx(&docx.bytes, &title, &seen, "report");

        // The article page offers what the reader may use, and says why not otherwise.
        let page = member.get(&format!("/a/{seed_id}")).await.body;
        assert!(page.contains(&format!("/a/{seed_id}/download?format=docx")));
        assert!(
            page.contains("下载 Word") && page.contains("下载 TXT") && page.contains("复制全文")
        );
        let page = member.get(&format!("/a/{report_id}")).await.body;
        assert!(page.contains("开通 VIP 后下载") && !page.contains("/download?"));
        let page = guest.get(&format!("/a/{seed_id}")).await.body;
        assert!(page.contains("登录后下载") && !page.contains("/download?"));

        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_download_gives_a_reader_more_than_the_gate_does() {
    let seed = corpus("seed/000_38663bb0f25ad367.txt");
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public.txt");
    std::fs::write(
        &public,
        "公开的通知\n2024-12-20\n各单位：\n请按时报送材料。\nXX县人民政府办公室\n2024年12月20日\n",
    )
    .unwrap();
    for backend in backends() {
        let app = TestApp::start(backend).await;
        assert_eq!(
            app.import(&["--access", "member", seed.to_str().unwrap()])
                .0,
            0
        );
        let reports = corpus("reports.jsonl");
        assert_eq!(
            app.import(&["--access", "vip", reports.to_str().unwrap()])
                .0,
            0
        );
        assert_eq!(
            app.import(&["--access", "public", public.to_str().unwrap()])
                .0,
            0
        );
        app.sync().await;
        let guest = app.visitor();
        let member = app.member("reader2", "member").await;
        let seed_id = guest.id_of("在2020年区委读书会上的讲话").await;
        let (report_title, _) = longest_report();
        let report_id = guest.id_of(&report_title).await;
        let public_id = guest.id_of("公开的通知").await;

        // What the gate holds back from a guest: the member's paragraphs past the preview.
        let guest_api: Value =
            serde_json::from_str(&guest.get(&format!("/api/v1/articles/{seed_id}")).await.body)
                .unwrap();
        let preview = guest_api["paragraphs"].as_array().unwrap().len();
        let (_, whole) = paragraphs_seen(&member, seed_id).await;
        // Headings are in the outline every guest sees (the teaser): not hidden text.
        let outline: Vec<&str> = guest_api["outline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["text"].as_str().unwrap())
            .collect();
        let hidden: Vec<String> = whole[preview..]
            .iter()
            .map(|p| {
                let rest = outline.iter().find_map(|h| p.strip_prefix(h)).unwrap_or(p);
                rest.trim_start_matches(['。', '：', '！', '？']).to_owned()
            })
            .filter(|rest| rest.chars().count() > 10)
            .collect();
        assert!(
            hidden.len() >= 2,
            "the seed is gated for guests: {hidden:?}"
        );
        // A guest on a gated document: the login page, coming back to the download.
        for query in [
            "format=docx",
            "format=txt",
            "format=txt&inline=1",
            "format=pdf",
        ] {
            let d = download(&guest, &format!("/a/{seed_id}/download?{query}")).await;
            let body = String::from_utf8_lossy(&d.bytes).into_owned();
            for p in &hidden {
                assert!(!body.contains(p.as_str()), "{query} leaks {p}");
            }
            if query == "format=pdf" {
                assert_eq!(d.status, 400);
                continue;
            }
            assert_eq!(d.status, 303, "{backend:?} {query}");
            let location = d.headers["location"].to_str().unwrap();
            assert!(location.starts_with("/login?next=%2Fa%2F"), "{location}");
            assert!(d.bytes.is_empty(), "nothing of the text");
        }
        // Nor does the page with its new print line and buttons.
        let page = unescape_html(&guest.get(&format!("/a/{seed_id}")).await.body);
        for p in &hidden {
            assert!(!page.contains(p.as_str()), "the page leaks {p}");
        }
        // A member on a VIP document: sent to the VIP page (and from there back to the
        // document), with no text.
        let (_, hidden) = paragraphs_seen(&app.member("vip2", "vip").await, report_id).await;
        let d = download(&member, &format!("/a/{report_id}/download?format=txt")).await;
        assert_eq!(d.status, 303, "{backend:?}");
        assert_eq!(
            d.headers["location"],
            format!("/me/vip?next=%2Fa%2F{report_id}").as_str()
        );
        let body = String::from_utf8(d.bytes).unwrap();
        let last = hidden.last().unwrap();
        assert!(
            !unescape_html(&body).contains(last.as_str()),
            "no hidden text"
        );
        // Unknown formats and documents.
        assert_eq!(
            download(&member, &format!("/a/{seed_id}/download?format=pdf"))
                .await
                .status,
            400
        );
        assert_eq!(
            download(&member, "/a/999999/download?format=txt")
                .await
                .status,
            404
        );

        // A public document: everyone takes it away; the date line and 落款 close the .docx
        // right-aligned.
        let d = download(&guest, &format!("/a/{public_id}/download?format=docx")).await;
        assert_eq!(d.status, 200, "{backend:?}");
        let xml = part(&d.bytes, "word/document.xml");
        let paragraphs = docx_paragraphs(&xml);
        for ending in ["XX县人民政府办公室", "2024年12月20日"] {
            let (_, p) = paragraphs.iter().find(|(t, _)| t == ending).expect(ending);
            assert!(
                p.contains(r#"<w:jc w:val="right""#),
                "{ending} right-aligned"
            );
        }
        let (_, p) = paragraphs
            .iter()
            .find(|(t, _)| t == "请按时报送材料。")
            .unwrap();
        assert!(!p.contains(r#"<w:jc w:val="right""#));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_print_stylesheet_keeps_the_text_and_drops_the_site_around_it() {
    let app = TestApp::start(backends()[0]).await;
    let seed = corpus("seed/000_38663bb0f25ad367.txt");
    assert_eq!(
        app.import(&["--access", "member", seed.to_str().unwrap()])
            .0,
        0
    );
    app.sync().await;
    let guest = app.visitor();
    let id = guest.id_of("在2020年区委读书会上的讲话").await;
    let page = guest.get(&format!("/a/{id}")).await.body;
    // The guest's printout says in one line where the rest is.
    assert!(page.contains("class=\"print-note\">以上为预览，登录后可阅读全文"));
    let page = unescape_html(&page);
    let css_start = page.find("/static/").expect("stylesheet");
    let css_path = page[css_start..].split('"').next().expect("stylesheet");
    let css = guest.get(css_path).await.body;
    let print = css
        .split("@media print")
        .nth(1)
        .expect("a print stylesheet");
    for hidden in [
        ".topbar",
        ".topsearch",
        ".nav",
        ".footer",
        ".sidebar",
        ".share",
        ".related",
        ".hot",
        ".wechat-box",
        ".contact-box",
        ".takeaway",
    ] {
        assert!(print.contains(hidden), "{hidden} hidden in print");
    }
    app.stop().await;
}
