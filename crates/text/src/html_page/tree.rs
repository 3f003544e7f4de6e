//! The page as a small arena tree, and the article-finding over it: chrome removal, text-density
//! scoring, and paragraph extraction. Built iteratively, never recursively, so a page nested a
//! hundred thousand levels deep cannot overflow the stack.

use markup5ever_rcdom::{Handle, NodeData};

#[derive(Debug)]
pub(super) struct Element {
    pub tag: String,
    /// Words of the `id` and `class` attributes, lowercased, split at `-`, `_` and spaces.
    pub words: Vec<String>,
    pub parent: Option<usize>,
    pub children: Vec<Child>,
}

#[derive(Debug)]
pub(super) enum Child {
    Element(usize),
    Text(String),
}

/// Elements in document order: a parent always comes before its children.
pub(super) struct Tree {
    pub elements: Vec<Element>,
    /// Characters of visible (non-blank) text in each element's subtree.
    text_len: Vec<usize>,
    /// Of which inside links.
    link_len: Vec<usize>,
    removed: Vec<bool>,
}

/// Elements that are page furniture by nature.
const CHROME_TAGS: &[&str] = &["nav", "header", "footer", "aside", "form", "title", "menu"];

/// `id`/`class` words that mark page furniture: navigation, share and QR blocks, related and hot
/// lists, comments, login prompts, advertising, breadcrumbs, pagination.
const CHROME_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "menu",
    "header",
    "topbar",
    "footer",
    "sidebar",
    "side",
    "aside",
    "share",
    "bdshare",
    "social",
    "qr",
    "qrcode",
    "erweima",
    "wx",
    "weixin",
    "wechat",
    "related",
    "relate",
    "xiangguan",
    "hot",
    "hots",
    "remen",
    "rank",
    "recommend",
    "tuijian",
    "comment",
    "comments",
    "pinglun",
    "login",
    "denglu",
    "ad",
    "ads",
    "advert",
    "banner",
    "guanggao",
    "breadcrumb",
    "crumb",
    "crumbs",
    "weizhi",
    "pager",
    "pagination",
    "copyright",
    "kefu",
    "toolbar",
    "shangxia",
    "friendlink",
];

/// Words that mark the article itself, given a bonus in scoring.
const CONTENT_WORDS: &[&str] = &[
    "content", "article", "main", "post", "entry", "text", "detail", "body", "neirong", "zhengwen",
];

/// Tags whose text is a paragraph of its container, credited to that container.
const PARAGRAPH_TAGS: &[&str] = &[
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "span",
    "font",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "a",
    "center",
    "dd",
    "dt",
];

/// Tags that break lines when paragraphs are extracted.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "hr",
    "dl",
    "dd",
    "dt",
    "center",
    "figure",
    "figcaption",
    "caption",
    "tbody",
    "thead",
    "tfoot",
];

/// Chrome that takes more than this share of the page's text is kept: a page whose `<body>`
/// carries a class like `page-header-fixed` must not lose its article.
const MAX_CHROME_SHARE: f64 = 0.5;

impl Tree {
    pub(super) fn from_dom(document: &Handle) -> Tree {
        let mut elements: Vec<Element> = Vec::new();
        let mut stack: Vec<(Handle, Option<usize>)> = vec![(document.clone(), None)];
        while let Some((handle, parent)) = stack.pop() {
            let index = match &handle.data {
                NodeData::Element { name, attrs, .. } => {
                    let attrs = attrs.borrow();
                    let words = attrs
                        .iter()
                        .filter(|a| matches!(&*a.name.local, "id" | "class"))
                        .flat_map(|a| {
                            a.value
                                .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
                                .filter(|w| !w.is_empty())
                                .map(str::to_lowercase)
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    elements.push(Element {
                        tag: name.local.to_string(),
                        words,
                        parent,
                        children: Vec::new(),
                    });
                    let index = elements.len() - 1;
                    if let Some(p) = parent {
                        elements[p].children.push(Child::Element(index));
                    }
                    Some(index)
                }
                NodeData::Text { contents } => {
                    if let Some(p) = parent {
                        elements[p]
                            .children
                            .push(Child::Text(contents.borrow().to_string()));
                    }
                    None
                }
                NodeData::Document => None,
                _ => continue,
            };
            let parent = index.or(parent);
            // Reversed, so that popping visits children in document order.
            for child in handle.children.borrow().iter().rev() {
                stack.push((child.clone(), parent));
            }
        }
        let count = elements.len();
        let mut tree = Tree {
            elements,
            text_len: vec![0; count],
            link_len: vec![0; count],
            removed: vec![false; count],
        };
        tree.measure();
        tree
    }

    /// Sums visible text per subtree (children come after parents, so a reverse pass suffices).
    fn measure(&mut self) {
        self.text_len.iter_mut().for_each(|n| *n = 0);
        self.link_len.iter_mut().for_each(|n| *n = 0);
        for i in (0..self.elements.len()).rev() {
            if self.removed[i] {
                continue;
            }
            let own = self.own_text_len(i);
            self.text_len[i] += own;
            if self.elements[i].tag == "a" {
                self.link_len[i] = self.text_len[i];
            }
            if let Some(p) = self.elements[i].parent {
                self.text_len[p] += self.text_len[i];
                self.link_len[p] += self.link_len[i];
            }
        }
    }

    /// Marks navigation, headers, footers, sidebars, forms and blocks whose `id`/`class` say
    /// share, QR, related, hot … as removed, unless they hold most of the page's text.
    pub(super) fn remove_chrome(&mut self) {
        let total = self.text_len.first().copied().unwrap_or(0) as f64;
        for i in 0..self.elements.len() {
            let element = &self.elements[i];
            let chrome = CHROME_TAGS.contains(&element.tag.as_str())
                || element
                    .words
                    .iter()
                    .any(|w| CHROME_WORDS.contains(&w.as_str()));
            let container = matches!(element.tag.as_str(), "html" | "body" | "article" | "main");
            if chrome && !container && (self.text_len[i] as f64) <= MAX_CHROME_SHARE * total {
                self.removed[i] = true;
            }
        }
        // A removed element's descendants go with it.
        for i in 0..self.elements.len() {
            if let Some(p) = self.elements[i].parent {
                if self.removed[p] {
                    self.removed[i] = true;
                }
            }
        }
        self.measure();
    }

    /// The element holding the article: the best text-density score, where each paragraph's text
    /// (less its link text) counts fully for its container and half for the container's parent,
    /// and `<article>`/`<main>` or a `content`/`article`… id or class earns a bonus.
    pub(super) fn article(&self) -> Option<usize> {
        let mut score = vec![0f64; self.elements.len()];
        for i in 0..self.elements.len() {
            if self.removed[i] {
                continue;
            }
            let own = self.own_text_len(i);
            if own == 0 {
                continue;
            }
            let link_share = self.link_len[i] as f64 / self.text_len[i].max(1) as f64;
            let value = own as f64 * (1.0 - link_share);
            let container = self.container_of(i);
            score[container] += value;
            if let Some(grand) = self.elements[container].parent {
                score[grand] += value / 2.0;
            }
        }
        for (i, element) in self.elements.iter().enumerate() {
            let named = element
                .words
                .iter()
                .any(|w| CONTENT_WORDS.contains(&w.as_str()));
            if named || matches!(element.tag.as_str(), "article" | "main") {
                score[i] *= 1.25;
            }
        }
        (0..self.elements.len())
            .filter(|i| !self.removed[*i] && score[*i] > 0.0)
            .max_by(|a, b| score[*a].total_cmp(&score[*b]))
    }

    /// Visible characters in the element's own text nodes (not its children's).
    fn own_text_len(&self, i: usize) -> usize {
        self.elements[i]
            .children
            .iter()
            .map(|c| match c {
                Child::Text(t) => visible_chars(t),
                Child::Element(_) => 0,
            })
            .sum()
    }

    /// The block an element's own text belongs to: itself, unless it is an inline or paragraph
    /// element, in which case the nearest ancestor that is neither.
    fn container_of(&self, mut i: usize) -> usize {
        while PARAGRAPH_TAGS.contains(&self.elements[i].tag.as_str()) {
            match self.elements[i].parent {
                Some(p) => i = p,
                None => break,
            }
        }
        i
    }

    /// The text of the first `tag` element under `root` (or anywhere), not removed, non-empty.
    pub(super) fn first_text(&self, root: Option<usize>, tag: &str) -> Option<String> {
        (0..self.elements.len())
            .filter(|i| self.elements[*i].tag == tag && !self.removed[*i])
            .filter(|i| root.is_none_or(|r| self.is_within(*i, r)))
            .map(|i| collapse(&self.paragraphs(i).join(" ")))
            .find(|t| !t.is_empty())
    }

    /// Texts of `tag` elements anywhere, including removed ones (the `<title>`, headings in a
    /// removed page header).
    pub(super) fn texts_of(&self, tag: &str) -> Vec<String> {
        (0..self.elements.len())
            .filter(|i| self.elements[*i].tag == tag)
            .map(|i| self.lines(i, true).join(" "))
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The lines of the block around the `<h1>`/`<h2>` whose text is `title` (where sites put
    /// the date line), removed parts included.
    pub(super) fn lines_around_heading(&self, title: &str) -> Vec<String> {
        (0..self.elements.len())
            .filter(|i| matches!(self.elements[*i].tag.as_str(), "h1" | "h2"))
            .find(|i| self.lines(*i, true).join(" ") == title)
            .and_then(|i| self.elements[i].parent)
            .map(|parent| self.lines(parent, true))
            .unwrap_or_default()
    }

    fn is_within(&self, mut i: usize, root: usize) -> bool {
        loop {
            if i == root {
                return true;
            }
            match self.elements[i].parent {
                Some(p) => i = p,
                None => return false,
            }
        }
    }

    /// The outermost element (`<html>`), if the markup held any element at all.
    pub(super) fn root(&self) -> Option<usize> {
        (!self.elements.is_empty()).then_some(0)
    }

    /// The paragraphs under `root`: block elements and `<br>` end lines, table cells are joined
    /// by a tab, whitespace runs collapse to one space; removed parts are skipped.
    pub(super) fn paragraphs(&self, root: usize) -> Vec<String> {
        self.lines(root, false)
    }

    fn lines(&self, root: usize, include_removed: bool) -> Vec<String> {
        enum Step {
            Enter(usize),
            Leave(usize),
            Text(usize, usize),
        }
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut stack = vec![Step::Enter(root)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter(i) => {
                    if self.removed[i] && !include_removed {
                        continue;
                    }
                    let tag = self.elements[i].tag.as_str();
                    if BLOCK_TAGS.contains(&tag) {
                        flush(&mut line, &mut lines);
                    } else if matches!(tag, "td" | "th") && !line.trim().is_empty() {
                        line.push('\t');
                    }
                    stack.push(Step::Leave(i));
                    for (n, child) in self.elements[i].children.iter().enumerate().rev() {
                        stack.push(match child {
                            Child::Element(c) => Step::Enter(*c),
                            Child::Text(_) => Step::Text(i, n),
                        });
                    }
                }
                Step::Leave(i) => {
                    if BLOCK_TAGS.contains(&self.elements[i].tag.as_str()) {
                        flush(&mut line, &mut lines);
                    }
                }
                Step::Text(i, n) => {
                    if let Child::Text(t) = &self.elements[i].children[n] {
                        line.push_str(t);
                    }
                }
            }
        }
        flush(&mut line, &mut lines);
        lines
    }
}

fn flush(line: &mut String, lines: &mut Vec<String>) {
    let text = collapse(line);
    if !text.is_empty() {
        lines.push(text);
    }
    line.clear();
}

/// Collapses runs of ASCII whitespace (HTML's, not U+3000 which is content) to one space,
/// keeping tabs that separate table cells, and trims the ends.
pub(super) fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending: Option<char> = None;
    for c in text.chars() {
        if matches!(c, ' ' | '\n' | '\r' | '\t' | '\u{c}') {
            if c == '\t' || pending.is_none() {
                pending = Some(if c == '\t' { '\t' } else { ' ' });
            }
        } else {
            if let Some(space) = pending.take() {
                if !out.is_empty() {
                    out.push(space);
                }
            }
            out.push(c);
        }
    }
    crate::chars::trim_blank(&out).to_owned()
}

fn visible_chars(text: &str) -> usize {
    text.chars().filter(|c| !crate::chars::is_blank(*c)).count()
}
