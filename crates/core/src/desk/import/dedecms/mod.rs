//! Moving a DedeCMS 5.7 site over (`wenyuan import --from-dedecms DUMP.sql`): its 栏目, articles
//! and tags become categories, documents and tags, and every address the old site served a page
//! under is saved to answer 301 with the page's new address (see [`urls`]).
//!
//! The mapping (DedeCMS → Wenyuan):
//! - `dede_arctype.typename` → the category; `typedir` + `namerule`/`namerule2` → old addresses.
//! - `dede_archives.title`, `dede_addonarticle.body` (HTML, cleaned as a saved page is) → title
//!   and paragraphs; `pubdate` (else `senddate`, Unix seconds, China time) → date; `click` →
//!   the starting view count; `keywords` and `dede_taglist` → tags; `flag` h (头条) or c (推荐)
//!   → featured (推荐).
//! - `dede_arctype.reid` → the category it sits under (栏目 inside 栏目).
//! - `arcrank` −2 (回收站) → hidden, −1 (待审核) → pending, 0 → public, a member rank → member
//!   (the lowest rank used, normally 10 注册会员) or VIP (any higher rank).
//! - Articles of other channels (图集, 软件 …: `channel` ≠ 1) and articles without a body are
//!   skipped with their reason.
//!
//! Re-running is safe: documents already there are recognised as duplicates (the same title and
//! text) and only their old addresses are saved again.

pub mod site;
pub mod urls;

use std::collections::{BTreeSet, HashMap};
use std::io::BufReader;
use std::path::Path;

use wenyuan_text::html_page::html_fragment_paragraphs;
use wenyuan_text::ParsedDoc;

use super::prepare::{Piece, Prepared};
use super::{FileOutcome, FileResult, ImportOptions, Importer};
use crate::context::Context;
use crate::{Access, CoreError, Result, Status};
use site::{DedeArticle, DedeSite};

/// The `origin` of the old addresses this migration saves.
pub const ORIGIN: &str = "dedecms";

/// Documents stored per round: the importer's own batch size.
const STORE_BATCH: usize = 500;

/// What a migration did, for the report at its end.
#[derive(Debug, Default, Clone)]
pub struct DedeReport {
    /// The table prefix found in the dump.
    pub prefix: String,
    pub articles_in_dump: usize,
    pub imported: usize,
    /// Already in the library (a re-run): their addresses are mapped again.
    pub already_there: usize,
    /// Imported but waiting for review: close to another document, or 待审核 on the old site.
    pub pending: usize,
    /// Categories made, 栏目 above the articles' own included.
    pub categories: usize,
    /// Articles the old site marked 头条 or 推荐 (`flag` h, c), now featured.
    pub featured: usize,
    pub tags: usize,
    /// Old addresses that now answer 301.
    pub old_urls: usize,
    /// Articles not imported on purpose: (article id, reason).
    pub skipped: Vec<(i64, String)>,
    /// Articles that could not be imported: (article id, reason).
    pub failed: Vec<(i64, String)>,
}

/// Moves a DedeCMS site into the library.
pub struct DedeMigration {
    ctx: Context,
    importer: Importer,
}

impl DedeMigration {
    pub(crate) fn new(ctx: Context, importer: Importer) -> Self {
        DedeMigration { ctx, importer }
    }

    /// Import the site a dump holds. `options` gives the import's defaults (status, near-
    /// duplicate handling); the category, access and date of each article come from the dump.
    pub async fn import_dump(&self, dump: &Path, options: &ImportOptions) -> Result<DedeReport> {
        let file = std::fs::File::open(dump).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => {
                CoreError::invalid("dump", format!("找不到备份文件 {}", dump.display()))
            }
            _ => CoreError::Io {
                context: format!("打开备份文件 {}", dump.display()),
                source,
            },
        })?;
        // Reading and cleaning thousands of bodies is CPU work: off the async workers.
        let read = tokio::task::spawn_blocking(move || {
            let site = DedeSite::read(BufReader::with_capacity(1 << 20, file))?;
            let pieces = prepare_articles(&site);
            Ok::<_, String>((site, pieces))
        })
        .await
        .map_err(|e| CoreError::invalid("dump", format!("读取备份文件时出错：{e}")))?;
        let (site, prepared) = read.map_err(|m| CoreError::invalid("dump", m))?;
        let mut report = DedeReport {
            prefix: site.prefix.clone(),
            articles_in_dump: site.articles.len(),
            ..DedeReport::default()
        };
        let mut new_ids: HashMap<i64, i64> = HashMap::new();
        let mut documents: Vec<(i64, Piece)> = Vec::new();
        for (aid, outcome) in prepared {
            match outcome {
                ArticleOutcome::Document(piece) => documents.push((aid, piece)),
                ArticleOutcome::Skipped(reason) => report.skipped.push((aid, reason)),
                ArticleOutcome::Failed(reason) => report.failed.push((aid, reason)),
            }
        }
        let mut rest = documents.into_iter().peekable();
        while rest.peek().is_some() {
            let batch: Vec<(i64, Piece)> = rest.by_ref().take(STORE_BATCH).collect();
            let (aids, pieces): (Vec<i64>, Vec<Piece>) = batch.into_iter().unzip();
            let results = self.importer.store_pieces(pieces, options).await?;
            for (aid, result) in aids.into_iter().zip(results) {
                self.count(&mut report, &mut new_ids, aid, result);
            }
        }
        let nesting = nesting_of(&site, &new_ids);
        self.ctx.store.nest_categories(&nesting).await?;
        // Nesting changes no document, so no change-feed row moves the menus: move them here.
        self.ctx.bump_generation();
        let featured: Vec<i64> = site
            .articles
            .iter()
            .filter(|a| is_featured(a))
            .filter_map(|a| new_ids.get(&a.id).copied())
            .collect();
        self.ctx
            .store
            .feature_all(&featured, self.ctx.now())
            .await?;
        report.featured = featured.len();
        let mut categories: BTreeSet<&str> = site
            .articles
            .iter()
            .filter(|a| new_ids.contains_key(&a.id))
            .filter_map(|a| site.categories.get(&a.category))
            .map(|c| c.name.trim())
            .collect();
        categories.extend(nesting.iter().map(|(_, parent)| parent.as_str()));
        report.categories = categories.len();
        report.tags = site
            .articles
            .iter()
            .filter(|a| new_ids.contains_key(&a.id))
            .flat_map(|a| tags_of(a, &site))
            .collect::<BTreeSet<_>>()
            .len();
        let addresses = self.old_addresses(&site, &new_ids).await?;
        self.ctx.store.save_old_urls(ORIGIN, &addresses).await?;
        report.old_urls = addresses.len();
        Ok(report)
    }

    fn count(
        &self,
        report: &mut DedeReport,
        new_ids: &mut HashMap<i64, i64>,
        aid: i64,
        result: FileResult,
    ) {
        match result.outcome {
            FileOutcome::Imported { id } => {
                report.imported += 1;
                new_ids.insert(aid, id);
            }
            FileOutcome::NearDuplicate { id, held, .. } => {
                report.imported += 1;
                report.pending += usize::from(held);
                new_ids.insert(aid, id);
            }
            FileOutcome::Duplicate { of } => {
                report.already_there += 1;
                new_ids.insert(aid, of);
            }
            FileOutcome::Failed { reason } => report.failed.push((aid, reason)),
        }
    }

    /// Old address → new address for every article and 栏目 that has a new home.
    async fn old_addresses(
        &self,
        site: &DedeSite,
        new_ids: &HashMap<i64, i64>,
    ) -> Result<Vec<(String, String)>> {
        let slugs: HashMap<String, String> = self
            .ctx
            .store
            .categories()
            .await?
            .into_iter()
            .map(|c| (c.name, c.slug))
            .collect();
        let mut addresses = Vec::new();
        for category in site.categories.values() {
            if let Some(slug) = slugs.get(category.name.trim()) {
                // Stored decoded; the 301 encodes it.
                let target = format!("/c/{slug}");
                for path in urls::category_paths(category) {
                    addresses.push((path, target.clone()));
                }
            }
        }
        for article in &site.articles {
            if let Some(id) = new_ids.get(&article.id) {
                let target = format!("/a/{id}");
                for path in urls::article_paths(article, site.categories.get(&article.category)) {
                    addresses.push((path, target.clone()));
                }
            }
        }
        Ok(addresses)
    }
}

/// `(child, parent)` names of every 栏目 above an imported article's 栏目, up to the top (`reid`
/// 0), each pair once.
fn nesting_of(site: &DedeSite, new_ids: &HashMap<i64, i64>) -> Vec<(String, String)> {
    let mut pairs = BTreeSet::new();
    for article in site.articles.iter().filter(|a| new_ids.contains_key(&a.id)) {
        let mut at = site.categories.get(&article.category);
        let mut seen = BTreeSet::new();
        while let Some(category) = at {
            if !seen.insert(category.id) {
                break;
            }
            let parent = site.categories.get(&category.parent);
            if let Some(parent) = parent {
                let (child, above) = (category.name.trim(), parent.name.trim());
                if !child.is_empty() && !above.is_empty() && child != above {
                    pairs.insert((child.to_owned(), above.to_owned()));
                }
            }
            at = parent;
        }
    }
    pairs.into_iter().collect()
}

/// DedeCMS marks an article 头条 with `h` and 推荐 with `c` in its `flag` list.
fn is_featured(article: &DedeArticle) -> bool {
    article
        .flag
        .split(',')
        .any(|f| matches!(f.trim(), "h" | "c"))
}

enum ArticleOutcome {
    Document(Piece),
    Skipped(String),
    Failed(String),
}

/// Every article of the dump as a document to store, or why not.
fn prepare_articles(site: &DedeSite) -> Vec<(i64, ArticleOutcome)> {
    let member_rank = site
        .articles
        .iter()
        .map(|a| a.arcrank)
        .filter(|r| *r > 0)
        .min();
    site.articles
        .iter()
        .map(|article| (article.id, prepare_article(article, site, member_rank)))
        .collect()
}

fn prepare_article(
    article: &DedeArticle,
    site: &DedeSite,
    member_rank: Option<i64>,
) -> ArticleOutcome {
    if article.channel != 1 {
        return ArticleOutcome::Skipped(format!(
            "不是文章模型（channel = {}），正文不在文章表中",
            article.channel
        ));
    }
    let Some(body) = &article.body else {
        return ArticleOutcome::Skipped("没有正文（addonarticle 中无对应记录）".into());
    };
    let paragraphs = match html_fragment_paragraphs(body) {
        Ok(p) => p,
        Err(e) => return ArticleOutcome::Failed(e.to_string()),
    };
    if paragraphs.is_empty() {
        return ArticleOutcome::Skipped("正文为空".into());
    }
    // Titles are stored HTML-escaped by DedeCMS's forms (&quot;, &amp;).
    let title = html_fragment_paragraphs(&article.title)
        .ok()
        .map(|lines| lines.join(" "))
        .unwrap_or_else(|| article.title.clone());
    if title.trim().is_empty() {
        return ArticleOutcome::Failed("标题为空".into());
    }
    let (access, status) = match article.arcrank {
        -2 => (Access::Public, Status::Hidden),
        -1 => (Access::Public, Status::Pending),
        r if r > 0 && Some(r) > member_rank => (Access::Vip, Status::Published),
        r if r > 0 => (Access::Member, Status::Published),
        _ => (Access::Public, Status::Published),
    };
    let parsed = ParsedDoc {
        title: title.trim().to_owned(),
        date: urls::article_date(article),
        views: Some(article.click.max(0)),
        category: site
            .categories
            .get(&article.category)
            .map(|c| c.name.trim().to_owned())
            .filter(|c| !c.is_empty()),
        tags: tags_of(article, site),
        access: Some(access.as_str().to_owned()),
        paragraphs,
        ..ParsedDoc::default()
    };
    ArticleOutcome::Document(Piece::Document(Box::new(Prepared {
        place: format!("aid={}", article.id),
        parsed,
        source: Some(ORIGIN.to_owned()),
        external_id: Some(format!("{ORIGIN}:{}", article.id)),
        status: Some(status),
    })))
}

/// An article's tags: its `keywords` (comma- or space-separated) and its `dede_taglist` rows.
fn tags_of(article: &DedeArticle, site: &DedeSite) -> Vec<String> {
    let mut tags: Vec<String> = article
        .keywords
        .split([',', '，', ' ', '、', ';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(listed) = site.tags.get(&article.id) {
        tags.extend(listed.iter().cloned());
    }
    let mut seen = BTreeSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    tags
}
