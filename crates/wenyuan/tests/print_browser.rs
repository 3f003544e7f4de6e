//! Printing an article in a real browser (issue 11, item 4): headless Chromium prints the page to
//! an A4 PDF, and the PDF holds the document — title, date, the text the reader may see — and none
//! of the site around it (hot lists, related documents, contact box, WeChat QR, search box).
//! The PDF is read back with poppler's `pdftotext` and `pdfinfo` (Debian's poppler-utils).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::webdriver::Browser;
use common::{backends, corpus, TestApp};

/// What a printed PDF says: its text and its number of pages.
struct Printout {
    text: String,
    pages: usize,
}

fn read_pdf(pdf: &[u8]) -> Printout {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("printout.pdf");
    std::fs::write(&path, pdf).unwrap();
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    assert!(text.status.success(), "pdftotext reads the PDF");
    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let pages = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"));
    // pdftotext breaks lines where the page does; a phrase may span a line end.
    let text = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Printout { text, pages }
}

/// The site around a document, none of which belongs on paper.
const SITE_CHROME: [&str; 7] = [
    "热门推荐",
    "本周热门",
    "相关内容",
    "联系客服",
    "微信订阅号",
    "搜索范文",
    "微信扫一扫",
];

fn assert_no_site_chrome(printout: &Printout, what: &str) {
    for chrome in SITE_CHROME {
        assert!(
            !printout.text.contains(chrome),
            "{what}: the printout carries {chrome}"
        );
    }
}

/// A one-page 工作报告: a title, a date line and about one A4 page of text (GB/T 9704 holds 22
/// lines of 28 characters on a page).
fn one_page_report() -> (String, String) {
    let title = "关于2024年第三季度安全生产工作的报告".to_owned();
    let paragraphs = [
        "今年第三季度，我局坚持人民至上、生命至上，统筹发展和安全，全面落实安全生产责任制，全县安全生产形势总体平稳。",
        "一、主要工作",
        "（一）压实安全责任。召开安全生产专题会议三次，层层签订责任书，把责任落实到岗位、落实到人。",
        "（二）开展隐患排查。组织检查组深入企业和施工现场，排查一般隐患一百二十六处，已全部整改到位。",
        "（三）强化宣传教育。开展安全生产月活动，举办培训班四期，发放宣传资料三千余份。",
        "二、存在问题",
        "部分企业主体责任落实不到位，个别施工现场管理松散，基层监管力量仍显薄弱。",
        "三、下一步打算",
        "我们将继续加大执法检查力度，健全隐患排查治理长效机制，确保全县安全生产形势持续稳定。",
    ];
    let mut text = format!("{title}\n2024-10-08\n");
    for p in paragraphs {
        text.push_str(p);
        text.push('\n');
    }
    (title, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printing_an_article_gives_the_document_without_the_site_around_it() {
    let app = TestApp::start(backends()[0]).await;
    let dir = tempfile::tempdir().unwrap();
    let (report_title, report) = one_page_report();
    let report_path = dir.path().join("report.txt");
    std::fs::write(&report_path, report).unwrap();
    let seed = corpus("seed/000_38663bb0f25ad367.txt");
    for file in [&report_path, &seed] {
        let (code, _, stderr) = app.import(&["--access", "member", file.to_str().unwrap()]);
        assert_eq!(code, 0, "import: {stderr}");
    }
    app.sync().await;
    let guest = app.visitor();
    let report_id = guest.id_of(&report_title).await;
    let seed_id = guest.id_of("在2020年区委读书会上的讲话").await;
    // A few reads, so the page has hot lists and related documents to leave out.
    for n in 0..3 {
        app.reader(n).get(&format!("/a/{seed_id}")).await;
        app.reader(n).get(&format!("/a/{report_id}")).await;
    }
    app.services().views.flush().await.unwrap();
    app.services().hot.clear_cache();
    app.services().bump_generation();
    app.add_user("printer", "printer-password", "member").await;

    let browser = Browser::start().await;
    // A guest prints the seed: the preview and one line saying where the rest is.
    browser.goto(&format!("{}/a/{seed_id}", app.base)).await;
    let on_screen = browser.text().await;
    assert!(
        on_screen.contains("热门推荐") && on_screen.contains("相关内容"),
        "the screen shows the site around the document"
    );
    let guest_print = read_pdf(&browser.print_pdf().await);
    assert!(guest_print.text.contains("在2020年区委读书会上的讲话"));
    assert!(
        guest_print.text.contains("以上为预览，登录后可阅读全文"),
        "the guest's printout says where the rest is"
    );
    assert!(
        !guest_print.text.contains("谋划人大履职的方向"),
        "no hidden text on a guest's paper"
    );
    assert_no_site_chrome(&guest_print, "guest");

    // A member logs in through the form and prints both documents in full.
    browser
        .log_in(
            &format!("{}/login?next=/a/{report_id}", app.base),
            "printer",
            "printer-password",
        )
        .await;
    let report_page = format!("{}/a/{report_id}", app.base);
    assert_eq!(browser.wait_for_url(&report_page).await, report_page);
    let report_print = read_pdf(&browser.print_pdf().await);
    assert!(report_print.text.contains(&report_title));
    assert!(report_print.text.contains("2024"), "the date is printed");
    assert!(
        report_print.text.contains("确保全县安全生产形势持续稳定"),
        "the report's last paragraph is printed"
    );
    assert_no_site_chrome(&report_print, "member, one-page report");
    assert!(
        report_print.pages <= 2,
        "a one-page report prints on at most two A4 pages, got {}",
        report_print.pages
    );

    browser.goto(&format!("{}/a/{seed_id}", app.base)).await;
    let seed_print = read_pdf(&browser.print_pdf().await);
    assert!(
        seed_print.text.contains("谋划人大履职的方向"),
        "the member's printout runs to the last paragraph"
    );
    assert!(!seed_print.text.contains("以上为预览"));
    assert_no_site_chrome(&seed_print, "member, seed speech");
    eprintln!(
        "printed: guest seed {} page(s), report {} page(s), member seed {} page(s)",
        guest_print.pages, report_print.pages, seed_print.pages
    );
    browser.quit().await;
    app.stop().await;
}
