//! Folding text for search: full-width → half-width, ideographic space → space, ASCII lowercase,
//! traditional → simplified (繁→简). Every step maps one character to one character, so a
//! position in the folded text is the same position in the original — which is what lets search
//! highlight the original text.
//!
//! fast2s leaves some traditional forms and variants (異體字) as they are: 咊 (和), 㕥 (以),
//! 旹 (时), 峯 (峰) … Those are folded by character_converter's traditional → simplified table,
//! taken character by character (never phrases, which could change the length), for the
//! characters fast2s does not change.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Fold `text` for matching. The result has exactly as many characters as the input.
pub fn fold(text: &str) -> String {
    let narrowed: String = text.chars().map(fold_width_and_case).collect();
    // fast2s converts character by character (with a little context), never changing the count.
    let simplified = fast2s::convert(&narrowed);
    debug_assert_eq!(simplified.chars().count(), narrowed.chars().count());
    let variants = variants();
    if simplified.chars().any(|c| variants.contains_key(&c)) {
        simplified
            .chars()
            .map(|c| variants.get(&c).copied().unwrap_or(c))
            .collect()
    } else {
        simplified
    }
}

/// The code points of the Han blocks.
fn han_code_points() -> impl Iterator<Item = u32> {
    [
        0x3400..=0x4DBF,
        0x4E00..=0x9FFF,
        0xF900..=0xFAFF,
        0x20000..=0x2FA1F,
    ]
    .into_iter()
    .flatten()
}

/// Han characters fast2s keeps but character_converter simplifies to one other character (made
/// once per process: one look-up per code point of the Han blocks).
/// Looked up for every character folded: foldhash, not SipHash.
type VariantTable = HashMap<char, char, foldhash::fast::FixedState>;

fn variants() -> &'static VariantTable {
    static VARIANTS: OnceLock<VariantTable> = OnceLock::new();
    VARIANTS.get_or_init(|| {
        let mut table = VariantTable::default();
        let mut buffer = [0u8; 4];
        for c in han_code_points().filter_map(char::from_u32) {
            let text: &str = c.encode_utf8(&mut buffer);
            if fast2s::convert(text) != text {
                continue;
            }
            let converted = character_converter::traditional_to_simplified(text);
            let mut chars = converted.chars();
            if let (Some(simple), None) = (chars.next(), chars.next()) {
                // The result through fast2s too: a variant may map to a traditional form.
                let simple = fast2s::convert(&simple.to_string())
                    .chars()
                    .next()
                    .unwrap_or(simple);
                if simple != c {
                    table.insert(c, simple);
                }
            }
        }
        // Variants the table only writes (its simplified → traditional side picks 㕥 for 以):
        // read back to the character they were written for.
        for c in han_code_points().filter_map(char::from_u32) {
            let text: &str = c.encode_utf8(&mut buffer);
            let converted = character_converter::simplified_to_traditional(text);
            let mut chars = converted.chars();
            if let (Some(variant), None) = (chars.next(), chars.next()) {
                let unchanged = fast2s::convert(&variant.to_string()) == variant.to_string();
                if variant != c && unchanged && !table.contains_key(&variant) {
                    table.insert(variant, table.get(&c).copied().unwrap_or(c));
                }
            }
        }
        table
    })
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
            ("咊㕥旹峯", "和以时峰"),
        ] {
            let folded = fold(input);
            assert_eq!(folded, expected);
            assert_eq!(folded.chars().count(), input.chars().count());
        }
    }
}
