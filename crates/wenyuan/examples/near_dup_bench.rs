//! Near-duplicate benchmark, run by `bench/near_dup.sh`.
//!
//! 1. Quality. From the corpus (all of reports.jsonl, NEWS items sampled from news.jsonl with a
//!    fixed seed) it makes positive pairs by small edits — paragraphs reordered, one sentence
//!    changed, names anonymised with `wenyuan_text::anonymize`, a paragraph added, a paragraph
//!    removed — and negative pairs: unrelated documents, and documents of the same kind (two
//!    government work reports, two news items of the same day). For each Hamming distance 0..=8
//!    it prints recall per edit, the false-positive rate per negative kind and the precision over
//!    the pooled pairs; then the same at the default distance for single words, shingles, and
//!    both (why the fingerprint uses shingles).
//! 2. Lookup time. STORED fingerprints (160,000 for the figure) of the corpus repeated
//!    with edits go into a temporary SQLite database through the store (short placeholder bodies:
//!    the lookup reads fingerprints only); then LOOKUPS documents are checked with
//!    `Services::near_duplicates_of`, as the importer does. Prints the median and p99 of the whole
//!    check (fingerprinting the new document + the band-index query), and of the query alone.
//!
//! Environment: CORPUS (../shared/corpus), NEWS (2000), STORED (20000), LOOKUPS (1000),
//! SEED (20240601), QUALITY (1), LOOKUP (1).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wenyuan_core::{Services, SiteSettings, SystemClock};
use wenyuan_store::{NewArticle, Store};
use wenyuan_text::anonymize::{apply, AnonymizeOptions, Anonymizer};
use wenyuan_text::simhash::{hamming, simhash_with, Features};

const MAX_SHOWN_DISTANCE: u32 = 8;

struct Settings {
    corpus: PathBuf,
    news: usize,
    stored: usize,
    lookups: usize,
    seed: u64,
    quality: bool,
    lookup: bool,
}

fn env_or<T: FromStr>(name: &str, default: T) -> Result<T> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("bad value for {name}: {v:?}")),
        _ => Ok(default),
    }
}

impl Settings {
    fn from_env() -> Result<Self> {
        Ok(Settings {
            corpus: PathBuf::from(env_or("CORPUS", "../shared/corpus".to_owned())?),
            news: env_or("NEWS", 2000)?,
            stored: env_or("STORED", 20_000)?,
            lookups: env_or("LOOKUPS", 1000)?,
            seed: env_or("SEED", 20240601)?,
            quality: env_or("QUALITY", 1u8)? != 0,
            lookup: env_or("LOOKUP", 1u8)? != 0,
        })
    }
}

/// splitmix64: deterministic samples and edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[derive(Clone)]
struct Doc {
    title: String,
    date: String,
    category: String,
    paragraphs: Vec<String>,
}

impl Doc {
    fn is_resolution(&self) -> bool {
        self.title.contains("决议")
    }
}

fn read_jsonl(path: &Path) -> Result<Vec<Doc>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} (set CORPUS)", path.display()))?;
    let mut docs = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).context("a corpus record")?;
        let field = |name: &str| v[name].as_str().unwrap_or("").to_owned();
        docs.push(Doc {
            title: field("title"),
            date: field("date"),
            category: field("category"),
            paragraphs: wenyuan_text::paragraphs_from_body(&field("body")),
        });
    }
    Ok(docs)
}

// ---- edits ----------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Edit {
    Reordered,
    SentenceChanged,
    Anonymised,
    ParagraphAdded,
    ParagraphRemoved,
}

const EDITS: [Edit; 5] = [
    Edit::Reordered,
    Edit::SentenceChanged,
    Edit::Anonymised,
    Edit::ParagraphAdded,
    Edit::ParagraphRemoved,
];

impl Edit {
    fn name(self) -> &'static str {
        match self {
            Edit::Reordered => "paragraphs reordered",
            Edit::SentenceChanged => "one sentence changed",
            Edit::Anonymised => "names anonymised",
            Edit::ParagraphAdded => "a paragraph added",
            Edit::ParagraphRemoved => "a paragraph removed",
        }
    }
}

fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in paragraph.chars() {
        current.push(c);
        if matches!(c, '。' | '！' | '？' | '；') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `doc` edited by `edit`, with material from `other` where something is added; `None` when the
/// edit does not apply (nothing to anonymise, a single paragraph to reorder or remove).
fn edited(
    doc: &Doc,
    edit: Edit,
    other: &Doc,
    rng: &mut Rng,
    anonymizer: &Anonymizer,
) -> Option<Doc> {
    let mut copy = doc.clone();
    let n = copy.paragraphs.len();
    match edit {
        Edit::Reordered => {
            if n < 2 {
                return None;
            }
            // Move one paragraph elsewhere and swap two others (a light shuffle).
            let moved = copy.paragraphs.remove(rng.below(n));
            copy.paragraphs.insert(rng.below(n), moved);
            copy.paragraphs.swap(rng.below(n), rng.below(n));
            (copy.paragraphs != doc.paragraphs).then_some(copy)
        }
        Edit::SentenceChanged => {
            let at = rng.below(n);
            let mut parts = sentences(&copy.paragraphs[at]);
            let replacement = other
                .paragraphs
                .get(rng.below(other.paragraphs.len()))
                .and_then(|p| sentences(p).into_iter().next())?;
            let which = rng.below(parts.len());
            parts[which] = replacement;
            copy.paragraphs[at] = parts.concat();
            Some(copy)
        }
        Edit::Anonymised => {
            copy.paragraphs = copy
                .paragraphs
                .iter()
                .map(|p| apply(p, &anonymizer.propose(p)))
                .collect();
            (copy.paragraphs != doc.paragraphs).then_some(copy)
        }
        Edit::ParagraphAdded => {
            let added = other.paragraphs.get(rng.below(other.paragraphs.len()))?;
            copy.paragraphs.insert(rng.below(n + 1), added.clone());
            Some(copy)
        }
        Edit::ParagraphRemoved => {
            if n < 2 {
                return None;
            }
            copy.paragraphs.remove(rng.below(n));
            Some(copy)
        }
    }
}

// ---- quality --------------------------------------------------------------------------------------

/// Distances of the pairs of one kind.
struct PairSet {
    name: String,
    positive: bool,
    distances: Vec<u32>,
    /// Titles of the pairs, for listing the false positives (negative sets only).
    titles: Vec<(String, String)>,
}

impl PairSet {
    fn within(&self, d: u32) -> usize {
        self.distances.iter().filter(|x| **x <= d).count()
    }
    fn share_within(&self, d: u32) -> f64 {
        self.within(d) as f64 / self.distances.len().max(1) as f64
    }
}

fn fingerprint(features: Features, doc: &Doc) -> u64 {
    simhash_with(features, &doc.title, &doc.paragraphs)
}

/// Pair sets over `reports` and `news` for one kind of features.
fn pair_sets(
    features: Features,
    groups: &[(&str, &[Doc])],
    seed: u64,
    anonymizer: &Anonymizer,
) -> Vec<PairSet> {
    let mut sets = Vec::new();
    for (corpus_name, docs) in groups.iter().copied() {
        let mut rng = Rng(seed);
        let prints: Vec<u64> = docs.iter().map(|d| fingerprint(features, d)).collect();
        for edit in EDITS {
            let mut distances = Vec::new();
            for (i, doc) in docs.iter().enumerate() {
                let other = &docs[(i + 1 + rng.below(docs.len() - 1)) % docs.len()];
                if let Some(copy) = edited(doc, edit, other, &mut rng, anonymizer) {
                    distances.push(hamming(prints[i], fingerprint(features, &copy)));
                }
            }
            sets.push(PairSet {
                name: format!("{corpus_name}: {}", edit.name()),
                positive: true,
                distances,
                titles: Vec::new(),
            });
        }
        // Negative pairs: all pairs of the same kind (same category of report, two 决议, news of
        // the same day) and one in 40 of the others (unrelated).
        let mut unrelated = negative_set(format!("{corpus_name}: unrelated"));
        let mut same_kind = negative_set(format!("{corpus_name}: same kind"));
        for i in 0..docs.len() {
            for j in i + 1..docs.len() {
                let (a, b) = (&docs[i], &docs[j]);
                let d = hamming(prints[i], prints[j]);
                let same = if corpus_name == "news" {
                    a.date == b.date
                } else {
                    a.category == b.category
                };
                let set = if same {
                    &mut same_kind
                } else if rng.below(40) == 0 {
                    &mut unrelated
                } else {
                    continue;
                };
                set.distances.push(d);
                set.titles.push((a.title.clone(), b.title.clone()));
            }
        }
        sets.push(unrelated);
        sets.push(same_kind);
    }
    sets
}

fn negative_set(name: String) -> PairSet {
    PairSet {
        name,
        positive: false,
        distances: Vec::new(),
        titles: Vec::new(),
    }
}

/// Precision and recall at `d` over all pairs, positives and negatives pooled.
fn precision_recall(sets: &[PairSet], d: u32) -> (f64, f64, usize, usize, usize) {
    let (mut tp, mut positives, mut fp) = (0, 0, 0);
    for set in sets {
        if set.positive {
            tp += set.within(d);
            positives += set.distances.len();
        } else {
            fp += set.within(d);
        }
    }
    let precision = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    (
        precision,
        tp as f64 / positives.max(1) as f64,
        tp,
        fp,
        positives,
    )
}

fn print_table(sets: &[PairSet]) {
    print!("{:<42}{:>7}", "pairs (share within distance d)", "n");
    for d in 0..=MAX_SHOWN_DISTANCE {
        print!("{:>7}", format!("d≤{d}"));
    }
    println!();
    for set in sets {
        print!("{:<42}{:>7}", set.name, set.distances.len());
        for d in 0..=MAX_SHOWN_DISTANCE {
            print!("{:>7.3}", set.share_within(d));
        }
        println!();
    }
    print!("{:<49}", "precision (pooled)");
    for d in 0..=MAX_SHOWN_DISTANCE {
        print!("{:>7.3}", precision_recall(sets, d).0);
    }
    println!();
    print!("{:<49}", "recall (pooled)");
    for d in 0..=MAX_SHOWN_DISTANCE {
        print!("{:>7.3}", precision_recall(sets, d).1);
    }
    println!();
}

fn quality(settings: &Settings, reports: &[Doc], news: &[Doc]) {
    let anonymizer = Anonymizer::new(AnonymizeOptions::default());
    let (resolutions, long): (Vec<Doc>, Vec<Doc>) =
        reports.iter().cloned().partition(Doc::is_resolution);
    let groups: [(&str, &[Doc]); 3] = [
        ("reports", &long),
        ("决议 (short)", &resolutions),
        ("news", news),
    ];
    let started = Instant::now();
    let sets = pair_sets(
        Features::WordsAndShingles,
        &groups,
        settings.seed,
        &anonymizer,
    );
    println!(
        "\n## Quality: the fingerprint as stored, words + shingles ({} reports, {} 决议, {} news items; {:.1} s)\n",
        long.len(),
        resolutions.len(),
        news.len(),
        started.elapsed().as_secs_f64()
    );
    print_table(&sets);
    println!("\nFalse positives at distance ≤ {CHOSEN}:");
    for set in sets.iter().filter(|s| !s.positive) {
        for (d, (a, b)) in set.distances.iter().zip(&set.titles) {
            if *d <= CHOSEN {
                println!("  d={d} {}: 「{a}」 ~ 「{b}」", set.name);
            }
        }
    }
    let chosen = CHOSEN;
    println!("\n## Features compared at distance ≤ {chosen}\n");
    println!(
        "{:<22}{:>10}{:>10}{:>8}{:>8}",
        "features", "precision", "recall", "TP", "FP"
    );
    for (name, features) in [
        ("single words", Features::Words),
        ("2-word shingles", Features::Shingles),
        ("words + shingles", Features::WordsAndShingles),
    ] {
        let computed;
        let used: &[PairSet] = if features == Features::WordsAndShingles {
            &sets
        } else {
            computed = pair_sets(features, &groups, settings.seed, &anonymizer);
            &computed
        };
        let (p, r, tp, fp, _) = precision_recall(used, chosen);
        println!("{name:<22}{p:>10.3}{r:>10.3}{tp:>8}{fp:>8}");
        if std::env::var("TABLES").is_ok_and(|v| v == "1") {
            print_table(used);
        }
    }
}

const CHOSEN: u32 = wenyuan_core::desk::near_duplicates::DEFAULT_MAX_DISTANCE;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let settings = Settings::from_env()?;
    let reports = read_jsonl(&settings.corpus.join("reports.jsonl"))?;
    let mut all_news = read_jsonl(&settings.corpus.join("news.jsonl"))?;
    let mut rng = Rng(settings.seed);
    // A sample without replacement (a partial Fisher–Yates shuffle of the indexes).
    let mut order: Vec<usize> = (0..all_news.len()).collect();
    let wanted = settings.news.min(order.len());
    for i in 0..wanted {
        let j = i + rng.below(order.len() - i);
        order.swap(i, j);
    }
    let mut news: Vec<Doc> = order[..wanted]
        .iter()
        .map(|i| all_news[*i].clone())
        .collect();
    news.sort_by(|a, b| a.date.cmp(&b.date));
    if settings.quality {
        quality(&settings, &reports, &news);
    }
    if settings.lookup {
        all_news.extend(reports);
        lookup(&settings, &all_news).await?;
    }
    Ok(())
}

// ---- lookup time ----------------------------------------------------------------------------------

/// A cheap edit for the stored copies: copy `round` drops paragraph `round` (when there are more
/// than one) and gets a marker sentence, so each copy is a distinct document near its original.
fn stored_copy(doc: &Doc, round: usize) -> (String, Vec<String>) {
    let mut paragraphs = doc.paragraphs.clone();
    if round > 0 {
        if paragraphs.len() > 1 {
            paragraphs.remove(round % paragraphs.len());
        }
        paragraphs.push(format!("（第{round}次转载）"));
    }
    (doc.title.clone(), paragraphs)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn lookup(settings: &Settings, corpus: &[Doc]) -> Result<()> {
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let url = format!("sqlite://{}", dir.path().join("near-dup.db").display());
    let store = Store::connect(&url)
        .await
        .context("a temporary SQLite database")?;

    // Fingerprints of the corpus repeated with edits, computed on both cores.
    let started = Instant::now();
    let wanted = settings.stored;
    let corpus = Arc::new(corpus.to_vec());
    let halves: Vec<_> = (0..2)
        .map(|half| {
            let corpus = corpus.clone();
            std::thread::spawn(move || {
                (0..wanted)
                    .filter(|n| n % 2 == half)
                    .map(|n| {
                        let (title, paragraphs) =
                            stored_copy(&corpus[n % corpus.len()], n / corpus.len());
                        (
                            n,
                            title.clone(),
                            wenyuan_text::simhash::simhash(&title, &paragraphs),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut prints = Vec::with_capacity(wanted);
    for half in halves {
        prints.extend(
            half.join()
                .map_err(|_| anyhow::anyhow!("a fingerprint thread panicked"))?,
        );
    }
    prints.sort_by_key(|(n, _, _)| *n);
    let fingerprint_s = started.elapsed().as_secs_f64();

    // Stored through the store as the importer stores them (placeholder bodies: the lookup reads
    // fingerprints and titles only), 1,000 per transaction.
    let started = Instant::now();
    for chunk in prints.chunks(1000) {
        let batch: Vec<NewArticle> = chunk
            .iter()
            .map(|(n, title, hash)| NewArticle {
                title: title.clone(),
                body: format!("副本 {n}"),
                published_on: "2024-01-01".to_owned(),
                category: None,
                tags: Vec::new(),
                access: "public".to_owned(),
                status: wenyuan_core::Status::Published.as_str().to_owned(),
                views_base: 0,
                content_hash: format!("{n:032x}"),
                source: None,
                external_id: None,
                preview_ratio: None,
                preview_max: None,
                simhash: Some(*hash),
                layout: None,
            })
            .collect();
        store.insert_articles(&batch, 0).await?;
    }
    let store_s = started.elapsed().as_secs_f64();
    // The database file and its write-ahead log.
    let db_mb = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len() as f64 / 1e6)
        .sum::<f64>();
    println!(
        "\n## Lookup: one new document against {wanted} stored fingerprints (SQLite)\n\n\
         fingerprinting the stored copies: {fingerprint_s:.1} s on 2 threads; storing them with \
         their pairs: {store_s:.1} s; database {db_mb:.0} MB"
    );

    let lib = Services::new(
        store.clone(),
        SiteSettings::default(),
        Arc::new(SystemClock),
    )
    .await?;
    let mut rng = Rng(settings.seed ^ 0x5eed);
    let mut whole = Vec::with_capacity(settings.lookups);
    let mut query_only = Vec::with_capacity(settings.lookups);
    let mut found = 0usize;
    let mut candidates = 0usize;
    for _ in 0..settings.lookups {
        // A new edited copy of a corpus document (a round not stored), so most lookups find the
        // stored copies of the same document.
        let doc = &corpus[rng.below(corpus.len())];
        let (title, paragraphs) = stored_copy(doc, 1000 + rng.below(1000));
        let started = Instant::now();
        let hash = wenyuan_core::desk::near_duplicates::fingerprint(&title, &paragraphs).await?;
        let query_started = Instant::now();
        let near = lib.desk.duplicates.near_duplicates_of_simhash(hash).await?;
        query_only.push(query_started.elapsed());
        whole.push(started.elapsed());
        found += usize::from(!near.is_empty());
        candidates += store.simhash_candidates(hash).await?.len();
    }
    whole.sort();
    query_only.sort();
    println!(
        "{} lookups: whole check (fingerprint + query) median {:.2} ms, p99 {:.2} ms; \
         band-index query alone median {:.2} ms, p99 {:.2} ms; {:.1} candidates per lookup \
         on average; {found} lookups found a near-duplicate",
        settings.lookups,
        ms(percentile(&whole, 0.5)),
        ms(percentile(&whole, 0.99)),
        ms(percentile(&query_only, 0.5)),
        ms(percentile(&query_only, 0.99)),
        candidates as f64 / settings.lookups.max(1) as f64,
    );

    let started = Instant::now();
    let pairs = lib.desk.duplicates.duplicate_pairs(1).await?;
    println!(
        "duplicates view, first page: {} pairs listed of {} in {:.1} ms",
        pairs.items.len(),
        pairs.total,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let missing = store.articles_without_simhash(200).await?;
    println!(
        "backfill query (documents without a fingerprint; run once per database): {} found in {:.1} ms",
        missing.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    store.close().await;
    Ok(())
}
