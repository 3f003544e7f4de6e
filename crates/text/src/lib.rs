//! Wenyuan's text pipeline: pure functions over bytes and `&str`, no I/O.
//!
//! The steps run in this order when a file is imported (docs/design.md §3):
//! [`decode`] bytes → [`document`] parsing (which calls [`chrome`] trimming) →
//! [`outline`] heading recognition; [`preview`] decides how much a guest sees and
//! [`fingerprint`] detects exact duplicates.
//!
//! For search: [`fold`] (width, case, 繁→简) → [`segment`] (jieba words) → [`pinyin`] of titles;
//! [`keywords`] ranks related documents.
//!
//! For editors: [`anonymize`] proposes placeholders for names (模板化); for readers,
//! [`placeholders`] finds those blanks again and fills them (填写本单位信息).

pub mod anonymize;
pub mod archive;
pub mod chrome;
pub mod compare;
pub mod decode;
pub mod doc;
pub mod document;
pub mod docx;
pub mod fingerprint;
pub mod fold;
pub mod html_page;
pub mod keywords;
pub mod layout;
pub mod lead;
pub mod outline;
pub mod pdf;
pub mod pinyin;
pub mod placeholders;
pub mod preview;
pub mod segment;
pub mod simhash;
pub mod slug;
pub mod sqldump;

mod chars;
pub mod date;
#[cfg(test)]
mod test_zip;

pub use anonymize::{apply, AnonymizeOptions, Anonymizer, Replacement, ReplacementKind};
pub use chrome::{is_chrome_line, trim_page_chrome};
pub use decode::{decode_text, DecodeError, Decoded};
pub use document::{paragraphs_from_body, parse_markdown, parse_txt, ParseError, ParsedDoc};
pub use fingerprint::content_hash;
pub use layout::Layout;
pub use outline::{heading_of, outline, Heading, OutlineEntry};
pub use preview::{preview_paragraph_count, PreviewRule};
