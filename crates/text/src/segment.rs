//! Word segmentation for search, over text already folded by [`crate::fold::fold`].
//!
//! One jieba instance serves the whole process (loading its dictionary takes a noticeable
//! fraction of a second and some megabytes). It sits behind a `RwLock`: segmenting takes the
//! read lock, so any number of threads (indexer, query parser, keyword extraction) segment at
//! once; [`load_user_dictionary`] takes the write lock for the moment it adds its words. Words
//! added later take effect for every segmentation that starts afterwards, but text indexed
//! before is not re-segmented — that is what `wenyuan reindex` is for. So load the user
//! dictionary at start-up, before indexing.

use std::sync::{OnceLock, PoisonError, RwLock};

use jieba_rs::Jieba;

use crate::fold::fold;

fn instance() -> &'static RwLock<Jieba> {
    static JIEBA: OnceLock<RwLock<Jieba>> = OnceLock::new();
    JIEBA.get_or_init(|| RwLock::new(Jieba::new()))
}

/// Run `f` with the shared jieba instance (read lock held for the call).
pub(crate) fn with_jieba<R>(f: impl FnOnce(&Jieba) -> R) -> R {
    // A panic while the write lock was held could at worst have added half the words of a
    // dictionary; the instance is still usable, so poisoning is ignored.
    let jieba = instance().read().unwrap_or_else(PoisonError::into_inner);
    f(&jieba)
}

/// Words for search, jieba "search mode" (`cut_for_search`, HMM on), over already-folded text:
/// long words come with their dictionary sub-words too (中华人民共和国 also gives 中华, 华人,
/// 人民, 共和, 共和国). Each word with its offset in characters (not bytes) into `text`.
/// Tokens with no letter, digit or Han character (whitespace, punctuation) are dropped.
pub fn search_words(text: &str) -> Vec<(String, usize)> {
    with_jieba(|jieba| {
        jieba
            .cut_for_search(text, true)
            .into_iter()
            .filter(|t| is_word(t.word))
            .map(|t| (t.word.to_owned(), t.start))
            .collect()
    })
}

/// Plain words (jieba `cut`, HMM on) of already-folded text, for the pinyin of titles: each
/// character belongs to exactly one word. Whitespace and punctuation are dropped as in
/// [`search_words`].
pub fn words(text: &str) -> Vec<String> {
    word_slices(text).into_iter().map(str::to_owned).collect()
}

/// [`words`] as slices of `text`: no allocation per word (fingerprints cut every paragraph of
/// every imported document).
pub fn word_slices(text: &str) -> Vec<&str> {
    with_jieba(|jieba| {
        jieba
            .cut(text, true)
            .into_iter()
            .map(|t| t.word)
            .filter(|word| is_word(word))
            .collect()
    })
}

/// Words of already-folded text by the dictionary alone (jieba `cut`, HMM off): unknown runs
/// fall apart into characters instead of being guessed into words. Search uses it to decide
/// whether a query is one real word (see `wenyuan_search::query::hidden_word`).
pub fn dictionary_words(text: &str) -> Vec<String> {
    with_jieba(|jieba| {
        jieba
            .cut(text, false)
            .into_iter()
            .filter(|t| is_word(t.word))
            .map(|t| t.word.to_owned())
            .collect()
    })
}

fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// A line of a user dictionary that could not be read. Lines count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DictionaryError {
    #[error("user dictionary, line {line}: frequency `{value}` is not a positive whole number")]
    BadFrequency { line: usize, value: String },
    #[error("user dictionary, line {line}: expected `word [frequency [tag]]`, found `{text}`")]
    BadLine { line: usize, text: String },
}

impl DictionaryError {
    /// The line (from 1) the error is on.
    pub fn line(&self) -> usize {
        match self {
            Self::BadFrequency { line, .. } | Self::BadLine { line, .. } => *line,
        }
    }
}

/// Add domain words (最多跑一次, 三服务, 枫桥经验, 高质量发展 …) to the shared segmenter.
///
/// One word per line, optionally followed by a frequency (a positive whole number) after
/// whitespace; a third field, a part-of-speech tag as in jieba's own user dictionaries, is
/// accepted and ignored. Blank lines and everything from a `#` that starts a line or follows
/// whitespace are ignored. Without a frequency, the word gets the frequency jieba needs to keep
/// it whole. Words are folded ([`crate::fold::fold`]) like the text they will be found in.
///
/// The whole text is checked before any word is added: on error nothing changes. Returns the
/// number of words added (words already in the dictionary count too: their frequency is
/// updated). Safe to call from any thread at any time; see the module documentation for when
/// the words take effect.
pub fn load_user_dictionary(text: &str) -> Result<usize, DictionaryError> {
    let entries = parse_user_dictionary(text)?;
    let mut jieba = instance().write().unwrap_or_else(PoisonError::into_inner);
    for (word, frequency) in &entries {
        jieba.add_word(word, *frequency, None);
    }
    Ok(entries.len())
}

fn parse_user_dictionary(text: &str) -> Result<Vec<(String, Option<usize>)>, DictionaryError> {
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = strip_comment(raw);
        let fields: Vec<&str> = content.split_whitespace().collect();
        let (word, frequency) = match fields.as_slice() {
            [] => continue,
            [word] => (*word, None),
            [word, frequency] | [word, frequency, _] => {
                let value = frequency
                    .parse::<usize>()
                    .ok()
                    .filter(|f| *f > 0)
                    .ok_or_else(|| DictionaryError::BadFrequency {
                        line,
                        value: (*frequency).to_owned(),
                    })?;
                (*word, Some(value))
            }
            _ => {
                return Err(DictionaryError::BadLine {
                    line,
                    text: raw.trim().to_owned(),
                })
            }
        };
        entries.push((fold(word), frequency));
    }
    Ok(entries)
}

/// `line` up to a `#` at its start or after whitespace (a `#` inside a word, as in `C#`, stays).
fn strip_comment(line: &str) -> &str {
    let mut previous_is_space = true;
    for (at, c) in line.char_indices() {
        if c == '#' && previous_is_space {
            return &line[..at];
        }
        previous_is_space = c.is_whitespace();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_have_char_offsets_and_no_punctuation() {
        let text = "在2020年区委读书会上的讲话：推进高质量发展。";
        let found = search_words(text);
        let chars: Vec<char> = text.chars().collect();
        for (word, start) in &found {
            let at: String = chars[*start..*start + word.chars().count()]
                .iter()
                .collect();
            assert_eq!(&at, word);
            assert!(word.chars().any(char::is_alphanumeric), "{word:?}");
        }
        let words: Vec<&str> = found.iter().map(|(w, _)| w.as_str()).collect();
        for expected in ["区委", "读书", "2020", "高质量", "质量"] {
            assert!(words.contains(&expected), "{expected} in {words:?}");
        }
    }

    #[test]
    fn plain_words_cover_the_title_once() {
        assert_eq!(words("严守耕地保护红线"), ["严守", "耕地", "保护", "红线"]);
        assert_eq!(
            words("在2020年区委读书会上的讲话").concat(),
            "在2020年区委读书会上的讲话"
        );
        assert_eq!(words("“十四五”规划， 开局").concat(), "十四五规划开局");
    }

    #[test]
    fn user_words_are_kept_whole() {
        let added = load_user_dictionary(
            "# 浙江的改革用语\n最多跑一次\n\n枫桥经验 2000 n   # 带词性也可以\n三服务\n",
        )
        .unwrap();
        assert_eq!(added, 3);
        let found = search_words("深化最多跑一次改革");
        assert!(found.contains(&("最多跑一次".to_owned(), 2)), "{found:?}");
        let plain = words("坚持发展新时代枫桥经验");
        assert!(plain.iter().any(|w| w == "枫桥经验"), "{plain:?}");
    }

    #[test]
    fn bad_dictionary_lines_are_reported_with_their_number_and_change_nothing() {
        let err = load_user_dictionary("营商环境优化年\n# 注释\n数字政府 很多\n").unwrap_err();
        assert_eq!(
            err,
            DictionaryError::BadFrequency {
                line: 3,
                value: "很多".to_owned()
            }
        );
        assert_eq!(err.line(), 3);
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(!with_jieba(|j| j.has_word("营商环境优化年")));

        assert_eq!(load_user_dictionary("好词 0\n").unwrap_err().line(), 1);
        assert_eq!(
            load_user_dictionary("好词\n好词 1 n 多余\n")
                .unwrap_err()
                .line(),
            2
        );
    }

    #[test]
    fn comments_need_a_space_before_the_hash() {
        assert_eq!(strip_comment("C# 10"), "C# 10");
        assert_eq!(strip_comment("词 # 注释"), "词 ");
        assert_eq!(strip_comment("#整行注释"), "");
    }
}
