//! Synonyms and abbreviations applied at query time: 两会 ↔ 全国人民代表大会和中国人民政治协商会议,
//! 十四五 ↔ 第十四个五年规划. A query term holding one side of a pair also matches with that side
//! replaced by the other (both ways), so 两会精神 finds 全国人民代表大会和中国人民政治协商会议精神.
//!
//! The list is the site's (edited at the desk, stored in the database); the index is not
//! touched, so an edit applies to the next query on every node that has reloaded the list.

use wenyuan_text::fold::fold;

/// Most alternatives one query term is given (a long list could otherwise blow a term up).
pub const MAX_ALTERNATIVES: usize = 4;

/// The pairs in force, folded (繁→简, width, case) as queries are.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Synonyms {
    pairs: Vec<(String, String)>,
}

/// One alternative of a query term: `from` (as found in the term, folded) read as `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub from: String,
    pub to: String,
    /// The term with `from` replaced by `to`.
    pub text: String,
}

impl Synonyms {
    /// Pairs as stored (either side may be typed); empty or identical sides are left out.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut out: Vec<(String, String)> = Vec::new();
        for (a, b) in pairs {
            let (a, b) = (fold(a.trim()), fold(b.trim()));
            if a.is_empty() || b.is_empty() || a == b || out.contains(&(a.clone(), b.clone())) {
                continue;
            }
            out.push((a, b));
        }
        Synonyms { pairs: out }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The alternatives of one query term: for each pair one side of which the (folded) term
    /// holds, the term with it replaced by the other side. The longer side is looked for first,
    /// so 第十四个五年规划纲要 is not also read through a shorter pair inside it.
    pub fn expand(&self, term: &str) -> Vec<Expansion> {
        let folded = fold(term);
        let mut out: Vec<Expansion> = Vec::new();
        for (a, b) in &self.pairs {
            let (long, short) = if a.chars().count() >= b.chars().count() {
                (a, b)
            } else {
                (b, a)
            };
            for (from, to) in [(long, short), (short, long)] {
                // A side inside the other (规划 / 第十四个五年规划) would match itself again.
                if !folded.contains(from.as_str())
                    || (from == short && folded.contains(long.as_str()))
                {
                    continue;
                }
                let text = folded.replace(from.as_str(), to);
                if text != folded && !out.iter().any(|e| e.text == text) {
                    out.push(Expansion {
                        from: from.clone(),
                        to: to.clone(),
                        text,
                    });
                }
                break;
            }
            if out.len() >= MAX_ALTERNATIVES {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_holding_either_side_gets_the_other() {
        let s = Synonyms::new([
            (
                "两会".to_owned(),
                "全国人民代表大会和中国人民政治协商会议".to_owned(),
            ),
            ("十四五".to_owned(), "第十四个五年规划".to_owned()),
            ("党建".to_owned(), "党的建设".to_owned()),
            (" ".to_owned(), "x".to_owned()),
        ]);
        let texts = |t: &str| -> Vec<String> { s.expand(t).into_iter().map(|e| e.text).collect() };
        assert_eq!(
            texts("两会精神"),
            ["全国人民代表大会和中国人民政治协商会议精神"]
        );
        assert_eq!(
            texts("兩會"),
            ["全国人民代表大会和中国人民政治协商会议"],
            "traditional"
        );
        assert_eq!(texts("第十四个五年规划纲要"), ["十四五纲要"]);
        assert_eq!(
            texts("十四五党建"),
            ["第十四个五年规划党建", "十四五党的建设"]
        );
        assert!(texts("乡村振兴").is_empty());
        let e = &s.expand("党的建设")[0];
        assert_eq!((e.from.as_str(), e.to.as_str()), ("党的建设", "党建"));
    }
}
