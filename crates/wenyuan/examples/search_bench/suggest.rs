//! Suggestion latency: what the search box asks `GET /api/v1/suggest?q=` while a reader types.
//! Inputs are the starts of corpus titles as typed: 1-4 characters, 2-8 letters of the title's
//! full pinyin, 2-4 of its initials. Target (issue 4): under 5 ms.

use std::time::Instant;

use anyhow::Result;
use wenyuan_core::Services;
use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::{full_key, initials_key, title_readings};

use crate::{latency_row, ms, percentile, say, Record, Rng};

const CLASSES: [&str; 3] = [
    "title prefix (1-4 chars)",
    "full pinyin prefix (2-8)",
    "initials prefix (2-4)",
];

/// The start of a title as a reader of class `class` types it, if the title has one.
fn typed_prefix(rng: &mut Rng, class: usize, title: &str) -> Option<String> {
    let folded = fold(title);
    let letters = |key: String, lo: usize, hi: usize, rng: &mut Rng| {
        let len = rng.range(lo, hi).min(key.len());
        let prefix = &key[..len];
        (len >= 2 && prefix.bytes().all(|b| b.is_ascii_lowercase())).then(|| prefix.to_owned())
    };
    match class {
        0 => {
            let chars: Vec<char> = folded.chars().collect();
            let len = rng.range(1, 4).min(chars.len());
            let prefix = &chars[..len];
            prefix
                .iter()
                .all(|c| wenyuan_search::analysis::is_cjk(*c))
                .then(|| prefix.iter().collect())
                .filter(|p: &String| !p.is_empty())
        }
        1 => letters(full_key(title_readings(title).first()?), 2, 8, rng),
        _ => letters(initials_key(title_readings(title).first()?), 2, 4, rng),
    }
}

/// Median and p99 of `Services::suggest` (index + titles from the database) and of the index
/// alone over `total` typed prefixes.
pub async fn latency(lib: &Services, records: &[Record], total: usize, seed: u64) -> Result<()> {
    if total == 0 {
        return Ok(());
    }
    let mut rng = Rng(seed ^ 0x5066);
    let mut inputs: Vec<(usize, String, &str)> = Vec::with_capacity(total);
    let mut tries = 0;
    while inputs.len() < total && tries < total * 100 {
        tries += 1;
        let class = inputs.len() % CLASSES.len();
        let title = &records[rng.below(records.len())].title;
        if let Some(prefix) = typed_prefix(&mut rng, class, title) {
            inputs.push((class, prefix, title));
        }
    }
    say("suggestions: warm-up");
    for (_, q, _) in &inputs {
        lib.search.suggest(q).await?;
    }
    say("suggestions: measuring");
    let index = lib.search.index()?.clone();
    let mut full: Vec<Vec<f64>> = vec![Vec::new(); CLASSES.len()];
    let mut counts: Vec<Vec<usize>> = vec![Vec::new(); CLASSES.len()];
    let mut found = vec![0usize; CLASSES.len()];
    let mut index_only: Vec<Vec<f64>> = vec![Vec::new(); CLASSES.len()];
    for (class, q, title) in &inputs {
        let started = Instant::now();
        let suggestions = lib.search.suggest(q).await?;
        full[*class].push(ms(started.elapsed()));
        counts[*class].push(suggestions.len());
        found[*class] += usize::from(suggestions.iter().any(|s| s.title == *title));
        let started = Instant::now();
        index.suggest(q, 8)?;
        index_only[*class].push(ms(started.elapsed()));
    }
    println!();
    println!(
        "suggestions: {} typed title starts (seed {}), Services::suggest (index + titles from the database, 8 at most), after one warm-up pass; \"med. hits\" = suggestions returned",
        inputs.len(),
        seed ^ 0x5066
    );
    println!("{}", crate::latency_header());
    for (c, label) in CLASSES.iter().enumerate() {
        println!("{}", latency_row(label, &full[c], &counts[c]));
    }
    let all: Vec<f64> = full.concat();
    println!("{}", latency_row("overall", &all, &counts.concat()));
    let mut index_all: Vec<f64> = index_only.concat();
    index_all.sort_by(f64::total_cmp);
    let mut sorted = all.clone();
    sorted.sort_by(f64::total_cmp);
    let p99 = percentile(&sorted, 99.0);
    println!(
        "  index only (SearchIndex::suggest): p50 {:.2} ms, p99 {:.2} ms; the typed title among the suggestions: {}",
        percentile(&index_all, 50.0),
        percentile(&index_all, 99.0),
        CLASSES
            .iter()
            .enumerate()
            .map(|(c, label)| format!(
                "{label} {:.3}",
                found[c] as f64 / full[c].len().max(1) as f64
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "target suggestions < 5 ms: p50 {:.2} ms, p99 {p99:.2} ms -> {}",
        percentile(&sorted, 50.0),
        if p99 < 5.0 {
            "MET at p99"
        } else {
            "NOT MET at p99"
        }
    );
    Ok(())
}
