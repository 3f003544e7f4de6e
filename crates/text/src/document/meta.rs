//! The `date views` line under the title of a saved 范文 page.

use crate::chars::ascii_digit;
use crate::date::{parse_date_prefix, strip_time};

/// Date and views read from a meta line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meta {
    pub date: String,
    pub views: Option<i64>,
}

/// Labels that may stand before the date.
const DATE_LABELS: &[&str] = &[
    "发布时间",
    "发布日期",
    "发表时间",
    "发表日期",
    "更新时间",
    "更新日期",
    "日期",
    "时间",
];

/// Labels that introduce a view count.
const VIEW_LABELS: &[&str] = &[
    "阅读次数",
    "浏览次数",
    "点击次数",
    "阅读量",
    "浏览量",
    "点击量",
    "阅读",
    "浏览",
    "点击",
    "人气",
];

/// Other `label：value` fields that may share the line and are ignored.
const OTHER_LABELS: &[&str] = &["来源", "作者", "编辑", "责任编辑", "栏目", "分类", "字数"];

/// Parses lines such as `2020-11-04 246`, `2020-11-04 09:30`, `2020年11月4日`,
/// `发布时间：2020-11-04 浏览：246次`. The whole line must be understood, so a body sentence
/// that starts with a date is not mistaken for it.
pub(crate) fn parse_meta_line(line: &str) -> Option<Meta> {
    let line = fold_colons(line);
    let mut rest = line.trim();
    for label in DATE_LABELS {
        if let Some(after) = rest.strip_prefix(label).and_then(|r| r.strip_prefix(':')) {
            rest = after;
            break;
        }
    }
    let (date, after) = parse_date_prefix(rest)?;
    let mut rest = after.trim_start();
    if let Some(after) = strip_time(rest) {
        rest = after;
    }
    let mut views = None;
    for token in rest.split_whitespace() {
        let value = match token.split_once(':') {
            Some((label, value)) if VIEW_LABELS.contains(&label) => value,
            Some((label, _)) if OTHER_LABELS.contains(&label) => continue,
            Some(_) => return None,
            None => token,
        };
        let count = parse_count(value)?;
        if views.replace(count).is_some() {
            return None;
        }
    }
    Some(Meta { date, views })
}

/// `246`, `246次`, `(246)`: a non-negative count.
fn parse_count(s: &str) -> Option<i64> {
    let s = s.strip_suffix('次').unwrap_or(s);
    let s = s
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(s);
    if s.is_empty() {
        return None;
    }
    s.chars().try_fold(0i64, |acc, c| {
        let d = ascii_digit(c)?;
        acc.checked_mul(10)?.checked_add(i64::from(d))
    })
}

/// Full-width `：（）` become ASCII, and spaces after a colon go, so `浏览： 246` is one token.
fn fold_colons(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut after_colon = false;
    for c in line.chars() {
        let c = match c {
            '：' => ':',
            '（' => '(',
            '）' => ')',
            c => c,
        };
        if after_colon && c.is_whitespace() {
            continue;
        }
        after_colon = c == ':';
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, expected (date, views)).
    type Case = (&'static str, Option<(&'static str, Option<i64>)>);

    #[test]
    fn meta_lines_table() {
        let cases: &[Case] = &[
            ("2020-11-04 246", Some(("2020-11-04", Some(246)))),
            ("2020-11-04", Some(("2020-11-04", None))),
            ("2020-11-04 09:30 246", Some(("2020-11-04", Some(246)))),
            ("2020-11-04 09:30:15", Some(("2020-11-04", None))),
            ("2020/11/04", Some(("2020-11-04", None))),
            ("2020年11月4日", Some(("2020-11-04", None))),
            (
                "发布时间：2020-11-04 浏览：246",
                Some(("2020-11-04", Some(246))),
            ),
            (
                "发布时间: 2020-11-04  阅读次数： 246次",
                Some(("2020-11-04", Some(246))),
            ),
            ("日期：2020-11-04 来源：区委办 点击：1,2", None),
            (
                "日期：2020-11-04 来源：区委办 点击：12",
                Some(("2020-11-04", Some(12))),
            ),
            ("2020-11-04 (246)", Some(("2020-11-04", Some(246)))),
            ("2020-02-30 246", None),
            ("2020-11-04 246 13", None),
            ("2020-11-04 下午，区委召开读书会。", None),
            ("2020年接下来的有限工作时间内", None),
            ("这次读书会是在全区上下深入学习贯彻党的XX全会精神", None),
        ];
        for (line, want) in cases {
            let got = parse_meta_line(line);
            let got = got.as_ref().map(|m| (m.date.as_str(), m.views));
            assert_eq!(got, *want, "{line:?}");
        }
    }
}
