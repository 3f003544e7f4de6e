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
        let mut app = TestApp::start(backend).await;
        let guest = app.visitor();
        let ready = guest.get("/readyz").await;
        assert_eq!(ready.status, 200, "{backend:?}: an empty library is ready");
        let status: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
        assert_eq!(status["index_lag"], 0);

        // 3,000 documents imported while the server is down (as on a new node, or after a restore):
        // the restarted server's index starts 3,000 changes behind. (Imported while it runs, the
        // index follows the import batch by batch and may never be far behind.)
        if let Some(server) = app.server.take() {
            server.stop().await.unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let sample = news_sample(dir.path(), 3_000);
        let (code, stdout, stderr) = app.import(&["--access", "public", sample.to_str().unwrap()]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        app.restart().await;
        let guest = app.visitor();

        let behind = guest.get("/readyz").await;
        assert_eq!(behind.status, 503, "{backend:?}: {}", behind.body);
        assert_eq!(behind.headers["cache-control"], "no-store");
        let status: serde_json::Value = serde_json::from_str(&behind.body).unwrap();
        assert_eq!(status["ready"], false);
        let lag = status["index_lag"].as_i64().unwrap();
        assert!(lag > 500, "{backend:?}: lag {lag}");
        assert_eq!(guest.get("/healthz").await.status, 200, "alive meanwhile");

        // Search answers during the catch-up carry the flag (the API) and say so (the page).
        // Each search from an address of its own: the per-address search limit stays out of it.
        let mut flagged = false;
        let mut said = false;
        let started = Instant::now();
        let mut n = 0;
        loop {
            n += 1;
            let searcher = app.reader(n);
            let api = searcher.get("/api/v1/search?q=%E5%8F%91%E5%B1%95").await;
            let page = searcher.get("/search?q=%E5%8F%91%E5%B1%95").await;
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
        let searcher = app.reader(n + 1);
        let api = searcher.get("/api/v1/search?q=%E5%8F%91%E5%B1%95").await;
        let answer: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(answer["index_catching_up"], false, "{backend:?}");
        assert!(answer["total"].as_u64().unwrap() > 0);
        assert!(!searcher
            .get("/search?q=%E5%8F%91%E5%B1%95")
            .await
            .body
            .contains("搜索索引正在更新"));
        app.stop().await;
    }
}
