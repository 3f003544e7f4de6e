//! Issue 12 item 1: a document's date is the source's, else the date line of its text, else the
//! file's metadata, else none — never the import day. Over the whole `reports.jsonl`, and
//! `wenyuan repair dates` for documents an older version dated with the import day.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::{backends, corpus, TestApp};
use wenyuan_store::NewAuditEntry;
use wenyuan_text::date::text_date;
use wenyuan_text::paragraphs_from_body;

/// Title → (the record's own date, the date line of its text).
fn report_dates() -> HashMap<String, (Option<String>, Option<String>)> {
    let text = std::fs::read_to_string(corpus("reports.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            let body = record["body"].as_str().unwrap();
            (
                record["title"].as_str().unwrap().trim().to_owned(),
                (
                    record["date"].as_str().map(str::to_owned),
                    text_date(&paragraphs_from_body(body)),
                ),
            )
        })
        .collect()
}

/// The import day as UTC and the site (UTC+8 by default) see it.
fn import_days() -> [String; 2] {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    [civil(secs / 86_400), civil((secs + 8 * 3600) / 86_400)]
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_carry_their_own_dates_and_never_the_import_day() {
    let expected = report_dates();
    assert_eq!(expected.len(), 88, "88 reports with distinct titles");
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, out, err) = app.import(&[corpus("reports.jsonl").to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        let store = app.services().store_for_tests();
        let rows = store.imported_articles_after(0, 1000).await.unwrap();
        assert_eq!(rows.len(), 88, "{backend:?}");
        let days = import_days();
        let (mut from_source, mut from_line, mut undated, mut line_overruled) = (0, 0, 0, 0);
        for row in &rows {
            assert!(
                !days.contains(&row.published_on),
                "{backend:?}: {} dated with the import day",
                row.title
            );
            let (source, line) = &expected[&row.title];
            match (source, line) {
                (Some(source), line) => {
                    assert_eq!(&row.published_on, source, "{}", row.title);
                    from_source += 1;
                    if line.as_ref().is_some_and(|l| l != source) {
                        line_overruled += 1;
                    }
                }
                (None, Some(line)) => {
                    assert_eq!(&row.published_on, line, "{}", row.title);
                    from_line += 1;
                }
                (None, None) => {
                    assert_eq!(row.published_on, "", "{}", row.title);
                    undated += 1;
                }
            }
        }
        eprintln!(
            "{backend:?}: {from_source} dated by the record, {from_line} by their date line, \
             {undated} without a date; {line_overruled} record date(s) differ from the text's line"
        );
        assert!(from_line >= 6, "four 决议 and the 19th/20th 党代会 reports");
        for (title, date) in [
            (
                "决胜全面建成小康社会 夺取新时代中国特色社会主义伟大胜利 (十九大)",
                "2017-10-18",
            ),
            (
                "第十三届全国人民代表大会第四次会议关于政府工作报告的决议",
                "2021-03-11",
            ),
        ] {
            let row = rows.iter().find(|r| r.title == title).expect(title);
            assert_eq!(row.published_on, date, "{title}");
        }

        // An undated document shows no date.
        app.sync().await;
        let undated_row = rows.iter().find(|r| r.published_on.is_empty()).unwrap();
        let page = app.visitor().get(&format!("/a/{}", undated_row.id)).await;
        assert!(page.status.is_success());
        assert!(!page.body.contains("<time"), "no date shown");

        // An older version dated these with the import day: the repair re-derives them.
        let today = &days[1];
        let audit = NewAuditEntry {
            user_id: None,
            user_name: "测试",
            action: "test",
            target: "",
            detail: "",
        };
        let mut damaged = 0;
        for row in &rows {
            if expected[&row.title].0.is_none() {
                store
                    .set_article_date(row.id, today, &audit, 0)
                    .await
                    .unwrap();
                damaged += 1;
            }
        }
        let out = app.cli(&["repair", "dates"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("{backend:?}: repair: {stdout}");
        assert!(
            stdout.contains(&format!("{from_line} 篇取正文中的日期")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("{undated} 篇改为无日期")),
            "{stdout}"
        );
        assert_eq!(damaged, from_line + undated);
        let repaired = store.imported_articles_after(0, 1000).await.unwrap();
        for row in &repaired {
            let (source, line) = &expected[&row.title];
            let want = source.clone().or(line.clone()).unwrap_or_default();
            assert_eq!(row.published_on, want, "{backend:?}: {}", row.title);
        }
        app.stop().await;
    }
}
