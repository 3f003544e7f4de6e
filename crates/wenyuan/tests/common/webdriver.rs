//! A minimal W3C WebDriver client over chromedriver and headless Chromium (Debian's `chromium` and
//! `chromium-driver`). Just what the browser tests need: open a page, find, type, click, read the
//! page source, resize, screenshot.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

pub struct Browser {
    driver: Child,
    http: reqwest::Client,
    session: String,
    base: String,
    _profile: tempfile::TempDir,
}

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

impl Browser {
    /// Start chromedriver on a free loopback port and open a headless session.
    pub async fn start() -> Browser {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        for _ in 0..100 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                        "--disable-quic", "--hide-scrollbars", "--lang=zh-CN", "--window-size=1280,900",
                        format!("--user-data-dir={}", profile.path().display()),
                    ]
                }
            }}
        });
        let response: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .unwrap();
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {response}"))
            .to_owned();
        Browser {
            driver,
            http,
            session,
            base,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let value: Value = request
            .send()
            .await
            .expect("webdriver call")
            .json()
            .await
            .expect("webdriver JSON");
        if value["value"].get("error").is_some() {
            panic!("WebDriver {path}: {}", value["value"]);
        }
        value["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Wait (up to 10 s) until the browser is at `url`, for navigations started by a click.
    pub async fn wait_for_url(&self, url: &str) -> String {
        let mut current = String::new();
        for _ in 0..100 {
            current = self.current_url().await;
            if current == url {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        current
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The visible text of the page (what a reader sees, not the markup).
    ///
    /// A page may still be replacing itself after a click (a form's POST, then its redirect):
    /// the body found a moment ago is then stale, and the text is asked again of the new one.
    pub async fn text(&self) -> String {
        for _ in 0..50 {
            let element = self.find("body").await;
            let url = format!(
                "{}/session/{}/element/{element}/text",
                self.base, self.session
            );
            let value: Value = self
                .http
                .get(url)
                .send()
                .await
                .expect("webdriver call")
                .json()
                .await
                .expect("webdriver JSON");
            match value["value"].get("error").and_then(Value::as_str) {
                None => return value["value"].as_str().unwrap_or_default().to_owned(),
                Some("stale element reference") => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Some(_) => panic!("WebDriver text: {}", value["value"]),
            }
        }
        panic!("the page kept changing for 5 s")
    }

    pub async fn find(&self, css: &str) -> String {
        let value = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        value
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// Save a PNG of the whole page (not only the viewport), through Chromium's DevTools command.
    pub async fn screenshot(&self, path: &Path) {
        let params = json!({ "cmd": "Page.captureScreenshot", "params": { "format": "png", "captureBeyondViewport": true } });
        let data = self
            .call(reqwest::Method::POST, "/goog/cdp/execute", Some(params))
            .await["data"]
            .clone();
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("PNG data");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Let downloads happen, saved into `dir` (headless Chromium refuses them otherwise).
    pub async fn download_into(&self, dir: &Path) {
        let params = json!({ "cmd": "Browser.setDownloadBehavior", "params": {
            "behavior": "allow", "downloadPath": dir.display().to_string() } });
        self.call(reqwest::Method::POST, "/goog/cdp/execute", Some(params))
            .await;
    }

    /// Print the current page to PDF as the browser's print dialog would (W3C "Print Page", A4,
    /// print media, backgrounds off); returns the PDF bytes.
    pub async fn print_pdf(&self) -> Vec<u8> {
        let params = json!({ "page": { "width": 21.0, "height": 29.7 }, "background": false });
        let data = self
            .call(reqwest::Method::POST, "/print", Some(params))
            .await;
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("PDF data");
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        pdf
    }

    pub async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
