//! Is decoded text plausible Chinese (or plain Latin) text, or mojibake?
//!
//! Any byte string "decodes" as GB18030 into *something*, so a successful decode proves nothing.
//! Mojibake has a signature: Shift-JIS, Latin-1 or random bytes read as GB18030 land mostly on
//! the rare ideographs of the GBK extension rows (and on U+FFFD where a byte pair is invalid),
//! while real Chinese text, simplified or traditional, is nearly all common characters. We call
//! an ideograph *common* when it is in GB2312 (the 6,763 characters that cover well over 99.9 %
//! of modern simplified text) or in Big5's level 1 (the 5,401 frequent traditional ones); the
//! sets come from the encoding tables themselves, so no list is kept in the source.

use std::collections::HashSet;
use std::sync::OnceLock;

use encoding_rs::{Encoding, BIG5, GB18030};

/// Above this share of rare ideographs among all ideographs the text is mojibake. Real
/// documents stay under 1 % (classical quotations, names); GB18030 misreadings of Shift-JIS or
/// Latin-1 bytes are 60–100 % rare.
const MAX_RARE_SHARE: f64 = 0.2;
/// A handful of rare characters (a name, an old place name) never refuses a short text.
const MIN_RARE: usize = 3;
/// Above this share of replacement, private-use or control characters among the visible ones
/// the bytes were not in the encoding they were read in.
const MAX_BROKEN_SHARE: f64 = 0.02;
const MIN_BROKEN: usize = 2;

/// What the plausibility test counted; see [`Census::plausible`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Census {
    /// Characters that are not whitespace.
    pub visible: usize,
    pub ideographs: usize,
    /// Ideographs outside GB2312 and Big5 level 1.
    pub rare: usize,
    /// U+FFFD, private-use characters and controls other than tab and form feed.
    pub broken: usize,
}

impl Census {
    pub(crate) fn of(text: &str) -> Self {
        let common = common_ideographs();
        let mut census = Census::default();
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            census.visible += 1;
            if is_ideograph(c) {
                census.ideographs += 1;
                if !common.contains(&c) {
                    census.rare += 1;
                }
            } else if is_broken(c) {
                census.broken += 1;
            }
        }
        census
    }

    /// False for mojibake: too many replacement characters, or too many rare ideographs.
    pub(crate) fn plausible(&self) -> bool {
        let too_broken = self.broken >= MIN_BROKEN
            && self.broken as f64 > MAX_BROKEN_SHARE * self.visible as f64;
        let too_rare =
            self.rare >= MIN_RARE && self.rare as f64 > MAX_RARE_SHARE * self.ideographs as f64;
        !too_broken && !too_rare
    }
}

/// CJK unified ideographs, their extensions and the compatibility block.
fn is_ideograph(c: char) -> bool {
    let u = c as u32;
    (0x3400..=0x4DBF).contains(&u)
        || (0x4E00..=0x9FFF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0x20000..=0x3FFFF).contains(&u)
}

fn is_broken(c: char) -> bool {
    let u = c as u32;
    c == '\u{fffd}'
        || (c.is_control() && !matches!(c, '\t' | '\u{c}'))
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF0000
}

/// GB2312 (rows 0xB0–0xF7) and Big5 level 1 (0xA440–0xC67E), decoded from the encoders'
/// own tables once.
fn common_ideographs() -> &'static HashSet<char> {
    static COMMON: OnceLock<HashSet<char>> = OnceLock::new();
    COMMON.get_or_init(|| {
        let mut set = HashSet::with_capacity(12_500);
        let mut add = |encoding: &'static Encoding, lead: u8, trail: u8| {
            let pair = [lead, trail];
            if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(&pair)
            {
                set.extend(text.chars().filter(|c| is_ideograph(*c)));
            }
        };
        for lead in 0xB0..=0xF7u8 {
            for trail in 0xA1..=0xFEu8 {
                add(GB18030, lead, trail);
            }
        }
        for lead in 0xA4..=0xC6u8 {
            for trail in (0x40..=0x7Eu8).chain(0xA1..=0xFE) {
                add(BIG5, lead, trail);
            }
        }
        set
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_sets_have_the_sizes_of_the_standards() {
        let common = common_ideographs();
        // 6,763 GB2312 + 5,401 Big5 level 1, sharing the characters both scripts write alike
        // (8,841 in all).
        assert!(
            common.len() > 8_000 && common.len() <= 12_164,
            "{}",
            common.len()
        );
        for c in ['的', '國', '讲', '話', '鹦', '龜'] {
            assert!(common.contains(&c), "{c}");
        }
        assert!(!common.contains(&'倿'), "a GBK extension character");
    }

    #[test]
    fn real_sentences_are_plausible() {
        for text in [
            "这次读书会是在全区上下深入学习贯彻党的全会精神的大背景下召开的。",
            "這次讀書會是在全區上下深入學習貫徹黨的全會精神，衝刺全年工作、謀劃明年思路的大背景下召開的。",
            "Annual report 2024: revenue grew by 12 %.",
            "（一）坚持以习近平新时代中国特色社会主义思想为指导，贯彻落实党的二十大精神。",
        ] {
            assert!(Census::of(text).plausible(), "{text}: {:?}", Census::of(text));
        }
    }

    #[test]
    fn mojibake_is_not() {
        let japanese = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(japanese);
        let (as_gbk, _) = GB18030.decode_without_bom_handling(&sjis);
        let census = Census::of(&as_gbk);
        assert!(!census.plausible(), "{as_gbk}: {census:?}");

        let (latin1, _, _) = encoding_rs::WINDOWS_1252
            .encode("Le café est très bon. L’été dernier, nous étions à Paris, près de la Seine.");
        let (as_gbk, _) = GB18030.decode_without_bom_handling(&latin1);
        let census = Census::of(&as_gbk);
        assert!(!census.plausible(), "{as_gbk}: {census:?}");
    }
}
