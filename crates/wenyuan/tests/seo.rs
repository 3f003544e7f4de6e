//! What search engines and feed readers get: robots.txt, the sitemap index and its files, on
//! SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::{backends, corpus, xml_unescape, TestApp, Visitor};

/// The text of every `<tag>…</tag>` in `xml`, in order.
fn elements(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split(&open)
        .skip(1)
        .map(|rest| rest.split(&close).next().unwrap().to_owned())
        .collect()
}

/// The path of an absolute URL on this site.
fn local_path(url: &str, base: &str) -> String {
    url.strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not on {base}"))
        .to_owned()
}

/// `reports.jsonl` split into files by the status they are imported with: 60 published (half of
/// them for members only), and draft, hidden and pending ones.
fn write_library(dir: &Path) -> Vec<(String, &'static str, &'static str)> {
    let lines: Vec<String> = std::fs::read_to_string(corpus("reports.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let parts: [(&str, &str, std::ops::Range<usize>); 5] = [
        ("public", "published", 0..30),
        ("member", "published", 30..60),
        ("public", "draft", 60..70),
        ("member", "hidden", 70..80),
        ("public", "pending", 80..88),
    ];
    parts
        .into_iter()
        .map(|(access, status, range)| {
            let path = dir.join(format!("{access}-{status}.jsonl"));
            std::fs::write(&path, lines[range].join("\n")).unwrap();
            (path.to_str().unwrap().to_owned(), access, status)
        })
        .collect()
}

fn import_library(app: &TestApp, dir: &Path) {
    for (path, access, status) in write_library(dir) {
        let (code, _, stderr) = app.import(&[
            "--access",
            access,
            "--status",
            status,
            "--allow-near-duplicates",
            &path,
        ]);
        assert_eq!(code, 0, "{stderr}");
    }
}

/// Every document a guest can reach through the list API.
async fn published_ids(guest: &Visitor) -> HashSet<i64> {
    let mut ids = HashSet::new();
    for page in 1.. {
        let list: serde_json::Value = serde_json::from_str(
            &guest
                .get(&format!("/api/v1/articles?page={page}"))
                .await
                .body,
        )
        .unwrap();
        for item in list["items"].as_array().unwrap() {
            ids.insert(item["id"].as_i64().unwrap());
        }
        if page >= list["pages"].as_i64().unwrap() {
            break;
        }
    }
    ids
}

/// What a crawler finds: robots.txt names the index, the index names the files, the files name
/// the documents. Returns every document id listed, with repeats, and the number of files.
async fn crawl_sitemaps(crawler: &Visitor) -> (Vec<i64>, usize) {
    let base = &crawler.base;
    let robots = crawler.get("/robots.txt").await;
    assert_eq!(robots.status, 200);
    assert!(robots.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    for path in ["/admin", "/me", "/api", "/search"] {
        assert!(
            robots
                .body
                .lines()
                .any(|l| l == format!("Disallow: {path}")),
            "{}",
            robots.body
        );
    }
    let index_url = robots
        .body
        .lines()
        .find_map(|l| l.strip_prefix("Sitemap: "))
        .expect("robots.txt names the sitemap");
    let index = crawler.get(&local_path(index_url, base)).await;
    assert_eq!(index.status, 200);
    assert!(index.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    assert!(index.body.contains("<sitemapindex"), "{}", index.body);
    let files = elements(&index.body, "loc");
    let mut ids = Vec::new();
    for file in &files {
        let page = crawler.get(&local_path(file, base)).await;
        assert_eq!(page.status, 200, "{file}");
        assert!(page.body.contains("<urlset"));
        let locs = elements(&page.body, "loc");
        let lastmods = elements(&page.body, "lastmod");
        assert_eq!(locs.len(), lastmods.len());
        for (loc, lastmod) in locs.iter().zip(&lastmods) {
            // W3C date-time in the site's offset.
            assert_eq!(lastmod.len(), 25, "{lastmod}");
            assert!(lastmod.ends_with("+08:00"), "{lastmod}");
            let path = local_path(loc, base);
            let id: i64 = path.strip_prefix("/a/").unwrap().parse().unwrap();
            ids.push(id);
        }
    }
    (ids, files.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawler_finds_every_published_document_once_and_nothing_else() {
    for backend in backends() {
        let app = TestApp::start_with(backend, |c| c.site.sitemap_urls = 25).await;
        let dir = tempfile::tempdir().unwrap();
        import_library(&app, dir.path());
        app.sync().await;
        let guest = app.visitor();
        let published = published_ids(&guest).await;
        let all: HashSet<i64> = app
            .services()
            .store_for_tests()
            .article_ids()
            .await
            .unwrap()
            .into_iter()
            .collect();
        let unpublished: HashSet<i64> = all.difference(&published).copied().collect();
        assert!(published.len() >= 50, "{backend:?}: {}", published.len());
        assert!(
            unpublished.len() >= 20,
            "{backend:?}: {}",
            unpublished.len()
        );

        let crawler = app.cookieless("Mozilla/5.0 (compatible; Baiduspider/2.0)");
        let (ids, files) = crawl_sitemaps(&crawler).await;
        let listed: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(ids.len(), listed.len(), "{backend:?}: each document once");
        assert_eq!(listed, published, "{backend:?}: every published one");
        assert!(listed.is_disjoint(&unpublished));
        assert_eq!(files, published.len().div_ceil(25), "{backend:?}");
        // Gated documents are listed: their page is public, with the preview.
        let mut gated = 0;
        for id in &listed {
            let api = guest.get(&format!("/api/v1/articles/{id}")).await;
            gated += usize::from(api.body.contains("\"gated\":true"));
        }
        assert!(gated >= 20, "{backend:?}: {gated} gated documents listed");

        // A file past the end, or not a number, is not found.
        for path in [
            format!("/sitemaps/{}.xml", files + 1),
            "/sitemaps/0.xml".to_owned(),
            "/sitemaps/x.xml".to_owned(),
        ] {
            assert_eq!(crawler.get(&path).await.status, 404, "{path}");
        }

        // A new document shows in the sitemap once the server has seen it (the cache follows
        // the generation).
        let extra = dir.path().join("extra.txt");
        std::fs::copy(corpus("seed/000_38663bb0f25ad367.txt"), &extra).unwrap();
        let (code, _, stderr) = app.import(&[extra.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        let (again, _) = crawl_sitemaps(&crawler).await;
        let new_id = guest.id_of("在2020年区委读书会上的讲话").await;
        assert!(again.contains(&new_id), "{backend:?}");
        assert_eq!(again.len(), ids.len() + 1);
        app.stop().await;
    }
}

/// The `href` of the first link whose text is `text`.
fn href_of(html: &str, text: &str) -> String {
    let end = html
        .find(&format!("\">{text}</a>"))
        .unwrap_or_else(|| panic!("a link {text}"));
    let start = html[..end].rfind("href=\"").unwrap() + 6;
    common::unescape_html(&html[start..end])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_with_numbers_and_a_page_past_the_end_is_not_found() {
    for backend in backends() {
        let app = TestApp::start_with(backend, |c| {
            c.site.page_size = 5;
            c.site.search_per_minute = 0;
        })
        .await;
        let (code, _, stderr) = app.import(&[
            "--allow-near-duplicates",
            corpus("reports.jsonl").to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        app.services().search.index_changes().await.unwrap();
        let guest = app.visitor();
        let home = guest.get("/").await.body;
        let category = href_of(&home, "政府工作报告");
        let first = guest.get(&category).await;
        assert_eq!(first.status, 200);
        let body = &common::unescape_html(&first.body);
        let pages: i64 = body
            .split("<span class=\"total\">共 ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(pages >= 5, "{backend:?}: {pages}");
        // Numbers, an ellipsis, 末页 and the jump form; no 首页 on the first page.
        assert!(body.contains("<span class=\"current\" aria-current=\"page\">1</span>"));
        assert_eq!(href_of(body, "2"), format!("{category}?page=2"));
        assert_eq!(href_of(body, "末页"), format!("{category}?page={pages}"));
        assert_eq!(
            href_of(body, &pages.to_string()),
            format!("{category}?page={pages}")
        );
        assert!(body.contains("<span class=\"gap\">…</span>"));
        assert!(!body.contains(">首页</a><a rel=\"prev\""));
        assert!(body.contains(&format!("<link rel=\"next\" href=\"{category}?page=2\">")));
        assert!(!body.contains("<link rel=\"prev\""));
        assert!(body.contains(&format!(
            "<form class=\"jump\" method=\"get\" action=\"{category}\">"
        )));
        // The jump form's GET lands on the page asked for.
        let third = common::unescape_html(&guest.get(&format!("{category}?page=3")).await.body);
        assert!(third.contains("<span class=\"current\" aria-current=\"page\">3</span>"));
        assert!(third.contains(&format!(
            "<a href=\"{category}\">首页</a><a rel=\"prev\" href=\"{category}?page=2\">上一页</a>"
        )));
        assert!(third.contains(&format!("<link rel=\"prev\" href=\"{category}?page=2\">")));
        assert!(third.contains(&format!("<link rel=\"next\" href=\"{category}?page=4\">")));
        let last = guest.get(&format!("{category}?page={pages}")).await;
        assert_eq!(last.status, 200);
        assert!(!last.body.contains(">末页</a>"));

        // Past the end: not found, on every list.
        for path in [
            format!("{category}?page=9999"),
            format!("{category}?page={}", pages + 1),
            "/?page=9999".to_owned(),
            "/hot?page=9999".to_owned(),
            "/hot?window=month&page=2".to_owned(),
            "/search?q=报告&page=9999".to_owned(),
        ] {
            let page = guest.get(&path).await;
            assert_eq!(page.status, 404, "{backend:?} {path}");
        }
        // Search results page with numbers too, keeping the query.
        let search = common::unescape_html(&guest.get("/search?q=报告").await.body);
        assert_eq!(href_of(&search, "2"), "/search?q=%E6%8A%A5%E5%91%8A&page=2");
        assert!(search.contains(">末页</a>"));
        assert!(search.contains("<input type=\"hidden\" name=\"q\" value=\"报告\">"));
        app.stop().await;
    }
}

/// The sidebar's 热门推荐 box of a page.
fn hot_box(html: &str) -> &str {
    let start = html.find("aria-label=\"热门推荐\"").expect("the hot box");
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_site_shows_its_most_read_documents_as_hot_from_the_first_day() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        // The seed page carries 246 views from its old site; nothing has been read here yet.
        let seed = corpus("seed/000_38663bb0f25ad367.txt");
        let (code, _, stderr) = app.import(&[seed.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        let guest = app.visitor();
        let seed_title = "在2020年区委读书会上的讲话";
        let home = guest.get("/").await.body;
        let hot = hot_box(&home);
        for tab in ["tab-week", "tab-month"] {
            let list = hot.split(&format!("hotlist {tab}")).nth(1).unwrap();
            let list = &list[..list.find("</ol>").expect("a list, not an empty sentence")];
            assert!(list.contains(seed_title), "{backend:?} {tab}: {hot}");
            assert!(list.contains(">累计</span>"), "{tab}: marked as all-time");
        }
        assert!(!hot.contains("还没有阅读记录"));
        let page = guest.get("/hot").await.body;
        assert!(
            page.contains(seed_title) && page.contains("累计</span>阅读 246"),
            "{page}"
        );
        assert!(!page.contains("<li class=\"empty\""));

        // A document read this week comes first, unmarked; the seed fills the rest.
        let (code, _, stderr) = app.import(&[
            "--access",
            "public",
            corpus("reports.jsonl").to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        let read_title = "2025年中华人民共和国国务院政府工作报告";
        let read_id = guest.id_of(read_title).await;
        for n in 0..3 {
            app.reader(n).get(&format!("/a/{read_id}")).await;
        }
        app.services().views.flush().await.unwrap();
        app.services().hot.clear_cache();
        app.services().bump_generation();
        let page = guest.get("/hot").await.body;
        let read_at = page.find(read_title).expect("the read document");
        let seed_at = page.find(seed_title).expect("the seed");
        assert!(read_at < seed_at, "{backend:?}: the window's entries first");
        assert!(page[read_at..seed_at].contains("阅读 3<"), "{backend:?}");
        assert!(!page[read_at..seed_at].contains("累计"));
        assert!(page[seed_at..].contains("累计</span>阅读 246"));
        // The API's hot list stays the window's own.
        let api: serde_json::Value =
            serde_json::from_str(&guest.get("/api/v1/hot?window=week").await.body).unwrap();
        let ids: Vec<i64> = api
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [read_id]);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_hot_list_is_a_sentence() {
    let app = TestApp::start(backends()[0]).await;
    let guest = app.visitor();
    let home = guest.get("/").await.body;
    let hot = hot_box(&home);
    assert!(hot.contains("<p class=\"hotlist empty tab-week\">本周还没有阅读记录。</p>"));
    assert!(!hot.contains("<ol"));
    let page = guest.get("/hot").await.body;
    assert!(page.contains("<p class=\"empty\">这段时间还没有阅读记录。</p>"));
    assert!(!page.contains("<ol class=\"hotlist"));
    app.stop().await;
}

/// The JSON-LD of a page, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let marker = "<script type=\"application/ld+json\">";
    let start = html.find(marker).expect("JSON-LD") + marker.len();
    let end = html[start..].find("</script>").unwrap() + start;
    serde_json::from_str(&html[start..end]).expect("the JSON-LD parses")
}

/// The `content` of `<meta property|name="{key}">`.
fn meta(html: &str, key: &str) -> String {
    let marker = format!("=\"{key}\" content=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("meta {key}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    common::unescape_html(&html[start..end])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gated_article_says_so_in_its_markup_and_shows_crawlers_only_the_preview() {
    for backend in backends() {
        let app = TestApp::start_with(backend, |c| c.site.site_name = "范文网".to_owned()).await;
        let dir = tempfile::tempdir().unwrap();
        let hostile = dir.path().join("hostile.jsonl");
        std::fs::write(
            &hostile,
            serde_json::json!({
                "title": "关于</script><script>alert(1)</script>的通知",
                "date": "2024-05-06",
                "body": "第一段。\n第二段。",
            })
            .to_string(),
        )
        .unwrap();
        let (code, _, stderr) = app.import(&[
            "--access",
            "member",
            "--allow-near-duplicates",
            corpus("reports.jsonl").to_str().unwrap(),
            hostile.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        let guest = app.visitor();
        let member = app.member("reader", "member").await;
        let title = "2025年中华人民共和国国务院政府工作报告";
        let id = guest.id_of(title).await;
        let api: serde_json::Value =
            serde_json::from_str(&guest.get(&format!("/api/v1/articles/{id}")).await.body).unwrap();
        assert_eq!(api["gated"], true);
        let visible: Vec<&str> = api["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let visible = visible.join(" ");

        let page = guest.get(&format!("/a/{id}")).await.body;
        let url = format!("{}/a/{id}", guest.base);
        assert!(common::unescape_html(&page)
            .contains(&format!("<link rel=\"canonical\" href=\"{url}\">")));
        let ld = json_ld(&page);
        assert_eq!(ld["@type"], "Article");
        assert_eq!(ld["headline"], title);
        assert_eq!(ld["datePublished"], "2025-03-05");
        assert!(ld["dateModified"].as_str().unwrap().ends_with("+08:00"));
        assert_eq!(ld["author"]["name"], "范文网");
        assert_eq!(ld["publisher"]["name"], "范文网");
        assert_eq!(ld["isAccessibleForFree"], false);
        assert_eq!(ld["hasPart"]["@type"], "WebPageElement");
        assert_eq!(ld["hasPart"]["isAccessibleForFree"], false);
        // The selector names a class an element of the page really carries.
        let selector = ld["hasPart"]["cssSelector"].as_str().unwrap();
        let class = selector.strip_prefix('.').expect("a class selector");
        assert!(
            page.split("class=\"").skip(1).any(|rest| rest
                .split('"')
                .next()
                .unwrap()
                .split(' ')
                .any(|c| c == class)),
            "{backend:?}: no element has class {class}"
        );
        assert!(page.contains("<section class=\"gate\" id=\"gate\">"));
        // Descriptions are the start of the preview, for guests and members alike.
        let description = meta(&page, "og:description");
        assert!(description.chars().count() >= 20);
        assert!(visible.starts_with(&description), "{description}");
        assert_eq!(ld["description"], description.as_str());
        assert_eq!(meta(&page, "description"), description);
        assert_eq!(meta(&page, "og:title"), title);
        assert_eq!(meta(&page, "og:site_name"), "范文网");
        let as_member = member.get(&format!("/a/{id}")).await.body;
        assert_eq!(meta(&as_member, "og:description"), description);
        assert_eq!(json_ld(&as_member)["isAccessibleForFree"], false);

        // A title cannot end the script element.
        let hostile_id = guest
            .id_of("关于</script><script>alert(1)</script>的通知")
            .await;
        let page = guest.get(&format!("/a/{hostile_id}")).await.body;
        assert!(!page.contains("<script>alert(1)"));
        assert_eq!(
            json_ld(&page)["headline"],
            "关于</script><script>alert(1)</script>的通知"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_carry_only_what_a_guest_may_read() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, _, stderr) = app.import(&[
            "--access",
            "member",
            "--allow-near-duplicates",
            corpus("reports.jsonl").to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        app.sync().await;
        let guest = app.visitor();
        let member = app.member("reader", "member").await;
        let home = guest.get("/").await.body;
        assert!(home.contains("<link rel=\"alternate\" type=\"application/atom+xml\""));
        let category = href_of(&home, "政府工作报告");
        let reader = app.cookieless("Feedly/1.0");
        let mut checked_gated = 0;
        for path in ["/feed.xml".to_owned(), format!("{category}/feed.xml")] {
            let feed = reader.get(&path).await;
            assert_eq!(feed.status, 200, "{backend:?} {path}");
            assert!(feed.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml"));
            assert!(feed
                .body
                .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
            let entries: Vec<&str> = feed.body.split("<entry>").skip(1).collect();
            assert_eq!(entries.len(), 20, "{path}");
            for entry in entries {
                let link = elements(entry, "id").remove(0);
                let id: i64 = link.rsplit('/').next().unwrap().parse().unwrap();
                assert!(entry.contains("<published>") && entry.contains("<updated>"));
                let summary = entry
                    .split("<summary type=\"text\">")
                    .nth(1)
                    .and_then(|rest| rest.split("</summary>").next())
                    .map(xml_unescape)
                    .expect("a summary");
                let api: serde_json::Value =
                    serde_json::from_str(&guest.get(&format!("/api/v1/articles/{id}")).await.body)
                        .unwrap();
                let paragraphs = |v: &serde_json::Value| -> Vec<String> {
                    v["paragraphs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p.as_str().unwrap().to_owned())
                        .collect()
                };
                let visible = paragraphs(&api);
                assert_eq!(summary, visible.join("\n"), "{backend:?} {path} {id}");
                assert_eq!(xml_unescape(&elements(entry, "title")[0]), api["title"]);
                if api["gated"] == true {
                    checked_gated += 1;
                    let full: serde_json::Value = serde_json::from_str(
                        &member.get(&format!("/api/v1/articles/{id}")).await.body,
                    )
                    .unwrap();
                    for hidden in &paragraphs(&full)[visible.len()..] {
                        // Sentences the preview also holds (a heading repeated) are no secret.
                        for sentence in common::sentences(hidden)
                            .into_iter()
                            .filter(|s| !visible.iter().any(|v| v.contains(s.as_str())))
                        {
                            assert!(!summary.contains(&sentence), "{id}: {sentence}");
                        }
                    }
                }
            }
            // A category feed lists that category only.
            if path != "/feed.xml" {
                assert!(feed.body.contains("<title>文渊 · 政府工作报告</title>"));
            }
        }
        assert!(checked_gated >= 20, "{backend:?}: {checked_gated}");
        assert_eq!(reader.get("/c/no-such/feed.xml").await.status, 404);
        app.stop().await;
    }
}
