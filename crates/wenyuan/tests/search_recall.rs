//! Search finds what a reader half-remembers (issue 14), on SQLite and PostgreSQL, over real
//! news titles: a piece of a title typed without the title's spaces, brackets and commas (or
//! with others), in simplified or traditional script; and a query that matches nothing as typed
//! falls back to its words, saying so.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::search::{search, titles, urlencode};
use common::{backends, corpus, TestApp};
use serde_json::Value;

/// News items imported: the first ones of the corpus (the 【领航中国】 item among them).
const NEWS: usize = 400;

/// Whether a character is set aside when matching (neither Han, letter nor digit).
fn separator(c: char) -> bool {
    !c.is_alphanumeric()
}

/// The first `NEWS` news items as a JSON-lines file, and their titles.
fn news_sample(dir: &std::path::Path) -> (std::path::PathBuf, Vec<String>) {
    let all = std::fs::read_to_string(corpus("news.jsonl")).unwrap();
    let lines: Vec<&str> = all.lines().take(NEWS).collect();
    let path = dir.join("news.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let titles = lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["title"].as_str().unwrap().to_owned()
        })
        .collect();
    (path, titles)
}

/// Up to 4 characters on each side of the first separator of `kind` in `title` that has Han
/// characters on both sides, separators left out: what a reader types remembering that part.
fn across(title: &str, kind: &dyn Fn(char) -> bool) -> Option<String> {
    let chars: Vec<char> = title.chars().collect();
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    for (i, c) in chars.iter().enumerate() {
        if !kind(*c) || i == 0 {
            continue;
        }
        let before: Vec<char> = chars[..i]
            .iter()
            .rev()
            .take_while(|c| is_han(**c))
            .take(4)
            .copied()
            .collect();
        let after_start = chars[i..].iter().position(|c| !separator(*c))? + i;
        let after: Vec<char> = chars[after_start..]
            .iter()
            .take_while(|c| is_han(**c))
            .take(4)
            .copied()
            .collect();
        if before.len() >= 2 && after.len() >= 2 {
            let mut query: String = before.iter().rev().collect();
            query.extend(after);
            return Some(query);
        }
    }
    None
}

async fn news_library(
    backend: wenyuan_store::Backend,
    dir: &std::path::Path,
) -> (TestApp, Vec<String>) {
    let (path, titles) = news_sample(dir);
    let app = TestApp::start(backend).await;
    let (code, out, err) = app.import(&["--access", "public", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    app.sync().await;
    app.services().search.index_changes().await.unwrap();
    (app, titles)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_title_is_found_without_its_spaces_brackets_and_commas() {
    let dir = tempfile::tempdir().unwrap();
    for backend in backends() {
        let (app, news) = news_library(backend, dir.path()).await;
        let guest = app.visitor();
        let title = "【领航中国】共护一江水 万里长江焕发新活力";
        assert!(news.iter().any(|t| t == title));
        let found = titles(&search(&guest, "共护一江水万里长江").await);
        assert_eq!(
            found.first().map(String::as_str),
            Some(title),
            "{backend:?}: {found:?}"
        );

        // One title of each kind of separator, chosen by rule from the sample.
        let kinds: [(&str, &dyn Fn(char) -> bool); 3] = [
            ("a space", &|c: char| c == ' ' || c == '\u{3000}'),
            ("【】", &|c: char| c == '】'),
            ("，or 、", &|c: char| c == '，' || c == '、'),
        ];
        for (what, kind) in kinds {
            let (title, query) = news
                .iter()
                .find_map(|t| across(t, kind).map(|q| (t.clone(), q)))
                .unwrap_or_else(|| panic!("a title with {what} in the sample"));
            let traditional = character_converter::simplified_to_traditional(&query).into_owned();
            assert_ne!(traditional, query, "{what}: {query} has a traditional form");
            for typed in [query.clone(), traditional] {
                let results = search(&guest, &typed).await;
                assert_eq!(results["partial"], false, "{backend:?}: {typed}: {results}");
                let found = titles(&results);
                assert_eq!(
                    found.first(),
                    Some(&title),
                    "{backend:?}: {typed} (across {what}) finds {title} first: {found:?}"
                );
            }
            // Both ways: the same characters with a separator the title does not have.
            let chars: Vec<char> = query.chars().collect();
            let spaced: String = chars[..1]
                .iter()
                .chain(['，'].iter())
                .chain(chars[1..].iter())
                .collect();
            let found = titles(&search(&guest, &spaced).await);
            assert_eq!(
                found.first(),
                Some(&title),
                "{backend:?}: {spaced}: {found:?}"
            );
        }

        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_that_finds_nothing_falls_back_to_its_words_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    for backend in backends() {
        let (app, _) = news_library(backend, dir.path()).await;
        let guest = app.visitor();
        let title = "【领航中国】共护一江水 万里长江焕发新活力";
        // As typed it is nowhere (the words are the other way round).
        for (query, why) in [
            ("万里长江共护一江水", "all its words, out of order"),
            ("万里长江焕发新活力美丽乡村振兴大业", "some of its words"),
        ] {
            let results = search(&guest, query).await;
            assert_eq!(results["partial"], true, "{backend:?}: {query}: {results}");
            assert_eq!(results["notice"], "未找到完全匹配，以下为部分匹配");
            let found = titles(&results);
            assert_eq!(
                found.first().map(String::as_str),
                Some(title),
                "{backend:?}: {query} ({why}): {found:?}"
            );
            let page = guest.get(&format!("/search?q={}", urlencode(query))).await;
            assert_eq!(page.status, 200);
            assert!(page.body.contains("未找到完全匹配，以下为部分匹配"));
            assert!(page.body.contains("共护一江水"));
        }
        // A query found as typed says nothing of the kind.
        let results = search(&guest, "共护一江水").await;
        assert_eq!(results["partial"], false);
        assert!(results["notice"].is_null());
        let page = guest
            .get(&format!("/search?q={}", urlencode("共护一江水")))
            .await;
        assert!(!page.body.contains("未找到完全匹配"));
        app.stop().await;
    }
}
