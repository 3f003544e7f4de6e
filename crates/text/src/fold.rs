//! Folding text for search: full-width → half-width, ideographic space → space, ASCII lowercase,
//! traditional → simplified (繁→简). Every step maps one character to one character, so a
//! position in the folded text is the same position in the original — which is what lets search
//! highlight the original text.

/// Fold `text` for matching. The result has exactly as many characters as the input.
pub fn fold(text: &str) -> String {
    let narrowed: String = text.chars().map(fold_width_and_case).collect();
    // fast2s converts character by character (with a little context), never changing the count.
    let simplified = fast2s::convert(&narrowed);
    debug_assert_eq!(simplified.chars().count(), narrowed.chars().count());
    simplified
}

fn fold_width_and_case(c: char) -> char {
    let c = match c {
        // Full-width ASCII variants (！ to ～) sit at a fixed offset from ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_keeps_length_and_simplifies() {
        for (input, expected) in [
            ("讀書會", "读书会"),
            ("在2020年區委讀書會上的講話", "在2020年区委读书会上的讲话"),
            ("ＡＢＣ１２３，", "abc123,"),
            ("高質量發展", "高质量发展"),
            ("营商　环境", "营商 环境"),
            ("COVID-19", "covid-19"),
        ] {
            let folded = fold(input);
            assert_eq!(folded, expected);
            assert_eq!(folded.chars().count(), input.chars().count());
        }
    }
}
