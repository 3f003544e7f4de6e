//! Matches marked in a hit's title: the query's characters (traditional or simplified, with or
//! without the title's spaces and punctuation) and the title words its pinyin or initials spell
//! (`dsh` marks 读书会 in 在2020年区委读书会上的讲话). Titles are public: no gate is involved.

use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::{looks_like_pinyin, word_pinyin};

use super::snippet::mark;

/// The title as HTML, escaped, with what `terms` (folded query terms) match in `<mark>`.
pub fn title_html(title: &str, terms: &[String]) -> String {
    let chars: Vec<char> = title.chars().collect();
    let folded: Vec<char> = fold(title).chars().collect();
    if folded.len() != chars.len() {
        return mark(&chars, 0, chars.len(), &[]);
    }
    let mut spans = Vec::new();
    for term in terms {
        spans.extend(text_spans(&folded, term));
        if looks_like_pinyin(term) {
            spans.extend(pinyin_spans(&folded, &term.to_ascii_lowercase()));
        }
    }
    spans.sort_unstable();
    mark(&chars, 0, chars.len(), &spans)
}

fn separator(c: char) -> bool {
    !c.is_alphanumeric()
}

/// Where `term` occurs in the title, separators aside on both sides: each occurrence from its
/// first character to its last.
fn text_spans(title: &[char], term: &str) -> Vec<(usize, usize)> {
    let needle: Vec<char> = term.chars().filter(|c| !separator(*c)).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let kept: Vec<(usize, char)> = title
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| !separator(*c))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + needle.len() <= kept.len() {
        if kept[i..i + needle.len()]
            .iter()
            .zip(&needle)
            .all(|((_, a), b)| a == b)
        {
            out.push((kept[i].0, kept[i + needle.len() - 1].0 + 1));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// The title words (jieba) that `letters` spells from some word on, each word read in full or
/// by its initials, the last one possibly cut short: the first such run. Runs start where the
/// index's pinyin keys start: at every word and at every search-mode sub-word (区委读书会 also
/// starts a run at 读书会).
fn pinyin_spans(title: &[char], letters: &str) -> Vec<(usize, usize)> {
    let text: String = title.iter().collect();
    let mut starts: Vec<usize> = words_from(title, 0).iter().map(|w| w.0).collect();
    starts.extend(
        wenyuan_text::segment::search_words(&text)
            .into_iter()
            .map(|(_, at)| at),
    );
    starts.sort_unstable();
    starts.dedup();
    for start in starts {
        let words = words_from(title, start);
        if let Some(end) = spelled(title, &words, letters) {
            return vec![(start, end)];
        }
    }
    Vec::new()
}

/// The words of `title[from..]` with their character spans and (full, initials) pinyin.
fn words_from(title: &[char], from: usize) -> Vec<(usize, usize, String, String)> {
    let Some(tail) = title.get(from..) else {
        return Vec::new();
    };
    let text: String = tail.iter().collect();
    let mut words = Vec::new();
    let mut at = 0;
    // Words leave punctuation out: find each in order.
    for word in wenyuan_text::segment::words(&text) {
        let w: Vec<char> = word.chars().collect();
        let Some(start) = (at..=tail.len().saturating_sub(w.len()))
            .find(|&i| tail.get(i..i + w.len()) == Some(&w[..]))
        else {
            break;
        };
        let (full, initials) = word_pinyin(&word);
        at = start + w.len();
        words.push((from + start, from + at, full, initials));
    }
    words
}

/// Where the run of `words` that `letters` spells from the first word ends, if it does.
fn spelled(
    title: &[char],
    words: &[(usize, usize, String, String)],
    letters: &str,
) -> Option<usize> {
    let mut rest = letters;
    for (from, to, full, initials) in words {
        if full.is_empty() {
            return None;
        }
        if let Some(r) = rest.strip_prefix(full.as_str()) {
            rest = r;
        } else if let Some(r) = rest.strip_prefix(initials.as_str()) {
            rest = r;
        } else if full.starts_with(rest) || initials.starts_with(rest) {
            // The query ends inside this word: mark the characters it spells.
            return Some(from + spelled_chars(&title[*from..*to], rest).max(1));
        } else {
            return None;
        }
        if rest.is_empty() {
            return Some(*to);
        }
    }
    None
}

/// How many characters of `word` the start of `letters` spells, each read in full or by its
/// initial (the last one possibly cut short).
fn spelled_chars(word: &[char], letters: &str) -> usize {
    let mut rest = letters;
    let mut n = 0;
    for c in word {
        if rest.is_empty() {
            break;
        }
        let (full, initial) = word_pinyin(&c.to_string());
        if let Some(r) = rest.strip_prefix(full.as_str()) {
            rest = r;
        } else if full.starts_with(rest) {
            rest = "";
        } else if let Some(r) = rest.strip_prefix(initial.as_str()) {
            rest = r;
        } else {
            break;
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(title: &str, term: &str) -> String {
        title_html(title, &[fold(term)])
    }

    #[test]
    fn characters_pinyin_and_initials_are_marked_in_titles() {
        let seed = "在2020年区委读书会上的讲话";
        assert_eq!(
            marked(seed, "读书会"),
            "在2020年区委<mark>读书会</mark>上的讲话"
        );
        assert_eq!(
            marked(seed, "讀書會"),
            "在2020年区委<mark>读书会</mark>上的讲话"
        );
        assert_eq!(
            marked(seed, "dsh"),
            "在2020年区委<mark>读书会</mark>上的讲话"
        );
        assert_eq!(
            marked(seed, "dushuhui"),
            "在2020年区委<mark>读书会</mark>上的讲话"
        );
        assert_eq!(
            marked(seed, "dushu"),
            "在2020年区委<mark>读书</mark>会上的讲话",
            "what is spelled, not the whole word"
        );
        assert_eq!(marked(seed, "xyz"), seed);
        assert_eq!(
            marked("【领航中国】共护一江水 万里长江焕发新活力", "一江水万里"),
            "【领航中国】共护<mark>一江水 万里</mark>长江焕发新活力"
        );
        assert_eq!(marked("A<B>", "b"), "A&lt;<mark>B</mark>&gt;");
    }
}
