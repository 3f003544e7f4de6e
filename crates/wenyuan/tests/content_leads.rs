//! Issue 12 item 2: list summaries are the first sentences of real text — no salutation, no
//! repeated title, no date line — and never text the gate keeps back.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;

use common::{backends, corpus, paragraphs, TestApp};
use wenyuan_text::date::date_line;

const SALUTATIONS: &[&str] = &["同志们", "各位", "女士们", "先生们", "朋友们", "代表们"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_leads_start_with_real_text_that_guests_may_read() {
    // The 88 reports and the first 1,500 news items.
    let news = std::fs::read_to_string(corpus("news.jsonl")).unwrap();
    let mut sample = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .unwrap();
    for line in news.lines().take(1500) {
        writeln!(sample, "{line}").unwrap();
    }
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, out, err) = app.import(&[
            corpus("reports.jsonl").to_str().unwrap(),
            sample.path().to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}{err}");
        app.sync().await;
        let guest = app.visitor();
        let (mut checked, mut reports_seen) = (0, 0);
        for item in guest.listed().await {
            let (title, lead) = (
                item["title"].as_str().unwrap(),
                item["lead"].as_str().unwrap(),
            );
            checked += 1;
            assert!(!lead.is_empty(), "{backend:?}: {title} has a lead");
            assert!(
                !SALUTATIONS.iter().any(|s| lead.starts_with(s)),
                "{backend:?}: {title}: lead starts with a salutation: {lead}"
            );
            assert_ne!(lead, title, "{backend:?}: lead repeats the title");
            assert!(date_line(lead).is_none(), "{backend:?}: {title}: {lead}");
            assert!(lead.chars().count() <= 81, "{title}: {lead}");
            if item["category"] == "政府工作报告" || title.contains("大会") {
                // What the list shows, a guest reads on the page too.
                reports_seen += 1;
                let doc: serde_json::Value = serde_json::from_str(
                    &guest
                        .get(&format!("/api/v1/articles/{}", item["id"]))
                        .await
                        .body,
                )
                .unwrap();
                let visible = paragraphs(&doc).join("\n");
                let lead_text = lead.trim_end_matches('…');
                assert!(
                    visible.contains(lead_text),
                    "{backend:?}: {title}: the lead {lead_text:?} is behind the gate"
                );
            }
        }
        eprintln!("{backend:?}: {checked} leads checked, {reports_seen} against the guest's page");
        assert!(checked >= 1500, "{checked}");
        app.stop().await;
    }
}
