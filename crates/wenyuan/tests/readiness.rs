//! `/readyz` (issue 15, item 3): a node whose search index is behind the library answers 503 with
//! how far behind, and its search answers say the index is still being built; once caught up it
//! answers 200. `/healthz` stays a liveness check throughout.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use common::{backends, corpus, TestApp};

/// The first `n` news items of the corpus, as a .jsonl file of their own.
fn news_sample(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let news = std::fs::File::open(corpus("news.jsonl")).unwrap();
    let path = dir.join("news-sample.jsonl");
    let mut out = std::fs::File::create(&path).unwrap();
    for line in std::io::BufReader::new(news).lines().take(n) {
        writeln!(out, "{}", line.unwrap()).unwrap();
    }
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_while_the_index_catches_up_after_a_big_import_and_200_after() {
    for backend in backends() {
        // The test polls search several times a second: no per-address search limit here.
        let app = TestApp::start_with(backend, |config| config.site.search_per_minute = 0).await;
        let guest = app.visitor();
        let ready = guest.get("/readyz").await;
        assert_eq!(ready.status, 200, "{backend:?}: an empty library is ready");
        let status: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
        assert_eq!(status["index_lag"], 0);

        // One import of 3,000 documents: one transaction, so the feed jumps by 3,000 at once.
        let dir = tempfile::tempdir().unwrap();
        let sample = news_sample(dir.path(), 3_000);
        let (code, stdout, stderr) = app.import(&["--access", "public", sample.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}{stderr}");

        let behind = guest.get("/readyz").await;
        assert_eq!(behind.status, 503, "{backend:?}: {}", behind.body);
        assert_eq!(behind.headers["cache-control"], "no-store");
        let status: serde_json::Value = serde_json::from_str(&behind.body).unwrap();
        assert_eq!(status["ready"], false);
        let lag = status["index_lag"].as_i64().unwrap();
        assert!(lag > 500, "{backend:?}: lag {lag}");
        assert_eq!(guest.get("/healthz").await.status, 200, "alive meanwhile");

        // Search answers during the catch-up carry the flag (the API) and say so (the page).
        let mut flagged = false;
        let mut said = false;
        let started = Instant::now();
        loop {
            let api = guest.get("/api/v1/search?q=%E5%8F%91%E5%B1%95").await;
            let page = guest.get("/search?q=%E5%8F%91%E5%B1%95").await;
            let answer: serde_json::Value = serde_json::from_str(&api.body).unwrap();
            if answer["index_catching_up"] == true {
                flagged = true;
                said |= page.body.contains("搜索索引正在更新");
            }
            let ready = guest.get("/readyz").await;
            if ready.status == 200 {
                let status: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
                assert_eq!(status["ready"], true);
                assert!(status["index_lag"].as_i64().unwrap() <= 500);
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "{backend:?}: the index did not catch up: {}",
                ready.body
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(
            flagged,
            "{backend:?}: a search during the catch-up is flagged"
        );
        assert!(
            said,
            "{backend:?}: the search page says the index is being built"
        );

        // Caught up: the flag is gone and the imported documents are found.
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        let api = guest.get("/api/v1/search?q=%E5%8F%91%E5%B1%95").await;
        let answer: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(answer["index_catching_up"], false, "{backend:?}");
        assert!(answer["total"].as_u64().unwrap() > 0);
        assert!(!guest
            .get("/search?q=%E5%8F%91%E5%B1%95")
            .await
            .body
            .contains("搜索索引正在更新"));
        app.stop().await;
    }
}
