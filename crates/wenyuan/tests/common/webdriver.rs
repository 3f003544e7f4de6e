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

/// How long a loaded machine (CI compiling and testing on 2 cores) may take to bring chromedriver
/// up and to answer a new session; a start that takes longer is retried from scratch.
const DRIVER_READY: Duration = Duration::from_secs(30);
const START_ATTEMPTS: usize = 3;

/// How long `find` waits for an element to appear: after a click the next page may still be loading.
const FIND_PATIENCE: Duration = Duration::from_secs(10);

impl Browser {
    /// Start chromedriver on a free loopback port and open a headless session.
    ///
    /// Under load chromedriver has been seen not to listen within 10 s, or to lose the port to
    /// another process between our probe and its bind: each attempt starts a fresh driver on a
    /// fresh port, and a failed one is killed with everything it started.
    pub async fn start() -> Browser {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        let mut failures = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            match Self::try_start().await {
                Ok(browser) => return browser,
                Err(reason) => {
                    eprintln!("browser start, attempt {attempt}: {reason}");
                    failures.push(reason);
                }
            }
        }
        panic!("chromedriver did not start: {failures:?}")
    }

    async fn try_start() -> Result<Browser, String> {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            listener.local_addr().map_err(|e| e.to_string())?.port()
        };
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let log_path = profile.path().join("chromedriver.log");
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .arg(format!("--log-path={}", log_path.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so that Drop can kill chromedriver and the Chromium it started.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .spawn()
            .map_err(|e| format!("spawn chromedriver: {e}"))?;
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| e.to_string())?;
        let mut browser = Browser {
            driver,
            http,
            session: String::new(),
            base,
            _profile: profile,
        };
        let log_tail = |path: &Path| {
            let log = std::fs::read_to_string(path).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            lines[lines.len().saturating_sub(15)..].join("\n")
        };
        let deadline = tokio::time::Instant::now() + DRIVER_READY;
        loop {
            if let Ok(Some(status)) = browser.driver.try_wait() {
                return Err(format!(
                    "chromedriver exited ({status}): {}",
                    log_tail(&log_path)
                ));
            }
            if let Ok(r) = browser
                .http
                .get(format!("{}/status", browser.base))
                .send()
                .await
            {
                if r.status().is_success() {
                    break;
                }
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "chromedriver not listening on {} after {DRIVER_READY:?}: {}",
                    browser.base,
                    log_tail(&log_path)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                        "--disable-quic", "--hide-scrollbars", "--lang=zh-CN", "--window-size=1280,900",
                        format!("--user-data-dir={}", browser._profile.path().join("profile").display()),
                    ]
                }
            }}
        });
        let response: Value = browser
            .http
            .post(format!("{}/session", browser.base))
            .json(&capabilities)
            .timeout(Duration::from_secs(90))
            .send()
            .await
            .map_err(|e| format!("new session: {e}: {}", log_tail(&log_path)))?
            .json()
            .await
            .map_err(|e| format!("new session answer: {e}"))?;
        browser.session = response["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no WebDriver session: {response}: {}", log_tail(&log_path)))?
            .to_owned();
        Ok(browser)
    }

    /// One WebDriver command: its `value`, or the error WebDriver answered with.
    async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, WebDriverError> {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let mut answer: Value = request
            .send()
            .await
            .expect("webdriver call")
            .json()
            .await
            .expect("webdriver JSON");
        let value = answer["value"].take();
        match value.get("error").and_then(Value::as_str) {
            None => Ok(value),
            Some(code) => Err(WebDriverError {
                code: code.to_owned(),
                answer: value.clone(),
            }),
        }
    }

    /// A command that must succeed.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.raw(method, path, body.as_ref())
            .await
            .unwrap_or_else(|e| panic!("WebDriver {path}: {}", e.answer))
    }

    /// A command on the element matching `css`, finding it again while the page is still loading
    /// or replacing itself (a click's navigation, a form's POST and its redirect): the element
    /// found a moment ago then belongs to the old document.
    async fn on_element(&self, css: &str, action: &str, body: Option<Value>) -> Value {
        let deadline = tokio::time::Instant::now() + FIND_PATIENCE;
        loop {
            let element = self.find(css).await;
            let method = if body.is_some() {
                reqwest::Method::POST
            } else {
                reqwest::Method::GET
            };
            let path = format!("/element/{element}/{action}");
            match self.raw(method, &path, body.as_ref()).await {
                Ok(value) => return value,
                Err(e) if e.page_was_replaced() && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("WebDriver {action} on {css}: {}", e.answer),
            }
        }
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

    /// The page's visible text once it contains `needle` (waiting up to 10 s for a navigation
    /// to land); the text as it is then, if it never does, for the caller's message.
    pub async fn wait_for_text(&self, needle: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            text = self.text().await;
            if text.contains(needle) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        text
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The visible text of the page (what a reader sees, not the markup).
    pub async fn text(&self) -> String {
        self.on_element("body", "text", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The element matching `css`, waiting for it while a page is still loading or replacing
    /// itself.
    pub async fn find(&self, css: &str) -> String {
        let deadline = tokio::time::Instant::now() + FIND_PATIENCE;
        let query = json!({ "using": "css selector", "value": css });
        loop {
            match self
                .raw(reqwest::Method::POST, "/element", Some(&query))
                .await
            {
                Ok(value) => {
                    return value
                        .as_object()
                        .and_then(|o| o.values().next())
                        .and_then(Value::as_str)
                        .unwrap_or_else(|| panic!("no element {css}"))
                        .to_owned()
                }
                Err(e)
                    if (e.code == "no such element" || e.page_was_replaced())
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("WebDriver find {css}: {}", e.answer),
            }
        }
    }

    /// Open the login page at `login_url` (with its `next=`), fill in name and password, and
    /// submit; the caller waits for where the login leads.
    pub async fn log_in(&self, login_url: &str, name: &str, password: &str) {
        self.goto(login_url).await;
        self.type_into("input[name=name]", name).await;
        self.type_into("input[name=password]", password).await;
        self.click("#login-submit").await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, "value", Some(json!({ "text": text })))
            .await;
    }

    pub async fn click(&self, css: &str) {
        self.on_element(css, "click", Some(json!({}))).await;
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

    pub async fn quit(self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        // Drop kills what is left.
    }
}

/// An error answer from WebDriver: its code and the whole answer, for the panic message.
struct WebDriverError {
    code: String,
    answer: Value,
}

impl WebDriverError {
    /// The element asked about belongs to a document the browser has since left: a navigation
    /// landed between finding the element and using it. Chromium says so in two ways: the W3C
    /// "stale element reference", and, when the switch happens mid-command, an "unknown error"
    /// from its inspector ("Node with given id does not belong to the document", "No node with
    /// given id found", "Cannot find context with specified id").
    fn page_was_replaced(&self) -> bool {
        if self.code == "stale element reference" {
            return true;
        }
        let message = self.answer["message"].as_str().unwrap_or_default();
        self.code == "unknown error"
            && [
                "does not belong to the document",
                "No node with given id",
                "Cannot find context",
            ]
            .iter()
            .any(|m| message.contains(m))
    }
}

impl Drop for Browser {
    /// Kill chromedriver and every Chromium process it started (they share its process group),
    /// also when a test panics before `quit`: a failed test must not leave browsers behind.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
