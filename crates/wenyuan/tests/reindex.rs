//! `wenyuan reindex`, in its own test process: it loads a user dictionary into the segmenter,
//! which is global to a process and would change what other tests see.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::backends;
use common::search::{library_with_seed, search, titles, SEED_TITLE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_rebuilds_the_index_and_refuses_while_a_server_holds_it() {
    let app = library_with_seed(backends()[0]).await;
    let out = app.cli(&["reindex"]);
    assert!(!out.status.success(), "a running server holds the index");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("stop it first"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut app = app;
    if let Some(server) = app.server.take() {
        server.stop().await.unwrap();
    }
    std::fs::write(
        app.db.data_dir().join("dictionary.txt"),
        "区委读书会 1000\n",
    )
    .unwrap();
    let out = app.cli(&["reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("indexed 89 documents"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The rebuilt index is merged into one segment: a query visits one segment, not dozens.
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(app.db.data_dir().join("index").join("meta.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["segments"].as_array().unwrap().len(), 1, "{meta}");
    app.restart().await;
    let results = search(&app.visitor(), "区委读书会").await;
    assert_eq!(titles(&results)[0], SEED_TITLE);
    app.stop().await;
}
