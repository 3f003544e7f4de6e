//! Two texts side by side with their differences marked, for the editor who decides whether two
//! near-duplicates are one document (the duplicates view).
//!
//! Paragraphs found in both texts are unmarked. The paragraphs only one text has are paired up
//! in order (the k-th changed paragraph of one with the k-th of the other); in each pair the
//! common beginning and end stay unmarked and the middle is marked, which shows a changed year
//! or figure (7416.7万 / 7531.8万) as just that. A paragraph without a partner is marked whole.

use std::collections::HashSet;

use serde::Serialize;

/// A run of a paragraph, marked when it differs from the other text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub text: String,
    pub changed: bool,
}

/// One paragraph as pieces.
pub type MarkedParagraph = Vec<Piece>;

/// Both texts' paragraphs, marked.
pub fn compare(a: &[&str], b: &[&str]) -> (Vec<MarkedParagraph>, Vec<MarkedParagraph>) {
    let in_a: HashSet<&str> = a.iter().copied().collect();
    let in_b: HashSet<&str> = b.iter().copied().collect();
    let only_a: Vec<usize> = (0..a.len()).filter(|i| !in_b.contains(a[*i])).collect();
    let only_b: Vec<usize> = (0..b.len()).filter(|i| !in_a.contains(b[*i])).collect();
    let mut marked_a: Vec<MarkedParagraph> = a.iter().map(|p| unchanged(p)).collect();
    let mut marked_b: Vec<MarkedParagraph> = b.iter().map(|p| unchanged(p)).collect();
    for k in 0..only_a.len().max(only_b.len()) {
        match (only_a.get(k), only_b.get(k)) {
            (Some(&i), Some(&j)) => {
                let (x, y) = mark_middle(a[i], b[j]);
                marked_a[i] = x;
                marked_b[j] = y;
            }
            (Some(&i), None) => marked_a[i] = whole(a[i]),
            (None, Some(&j)) => marked_b[j] = whole(b[j]),
            (None, None) => {}
        }
    }
    (marked_a, marked_b)
}

fn unchanged(text: &str) -> MarkedParagraph {
    vec![Piece {
        text: text.to_owned(),
        changed: false,
    }]
}

fn whole(text: &str) -> MarkedParagraph {
    vec![Piece {
        text: text.to_owned(),
        changed: true,
    }]
}

/// Common prefix and suffix unmarked, the rest of each marked.
fn mark_middle(a: &str, b: &str) -> (MarkedParagraph, MarkedParagraph) {
    let ac: Vec<char> = a.chars().collect();
    let bc: Vec<char> = b.chars().collect();
    let prefix = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let max_suffix = ac.len().min(bc.len()) - prefix;
    let suffix = ac
        .iter()
        .rev()
        .zip(bc.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let split = |cs: &[char]| -> MarkedParagraph {
        let parts = [
            (&cs[..prefix], false),
            (&cs[prefix..cs.len() - suffix], true),
            (&cs[cs.len() - suffix..], false),
        ];
        parts
            .into_iter()
            .filter(|(part, _)| !part.is_empty())
            .map(|(part, changed)| Piece {
                text: part.iter().collect(),
                changed,
            })
            .collect()
    };
    (split(&ac), split(&bc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(p: &MarkedParagraph) -> String {
        p.iter()
            .map(|piece| match piece.changed {
                true => format!("[{}]", piece.text),
                false => piece.text.clone(),
            })
            .collect()
    }

    #[test]
    fn a_changed_figure_is_marked_alone() {
        let a = ["全国党员总数为7416.7万名。", "同比增加。", "只在甲里。"];
        let b = ["全国党员总数为7531.8万名。", "同比增加。"];
        let (x, y) = compare(&a, &b);
        let x: Vec<String> = x.iter().map(render).collect();
        let y: Vec<String> = y.iter().map(render).collect();
        assert_eq!(
            x,
            ["全国党员总数为7[416.7]万名。", "同比增加。", "[只在甲里。]"]
        );
        assert_eq!(y, ["全国党员总数为7[531.8]万名。", "同比增加。"]);
    }
}
