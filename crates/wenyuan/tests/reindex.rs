//! `wenyuan reindex`, in its own test process: it loads a user dictionary into the segmenter,
//! which is global to a process and would change what other tests see.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, corpus, TestApp};
use serde_json::Value;

const SEED_TITLE: &str = "在2020年区委读书会上的讲话";

async fn search(visitor: &common::Visitor, query: &str) -> Value {
    let path = format!("/api/v1/search?q={}&size=50", urlencode(query));
    let page = visitor.get(&path).await;
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    serde_json::from_str(&page.body).unwrap()
}

fn titles(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_owned())
        .collect()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The seed page imported with the corpus's reports, all as member documents, indexed.
async fn library_with_seed(backend: wenyuan_store::Backend) -> TestApp {
    let app = TestApp::start(backend).await;
    let (code, out, err) = app.import(&[
        "--access",
        "member",
        corpus("seed/000_38663bb0f25ad367.txt").to_str().unwrap(),
        corpus("reports.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(
        (code, out.trim()),
        (0, "imported 89, skipped 0, failed 0"),
        "{err}"
    );
    app.sync().await;
    app.lib().derive_keywords().await.unwrap();
    app.lib().index_changes().await.unwrap();
    app
}

#[tokio::test]
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
    app.restart().await;
    let results = search(&app.visitor(), "区委读书会").await;
    assert_eq!(titles(&results)[0], SEED_TITLE);
    app.stop().await;
}
