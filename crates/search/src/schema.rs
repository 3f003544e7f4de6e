//! The index schema: one tantivy document per published document.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STRING,
};

use crate::analysis::{GRAMS, WORDS};

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub title_grams: Field,
    pub title_words: Field,
    pub outline_grams: Field,
    pub body_grams: Field,
    pub body_words: Field,
    /// Pinyin keys of the title from each word on (see `wenyuan_text::pinyin::title_pinyin_keys`).
    pub title_pinyin: Field,
    /// The keys that start at the title's first word: a query matching one names the title itself.
    pub title_pinyin_head: Field,
    /// Pinyin of the document's keywords: a weaker signal than the title's.
    pub keyword_pinyin: Field,
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

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_u64_field("id", NumericOptions::default() | INDEXED | FAST),
        title_grams: b.add_text_field("title_grams", text(GRAMS, true)),
        title_words: b.add_text_field("title_words", text(WORDS, false)),
        outline_grams: b.add_text_field("outline_grams", text(GRAMS, true)),
        body_grams: b.add_text_field("body_grams", text(GRAMS, true)),
        body_words: b.add_text_field("body_words", text(WORDS, false)),
        title_pinyin: b.add_text_field("title_pinyin", STRING),
        title_pinyin_head: b.add_text_field("title_pinyin_head", STRING),
        keyword_pinyin: b.add_text_field("keyword_pinyin", STRING),
        category: b.add_text_field("category", STRING),
        tag: b.add_text_field("tag", STRING),
        access: b.add_text_field("access", STRING),
        date: b.add_i64_field("date", NumericOptions::default() | INDEXED | FAST),
        views: b.add_i64_field("views", NumericOptions::default() | FAST),
    };
    (b.build(), fields)
}
