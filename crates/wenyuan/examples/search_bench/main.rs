//! Search benchmark, run by `bench/search.sh` (see bench/README.md).
//!
//! At one scale (`SCALE` copies of news.jsonl + reports.jsonl):
//! 1. writes the scaled corpus as a temporary `.jsonl` (copy k > 0 gets a `（k）` title suffix and
//!    a marker sentence, so its content hash differs) and imports it with the real importer into a
//!    fresh SQLite data folder; derives keywords as the server would; rebuilds the index with
//!    `Services::rebuild_index` (what `wenyuan reindex` runs). Reports throughput and sizes.
//! 2. puts the same documents (read back from the database) into SQLite FTS5 with the trigram
//!    tokenizer, in a separate file: insert throughput and size.
//! 3. times 1,000 queries drawn from the corpus with a fixed seed, through
//!    `Services::search(Role::Guest, …)` (index + gate-safe snippets) and against FTS5.
//! 4. suggestion latency (`GET /api/v1/suggest`'s `Services::suggest`) over 1,000 title prefixes,
//!    pinyin prefixes and initials; at scale 1: known-item quality (recall@10, MRR@10) of 500
//!    documents, random and distinctive query kinds, next to the oracle bound (see `quality`).
//!
//! Settings come from the environment: SCALE (1), CORPUS (../shared/corpus), WORK (a temporary
//! folder, removed at the end), QUERIES (1000), KNOWN (500), SUGGEST (1000), SEED (20240601), KEYWORDS (1: derive
//! keywords before indexing, as a server does), FTS (1), QUALITY (1 at scale 1, else 0),
//! LIKE_MAX (200: most queries timed with the LIKE fallback), KEEP (0: 1 keeps the work folder),
//! REUSE (a work folder kept by an earlier run at the same scale: skip the import, indexing and
//! FTS5 inserts and measure queries on what it holds, e.g. to compare two builds on one index),
//! QUERY_FILE (write the latency queries there, kind and text per line, for an HTTP client),
//! REBUILD (with REUSE, 1: derive the keywords not yet derived and rebuild the index first).

mod quality;
mod suggest;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};
use wenyuan_core::desk::import::{ImportOptions, NoProgress};
use wenyuan_core::{Role, Services, SiteSettings, SystemClock};
use wenyuan_search::analysis::is_cjk;
use wenyuan_search::{SearchIndex, SearchRequest, WriterBudget};
use wenyuan_store::Store;
use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::word_pinyin;
use wenyuan_text::segment;

// ---- settings -----------------------------------------------------------------------------------

struct Settings {
    scale: usize,
    corpus: PathBuf,
    work: PathBuf,
    queries: usize,
    known: usize,
    suggestions: usize,
    seed: u64,
    keywords: bool,
    fts: bool,
    quality: bool,
    like_max: usize,
    keep: bool,
    reuse: bool,
    /// Where to write the latency queries (kind, tab, query; one per line), for a client that
    /// replays them over HTTP (`bench/million.sh`).
    query_file: Option<PathBuf>,
    /// With REUSE: derive the keywords not yet derived and rebuild the index first (a library
    /// whose import finished but not the rest).
    rebuild: bool,
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
        let scale: usize = env_or("SCALE", 1)?;
        if scale == 0 {
            bail!("SCALE must be at least 1");
        }
        let reuse = std::env::var("REUSE").ok().filter(|r| !r.is_empty());
        let work = match (&reuse, std::env::var("WORK")) {
            (Some(r), _) => PathBuf::from(r),
            (None, Ok(w)) if !w.is_empty() => PathBuf::from(w),
            _ => std::env::temp_dir().join(format!("wenyuan-search-bench-{}", std::process::id())),
        };
        Ok(Settings {
            scale,
            corpus: PathBuf::from(env_or("CORPUS", "../shared/corpus".to_owned())?),
            work,
            queries: env_or("QUERIES", 1000)?,
            known: env_or("KNOWN", 500)?,
            suggestions: env_or("SUGGEST", 1000)?,
            seed: env_or("SEED", 20240601)?,
            keywords: env_or("KEYWORDS", 1u8)? != 0,
            fts: env_or("FTS", 1u8)? != 0,
            quality: env_or("QUALITY", u8::from(scale == 1))? != 0,
            like_max: env_or("LIKE_MAX", 200)?,
            keep: env_or("KEEP", 0u8)? != 0 || reuse.is_some(),
            reuse: reuse.is_some(),
            query_file: std::env::var_os("QUERY_FILE").map(PathBuf::from),
            rebuild: env_or("REBUILD", 0u8)? != 0,
        })
    }
}

// ---- a small deterministic random number generator (splitmix64) ---------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Uniform in lo..=hi.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

// ---- the corpus -----------------------------------------------------------------------------------

struct Record {
    title: String,
    body: String,
}

fn read_corpus(dir: &Path) -> Result<(Vec<String>, Vec<Record>)> {
    let mut lines = Vec::new();
    let mut records = Vec::new();
    for name in ["news.jsonl", "reports.jsonl"] {
        let path = dir.join(name);
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot open {} (set CORPUS)", path.display()))?;
        for line in BufReader::new(file).lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(&line)
                .with_context(|| format!("bad JSON line in {}", path.display()))?;
            records.push(Record {
                title: value["title"].as_str().unwrap_or_default().to_owned(),
                body: value["body"].as_str().unwrap_or_default().to_owned(),
            });
            lines.push(line);
        }
    }
    Ok((lines, records))
}

/// The corpus `scale` times over: copy k > 0 with `（k）` after the title, a marker sentence at
/// the end of the body and `-k` after the id, so that no copy is a duplicate of another.
fn write_scaled(lines: &[String], scale: usize, path: &Path) -> Result<u64> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let mut written = 0;
    for k in 0..scale {
        for line in lines {
            if k == 0 {
                writeln!(out, "{line}")?;
            } else {
                let mut value: serde_json::Value = serde_json::from_str(line)?;
                let title = value["title"].as_str().unwrap_or_default();
                value["title"] = format!("{title}（{k}）").into();
                let body = value["body"].as_str().unwrap_or_default();
                value["body"] = format!("{body}\n本文是基准测试语料的第{k}份副本。").into();
                if let Some(id) = value["id"].as_str() {
                    value["id"] = format!("{id}-{k}").into();
                }
                serde_json::to_writer(&mut out, &value)?;
                writeln!(out)?;
            }
            written += 1;
        }
    }
    out.flush()?;
    Ok(written)
}

// ---- queries ------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    TitleFragment,
    TwoChar,
    Phrase,
    Pinyin,
    MultiWord,
    Traditional,
    /// Known-item sets of what a reader who knows the document types (see `quality`).
    DistinctiveFragment,
    RarestTwoChar,
    RarestInitials,
    /// Characters on both sides of a separator of the title, typed without it (issue 14).
    AcrossSeparator,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::TitleFragment => "title fragment (3-8 chars)",
            Kind::TwoChar => "2-char word",
            Kind::Phrase => "\"phrase\" (4-8 chars, body)",
            Kind::Pinyin => "pinyin initials",
            Kind::MultiWord => "multi-word (2-3 words)",
            Kind::Traditional => "title in traditional script",
            Kind::DistinctiveFragment => "distinctive fragment (<=10 titles)",
            Kind::RarestTwoChar => "rarest 2-char word of the title",
            Kind::RarestInitials => "initials of the rarest title word",
            Kind::AcrossSeparator => "fragment across a separator",
        }
    }
}

struct Query {
    kind: Kind,
    text: String,
}

fn usable(c: char) -> bool {
    is_cjk(c) || c.is_ascii_alphanumeric()
}

/// A run of 3-8 characters of the title with no space or punctuation.
fn title_fragment(rng: &mut Rng, title: &str) -> Option<String> {
    let chars: Vec<char> = title.chars().collect();
    for _ in 0..50 {
        let len = rng.range(3, 8);
        if chars.len() < len {
            continue;
        }
        let start = rng.below(chars.len() - len + 1);
        let window = &chars[start..start + len];
        // Not only ASCII: a Latin word alone is not a Chinese title fragment.
        if window.iter().all(|c| usable(*c)) && window.iter().any(|c| is_cjk(*c)) {
            return Some(window.iter().collect());
        }
    }
    None
}

/// jieba words of the (folded) title made only of Han characters, with `min..=max` characters.
fn title_words(title: &str, min: usize, max: usize) -> Vec<String> {
    segment::words(&fold(title))
        .into_iter()
        .filter(|w| {
            let n = w.chars().count();
            (min..=max).contains(&n) && w.chars().all(is_cjk)
        })
        .collect()
}

fn two_char_word(rng: &mut Rng, title: &str) -> Option<String> {
    rng.pick(&title_words(title, 2, 2)).cloned()
}

/// The initials of a title word of two or more Han characters.
fn pinyin_initials(rng: &mut Rng, title: &str) -> Option<String> {
    let words: Vec<String> = title_words(title, 2, 16)
        .into_iter()
        .map(|w| word_pinyin(&w).1)
        .filter(|i| i.len() >= 2 && i.bytes().all(|b| b.is_ascii_lowercase()))
        .collect();
    rng.pick(&words).cloned()
}

/// 4-8 Han characters in a row from a paragraph of the body, in quotes.
fn body_phrase(rng: &mut Rng, body: &str) -> Option<String> {
    let paragraphs: Vec<&str> = body
        .split('\n')
        .filter(|p| p.chars().count() >= 8)
        .collect();
    for _ in 0..50 {
        let p: Vec<char> = rng.pick(&paragraphs)?.chars().collect();
        let len = rng.range(4, 8);
        if p.len() < len {
            continue;
        }
        let start = rng.below(p.len() - len + 1);
        let window = &p[start..start + len];
        if window.iter().all(|c| is_cjk(*c)) {
            return Some(format!("\"{}\"", window.iter().collect::<String>()));
        }
    }
    None
}

fn multi_word(rng: &mut Rng, title: &str) -> Option<String> {
    let mut words = title_words(title, 2, 4);
    words.dedup();
    if words.len() < 2 {
        return None;
    }
    let n = if words.len() >= 3 && rng.below(3) == 0 {
        3
    } else {
        2
    };
    let mut chosen = Vec::new();
    while chosen.len() < n {
        let w = words.remove(rng.below(words.len()));
        chosen.push(w);
    }
    Some(chosen.join(" "))
}

/// The latency query set: fixed seed, drawn from the original (unscaled) corpus.
fn latency_queries(records: &[Record], total: usize, seed: u64) -> Vec<Query> {
    let mut rng = Rng(seed);
    // Shares of the 1,000: 300 title fragments, 250 2-char words, 200 phrases, 200 pinyin
    // initials, 50 multi-word queries.
    let plan = [
        (Kind::TitleFragment, 300),
        (Kind::TwoChar, 250),
        (Kind::Phrase, 200),
        (Kind::Pinyin, 200),
        (Kind::MultiWord, 50),
    ];
    let mut out = Vec::with_capacity(total);
    for (kind, share) in plan {
        let want = (total * share).div_ceil(1000);
        let mut made = 0;
        let mut tries = 0;
        while made < want && tries < want * 100 {
            tries += 1;
            let r = &records[rng.below(records.len())];
            let text = match kind {
                Kind::TitleFragment => title_fragment(&mut rng, &r.title),
                Kind::TwoChar => two_char_word(&mut rng, &r.title),
                Kind::Phrase => body_phrase(&mut rng, &r.body),
                Kind::Pinyin => pinyin_initials(&mut rng, &r.title),
                Kind::MultiWord => multi_word(&mut rng, &r.title),
                // Known-item sets only.
                Kind::Traditional
                | Kind::DistinctiveFragment
                | Kind::RarestTwoChar
                | Kind::RarestInitials
                | Kind::AcrossSeparator => None,
            };
            if let Some(text) = text {
                out.push(Query { kind, text });
                made += 1;
            }
        }
    }
    // Interleave the classes, so background load hits them alike.
    for i in (1..out.len()).rev() {
        let j = rng.below(i + 1);
        out.swap(i, j);
    }
    out
}

// ---- statistics -----------------------------------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn latency_row(label: &str, values: &[f64], totals: &[usize]) -> String {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    let mut t = totals.to_vec();
    t.sort_unstable();
    let median_total = t.get(t.len() / 2).copied().unwrap_or(0);
    let zero = totals.iter().filter(|n| **n == 0).count();
    format!(
        "  {label:<30} {:>5} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>10} {:>6}",
        v.len(),
        mean,
        percentile(&v, 50.0),
        percentile(&v, 90.0),
        percentile(&v, 99.0),
        v.last().copied().unwrap_or(f64::NAN),
        median_total,
        zero
    )
}

fn latency_header() -> String {
    format!(
        "  {:<30} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>6}",
        "query class", "n", "mean ms", "p50 ms", "p90 ms", "p99 ms", "max ms", "med. hits", "none"
    )
}

/// Per class and overall, for (kind, ms, matches) samples.
fn latency_table(samples: &[(Kind, f64, usize)]) {
    println!("{}", latency_header());
    for kind in [
        Kind::TitleFragment,
        Kind::TwoChar,
        Kind::Phrase,
        Kind::Pinyin,
        Kind::MultiWord,
    ] {
        let (v, t): (Vec<f64>, Vec<usize>) = samples
            .iter()
            .filter(|s| s.0 == kind)
            .map(|s| (s.1, s.2))
            .unzip();
        if !v.is_empty() {
            println!("{}", latency_row(kind.label(), &v, &t));
        }
    }
    let (v, t): (Vec<f64>, Vec<usize>) = samples.iter().map(|s| (s.1, s.2)).unzip();
    println!("{}", latency_row("overall", &v, &t));
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

fn files_size(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

fn segments_in(index_dir: &Path) -> usize {
    std::fs::read_to_string(index_dir.join("meta.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["segments"].as_array().map(Vec::len))
        .unwrap_or(0)
}

// ---- Wenyuan ----------------------------------------------------------------------------------

async fn open_services(db: &Path) -> Result<Arc<Services>> {
    let store = Store::connect(&format!("sqlite://{}", db.display())).await?;
    let lib = Services::new(store, SiteSettings::default(), Arc::new(SystemClock)).await?;
    Ok(Arc::new(lib))
}

fn request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_owned(),
        limit: 10,
        ..Default::default()
    }
}

/// (ids of the top 10, total matches, milliseconds) through the full path with snippets.
async fn wenyuan_search(lib: &Services, query: &str) -> Result<(Vec<i64>, usize, f64)> {
    let started = Instant::now();
    let page = lib.search.search(Role::Guest, &request(query), 1).await?;
    let took = ms(started.elapsed());
    Ok((page.hits.iter().map(|h| h.id).collect(), page.total, took))
}

// ---- FTS5 ---------------------------------------------------------------------------------------

async fn sqlite_connect(path: &Path, create: bool) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .disable_statement_logging();
    Ok(options.connect().await?)
}

/// An FTS5 phrase: the text in double quotes, quotes inside doubled.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The words of a Wenyuan query (quotes removed), as FTS5 sees them.
fn query_terms(query: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            terms.push(after[..end].to_owned());
            rest = after.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            terms.push(rest[..end].to_owned());
            rest = rest[end..].trim_start();
        }
    }
    terms.retain(|t| !t.trim().is_empty());
    terms
}

/// Whether every term has 3 or more characters: only then can the trigram index answer MATCH.
fn fts_matchable(terms: &[String]) -> bool {
    !terms.is_empty() && terms.iter().all(|t| t.chars().count() >= 3)
}

/// FTS5 MATCH, best 10 by bm25 with a snippet of the body: (ids, ms).
async fn fts_match(conn: &mut SqliteConnection, terms: &[String]) -> Result<(Vec<i64>, f64)> {
    let expr = terms
        .iter()
        .map(|t| fts_phrase(t))
        .collect::<Vec<_>>()
        .join(" ");
    let started = Instant::now();
    let rows = sqlx::query(
        "SELECT rowid, title, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts \
         WHERE fts MATCH ?1 ORDER BY rank LIMIT 10",
    )
    .bind(&expr)
    .fetch_all(&mut *conn)
    .await?;
    let took = ms(started.elapsed());
    Ok((rows.iter().map(|r| r.get::<i64, _>(0)).collect(), took))
}

/// The LIKE fallback: every term a substring of the title or the body; first 10, unranked.
async fn fts_like(conn: &mut SqliteConnection, terms: &[String]) -> Result<(Vec<i64>, f64)> {
    let mut sql = String::from("SELECT rowid, title FROM fts WHERE ");
    for i in 0..terms.len() {
        if i > 0 {
            sql.push_str(" AND ");
        }
        sql.push_str(&format!(
            "(title LIKE ?{n} ESCAPE '\\' OR body LIKE ?{n} ESCAPE '\\')",
            n = i + 1
        ));
    }
    sql.push_str(" LIMIT 10");
    let mut q = sqlx::query(&sql);
    for t in terms {
        let escaped = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.bind(format!("%{escaped}%"));
    }
    let started = Instant::now();
    let rows = q.fetch_all(&mut *conn).await?;
    let took = ms(started.elapsed());
    Ok((rows.iter().map(|r| r.get::<i64, _>(0)).collect(), took))
}

// ---- quality ------------------------------------------------------------------------------------

#[derive(Default, Clone)]
struct Quality {
    n: usize,
    /// Target in the top 10 (strict: that very document).
    found: usize,
    rr: f64,
    /// A document with the target's exact title in the top 10 (same-title documents cannot be
    /// told apart by a title query).
    found_title: usize,
    rr_title: f64,
}

impl Quality {
    fn add(&mut self, ids: &[i64], target: i64, titles: &HashMap<i64, String>) {
        self.n += 1;
        if let Some(rank) = ids.iter().take(10).position(|id| *id == target) {
            self.found += 1;
            self.rr += 1.0 / (rank + 1) as f64;
        }
        let title = titles.get(&target);
        if let Some(rank) = ids.iter().take(10).position(|id| titles.get(id) == title) {
            self.found_title += 1;
            self.rr_title += 1.0 / (rank + 1) as f64;
        }
    }
    fn row(&self, label: &str) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "  {label:<44} {:>4} {:>10.3} {:>8.3} {:>12.3} {:>10.3}",
            self.n,
            self.found as f64 / n,
            self.rr / n,
            self.found_title as f64 / n,
            self.rr_title / n
        )
    }
}

fn quality_header() -> String {
    format!(
        "  {:<44} {:>4} {:>10} {:>8} {:>12} {:>10}",
        "system / query kind", "n", "recall@10", "MRR@10", "recall@10 t", "MRR@10 t"
    )
}

// ---- main ---------------------------------------------------------------------------------------

#[tokio::main]
async fn main() -> Result<()> {
    let s = Settings::from_env()?;
    std::fs::create_dir_all(&s.work)?;
    let result = run(&s).await;
    if s.keep {
        eprintln!("== kept the work folder {}", s.work.display());
    } else {
        let _ = std::fs::remove_dir_all(&s.work);
    }
    result
}

fn say(line: impl AsRef<str>) {
    eprintln!("== {}", line.as_ref());
}

async fn run(s: &Settings) -> Result<()> {
    macro_rules! out {
        ($($arg:tt)*) => {{ println!($($arg)*); }};
    }
    let (lines, records) = read_corpus(&s.corpus)?;
    out!(
        "corpus: {} records (news.jsonl + reports.jsonl) x scale {} = {} records",
        records.len(),
        s.scale,
        records.len() * s.scale
    );

    let data = s.work.join("data");
    let db = data.join("wenyuan.db");
    let index_dir = data.join("index");
    let fts_db = s.work.join("fts.db");
    if s.reuse && s.rebuild {
        out!(
            "reusing the library of an earlier run in {}: keywords not yet derived, then the index",
            s.work.display()
        );
        derive_and_index(s, open_services(&db).await?, &index_dir).await?;
    } else if s.reuse {
        out!(
            "reusing the data folder and FTS5 file of an earlier run in {} (no import, no indexing)",
            s.work.display()
        );
    } else {
        build(s, &lines, &data, &db, &index_dir, &fts_db).await?;
    }
    // The documents as stored, for the FTS5 check and the known-item sample.
    let mut conn = sqlite_connect(&db, false).await?;
    let docs: Vec<(i64, String, String)> =
        sqlx::query("SELECT id, title, body FROM articles WHERE status = 'published' ORDER BY id")
            .fetch_all(&mut conn)
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
    conn.close().await?;
    let titles: HashMap<i64, String> = docs.iter().map(|d| (d.0, d.1.clone())).collect();
    let mut fts: Option<SqliteConnection> = None;
    if s.fts && fts_db.exists() {
        let mut conn = sqlite_connect(&fts_db, false).await?;
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM fts")
            .fetch_one(&mut conn)
            .await?;
        if rows as usize != docs.len() {
            bail!(
                "the FTS5 table has {rows} rows, the database {} documents",
                docs.len()
            );
        }
        fts = Some(conn);
    }
    run_queries(s, &records, &db, &index_dir, &docs, &titles, fts.as_mut()).await
}

/// Keywords (from the feed's cursor on), then the index rebuilt from scratch as `wenyuan reindex`
/// does; closes `lib`.
async fn derive_and_index(s: &Settings, lib: Arc<Services>, index_dir: &Path) -> Result<()> {
    macro_rules! out {
        ($($arg:tt)*) => {{ println!($($arg)*); }};
    }
    if s.keywords {
        say("deriving keywords");
        let started = Instant::now();
        let derived = lib.related.derive_keywords().await?;
        let secs = started.elapsed().as_secs_f64();
        out!(
            "keywords:  {derived} documents in {secs:.1} s = {:.0} docs/s (Services::derive_keywords, as the server's background task; their pinyin goes into the index)",
            derived as f64 / secs
        );
    } else {
        out!("keywords:  not derived (KEYWORDS=0): the index has no keyword pinyin");
    }
    say("building the index");
    SearchIndex::destroy(index_dir)?;
    // The writer `wenyuan reindex` opens.
    let index = Arc::new(SearchIndex::open_with_writer(
        index_dir,
        WriterBudget::rebuild(),
    )?);
    lib.attach_index(index.clone());
    let started = Instant::now();
    let indexed = lib.search.rebuild_index(&|_, _| {}).await?;
    let index_s = started.elapsed().as_secs_f64();
    lib.close().await;
    drop(lib);
    let Ok(index) = Arc::try_unwrap(index) else {
        bail!("the index is still shared");
    };
    let size_before_merge = dir_size(index_dir);
    let segments_before = segments_in(index_dir);
    let started = Instant::now();
    index.wait_merging()?;
    let merge_s = started.elapsed().as_secs_f64();
    let index_bytes = dir_size(index_dir);
    out!(
        "indexing:  {indexed} documents in {index_s:.1} s = {:.0} docs/s (Services::rebuild_index, as `wenyuan reindex`)",
        indexed as f64 / index_s
    );
    out!(
        "index:     {} on disk after merges ({} segments; {} in {} segments when rebuild_index returned, which merges them into one since the searchq branch; background merges took {merge_s:.1} s more)",
        mb(index_bytes),
        segments_in(index_dir),
        mb(size_before_merge),
        segments_before
    );
    Ok(())
}

/// Steps 1 and 2: import, keywords, index; the FTS5 table.
async fn build(
    s: &Settings,
    lines: &[String],
    data: &Path,
    db: &Path,
    index_dir: &Path,
    fts_db: &Path,
) -> Result<()> {
    macro_rules! out {
        ($($arg:tt)*) => {{ println!($($arg)*); }};
    }
    // ---- 1. import, keywords, index -------------------------------------------------------------
    let jsonl = s.work.join("corpus.jsonl");
    let written = write_scaled(lines, s.scale, &jsonl)?;
    out!(
        "scaled corpus: {written} records, {} (temporary .jsonl)",
        mb(std::fs::metadata(&jsonl)?.len())
    );
    std::fs::create_dir_all(data)?;
    let lib = open_services(db).await?;
    say(format!("importing {written} records"));
    let options = ImportOptions {
        category: None,
        access: SiteSettings::default().default_access,
        // The copies of the scaled corpus differ by a sentence: near-duplicates, to be searched all the same.
        allow_near_duplicates: true,
        ..ImportOptions::default()
    };
    let started = Instant::now();
    let imported = lib
        .desk
        .import
        .import_paths(std::slice::from_ref(&jsonl), &options, &NoProgress)
        .await?;
    let import_s = started.elapsed().as_secs_f64();
    if !imported.failures.is_empty() {
        bail!("import failures: {:?}", &imported.failures[..1]);
    }
    out!(
        "import:    {} in {import_s:.1} s = {:.0} docs/s (Services::import_paths, the importer of `wenyuan import`)",
        imported.summary(),
        imported.imported as f64 / import_s
    );
    derive_and_index(s, lib, index_dir).await?;
    let db_files = vec![
        db.to_owned(),
        data.join("wenyuan.db-wal"),
        data.join("wenyuan.db-shm"),
    ];
    out!(
        "database:  {} (SQLite file + WAL, after close)",
        mb(files_size(&db_files))
    );

    // ---- 2. FTS5 trigram: the documents as stored --------------------------------------------
    if s.fts {
        let mut conn = sqlite_connect(db, false).await?;
        let docs: Vec<(i64, String, String)> = sqlx::query(
            "SELECT id, title, body FROM articles WHERE status = 'published' ORDER BY id",
        )
        .fetch_all(&mut conn)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        conn.close().await?;
        let mut conn = sqlite_connect(fts_db, true).await?;
        let version: String = sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&mut conn)
            .await?;
        let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options")
            .fetch_all(&mut conn)
            .await?;
        let has_fts5 = options.iter().any(|o| o == "ENABLE_FTS5");
        match sqlx::query("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='trigram')")
            .execute(&mut conn)
            .await
        {
            Ok(_) => {
                out!("fts5:      bundled SQLite {version} (sqlx's libsqlite3-sys), ENABLE_FTS5 in compile options: {has_fts5}; trigram tokenizer available");
                say("inserting into FTS5");
                let mut insert_time = Duration::ZERO;
                for chunk in docs.chunks(500) {
                    let started = Instant::now();
                    let mut tx = conn.begin().await?;
                    for (id, title, body) in chunk {
                        sqlx::query("INSERT INTO fts(rowid, title, body) VALUES (?1, ?2, ?3)")
                            .bind(id)
                            .bind(title)
                            .bind(body)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    insert_time += started.elapsed();
                }
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut conn)
                    .await?;
                let fts_files = vec![
                    fts_db.to_owned(),
                    s.work.join("fts.db-wal"),
                    s.work.join("fts.db-shm"),
                ];
                let size = files_size(&fts_files);
                let started = Instant::now();
                sqlx::query("INSERT INTO fts(fts) VALUES ('optimize')")
                    .execute(&mut conn)
                    .await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut conn)
                    .await?;
                let optimize_s = started.elapsed().as_secs_f64();
                sqlx::query("VACUUM").execute(&mut conn).await?;
                // VACUUM in WAL mode writes the new file into the WAL: fold it back first.
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut conn)
                    .await?;
                out!(
                    "fts5:      {} documents inserted in {:.1} s = {:.0} docs/s (transactions of 500; title + body, trigram)",
                    docs.len(),
                    insert_time.as_secs_f64(),
                    docs.len() as f64 / insert_time.as_secs_f64()
                );
                out!(
                    "fts5:      {} on disk after the inserts; {} after 'optimize' ({optimize_s:.1} s) and VACUUM (the file holds title and body text too)",
                    mb(size),
                    mb(files_size(&fts_files))
                );
                conn.close().await?;
            }
            Err(e) => {
                out!("fts5:      NOT AVAILABLE in the bundled SQLite {version} (ENABLE_FTS5: {has_fts5}): {e}");
                conn.close().await?;
                let _ = std::fs::remove_file(fts_db);
            }
        }
    }
    Ok(())
}

/// Steps 3 and 4: latency, and known-item quality.
async fn run_queries(
    s: &Settings,
    records: &[Record],
    db: &Path,
    index_dir: &Path,
    docs: &[(i64, String, String)],
    titles: &HashMap<i64, String>,
    mut fts: Option<&mut SqliteConnection>,
) -> Result<()> {
    macro_rules! out {
        ($($arg:tt)*) => {{ println!($($arg)*); }};
    }
    // ---- 3. latency -----------------------------------------------------------------------------
    let lib = open_services(db).await?;
    lib.attach_index(Arc::new(SearchIndex::open(index_dir)?));
    let queries = latency_queries(records, s.queries, s.seed);
    if let Some(path) = &s.query_file {
        let mut file = BufWriter::new(std::fs::File::create(path)?);
        for q in &queries {
            writeln!(file, "{}\t{}", q.kind.label(), q.text)?;
        }
        file.flush()?;
    }
    out!("");
    out!(
        "latency: {} queries (seed {}), Services::search(Role::Guest, size 10): index query + gate-safe snippets from the database; one warm-up pass first",
        queries.len(),
        s.seed
    );
    say("latency: warm-up");
    for q in &queries {
        wenyuan_search(&lib, &q.text).await?;
    }
    say("latency: measuring");
    let mut full = Vec::with_capacity(queries.len());
    for q in &queries {
        let (_, total, took) = wenyuan_search(&lib, &q.text).await?;
        full.push((q.kind, took, total));
    }
    let mut index_only = Vec::with_capacity(queries.len());
    {
        let index = lib.search.index()?.clone();
        for q in &queries {
            let started = Instant::now();
            let results = index.search(&request(&q.text))?;
            index_only.push((q.kind, ms(started.elapsed()), results.total));
        }
    }
    out!("Wenyuan, full path (index + snippets):");
    latency_table(&full);
    out!("Wenyuan, index query only (SearchIndex::search, no snippets):");
    latency_table(&index_only);
    let p99 = {
        let mut v: Vec<f64> = full.iter().map(|s| s.1).collect();
        v.sort_by(f64::total_cmp);
        percentile(&v, 99.0)
    };
    let docs_n = docs.len();
    out!(
        "target p99 <= 20 ms at 160k documents: p99 {p99:.2} ms at {docs_n} documents{}",
        if docs_n >= 150_000 {
            if p99 <= 20.0 {
                " -> MET"
            } else {
                " -> NOT MET"
            }
        } else {
            " (target applies at scale 10)"
        }
    );

    if let Some(conn) = fts.as_deref_mut() {
        say("latency: FTS5");
        let mut matched = Vec::new();
        let mut unmatchable: HashMap<&'static str, usize> = HashMap::new();
        let mut short = Vec::new();
        for pass in 0..2 {
            for q in &queries {
                let terms = query_terms(&q.text);
                if fts_matchable(&terms) {
                    let (ids, took) = fts_match(conn, &terms).await?;
                    if pass == 1 {
                        matched.push((q.kind, took, ids.len()));
                    }
                } else if pass == 1 {
                    *unmatchable.entry(q.kind.label()).or_default() += 1;
                    short.push(q);
                }
            }
        }
        out!("FTS5 trigram, MATCH with the query as quoted phrase(s), ORDER BY rank LIMIT 10, with snippet() (\"hits\" = rows returned, at most 10):");
        latency_table(&matched);
        let mut kinds: Vec<_> = unmatchable.into_iter().collect();
        kinds.sort();
        out!(
            "FTS5 cannot MATCH {} of the {} queries (a term shorter than 3 characters: the trigram index finds nothing): {}",
            short.len(),
            queries.len(),
            kinds
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut like = Vec::new();
        for q in short.iter().take(s.like_max) {
            let (ids, took) = fts_like(conn, &query_terms(&q.text)).await?;
            like.push((q.kind, took, ids.len()));
        }
        out!(
            "FTS5 table, LIKE '%term%' fallback for those queries (no index use, no ranking, first 10 rows; {} of {} timed, no warm-up):",
            like.len(),
            short.len()
        );
        latency_table(&like);
    }

    // ---- 4. suggestions, known-item quality ---------------------------------------------------
    suggest::latency(&lib, records, s.suggestions, s.seed).await?;
    if s.quality {
        quality::known_item(&lib, docs, titles, fts, s.known, s.seed).await?;
    }
    lib.close().await;
    Ok(())
}

fn verdict(strict: f64, same_title: f64, target: f64) -> &'static str {
    match (strict >= target, same_title >= target) {
        (true, _) => "MET",
        (false, true) => "MET only counting same-title documents",
        (false, false) => "NOT MET",
    }
}
