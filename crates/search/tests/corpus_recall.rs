//! Measurements of issue 14 over the shared corpus's titles.
//!
//! Item 5: a reader typing the start of a title sees that title among the search
//! box's 8 suggestions. Over the corpus's titles (news and reports, titles only: suggestions
//! match titles alone), 1,000 titles drawn with a fixed seed; each typed as its first 4
//! characters (separators aside) and as the initials of its start (4 letters). Prints the share
//! found, next to the bound no ranking can pass: a title is out of reach when more than 8 other
//! distinct titles start with the same 4 characters.
//!
//! Item 2: every title written in traditional script (character_converter's s→t, which picks
//! variants such as 咊, 㕥, 旹) folds back to the title's own folding, and finds the title.
//!
//! Run (about a minute in a debug build):
//!     cargo test -p wenyuan-search --test corpus_recall -- --ignored --nocapture

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::Path;

use wenyuan_search::analysis::joined;
use wenyuan_search::{IndexDoc, SearchIndex};
use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::{initials_key, title_readings};

const SAMPLE: usize = 1000;
const TYPED: usize = 4;

fn corpus_titles() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut out = Vec::new();
    for file in ["news.jsonl", "reports.jsonl"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let date = v["date"].as_str().unwrap_or("2020-01-01").to_owned();
            out.push((v["title"].as_str().unwrap().to_owned(), date));
        }
    }
    out
}

/// The first `TYPED` characters of the title, separators aside, folded as search folds them.
fn typed_start(title: &str) -> String {
    joined(&fold(title)).chars().take(TYPED).collect()
}

/// A fresh index holding the titles alone (ids from 1, in order), committed; the folder goes
/// with it.
fn index_of_titles(titles: &[(String, String)]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    for (i, (title, date)) in titles.iter().enumerate() {
        index
            .upsert(&IndexDoc {
                id: i as i64 + 1,
                title: title.clone(),
                access: "public".to_owned(),
                date: date.clone(),
                ..Default::default()
            })
            .unwrap();
    }
    index.commit(1, "").unwrap();
    (dir, index)
}

#[test]
#[ignore = "a measurement over the shared corpus: run with --ignored --release"]
fn typed_title_starts_show_their_title() {
    let titles = corpus_titles();
    let (_dir, index) = index_of_titles(&titles);
    index.merge_segments().unwrap();

    let mut by_start: HashMap<String, HashSet<&str>> = HashMap::new();
    for (title, _) in &titles {
        by_start
            .entry(typed_start(title))
            .or_default()
            .insert(title.as_str());
    }
    // A fixed-seed linear congruential draw: the same 1,000 titles every run.
    let mut state: u64 = 20_240_601;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let (mut chars_found, mut initials_found, mut initials_n, mut reachable) = (0, 0, 0, 0);
    let mut first = 0;
    for _ in 0..SAMPLE {
        let (title, _) = &titles[next() % titles.len()];
        let shown = |query: &str| -> Vec<String> {
            index
                .suggest(query, 8)
                .unwrap()
                .into_iter()
                .map(|id| titles[id as usize - 1].0.clone())
                .collect()
        };
        let start = typed_start(title);
        let got = shown(&start);
        chars_found += usize::from(got.contains(title));
        first += usize::from(got.first() == Some(title) && fold(&joined(title)) == start);
        reachable += usize::from(by_start[&start].len() <= 8);
        if let Some(words) = title_readings(title).first() {
            let key = initials_key(words);
            if key.len() >= TYPED {
                initials_n += 1;
                initials_found += usize::from(shown(&key[..TYPED]).contains(title));
            }
        }
    }
    let rate = |n: usize, of: usize| n as f64 / of.max(1) as f64;
    println!(
        "suggestions over {} titles, {SAMPLE} drawn: first {TYPED} characters -> the title among 8: {:.3} (unambiguous: {:.3} of the titles share their start with at most 7 other distinct titles); initials of the start ({TYPED} letters): {:.3} of {initials_n}",
        titles.len(),
        rate(chars_found, SAMPLE),
        rate(reachable, SAMPLE),
        rate(initials_found, initials_n),
    );
    let _ = first;
}

#[test]
#[ignore = "a measurement over the shared corpus: run with --ignored"]
fn titles_in_traditional_script_fold_back_and_are_found() {
    let titles = corpus_titles();
    let traditional: Vec<String> = titles
        .iter()
        .map(|(t, _)| character_converter::simplified_to_traditional(t).into_owned())
        .collect();
    let unmapped: Vec<usize> = (0..titles.len())
        .filter(|&i| fold(&traditional[i]) != fold(&titles[i].0))
        .collect();
    let chars: HashSet<char> = unmapped
        .iter()
        .flat_map(|&i| {
            let simplified: Vec<char> = fold(&titles[i].0).chars().collect();
            fold(&traditional[i])
                .chars()
                .zip(simplified)
                .filter(|(t, s)| t != s)
                .map(|(t, _)| t)
                .collect::<Vec<_>>()
        })
        .collect();
    let (_dir, index) = index_of_titles(&titles);
    let found = unmapped
        .iter()
        .filter(|&&i| {
            let request = wenyuan_search::SearchRequest {
                query: format!("\"{}\"", traditional[i]),
                limit: 10,
                ..Default::default()
            };
            let hits = index.search(&request).unwrap().hits;
            hits.iter().any(|(id, _)| *id == i as i64 + 1)
        })
        .count();
    let mut chars: Vec<char> = chars.into_iter().collect();
    chars.sort_unstable();
    println!(
        "traditional script: {} of {} titles do not fold back to their own folding ({} characters: {}); {found} of those found by their traditional form as a phrase (first 10); the others fold exactly as their simplified title",
        unmapped.len(),
        titles.len(),
        chars.len(),
        chars.iter().take(40).collect::<String>()
    );
}
