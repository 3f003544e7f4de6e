//! Property tests of the query parser (issue 10, item 7): whatever a reader types — quotes that do
//! not close, minus signs, full-width forms, control characters, a megabyte of text — the parser
//! answers with a bounded query and never panics.
//!
//! CI runs proptest's default 256 cases; a longer run:
//!     PROPTEST_CASES=20000 cargo test -p wenyuan-search --release --test query_properties

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use wenyuan_search::query::{MAX_QUERY_CHARS, MAX_TERMS};
use wenyuan_search::{parse, SearchIndex, SearchRequest};

const PIECES: &[&str] = &[
    "\"",
    "“",
    "”",
    "＂",
    "-",
    "－",
    " ",
    "\u{3000}",
    "\t",
    "\n",
    "乡村",
    "振兴",
    "高质量发展",
    "15.7",
    "%",
    "增长",
    "dsh",
    "xczx",
    "A",
    "*",
    "?",
    "(",
    ")",
    "[",
    "]",
    ":",
    "\\",
    "\u{0}",
    "\u{7f}",
    "\u{200b}",
    "😀",
    "。",
    "，",
    "、",
    "【",
    "】",
    "AND",
    "OR",
    "NOT",
    "title:",
    "~2",
    "^3",
];

fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|p| p.concat()),
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn any_input_parses_to_a_bounded_query(input in typed()) {
        let parsed = parse(&input);
        prop_assert!(parsed.must.len() <= MAX_TERMS);
        prop_assert!(parsed.must_not.len() <= MAX_TERMS);
        for term in parsed.must.iter().chain(&parsed.must_not) {
            prop_assert!(!term.text.trim().is_empty(), "no empty term from {:?}", input);
            prop_assert!(term.text.chars().count() <= MAX_QUERY_CHARS);
        }
        if input.chars().count() > MAX_QUERY_CHARS {
            prop_assert!(parsed.truncated);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever is typed, an (empty) index answers with a result, not an error or a panic.
    #[test]
    fn any_input_searches_without_error(input in typed()) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let request = SearchRequest { query: input, limit: 10, ..SearchRequest::default() };
        let results = index.search(&request);
        prop_assert!(results.is_ok(), "{:?}", results.err());
    }
}
