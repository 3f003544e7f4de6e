//! 填写本单位信息 (issue 11, item 3): the blanks of a template in the article JSON and on the
//! page, the seed speech downloaded with a unit's own names in every place its placeholders
//! stood, values as plain text, and nothing of the hidden text through the new fields and page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;

use common::{backends, corpus, unescape_html, xml_unescape, TestApp, Visitor};
use serde_json::Value;

const SEED_TITLE: &str = "在2020年区委读书会上的讲话";

struct Downloaded {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

/// `GET path` with `query` (URL-encoded by the client, as a browser's form does).
async fn get_with(visitor: &Visitor, path: &str, query: &[(&str, &str)]) -> Downloaded {
    let response = visitor
        .client
        .get(format!("{}{path}", visitor.base))
        .query(query)
        .send()
        .await
        .expect("GET");
    Downloaded {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("body").to_vec(),
    }
}

/// The request's fields: `head` (format, inline) and then the values.
fn query<'a>(
    head: &[(&'a str, &'a str)],
    values: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    head.iter().chain(values).copied().collect()
}

async fn article_json(visitor: &Visitor, id: i64) -> Value {
    serde_json::from_str(&visitor.get(&format!("/api/v1/articles/{id}")).await.body)
        .expect("article JSON")
}

/// The key of the placeholder `pattern` and its count, from the article JSON.
fn key_of(api: &Value, pattern: &str) -> (String, usize) {
    let p = api["placeholders"]
        .as_array()
        .expect("placeholders")
        .iter()
        .find(|p| p["pattern"] == pattern)
        .unwrap_or_else(|| panic!("{pattern} in {}", api["placeholders"]));
    (
        p["key"].as_str().expect("key").to_owned(),
        p["count"].as_u64().expect("count") as usize,
    )
}

/// Occurrences of `pattern` standing on their own: not the tail of a longer X run (X书记 in
/// XX书记) and, for a place, not followed by a longer title (X区 in X区长).
fn occurrences(text: &str, pattern: &str) -> Vec<usize> {
    text.match_indices(pattern)
        .map(|(at, _)| at)
        .filter(|&at| !text[..at].ends_with(['X', 'Ｘ']))
        .collect()
}

/// `text` with every standing occurrence of `pattern` replaced: the test's own filling.
fn replace_standing(text: &str, pattern: &str, value: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    for start in occurrences(text, pattern) {
        out.push_str(&text[at..start]);
        out.push_str(value);
        at = start + pattern.len();
    }
    out.push_str(&text[at..]);
    out
}

fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip package");
    let mut file = archive.by_name(name).expect(name);
    let mut xml = String::new();
    file.read_to_string(&mut xml).expect("UTF-8 XML");
    xml
}

/// The text of each non-empty `<w:p>` of document.xml.
fn docx_texts(xml: &str) -> Vec<String> {
    let body = xml.split("<w:body>").nth(1).expect("body");
    body.split("<w:p>")
        .flat_map(|chunk| chunk.split("<w:p "))
        .skip(1)
        .map(|p| {
            let p = p.split("</w:p>").next().unwrap_or(p);
            let mut text = String::new();
            for piece in p.split("<w:t").skip(1) {
                if !(piece.starts_with('>') || piece.starts_with(' ')) {
                    continue;
                }
                let (Some(start), Some(end)) = (piece.find('>'), piece.find("</w:t>")) else {
                    continue;
                };
                text.push_str(&xml_unescape(&piece[start + 1..end]));
            }
            text
        })
        .filter(|t| !t.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_filled_with_a_units_names_downloads_with_them_in_every_place() {
    let seed = corpus("seed/000_38663bb0f25ad367.txt");
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, _, stderr) = app.import(&["--access", "member", seed.to_str().unwrap()]);
        assert_eq!(code, 0, "{backend:?}: {stderr}");
        app.sync().await;
        let member = app.member("filler1", "member").await;
        let id = member.id_of(SEED_TITLE).await;

        // The member's JSON: every blank once, in order of first occurrence, with its count.
        let api = article_json(&member, id).await;
        assert_eq!(api["gated"], false);
        let seen: Vec<String> = api["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        let whole = seen.join("\n");
        let placeholders = api["placeholders"].as_array().expect("placeholders");
        for (n, p) in placeholders.iter().enumerate() {
            assert_eq!(p["key"], format!("p{}", n + 1), "keys in order");
        }
        let (secretary, secretary_count) = key_of(&api, "X书记");
        let (county, county_count) = key_of(&api, "XX县");
        assert_eq!(secretary_count, occurrences(&whole, "X书记").len());
        assert_eq!(county_count, occurrences(&whole, "XX县").len());
        assert!(
            secretary_count >= 1 && county_count >= 1,
            "{placeholders:?}"
        );
        let (_, plenum_count) = key_of(&api, "XX全会");
        assert_eq!(plenum_count, 3);
        let (district, _) = key_of(&api, "X区");

        // What the member gets: the same paragraphs with 张书记 and 安吉县 in place.
        let expected: Vec<String> = seen
            .iter()
            .map(|p| replace_standing(&replace_standing(p, "X书记", "张书记"), "XX县", "安吉县"))
            .collect();
        assert_ne!(expected, seen);
        let values = [
            (secretary.as_str(), "张书记"),
            (county.as_str(), "安吉县"),
            // An empty field leaves its placeholder.
            (district.as_str(), ""),
        ];
        let path = format!("/a/{id}/download");
        let docx = get_with(&member, &path, &query(&[("format", "docx")], &values)).await;
        assert_eq!(docx.status, 200, "{backend:?}");
        let texts = docx_texts(&part(&docx.bytes, "word/document.xml"));
        assert_eq!(texts[0], SEED_TITLE);
        assert_eq!(&texts[1..], expected.as_slice(), "{backend:?}: the .docx");
        let all = texts.join("\n");
        assert!(!all.contains("X书记") && !all.contains("XX县"), "{all}");
        assert_eq!(all.matches("张书记").count(), secretary_count);
        assert_eq!(all.matches("安吉县").count(), county_count);
        assert_eq!(all.matches("XX全会").count(), plenum_count, "unfilled stay");
        assert!(all.contains("X区"), "an empty field leaves X区");

        let txt = get_with(&member, &path, &query(&[("format", "txt")], &values)).await;
        assert_eq!(txt.status, 200);
        let text = String::from_utf8(txt.bytes).unwrap();
        assert_eq!(text, format!("{SEED_TITLE}\n\n{}\n", expected.join("\n")));
        let inline = get_with(
            &member,
            &path,
            &query(&[("format", "txt"), ("inline", "1")], &values),
        )
        .await;
        assert!(inline.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;"));
        assert_eq!(String::from_utf8(inline.bytes).unwrap(), text);
        // No values: the document as it is.
        let plain = get_with(&member, &path, &[("format", "txt")]).await;
        assert_eq!(
            String::from_utf8(plain.bytes).unwrap(),
            format!("{SEED_TITLE}\n\n{}\n", seen.join("\n"))
        );

        // The page: the form for whoever may download, a field per blank with its count.
        let page = member.get(&format!("/a/{id}")).await.body;
        assert!(page.contains("填写本单位信息"), "{backend:?}");
        assert!(page.contains(&format!(r#"name="{secretary}""#)));
        assert!(page.contains(&format!("共 {secretary_count} 处")));
        assert!(page.contains(&format!(r#"formaction="/a/{id}/fill""#)));

        // The preview: the values marked where they stand, the blanks left marked too.
        let preview = get_with(&member, &format!("/a/{id}/fill"), &values).await;
        assert_eq!(preview.status, 200);
        assert_eq!(preview.headers["cache-control"], "private, no-store");
        let html = String::from_utf8(preview.bytes).unwrap();
        assert_eq!(
            html.matches(r#"<mark class="filled">张书记</mark>"#)
                .count(),
            secretary_count
        );
        assert!(html.contains(r#"<span class="blank">XX全会</span>"#));
        assert!(
            html.contains(r#"value="安吉县""#),
            "the form keeps the values"
        );
        let body = html
            .split(r#"<div class="body">"#)
            .nth(1)
            .expect("the text");
        assert!(!body.contains("X书记"), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn values_are_plain_text_and_guests_get_no_blanks_of_hidden_text() {
    let seed = corpus("seed/000_38663bb0f25ad367.txt");
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public.txt");
    std::fs::write(
        &public,
        "关于XX县开展安全检查的通知\n2024-12-20\n各乡镇：\nX书记要求，XX县各单位于X月X日前完成自查。\nXX县人民政府办公室\n2024年12月20日\n",
    )
    .unwrap();
    let reports = corpus("reports.jsonl");
    for backend in backends() {
        let app = TestApp::start(backend).await;
        for (access, path) in [("member", &seed), ("public", &public), ("vip", &reports)] {
            let (code, _, stderr) = app.import(&["--access", access, path.to_str().unwrap()]);
            assert_eq!(code, 0, "{backend:?}: {stderr}");
        }
        app.sync().await;
        let guest = app.visitor();
        let member = app.member("filler2", "member").await;
        let seed_id = guest.id_of(SEED_TITLE).await;
        let public_id = guest.id_of("关于XX县开展安全检查的通知").await;
        let report_id = guest.id_of("2025年中华人民共和国国务院政府工作报告").await;

        // Markup and control characters in a value: literal, safe text everywhere.
        let api = article_json(&member, public_id).await;
        let (county, _) = key_of(&api, "XX县");
        let (secretary, _) = key_of(&api, "X书记");
        let hostile = "<script>alert(1)</script>\u{1}\u{7}\u{202E}&amp;\n县";
        let clean = "<script>alert(1)</script>&amp; 县";
        let values = [(county.as_str(), hostile), (secretary.as_str(), "张书记")];
        let path = format!("/a/{public_id}/download");
        let txt = get_with(&member, &path, &query(&[("format", "txt")], &values)).await;
        let text = String::from_utf8(txt.bytes).unwrap();
        assert!(
            text.contains(&format!("关于{clean}开展安全检查的通知")),
            "{text}"
        );
        assert!(!text.contains(['\u{1}', '\u{7}', '\u{202E}']));
        assert!(text.contains("张书记要求"));
        let docx = get_with(&member, &path, &query(&[("format", "docx")], &values)).await;
        assert_eq!(docx.status, 200, "{backend:?}");
        let xml = part(&docx.bytes, "word/document.xml");
        assert!(!xml.contains("<script>"), "escaped in the XML");
        assert!(xml.contains("&lt;script&gt;"));
        let texts = docx_texts(&xml);
        assert_eq!(texts[0], format!("关于{clean}开展安全检查的通知"));
        assert!(texts.contains(&format!("{clean}人民政府办公室")));
        // The file is named after the filled title.
        let disposition = docx.headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains("%5Fscript%5F") && !disposition.contains(['<', '\u{1}']),
            "{disposition}"
        );
        let preview = get_with(&member, &format!("/a/{public_id}/fill"), &values).await;
        let html = String::from_utf8(preview.bytes).unwrap();
        assert!(!html.contains("<script>alert"), "escaped in the page");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;"));
        // A value holding a placeholder is written as typed, not filled again.
        let twice = get_with(
            &member,
            &path,
            &[("format", "txt"), (secretary.as_str(), "XX县")],
        )
        .await;
        let text = String::from_utf8(twice.bytes).unwrap();
        assert!(text.contains("XX县要求，XX县各单位"), "{text}");

        // A public document: a guest may take it away, so a guest gets the blanks and the form.
        let guest_public = article_json(&guest, public_id).await;
        assert_eq!(key_of(&guest_public, "XX县").0, county);
        assert!(guest
            .get(&format!("/a/{public_id}"))
            .await
            .body
            .contains("填写本单位信息"));

        // A gated document: no blanks, no form, no download, no preview for the guest.
        let guest_api = article_json(&guest, seed_id).await;
        assert_eq!(guest_api["gated"], true);
        assert!(
            guest_api.get("placeholders").is_none(),
            "{backend:?}: no blanks counted over text the guest may not take"
        );
        let page = guest.get(&format!("/a/{seed_id}")).await.body;
        assert!(!page.contains("填写本单位信息") && !page.contains("/fill"));
        let member_api = article_json(&member, seed_id).await;
        let (secretary, _) = key_of(&member_api, "X书记");
        let hidden = member_api["paragraphs"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        let query = [("format", "txt"), (secretary.as_str(), "张书记")];
        for path in [
            format!("/a/{seed_id}/download"),
            format!("/a/{seed_id}/fill"),
        ] {
            let d = get_with(&guest, &path, &query).await;
            assert_eq!(d.status, 303, "{backend:?}: {path}");
            let location = d.headers["location"].to_str().unwrap();
            assert!(location.starts_with("/login?next=%2Fa%2F"), "{location}");
            assert!(d.bytes.is_empty());
        }
        let page = unescape_html(&guest.get(&format!("/a/{seed_id}")).await.body);
        assert!(!page.contains(hidden.as_str()));

        // A member on a VIP document: no blanks, and sent to the VIP page (then back to the
        // document), as for the download.
        let api = article_json(&member, report_id).await;
        assert!(api.get("placeholders").is_none());
        for path in [
            format!("/a/{report_id}/fill"),
            format!("/a/{report_id}/download"),
        ] {
            let d = get_with(&member, &path, &[]).await;
            assert_eq!(d.status, 303, "{backend:?}: {path}");
            assert_eq!(
                d.headers["location"].to_str().unwrap(),
                format!("/me/vip?next=%2Fa%2F{report_id}"),
                "{path}"
            );
            assert!(d.bytes.is_empty());
        }
        // For the VIP reader the report has no blanks: an empty list, no form.
        let vip = app.member("filler3", "vip").await;
        let api = article_json(&vip, report_id).await;
        assert_eq!(api["placeholders"], serde_json::json!([]));
        assert!(!vip
            .get(&format!("/a/{report_id}"))
            .await
            .body
            .contains("填写本单位信息"));
        app.stop().await;
    }
}
