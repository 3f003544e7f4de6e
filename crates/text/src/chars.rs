//! Small character helpers shared by the parsers.

/// Characters we trim from paragraph edges. `char::is_whitespace` already covers the
/// full-width space U+3000 and NBSP U+00A0, which 范文 sites use for indentation; the
/// zero-width ones are not Unicode whitespace but are just as invisible in saved pages.
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}')
}

/// Trims [`is_blank`] characters from both ends.
pub(crate) fn trim_blank(s: &str) -> &str {
    s.trim_matches(is_blank)
}

/// East-Asian "wide" text: CJK ideographs, kana, hangul, CJK punctuation and full-width
/// forms. Soft-wrapped lines of such text are joined without a space.
pub(crate) fn is_wide(c: char) -> bool {
    let u = c as u32;
    (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7AF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFFEF).contains(&u)
        || (0x20000..=0x3FFFF).contains(&u)
}

/// Maps full-width ASCII digits to ASCII ones, leaving everything else alone.
pub(crate) fn ascii_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_full_width_space_and_nbsp() {
        assert_eq!(trim_blank("\u{3000}\u{3000}正文\u{a0} "), "正文");
        assert_eq!(trim_blank("\u{feff}标题"), "标题");
        assert_eq!(trim_blank(" \u{3000} "), "");
    }

    #[test]
    fn wide_chars() {
        assert!(is_wide('讲'));
        assert!(is_wide('，'));
        assert!(is_wide('。'));
        assert!(!is_wide('a'));
        assert!(!is_wide(','));
    }
}
