//! Test harness: the real server on 127.0.0.1:0 over a fresh database (SQLite or PostgreSQL), the
//! real `wenyuan` binary for CLI steps, and a cookie-keeping HTTP client.
//!
//! Tests run on a multi-thread runtime (`flavor = "multi_thread"`): a CLI step waits for its process
//! on the test's thread, and the in-process server must keep running meanwhile — on a single thread
//! a write transaction of the server would stay open and the CLI would find the database locked.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod search;
pub mod settings;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use reqwest::redirect::Policy;
use reqwest::StatusCode;
use std::sync::Arc;
use wenyuan::config::Config;

use wenyuan::server::{start_for_test, start_for_test_with_clock, RunningServer};
use wenyuan_core::ManualClock;
use wenyuan_store::testing::TestDatabase;
use wenyuan_store::Backend;

pub use wenyuan_store::testing::backends;

/// `shared/corpus` beside the repository.
pub fn corpus(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(path)
}

pub struct TestApp {
    pub backend: Backend,
    pub db: TestDatabase,
    pub server: Option<RunningServer>,
    pub base: String,
    pub clock: Option<ManualClock>,
}

/// One browser-like client: keeps its cookies, does not follow redirects (tests look at them).
pub struct Visitor {
    pub base: String,
    pub client: reqwest::Client,
}

/// A desktop browser's User-Agent: readers send one, and views without one do not count.
pub const BROWSER_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

pub struct Page {
    pub status: StatusCode,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl TestApp {
    /// A server over an empty database.
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    /// A server whose configuration the caller may adjust first.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::start_full(backend, None, adjust).await
    }

    /// A server whose "now" is `clock`: the test moves time with `clock.advance(…)`.
    pub async fn start_with_clock(backend: Backend, clock: ManualClock) -> TestApp {
        Self::start_full(backend, Some(clock), |_| {}).await
    }

    /// Both: a controlled clock and an adjusted configuration.
    pub async fn start_full(
        backend: Backend,
        clock: Option<ManualClock>,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let db = TestDatabase::new(backend).await;
        let mut config = test_config(&db);
        adjust(&mut config);
        let server = match &clock {
            Some(clock) => start_for_test_with_clock(&config, Arc::new(clock.clone())).await,
            None => start_for_test(&config).await,
        }
        .expect("server starts");
        let base = format!("http://{}", server.addr);
        TestApp {
            backend,
            db,
            server: Some(server),
            base,
            clock,
        }
    }

    /// Stop the server gracefully and start a new one on the same database (and clock).
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("server stops cleanly");
        }
        let config = test_config(&self.db);
        let server = match &self.clock {
            Some(clock) => start_for_test_with_clock(&config, Arc::new(clock.clone())).await,
            None => start_for_test(&config).await,
        }
        .expect("server restarts");
        self.base = format!("http://{}", server.addr);
        self.server = Some(server);
    }

    /// Run the real binary against this app's database, e.g. `app.cli(&["import", path])`.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.cli_with_stdin(args, None)
    }

    pub fn cli_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        use std::io::Write;
        let mut command = Command::new(env!("CARGO_BIN_EXE_wenyuan"));
        command
            .args(args)
            .env("WENYUAN_DATA", self.db.data_dir())
            .env("WENYUAN_DATABASE_URL", &self.db.url)
            .env_remove("WENYUAN_CONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("run wenyuan");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("wenyuan finishes")
    }

    /// `wenyuan import ARGS…`, asserting nothing; returns (exit code, stdout, stderr).
    pub fn import(&self, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["import"];
        all.extend_from_slice(args);
        let out = self.cli(&all);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Make the server see changes made by another process now, rather than within a second.
    pub async fn sync(&self) {
        self.services()
            .reading
            .apply_changes()
            .await
            .expect("apply changes");
    }

    /// The running server's services, for tests that call them directly.
    pub fn services(&self) -> &wenyuan_core::Services {
        &self.server.as_ref().expect("running").services
    }

    pub async fn add_user(&self, name: &str, password: &str, role: &str) {
        let out = self.cli_with_stdin(
            &[
                "user",
                "add",
                "--name",
                name,
                "--password-stdin",
                "--role",
                role,
            ],
            Some(&format!("{password}\n")),
        );
        assert!(
            out.status.success(),
            "user add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new visitor with its own cookies.
    /// A browser logged in as a new user `name` with `role` (member, vip, editor, admin); the
    /// password is `{name}-password`.
    pub async fn member(&self, name: &str, role: &str) -> Visitor {
        let password = format!("{name}-password");
        self.add_user(name, &password, role).await;
        let visitor = self.visitor();
        assert_eq!(visitor.login(name, &password).await.status, 303);
        visitor
    }

    pub fn visitor(&self) -> Visitor {
        Visitor {
            base: self.base.clone(),
            client: new_client(),
        }
    }

    /// A new reader with its own cookies and its own browser (User-Agent): two readers behind
    /// one address with the same browser are, on their first cookie-less request, one reader.
    /// Each reader also connects from an address of its own in 127.0.0.0/8 (all loopback), since
    /// one address counts only a few views of a document a day.
    pub fn reader(&self, n: usize) -> Visitor {
        let address = std::net::Ipv4Addr::new(127, 1, (n / 250 % 250) as u8, (n % 250 + 2) as u8);
        let client = reqwest::Client::builder()
            .user_agent(format!("{BROWSER_UA} reader/{n}"))
            .cookie_store(true)
            .redirect(Policy::none())
            .no_proxy()
            .local_address(std::net::IpAddr::V4(address))
            .build()
            .expect("client");
        Visitor {
            base: self.base.clone(),
            client,
        }
    }

    /// A client that sends no cookies back (a browser refusing them), with this User-Agent.
    pub fn cookieless(&self, user_agent: &str) -> Visitor {
        let client = client(user_agent, false);
        Visitor {
            base: self.base.clone(),
            client,
        }
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("server stops cleanly");
        }
    }
}

impl Visitor {
    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        page(response).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("POST");
        page(response).await
    }

    /// The CSRF token of the form on `path` (fetching it also sets the CSRF cookie).
    pub async fn csrf_from(&self, path: &str) -> String {
        let page = self.get(path).await;
        let marker = "name=\"csrf\" value=\"";
        let start = page
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no csrf field on {path}"))
            + marker.len();
        let end = page.body[start..].find('"').expect("end of token") + start;
        page.body[start..end].to_owned()
    }

    /// Log in through the form, as a browser would.
    /// Leave a message through the contact form (with its CSRF token, the honeypot left empty).
    pub async fn leave_message(&self, name: &str, contact: &str, message: &str) -> Page {
        let csrf = self.csrf_from("/contact").await;
        self.post_form(
            "/contact",
            &[
                ("csrf", &csrf),
                ("name", name),
                ("contact", contact),
                ("message", message),
                ("website", ""),
            ],
        )
        .await
    }

    pub async fn login(&self, name: &str, password: &str) -> Page {
        let csrf = self.csrf_from("/login").await;
        self.post_form(
            "/login",
            &[
                ("name", name),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ],
        )
        .await
    }
}

impl Visitor {
    /// Every document this visitor can reach through the list API, page after page, as the API
    /// lists them.
    pub async fn listed(&self) -> Vec<serde_json::Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let list: serde_json::Value = serde_json::from_str(
                &self
                    .get(&format!("/api/v1/articles?page={page}"))
                    .await
                    .body,
            )
            .expect("list JSON");
            all.extend(list["items"].as_array().expect("items").iter().cloned());
            if page >= list["pages"].as_i64().expect("pages") {
                break;
            }
        }
        all
    }

    /// The id of the document with this title, found through the list API.
    pub async fn id_of(&self, title: &str) -> i64 {
        self.listed()
            .await
            .iter()
            .find(|item| item["title"] == title)
            .and_then(|item| item["id"].as_i64())
            .unwrap_or_else(|| panic!("no document titled {title}"))
    }
}

fn new_client() -> reqwest::Client {
    client(BROWSER_UA, true)
}

/// A client with this User-Agent, keeping cookies or not, never following redirects (tests look
/// at them), never through a proxy.
fn client(user_agent: impl Into<String>, cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(user_agent.into())
        .cookie_store(cookies)
        .redirect(Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

pub async fn page(response: reqwest::Response) -> Page {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body");
    Page {
        status,
        body,
        headers,
    }
}

pub fn test_config(db: &TestDatabase) -> Config {
    Config {
        data_dir: db.data_dir(),
        database_url: db.url.clone(),
        listen: "127.0.0.1:0".to_owned(),
        metrics_listen: None,
        site: wenyuan_core::SiteSettings::default(),
        limits: wenyuan_web::ServerLimits {
            // Every test client connects from loopback: bursts of them are not one greedy client.
            max_connections_per_address: 100_000,
            ..wenyuan_web::ServerLimits::default()
        },
    }
}

/// Undo the HTML escaping minijinja applies, to compare page text with document text.
pub fn unescape_html(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The paragraphs a document's JSON (`/api/v1/articles/{id}`) gives this viewer.
pub fn paragraphs(doc: &serde_json::Value) -> Vec<&str> {
    doc["paragraphs"]
        .as_array()
        .expect("paragraphs")
        .iter()
        .map(|p| p.as_str().expect("a paragraph is text"))
        .collect()
}

/// Undo XML escaping (feeds, sitemaps, the .docx's document.xml).
pub fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The first table of a page.
pub fn table(html: &str) -> &str {
    let start = html.find("<table").expect("a table");
    let end = html[start..]
        .find("</table>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// ASCII words of the visible text (tags dropped), except file extensions (`.docx`) and the
/// names of formats and units an editor knows as such.
pub fn english_words(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for c in unescape_html(html).chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut after_dot = false;
    for c in text.chars().chain([' ']) {
        if c.is_ascii_alphabetic() {
            word.push(c);
            continue;
        }
        let known = ["Word", "zip", "XML", "JSON", "MB", "KB", "GB", "VIP"];
        if word.len() >= 2 && !after_dot && !known.contains(&word.as_str()) {
            words.push(std::mem::take(&mut word));
        }
        word.clear();
        after_dot = c == '.' || c == '/';
    }
    words
}

/// Sentences of a paragraph: split after 。！？；, keeping those long enough to be unmistakable.
pub fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in paragraph.chars() {
        current.push(c);
        if "。！？；".contains(c) {
            out.push(std::mem::take(&mut current));
        }
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| s.chars().count() >= 12)
        .collect()
}
