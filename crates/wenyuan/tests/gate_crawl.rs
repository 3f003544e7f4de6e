//! The whole-site gate crawl (docs/design.md §2, issue 13): as a guest and as a search-engine
//! crawler, fetch every URL reachable from `/` — lists and their pages, categories, tags, 热门,
//! articles with their meta tags and JSON-LD, robots.txt, the sitemap index and its files, the
//! site feed and every category feed, search pages and the JSON API — and find no sentence of the
//! hidden part of any gated document anywhere. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use common::search::urlencode;
use common::{backends, corpus, unescape_html, xml_unescape, TestApp, Visitor};
use serde_json::Value;

/// Most URLs one crawl fetches: far more than the site has, so reaching it means a link loop.
const MAX_URLS: usize = 5_000;

fn paragraphs(api: &Value) -> Vec<String> {
    api["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

async fn json(visitor: &Visitor, path: &str) -> Value {
    let page = visitor.get(path).await;
    assert_eq!(page.status, 200, "{path}");
    serde_json::from_str(&page.body).unwrap()
}

/// Every document id a guest reaches through the list API.
async fn published_ids(guest: &Visitor) -> Vec<i64> {
    let mut ids = Vec::new();
    for page in 1.. {
        let list = json(guest, &format!("/api/v1/articles?page={page}")).await;
        for item in list["items"].as_array().unwrap() {
            ids.push(item["id"].as_i64().unwrap());
        }
        if page >= list["pages"].as_i64().unwrap() {
            break;
        }
    }
    ids
}

/// Sentences of gated documents that a guest may not read: past the preview, and not shown to
/// guests anywhere else either (the visible text of every document, headings and titles).
/// Returns (sentences, gated documents).
async fn hidden_sentences(guest: &Visitor, member: &Visitor) -> (Vec<String>, usize) {
    let ids = published_ids(guest).await;
    let mut visible_anywhere = String::new();
    let mut gated = Vec::new();
    for id in &ids {
        let api = json(guest, &format!("/api/v1/articles/{id}")).await;
        visible_anywhere.push_str(api["title"].as_str().unwrap());
        visible_anywhere.push('\n');
        for p in paragraphs(&api) {
            visible_anywhere.push_str(&p);
            visible_anywhere.push('\n');
        }
        for h in api["outline"].as_array().into_iter().flatten() {
            visible_anywhere.push_str(h["text"].as_str().unwrap_or_default());
            visible_anywhere.push('\n');
        }
        if api["gated"] == true {
            gated.push((*id, paragraphs(&api).len()));
        }
    }
    let mut hidden = BTreeSet::new();
    for (id, shown) in &gated {
        let full = json(member, &format!("/api/v1/articles/{id}")).await;
        assert_eq!(full["gated"], false, "the member reads {id} in full");
        for paragraph in &paragraphs(&full)[*shown..] {
            for sentence in common::sentences(paragraph) {
                if !visible_anywhere.contains(sentence.as_str()) {
                    hidden.insert(sentence);
                }
            }
        }
    }
    (hidden.into_iter().collect(), gated.len())
}

/// The hidden sentences, found in a page by their first characters (a page is some tens of
/// thousands of characters and there are thousands of sentences: one `contains` each would be
/// slow).
struct Needles {
    by_start: HashMap<String, Vec<String>>,
}

const START_CHARS: usize = 4;

impl Needles {
    fn new(sentences: &[String]) -> Self {
        let mut by_start: HashMap<String, Vec<String>> = HashMap::new();
        for s in sentences {
            let start: String = s.chars().take(START_CHARS).collect();
            by_start.entry(start).or_default().push(s.clone());
        }
        Needles { by_start }
    }

    fn find_in(&self, text: &str) -> Option<&str> {
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for (n, &at) in starts.iter().enumerate() {
            let end = starts.get(n + START_CHARS).copied().unwrap_or(text.len());
            if let Some(candidates) = self.by_start.get(&text[at..end]) {
                if let Some(found) = candidates
                    .iter()
                    .find(|s| text[at..].starts_with(s.as_str()))
                {
                    return Some(found);
                }
            }
        }
        None
    }
}

/// The local paths a page links to: `href`, sitemap `<loc>` and Atom `<id>`/links, absolute ones
/// of this site made local.
fn local_links(body: &str, base: &str) -> Vec<String> {
    let text = xml_unescape(&unescape_html(body));
    let mut out = Vec::new();
    for marker in ["href=\"", "<loc>", "<id>"] {
        for rest in text.split(marker).skip(1) {
            let end = rest.find(['"', '<']).unwrap_or(rest.len());
            let link = &rest[..end];
            let link = link.strip_prefix(base).unwrap_or(link);
            if link.starts_with('/') && !link.starts_with("//") {
                out.push(link.split('#').next().unwrap().to_owned());
            }
        }
    }
    out
}

/// Pages a guest is sent away from or that change state: not crawled (a crawler never logs in).
fn skipped(path: &str) -> bool {
    ["/admin", "/logout", "/static/", "/me/favorites"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Crawl from the seeds, following local links; returns the URLs fetched, counted by their first
/// path segment. Panics on the first hidden sentence found.
async fn crawl(
    visitor: &Visitor,
    seeds: &[String],
    hidden: &Needles,
    who: &str,
) -> BTreeMap<String, usize> {
    let mut queue: VecDeque<String> = seeds.iter().cloned().collect();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut fetched = 0;
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        assert!(fetched < MAX_URLS, "{who}: more than {MAX_URLS} URLs");
        let page = visitor.get(&path).await;
        fetched += 1;
        let kind = path
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or_default();
        *kinds.entry(format!("/{kind}")).or_default() += 1;
        assert!(
            !page.status.is_server_error(),
            "{who} {path}: {}",
            page.status
        );
        // (The search box repeats what was typed: six characters, shorter than any sentence.)
        let mut text = xml_unescape(&unescape_html(&page.body));
        if let Ok(json) = serde_json::from_str::<Value>(&page.body) {
            text.push_str(&json.to_string());
        }
        if let Some(sentence) = hidden.find_in(&text) {
            panic!("{who}: {path} shows hidden text: {sentence}");
        }
        let mut next = local_links(&page.body, &visitor.base);
        if let Some(location) = page.headers.get("location") {
            next.push(location.to_str().unwrap().to_owned());
        }
        // Every category's feed, whether or not its page links it.
        if path.starts_with("/c/") && !path.contains("/feed.xml") && !path.contains('?') {
            next.push(format!("{path}/feed.xml"));
        }
        // Search pages are seeded; their own links (filters × sorts × pages) would multiply
        // without reaching anything new.
        let from_search = path.starts_with("/search");
        for link in next {
            let link = link.strip_prefix(&visitor.base).unwrap_or(&link).to_owned();
            if skipped(&link) || (from_search && link.starts_with("/search")) {
                continue;
            }
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    kinds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_url_a_guest_or_crawler_reaches_shows_hidden_text() {
    for backend in backends() {
        let app = TestApp::start_with(backend, |c| c.site.search_per_minute = 0).await;
        // The reports, every third one tagged, so tag pages are crawled too.
        let dir = tempfile::tempdir().unwrap();
        let tagged = dir.path().join("tagged.jsonl");
        let lines: Vec<String> = std::fs::read_to_string(corpus("reports.jsonl"))
            .unwrap()
            .lines()
            .enumerate()
            .map(|(n, line)| {
                let mut record: Value = serde_json::from_str(line).unwrap();
                if n % 3 == 0 {
                    record["tags"] = serde_json::json!(["乡村振兴", "高质量发展"]);
                }
                record.to_string()
            })
            .collect();
        std::fs::write(&tagged, lines.join("\n")).unwrap();
        let (code, _, stderr) = app.import(&[
            "--access",
            "member",
            "--allow-near-duplicates",
            tagged.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let seed = corpus("seed/000_38663bb0f25ad367.txt");
        let (code, _, stderr) = app.import(&["--access", "public", seed.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        app.services().search.index_changes().await.unwrap();
        let guest = app.visitor();
        let member = app.member("reader", "member").await;
        // Reads, so the hot lists are not empty.
        for id in published_ids(&guest).await.iter().take(5) {
            app.reader(1).get(&format!("/a/{id}")).await;
        }
        app.services().views.flush().await.unwrap();
        app.services().hot.clear_cache();
        app.services().bump_generation();

        let (hidden, gated) = hidden_sentences(&guest, &member).await;
        assert!(gated >= 50, "{backend:?}: {gated} gated documents");
        assert!(hidden.len() >= 500, "{backend:?}: {}", hidden.len());

        let mut seeds: Vec<String> = ["/", "/robots.txt", "/sitemap.xml", "/feed.xml", "/hot"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for page in 1..=5 {
            seeds.push(format!("/api/v1/articles?page={page}"));
        }
        for id in published_ids(&guest).await {
            seeds.push(format!("/api/v1/articles/{id}"));
            seeds.push(format!("/api/v1/articles/{id}/related"));
        }
        seeds.push("/api/v1/hot?window=week".to_owned());
        seeds.push("/api/v1/hot?window=month".to_owned());
        // Searches for words of the hidden part: results may name the documents, never quote it.
        let mut words: Vec<String> = vec!["政府工作报告".into(), "乡村振兴".into(), "gzbg".into()];
        for sentence in hidden.iter().step_by(hidden.len() / 12 + 1) {
            words.push(sentence.chars().take(6).collect());
        }
        for w in &words {
            for path in ["/search?q=", "/api/v1/search?q=", "/api/v1/suggest?q="] {
                seeds.push(format!("{path}{}", urlencode(w)));
            }
            seeds.push(format!("/search?q={}&page=2", urlencode(w)));
        }

        let needles = Needles::new(&hidden);
        // The finder finds what it should.
        let sample = format!("<p>前文{}后文</p>", hidden[hidden.len() / 2]);
        assert_eq!(
            needles.find_in(&sample),
            Some(hidden[hidden.len() / 2].as_str())
        );
        // …and finds the hidden text where it belongs: a member's page of a gated document.
        let ids = published_ids(&guest).await;
        let as_member = member.get(&format!("/a/{}", ids[0])).await.body;
        assert!(
            needles.find_in(&unescape_html(&as_member)).is_some(),
            "{backend:?}"
        );
        let browser = crawl(&guest, &seeds, &needles, "guest").await;
        let crawler = app.cookieless(
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        );
        let spider = crawl(&crawler, &seeds, &needles, "Baiduspider").await;
        let google = app
            .cookieless("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        let googlebot = crawl(&google, &seeds, &needles, "Googlebot").await;
        let total = |kinds: &BTreeMap<String, usize>| kinds.values().sum::<usize>();
        eprintln!(
            "{backend:?}: {gated} gated documents, {} hidden sentences; URLs fetched: guest \
             {} {browser:?}, Baiduspider {}, Googlebot {}",
            hidden.len(),
            total(&browser),
            total(&spider),
            total(&googlebot)
        );
        // Every kind of page was reached, every article page among them.
        for kind in [
            "/",
            "/a",
            "/c",
            "/t",
            "/hot",
            "/search",
            "/api",
            "/sitemaps",
            "/feed.xml",
        ] {
            assert!(
                browser.contains_key(kind),
                "{backend:?}: no {kind} page crawled"
            );
        }
        assert!(browser["/a"] >= ids.len(), "{backend:?}: {browser:?}");
        assert_eq!(
            spider, browser,
            "{backend:?}: crawlers reach what guests reach"
        );
        app.stop().await;
    }
}
