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
