//! The office fixtures (`../shared/corpus/office/`): one 工作总结 saved as .docx, .doc and .pdf,
//! with a centred date under the title, a 4-row table and a right-aligned 落款.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wenyuan_text::archive::ArchiveLimits;
use wenyuan_text::doc::parse_doc;
use wenyuan_text::docx::parse_docx;
use wenyuan_text::outline::outline;
use wenyuan_text::pdf::parse_pdf;
use wenyuan_text::{Layout, ParsedDoc};

const TITLE: &str = "XX市应急管理局2024年度安全生产工作总结";

fn fixture(ext: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/corpus/office/安全生产工作总结.{ext}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn level1(doc: &ParsedDoc) -> Vec<String> {
    let texts: Vec<&str> = doc.paragraphs.iter().map(String::as_str).collect();
    outline(&texts)
        .into_iter()
        .filter(|h| h.level == 1)
        .map(|h| h.text)
        .collect()
}

fn rows(doc: &ParsedDoc) -> Vec<(Layout, &str)> {
    doc.layout
        .iter()
        .zip(&doc.paragraphs)
        .filter(|(l, _)| l.is_table_row())
        .map(|(l, p)| (*l, p.as_str()))
        .collect()
}

#[test]
fn docx_keeps_the_table_the_alignment_and_the_signature_date() {
    let doc = parse_docx(&fixture("docx"), &ArchiveLimits::default())
        .unwrap()
        .doc;
    assert_eq!(doc.title, TITLE);
    assert_eq!(doc.layout.len(), doc.paragraphs.len());
    assert_eq!(doc.paragraphs[0], "（2024年12月20日）");
    assert_eq!(doc.layout[0], Layout::Centre);
    assert_eq!(
        rows(&doc),
        [
            (Layout::TableStart, "行业\t排查隐患（项）\t整改率"),
            (Layout::TableRow, "危险化学品\t1,246\t98.7%"),
            (Layout::TableRow, "道路交通\t3,512\t99.2%"),
            (Layout::TableRow, "建筑施工\t2,087\t97.5%"),
        ]
    );
    let n = doc.paragraphs.len();
    assert_eq!(
        doc.paragraphs[n - 2..],
        ["XX市应急管理局", "2024年12月20日"]
    );
    assert_eq!(doc.layout[n - 2..], [Layout::Right, Layout::Right]);
    assert_eq!(
        doc.file_date.as_deref(),
        Some("2013-12-23"),
        "the file's own date"
    );
    assert_eq!(
        doc.document_date().as_deref(),
        Some("2024-12-20"),
        "the 落款 wins"
    );
    assert_eq!(
        level1(&doc),
        [
            "一、主要工作及成效",
            "二、存在的主要问题",
            "三、2025年工作打算"
        ]
    );
}

#[test]
fn doc_gives_the_text_the_table_and_the_headings() {
    let doc = parse_doc(&fixture("doc"), 20 << 20).unwrap();
    assert_eq!(doc.title, TITLE);
    assert!(
        doc.paragraphs.contains(&"（2024年12月20日）".to_owned()),
        "{:?}",
        doc.paragraphs
    );
    assert_eq!(rows(&doc).len(), 4, "{:?}", doc.paragraphs);
    assert_eq!(rows(&doc)[1].1, "危险化学品\t1,246\t98.7%");
    assert_eq!(
        level1(&doc),
        [
            "一、主要工作及成效",
            "二、存在的主要问题",
            "三、2025年工作打算"
        ]
    );
    assert_eq!(doc.document_date().as_deref(), Some("2024-12-20"));
}

#[test]
fn pdf_gives_the_text_and_the_headings() {
    let doc = parse_pdf(&fixture("pdf")).unwrap();
    assert_eq!(doc.title, TITLE, "{:?}", doc.paragraphs);
    assert_eq!(
        level1(&doc),
        [
            "一、主要工作及成效",
            "二、存在的主要问题",
            "三、2025年工作打算"
        ],
        "{:#?}",
        doc.paragraphs
    );
    assert!(
        doc.paragraphs
            .iter()
            .any(|p| p.contains("统筹发展和安全，全市安全生产形势持续稳定向好")),
        "wrapped lines are joined: {:#?}",
        doc.paragraphs
    );
    assert_eq!(doc.document_date().as_deref(), Some("2024-12-20"));
}
