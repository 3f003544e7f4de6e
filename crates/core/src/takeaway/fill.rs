//! 填写本单位信息: the blanks of a document as a viewer may take it away, and the document with a
//! reader's own names written in (see [`wenyuan_text::placeholders`] for what a blank is).
//!
//! Everything here works on the paragraphs the gate lets through, never on the stored body, so
//! neither the field list nor a filled file can say more than the page does.

use std::collections::HashMap;

use serde::Serialize;
use wenyuan_text::placeholders::{detect, Filler, Piece, PieceKind, Placeholder};

use crate::reading::Paragraph;

/// The most fields a request is read for; a template has far fewer, the rest are ignored.
const MAX_FIELDS: usize = 200;

/// The values a reader typed, by field key (`p1`, `p2` …), as the request carried them.
#[derive(Debug, Clone, Default)]
pub struct FillValues(HashMap<String, String>);

impl FillValues {
    /// The `p…` fields of a request (query or form); other fields (`format`, `inline`) are
    /// not values and are skipped. The first of a repeated key wins. Values are kept as sent:
    /// they are cleaned when written in ([`wenyuan_text::placeholders::clean_value`]).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut values = HashMap::new();
        for (key, value) in pairs {
            if values.len() >= MAX_FIELDS {
                break;
            }
            if is_key(&key) {
                values.entry(key).or_insert(value);
            }
        }
        FillValues(values)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|v| v.trim().is_empty())
    }
}

/// `p` and a number: the keys [`detect`] gives.
fn is_key(key: &str) -> bool {
    key.strip_prefix('p')
        .is_some_and(|n| (1..=4).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A document's texts in reading order, as detection and filling both see them: the title,
/// then each paragraph's heading, joint and text (each part on its own, as the .docx writes
/// them).
fn texts<'a>(title: &'a str, paragraphs: &'a [Paragraph]) -> impl Iterator<Item = &'a str> {
    std::iter::once(title).chain(
        paragraphs
            .iter()
            .flat_map(|p| [p.heading.as_str(), p.joint.as_str(), p.text.as_str()]),
    )
}

/// The placeholders of a title and the paragraphs the gate let through.
pub fn placeholders(title: &str, paragraphs: &[Paragraph]) -> Vec<Placeholder> {
    detect(texts(title, paragraphs))
}

/// A document with a reader's values written in.
pub struct Filled {
    pub title: String,
    pub paragraphs: Vec<Paragraph>,
}

/// `title` and `paragraphs` with the values of `values` in place of their placeholders; `None`
/// when no value applies (the text is taken away as it is).
pub fn fill(title: &str, paragraphs: &[Paragraph], values: &FillValues) -> Option<Filled> {
    if values.is_empty() {
        return None;
    }
    let found = placeholders(title, paragraphs);
    let filler = Filler::new(&found, |key| values.get(key));
    if filler.is_empty() {
        return None;
    }
    Some(Filled {
        title: filler.fill(title).into_owned(),
        paragraphs: paragraphs
            .iter()
            .map(|p| Paragraph {
                index: p.index,
                level: p.level,
                heading: filler.fill(&p.heading).into_owned(),
                text: filler.fill(&p.text).into_owned(),
                joint: filler.fill(&p.joint).into_owned(),
                layout: p.layout,
                cells: p
                    .cells
                    .as_ref()
                    .map(|cells| cells.iter().map(|c| filler.fill(c).into_owned()).collect()),
            })
            .collect(),
    })
}

/// One field of the form: a placeholder and what the reader typed for it.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub key: String,
    pub pattern: String,
    pub count: usize,
    /// The value as it will be written (cleaned), empty when left blank.
    pub value: String,
}

/// A paragraph of the preview, cut into the document's text, filled values and blanks left.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewParagraph {
    pub index: usize,
    pub level: Option<u8>,
    pub heading: Vec<Piece>,
    pub joint: String,
    pub text: Vec<Piece>,
}

/// The on-page preview of a filled document.
#[derive(Debug, Clone, Serialize)]
pub struct FillPreview {
    pub id: i64,
    pub title: Vec<Piece>,
    pub fields: Vec<Field>,
    pub paragraphs: Vec<PreviewParagraph>,
    /// How many places got a value.
    pub filled: usize,
}

pub(super) fn preview(
    id: i64,
    title: &str,
    paragraphs: &[Paragraph],
    values: &FillValues,
) -> FillPreview {
    let found = placeholders(title, paragraphs);
    let filler = Filler::new(&found, |key| values.get(key));
    let fields = found
        .iter()
        .map(|p| Field {
            key: p.key.clone(),
            pattern: p.pattern.clone(),
            count: p.count,
            value: values
                .get(&p.key)
                .map(wenyuan_text::placeholders::clean_value)
                .unwrap_or_default(),
        })
        .collect();
    let title = filler.pieces(title);
    let paragraphs: Vec<PreviewParagraph> = paragraphs
        .iter()
        .map(|p| PreviewParagraph {
            index: p.index,
            level: p.level,
            heading: filler.pieces(&p.heading),
            joint: p.joint.clone(),
            text: filler.pieces(&p.text),
        })
        .collect();
    let filled = title
        .iter()
        .chain(
            paragraphs
                .iter()
                .flat_map(|p| p.heading.iter().chain(&p.text)),
        )
        .filter(|piece| piece.kind == PieceKind::Filled)
        .count();
    FillPreview {
        id,
        title,
        fields,
        paragraphs,
        filled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(index: usize, heading: &str, joint: &str, text: &str) -> Paragraph {
        Paragraph {
            index,
            level: (!heading.is_empty()).then_some(2),
            heading: heading.to_owned(),
            text: text.to_owned(),
            joint: joint.to_owned(),
            ..Paragraph::default()
        }
    }

    fn values(pairs: &[(&str, &str)]) -> FillValues {
        FillValues::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn only_numbered_p_fields_are_values() {
        let v = values(&[
            ("format", "docx"),
            ("p1", "张书记"),
            ("p1", "李书记"),
            ("p", "x"),
            ("px", "x"),
            ("p12345", "x"),
            ("p2", " "),
        ]);
        assert_eq!(v.get("p1"), Some("张书记"), "the first wins");
        assert_eq!(v.get("format"), None);
        assert_eq!(v.get("p12345"), None);
        assert!(!v.is_empty());
        assert!(values(&[("p2", "  ")]).is_empty());
    }

    #[test]
    fn headings_and_texts_are_filled_with_the_same_keys_as_detected() {
        let doc = [
            paragraph(0, "", "", "XX县召开会议，X书记讲话。"),
            paragraph(1, "（一）看X发展", "。", "XX县要发展。"),
        ];
        let found = placeholders("在XX县的讲话", &doc);
        let keys: Vec<(&str, &str, usize)> = found
            .iter()
            .map(|p| (p.key.as_str(), p.pattern.as_str(), p.count))
            .collect();
        assert_eq!(
            keys,
            [("p1", "XX县", 3), ("p2", "X书记", 1), ("p3", "X", 1)]
        );
        let filled = fill("在XX县的讲话", &doc, &values(&[("p1", "安吉县")])).expect("filled");
        assert_eq!(filled.title, "在安吉县的讲话");
        assert_eq!(filled.paragraphs[0].text, "安吉县召开会议，X书记讲话。");
        assert_eq!(filled.paragraphs[1].heading, "（一）看X发展");
        assert_eq!(filled.paragraphs[1].text, "安吉县要发展。");
        assert!(fill("在XX县的讲话", &doc, &values(&[("p9", "无")])).is_none());

        let preview = preview(7, "在XX县的讲话", &doc, &values(&[("p2", " 张书记\u{0} ")]));
        assert_eq!(preview.filled, 1);
        assert_eq!(preview.fields[1].value, "张书记");
        assert_eq!(preview.fields[0].value, "");
    }
}
