//! Property tests of the text pipeline's readers (issue 10, item 7): whatever bytes arrive — random,
//! truncated, mutated from a real document — every reader returns a value or an error and never
//! panics, and what it returns keeps the promises its documentation makes.
//!
//! CI runs proptest's default 256 cases per property. A longer run, e.g. before a release:
//!     PROPTEST_CASES=20000 cargo test -p wenyuan-text --release --test properties

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use wenyuan_text::archive::{read_zip, ArchiveLimits};
use wenyuan_text::date::find_date;
use wenyuan_text::decode::decode_text;
use wenyuan_text::document::{parse_markdown, parse_txt};
use wenyuan_text::docx::parse_docx;
use wenyuan_text::html_page::parse_html_page;
use wenyuan_text::outline::outline;
use wenyuan_text::preview::{preview_paragraph_count, PreviewRule};

/// Characters 公文 and 范文 pages are made of: headings markers, digits, punctuation, brackets,
/// the X of templates, some Latin, line ends and blanks of several kinds.
const PIECES: &[&str] = &[
    "一、",
    "二、",
    "十二、",
    "（一）",
    "（三）",
    "(二)",
    "1.",
    "2．",
    "12、",
    "（1）",
    "(2)",
    "第三章",
    "第十条",
    "同志们：",
    "发展",
    "改革",
    "XX县",
    "X书记",
    "2024年12月20日",
    "二〇二四年十二月二十日",
    "2020-11-04 246",
    "。",
    "，",
    "；",
    "：",
    "、",
    "“",
    "”",
    "《",
    "》",
    "【",
    "】",
    "——",
    "…",
    " ",
    "\u{3000}",
    "\t",
    "\n",
    "\r\n",
    "\n\n",
    "a",
    "Z",
    "7",
    "15.7%",
    "\u{feff}",
    "\u{200b}",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<h1>",
    "<script>",
    "&nbsp;",
    "&#x4e00;",
    "---",
    "title: ",
    "# ",
    "```",
    "[x](y)",
    "**",
    "阅读全文",
    "分享：",
    "相关内容",
];

fn document_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..200).prop_map(|parts| parts.concat())
}

fn paragraphs() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::collection::vec(prop::sample::select(PIECES), 1..30).prop_map(|p| p.concat()),
        0..40,
    )
}

fn valid_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        parts[0].parse::<u32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]
}

fn small_limits() -> ArchiveLimits {
    ArchiveLimits {
        max_entries: 64,
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_ratio: 100,
    }
}

/// A real .docx from the corpus, to mutate.
fn office_docx() -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/office");
    std::fs::read_dir(dir)
        .expect("the corpus's office folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "docx"))
        .map(|p| std::fs::read(p).expect("read the .docx"))
        .expect("a .docx in the corpus")
}

proptest! {
    #[test]
    fn decoding_any_bytes_gives_text_or_a_reason(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(decoded) = decode_text(&bytes) {
            prop_assert!(!decoded.text.contains('\r'), "only \\n line ends");
            prop_assert!(!decoded.text.starts_with('\u{feff}'), "no BOM");
            prop_assert!(!decoded.text.trim().is_empty());
        }
    }

    #[test]
    fn utf8_text_decodes_to_itself(text in document_text()) {
        let text = text.replace('\r', "").replace('\u{feff}', "");
        if let Ok(decoded) = decode_text(text.as_bytes()) {
            prop_assert_eq!(decoded.encoding, "UTF-8");
            prop_assert_eq!(decoded.text, text);
        }
    }

    #[test]
    fn utf16_and_gb18030_copies_decode_like_the_original(text in document_text()) {
        let text = text.replace('\r', "").replace('\u{feff}', "");
        prop_assume!(text.chars().filter(|c| !c.is_whitespace()).count() > 20);
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        if let Ok(decoded) = decode_text(&utf16) {
            prop_assert_eq!(decoded.text, text.clone());
        }
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
        prop_assume!(!unmappable);
        if let (Ok(original), Ok(decoded)) = (decode_text(text.as_bytes()), decode_text(&gb)) {
            // Short texts can be told apart from other encodings only so well; the text must
            // survive whenever the detector picks GB18030.
            if decoded.encoding == "gb18030" {
                prop_assert_eq!(decoded.text, original.text);
            }
        }
    }

    #[test]
    fn a_txt_document_has_a_title_and_trimmed_paragraphs(text in document_text()) {
        if let Ok(doc) = parse_txt(&text) {
            prop_assert!(!doc.title.trim().is_empty());
            prop_assert!(!doc.paragraphs.is_empty());
            for p in &doc.paragraphs {
                prop_assert!(!p.is_empty());
                prop_assert!(!p.contains('\n'));
            }
            if let Some(date) = &doc.date {
                prop_assert!(valid_date(date), "{}", date);
            }
        }
    }

    #[test]
    fn markdown_never_panics(text in document_text()) {
        if let Ok(doc) = parse_markdown(&text) {
            prop_assert!(!doc.title.trim().is_empty());
        }
    }

    #[test]
    fn html_pages_never_panic(text in document_text(), depth in 0usize..300) {
        let html = format!("<html><body>{}{text}{}</body></html>", "<div>".repeat(depth), "</div>".repeat(depth / 2));
        if let Ok(doc) = parse_html_page(html.as_bytes()) {
            prop_assert!(!doc.title.trim().is_empty());
            for p in &doc.paragraphs {
                prop_assert!(!p.contains("<script"), "markup is never text: {}", p);
            }
        }
        let _ = parse_html_page(text.as_bytes());
    }

    #[test]
    fn random_bytes_are_no_zip_and_no_docx(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(read_zip(&bytes, &small_limits()).is_err() || bytes.starts_with(b"PK"));
        let _ = parse_docx(&bytes, &small_limits());
    }

    #[test]
    fn dates_found_are_real_calendar_dates(text in document_text()) {
        if let Some(date) = find_date(&text) {
            prop_assert!(valid_date(&date), "{}", date);
        }
    }

    #[test]
    fn the_outline_points_at_its_paragraphs(paragraphs in paragraphs()) {
        let entries = outline(&paragraphs);
        let mut last = None;
        for entry in &entries {
            prop_assert!(entry.paragraph < paragraphs.len());
            prop_assert!((1..=4).contains(&entry.level));
            prop_assert!(last.is_none_or(|l| l < entry.paragraph), "in order, one per paragraph");
            last = Some(entry.paragraph);
        }
    }

    #[test]
    fn the_preview_keeps_something_back(paragraphs in paragraphs(), ratio in -1.0f32..2.0, max_chars in 0usize..5000) {
        let n = paragraphs.len();
        let shown = preview_paragraph_count(&paragraphs, &PreviewRule { ratio, max_chars });
        prop_assert!(shown <= n);
        if n >= 1 { prop_assert!(shown >= 1); }
        if n >= 2 { prop_assert!(shown < n, "something stays behind the gate"); }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A real .docx with bytes changed or cut off: an error or a document, never a panic.
    #[test]
    fn a_damaged_docx_is_refused_or_read(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16), cut in any::<prop::sample::Index>()) {
        let mut bytes = office_docx();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(bytes.len() / 2));
        let _ = parse_docx(&bytes, &small_limits());
        let _ = read_zip(&bytes, &small_limits());
    }
}
