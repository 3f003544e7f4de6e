//! Search-engine push (issue 13 item 4): publishing a document sends its URL once to the push
//! endpoint (a stand-in HTTP server on 127.0.0.1:0), failures are retried after a backoff by the
//! clock, drafts, pending and hidden documents are never sent, and two nodes on one database send
//! each URL once. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{backends, corpus, test_config, unescape_html, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wenyuan::server::start_for_test_with_clock;
use wenyuan_core::ManualClock;

const BASE_URL: &str = "https://fanwen.example";
const TOKEN: &str = "t0ken-ABC";

/// One request the stand-in received.
#[derive(Debug, Clone)]
struct Received {
    /// Path and query, e.g. `/urls?site=…&token=…`.
    target: String,
    content_type: String,
    body: String,
}

/// A stand-in for Baidu's 普通收录 endpoint: records every request and answers with the next
/// scripted status (200 once the script is used up).
#[derive(Clone, Default)]
struct Endpoint {
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Endpoint {
    async fn start() -> (Endpoint, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/urls", listener.local_addr().unwrap());
        let endpoint = Endpoint::default();
        let serving = endpoint.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let serving = serving.clone();
                tokio::spawn(async move { serving.answer(stream).await });
            }
        });
        (endpoint, url)
    }

    async fn answer(&self, mut stream: tokio::net::TcpStream) {
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                return;
            }
            data.extend_from_slice(&buf[..n]);
            if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let length: usize = header("content-length").parse().unwrap_or(0);
        while data.len() < head_end + length {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            data.extend_from_slice(&buf[..n]);
        }
        let request_line = head.lines().next().unwrap_or_default().to_owned();
        let mut parts = request_line.split(' ');
        assert_eq!(parts.next(), Some("POST"), "{request_line}");
        let target = parts.next().unwrap_or_default().to_owned();
        let body = String::from_utf8_lossy(&data[head_end..]).into_owned();
        let status = self.script.lock().unwrap().pop_front().unwrap_or(200);
        self.received.lock().unwrap().push(Received {
            target,
            content_type: header("content-type"),
            body: body.clone(),
        });
        let answer = if status == 200 {
            format!("{{\"remain\":99999,\"success\":{}}}", body.lines().count())
        } else {
            "{\"error\":500,\"message\":\"internal error\"}".to_owned()
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Every URL sent, over all requests, with the statuses of the requests that carried it.
    fn urls(&self) -> Vec<String> {
        self.received()
            .iter()
            .flat_map(|r| r.body.lines().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    }

    fn fail_next(&self, times: usize) {
        self.script.lock().unwrap().extend(vec![500; times]);
    }
}

/// Wait (polling) until `done` holds; panics with `what` after a generous minute.
async fn until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting: {what}");
}

/// `lines` of reports.jsonl in one file.
fn jsonl(dir: &Path, name: &str, lines: std::ops::Range<usize>) -> String {
    let all: Vec<String> = std::fs::read_to_string(corpus("reports.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, all[lines].join("\n")).unwrap();
    path.to_str().unwrap().to_owned()
}

fn import(app: &TestApp, status: &str, file: &str) {
    let (code, _, stderr) = app.import(&["--status", status, "--allow-near-duplicates", file]);
    assert_eq!(code, 0, "{stderr}");
}

/// Document ids by title, as the store has them (drafts and hidden ones included).
async fn ids_by_title(app: &TestApp) -> HashMap<String, i64> {
    let store = app.services().store_for_tests();
    let mut out = HashMap::new();
    for id in store.article_ids().await.unwrap() {
        let row = store.article(id).await.unwrap().unwrap();
        out.insert(row.title, id);
    }
    out
}

fn url_of(id: i64) -> String {
    format!("{BASE_URL}/a/{id}")
}

async fn pushed(app: &TestApp) -> i64 {
    app.services().push.status().await.unwrap().pushed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_pushes_the_url_once_retries_failures_and_never_sends_unpublished_ones() {
    for backend in backends() {
        let (endpoint, endpoint_url) = Endpoint::start().await;
        let clock = ManualClock::at(1_764_547_200);
        let app = TestApp::start_full(backend, Some(clock.clone()), |c| {
            c.site.base_url = Some(BASE_URL.to_owned());
            c.site.push_endpoint = Some(endpoint_url.clone());
            c.site.push_token = Some(TOKEN.to_owned());
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        import(&app, "draft", &jsonl(dir.path(), "draft.jsonl", 0..3));
        import(&app, "hidden", &jsonl(dir.path(), "hidden.jsonl", 3..6));
        import(&app, "pending", &jsonl(dir.path(), "pending.jsonl", 6..8));
        import(&app, "published", &jsonl(dir.path(), "one.jsonl", 8..9));
        let ids = ids_by_title(&app).await;
        assert_eq!(ids.len(), 9, "{backend:?}");
        let published = app
            .services()
            .store_for_tests()
            .article_ids()
            .await
            .unwrap()
            .into_iter()
            .max()
            .unwrap();

        until("the published document is pushed", || async {
            pushed(&app).await == 1
        })
        .await;
        // Nothing else is due, however often the loop runs.
        for _ in 0..3 {
            assert_eq!(app.services().push.run_once().await.unwrap(), 0);
        }
        let received = endpoint.received();
        assert_eq!(received.len(), 1, "{backend:?}: {received:?}");
        assert_eq!(
            received[0].target,
            format!("/urls?site=https%3A%2F%2Ffanwen.example&token={TOKEN}")
        );
        assert_eq!(received[0].content_type, "text/plain");
        assert_eq!(received[0].body, format!("{}\n", url_of(published)));

        // The desk shows the attempt.
        let admin = app.member("boss", "admin").await;
        let desk = unescape_html(&admin.get("/admin/settings").await.body);
        assert!(desk.contains("成功（HTTP 200）"), "{desk}");
        assert!(desk.contains(&format!("value=\"{endpoint_url}\"")));

        // A draft published at the desk: the endpoint fails once, the URL is sent again after
        // the backoff, by the clock.
        let draft = ids[&first_title(0)];
        endpoint.fail_next(1);
        let editor = app.member("editor", "editor").await;
        let csrf = editor.csrf_from("/admin/documents").await;
        let draft_text = draft.to_string();
        let saved = editor
            .post_form(
                "/admin/documents/status",
                &[
                    ("csrf", &csrf),
                    ("id", &draft_text),
                    ("status", "published"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        until("the failed attempt is recorded", || async {
            endpoint.received().len() == 2
                && app
                    .services()
                    .push
                    .status()
                    .await
                    .unwrap()
                    .attempts
                    .iter()
                    .any(|a| a.status == Some(500))
        })
        .await;
        let desk = unescape_html(&admin.get("/admin/settings").await.body);
        assert!(desk.contains("失败（HTTP 500），稍后重试"), "{desk}");
        // Not retried before the backoff is over.
        assert_eq!(app.services().push.run_once().await.unwrap(), 0);
        assert_eq!(endpoint.received().len(), 2);
        clock.advance(61);
        until("the retry succeeds", || async { pushed(&app).await == 2 }).await;
        let received = endpoint.received();
        assert_eq!(received.len(), 3, "{backend:?}");
        assert_eq!(received[1].body, format!("{}\n", url_of(draft)));
        assert_eq!(received[2].body, received[1].body);

        // Hidden, pending and the other drafts were never sent.
        let urls = endpoint.urls();
        for (title, id) in &ids {
            if *id != draft && *id != published {
                assert!(!urls.contains(&url_of(*id)), "{backend:?}: {title} pushed");
            }
        }
        app.stop().await;
    }
}

/// The title of line `n` of reports.jsonl.
fn first_title(n: usize) -> String {
    let line = std::fs::read_to_string(corpus("reports.jsonl"))
        .unwrap()
        .lines()
        .nth(n)
        .unwrap()
        .to_owned();
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    record["title"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_database_push_each_url_once() {
    for backend in backends() {
        let (endpoint, endpoint_url) = Endpoint::start().await;
        let clock = ManualClock::at(1_764_547_200);
        let adjust = |c: &mut wenyuan::config::Config| {
            c.site.base_url = Some(BASE_URL.to_owned());
            c.site.push_endpoint = Some(endpoint_url.clone());
            c.site.push_token = Some(TOKEN.to_owned());
        };
        let app = TestApp::start_full(backend, Some(clock.clone()), adjust).await;
        // The second node has its own data folder (its own search index), as on another machine.
        let second_dir = tempfile::tempdir().unwrap();
        let mut config = test_config(&app.db);
        config.data_dir = second_dir.path().to_owned();
        adjust(&mut config);
        let second = start_for_test_with_clock(&config, Arc::new(clock.clone()))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        import(&app, "published", &jsonl(dir.path(), "many.jsonl", 10..50));
        let ids = app
            .services()
            .store_for_tests()
            .article_ids()
            .await
            .unwrap();
        assert_eq!(ids.len(), 40, "{backend:?}");
        until("every document is pushed", || async {
            pushed(&app).await == 40
        })
        .await;
        for _ in 0..3 {
            assert_eq!(app.services().push.run_once().await.unwrap(), 0);
            assert_eq!(second.services.push.run_once().await.unwrap(), 0);
        }
        let mut urls = endpoint.urls();
        urls.sort();
        let mut expected: Vec<String> = ids.iter().map(|id| url_of(*id)).collect();
        expected.sort();
        assert_eq!(urls, expected, "{backend:?}: each URL exactly once");
        second.stop().await.unwrap();
        app.stop().await;
    }
}
