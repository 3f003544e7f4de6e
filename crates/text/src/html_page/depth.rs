//! How deeply a page nests, found by a cheap scan before any HTML parser sees the page.
//!
//! html5ever (under ammonia and under our tree) spends time on every start tag in proportion to
//! the number of open elements, so a page nested 200 000 levels deep (2.2 MB of `<div>`) costs
//! minutes. No real page nests more than a few dozen levels, so a page deeper than
//! [`MAX_DEPTH`] is refused before parsing.
//!
//! The scan is one pass over the text with a small model of the parser's stack of open elements:
//! start tags push (void elements and raw-text elements such as `<script>` do not), end tags pop
//! to their element when the parser would, and the tags the parser closes by themselves (a new
//! `<p>` closes an open `<p>`, `<li>` closes `<li>`, a cell closes a cell, …) pop too, each only
//! when no element between would stop the parser from doing so. Where the model is unsure it
//! keeps elements open: it may count a page deeper than the parser would build it, never
//! shallower, so a crafted page cannot slip past it. Every step is constant time (the nearest
//! open element of each name and the nearest boundary of each kind are kept per level), so the
//! scan is linear in the page whatever its shape.

use std::collections::HashMap;

/// Pages nested deeper than this are refused.
pub const MAX_DEPTH: usize = 512;

/// Kinds of element that stop the parser's search for an open element (bit flags).
mod boundary {
    /// The parser's "default scope": applet, caption, html, table, td, th, marquee, object,
    /// template.
    pub const SCOPE: u8 = 1;
    /// "Button scope": the default scope and `button` (where an open `<p>` is looked for).
    pub const BUTTON: u8 = 2;
    /// "List item scope": the default scope and `ol`, `ul`.
    pub const LIST: u8 = 4;
    /// "Table scope": html, table, template.
    pub const TABLE: u8 = 8;
    /// Any "special" element: where an end tag of an ordinary element stops looking.
    pub const SPECIAL: u8 = 16;
    /// Special elements except address, div, p, li: where a new `<li>` stops looking for one.
    pub const LI_STOP: u8 = 32;
    /// Special elements except address, div, p, dd, dt: where `<dd>`/`<dt>` stop looking.
    pub const DD_STOP: u8 = 64;
    pub const COUNT: usize = 7;
}

const SCOPE_TAGS: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
];

/// The HTML standard's "special" elements.
const SPECIAL_TAGS: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "keygen",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "search",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];

/// Elements that never hold children.
const VOID_TAGS: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose content is text up to their end tag (no elements inside).
const RAW_TEXT_TAGS: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
];

/// Start tags that close an open `<p>` in button scope.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "table",
    "hr",
    "xmp",
    "li",
    "dd",
    "dt",
];

const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

fn boundaries_of(tag: &str) -> u8 {
    use boundary::*;
    let mut kinds = 0;
    if SCOPE_TAGS.contains(&tag) {
        kinds |= SCOPE | BUTTON | LIST;
    }
    match tag {
        "button" => kinds |= BUTTON,
        "ol" | "ul" => kinds |= LIST,
        _ => {}
    }
    if matches!(tag, "html" | "table" | "template") {
        kinds |= TABLE;
    }
    if SPECIAL_TAGS.contains(&tag) {
        kinds |= SPECIAL;
        if !matches!(tag, "address" | "div" | "p" | "li") {
            kinds |= LI_STOP;
        }
        if !matches!(tag, "address" | "div" | "p" | "dd" | "dt") {
            kinds |= DD_STOP;
        }
    }
    kinds
}

/// Index of a boundary kind in [`Level::nearest`].
fn slot(kind: u8) -> usize {
    kind.trailing_zeros() as usize
}

struct Level {
    tag: String,
    /// For each boundary kind: 1 + the index of the nearest element of that kind at or below
    /// this level, 0 when there is none.
    nearest: [usize; boundary::COUNT],
}

/// The model of the parser's stack of open elements.
#[derive(Default)]
struct Stack {
    levels: Vec<Level>,
    /// Indices of the open elements of each name, innermost last.
    open: HashMap<String, Vec<usize>>,
    deepest: usize,
}

impl Stack {
    /// 1 + the index of the innermost open `tag`, 0 when none is open.
    fn innermost(&self, tag: &str) -> usize {
        self.open
            .get(tag)
            .and_then(|at| at.last())
            .map_or(0, |i| i + 1)
    }

    /// 1 + the index of the nearest open boundary of `kind`, 0 when none.
    fn boundary(&self, kind: u8) -> usize {
        self.levels.last().map_or(0, |l| l.nearest[slot(kind)])
    }

    /// Pops `tag` and everything inside it if it is open with no boundary of `kind` inside it
    /// (the element itself may be one: `</table>` closes a table).
    fn close_within(&mut self, tags: &[&str], kind: u8) {
        let at = tags.iter().map(|t| self.innermost(t)).max().unwrap_or(0);
        if at > 0 && at >= self.boundary(kind) {
            self.truncate(at - 1);
        }
    }

    fn truncate(&mut self, len: usize) {
        while self.levels.len() > len {
            if let Some(level) = self.levels.pop() {
                if let Some(at) = self.open.get_mut(&level.tag) {
                    at.pop();
                }
            }
        }
    }

    fn push(&mut self, tag: &str) {
        let index = self.levels.len();
        let kinds = boundaries_of(tag);
        let mut nearest = self
            .levels
            .last()
            .map_or([0; boundary::COUNT], |l| l.nearest);
        for (bit, entry) in nearest.iter_mut().enumerate() {
            if kinds & (1 << bit) != 0 {
                *entry = index + 1;
            }
        }
        self.open.entry(tag.to_owned()).or_default().push(index);
        self.levels.push(Level {
            tag: tag.to_owned(),
            nearest,
        });
        self.deepest = self.deepest.max(self.levels.len());
    }

    fn start_tag(&mut self, tag: &str) {
        use boundary::*;
        // A second <html>/<body> is merged into the first by the parser.
        if matches!(tag, "html" | "body" | "head") && self.innermost(tag) > 0 {
            return;
        }
        match tag {
            "li" => self.close_within(&["li"], LI_STOP),
            "dd" | "dt" => self.close_within(&["dd", "dt"], DD_STOP),
            // The adoption agency closes an open <a>; only its simple case is modelled.
            "a" | "nobr" => self.close_within(&[tag], SPECIAL),
            "tr" | "tbody" | "thead" | "tfoot" => self.close_within(&[tag], TABLE),
            "td" | "th" => self.close_within(&["td", "th"], TABLE),
            "option" | "optgroup" if self.levels.last().is_some_and(|l| l.tag == "option") => {
                self.truncate(self.levels.len() - 1);
            }
            _ => {}
        }
        if CLOSES_P.contains(&tag) {
            self.close_within(&["p"], BUTTON);
        }
        if HEADINGS.contains(&tag)
            && self
                .levels
                .last()
                .is_some_and(|l| HEADINGS.contains(&l.tag.as_str()))
        {
            self.truncate(self.levels.len() - 1);
        }
        self.push(tag);
    }

    fn end_tag(&mut self, tag: &str) {
        use boundary::*;
        match tag {
            "p" => self.close_within(&["p"], BUTTON),
            "li" => self.close_within(&["li"], LIST),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.close_within(HEADINGS, SCOPE),
            "tr" | "td" | "th" | "tbody" | "thead" | "tfoot" | "table" | "caption" => {
                self.close_within(&[tag], TABLE)
            }
            _ if SPECIAL_TAGS.contains(&tag) => self.close_within(&[tag], SCOPE),
            // An ordinary element (span, b, font …) is closed when no special element is
            // inside it; otherwise the parser's adoption agency may keep things open.
            _ => self.close_within(&[tag], SPECIAL),
        }
    }
}

/// The deepest nesting of `html`, or `None` as soon as it passes `limit` (the rest of the page
/// is not scanned).
pub fn nesting_depth(html: &str, limit: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut stack = Stack::default();
    let mut at = 0;
    let mut name = String::new();
    while let Some(offset) = bytes[at..].iter().position(|b| *b == b'<') {
        at += offset + 1;
        let rest = &bytes[at..];
        if rest.starts_with(b"!--") {
            at += 3 + find(&rest[3..], b"-->").map_or(rest.len() - 3, |i| i + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = at + usize::from(closing);
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            // `<!doctype …>`, `<?xml …?>`, `</ >`: a bogus comment up to `>`; a lone `<` is text.
            if matches!(rest.first(), Some(b'!' | b'?' | b'/')) {
                at += rest
                    .iter()
                    .position(|b| *b == b'>')
                    .map_or(rest.len(), |i| i + 1);
            }
            continue;
        }
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
            .map_or(bytes.len(), |i| name_start + i);
        name.clear();
        name.extend(
            bytes[name_start..name_end]
                .iter()
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        at = tag_end(bytes, name_end);
        if closing {
            stack.end_tag(&name);
            continue;
        }
        if name == "plaintext" {
            // Everything after it is text.
            break;
        }
        if RAW_TEXT_TAGS.contains(&name.as_str()) {
            at = raw_text_end(bytes, at, &name);
            continue;
        }
        if VOID_TAGS.contains(&name.as_str()) {
            continue;
        }
        stack.start_tag(&name);
        if stack.deepest > limit {
            return None;
        }
    }
    Some(stack.deepest)
}

/// Just past the `>` ending a tag whose name ends at `from`, skipping quoted attribute values.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    let mut after_equals = false;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'>' => return at + 1,
            b'"' | b'\'' if after_equals => {
                at = bytes[at + 1..]
                    .iter()
                    .position(|c| *c == b)
                    .map_or(bytes.len(), |i| at + 1 + i);
                after_equals = false;
            }
            b'=' => after_equals = true,
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        at += 1;
    }
    bytes.len()
}

/// Just past the end tag of the raw-text element `name` whose content starts at `from`.
fn raw_text_end(bytes: &[u8], from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(offset) = find(&bytes[at..], b"</") {
        let start = at + offset + 2;
        let candidate = &bytes[start..];
        let ends_name = candidate
            .get(name.len())
            .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'));
        if candidate.len() >= name.len()
            && candidate[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && ends_name
        {
            return tag_end(bytes, start + name.len());
        }
        at = start;
    }
    bytes.len()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(html: &str) -> usize {
        nesting_depth(html, usize::MAX).unwrap()
    }

    #[test]
    fn ordinary_pages_are_shallow() {
        let page = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>标题 <b></title>
            <script>if (a < b) { document.write("<div><div><div>"); }</script>
            <style>p > span { color: red }</style></head>
            <body><div class="main"><div id="content">
            <p>第一段<p>第二段<br>第三段<p>第四段
            <ul><li>一<li>二<li>三</ul>
            <table><tr><td>甲<td>乙<tr><td>丙<td>丁</table>
            <dl><dt>词<dd>义<dt>词<dd>义</dl>
            <p><a href="/1">一<a href="/2">二<a href="/3">三</p>
            <h2>小标题<h3>又一个</h3>
            <!-- <div><div><div><div> -->
            <img src="x.png" alt="a > b"><input value='<div>'>
            </div></div></body></html>"#;
        // html, body, div, div, then a paragraph with a link at most.
        assert!(depth(page) <= 7, "{}", depth(page));
    }

    #[test]
    fn hundreds_of_unclosed_paragraphs_and_items_do_not_add_up() {
        let paragraphs = "<p>一段文字".repeat(2000);
        assert!(depth(&format!("<div>{paragraphs}</div>")) <= 3);
        let items = "<li><a href=/x>一条</a>".repeat(2000);
        assert!(depth(&format!("<ul>{items}</ul>")) <= 4);
        let cells = "<tr><td>甲<td>乙".repeat(2000);
        assert!(depth(&format!("<table><tbody>{cells}</table>")) <= 5);
        let spans = "<div><span><b>字</b></span></div>".repeat(2000);
        assert_eq!(depth(&spans), 3);
    }

    #[test]
    fn deep_nesting_is_counted_whatever_the_tags() {
        for (open, close) in [
            ("<div>", "</div>"),
            ("<span>", "</span>"),
            ("<b>", ""),
            ("<div/>", ""),
            ("<ul><li>", ""),
            ("<table><tr><td>", ""),
            ("<li><section>", ""),
            ("<font size=3>", "</p>"),
        ] {
            let html = format!("{}字{}", open.repeat(1000), close.repeat(1000));
            assert!(
                nesting_depth(&html, MAX_DEPTH).is_none(),
                "{open}: {:?}",
                nesting_depth(&html, usize::MAX)
            );
        }
    }

    #[test]
    fn an_end_tag_the_parser_ignores_does_not_reset_the_count() {
        // `</span>` cannot close a <span> outside the cell it stands in.
        let html = "<span><table><tr><td></span>".repeat(200);
        assert!(nesting_depth(&html, MAX_DEPTH).is_none());
    }

    #[test]
    fn a_huge_deep_page_is_refused_quickly() {
        let html = "<div>".repeat(200_000);
        let started = std::time::Instant::now();
        assert_eq!(nesting_depth(&html, MAX_DEPTH), None);
        // Stops at level 513; the whole page takes well under a second either way.
        let flat = "<div>字</div>".repeat(200_000);
        assert_eq!(nesting_depth(&flat, MAX_DEPTH), Some(1));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
