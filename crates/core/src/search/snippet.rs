//! Search snippets, made only from text the viewer may see (the gate's visible paragraphs, the
//! title and the outline), never from the index — so a hidden sentence can never leak into one.

use serde::Serialize;
use wenyuan_text::fold::fold;

use crate::reading::Paragraph;

/// Characters of context kept before the first match.
const BEFORE: usize = 30;
/// Length of a snippet in characters.
const LENGTH: usize = 120;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snippet {
    /// HTML: the text escaped, matches in `<mark>`.
    pub html: String,
    /// The paragraph the snippet comes from, when it comes from the body.
    pub paragraph: Option<usize>,
}

/// The best snippet for `terms` (folded query terms) from what the viewer may see.
pub fn snippet(visible: &[Paragraph], headings: &[String], terms: &[String]) -> Snippet {
    let terms: Vec<Vec<char>> = terms
        .iter()
        .map(|t| t.chars().collect())
        .filter(|t: &Vec<char>| !t.is_empty())
        .collect();
    for paragraph in visible {
        let text = paragraph.full_text();
        if let Some(html) = window_around_match(&text, &terms) {
            return Snippet {
                html,
                paragraph: Some(paragraph.index),
            };
        }
    }
    for heading in headings {
        if let Some(html) = window_around_match(heading, &terms) {
            return Snippet {
                html,
                paragraph: None,
            };
        }
    }
    // Nothing visible matches (a pinyin query, or a match in the hidden part): the start of the
    // preview.
    let start = visible
        .first()
        .map(Paragraph::full_text)
        .unwrap_or_default();
    let chars: Vec<char> = start.chars().collect();
    Snippet {
        html: mark(&chars, 0, chars.len().min(LENGTH), &[]),
        paragraph: visible.first().map(|p| p.index),
    }
}

fn window_around_match(text: &str, terms: &[Vec<char>]) -> Option<String> {
    let original: Vec<char> = text.chars().collect();
    let folded: Vec<char> = fold(text).chars().collect();
    // Folding is one character to one character, so positions agree.
    if folded.len() != original.len() {
        return None;
    }
    let first = terms.iter().filter_map(|t| find(&folded, t, 0)).min()?;
    let start = first.saturating_sub(BEFORE);
    let end = (start + LENGTH).min(original.len());
    let mut spans = Vec::new();
    for term in terms {
        let mut from = start;
        while let Some(at) = find(&folded[..end], term, from) {
            spans.push((at, at + term.len()));
            from = at + term.len().max(1);
        }
    }
    spans.sort_unstable();
    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    html.push_str(&mark(&original, start, end, &spans));
    if end < original.len() {
        html.push('…');
    }
    Some(html)
}

fn find(haystack: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| haystack[i..i + needle.len()] == *needle)
}

/// Escape `chars[start..end]`, wrapping the (sorted, possibly overlapping) spans in `<mark>`.
pub(super) fn mark(chars: &[char], start: usize, end: usize, spans: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity((end - start) * 3);
    let mut i = start;
    let mut spans = spans.iter().peekable();
    while i < end {
        while spans.peek().is_some_and(|(_, e)| *e <= i) {
            spans.next();
        }
        match spans.peek() {
            Some(&&(s, e)) if s <= i => {
                let stop = e.min(end);
                html.push_str("<mark>");
                chars[i..stop]
                    .iter()
                    .for_each(|c| escape_into(&mut html, *c));
                html.push_str("</mark>");
                i = stop;
            }
            _ => {
                escape_into(&mut html, chars[i]);
                i += 1;
            }
        }
    }
    html
}

fn escape_into(html: &mut String, c: char) {
    match c {
        '<' => html.push_str("&lt;"),
        '>' => html.push_str("&gt;"),
        '&' => html.push_str("&amp;"),
        '"' => html.push_str("&quot;"),
        '\'' => html.push_str("&#x27;"),
        _ => html.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(index: usize, text: &str) -> Paragraph {
        Paragraph {
            index,
            level: None,
            heading: String::new(),
            text: text.to_owned(),
            joint: String::new(),
            ..Paragraph::default()
        }
    }

    #[test]
    fn the_snippet_marks_the_match_in_the_paragraph_that_has_it() {
        let visible = [
            para(0, "第一段没有。"),
            para(1, "我们要推进高质量发展，<b>不</b>动摇。"),
        ];
        let s = snippet(&visible, &[], &["高质量发展".to_owned()]);
        assert_eq!(s.paragraph, Some(1));
        assert_eq!(
            s.html,
            "我们要推进<mark>高质量发展</mark>，&lt;b&gt;不&lt;/b&gt;动摇。"
        );
    }

    #[test]
    fn traditional_text_is_found_and_shown_as_written() {
        let visible = [para(0, "在區委讀書會上")];
        let s = snippet(&visible, &[], &["读书会".to_owned()]);
        assert_eq!(s.html, "在區委<mark>讀書會</mark>上");
    }

    #[test]
    fn without_a_visible_match_the_snippet_is_the_start_of_the_preview() {
        let visible = [para(0, "预览的第一段。")];
        let s = snippet(
            &visible,
            &["一、隐藏的标题".to_owned()],
            &["隐藏的句子".to_owned()],
        );
        assert_eq!(s.html, "预览的第一段。");
        let s = snippet(
            &visible,
            &["一、隐藏的标题".to_owned()],
            &["标题".to_owned()],
        );
        assert_eq!(
            s.html, "一、隐藏的<mark>标题</mark>",
            "headings are public (the outline teaser)"
        );
    }
}
