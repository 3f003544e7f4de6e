//! Everything around a document: honest view counts, 本周热门/本月热门, 相关内容, the QR code.
//! Time is a `ManualClock` the tests move; nothing sleeps.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, corpus, TestApp, BROWSER_UA};
use serde_json::Value;
use wenyuan_core::ManualClock;

/// A reader number not used before in this process.
fn rand_reader() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(1_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// 2024-06-01 12:00 in Shanghai.
const JUNE_FIRST_NOON: i64 = 1_717_214_400;
const DAY: i64 = 86_400;

async fn views(app: &TestApp, id: i64) -> i64 {
    app.services().views.flush().await.expect("flush");
    let page = app.visitor().get(&format!("/api/v1/articles/{id}")).await;
    let doc: Value = serde_json::from_str(&page.body).unwrap();
    doc["views"].as_i64().unwrap()
}

/// The view count shown on the page, as a guest sees it.
fn shown_views(html: &str) -> i64 {
    let start =
        html.find("<b class=\"views\">").expect("views on the page") + "<b class=\"views\">".len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].replace(',', "").parse().unwrap()
}

fn import_seed(app: &TestApp) -> i64 {
    let (code, out, err) = app.import(&[
        "--access",
        "member",
        corpus("seed/000_38663bb0f25ad367.txt").to_str().unwrap(),
    ]);
    assert_eq!(
        (code, out.trim()),
        (0, "imported 1, skipped 0, failed 0"),
        "{err}"
    );
    1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_counts_once_a_day_and_crawlers_prefetches_and_heads_never() {
    for backend in backends() {
        let clock = ManualClock::at(JUNE_FIRST_NOON);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        let id = import_seed(&app);
        app.sync().await;
        assert_eq!(
            views(&app, id).await,
            246,
            "{backend:?}: the imported count is the start"
        );

        let reader = app.visitor();
        for _ in 0..3 {
            assert_eq!(reader.get(&format!("/a/{id}")).await.status, 200);
        }
        assert_eq!(
            views(&app, id).await,
            247,
            "{backend:?}: three reads by one reader on one day"
        );
        app.reader(2).get(&format!("/a/{id}")).await;
        assert_eq!(views(&app, id).await, 248, "another reader");

        // Not readers: crawlers, HEAD, prefetch, no User-Agent at all.
        for ua in [
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            "Mozilla/5.0 (compatible; Googlebot/2.1)",
            "Mozilla/5.0 (compatible; Bytespider)",
            "Sogou web spider/4.0",
            "YisouSpider",
            "360Spider",
        ] {
            assert_eq!(
                app.cookieless(ua).get(&format!("/a/{id}")).await.status,
                200
            );
        }
        let head = reqwest::Client::new()
            .head(format!("{}/a/{id}", app.base))
            .header("user-agent", BROWSER_UA)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        let prefetch = reqwest::Client::new()
            .get(format!("{}/a/{id}", app.base))
            .header("user-agent", BROWSER_UA)
            .header("sec-purpose", "prefetch")
            .send()
            .await
            .unwrap();
        assert_eq!(prefetch.status(), 200);
        reqwest::Client::builder()
            .build()
            .unwrap()
            .get(format!("{}/a/{id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            views(&app, id).await,
            248,
            "{backend:?}: none of those counted"
        );

        // A browser that refuses cookies is known by its address and User-Agent.
        let cookieless = app.cookieless(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0",
        );
        for _ in 0..3 {
            cookieless.get(&format!("/a/{id}")).await;
        }
        assert_eq!(views(&app, id).await, 249);
        // The page shows the count.
        assert_eq!(
            shown_views(&reader.get(&format!("/a/{id}")).await.body),
            249
        );

        // The next day the same readers count again.
        clock.advance(DAY);
        reader.get(&format!("/a/{id}")).await;
        cookieless.get(&format!("/a/{id}")).await;
        assert_eq!(views(&app, id).await, 251, "{backend:?}: a new day");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_survive_a_graceful_restart() {
    for backend in backends() {
        let mut app = TestApp::start_with_clock(backend, ManualClock::at(JUNE_FIRST_NOON)).await;
        let id = import_seed(&app);
        app.sync().await;
        for n in 0..5 {
            app.reader(n).get(&format!("/a/{id}")).await;
        }
        // No explicit flush: stopping the server must write what is pending.
        app.restart().await;
        let page = app.visitor().get(&format!("/api/v1/articles/{id}")).await;
        let doc: Value = serde_json::from_str(&page.body).unwrap();
        assert_eq!(doc["views"], 251, "{backend:?}: 246 + 5 after a restart");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_distinct_readers_count_a_thousand_and_their_repeats_nothing() {
    let app = TestApp::start(backends()[0]).await;
    let id = import_seed(&app);
    app.sync().await;
    let before = views(&app, id).await;
    let read_all = |app: &TestApp| {
        let base = app.base.clone();
        async move {
            let mut tasks = Vec::new();
            for worker in 0..100 {
                let base = base.clone();
                tasks.push(tokio::spawn(async move {
                    for n in 0..10 {
                        // Each reader from an address of its own (one address counts only a few
                        // views of a document a day).
                        let address = std::net::Ipv4Addr::new(127, 3, worker, n + 2);
                        let client = reqwest::Client::builder()
                            .user_agent(BROWSER_UA)
                            .local_address(std::net::IpAddr::V4(address))
                            .build()
                            .unwrap();
                        let visitor = format!("reader-{worker:03}-{n:02}");
                        let status = client
                            .get(format!("{base}/a/{id}"))
                            .header("cookie", format!("wy_vid={visitor}"))
                            .send()
                            .await
                            .unwrap()
                            .status();
                        assert_eq!(status, 200);
                    }
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
        }
    };
    read_all(&app).await;
    assert_eq!(
        views(&app, id).await,
        before + 1000,
        "1,000 distinct readers"
    );
    read_all(&app).await;
    assert_eq!(
        views(&app, id).await,
        before + 1000,
        "the same readers again, the same day"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn week_and_month_lists_change_as_days_pass() {
    for backend in backends() {
        let clock = ManualClock::at(JUNE_FIRST_NOON);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/reports-sample.jsonl");
        assert_eq!(app.import(&[demo]).0, 0);
        app.sync().await;
        let (x, y) = (1, 2);
        let read = |id: i64, readers: usize| {
            let app = &app;
            async move {
                for _ in 0..readers {
                    let n = rand_reader();
                    app.reader(n).get(&format!("/a/{id}")).await;
                }
                app.services().views.flush().await.unwrap();
                // Hot lists are recomputed at most every 30 seconds.
                app.clock.as_ref().unwrap().advance(60);
            }
        };
        let hot = |window: &'static str| {
            let app = &app;
            async move {
                let page = app
                    .visitor()
                    .get(&format!("/api/v1/hot?window={window}&limit=10"))
                    .await;
                let list: Value = serde_json::from_str(&page.body).unwrap();
                list.as_array()
                    .unwrap()
                    .iter()
                    .map(|h| {
                        (
                            h["id"].as_i64().unwrap(),
                            h["views_in_window"].as_i64().unwrap(),
                        )
                    })
                    .collect::<Vec<_>>()
            }
        };
        assert!(hot("week").await.is_empty(), "nothing read yet");
        read(x, 3).await;
        read(y, 1).await;
        assert_eq!(hot("week").await, vec![(x, 3), (y, 1)], "{backend:?}");
        assert_eq!(hot("month").await, vec![(x, 3), (y, 1)]);

        clock.advance(8 * DAY);
        read(y, 3).await;
        assert_eq!(
            hot("week").await,
            vec![(y, 3)],
            "{backend:?}: x's reads are 8 days old"
        );
        assert_eq!(hot("month").await, vec![(y, 4), (x, 3)]);

        clock.advance(30 * DAY);
        assert!(hot("week").await.is_empty());
        assert!(
            hot("month").await.is_empty(),
            "{backend:?}: all older than 30 days"
        );

        // The pages show the lists too, and a bad window is a clear 4xx.
        read(x, 1).await;
        let page = app.visitor().get("/hot?window=week").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("2025年中华人民共和国国务院政府工作报告"));
        let home = app.visitor().get("/").await;
        assert!(home.body.contains("本周热门") && home.body.contains("本月热门"));
        assert_eq!(
            app.visitor().get("/api/v1/hot?window=year").await.status,
            422
        );
        assert_eq!(
            app.visitor().get("/api/v1/hot?limit=100000").await.status,
            400
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_documents_of_a_government_report_are_government_reports_first() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        // The reports and, to compete with them, the first 400 news items.
        let dir = tempfile::tempdir().unwrap();
        let news: String = std::fs::read_to_string(corpus("news.jsonl"))
            .unwrap()
            .lines()
            .take(400)
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(dir.path().join("news.jsonl"), news).unwrap();
        let (code, out, _) = app.import(&[
            corpus("reports.jsonl").to_str().unwrap(),
            dir.path().join("news.jsonl").to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}");
        app.sync().await;
        app.services().related.derive_keywords().await.unwrap();

        let visitor = app.visitor();
        let id = visitor
            .id_of("2024年中华人民共和国国务院政府工作报告")
            .await;
        let related: Value = serde_json::from_str(
            &visitor
                .get(&format!("/api/v1/articles/{id}/related"))
                .await
                .body,
        )
        .unwrap();
        let related = related.as_array().unwrap();
        assert_eq!(related.len(), 8, "{backend:?}");
        let titles: Vec<&str> = related
            .iter()
            .map(|r| r["title"].as_str().unwrap())
            .collect();
        assert!(
            related.iter().all(|r| r["id"] != id),
            "never the document itself"
        );
        for title in &titles[..5] {
            assert!(title.contains("政府工作报告"), "{backend:?}: {titles:?}");
        }
        let scores: Vec<f64> = related
            .iter()
            .map(|r| r["score"].as_f64().unwrap())
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "by score: {scores:?}"
        );
        let page = visitor.get(&format!("/a/{id}")).await.body;
        assert!(
            page.contains("相关内容") && page.contains(titles[0]),
            "shown on the page"
        );
        assert_eq!(
            visitor.get("/api/v1/articles/999999/related").await.status,
            404
        );
        app.stop().await;
    }
}

/// Decode a QR code in an SVG with real tools: rsvg-convert (librsvg2-bin) and zbarimg (zbar-tools).
fn decode_qr(svg: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("qr.svg");
    let png_path = dir.path().join("qr.png");
    std::fs::write(&svg_path, svg).unwrap();
    let convert = std::process::Command::new("rsvg-convert")
        .args(["--width", "400", "--background-color", "white", "-o"])
        .arg(&png_path)
        .arg(&svg_path)
        .status()
        .expect("rsvg-convert (apt-get install librsvg2-bin)");
    assert!(convert.success());
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png_path)
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    assert!(out.status.success(), "zbarimg found no code");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_share_qr_code_decodes_to_the_article_url() {
    let app = TestApp::start(backends()[0]).await;
    let id = import_seed(&app);
    app.sync().await;
    let page = app.visitor().get(&format!("/a/{id}")).await.body;
    assert!(page.contains("微信扫一扫在手机阅读、分享本文"));
    let start = page.find("<div class=\"qr\">").unwrap() + "<div class=\"qr\">".len();
    let end = page[start..].find("</svg>").unwrap() + start + "</svg>".len();
    let url = format!("{}/a/{id}", app.base);
    assert_eq!(decode_qr(&page[start..end]), url, "the inline QR");
    let svg = app.visitor().get(&format!("/a/{id}/qr.svg")).await;
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    assert_eq!(decode_qr(&svg.body), url, "/a/{{id}}/qr.svg");
    app.stop().await;

    // With a configured base URL, the QR names it, whatever the request's Host.
    let app = TestApp::start_with(backends()[0], |c| {
        c.site.base_url = Some("https://fanwen.example.com".into())
    })
    .await;
    let id = import_seed(&app);
    app.sync().await;
    let svg = app.visitor().get(&format!("/a/{id}/qr.svg")).await;
    assert_eq!(
        decode_qr(&svg.body),
        format!("https://fanwen.example.com/a/{id}")
    );
    app.stop().await;
}

/// A GET of `path` with this `Accept-Encoding` (none when `None`): (Content-Encoding, Vary, raw
/// body bytes).
async fn get_raw(
    client: &reqwest::Client,
    url: &str,
    accept_encoding: Option<&str>,
) -> (Option<String>, String, Vec<u8>) {
    let mut request = client.get(url);
    if let Some(value) = accept_encoding {
        request = request.header("accept-encoding", value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{url} with {accept_encoding:?}");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let encoding = header("content-encoding");
    let vary = header("vary").unwrap_or_default();
    (encoding, vary, response.bytes().await.unwrap().to_vec())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a valid gzip body");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gzip_article_page_is_exactly_the_plain_page_and_q0_refuses_it() {
    let app = TestApp::start(backends()[0]).await;
    let id = import_seed(&app);
    app.sync().await;
    // The keywords follow the import in the background and move the generation when they land
    // (the hot lists are made again then, and may hold this page's first view by that time):
    // derive them now so that every page below is rendered from one settled state.
    app.services().related.derive_keywords().await.unwrap();
    let url = format!("{}/a/{id}", app.base);
    // A cookie-less browser is one reader by address and User-Agent: its count stays put.
    let reader = app.cookieless(BROWSER_UA).client;

    // The first request renders the page (cache miss), the later ones reuse it.
    let (encoding, vary, gzip) = get_raw(&reader, &url, Some("gzip, deflate, br")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(
        vary.to_ascii_lowercase().contains("accept-encoding"),
        "{vary}"
    );
    let (encoding, vary, plain) = get_raw(&reader, &url, None).await;
    assert_eq!(encoding, None);
    assert!(
        vary.to_ascii_lowercase().contains("accept-encoding"),
        "{vary}"
    );
    assert_eq!(
        gunzip(&gzip),
        plain,
        "the gzip page decompresses to the plain one"
    );
    assert!(
        gzip.len() * 2 < plain.len(),
        "{} vs {}",
        gzip.len(),
        plain.len()
    );
    let shown = shown_views(std::str::from_utf8(&plain).unwrap());

    for refusing in ["gzip;q=0", "gzip; q=0.000, br", "*;q=0", "identity", "br"] {
        let (encoding, _, body) = get_raw(&reader, &url, Some(refusing)).await;
        assert_eq!(encoding, None, "{refusing}");
        assert_eq!(body, plain, "{refusing} gets the plain page");
    }
    let (encoding, _, again) = get_raw(&reader, &url, Some("br;q=1.0, gzip;q=0.5")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(gunzip(&again), plain, "the same count, the same page");

    // Another reader moves the count: both forms show the new one.
    app.reader(rand_reader()).get(&format!("/a/{id}")).await;
    let (_, _, gzip) = get_raw(&reader, &url, Some("gzip")).await;
    let (_, _, plain) = get_raw(&reader, &url, None).await;
    assert_eq!(gunzip(&gzip), plain);
    assert_eq!(shown_views(std::str::from_utf8(&plain).unwrap()), shown + 1);
    app.stop().await;
}
