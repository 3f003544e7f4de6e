//! The seed page and its three re-encoded copies, end to end: decode → parse → outline → hash.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wenyuan_text::chrome::is_chrome_line;
use wenyuan_text::decode::{decode_text, DecodeError};
use wenyuan_text::document::{paragraphs_from_body, parse_txt, ParsedDoc};
use wenyuan_text::fingerprint::content_hash;
use wenyuan_text::outline::outline;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

const SEED_COPIES: [(&str, &str); 4] = [
    ("seed/000_38663bb0f25ad367.txt", "UTF-8"),
    ("fixtures/seed-gb18030.txt", "gb18030"),
    ("fixtures/seed-utf16le-bom.txt", "UTF-16LE"),
    ("fixtures/seed-utf8-bom-crlf.txt", "UTF-8"),
];

fn read(path: &str) -> Vec<u8> {
    let full = format!("{CORPUS}/{path}");
    std::fs::read(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"))
}

fn seed_docs() -> Vec<(String, ParsedDoc)> {
    SEED_COPIES
        .iter()
        .map(|(path, encoding)| {
            let decoded = decode_text(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(decoded.encoding, *encoding, "{path}");
            let doc = parse_txt(&decoded.text).unwrap_or_else(|e| panic!("{path}: {e}"));
            (decoded.text, doc)
        })
        .collect()
}

#[test]
fn all_copies_decode_to_the_same_text() {
    let docs = seed_docs();
    let (first, _) = &docs[0];
    assert!(!first.contains('\r'));
    for (text, _) in &docs[1..] {
        assert_eq!(text, first);
    }
}

#[test]
fn seed_parses_into_the_speech() {
    for (_, doc) in seed_docs() {
        assert_eq!(doc.title, "在2020年区委读书会上的讲话");
        assert_eq!(doc.date.as_deref(), Some("2020-11-04"));
        assert_eq!(doc.views, Some(246));
        let first = doc.paragraphs.first().unwrap();
        let last = doc.paragraphs.last().unwrap();
        assert!(first.starts_with("这次读书会是在全区上下"), "{first}");
        assert!(last.starts_with("2020年接下来的有限工作时间内"), "{last}");
        assert!(last.ends_with("谋划人大履职的方向"), "{last}");
        assert!(doc.paragraphs.iter().all(|p| !is_chrome_line(p)));
        assert!(doc
            .paragraphs
            .iter()
            .all(|p| p.trim() == p && !p.is_empty()));
        assert_eq!(doc.paragraphs.len(), 8);
    }
}

#[test]
fn seed_outline() {
    let (_, doc) = seed_docs().remove(0);
    let got: Vec<(u8, String)> = outline(&doc.paragraphs)
        .into_iter()
        .map(|e| (e.level, e.text))
        .collect();
    // The seed writes half-width `(一)` and `,`; heading text is kept as written.
    let want = [
        (1, "一、关于外出考察的体会和思考"),
        (2, "(一)学先进,看X发展更需努力"),
        (2, "(二)看自身,对X发展更有信心"),
        (2, "(三)求共识,让X发展更具合力"),
        (1, "二、关于人大工作的初步考虑"),
    ];
    let want: Vec<(u8, String)> = want.iter().map(|(l, t)| (*l, t.to_string())).collect();
    assert_eq!(got, want);
}

#[test]
fn all_copies_have_the_same_content_hash() {
    let hashes: Vec<String> = seed_docs()
        .iter()
        .map(|(_, doc)| content_hash(&doc.title, &doc.paragraphs))
        .collect();
    assert_eq!(hashes[0].len(), 32);
    assert!(hashes.iter().all(|h| h == &hashes[0]), "{hashes:?}");
}

/// (title, body) of a reports.jsonl entry, without a JSON dependency: the fields are plain
/// strings whose only escapes are `\n`, `\"` and `\\` (checked by the roundtrip below).
fn report(id: &str) -> (String, String) {
    let data = String::from_utf8(read("reports.jsonl")).unwrap();
    let line = data
        .lines()
        .find(|l| l.starts_with(&format!("{{\"id\": \"{id}\"")))
        .unwrap_or_else(|| panic!("no report {id}"));
    (json_field(line, "title"), json_field(line, "body"))
}

fn json_field(line: &str, key: &str) -> String {
    let start = line.find(&format!("\"{key}\": \"")).unwrap() + key.len() + 5;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return out,
            '\\' => match chars.next().unwrap() {
                'n' => out.push('\n'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    panic!("unterminated field {key}");
}

#[test]
fn gb18030_roundtrip_of_a_report() {
    let (title, body) = report("gwr-000");
    let text = format!("{title}\n2025-03-05\n{body}\n");
    let (bytes, _, had_errors) = encoding_rs::GB18030.encode(&text);
    assert!(!had_errors);
    let decoded = decode_text(&bytes).unwrap();
    assert_eq!(decoded.encoding, "gb18030");
    assert_eq!(decoded.text, text);
    let doc = parse_txt(&decoded.text).unwrap();
    assert_eq!(doc.title, title);
    assert_eq!(doc.date.as_deref(), Some("2025-03-05"));
    assert_eq!(doc.paragraphs, paragraphs_from_body(&body));
}

#[test]
fn report_2025_outline() {
    let (_, body) = report("gwr-000");
    let paragraphs = paragraphs_from_body(&body);
    let entries = outline(&paragraphs);
    let count = |level| entries.iter().filter(|e| e.level == level).count();
    assert_eq!((count(1), count(2), count(3), count(4)), (3, 10, 0, 0));
    let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts[0], "一、2024年工作回顾");
    assert_eq!(texts[2], "三、2025年政府工作任务");
    assert_eq!(
        texts[3],
        "（一）大力提振消费、提高投资效益，全方位扩大国内需求"
    );
    assert_eq!(texts[12], "（十）加大保障和改善民生力度，提升社会治理效能");
}

#[test]
fn big5_traditional_text_decodes() {
    let text = "廣州共產黨報告\n這次讀書會是在全區上下深入學習的大背景下召開的。\n一、關於外出考察的體會和思考\n";
    let (bytes, _, had_errors) = encoding_rs::BIG5.encode(text);
    assert!(!had_errors);
    let decoded = decode_text(&bytes).unwrap();
    assert_eq!(decoded.encoding, "Big5");
    assert_eq!(decoded.text, text);
}

#[test]
fn random_bytes_are_binary() {
    // A fixed xorshift sequence, so the test is deterministic.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in [64, 512, 4096] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        assert_eq!(decode_text(&bytes), Err(DecodeError::Binary), "len {len}");
    }
}

#[test]
fn empty_file() {
    assert_eq!(decode_text(b""), Err(DecodeError::Empty));
}
