//! Calendar dates as 范文 pages and front matter write them.
//!
//! Accepted: `2020-11-04`, `2020/11/4`, `2020.11.04`, `2020年11月4日`, each optionally followed
//! by a time `HH:MM[:SS]` (handled by [`strip_time`]). Output is always `YYYY-MM-DD`.

use crate::chars::ascii_digit;

/// Parses a date at the start of `s`; returns the normalised `YYYY-MM-DD` and the rest of `s`.
/// The date must be a real calendar date (no 2月30日).
pub(crate) fn parse_date_prefix(s: &str) -> Option<(String, &str)> {
    let (year, rest) = take_digits(s, 4, 4)?;
    let mut chars = rest.chars();
    let sep = chars.next()?;
    let (month, day, rest) = match sep {
        '-' | '/' | '.' | '－' | '／' => {
            let (month, rest) = take_digits(&rest[sep.len_utf8()..], 1, 2)?;
            let rest = rest.strip_prefix(sep)?;
            let (day, rest) = take_digits(rest, 1, 2)?;
            (month, day, rest)
        }
        '年' => {
            let (month, rest) = take_digits(&rest[sep.len_utf8()..], 1, 2)?;
            let rest = rest.strip_prefix('月')?;
            let (day, rest) = take_digits(rest, 1, 2)?;
            let rest = rest
                .strip_prefix('日')
                .or_else(|| rest.strip_prefix('号'))?;
            (month, day, rest)
        }
        _ => return None,
    };
    // A digit right after the date means this was something else (e.g. `2020-11-045`).
    if rest.chars().next().and_then(ascii_digit).is_some() {
        return None;
    }
    if !is_real_date(year, month, day) {
        return None;
    }
    Some((format!("{year:04}-{month:02}-{day:02}"), rest))
}

/// Parses a whole string as a date (with an optional time after whitespace or `T`).
pub(crate) fn parse_date(s: &str) -> Option<String> {
    let (date, rest) = parse_date_prefix(s.trim())?;
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == 'T');
    let rest = strip_time(rest).unwrap_or(rest);
    rest.trim().is_empty().then_some(date)
}

/// Strips a time `H:MM` or `HH:MM:SS` (ASCII or full-width colon) from the start of `s`.
pub(crate) fn strip_time(s: &str) -> Option<&str> {
    let (hour, rest) = take_digits(s, 1, 2)?;
    let rest = strip_colon(rest)?;
    let (minute, mut rest) = take_digits(rest, 2, 2)?;
    if hour > 23 || minute > 59 {
        return None;
    }
    if let Some(after) = strip_colon(rest) {
        let (second, after) = take_digits(after, 2, 2)?;
        if second > 60 {
            return None;
        }
        rest = after;
    }
    Some(rest)
}

fn strip_colon(s: &str) -> Option<&str> {
    s.strip_prefix(':').or_else(|| s.strip_prefix('：'))
}

/// Reads between `min` and `max` (ASCII or full-width) digits; returns their value and the rest.
fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let mut value = 0u32;
    let mut count = 0;
    let mut end = 0;
    for c in s.chars() {
        let Some(d) = ascii_digit(c) else { break };
        if count == max {
            return None;
        }
        value = value * 10 + d;
        count += 1;
        end += c.len_utf8();
    }
    (count >= min).then(|| (value, &s[end..]))
}

fn is_real_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1000 && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_prefix_table() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("2020-11-04 246", Some(("2020-11-04", " 246"))),
            ("2020/11/4", Some(("2020-11-04", ""))),
            ("2020.11.04", Some(("2020-11-04", ""))),
            ("2020年11月4日 浏览", Some(("2020-11-04", " 浏览"))),
            ("２０２０－１１－０４", Some(("2020-11-04", ""))),
            ("2020-02-30", None),
            ("2019-02-29", None),
            ("2020-02-29", Some(("2020-02-29", ""))),
            ("2020-13-01", None),
            ("2020-11-045", None),
            ("2020-11/04", None),
            ("2020年接下来的有限工作时间内", None),
            ("20201104", None),
        ];
        for (input, want) in cases {
            let got = parse_date_prefix(input);
            let got = got.as_ref().map(|(d, r)| (d.as_str(), *r));
            assert_eq!(got, *want, "input {input:?}");
        }
    }

    #[test]
    fn whole_date_with_time() {
        assert_eq!(
            parse_date("2020-11-04 09:30").as_deref(),
            Some("2020-11-04")
        );
        assert_eq!(
            parse_date("2020-11-04T09:30:15").as_deref(),
            Some("2020-11-04")
        );
        assert_eq!(parse_date(" 2025-03-05 ").as_deref(), Some("2025-03-05"));
        assert_eq!(parse_date("2020-11-04 25:00"), None);
        assert_eq!(parse_date("2020-11-04 下午"), None);
        assert_eq!(parse_date("昨天"), None);
    }
}

/// The first date written out as `YYYY年M月D日` in `text` (e.g. in
/// `（2021年3月11日第十三届全国人民代表大会第四次会议通过）`), normalised to `YYYY-MM-DD`.
pub fn find_date(text: &str) -> Option<String> {
    text.char_indices()
        .filter(|(i, c)| {
            c.is_ascii_digit()
                && !text[..*i]
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_ascii_digit())
        })
        .find_map(|(i, _)| {
            let candidate = &text[i..];
            // Only the 年月日 form: a bare 2020.11 in running text is too often something else.
            candidate
                .get(4..)
                .is_some_and(|rest| rest.starts_with('年'))
                .then(|| parse_date_prefix(candidate).map(|(date, _)| date))
                .flatten()
        })
}

#[cfg(test)]
mod find_date_tests {
    use super::find_date;

    #[test]
    fn dates_written_in_running_text_are_found() {
        assert_eq!(
            find_date("（2021年3月11日第十三届全国人民代表大会第四次会议通过）").as_deref(),
            Some("2021-03-11")
        );
        assert_eq!(
            find_date("——1987年10月25日在中国共产党第十三次全国代表大会上的报告").as_deref(),
            Some("1987-10-25")
        );
        assert_eq!(find_date("12020年1月1日").as_deref(), None, "not a year");
        assert_eq!(find_date("2020年底前完成").as_deref(), None);
        assert_eq!(find_date("没有日期").as_deref(), None);
    }
}

/// Parses a date written in Chinese numerals at the start of `s` (`二〇二四年十二月二十日`, with
/// 〇, 零 or ○ for zero); returns `YYYY-MM-DD` and the rest.
pub(crate) fn parse_chinese_date_prefix(s: &str) -> Option<(String, &str)> {
    let digit = |c: char| match c {
        '〇' | '零' | '○' | 'Ｏ' | 'O' | '0' | '０' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    let (year_part, rest) = s.split_once('年')?;
    if year_part.chars().count() != 4 {
        return None;
    }
    let year = year_part
        .chars()
        .try_fold(0u32, |acc, c| digit(c).map(|d| acc * 10 + d))?;
    let (month_part, rest) = rest.split_once('月')?;
    let month = chinese_small_number(month_part)?;
    let end = rest.find(['日', '号'])?;
    let day = chinese_small_number(&rest[..end])?;
    let rest = &rest[end + '日'.len_utf8()..];
    is_real_date(year, month, day).then(|| (format!("{year:04}-{month:02}-{day:02}"), rest))
}

/// 一 … 三十一 (also 十, 廿, 卅 forms): the month and day numbers of a Chinese date.
fn chinese_small_number(s: &str) -> Option<u32> {
    let unit = |c: char| {
        "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32 + 1)
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => unit(*a),
        ['十', b] => Some(10 + unit(*b)?),
        ['廿', b] => Some(20 + unit(*b)?),
        ['卅', b] => Some(30 + unit(*b)?),
        [a, '十'] => Some(unit(*a)? * 10),
        [a, '十', b] => Some(unit(*a)? * 10 + unit(*b)?),
        _ => None,
    }
}

/// A date in Arabic (half- or full-width) or Chinese numerals at the start of `s`.
fn any_date_prefix(s: &str) -> Option<(String, &str)> {
    let (date, rest) = parse_date_prefix(s).or_else(|| parse_chinese_date_prefix(s))?;
    Some((date, rest))
}

/// How long a line holding a date may be: longer ones are prose that mentions a date.
const DATE_LINE_MAX_CHARS: usize = 60;

/// The date of a line that gives a document's date under its title:
/// `（2022年10月16日）`, `——2024年3月5日在第十四届全国人民代表大会第二次会议上`,
/// `（2023年3月13日第十四届全国人民代表大会第一次会议通过）`, `二〇二四年十二月二十日`.
/// A sentence that starts with a date (`2020年11月4日，我们召开…`) is not one.
pub fn date_line(line: &str) -> Option<String> {
    let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}');
    if line.chars().count() > DATE_LINE_MAX_CHARS {
        return None;
    }
    let bracketed = line.starts_with(['（', '(']);
    let dashed = line.starts_with(['—', '－', '-']);
    let inner = line.trim_start_matches(['（', '(', '—', '－', '-', ' ', '\u{3000}']);
    let (date, rest) = any_date_prefix(inner)?;
    let rest = rest.trim_end_matches(|c: char| c.is_whitespace() || c == '）' || c == ')');
    let rest = rest.trim_start();
    let accepted = rest.is_empty()
        || (bracketed && line.ends_with(['）', ')']))
        || dashed
        || (rest.starts_with('在')
            && ["上", "上的讲话", "上的报告", "上的发言", "上的致辞"]
                .iter()
                .any(|end| rest.ends_with(end)));
    accepted.then_some(date)
}

/// The date of a 落款 line: a line that is a date, or a short line that ends with one after the
/// signing unit (`XX县应急管理局　2024年12月20日`).
pub fn signature_date(line: &str) -> Option<String> {
    let line = line.trim();
    if let Some(date) = date_line(line) {
        return Some(date);
    }
    if line.chars().count() > 40 {
        return None;
    }
    // The date starts after the last blank.
    let (_, tail) = line.rsplit_once(|c: char| c.is_whitespace())?;
    let (date, rest) = any_date_prefix(tail)?;
    rest.is_empty().then_some(date)
}

/// How many paragraphs at the start hold the title block (title, date line, speaker).
const HEAD_PARAGRAPHS: usize = 8;
/// How many paragraphs at the end hold the 落款.
const TAIL_PARAGRAPHS: usize = 4;

/// The date a document's own text gives: a date line under the title (among the first few
/// paragraphs), else the date of the 落款 (among the last few). Running text that mentions a date
/// does not count.
pub fn text_date(paragraphs: &[String]) -> Option<String> {
    paragraphs
        .iter()
        .take(HEAD_PARAGRAPHS)
        .find_map(|p| date_line(p))
        .or_else(|| {
            paragraphs
                .iter()
                .rev()
                .take(TAIL_PARAGRAPHS)
                .find_map(|p| signature_date(p))
        })
}

#[cfg(test)]
mod text_date_tests {
    use super::*;

    #[test]
    fn date_lines_of_the_corpus() {
        let cases: &[(&str, Option<&str>)] = &[
            ("（2022年10月16日）", Some("2022-10-16")),
            ("（2017年10月18日）", Some("2017-10-18")),
            (
                "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
                Some("2024-03-05"),
            ),
            (
                "（2023年3月13日第十四届全国人民代表大会第一次会议通过）",
                Some("2023-03-13"),
            ),
            (
                "1957年6月26日在第一届全国人民代表大会第四次会議上",
                Some("1957-06-26"),
            ),
            ("2024年12月20日", Some("2024-12-20")),
            ("二〇二四年十二月二十日", Some("2024-12-20")),
            ("二零二四年十二月二十日", Some("2024-12-20")),
            ("一九八二年九月一日", Some("1982-09-01")),
            ("二〇二四年二月三十日", None),
            ("2020年11月4日，我们召开了全区读书会。", None),
            ("同志们记得，毛主席在一九六九年四月一日九大开幕的时候", None),
            ("一、2024年工作回顾", None),
            ("政府工作报告", None),
        ];
        for (line, want) in cases {
            assert_eq!(date_line(line).as_deref(), *want, "line {line:?}");
        }
    }

    #[test]
    fn signature_dates() {
        assert_eq!(
            signature_date("XX县应急管理局　2024年12月20日").as_deref(),
            Some("2024-12-20")
        );
        assert_eq!(
            signature_date("二〇二四年十二月二十日").as_deref(),
            Some("2024-12-20")
        );
        assert_eq!(signature_date("全面完成了2024年12月20日的任务"), None);
    }

    #[test]
    fn text_date_prefers_the_head_and_ignores_running_text() {
        let paragraphs = |lines: &[&str]| lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
        let report = paragraphs(&[
            "高举中国特色社会主义伟大旗帜 为全面建设社会主义现代化国家而团结奋斗",
            "——在中国共产党第二十次全国代表大会上的报告",
            "（2022年10月16日）",
            "习　近　平",
            "同志们：",
            "现在，我代表第十九届中央委员会向大会作报告。",
        ]);
        assert_eq!(text_date(&report).as_deref(), Some("2022-10-16"));
        let summary = paragraphs(&[
            "今年以来，在县委、县政府的正确领导下，我局全面落实安全生产责任制。",
            "一、主要工作",
            "XX县应急管理局",
            "2024年12月20日",
        ]);
        assert_eq!(text_date(&summary).as_deref(), Some("2024-12-20"));
        let speech = paragraphs(&[
            "同志们：",
            "自从一九七六年十月粉碎江青反革命集团以来，1978年12月18日召开的三中全会……",
            "本作品来自1949年10月1日（含）之后的中国共产党的文件。",
        ]);
        assert_eq!(text_date(&speech), None);
    }
}
