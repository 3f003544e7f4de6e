//! `.md` documents: a small front matter and a Markdown body reduced to plain paragraphs.
//!
//! This is deliberately not a Markdown renderer. Documents are stored as plain paragraphs
//! (the web layer escapes and formats them), so we only need to find paragraph boundaries and
//! drop the markup that would otherwise show up as literal `**` or `[…](…)`.

use super::{finish_body, ParseError, ParsedDoc};
use crate::chars::{is_wide, trim_blank};
use crate::date::parse_date;

/// Parses a Markdown document.
///
/// Front matter (optional) sits between `---` lines at the very top, one `key: value` per line:
/// `title`, `date`, `category`, `tags` (`[a, b]`, `a, b`, or `- a` lines below `tags:`),
/// `access`, `views`; quotes around values are stripped and unknown keys are ignored.
/// Without a `title` the first `# heading` is the title, else the first non-empty line.
///
/// Body: blocks separated by blank lines are paragraphs; soft-wrapped lines are joined
/// (without a space between CJK text, with one between Latin words). Heading `#`s, list
/// bullets, `>` quotes, `**`/`*` emphasis and backticks are dropped, `[text](url)` becomes
/// `text`.
pub fn parse_markdown(text: &str) -> Result<ParsedDoc, ParseError> {
    let (front, body) = split_front_matter(text)?;
    let mut doc = match front {
        Some(lines) => parse_front_matter(lines)?,
        None => ParsedDoc::default(),
    };
    let mut blocks = body_blocks(body);
    if doc.title.is_empty() {
        let index = blocks.iter().position(|b| b.is_h1).unwrap_or(0);
        if index >= blocks.len() {
            return Err(ParseError::NoTitle);
        }
        doc.title = blocks.remove(index).text;
    }
    doc.paragraphs = finish_body(&doc.title, blocks.into_iter().map(|b| b.text).collect())?;
    Ok(doc)
}

/// Splits off the front matter lines, if the text starts with a `---` line.
fn split_front_matter(text: &str) -> Result<(Option<Vec<&str>>, &str), ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let starts_with_fence = lines.next().is_some_and(|l| l.trim_end() == "---");
    if !starts_with_fence {
        return Ok((None, text));
    }
    let mut front = Vec::new();
    let mut offset = text.find('\n').map_or(text.len(), |i| i + 1);
    for line in lines {
        offset += line.len();
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok((Some(front), &text[offset..]));
        }
        front.push(trimmed);
    }
    Err(ParseError::BadFrontMatter(
        "文件头以 --- 开始，但没有结束的 --- 行".to_owned(),
    ))
}

fn parse_front_matter(lines: Vec<&str>) -> Result<ParsedDoc, ParseError> {
    let mut doc = ParsedDoc::default();
    let mut in_tag_list = false;
    for (index, raw) in lines.into_iter().enumerate() {
        let line_no = index + 2; // the opening `---` is line 1
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(item) = line.strip_prefix('-') {
            if !in_tag_list {
                return Err(ParseError::BadFrontMatter(format!(
                    "第 {line_no} 行：列表项「{line}」不在 tags: 之下"
                )));
            }
            push_tag(&mut doc.tags, item);
            continue;
        }
        let Some((key, value)) = split_key_value(line) else {
            return Err(ParseError::BadFrontMatter(format!(
                "第 {line_no} 行：应为「键: 值」，实际是「{line}」"
            )));
        };
        let value = unquote(value.trim());
        in_tag_list = false;
        match key.trim().to_lowercase().as_str() {
            "title" | "标题" => doc.title = value.to_owned(),
            "date" | "日期" => doc.date = front_date(value, line_no)?,
            "category" | "分类" => doc.category = non_empty(value),
            "access" | "权限" => doc.access = non_empty(value),
            "views" | "浏览" => doc.views = front_views(value, line_no)?,
            "tags" | "标签" => {
                in_tag_list = value.is_empty();
                let list = value.strip_prefix('[').unwrap_or(value);
                let list = list.strip_suffix(']').unwrap_or(list);
                for tag in list.split([',', '，', '、']) {
                    push_tag(&mut doc.tags, tag);
                }
            }
            // Other keys (author, source, …) are allowed and ignored.
            _ => {}
        }
    }
    Ok(doc)
}

/// Splits at the first ASCII or full-width colon.
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    let i = line.find([':', '：'])?;
    let colon_len = line[i..].chars().next()?.len_utf8();
    Some((&line[..i], &line[i + colon_len..]))
}

fn front_date(value: &str, line_no: usize) -> Result<Option<String>, ParseError> {
    if value.is_empty() {
        return Ok(None);
    }
    parse_date(value).map(Some).ok_or_else(|| {
        ParseError::BadFrontMatter(format!(
            "第 {line_no} 行：日期「{value}」不对，请写成 YYYY-MM-DD"
        ))
    })
}

fn front_views(value: &str, line_no: usize) -> Result<Option<i64>, ParseError> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<i64>() {
        Ok(views) if views >= 0 => Ok(Some(views)),
        _ => Err(ParseError::BadFrontMatter(format!(
            "第 {line_no} 行：阅读数「{value}」应为非负整数"
        ))),
    }
}

fn push_tag(tags: &mut Vec<String>, raw: &str) {
    let tag = unquote(raw.trim());
    if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
        tags.push(tag.to_owned());
    }
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// Strips one pair of matching quotes: `"…"`, `'…'` or `“…”`.
fn unquote(value: &str) -> &str {
    for (open, close) in [('"', '"'), ('\'', '\''), ('“', '”')] {
        if let Some(inner) = value.strip_prefix(open).and_then(|v| v.strip_suffix(close)) {
            return inner.trim();
        }
    }
    value
}

/// A paragraph of the body; `is_h1` marks a `# heading` (a title candidate).
struct Block {
    text: String,
    is_h1: bool,
}

fn body_blocks(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for raw in body.lines() {
        let line = trim_blank(raw);
        if line.starts_with("```") || line.starts_with("~~~") {
            flush(&mut current, &mut blocks);
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            // Code is kept line by line, without inline cleaning.
            if !line.is_empty() {
                blocks.push(Block {
                    text: line.to_owned(),
                    is_h1: false,
                });
            }
            continue;
        }
        if line.is_empty() || is_rule(line) {
            flush(&mut current, &mut blocks);
            continue;
        }
        if let Some((level, text)) = atx_heading(line) {
            flush(&mut current, &mut blocks);
            let text = clean_inline(text);
            if !text.is_empty() {
                blocks.push(Block {
                    text,
                    is_h1: level == 1,
                });
            }
            continue;
        }
        let line = strip_quote(line);
        if let Some(item) = list_item(line) {
            flush(&mut current, &mut blocks);
            current.push(item);
        } else if !line.is_empty() {
            current.push(line);
        }
    }
    flush(&mut current, &mut blocks);
    blocks
}

fn flush(current: &mut Vec<&str>, blocks: &mut Vec<Block>) {
    if current.is_empty() {
        return;
    }
    let mut joined = String::new();
    for line in current.drain(..) {
        let needs_space = match (joined.chars().last(), line.chars().next()) {
            (Some(a), Some(b)) => !is_wide(a) && !is_wide(b),
            _ => false,
        };
        if needs_space {
            joined.push(' ');
        }
        joined.push_str(line);
    }
    let text = clean_inline(&joined);
    if !text.is_empty() {
        blocks.push(Block { text, is_h1: false });
    }
}

/// `---`, `***`, `___` (and setext `===` underlines): separators, not text.
fn is_rule(line: &str) -> bool {
    let compact: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && ['-', '*', '_', '=']
            .iter()
            .any(|m| compact.iter().all(|c| c == m))
}

/// `## 标题 ##` → (2, "标题"). A missing space after the `#`s is tolerated, as Chinese
/// writers often omit it.
fn atx_heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let text = line[level..].trim_end_matches('#');
    Some((level, trim_blank(text)))
}

fn strip_quote(mut line: &str) -> &str {
    while let Some(rest) = line.strip_prefix('>') {
        line = rest.trim_start();
    }
    line
}

/// `- item`, `* item`, `+ item`. Ordered items (`1. …`) are left alone: `1.` is a 公文 heading
/// marker the outline must still see.
fn list_item(line: &str) -> Option<&str> {
    ["- ", "* ", "+ "]
        .iter()
        .find_map(|b| line.strip_prefix(b))
        .map(trim_blank)
}

/// Removes inline markup: backslash escapes are honoured, `[text](url)` and `![alt](url)`
/// become their text, backticks and `**` go, and `*` goes where it pairs up as emphasis.
fn clean_inline(text: &str) -> String {
    // (char, escaped): escaped characters are literal and never treated as markup.
    let mut tokens: Vec<(char, bool)> = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&n) if c == '\\' && n.is_ascii_punctuation() => {
                tokens.push((n, true));
                chars.next();
            }
            _ => tokens.push((c, false)),
        }
    }
    let tokens = replace_links(tokens);
    let mut tokens: Vec<(char, bool)> = remove_double_stars(tokens)
        .into_iter()
        .filter(|t| *t != ('`', false))
        .collect();
    remove_paired_stars(&mut tokens);
    let out: String = tokens.into_iter().map(|(c, _)| c).collect();
    trim_blank(&out).to_owned()
}

fn replace_links(tokens: Vec<(char, bool)>) -> Vec<(char, bool)> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == ('[', false) {
            if let Some((label_end, url_end)) = link_at(&tokens, i) {
                if out.last() == Some(&('!', false)) {
                    out.pop();
                }
                out.extend_from_slice(&tokens[i + 1..label_end]);
                i = url_end + 1;
                continue;
            }
        }
        out.push(tokens[i]);
        i += 1;
    }
    out
}

/// For `[` at `open`: the index of the matching `]` (immediately followed by `(`) and of `)`.
fn link_at(tokens: &[(char, bool)], open: usize) -> Option<(usize, usize)> {
    let label_end = open + tokens[open..].iter().position(|t| *t == (']', false))?;
    if tokens.get(label_end + 1) != Some(&('(', false)) {
        return None;
    }
    let url_end = label_end
        + 1
        + tokens[label_end + 1..]
            .iter()
            .position(|t| *t == (')', false))?;
    Some((label_end, url_end))
}

fn remove_double_stars(tokens: Vec<(char, bool)>) -> Vec<(char, bool)> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == ('*', false) && tokens.get(i + 1) == Some(&('*', false)) {
            i += 2;
            continue;
        }
        out.push(tokens[i]);
        i += 1;
    }
    out
}

/// Removes `*` pairs that open before a non-space and close after one (`*强调*`), leaving
/// lone stars such as `3 * 4` alone.
fn remove_paired_stars(tokens: &mut Vec<(char, bool)>) {
    let is_space = |t: Option<&(char, bool)>| t.is_none_or(|(c, _)| c.is_whitespace());
    let mut remove = Vec::new();
    let mut opener: Option<usize> = None;
    for i in 0..tokens.len() {
        if tokens[i] != ('*', false) {
            continue;
        }
        match opener {
            Some(o) if !is_space(i.checked_sub(1).and_then(|p| tokens.get(p))) => {
                remove.push(o);
                remove.push(i);
                opener = None;
            }
            _ if !is_space(tokens.get(i + 1)) => opener = Some(i),
            _ => {}
        }
    }
    for i in remove.into_iter().rev() {
        tokens.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedDoc {
        parse_markdown(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn front_matter_fields() {
        let doc = parse(
            "---\ntitle: \"在2020年区委读书会上的讲话\"\ndate: 2020-11-04\ncategory: 讲话稿\n\
             tags: [读书会, '人大工作']\naccess: vip\nviews: 246\nauthor: 某某\n---\n\n\
             这次读书会很有必要，也很有意义。\n",
        );
        assert_eq!(doc.title, "在2020年区委读书会上的讲话");
        assert_eq!(doc.date.as_deref(), Some("2020-11-04"));
        assert_eq!(doc.category.as_deref(), Some("讲话稿"));
        assert_eq!(doc.tags, ["读书会", "人大工作"]);
        assert_eq!(doc.access.as_deref(), Some("vip"));
        assert_eq!(doc.views, Some(246));
        assert_eq!(doc.paragraphs, ["这次读书会很有必要，也很有意义。"]);
    }

    #[test]
    fn tag_forms() {
        let cases = [
            "tags: a, b, a",
            "tags: [a, b]",
            "tags: a，b",
            "tags:\n  - a\n  - \"b\"",
        ];
        for tags in cases {
            let doc = parse(&format!("---\ntitle: T\n{tags}\n---\nbody"));
            assert_eq!(doc.tags, ["a", "b"], "{tags:?}");
        }
    }

    #[test]
    fn front_matter_errors() {
        let cases = [
            "---\ntitle: T\n",
            "---\ntitle: T\njust words\n---\nbody",
            "---\ntitle: T\ndate: 2020-02-30\n---\nbody",
            "---\ntitle: T\nviews: many\n---\nbody",
            "---\ntitle: T\n- stray\n---\nbody",
        ];
        for text in cases {
            assert!(
                matches!(parse_markdown(text), Err(ParseError::BadFrontMatter(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn title_from_heading_or_first_line() {
        let doc = parse("前言\n\n# 关于人大工作的初步考虑\n\n正文第一段。");
        assert_eq!(doc.title, "关于人大工作的初步考虑");
        assert_eq!(doc.paragraphs, ["前言", "正文第一段。"]);
        let doc = parse("关于人大工作的初步考虑\n\n正文第一段。");
        assert_eq!(doc.title, "关于人大工作的初步考虑");
        assert_eq!(doc.paragraphs, ["正文第一段。"]);
        assert_eq!(parse_markdown("\n\n"), Err(ParseError::NoTitle));
        assert_eq!(parse_markdown("# 只有标题\n"), Err(ParseError::NoBody));
    }

    #[test]
    fn body_blocks_and_inline_markup() {
        let doc = parse(
            "# 标题\n\n## 一、关于外出考察的体会和思考\n\n通过考察，大家开阔了视野，\n找到了差距。\n\n\
             Soft wrapped\nLatin text.\n\n**（一）学先进**，看X发展*更需*努力。\n\n\
             详见[通知原文](https://example.com/a.html)和`附件`。\n\n- 一是营商环境\n- 二是生产力布局\n\n\
             > 引用的话\n\n---\n\n3 * 4 = 12，\\*号保留\n",
        );
        assert_eq!(
            doc.paragraphs,
            [
                "一、关于外出考察的体会和思考",
                "通过考察，大家开阔了视野，找到了差距。",
                "Soft wrapped Latin text.",
                "（一）学先进，看X发展更需努力。",
                "详见通知原文和附件。",
                "一是营商环境",
                "二是生产力布局",
                "引用的话",
                "3 * 4 = 12，*号保留",
            ]
        );
    }

    #[test]
    fn chrome_is_trimmed_in_markdown_too() {
        let doc = parse("# 标题\n\n正文第一段。\n\n阅读全文\n\n分享：\n");
        assert_eq!(doc.paragraphs, ["正文第一段。"]);
    }
}
