//! Chinese analysis for the index.
//!
//! `zh_grams`: the text is folded (width, case, 繁→简), then every CJK character yields one token
//! at its own position: the bigram it starts, or itself when it ends a run of CJK characters.
//! ASCII letters and digits form whole words, and each suffix of a word of up to
//! [`MAX_SUFFIXED_WORD`] characters is a token at the word's position too (`2023` also gives `023`,
//! `23`, `3`). So any substring of a document is matched by a phrase of the substring's bigrams
//! followed by a prefix on its last character — 2-character queries, words no dictionary knows and
//! fragments that cut a number (`23年元旦`, `诞辰1`) match as reliably as long ones.
//!
//! `zh_words`: jieba words in search mode over the folded text, for ranking whole-word matches.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use wenyuan_text::fold::fold;

pub const GRAMS: &str = "zh_grams";
pub const WORDS: &str = "zh_words";

/// Longest ASCII word whose suffixes are indexed (years, counts and short Latin words; not
/// hashes or URLs).
pub const MAX_SUFFIXED_WORD: usize = 16;

/// Whether a character belongs to a run of Han (and other CJK) script.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// One unit of the gram analysis: a CJK character or an ASCII word, with its byte span in the
/// original text.
#[derive(Debug, Clone, PartialEq)]
pub enum Unit {
    Cjk {
        c: char,
        from: usize,
        to: usize,
        run_end: bool,
    },
    Word {
        text: String,
        from: usize,
        to: usize,
    },
}

/// Split text into units. Folding keeps one character per character, so byte offsets are taken
/// from the original text while characters come from the folded one.
pub fn units(text: &str) -> Vec<Unit> {
    units_folded(text, &fold(text))
}

/// [`units`] of `text` given `folded = fold(text)`: indexing folds a body once for both of its
/// analyses (grams and words).
fn units_folded(text: &str, folded: &str) -> Vec<Unit> {
    let folded: Vec<char> = folded.chars().collect();
    let offsets: Vec<(usize, char)> = text.char_indices().collect();
    let mut units = Vec::new();
    let mut i = 0;
    while i < folded.len() {
        let c = folded[i];
        let from = offsets.get(i).map_or(text.len(), |o| o.0);
        if is_cjk(c) {
            let to = from + offsets[i].1.len_utf8();
            let run_end = !folded.get(i + 1).is_some_and(|n| is_cjk(*n));
            units.push(Unit::Cjk {
                c,
                from,
                to,
                run_end,
            });
            i += 1;
        } else if c.is_ascii_alphanumeric() {
            let start = i;
            while i < folded.len() && folded[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let to = offsets.get(i).map_or(text.len(), |o| o.0);
            units.push(Unit::Word {
                text: folded[start..i].iter().collect(),
                from,
                to,
            });
        } else {
            i += 1;
        }
    }
    units
}

/// `text` with its separators set aside: only CJK characters, letters and digits are kept, so
/// 「【领航中国】共护一江水 万里长江」 becomes 领航中国共护一江水万里长江. Titles are indexed this way
/// too (`title_joined`), and a query is matched against them the same way: what a reader types
/// with or without the spaces, punctuation and brackets of a title finds it (both ways).
pub fn joined(text: &str) -> String {
    text.chars()
        .filter(|c| is_cjk(*c) || c.is_alphanumeric())
        .collect()
}

/// The tokens of the gram analysis, as (text, byte from, byte to).
pub fn gram_tokens(text: &str) -> Vec<(String, usize, usize)> {
    grams_of_units(&units(text))
}

fn grams_of_units(units: &[Unit]) -> Vec<(String, usize, usize)> {
    let mut tokens = Vec::with_capacity(units.len());
    for (i, unit) in units.iter().enumerate() {
        match unit {
            Unit::Cjk {
                c,
                from,
                to,
                run_end,
            } => {
                if !run_end {
                    if let Some(Unit::Cjk {
                        c: next,
                        to: next_to,
                        ..
                    }) = units.get(i + 1)
                    {
                        tokens.push((format!("{c}{next}"), *from, *next_to));
                        continue;
                    }
                }
                tokens.push((c.to_string(), *from, *to));
            }
            Unit::Word { text, from, to } => tokens.push((text.clone(), *from, *to)),
        }
    }
    tokens
}

#[derive(Clone, Default)]
pub struct GramTokenizer;

#[derive(Clone, Default)]
pub struct WordTokenizer;

/// A token stream over tokens computed up front (documents are analysed once, at indexing).
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

/// Tokens one per position, in order.
fn positioned(items: Vec<(String, usize, usize)>) -> Vec<Token> {
    items
        .into_iter()
        .enumerate()
        .map(|(position, (text, offset_from, offset_to))| Token {
            offset_from,
            offset_to,
            position,
            text,
            position_length: 1,
        })
        .collect()
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = Stream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream<'a> {
        match text.strip_prefix(REPLAY) {
            Some(encoded) => Stream::Replay(Replay::new(encoded)),
            None => Stream::Made(VecTokenStream {
                tokens: gram_field_tokens(gram_tokens(text)),
                next: 0,
            }),
        }
    }
}

/// The tokens of a gram field: each gram at its position, and an ASCII word's suffixes at the
/// word's position too (see the module's notes).
fn gram_field_tokens(grams: Vec<(String, usize, usize)>) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(grams.len());
    for (position, (text, offset_from, offset_to)) in grams.into_iter().enumerate() {
        let word = text.len() <= MAX_SUFFIXED_WORD
            && text.len() >= 2
            && text.bytes().all(|b| b.is_ascii_alphanumeric());
        let suffixes: Vec<(usize, String)> = if word {
            (1..text.len()).map(|i| (i, text[i..].to_owned())).collect()
        } else {
            Vec::new()
        };
        tokens.push(Token {
            offset_from,
            offset_to,
            position,
            text,
            position_length: 1,
        });
        for (i, suffix) in suffixes {
            tokens.push(Token {
                offset_from: offset_from + i,
                offset_to,
                position,
                text: suffix,
                position_length: 1,
            });
        }
    }
    tokens
}

/// jieba search-mode words of the folded text (offsets are approximate: words are for ranking).
pub fn word_tokens(text: &str) -> Vec<(String, usize, usize)> {
    word_tokens_folded(&fold(text))
}

fn word_tokens_folded(folded: &str) -> Vec<(String, usize, usize)> {
    wenyuan_text::segment::search_words(folded)
        .into_iter()
        .filter(|(w, _)| w.chars().any(|c| is_cjk(c) || c.is_ascii_alphanumeric()))
        .map(|(w, start)| (w, start, start))
        .collect()
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = Stream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream<'a> {
        match text.strip_prefix(REPLAY) {
            Some(encoded) => Stream::Replay(Replay::new(encoded)),
            None => Stream::Made(VecTokenStream {
                tokens: positioned(word_tokens(text)),
                next: 0,
            }),
        }
    }
}

/// The start of a field value that holds tokens made ahead ([`Analysed`]), not text: the index
/// writer is one thread, so indexing analyses documents on all cores first and the writer only
/// replays their tokens. NUL characters never start a stored title or paragraph (and a value that
/// did would only mis-index its own document).
const REPLAY: &str = "\u{0}wenyuan-tokens\u{0}";

/// A field value holding `tokens`, for the gram or word tokenizer to replay: per token, the
/// step from the previous token's position, its length in bytes and its text
/// (`1,6:读书` …). Offsets are left out: the index does not keep them.
fn encode(tokens: &[Token]) -> String {
    use std::fmt::Write;
    let bytes: usize = tokens.iter().map(|t| t.text.len() + 6).sum();
    let mut out = String::with_capacity(REPLAY.len() + bytes);
    out.push_str(REPLAY);
    let mut previous = 0;
    for (i, token) in tokens.iter().enumerate() {
        let step = match i {
            0 => token.position,
            _ => token.position.saturating_sub(previous),
        };
        previous = token.position;
        // Writing to a String cannot fail.
        let _ = write!(out, "{step},{}:", token.text.len());
        out.push_str(&token.text);
    }
    out
}

/// The tokens of a gram or word field: made from the text, or replayed from [`encode`]d ones.
pub enum Stream<'a> {
    Made(VecTokenStream),
    Replay(Replay<'a>),
}

impl TokenStream for Stream<'_> {
    fn advance(&mut self) -> bool {
        match self {
            Stream::Made(s) => s.advance(),
            Stream::Replay(s) => s.advance(),
        }
    }
    fn token(&self) -> &Token {
        match self {
            Stream::Made(s) => s.token(),
            Stream::Replay(s) => s.token(),
        }
    }
    fn token_mut(&mut self) -> &mut Token {
        match self {
            Stream::Made(s) => s.token_mut(),
            Stream::Replay(s) => s.token_mut(),
        }
    }
}

/// Reads [`encode`]d tokens back into one reused token (no allocation per token).
pub struct Replay<'a> {
    rest: &'a str,
    token: Token,
    started: bool,
}

impl<'a> Replay<'a> {
    fn new(encoded: &'a str) -> Self {
        Replay {
            rest: encoded,
            token: Token::default(),
            started: false,
        }
    }

    /// The next `digits` followed by `end`, as a number.
    fn number(&mut self, end: char) -> Option<usize> {
        let (digits, rest) = self.rest.split_once(end)?;
        self.rest = rest;
        digits.parse().ok()
    }
}

impl TokenStream for Replay<'_> {
    fn advance(&mut self) -> bool {
        if self.rest.is_empty() {
            return false;
        }
        let (Some(step), Some(len)) = (self.number(','), self.number(':')) else {
            self.rest = "";
            return false;
        };
        let Some(text) = self.rest.get(..len) else {
            self.rest = "";
            return false;
        };
        self.rest = &self.rest[len..];
        self.token.position = match self.started {
            true => self.token.position + step,
            false => step,
        };
        self.started = true;
        self.token.text.clear();
        self.token.text.push_str(text);
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// A text analysed as the gram and the word tokenizers analyse it, folding it once, as field
/// values that replay those tokens (see [`REPLAY`]).
pub struct Analysed {
    pub grams: String,
    pub words: String,
}

/// [`Analysed`] tokens of `text`, for its gram field and its word field.
pub fn analyse(text: &str) -> Analysed {
    let folded = fold(text);
    Analysed {
        grams: encode(&gram_field_tokens(grams_of_units(&units_folded(
            text, &folded,
        )))),
        words: encode(&positioned(word_tokens_folded(&folded))),
    }
}

/// The gram tokens of `text` alone, as a field value that replays them (see [`analyse`]).
pub fn grams(text: &str) -> String {
    encode(&gram_field_tokens(gram_tokens(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        gram_tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn every_cjk_character_starts_one_token() {
        assert_eq!(texts("读书会"), ["读书", "书会", "会"]);
        assert_eq!(texts("在2020年区委"), ["在", "2020", "年区", "区委", "委"]);
        assert_eq!(
            texts("讀書會，COVID-19"),
            ["读书", "书会", "会", "covid", "19"]
        );
        assert_eq!(texts("（一）学先进"), ["一", "学先", "先进", "进"]);
        assert!(texts("。，！ ").is_empty());
    }

    #[test]
    fn joined_text_sets_separators_aside() {
        assert_eq!(
            joined("【领航中国】共护一江水 万里长江焕发新活力"),
            "领航中国共护一江水万里长江焕发新活力"
        );
        assert_eq!(joined("学习、宣传，贯彻"), "学习宣传贯彻");
        assert_eq!(joined("COVID-19 防控"), "COVID19防控");
        assert_eq!(texts(&joined("江水 万里")), ["江水", "水万", "万里", "里"]);
    }

    /// (text, position) of each token, as the index files them (it keeps no offsets).
    fn stream(mut tokenizer: impl Tokenizer, text: &str) -> Vec<(String, usize)> {
        let mut stream = tokenizer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push((stream.token().text.clone(), stream.token().position));
        }
        tokens
    }

    #[test]
    fn replayed_tokens_are_the_tokenizers_tokens() {
        for text in [
            "讀書會，COVID-19 在2020年区委读书会上的讲话。深化“最多跑一次”改革",
            "",
            "。，！ ",
            "第1,2:3条 a,b:c 12:34 ,:",
            "（一）学先进\n二、抓落实 2023年 x",
        ] {
            let analysed = analyse(text);
            let made = stream(GramTokenizer, text);
            assert_eq!(stream(GramTokenizer, &analysed.grams), made, "{text}");
            assert_eq!(stream(GramTokenizer, &grams(text)), made, "{text}");
            let words = stream(WordTokenizer, text);
            assert_eq!(stream(WordTokenizer, &analysed.words), words, "{text}");
        }
        // A value cut short replays what it holds and stops.
        let mut cut = grams("读书会");
        cut.pop();
        assert_eq!(stream(GramTokenizer, &cut).len(), 2);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "讀書會";
        let tokens = gram_tokens(text);
        assert_eq!(&text[tokens[0].1..tokens[0].2], "讀書");
        assert_eq!(&text[tokens[2].1..tokens[2].2], "會");
    }
}
