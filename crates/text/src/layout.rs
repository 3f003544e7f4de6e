//! How a paragraph was laid out in the file it came from: centred, right-aligned, or a row of a
//! table. Only office files (.docx, .doc) say so; text formats leave every paragraph plain.
//!
//! The text of a document stays one paragraph per line (search, summaries, fingerprints and the
//! gate all work on it); a table row is a line whose cells are joined by tabs. The layout is a
//! separate string, one code character per paragraph, stored beside the body: it is only a hint
//! for display and download, so a layout that no longer matches the body (an editor changed the
//! paragraphs) is ignored rather than misapplied ([`decode`]).

/// The layout of one paragraph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    #[default]
    Plain,
    /// Centred, like the date line under a title.
    Centre,
    /// Right-aligned, like the 落款 (issuing unit and date).
    Right,
    /// The first row of a table: its cells are the paragraph's tab-separated parts.
    TableStart,
    /// A further row of the table that the previous paragraph belongs to.
    TableRow,
}

impl Layout {
    fn code(self) -> char {
        match self {
            Layout::Plain => '.',
            Layout::Centre => 'c',
            Layout::Right => 'r',
            Layout::TableStart => 'T',
            Layout::TableRow => 't',
        }
    }

    fn from_code(c: char) -> Option<Self> {
        Some(match c {
            '.' => Layout::Plain,
            'c' => Layout::Centre,
            'r' => Layout::Right,
            'T' => Layout::TableStart,
            't' => Layout::TableRow,
            _ => return None,
        })
    }

    pub fn is_table_row(self) -> bool {
        matches!(self, Layout::TableStart | Layout::TableRow)
    }

    /// The cells of a table row (a row's text is its cells joined by tabs).
    pub fn cells(text: &str) -> Vec<String> {
        text.split('\t').map(|c| c.trim().to_owned()).collect()
    }
}

/// The stored form: `None` when every paragraph is plain (nothing to keep).
pub fn encode(layout: &[Layout]) -> Option<String> {
    if layout.iter().all(|l| *l == Layout::Plain) {
        return None;
    }
    Some(layout.iter().map(|l| l.code()).collect())
}

/// The stored form read back for a body of `paragraphs` paragraphs; `None` when it does not fit
/// (another length, an unknown code, a row with no table before it).
pub fn decode(stored: &str, paragraphs: usize) -> Option<Vec<Layout>> {
    let layout: Vec<Layout> = stored
        .chars()
        .map(Layout::from_code)
        .collect::<Option<_>>()?;
    if layout.len() != paragraphs {
        return None;
    }
    let orphan_row = layout
        .iter()
        .enumerate()
        .any(|(i, l)| *l == Layout::TableRow && (i == 0 || !layout[i - 1].is_table_row()));
    (!orphan_row).then_some(layout)
}

/// The layout of the paragraphs that survived a cleaning step (a repeated title dropped, page
/// chrome cut): `kept` is a subsequence of `before`, matched in order by text.
pub(crate) fn follow(before: &[(String, Layout)], kept: &[String]) -> Vec<Layout> {
    let mut out = Vec::with_capacity(kept.len());
    let mut from = 0;
    for text in kept {
        match before[from..].iter().position(|(t, _)| t == text) {
            Some(at) => {
                out.push(before[from + at].1);
                from += at + 1;
            }
            None => out.push(Layout::Plain),
        }
    }
    // A table whose first row was cut starts at its first kept row.
    for i in 0..out.len() {
        if out[i] == Layout::TableRow && (i == 0 || !out[i - 1].is_table_row()) {
            out[i] = Layout::TableStart;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_misfits() {
        use Layout::*;
        let layout = [
            Centre, Plain, TableStart, TableRow, TableRow, Plain, Right, Right,
        ];
        let stored = encode(&layout).unwrap_or_default();
        assert_eq!(stored, "c.Ttt.rr");
        assert_eq!(decode(&stored, 8).as_deref(), Some(&layout[..]));
        assert_eq!(decode(&stored, 7), None, "the body was edited");
        assert_eq!(decode("t..", 3), None, "a row without its table");
        assert_eq!(decode("x..", 3), None);
        assert_eq!(encode(&[Plain, Plain]), None);
    }

    #[test]
    fn follows_the_kept_paragraphs() {
        use Layout::*;
        let before: Vec<(String, Layout)> = [
            ("标题", Centre),
            ("（2024年12月20日）", Centre),
            ("行业\t整改率", TableStart),
            ("危险化学品\t98.7%", TableRow),
            ("阅读全文", Plain),
        ]
        .iter()
        .map(|(t, l)| (t.to_string(), *l))
        .collect();
        let kept = ["（2024年12月20日）", "行业\t整改率", "危险化学品\t98.7%"].map(String::from);
        assert_eq!(follow(&before, &kept), [Centre, TableStart, TableRow]);
        let kept = ["危险化学品\t98.7%".to_owned()];
        assert_eq!(follow(&before, &kept), [TableStart]);
        assert_eq!(
            Layout::cells("危险化学品\t 1,246 \t"),
            ["危险化学品", "1,246", ""]
        );
    }
}
