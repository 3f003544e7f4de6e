//! The index schema: one tantivy document per published document.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STRING,
};

use crate::analysis::{GRAMS, WORDS};

/// Names of the fast fields read by name (sort keys, hit ids).
pub const ID: &str = "id";
pub const DATE: &str = "date";
pub const VIEWS: &str = "views";
pub const TITLE_CHARS: &str = "title_chars";
pub const TITLE_KEY: &str = "title_key";
pub const CATEGORY: &str = "category";

/// The version of what the index holds beyond its fields (analysis, pinyin terms), recorded
/// with every commit: an index written by another version is rebuilt, as one with other fields
/// is. Bump it when documents would be analysed differently.
pub const FORMAT: &str = "wenyuan-index-5";

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub title_grams: Field,
    pub title_words: Field,
    /// The title with its separators set aside (`analysis::joined`), as grams: a query typed
    /// without the title's spaces and punctuation (or with others) matches here.
    pub title_joined: Field,
    pub outline_grams: Field,
    pub body_grams: Field,
    pub body_words: Field,
    /// What every reader who may not read the whole document sees of it (the gate's preview),
    /// empty for public documents: such readers match these grams, not `body_grams` (see
    /// `query::Scope`).
    pub preview_grams: Field,
    /// Pinyin keys of the title from each word on, and their prefixes (see `pinyin`).
    pub title_pinyin: Field,
    /// Pinyin of the document's keywords and their prefixes: a weaker signal than the title's.
    pub keyword_pinyin: Field,
    /// The start of the title as exact terms, for suggestions: `^` and each of its first
    /// characters (separators aside, folded), and `=` and the whole title (see `suggest`).
    pub title_start: Field,
    /// A hash of the folded title, separators aside: suggestions show a title once however
    /// many documents bear it.
    pub title_key: Field,
    /// The title's length in characters: shorter titles holding the query rank first.
    pub title_chars: Field,
    pub category: Field,
    pub tag: Field,
    pub access: Field,
    /// Publish date as the number yyyymmdd.
    pub date: Field,
    pub views: Field,
}

fn text(tokenizer: &str, positions: bool) -> TextOptions {
    let option = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(option),
    )
}

/// Exact terms, one per value: found or not (no frequencies, no length norms).
fn keys() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    )
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_u64_field(ID, NumericOptions::default() | INDEXED | FAST),
        title_grams: b.add_text_field("title_grams", text(GRAMS, true)),
        title_words: b.add_text_field("title_words", text(WORDS, false)),
        title_joined: b.add_text_field("title_joined", text(GRAMS, true)),
        outline_grams: b.add_text_field("outline_grams", text(GRAMS, true)),
        body_grams: b.add_text_field("body_grams", text(GRAMS, true)),
        body_words: b.add_text_field("body_words", text(WORDS, false)),
        preview_grams: b.add_text_field("preview_grams", text(GRAMS, true)),
        title_pinyin: b.add_text_field("title_pinyin", keys()),
        keyword_pinyin: b.add_text_field("keyword_pinyin", keys()),
        title_start: b.add_text_field("title_start", keys()),
        title_key: b.add_u64_field(TITLE_KEY, NumericOptions::default() | FAST),
        title_chars: b.add_u64_field(TITLE_CHARS, NumericOptions::default() | FAST),
        // A fast field too: result counts per category (facets) read it.
        category: b.add_text_field(CATEGORY, STRING | FAST),
        tag: b.add_text_field("tag", STRING),
        access: b.add_text_field("access", STRING),
        date: b.add_i64_field(DATE, NumericOptions::default() | INDEXED | FAST),
        views: b.add_i64_field(VIEWS, NumericOptions::default() | FAST),
    };
    (b.build(), fields)
}
