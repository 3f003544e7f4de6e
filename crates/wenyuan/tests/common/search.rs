//! Search helpers shared by the search and reindex tests.

use serde_json::Value;

use super::{corpus, TestApp, Visitor};

pub const SEED_TITLE: &str = "在2020年区委读书会上的讲话";

pub async fn search(visitor: &Visitor, query: &str) -> Value {
    let path = format!("/api/v1/search?q={}&size=50", urlencode(query));
    let page = visitor.get(&path).await;
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    serde_json::from_str(&page.body).unwrap()
}

pub fn titles(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_owned())
        .collect()
}

pub fn urlencode(text: &str) -> String {
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
pub async fn library_with_seed(backend: wenyuan_store::Backend) -> TestApp {
    library_with_seed_and(backend, |_| {}).await
}

/// The same, with the configuration adjusted first (e.g. a higher search limit for a test that
/// asks hundreds of questions).
pub async fn library_with_seed_and(
    backend: wenyuan_store::Backend,
    adjust: impl FnOnce(&mut wenyuan::config::Config),
) -> TestApp {
    let app = TestApp::start_with(backend, adjust).await;
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
    app.services().related.derive_keywords().await.unwrap();
    app.services().search.index_changes().await.unwrap();
    app
}
