//! The search index: a tantivy index in the data folder, derived from the database. It records,
//! with every commit, the id of the last change-feed entry it has applied, so after a crash it
//! catches up from there instead of being rebuilt.

use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, RegexQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument,
    TantivyError, Term,
};

use crate::analysis::{GramTokenizer, WordTokenizer, GRAMS, WORDS};
use crate::query::{parse, ranking_query, substring_query, term_query, ParsedQuery};
use crate::schema::{build, Fields};
use crate::SearchError;

/// Memory for the writer's buffer: tantivy flushes a segment when it is full.
const WRITER_HEAP_BYTES: usize = 96 * 1024 * 1024;

/// What the index holds of one document.
#[derive(Debug, Clone, Default)]
pub struct IndexDoc {
    pub id: i64,
    pub title: String,
    /// The 公文 headings.
    pub outline: Vec<String>,
    pub body: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub access: String,
    /// 'YYYY-MM-DD'.
    pub date: String,
    pub views: i64,
    /// Pinyin search keys of the title, those starting at its first word first.
    pub title_pinyin: Vec<String>,
    /// How many of `title_pinyin` start at the title's first word (full and initials: usually 2).
    pub title_pinyin_head: usize,
    /// Pinyin (full and initials) of the document's keywords.
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
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<(i64, f32)>,
    pub parsed: ParsedQuery,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// `None` for a read-only handle (e.g. a benchmark reading an index another process writes).
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
}

fn date_number(date: &str) -> Option<i64> {
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 8).then(|| digits.parse().ok()).flatten()
}

impl SearchIndex {
    /// Open the index in `dir`, creating it when missing, with a writer. Fails with
    /// [`SearchError::Locked`] when another process writes to it.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Io(dir.display().to_string(), e))?;
        let (schema, fields) = build();
        let mut index = Index::open_or_create(
            tantivy::directory::MmapDirectory::open(dir)?,
            schema.clone(),
        )?;
        if index.schema() != schema {
            // The index is derived data: one built by another version is dropped and rebuilt
            // from the database (its change cursor starts again at 0).
            tracing::warn!(dir = %dir.display(), "the search index has an older schema; rebuilding it");
            drop(index);
            Self::destroy(dir)?;
            std::fs::create_dir_all(dir)
                .map_err(|e| SearchError::Io(dir.display().to_string(), e))?;
            index = Index::create_in_dir(dir, schema.clone())?;
        }
        index.tokenizers().register(GRAMS, GramTokenizer);
        index.tokenizers().register(WORDS, WordTokenizer);
        let writer = match index.writer_with_num_threads(1, WRITER_HEAP_BYTES) {
            Ok(writer) => writer,
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                return Err(SearchError::Locked(dir.display().to_string()))
            }
            Err(other) => return Err(other.into()),
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Some(Mutex::new(writer)),
            fields,
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

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, SearchError> {
        let writer = self.writer.as_ref().ok_or(SearchError::ReadOnly)?;
        Ok(writer.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The last change-feed id the committed index reflects (0 for a new index).
    pub fn applied_change(&self) -> Result<i64, SearchError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Add or replace a document (not visible until [`SearchIndex::commit`]).
    pub fn upsert(&self, doc: &IndexDoc) -> Result<(), SearchError> {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id as u64);
        d.add_text(f.title_grams, &doc.title);
        d.add_text(f.title_words, &doc.title);
        for heading in &doc.outline {
            d.add_text(f.outline_grams, heading);
        }
        d.add_text(f.body_grams, &doc.body);
        d.add_text(f.body_words, &doc.body);
        for (i, key) in doc.title_pinyin.iter().enumerate() {
            d.add_text(f.title_pinyin, key);
            if i < doc.title_pinyin_head {
                d.add_text(f.title_pinyin_head, key);
            }
        }
        for key in &doc.keyword_pinyin {
            d.add_text(f.keyword_pinyin, key);
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
        let writer = self.writer()?;
        writer.delete_term(Term::from_field_u64(f.id, doc.id as u64));
        writer.add_document(d)?;
        Ok(())
    }

    pub fn delete(&self, id: i64) -> Result<(), SearchError> {
        self.writer()?
            .delete_term(Term::from_field_u64(self.fields.id, id as u64));
        Ok(())
    }

    /// Make the changes so far durable and visible, recording the change-feed id they reach.
    pub fn commit(&self, applied_change: i64) -> Result<(), SearchError> {
        {
            let mut writer = self.writer()?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&applied_change.to_string());
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Number of documents in the index (as of the last commit).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Wait for background merges (used before measuring the index size).
    pub fn wait_merging(self) -> Result<(), SearchError> {
        if let Some(writer) = self.writer {
            writer
                .into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .wait_merging_threads()?;
        }
        Ok(())
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let parsed = parse(&request.query);
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &parsed.must {
            if let Some(q) = term_query(f, term) {
                clauses.push((Occur::Must, q));
                clauses.extend(ranking_query(f, term));
            }
        }
        for term in &parsed.must_not {
            if let Some(q) = term_query(f, term) {
                clauses.push((Occur::MustNot, q));
            }
        }
        let mut filters = false;
        for (field, value) in [
            (f.category, &request.category),
            (f.tag, &request.tag),
            (f.access, &request.access),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                let term = Term::from_field_text(field, value);
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
                filters = true;
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
            filters = true;
        }
        let has_terms = parsed
            .must
            .iter()
            .any(|t| !crate::analysis::units(&t.text).is_empty());
        if !has_terms && !filters {
            return Ok(SearchResults {
                parsed,
                ..Default::default()
            });
        }
        if !has_terms {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let limit = request.limit.clamp(1, 100);
        let top = TopDocs::with_limit(limit).and_offset(request.offset.min(10_000));
        let (addresses, total): (Vec<(f32, DocAddress)>, usize) = match request.sort {
            Sort::Relevance => searcher.search(&query, &(top.order_by_score(), Count))?,
            Sort::Date | Sort::Views => {
                let field = if request.sort == Sort::Date {
                    "date"
                } else {
                    "views"
                };
                let (docs, total) = searcher.search(
                    &query,
                    &(top.order_by_fast_field::<i64>(field, Order::Desc), Count),
                )?;
                (
                    docs.into_iter()
                        .map(|(v, a)| (v.unwrap_or(0) as f32, a))
                        .collect(),
                    total,
                )
            }
        };
        let hits = self.ids(&searcher, addresses)?;
        Ok(SearchResults {
            total,
            hits,
            parsed,
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
                .u64("id")?;
            if let Some(id) = column.first(address.doc_id) {
                hits.push((id as i64, score));
            }
        }
        Ok(hits)
    }

    /// Titles for the search box: by the title's text, or by its pinyin or initials.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<i64>, SearchError> {
        let folded = wenyuan_text::fold::fold(prefix.trim());
        let folded: String = folded.chars().take(32).collect();
        let f = &self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(q) = substring_query(f.title_grams, &folded) {
            should.push((Occur::Should, q));
        }
        if wenyuan_text::pinyin::looks_like_pinyin(&folded) {
            if let Ok(q) = RegexQuery::from_pattern(&format!("{folded}.*"), f.title_pinyin) {
                should.push((Occur::Should, Box::new(q)));
            }
        }
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit.clamp(1, 20)).order_by_score();
        let docs = searcher.search(&BooleanQuery::new(should), &top)?;
        Ok(self
            .ids(&searcher, docs)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }
}

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
            title_pinyin: wenyuan_text::pinyin::title_pinyin_keys(title),
            title_pinyin_head: 2,
            ..Default::default()
        }
    }

    fn ids(index: &SearchIndex, query: &str) -> Vec<i64> {
        let request = SearchRequest {
            query: query.to_owned(),
            limit: 10,
            ..Default::default()
        };
        index
            .search(&request)
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
        index.commit(7).unwrap();
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
        assert!(ids(&index, "。，！").is_empty());
        assert!(ids(&index, "").is_empty());
        assert!(
            ids(&index, "title:读书 AND \"").len() <= 3,
            "syntax is text, never an error"
        );

        index.delete(1).unwrap();
        index.commit(8).unwrap();
        assert!(ids(&index, "读书会").is_empty());
        assert_eq!(index.applied_change().unwrap(), 8);
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
