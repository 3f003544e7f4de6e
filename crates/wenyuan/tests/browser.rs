//! The site in a real browser (headless Chromium): a reader meets the gate, logs in through the
//! form, and reads the whole document. Screenshots at desktop and phone widths are written to
//! `screenshots/` in the repository root.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::webdriver::Browser;
use common::{backends, TestApp};

fn screenshot_dir() -> PathBuf {
    std::env::var_os("WENYUAN_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../screenshots")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_logs_in_through_the_form_and_reads_the_full_text() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let report = wenyuan::demo::load_sample(app.services()).await.unwrap();
        assert_eq!(report.imported, 24);
        wenyuan::demo::ensure_demo_member(app.services())
            .await
            .unwrap();
        let seed_id = report.inserted_ids[0];
        // Some reading history and the keywords, so the page shows hot lists and related documents.
        app.services().related.derive_keywords().await.unwrap();
        for (n, id) in report.inserted_ids.iter().take(12).enumerate() {
            for reader in 0..(12 - n) {
                app.reader(100 * n + reader).get(&format!("/a/{id}")).await;
            }
        }
        app.services().views.flush().await.unwrap();
        app.services().hot.clear_cache();
        app.services().bump_generation();
        app.services().search.index_changes().await.unwrap();
        let page = format!("{}/a/{seed_id}", app.base);
        let shots = screenshot_dir();
        let tag = format!("{backend:?}").to_lowercase();

        let browser = Browser::start().await;
        browser.goto(&page).await;
        let guest_text = browser.text().await;
        assert!(guest_text.contains("在2020年区委读书会上的讲话"));
        assert!(guest_text.contains("阅读全文"), "the gate is shown");
        for part in [
            "分享：",
            "微信扫一扫在手机阅读、分享本文",
            "相关内容",
            "热门推荐",
            "本周热门",
            "本月热门",
        ] {
            assert!(guest_text.contains(part), "the page shows {part}");
        }
        assert!(
            !guest_text.contains("坚定发展思路，增强发展信心")
                && !guest_text.contains("坚定发展思路,增强发展信心"),
            "hidden text is not in the page"
        );
        browser
            .screenshot(&shots.join(format!("article-guest-desktop-{tag}.png")))
            .await;
        browser.resize(390, 844).await;
        browser
            .screenshot(&shots.join(format!("article-guest-phone-{tag}.png")))
            .await;
        browser.resize(1280, 900).await;

        // Through the gate's login button, the form, and back to the article.
        browser.click(".gate a.button").await;
        assert!(
            browser.current_url().await.contains("/login?next="),
            "the gate leads to login"
        );
        browser.type_into("#name", wenyuan::demo::DEMO_MEMBER).await;
        browser
            .type_into("#password", wenyuan::demo::DEMO_PASSWORD)
            .await;
        browser.click("#login-submit").await;
        assert_eq!(
            browser.wait_for_url(&page).await,
            page,
            "back on the article after logging in"
        );
        let member_text = browser.text().await;
        assert!(
            member_text.contains("坚定发展思路,增强发展信心"),
            "the full text after login"
        );
        assert!(
            member_text.contains("谋划人大履职的方向"),
            "to the last paragraph"
        );
        assert!(
            !browser.source().await.contains("class=\"gate\""),
            "no gate for a member"
        );
        browser
            .screenshot(&shots.join(format!("article-member-desktop-{tag}.png")))
            .await;
        browser.resize(390, 844).await;
        browser
            .screenshot(&shots.join(format!("article-member-phone-{tag}.png")))
            .await;
        browser.goto(&format!("{}/", app.base)).await;
        browser
            .screenshot(&shots.join(format!("home-phone-{tag}.png")))
            .await;
        browser.resize(1280, 900).await;
        browser
            .screenshot(&shots.join(format!("home-desktop-{tag}.png")))
            .await;
        // Search, as a member (snippets from the full text) and at phone width.
        browser
            .goto(&format!(
                "{}/search?q=%E9%AB%98%E8%B4%A8%E9%87%8F%E5%8F%91%E5%B1%95",
                app.base
            ))
            .await;
        let results = browser.text().await;
        assert!(
            results.contains("找到") && results.contains("政府工作报告"),
            "search results are shown"
        );
        browser
            .screenshot(&shots.join(format!("search-desktop-{tag}.png")))
            .await;
        browser.resize(390, 844).await;
        browser
            .screenshot(&shots.join(format!("search-phone-{tag}.png")))
            .await;
        browser.quit().await;
        app.stop().await;
    }
}
