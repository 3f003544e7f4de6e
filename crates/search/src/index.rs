//! The search index: a tantivy index in the data folder, derived from the database. It records,
//! with every commit, the id of the last change-feed entry it has applied, so after a crash it
//! catches up from there instead of being rebuilt.

use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use tantivy::collector::sort_key::SortByStaticFastValue;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::indexer::{DefaultMergePolicy, NoMergePolicy};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument,
    TantivyError, Term,
};

use crate::analysis::{self, GramTokenizer, WordTokenizer, GRAMS, WORDS};
use crate::facets::{CategoryCounts, Counts};
use crate::fallback;
use crate::query::{
    joined_query, parse, point_clauses, ranking_query, readable_only, substring_query, term_query,
    ParsedQuery, QueryTerm, Scope,
};
use crate::rank::{self, sort_key, Popularity};
use crate::schema::{build, Fields, DATE, FORMAT, ID, TITLE_KEY, VIEWS};
use crate::synonyms::{Expansion, Synonyms};
use crate::SearchError;
use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::looks_like_pinyin;

/// One search with `top`, the count of matches and, when `facets`, the matches per category.
fn collect<C: tantivy::collector::Collector>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    top: C,
    facets: bool,
) -> Result<(C::Fruit, usize, Counts), SearchError> {
    if facets {
        Ok(searcher.search(query, &(top, Count, CategoryCounts))?)
    } else {
        let (docs, total) = searcher.search(query, &(top, Count))?;
        Ok((docs, total, Vec::new()))
    }
}

/// The count of a query's matches and, when `facets`, its matches per category: no score is
/// computed.
fn count(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    facets: bool,
) -> Result<(usize, Counts), SearchError> {
    if facets {
        Ok(searcher.search(query, &(Count, CategoryCounts))?)
    } else {
        Ok((searcher.search(query, &Count)?, Vec::new()))
    }
}

/// Whether every term of the query is one gram (a word of two characters, one character, one
/// Latin word that is not pinyin): only then do the point documents come first. Measured at a
/// million documents, that halved the 2-character words' p99 (142 → 62 ms, index alone), while
/// longer terms (phrase queries over bigrams) and pinyin got slower: their cost is in matching
/// the phrase or prefix, which the count and the point pass then did twice.
fn one_gram_terms(parsed: &ParsedQuery) -> bool {
    parsed.must.iter().all(|term| {
        analysis::units(&term.text).len() <= 2
            && !(term.text.is_ascii() && looks_like_pinyin(&fold(term.text.trim())))
    })
}

/// The length of what was typed, separators aside (the fit of a title, see `rank`).
fn typed_chars(parsed: &ParsedQuery) -> usize {
    parsed
        .must
        .iter()
        .map(|t| crate::analysis::joined(&t.text).chars().count())
        .sum()
}

/// Titles offered when nothing matches as typed.
const CLOSEST_TITLES: usize = 5;

/// Clauses of a boolean query.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// One search's query, as [`SearchIndex::clauses`] builds it.
struct Built {
    clauses: Clauses,
    /// Each synonym's query alone.
    expansions: Alternatives,
    /// The documents that can score a whole point or more (`query::point_clauses`), when the
    /// query has terms: the first tier a relevance page is looked for in.
    points: Option<Box<dyn Query>>,
}

/// The lowest points of the last hit of a page found among the point documents alone for that
/// page to be the whole query's: other matches score by their text only, below one point (the
/// premise of the tiers in `rank`), so a page whose last hit has two points or more leaves them
/// out in any case, with a point to spare.
const POINTS_BEYOND_TEXT: u32 = 2;
/// The synonyms of a query's terms, each with its query alone.
type Alternatives = Vec<(Expansion, Box<dyn Query>)>;

/// What the index writer may use: memory for its buffer (tantivy flushes a segment when it is
/// full, and takes the memory as it fills, not up front) and threads filing postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterBudget {
    pub heap_bytes: usize,
    pub threads: usize,
}

impl WriterBudget {
    /// A server's writer: one thread, so that following the change feed leaves the other cores
    /// to readers.
    pub const SERVER: WriterBudget = WriterBudget {
        heap_bytes: 96 * 1024 * 1024,
        threads: 1,
    };

    /// A rebuild (`wenyuan reindex`, a new node's fill): a large buffer, so that the library
    /// is filed in few segments and the final merge has little to do. One thread: measured with
    /// two (one per core), each thread builds its own segment with most of the terms again and
    /// the rebuild then merges them, which took 2.5x the CPU and 2.5x the time on 2 cores
    /// (`docs/indexing.md`). Equal sort keys are ordered by id all the same, so more threads
    /// would change no result.
    pub fn rebuild() -> WriterBudget {
        WriterBudget {
            heap_bytes: 640 * 1024 * 1024,
            threads: 1,
        }
    }
}

/// How [`SearchIndex::upsert_many`] files documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filing {
    /// A document already indexed under the same id is replaced.
    Replace,
    /// The documents are new to the index (a rebuild into an empty one): no delete per
    /// document, which tantivy would otherwise look up in every segment at the next commit.
    New,
}

/// A document analysed for the writer (see `SearchIndex::analyse`).
struct Analysed {
    id: i64,
    doc: TantivyDocument,
}

/// What the index holds of one document.
#[derive(Debug, Clone, Default)]
pub struct IndexDoc {
    pub id: i64,
    pub title: String,
    /// The 公文 headings.
    pub outline: Vec<String>,
    pub body: String,
    /// What every reader who may not read the whole document sees (the gate's preview, its
    /// paragraphs one per line); empty for a public document, which everyone reads in full.
    pub preview: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub access: String,
    /// 'YYYY-MM-DD'.
    pub date: String,
    pub views: i64,
    /// Pinyin (full and initials) of the document's keywords. The title's pinyin is derived
    /// here, from the title.
    pub keyword_pinyin: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
    Views,
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub access: Option<String>,
    /// Inclusive, 'YYYY-MM-DD'.
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Access levels whose documents the viewer reads in full; `None`: every level. Other
    /// documents match by their title, outline and preview, and by whole words of the rest only
    /// when no filter narrows the search (see `query::Scope`).
    pub readable: Option<Vec<String>>,
    /// The preview rule in force (as given to [`SearchIndex::commit`]): previews indexed under
    /// another rule are not matched until they are indexed again.
    pub preview_rule: String,
    /// When nothing matches as typed, fall back to the query's words: all of them, then any
    /// (see [`Relaxed`]). Off by default: the relaxed stages answer a different question.
    pub fallback: bool,
    /// Count the matches per category (for links that narrow the search), ignoring the
    /// request's own category filter.
    pub facets: bool,
    /// The site's synonyms, applied to every query term (see `synonyms`).
    pub synonyms: Arc<Synonyms>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<(i64, f32)>,
    /// The query the hits answer: as typed, or its words when the search fell back to them.
    pub parsed: ParsedQuery,
    /// Set when nothing matched as typed and these are the matches of a relaxed query.
    pub relaxed: Option<Relaxed>,
    /// Matches per category, most first (when the request asked for facets).
    pub facets: Vec<(String, usize)>,
    /// The synonyms that found documents for this query (not counting the query as typed).
    pub expansions: Vec<Expansion>,
    /// When nothing matched as typed: titles that read like the query (the same pinyin: a
    /// homophone typo such as 乡村震兴), best first.
    pub closest: Vec<i64>,
    /// When nothing matched at all: the query without its rarest word, if that finds something.
    pub without_rarest: Option<String>,
}

/// How a query was relaxed when nothing matched it as typed (see [`SearchRequest::fallback`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relaxed {
    /// Every word of the query (jieba), anywhere in the document.
    AllWords,
    /// Some of its words: the documents with the most of them first.
    AnyWords,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// `None` for a read-only handle (e.g. a benchmark reading an index another process writes).
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// The preview rule the committed previews were made by.
    preview_rule: Mutex<String>,
    /// Views of the last 30 days, for the order among equally good matches (see `rank`).
    popularity: RwLock<Arc<Popularity>>,
}

/// The commit payload: the index format, the last change-feed id applied, and the preview rule
/// the documents' previews were made by.
fn payload(applied_change: i64, preview_rule: &str) -> String {
    format!("{FORMAT}:{applied_change}:{preview_rule}")
}

/// The parts of a payload: format, last change id, preview rule.
fn payload_parts(payload: &str) -> (&str, Option<i64>, &str) {
    let mut parts = payload.splitn(3, ':');
    let format = parts.next().unwrap_or_default();
    let applied = parts.next().and_then(|id| id.parse().ok());
    (format, applied, parts.next().unwrap_or_default())
}

/// The last change-feed id a commit's payload records (0 for an index never committed).
fn applied_in(payload: Option<&str>) -> i64 {
    payload.and_then(|p| payload_parts(p).1).unwrap_or(0)
}

/// Whether an index with this payload holds documents analysed as this version analyses them
/// (an index never committed holds none).
fn current_format(payload: Option<&str>) -> bool {
    payload.is_none_or(|p| payload_parts(p).0 == FORMAT)
}

/// Most characters of a title's start indexed as `^` terms (suggestions are asked for the first
/// characters typed; a longer input matches by the whole title or its grams).
const START_CHARS: usize = 16;

/// A title as suggestions compare it: folded, separators aside.
fn title_start(title: &str) -> String {
    crate::analysis::joined(&wenyuan_text::fold::fold(title))
}

/// The `title_start` terms of a title (as made by [`title_start`]).
fn start_terms(start: &str) -> Vec<String> {
    let mut terms: Vec<String> = start
        .char_indices()
        .skip(1)
        .map(|(i, _)| &start[..i])
        .chain(std::iter::once(start))
        .take(START_CHARS)
        .map(|prefix| format!("^{prefix}"))
        .collect();
    if !start.is_empty() {
        terms.push(format!("={start}"));
    }
    terms
}

/// FNV-1a, 64 bits: a hash that stays the same across builds (it is stored in the index).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

pub(crate) fn date_number(date: &str) -> Option<i64> {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 8).then(|| digits.parse().ok()).flatten()
}

/// How long a busy writer lock is waited for before the index is called in use. A process
/// forked by this one (a test runs `wenyuan import` beside its servers) holds a copy of the lock
/// file's descriptor until it execs, so a writer dropped and opened again in the same process
/// (a server restarted in place) may find the lock held for a moment; another server holds it
/// for good, and is still refused.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// The index's writer, once the directory lock is free.
fn writer_when_free(
    index: &Index,
    budget: WriterBudget,
    dir: &Path,
) -> Result<IndexWriter, SearchError> {
    let started = std::time::Instant::now();
    loop {
        match index.writer_with_num_threads(budget.threads, budget.heap_bytes) {
            Ok(writer) => return Ok(writer),
            Err(TantivyError::LockFailure(LockError::LockBusy, _))
                if started.elapsed() < LOCK_PATIENCE =>
            {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                return Err(SearchError::Locked(dir.display().to_string()))
            }
            Err(other) => return Err(other.into()),
        }
    }
}

impl SearchIndex {
    /// Open the index in `dir`, creating it when missing, with a writer. Fails with
    /// [`SearchError::Locked`] when another process writes to it.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with_writer(dir, WriterBudget::SERVER)
    }

    /// [`SearchIndex::open`] with a writer of `budget` (a rebuild gives it more).
    pub fn open_with_writer(dir: &Path, budget: WriterBudget) -> Result<Self, SearchError> {
        Self::open_choosing(dir, |_| budget)
    }

    /// A server's index: the writer gets [`WriterBudget::rebuild`] when the index is empty (a
    /// new node, or a lost index, is filled from the whole library at start) and
    /// [`WriterBudget::SERVER`] otherwise. The budget is chosen before the writer exists: opening
    /// a writer, dropping it and opening another raced with any process forked meanwhile (tests
    /// run `wenyuan import` beside running servers): the child holds a copy of the lock file's
    /// descriptor until it execs, and the second writer was refused as "in use".
    pub fn open_for_server(dir: &Path) -> Result<Self, SearchError> {
        Self::open_choosing(dir, |empty| {
            if empty {
                WriterBudget::rebuild()
            } else {
                WriterBudget::SERVER
            }
        })
    }

    /// Open (or create) the index in `dir`; `budget_for(empty)` sizes its writer.
    fn open_choosing(
        dir: &Path,
        budget_for: impl FnOnce(bool) -> WriterBudget,
    ) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Io(dir.display().to_string(), e))?;
        let (schema, fields) = build();
        let mut index = Index::open_or_create(
            tantivy::directory::MmapDirectory::open(dir)?,
            schema.clone(),
        )?;
        if index.schema() != schema || !current_format(index.load_metas()?.payload.as_deref()) {
            // The index is derived data: one built by another version is dropped and rebuilt
            // from the database (its change cursor starts again at 0).
            tracing::warn!(dir = %dir.display(), "the search index was built by another version; rebuilding it");
            drop(index);
            Self::destroy(dir)?;
            std::fs::create_dir_all(dir)
                .map_err(|e| SearchError::Io(dir.display().to_string(), e))?;
            index = Index::create_in_dir(dir, schema.clone())?;
        }
        index.tokenizers().register(GRAMS, GramTokenizer);
        index.tokenizers().register(WORDS, WordTokenizer);
        let metas = index.load_metas()?;
        let empty = metas.segments.iter().all(|segment| segment.num_docs() == 0)
            && applied_in(metas.payload.as_deref()) == 0;
        let budget = budget_for(empty);
        let writer = writer_when_free(&index, budget, dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let preview_rule = index
            .load_metas()?
            .payload
            .map(|p| payload_parts(&p).2.to_owned())
            .unwrap_or_default();
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            preview_rule: Mutex::new(preview_rule),
            popularity: RwLock::new(Arc::new(Popularity::default())),
        })
    }

    /// Remove the index in `dir` entirely (for a rebuild).
    pub fn destroy(dir: &Path) -> Result<(), SearchError> {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(SearchError::Io(dir.display().to_string(), e)),
        }
    }

    fn writer(&self) -> Result<parking_lot::MutexGuard<'_, IndexWriter>, SearchError> {
        Ok(self.writer.lock())
    }

    /// The last change-feed id the committed index reflects (0 for a new index).
    pub fn applied_change(&self) -> Result<i64, SearchError> {
        Ok(applied_in(self.index.load_metas()?.payload.as_deref()))
    }

    /// The preview rule the committed previews were made by ("" for a new index).
    pub fn preview_rule(&self) -> String {
        self.preview_rule.lock().clone()
    }

    /// Replace the views that order equally good matches (the caller refreshes them from the
    /// database now and then; they need no commit).
    pub fn set_popularity(&self, popularity: Popularity) {
        *self.popularity.write() = Arc::new(popularity);
    }

    /// Add or replace a document (not visible until [`SearchIndex::commit`]).
    pub fn upsert(&self, doc: &IndexDoc) -> Result<(), SearchError> {
        self.add(vec![self.analyse(doc)], Filing::Replace)
    }

    /// Add or replace documents (not visible until [`SearchIndex::commit`]): analysed on all
    /// cores, then given to the writer in order (the order of equal documents stays the order
    /// they were indexed in, as with [`SearchIndex::upsert`] one by one).
    pub fn upsert_many(&self, docs: &[IndexDoc], filing: Filing) -> Result<(), SearchError> {
        let analysed: Vec<_> = docs.par_iter().map(|doc| self.analyse(doc)).collect();
        self.add(analysed, filing)
    }

    /// The tantivy document of `doc`, its text already analysed (jieba, folding, grams, pinyin):
    /// the CPU work of indexing, done on the caller's thread so that callers can spread it over
    /// the cores (the writer files the tokens on one thread).
    fn analyse(&self, doc: &IndexDoc) -> Analysed {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id as u64);
        let title = analysis::analyse(&doc.title);
        d.add_text(f.title_grams, title.grams);
        d.add_text(f.title_words, title.words);
        d.add_text(
            f.title_joined,
            analysis::grams(&analysis::joined(&doc.title)),
        );
        let start = title_start(&doc.title);
        for term in start_terms(&start) {
            d.add_text(f.title_start, term);
        }
        d.add_u64(f.title_key, fnv1a(&start));
        d.add_u64(f.title_chars, doc.title.chars().count() as u64);
        for heading in &doc.outline {
            d.add_text(f.outline_grams, analysis::grams(heading));
        }
        let body = analysis::analyse(&doc.body);
        d.add_text(f.body_grams, body.grams);
        d.add_text(f.body_words, body.words);
        d.add_text(f.preview_grams, analysis::grams(&doc.preview));
        let readings = wenyuan_text::pinyin::title_readings(&doc.title);
        for term in crate::pinyin::title_terms(&readings) {
            d.add_text(f.title_pinyin, term);
        }
        for term in crate::pinyin::keyword_terms(&doc.keyword_pinyin) {
            d.add_text(f.keyword_pinyin, term);
        }
        if let Some(category) = &doc.category {
            d.add_text(f.category, category);
        }
        for tag in &doc.tags {
            d.add_text(f.tag, tag);
        }
        d.add_text(f.access, &doc.access);
        d.add_i64(f.date, date_number(&doc.date).unwrap_or(0));
        d.add_i64(f.views, doc.views);
        Analysed { id: doc.id, doc: d }
    }

    /// Give analysed documents to the writer, in order.
    fn add(&self, docs: Vec<Analysed>, filing: Filing) -> Result<(), SearchError> {
        let writer = self.writer()?;
        for Analysed { id, doc } in docs {
            if filing == Filing::Replace {
                writer.delete_term(Term::from_field_u64(self.fields.id, id as u64));
            }
            writer.add_document(doc)?;
        }
        Ok(())
    }

    pub fn delete(&self, id: i64) -> Result<(), SearchError> {
        self.writer()?
            .delete_term(Term::from_field_u64(self.fields.id, id as u64));
        Ok(())
    }

    /// Make the changes so far durable and visible, recording the change-feed id they reach and
    /// the preview rule (any text naming it, e.g. ratio and bound) every indexed preview was made
    /// by: the caller re-indexes the gated documents before it commits another rule.
    pub fn commit(&self, applied_change: i64, preview_rule: &str) -> Result<(), SearchError> {
        {
            let mut writer = self.writer()?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload(applied_change, preview_rule));
            prepared.commit()?;
        }
        *self.preview_rule.lock() = preview_rule.to_owned();
        self.reader.reload()?;
        Ok(())
    }

    /// Stop or resume background merges. A rebuild stops them: merging segments it is about to
    /// merge all at once is wasted work (see [`SearchIndex::merge_segments`]).
    pub fn set_background_merges(&self, on: bool) -> Result<(), SearchError> {
        let writer = self.writer()?;
        if on {
            writer.set_merge_policy(Box::new(DefaultMergePolicy::default()));
        } else {
            writer.set_merge_policy(Box::new(NoMergePolicy));
        }
        Ok(())
    }

    /// Merge all committed segments into one and wait for it: after a rebuild, a query then
    /// visits one segment instead of dozens.
    pub fn merge_segments(&self) -> Result<(), SearchError> {
        {
            let mut writer = self.writer()?;
            let segments = self.index.searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
            }
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Number of committed segments.
    pub fn segments(&self) -> Result<usize, SearchError> {
        Ok(self.index.searchable_segment_ids()?.len())
    }

    /// Whether the index holds nothing and has applied no change: a new one.
    pub fn is_empty(&self) -> Result<bool, SearchError> {
        Ok(self.num_docs() == 0 && self.applied_change()? == 0)
    }

    /// Number of documents in the index (as of the last commit).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Wait for background merges (used before measuring the index size).
    pub fn wait_merging(self) -> Result<(), SearchError> {
        self.writer.into_inner().wait_merging_threads()?;
        Ok(())
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let parsed = parse(&request.query);
        let (filters, filtered) = self.filters(request);
        // Any filter narrows the search: with a date (or a rare tag) it may name one document,
        // and a hidden word plus that filter would say whether that document holds the word.
        let scope = Scope {
            readable: request.readable.clone(),
            hidden_words: !filtered,
            previews: request.preview_rule == *self.preview_rule.lock(),
        };
        let mut exact = self.run(request, &parsed, &filters, &scope, None)?;
        if exact.total > 0 || !request.fallback {
            return Ok(exact);
        }
        let closest = self.closest_titles(&request.query, CLOSEST_TITLES)?;
        if let Some(mut found) = self.relax(request, &parsed, &filters, scope)? {
            found.closest = closest;
            return Ok(found);
        }
        exact.closest = closest;
        exact.without_rarest = self.without_rarest(request, &parsed)?;
        Ok(exact)
    }

    /// The relaxed stages of a query that found nothing as typed (see [`Relaxed`]).
    fn relax(
        &self,
        request: &SearchRequest,
        parsed: &ParsedQuery,
        filters: &Clauses,
        scope: Scope,
    ) -> Result<Option<SearchResults>, SearchError> {
        // Nothing as typed: the query's words, all of them, then any of them. These stages
        // look only at documents the viewer reads in full: a relaxed query must tell nothing of
        // a gated document the query as typed did not (a hidden sentence typed out would
        // otherwise bring up its document by the visible words it shares).
        let Some(words) = fallback::words(parsed) else {
            return Ok(None);
        };
        let scope = Scope {
            hidden_words: false,
            ..scope
        };
        if words.must != parsed.must {
            let mut all = self.run(request, &words, filters, &scope, Some(Relaxed::AllWords))?;
            if all.total > 0 {
                all.relaxed = Some(Relaxed::AllWords);
                return Ok(Some(all));
            }
        }
        let partial = fallback::partial(&words);
        let mut any = self.run(request, &partial, filters, &scope, Some(Relaxed::AnyWords))?;
        if any.total > 0 {
            any.relaxed = Some(Relaxed::AnyWords);
            return Ok(Some(any));
        }
        Ok(None)
    }

    /// Titles whose pinyin reads as the query's (the full pinyin of what was typed, from any
    /// word of the title on): what a reader who picked the wrong character of a homophone meant.
    /// Titles are what every reader sees, so no scope applies.
    pub fn closest_titles(&self, query: &str, limit: usize) -> Result<Vec<i64>, SearchError> {
        let folded = fold(query.trim());
        if folded.chars().count() < 2 || looks_like_pinyin(&folded) {
            return Ok(Vec::new());
        }
        let (full, _) = wenyuan_text::pinyin::word_pinyin(&crate::analysis::joined(&folded));
        if !looks_like_pinyin(&full) {
            return Ok(Vec::new());
        }
        let should = crate::pinyin::clauses(self.fields.title_pinyin, None, &full);
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit.clamp(1, 20)).tweak_score(rank::suggest_key);
        let docs = searcher.search(&BooleanQuery::new(should), &top)?;
        let addresses = docs.into_iter().map(|(_, a)| (0.0, a)).collect();
        Ok(self
            .ids(&searcher, addresses)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// The query without its rarest word (the word fewest documents hold), when the query has
    /// several words and the rest finds something for this reader. Words that state a number are
    /// never offered back (see `fallback`).
    fn without_rarest(
        &self,
        request: &SearchRequest,
        parsed: &ParsedQuery,
    ) -> Result<Option<String>, SearchError> {
        let Some(words) = fallback::words(parsed) else {
            return Ok(None);
        };
        if words.must.len() < 2 {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let mut rarest = (u64::MAX, 0);
        for (i, term) in words.must.iter().enumerate() {
            let mut held = 0;
            for field in [self.fields.title_words, self.fields.body_words] {
                held += searcher.doc_freq(&Term::from_field_text(field, &term.text))?;
            }
            if held < rarest.0 {
                rarest = (held, i);
            }
        }
        let rest: Vec<&str> = words
            .must
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != rarest.1)
            .map(|(_, t)| t.text.as_str())
            .collect();
        let text = rest.join(" ");
        let probe = SearchRequest {
            query: text.clone(),
            offset: 0,
            limit: 1,
            fallback: false,
            facets: false,
            ..request.clone()
        };
        let found = self.search(&probe)?;
        Ok((found.total > 0).then_some(text))
    }

    /// The filter clauses of a request (category, tag, access, dates), and whether there is any.
    fn filters(&self, request: &SearchRequest) -> (Clauses, bool) {
        let (mut clauses, _) = self.filters_but_category(request);
        if let Some(value) = request.category.as_deref().filter(|v| !v.is_empty()) {
            let term = Term::from_field_text(self.fields.category, value);
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        let any = !clauses.is_empty();
        (clauses, any)
    }

    /// The filter clauses of a request but its category (facets count every category).
    fn filters_but_category(&self, request: &SearchRequest) -> (Clauses, bool) {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, value) in [(f.tag, &request.tag), (f.access, &request.access)] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                let term = Term::from_field_text(field, value);
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        }
        let from = request.date_from.as_deref().and_then(date_number);
        let to = request.date_to.as_deref().and_then(date_number);
        if from.is_some() || to.is_some() {
            use std::ops::Bound::{Included, Unbounded};
            let bound =
                |d: Option<i64>| d.map_or(Unbounded, |d| Included(Term::from_field_i64(f.date, d)));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(bound(from), bound(to))),
            ));
        }
        let any = !clauses.is_empty();
        (clauses, any)
    }

    /// The clauses of one search of `parsed` within `filters`: every term (or one of its
    /// synonyms) must match, or in the [`Relaxed::AnyWords`] stage at least one. Relaxed stages
    /// cover only the documents the viewer reads in full. Also each synonym's query alone, to
    /// tell which found something. `None` when there is nothing to search for.
    fn clauses(
        &self,
        request: &SearchRequest,
        parsed: &ParsedQuery,
        filters: &[(Occur, Box<dyn Query>)],
        scope: &Scope,
        stage: Option<Relaxed>,
    ) -> Option<Built> {
        let f = &self.fields;
        let any = stage == Some(Relaxed::AnyWords);
        let mut points: Clauses = Vec::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = filters
            .iter()
            .map(|(occur, q)| (*occur, q.box_clone()))
            .collect();
        if let (Some(_), Some(levels)) = (stage, &scope.readable) {
            clauses.push((Occur::Must, readable_only(f, levels)));
        }
        let mut matches: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut expansions: Alternatives = Vec::new();
        for term in &parsed.must {
            if let Some(q) = term_query(f, term, scope) {
                points.extend(point_clauses(f, term));
                // The term or any of its synonyms (each matched as the term would be).
                let mut either: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, q)];
                for expansion in request.synonyms.expand(&term.text) {
                    let alternative = QueryTerm {
                        text: expansion.text.clone(),
                        phrase: term.phrase,
                    };
                    if let Some(q) = term_query(f, &alternative, scope) {
                        points.extend(point_clauses(f, &alternative));
                        either.push((Occur::Should, q.box_clone()));
                        expansions.push((expansion, q));
                    }
                }
                let q: Box<dyn Query> = if either.len() == 1 {
                    either.remove(0).1
                } else {
                    Box::new(BooleanQuery::new(either))
                };
                matches.push((if any { Occur::Should } else { Occur::Must }, q));
                clauses.extend(ranking_query(f, term, scope));
            }
        }
        if any && !matches.is_empty() {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(matches))));
        } else {
            clauses.extend(matches);
        }
        // All the terms in a row, separators aside, in the title: the words are close together
        // and in order (a bonus, never a condition).
        if parsed.must.len() >= 2 {
            let all: String = parsed.must.iter().map(|t| t.text.as_str()).collect();
            if let Some(q) = joined_query(f, &all) {
                points.push((Occur::Should, q.box_clone()));
                clauses.push((Occur::Should, q));
            }
        }
        for term in &parsed.must_not {
            if let Some(q) = term_query(f, term, scope) {
                clauses.push((Occur::MustNot, q));
            }
        }
        let has_terms = parsed
            .must
            .iter()
            .any(|t| !crate::analysis::units(&t.text).is_empty());
        if !has_terms && filters.is_empty() {
            return None;
        }
        if !has_terms {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let points = (has_terms && !points.is_empty())
            .then(|| Box::new(BooleanQuery::new(points)) as Box<dyn Query>);
        Some(Built {
            clauses,
            expansions,
            points,
        })
    }

    /// One search (see [`SearchIndex::clauses`]).
    fn run(
        &self,
        request: &SearchRequest,
        parsed: &ParsedQuery,
        filters: &[(Occur, Box<dyn Query>)],
        scope: &Scope,
        stage: Option<Relaxed>,
    ) -> Result<SearchResults, SearchError> {
        let Some(Built {
            clauses,
            expansions,
            points,
        }) = self.clauses(request, parsed, filters, scope, stage)
        else {
            return Ok(SearchResults {
                parsed: parsed.clone(),
                ..Default::default()
            });
        };
        let searcher = self.reader.searcher();
        // Which synonyms found something: each alternative alone, within the filters.
        let mut found_by = Vec::new();
        for (expansion, q) in expansions {
            let mut alone: Clauses = filters.iter().map(|(o, q)| (*o, q.box_clone())).collect();
            alone.push((Occur::Must, q));
            if searcher.search(&BooleanQuery::new(alone), &Count)? > 0 {
                found_by.push(expansion);
            }
        }
        // Facets: the matches in every category, as if the category were not chosen. A count
        // per category is a filter by category, so hidden text matches no whole word here (see
        // `query::Scope`): the counts tell no more than the filtered searches would.
        // With no category chosen and no hidden-word clause, the facets are the query's own
        // matches: counted in the same pass (one search instead of two).
        let facets_in_pass = request.facets
            && request.category.as_deref().is_none_or(str::is_empty)
            && (scope.readable.is_none() || !scope.hidden_words);
        let mut facets = if request.facets && !facets_in_pass {
            let (others, _) = self.filters_but_category(request);
            let scope = Scope {
                hidden_words: false,
                ..scope.clone()
            };
            match self.clauses(request, parsed, &others, &scope, stage) {
                Some(built) => {
                    searcher.search(&BooleanQuery::new(built.clauses), &CategoryCounts)?
                }
                None => Vec::new(),
            }
        } else {
            Vec::new()
        };
        let query = BooleanQuery::new(clauses);
        let limit = request.limit.clamp(1, 100);
        let offset = request.offset.min(10_000);
        let top = || TopDocs::with_limit(limit).and_offset(offset);
        let (addresses, total): (Vec<(f32, DocAddress)>, usize) = match request.sort {
            Sort::Relevance => {
                let typed = typed_chars(parsed);
                let popularity = self.popularity.read().clone();
                let key = || sort_key(popularity.clone(), typed);
                let (docs, total) = match points.as_ref().filter(|_| one_gram_terms(parsed)) {
                    // The point documents first (a title match: a few thousand documents where
                    // a common word matches the text of a hundred thousand), each scored by the
                    // whole query, the matches counted without scores; the whole query only
                    // when they do not fill the page.
                    Some(points) => {
                        let (total, counted) = count(&searcher, &query, facets_in_pass)?;
                        facets.extend(counted);
                        let within: Clauses = vec![
                            (Occur::Must, Box::new(query.clone())),
                            (
                                Occur::Must,
                                Box::new(ConstScoreQuery::new(points.box_clone(), 0.0)),
                            ),
                        ];
                        let docs = searcher
                            .search(&BooleanQuery::new(within), &top().tweak_score(key()))?;
                        let full = docs.len() == limit
                            && docs
                                .last()
                                .is_some_and(|(last, _)| last.points >= POINTS_BEYOND_TEXT);
                        if full {
                            (docs, total)
                        } else {
                            (searcher.search(&query, &top().tweak_score(key()))?, total)
                        }
                    }
                    // Every match scored and counted in one pass.
                    None => {
                        let (docs, total, counted) =
                            collect(&searcher, &query, top().tweak_score(key()), facets_in_pass)?;
                        facets.extend(counted);
                        (docs, total)
                    }
                };
                (
                    docs.into_iter().map(|(key, a)| (key.score, a)).collect(),
                    total,
                )
            }
            Sort::Date | Sort::Views => {
                let field = if request.sort == Sort::Date {
                    DATE
                } else {
                    VIEWS
                };
                // Equal dates (or views) are ordered by id, oldest first: the order does not
                // depend on which segment, or which writer thread, holds a document.
                let by_field = top().order_by((
                    (SortByStaticFastValue::<i64>::for_field(field), Order::Desc),
                    (SortByStaticFastValue::<u64>::for_field(ID), Order::Asc),
                ));
                let (docs, total, counted) = collect(&searcher, &query, by_field, facets_in_pass)?;
                facets.extend(counted);
                (
                    docs.into_iter()
                        .map(|((v, _), a)| (v.unwrap_or(0) as f32, a))
                        .collect(),
                    total,
                )
            }
        };
        let hits = self.ids(&searcher, addresses)?;
        Ok(SearchResults {
            total,
            hits,
            parsed: parsed.clone(),
            relaxed: None,
            facets,
            expansions: found_by,
            closest: Vec::new(),
            without_rarest: None,
        })
    }

    fn ids(
        &self,
        searcher: &tantivy::Searcher,
        addresses: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<(i64, f32)>, SearchError> {
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64(ID)?;
            if let Some(id) = column.first(address.doc_id) {
                hits.push((id as i64, score));
            }
        }
        Ok(hits)
    }

    /// Titles for the search box: by the title's text (separators aside), or by its pinyin or
    /// initials. The typed title first when there is one, then titles that start with what is
    /// typed, then the others; among equals the more read, then the shorter (see
    /// `rank::suggest_key`). A title borne by several documents is suggested once.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<i64>, SearchError> {
        let folded = wenyuan_text::fold::fold(prefix.trim());
        let folded: String = folded.chars().take(32).collect();
        let f = &self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(q) = substring_query(f.title_grams, &folded) {
            should.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(q, rank::TITLE)),
            ));
        }
        should.extend(joined_query(f, &folded).map(|q| (Occur::Should, q)));
        let start = crate::analysis::joined(&folded);
        if !start.is_empty() {
            for (term, points) in [
                (format!("^{start}"), rank::SUGGEST_START),
                (format!("={start}"), rank::SUGGEST_WHOLE),
            ] {
                let q = TermQuery::new(
                    Term::from_field_text(f.title_start, &term),
                    IndexRecordOption::Basic,
                );
                should.push((
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(Box::new(q), points)),
                ));
            }
        }
        if wenyuan_text::pinyin::looks_like_pinyin(&folded) {
            should.extend(crate::pinyin::clauses(f.title_pinyin, None, &folded));
            if folded.len() <= crate::pinyin::MAX_PREFIX {
                let q = TermQuery::new(
                    Term::from_field_text(f.title_pinyin, &format!("^{folded}")),
                    IndexRecordOption::Basic,
                );
                should.push((
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(Box::new(q), rank::SUGGEST_START)),
                ));
            }
        }
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, 20);
        let searcher = self.reader.searcher();
        // More than asked: titles borne by several documents are dropped after the first.
        let top = TopDocs::with_limit(limit * SUGGEST_OVERFETCH).tweak_score(rank::suggest_key);
        let docs = searcher.search(&BooleanQuery::new(should), &top)?;
        let mut seen = std::collections::HashSet::new();
        let mut ids = Vec::with_capacity(limit);
        for (_, address) in docs {
            let fast = searcher.segment_reader(address.segment_ord).fast_fields();
            let key = fast
                .u64(TITLE_KEY)?
                .first(address.doc_id)
                .unwrap_or_default();
            if !seen.insert(key) {
                continue;
            }
            if let Some(id) = fast.u64(ID)?.first(address.doc_id) {
                ids.push(id as i64);
            }
            if ids.len() == limit {
                break;
            }
        }
        Ok(ids)
    }
}

/// How many more documents than suggestions are read, so that duplicate titles can be dropped.
const SUGGEST_OVERFETCH: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, title: &str, body: &str) -> IndexDoc {
        IndexDoc {
            id,
            title: title.to_owned(),
            body: body.to_owned(),
            access: "public".to_owned(),
            date: "2020-11-04".to_owned(),
            ..Default::default()
        }
    }

    fn ids(index: &SearchIndex, query: &str) -> Vec<i64> {
        ids_of(
            index,
            &SearchRequest {
                query: query.to_owned(),
                limit: 10,
                ..Default::default()
            },
        )
    }

    /// The whole query's page and count in one pass over every match: what a relevance page was
    /// before the point documents came first.
    fn one_pass_page(index: &SearchIndex, request: &SearchRequest) -> (usize, Vec<(i64, f32)>) {
        let parsed = parse(&request.query);
        let (filters, filtered) = index.filters(request);
        let scope = Scope {
            readable: request.readable.clone(),
            hidden_words: !filtered,
            previews: request.preview_rule == *index.preview_rule.lock(),
        };
        let built = index
            .clauses(request, &parsed, &filters, &scope, None)
            .unwrap();
        let searcher = index.reader.searcher();
        let key = sort_key(index.popularity.read().clone(), typed_chars(&parsed));
        let top = TopDocs::with_limit(request.limit)
            .and_offset(request.offset)
            .tweak_score(key);
        let (docs, total) = searcher
            .search(&BooleanQuery::new(built.clauses), &(top, Count))
            .unwrap();
        let addresses = docs.into_iter().map(|(k, a)| (k.score, a)).collect();
        (total, index.ids(&searcher, addresses).unwrap())
    }

    #[test]
    fn a_page_found_among_the_point_documents_is_the_whole_querys_page() {
        // Reports and news of the shared corpus, a third of them for members (previews only).
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
        let mut docs = Vec::new();
        for (file, take) in [("reports.jsonl", 88), ("news.jsonl", 1500)] {
            let text = std::fs::read_to_string(corpus.join(file)).unwrap();
            for line in text.lines().take(take) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let id = docs.len() as i64 + 1;
                let body = v["body"].as_str().unwrap_or_default().to_owned();
                let member = id % 3 == 0;
                docs.push(IndexDoc {
                    id,
                    title: v["title"].as_str().unwrap().to_owned(),
                    preview: if member {
                        body.chars().take(120).collect()
                    } else {
                        String::new()
                    },
                    body,
                    access: if member { "member" } else { "public" }.to_owned(),
                    date: v["date"].as_str().unwrap_or("2020-01-01").to_owned(),
                    ..Default::default()
                });
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        index.upsert_many(&docs, Filing::New).unwrap();
        index.commit(1, "").unwrap();
        index.set_popularity(Popularity::new(
            docs.iter().map(|d| (d.id, d.id % 7 * 11)),
            "2024-06-01",
        ));

        let (mut shortcut, mut whole) = (0, 0);
        for query in [
            "工作",
            "发展",
            "报告",
            "政府工作报告",
            "经济 发展",
            "\"高质量发展\"",
            "gzbg",
            "zhengfu",
            "坚持",
            "的",
            "人民 生活",
            "改革开放",
            "疫情防控",
            "-发展 工作",
        ] {
            for readable in [None, Some(vec!["public".to_owned()])] {
                for offset in [0, 10, 40] {
                    let request = SearchRequest {
                        query: query.to_owned(),
                        offset,
                        limit: 10,
                        readable: readable.clone(),
                        ..Default::default()
                    };
                    let found = index.search(&request).unwrap();
                    let (total, hits) = one_pass_page(&index, &request);
                    assert_eq!(found.total, total, "{query} {readable:?} {offset}");
                    assert_eq!(found.hits, hits, "{query} {readable:?} {offset}");
                    // Pages of one-gram queries whose last hit has two points are the ones found
                    // among the point documents alone.
                    let one_gram = one_gram_terms(&parse(query));
                    match hits.last() {
                        Some((_, score)) if one_gram && hits.len() == 10 && *score >= 2.0 => {
                            shortcut += 1
                        }
                        _ => whole += 1,
                    }
                }
            }
        }
        assert!(
            shortcut > 10 && whole > 10,
            "{shortcut} pages from the point documents, {whole} from every match"
        );
    }

    fn ids_of(index: &SearchIndex, request: &SearchRequest) -> Vec<i64> {
        index
            .search(request)
            .unwrap()
            .hits
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn substrings_phrases_exclusions_pinyin_and_traditional_script_match() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        index
            .upsert(&doc(
                1,
                "在2020年区委读书会上的讲话",
                "推进区域高质量发展。营商环境创优持续推进。防范化解金融风险。",
            ))
            .unwrap();
        index
            .upsert(&doc(
                2,
                "严守耕地保护红线",
                "坚持最严格的耕地保护制度，营商环境。",
            ))
            .unwrap();
        index
            .upsert(&doc(3, "银行业高质量 发展报告", "质量发展不等于高质量发展"))
            .unwrap();
        index.commit(7, "").unwrap();
        assert_eq!(index.applied_change().unwrap(), 7);
        assert_eq!(index.num_docs(), 3);

        assert_eq!(ids(&index, "读书会"), [1]);
        assert_eq!(ids(&index, "讀書會"), [1], "traditional script");
        assert_eq!(ids(&index, "dsh"), [1], "initials of a title word");
        assert_eq!(ids(&index, "dushuhui"), [1]);
        assert_eq!(ids(&index, "gdbh"), [2]);
        assert_eq!(ids(&index, "营商 -金融"), [2]);
        let mut both = ids(&index, "营商");
        both.sort();
        assert_eq!(both, [1, 2]);
        let mut phrase = ids(&index, "\"高质量发展\"");
        phrase.sort();
        assert_eq!(
            phrase,
            [1, 3],
            "doc 3 has it in the body, not in its spaced title"
        );
        assert_eq!(ids(&index, "耕地"), [2], "a 2-character word");
        assert_eq!(
            ids(&index, "20年区委"),
            [1],
            "a fragment cutting a number at its start"
        );
        assert_eq!(ids(&index, "在202"), [1], "… and at its end");
        assert!(ids(&index, "。，！").is_empty());
        assert!(ids(&index, "").is_empty());
        assert!(
            ids(&index, "title:读书 AND \"").len() <= 3,
            "syntax is text, never an error"
        );

        index.delete(1).unwrap();
        index.commit(8, "").unwrap();
        assert!(ids(&index, "读书会").is_empty());
        assert_eq!(index.applied_change().unwrap(), 8);
    }

    fn dated(id: i64, title: &str, body: &str, date: &str) -> IndexDoc {
        IndexDoc {
            date: date.to_owned(),
            ..doc(id, title, body)
        }
    }

    #[test]
    fn equal_dates_and_views_are_ordered_by_id_wherever_the_documents_were_filed() {
        let dir = tempfile::tempdir().unwrap();
        // A rebuild's writer: several threads, each filling its own segment.
        let index = SearchIndex::open_with_writer(
            dir.path(),
            WriterBudget {
                heap_bytes: 64 * 1024 * 1024,
                threads: 2,
            },
        )
        .unwrap();
        let docs: Vec<IndexDoc> = (1..=40)
            .rev()
            .map(|id| {
                dated(
                    id,
                    "工作会议",
                    "正文",
                    if id % 2 == 0 {
                        "2021-01-01"
                    } else {
                        "2020-01-01"
                    },
                )
            })
            .collect();
        // Later ids filed first, over several commits (segments).
        for chunk in docs.chunks(7) {
            index.upsert_many(chunk, Filing::New).unwrap();
            index.commit(1, "").unwrap();
        }
        assert!(index.segments().unwrap() > 1);
        let sorted = |sort: Sort| {
            let query = "工作会议".to_owned();
            ids_of(
                &index,
                &SearchRequest {
                    query,
                    limit: 40,
                    sort,
                    ..Default::default()
                },
            )
        };
        let newest_first: Vec<i64> = (1..=40)
            .filter(|id| id % 2 == 0)
            .chain((1..=40).filter(|id| id % 2 == 1))
            .collect();
        assert_eq!(sorted(Sort::Date), newest_first, "a date, then the id");
        assert_eq!(
            sorted(Sort::Views),
            (1..=40).collect::<Vec<_>>(),
            "no views: by id"
        );
        index.merge_segments().unwrap();
        assert_eq!(sorted(Sort::Date), newest_first, "merging changes nothing");
    }

    #[test]
    fn titles_holding_the_query_rank_first_shortest_first_then_newest() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        // The body of 1 repeats the query many times; titles 2 and 3 hold it once.
        let body = "读书会".repeat(50);
        index.upsert(&doc(1, "关于学习的通知", &body)).unwrap();
        index
            .upsert(&doc(2, "在2020年区委读书会上的讲话", "正文"))
            .unwrap();
        index.upsert(&doc(3, "读书会", "正文")).unwrap();
        index.commit(1, "").unwrap();
        assert_eq!(
            ids(&index, "读书会"),
            [3, 2, 1],
            "the title that is the query first"
        );
        assert_eq!(ids(&index, "dsh"), [3, 2]);

        // Equal titles: newer date first, then higher id — in one segment or across several.
        index
            .upsert(&dated(10, "工作会议", "", "2020-01-01"))
            .unwrap();
        index.commit(2, "").unwrap();
        index
            .upsert(&dated(12, "工作会议", "", "2021-01-01"))
            .unwrap();
        index
            .upsert(&dated(11, "工作会议", "", "2021-01-01"))
            .unwrap();
        index.commit(3, "").unwrap();
        assert_eq!(ids(&index, "工作会议"), [12, 11, 10]);
        assert_eq!(ids(&index, "gzhy"), [12, 11, 10]);
        index.merge_segments().unwrap();
        assert_eq!(index.segments().unwrap(), 1);
        assert_eq!(
            ids(&index, "工作会议"),
            [12, 11, 10],
            "merging changes nothing"
        );
    }

    #[test]
    fn whole_words_of_the_title_rank_before_partial_ones_and_views_break_ties() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        // 工作 is a word of 1's title; in 2's it straddles 施工 and 作业.
        index.upsert(&doc(1, "乡村工作会议纪要", "")).unwrap();
        index.upsert(&doc(2, "施工作业安全规范", "")).unwrap();
        index.upsert(&doc(3, "全省工作会议", "")).unwrap();
        index.upsert(&doc(4, "全市工作会议", "")).unwrap();
        index.commit(1, "").unwrap();
        let found = ids(&index, "工作");
        assert_eq!(found.last(), Some(&2), "{found:?}");
        // 3 and 4 are equally good: the one read in the last 30 days first.
        index.set_popularity(Popularity::new([(3, 40)], "2020-11-10"));
        assert_eq!(ids(&index, "工作会议")[..2], [3, 4]);
        index.set_popularity(Popularity::new([(4, 40)], "2020-11-10"));
        assert_eq!(ids(&index, "工作会议")[..2], [4, 3]);
    }

    #[test]
    fn pinyin_of_whole_words_and_of_the_title_start_rank_higher() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        // gz: the initials of 改造之 start inside a word (gzz), of 工作 they cover it.
        index.upsert(&doc(1, "乡村改造之路", "")).unwrap();
        index.upsert(&doc(2, "乡村工作总结", "")).unwrap();
        index.upsert(&doc(3, "工作总结", "")).unwrap();
        index.commit(1, "").unwrap();
        assert_eq!(ids(&index, "gz"), [3, 2, 1]);
        assert_eq!(ids(&index, "gongzuo"), [3, 2]);
        // Longer than the indexed prefixes: matched on the whole keys.
        assert_eq!(ids(&index, "xiangcungongzuozongjie"), [2]);
        assert_eq!(index.suggest("gz", 8).unwrap(), [3, 2, 1]);
        assert_eq!(index.suggest("工作", 8).unwrap(), [3, 2]);
    }

    #[test]
    fn separators_do_not_matter_and_the_exact_phrase_ranks_first() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        index
            .upsert(&doc(1, "【领航中国】共护一江水 万里长江焕发新活力", ""))
            .unwrap();
        index
            .upsert(&doc(2, "共护一江水万里长江的故事与长卷", ""))
            .unwrap();
        index.upsert(&doc(3, "万里长江", "共护一江水")).unwrap();
        index.upsert(&doc(4, "长江万里，共护一江水", "")).unwrap();
        index.commit(1, "").unwrap();
        // Exact phrase (2) before across a space (1); the words apart (3, 4) do not match.
        assert_eq!(ids(&index, "共护一江水万里长江"), [2, 1]);
        assert_eq!(ids(&index, "共護一江水萬里長江"), [2, 1], "traditional");
        // Both ways: a separator the title does not have (2) matches; one where the title has
        // one (any separator: 1) matches the phrase and ranks first.
        assert_eq!(ids(&index, "共护一江水、万里长江"), [1, 2]);
        assert_eq!(ids(&index, "领航中国共护"), [1]);
        // Several words: in a row in the title, then both in the title, then elsewhere.
        assert_eq!(ids(&index, "一江水 万里长江"), [2, 1, 3]);
        // Nothing as typed: the words, when the request allows it.
        assert!(ids(&index, "万里长江共护一江水").is_empty());
        let relaxed = index
            .search(&SearchRequest {
                query: "万里长江共护一江水".to_owned(),
                limit: 10,
                fallback: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(relaxed.relaxed, Some(Relaxed::AllWords));
        assert_eq!(relaxed.total, 4);
        let relaxed = index
            .search(&SearchRequest {
                query: "万里长江乡村振兴".to_owned(),
                limit: 10,
                fallback: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(relaxed.relaxed, Some(Relaxed::AnyWords));
        assert_eq!(relaxed.hits[0].0, 3, "the shortest title holding a word");
    }

    #[test]
    fn readers_match_hidden_text_only_by_whole_words_and_never_with_a_filter() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let preview = "各位代表：现在报告工作。";
        index
            .upsert(&IndexDoc {
                access: "member".to_owned(),
                preview: preview.to_owned(),
                ..dated(
                    1,
                    "政府工作报告",
                    &format!("{preview}\n设备购置投资增长15.7%，家电类商品零售额增长12.3%。"),
                    "2025-03-05",
                )
            })
            .unwrap();
        index
            .upsert(&dated(
                2,
                "统计公报",
                "固定资产投资增长3.2%。",
                "2025-02-28",
            ))
            .unwrap();
        index.commit(1, "0.3/1500").unwrap();
        let sorted = |request: SearchRequest| {
            let mut ids: Vec<i64> = index
                .search(&request)
                .unwrap()
                .hits
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            ids.sort_unstable();
            ids
        };
        let as_reader = |levels: Option<&[&str]>, query: &str, date: Option<&str>| SearchRequest {
            query: query.to_owned(),
            readable: levels.map(|l| l.iter().map(|s| s.to_string()).collect()),
            preview_rule: "0.3/1500".to_owned(),
            date_from: date.map(str::to_owned),
            date_to: date.map(str::to_owned),
            limit: 10,
            ..Default::default()
        };
        let guest = |query: &str| sorted(as_reader(Some(&["public"]), query, None));
        assert_eq!(guest("投资"), [1, 2], "a topic word of the hidden part");
        assert_eq!(guest("报告工作"), [1], "any substring of the preview");
        assert_eq!(guest("工作报告"), [1], "the title");
        for probe in [
            "购置投资增长15.7",
            "\"购置投资\"",
            "购置投资",
            "增长1",
            "增长15",
            "15.7",
            "置投",
        ] {
            assert_eq!(guest(probe), Vec::<i64>::new(), "{probe}");
        }
        assert_eq!(
            guest("\"投资\""),
            [2],
            "a phrase matches readable text only"
        );
        assert_eq!(
            guest("投资 -\"购置投资\""),
            [1, 2],
            "nor excludes by hidden text"
        );
        assert_eq!(
            guest("投资 -零售"),
            [2],
            "a hidden word excludes as it finds"
        );
        let dated_guest = as_reader(Some(&["public"]), "投资", Some("2025-03-05"));
        assert!(
            sorted(dated_guest).is_empty(),
            "no hidden match with a date"
        );
        let dated_guest = as_reader(Some(&["public"]), "报告工作", Some("2025-03-05"));
        assert_eq!(
            sorted(dated_guest),
            [1],
            "the preview still matches with a date"
        );
        let stale = SearchRequest {
            preview_rule: "0.5/1500".to_owned(),
            ..as_reader(Some(&["public"]), "报告工作", None)
        };
        assert!(
            sorted(stale).is_empty(),
            "previews made by another rule are not matched"
        );
        // Who may read it matches any substring, with any filter.
        for levels in [None, Some(&["public", "member"][..])] {
            assert_eq!(
                sorted(as_reader(levels, "购置投资增长15.7", Some("2025-03-05"))),
                [1]
            );
        }
    }

    #[test]
    fn an_index_of_another_format_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        {
            let index = SearchIndex::open(dir.path()).unwrap();
            index.upsert(&doc(1, "读书会", "")).unwrap();
            let mut writer = index.writer().unwrap();
            let mut prepared = writer.prepare_commit().unwrap();
            prepared.set_payload("42"); // as the first version wrote it
            prepared.commit().unwrap();
        }
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.num_docs(), 0);
        assert_eq!(index.applied_change().unwrap(), 0);
    }

    #[test]
    fn a_second_writer_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let _first = SearchIndex::open(dir.path()).unwrap();
        match SearchIndex::open(dir.path()) {
            Err(SearchError::Locked(_)) => {}
            Err(other) => panic!("expected Locked, got {other}"),
            Ok(_) => panic!("expected Locked, got a second writer"),
        }
    }
}
