//! Walking `word/document.xml` as a stream of XML events into paragraphs ([`Block`]s).
//!
//! What counts as text: `w:t` inside runs (insertions included), `w:tab` as a tab, `w:br`/`w:cr`
//! as a line break. What does not: deleted or moved-away text (`w:del`, `w:moveFrom`), field
//! instructions (`w:instrText`; the field's displayed result is kept), and the `mc:Fallback`
//! copy of content that `mc:Choice` already gave. A table becomes one block per row with the
//! cells joined by a tab (empty cells kept, so columns line up; the first row marked as the
//! table's start); a nested table's text stays in its outer cell. Text boxes contribute their
//! paragraphs as blocks of their own. A paragraph's direct alignment (`w:jc`) is kept when it
//! is centred or right-aligned.
//!
//! Elements are matched by their qualified names (`w:p`): every producer we know of (Word, WPS,
//! LibreOffice, the docx libraries) uses the conventional prefixes.

use std::io::BufRead;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::parts::attribute;

/// A paragraph (or table row) of the document body, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Block {
    pub text: String,
    /// The paragraph style id (`w:pStyle`), e.g. `Heading1`, `Title`, or Word's Chinese `1`.
    pub style: Option<String>,
    /// A direct outline level (`w:outlineLvl`, 0 = top), which makes a paragraph a heading.
    pub outline_level: Option<u8>,
    pub in_table: bool,
    /// The first row of a table.
    pub table_start: bool,
    /// Direct alignment: centred or right-aligned (left and justified are the default).
    pub align: Option<Align>,
    /// Word's automatic numbering: the list instance (`w:numId`) and level (`w:ilvl`).
    pub list: Option<(String, u8)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Centre,
    Right,
}

/// Elements whose whole subtree holds no visible text.
const SKIPPED: &[&str] = &[
    "w:del",
    "w:moveFrom",
    "w:instrText",
    "w:delText",
    "mc:Fallback",
];

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    /// Open paragraphs: more than one inside a text box.
    open: Vec<Block>,
    /// Depth inside a [`SKIPPED`] subtree.
    skip: usize,
    in_text: bool,
    in_run: usize,
    in_paragraph_props: bool,
    table_depth: usize,
    row: Vec<String>,
    cell: String,
    /// Rows of the current top-level table written so far.
    table_rows: usize,
}

/// Reads the body of `word/document.xml` into blocks.
pub(super) fn read_blocks(source: impl BufRead) -> Result<Vec<Block>, quick_xml::Error> {
    let mut reader = Reader::from_reader(source);
    let mut walker = Walker::default();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Eof => break,
            Event::Start(e) => walker.open(&e),
            Event::Empty(e) => {
                walker.open(&e);
                walker.close(e.name().as_ref());
            }
            Event::End(e) => walker.close(e.name().as_ref()),
            Event::Text(t) => walker.text(&t.xml10_content()),
            Event::CData(t) => walker.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    walker.text(c.encode_utf8(&mut [0; 4]));
                } else if let Some(s) = resolve_predefined_entity(&r) {
                    walker.text(s);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(walker.blocks)
}

impl Walker {
    fn open(&mut self, e: &BytesStart) {
        let name = e.name();
        let name = name.as_ref();
        if self.skip > 0 || SKIPPED.contains(&name) {
            self.skip += 1;
            return;
        }
        match name {
            "w:p" => self.open.push(Block {
                in_table: self.table_depth > 0,
                ..Block::default()
            }),
            "w:pPr" => self.in_paragraph_props = true,
            "w:r" => self.in_run += 1,
            "w:t" => self.in_text = true,
            "w:tbl" => {
                self.table_depth += 1;
                if self.table_depth == 1 {
                    self.table_rows = 0;
                }
            }
            "w:tr" if self.table_depth == 1 => self.row.clear(),
            "w:tc" if self.table_depth == 1 => self.cell.clear(),
            "w:pStyle" if self.in_paragraph_props => {
                if let (Some(p), Some(val)) = (self.open.last_mut(), attribute(e, "w:val")) {
                    p.style = Some(val);
                }
            }
            "w:jc" if self.in_paragraph_props => {
                let align = match attribute(e, "w:val").as_deref() {
                    Some("center") => Some(Align::Centre),
                    Some("right" | "end") => Some(Align::Right),
                    _ => None,
                };
                if let Some(p) = self.open.last_mut() {
                    p.align = align;
                }
            }
            "w:numId" if self.in_paragraph_props => {
                if let (Some(p), Some(id)) = (self.open.last_mut(), attribute(e, "w:val")) {
                    let level = p.list.as_ref().map_or(0, |(_, l)| *l);
                    p.list = Some((id, level));
                }
            }
            "w:ilvl" if self.in_paragraph_props => {
                let level = attribute(e, "w:val").and_then(|v| v.parse::<u8>().ok());
                if let (Some(p), Some(level)) = (self.open.last_mut(), level) {
                    let id = p.list.take().map(|(id, _)| id).unwrap_or_default();
                    p.list = Some((id, level));
                }
            }
            "w:outlineLvl" if self.in_paragraph_props => {
                let level = attribute(e, "w:val").and_then(|v| v.parse::<u8>().ok());
                if let Some(p) = self.open.last_mut() {
                    // Level 9 is Word's "body text".
                    p.outline_level = level.filter(|l| *l < 9);
                }
            }
            "w:tab" if self.in_run > 0 && !self.in_paragraph_props => self.push("\t"),
            "w:br" | "w:cr" if self.in_run > 0 => self.push("\n"),
            "w:noBreakHyphen" if self.in_run > 0 => self.push("-"),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        match name {
            "w:p" => self.end_paragraph(),
            "w:pPr" => self.in_paragraph_props = false,
            "w:r" => self.in_run = self.in_run.saturating_sub(1),
            "w:t" => self.in_text = false,
            "w:tbl" => self.table_depth = self.table_depth.saturating_sub(1),
            "w:tc" if self.table_depth == 1 => {
                let cell = std::mem::take(&mut self.cell);
                self.row.push(cell.trim().to_owned());
            }
            "w:tr" if self.table_depth == 1 => {
                // A line break inside a cell would split the row: it becomes a space.
                let cells: Vec<String> = std::mem::take(&mut self.row)
                    .into_iter()
                    .map(|c| c.replace(['\n', '\t'], " ").trim().to_owned())
                    .collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    self.blocks.push(Block {
                        text: cells.join("\t"),
                        in_table: true,
                        table_start: self.table_rows == 0,
                        ..Block::default()
                    });
                    self.table_rows += 1;
                }
            }
            _ => {}
        }
    }

    /// Character data: text only inside `w:t` (elsewhere it is layout whitespace).
    fn text(&mut self, text: &str) {
        if self.in_text && self.skip == 0 {
            self.push(text);
        }
    }

    /// Text that an element stands for (a tab, a line break).
    fn push(&mut self, text: &str) {
        if let Some(p) = self.open.last_mut() {
            p.text.push_str(text);
        }
    }

    fn end_paragraph(&mut self) {
        let Some(paragraph) = self.open.pop() else {
            return;
        };
        // A paragraph directly in a table cell joins the cell; one in a text box stands alone.
        if self.table_depth > 0 && self.open.is_empty() {
            let text = paragraph.text.trim();
            if !text.is_empty() {
                if !self.cell.is_empty() {
                    self.cell.push(' ');
                }
                self.cell.push_str(text);
            }
            return;
        }
        self.blocks.push(paragraph);
    }
}
