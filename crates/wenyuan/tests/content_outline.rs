//! Issue 12 item 3: outlines of the corpus reports. List items (lines ending in ；，、, runs of
//! numbered lines) are no headings, and 一、二、三… run without restarts. Prints the share of
//! reports with a clean level-1 sequence before (every line that looks like a heading) and after.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, corpus, TestApp};
use wenyuan_text::outline::{outline, raw_outline, OutlineEntry};
use wenyuan_text::paragraphs_from_body;

/// The 一、二、三… headings of level 1, per stretch between 第X部分/章/编 headings.
fn level_one_runs(entries: &[OutlineEntry]) -> Vec<Vec<String>> {
    let mut runs = vec![Vec::new()];
    for e in entries.iter().filter(|e| e.level == 1) {
        if e.text.starts_with('第') {
            runs.push(Vec::new());
        } else if let Some(run) = runs.last_mut() {
            run.push(
                e.text
                    .split(['、', '．', '.'])
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            );
        }
    }
    runs
}

const NUMBERS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七", "十八", "十九", "二十",
];

/// Every stretch counts 一、二、三… from 一 with no gap, no repeat and no restart.
fn clean(entries: &[OutlineEntry]) -> bool {
    level_one_runs(entries).iter().all(|run| {
        run.iter()
            .enumerate()
            .all(|(i, n)| NUMBERS.get(i).is_some_and(|want| want == n))
    })
}

#[test]
fn level_one_sequences_of_all_reports_before_and_after() {
    let text = std::fs::read_to_string(corpus("reports.jsonl")).unwrap();
    let (mut total, mut before, mut after, mut with_headings) = (0, 0, 0, 0);
    let mut dropped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let paragraphs = paragraphs_from_body(record["body"].as_str().unwrap());
        let (raw, kept) = (raw_outline(&paragraphs), outline(&paragraphs));
        total += 1;
        before += usize::from(clean(&raw));
        after += usize::from(clean(&kept));
        with_headings += usize::from(kept.iter().any(|e| e.level == 1));
        dropped += raw.len() - kept.len();
        if !clean(&kept) {
            eprintln!("not clean: {} {:?}", record["title"], level_one_runs(&kept));
        }
    }
    let share = |n: usize| n as f64 / total as f64;
    eprintln!(
        "{total} reports: clean level-1 sequence before {before} ({:.3}), after {after} ({:.3}); \
         {with_headings} with level-1 headings after; {dropped} lines no longer headings",
        share(before),
        share(after)
    );
    assert!(share(after) >= 0.95);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_1982_report_outline_runs_one_to_six_on_the_page() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, out, err) = app.import(&[corpus("reports.jsonl").to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        app.sync().await;
        let editor = app.visitor();
        let id = editor.id_of("1982年中华人民共和国国务院政府工作报告").await;
        let doc: serde_json::Value =
            serde_json::from_str(&editor.get(&format!("/api/v1/articles/{id}")).await.body)
                .unwrap();
        let level_one: Vec<String> = doc["outline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["level"] == 1)
            .map(|e| {
                e["text"]
                    .as_str()
                    .unwrap()
                    .split('、')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            level_one,
            ["一", "二", "三", "四", "五", "六"],
            "{backend:?}"
        );
        app.stop().await;
    }
}
