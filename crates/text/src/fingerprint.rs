//! Content hash for exact-duplicate detection.
//!
//! Two copies of a document saved in different encodings, with different line ends,
//! indentation (full-width spaces) or half/full-width punctuation must hash the same, so we
//! hash a normalised form: NFKC, all whitespace removed, lowercase. The hash is FNV-1a 128,
//! written out here because it must stay stable across Rust versions and platforms (std's
//! `DefaultHasher` makes no such promise) and the hashes are stored in the database.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

const FNV128_OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
const FNV128_PRIME: u128 = 0x0000000001000000000000000000013B;

/// Separates title from body in the hashed bytes; 0xFF never occurs in UTF-8, so a title
/// cannot run into the body (`"ab" + "c"` ≠ `"a" + "bc"`).
const TITLE_SEPARATOR: u8 = 0xFF;

/// 32 lowercase hex characters identifying the normalised title and body.
pub fn content_hash(title: &str, paragraphs: &[impl AsRef<str>]) -> String {
    let mut hasher = Fnv128::new();
    hasher.write_normalised(title);
    hasher.write(&[TITLE_SEPARATOR]);
    for paragraph in paragraphs {
        hasher.write_normalised(paragraph.as_ref());
    }
    format!("{:032x}", hasher.0)
}

struct Fnv128(u128);

/// Characters that are their own lowercase without a table look-up: CJK punctuation, kana and
/// the Han blocks up to U+9FFF (no cased letter lives there; a test checks every one), and
/// ASCII other than capitals.
fn has_no_case(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9FFF}') || (c.is_ascii() && !c.is_ascii_uppercase())
}

impl Fnv128 {
    fn new() -> Self {
        Self(FNV128_OFFSET)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u128::from(*byte);
            self.0 = self.0.wrapping_mul(FNV128_PRIME);
        }
    }

    /// NFKC, whitespace dropped, lowercase. Most text is in NFKC already, and most of it is
    /// Han: both are checked cheaply first (the hash is the same as with the full steps, which
    /// took a tenth of an import's CPU).
    fn write_normalised(&mut self, text: &str) {
        if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            self.write_lowercase(text.chars());
        } else {
            self.write_lowercase(text.nfkc());
        }
    }

    fn write_lowercase(&mut self, chars: impl Iterator<Item = char>) {
        let mut buf = [0u8; 4];
        for c in chars.filter(|c| !c.is_whitespace()) {
            if has_no_case(c) {
                self.write(c.encode_utf8(&mut buf).as_bytes());
            } else {
                for lower in c.to_lowercase() {
                    self.write(lower.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fnv(bytes: &[u8]) -> String {
        let mut h = Fnv128::new();
        h.write(bytes);
        format!("{:032x}", h.0)
    }

    #[test]
    fn fnv1a_128_reference_values() {
        // Published FNV-1a 128 test vectors.
        assert_eq!(fnv(b""), "6c62272e07bb014262b821756295c58d");
        assert_eq!(fnv(b"a"), "d228cb696f1a8caf78912b704e4a8964");
    }

    #[test]
    fn characters_said_to_have_no_case_are_their_own_lowercase() {
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| has_no_case(*c))
        {
            assert!(c.to_lowercase().eq(std::iter::once(c)), "{c:?}");
        }
    }

    #[test]
    fn text_not_in_nfkc_hashes_as_its_nfkc_form() {
        // Full-width capitals, a ligature, a squared word: not NFKC as written.
        let (written, normal) = ("ＡＢＣ ﬁ ㍿", "abc fi 株式会社");
        assert_eq!(
            content_hash(written, &[written]),
            content_hash(normal, &[normal])
        );
    }

    #[test]
    fn stable_value() {
        // Stored in databases: this value must never change.
        assert_eq!(
            content_hash("标题", &["正文"]),
            "650d48738a79898238046178c9028005"
        );
        assert_eq!(
            content_hash("标题", &["正文"]),
            content_hash(" 标题 ", &["正\u{3000}文"])
        );
        assert_eq!(content_hash("标题", &["正文"]).len(), 32);
    }

    #[test]
    fn normalisation_table() {
        let base = content_hash(
            "在2020年区委读书会上的讲话",
            &["(一)学先进,看X发展更需努力。"],
        );
        let same = [
            content_hash(
                "在２０２０年区委读书会上的讲话",
                &["（一）学先进，看x发展更需努力。"],
            ),
            content_hash(
                " 在2020年区委读书会上的讲话\n",
                &["\u{3000}\u{3000}(一)学先进,", "看X发展更需努力。"],
            ),
        ];
        for other in same {
            assert_eq!(other, base);
        }
        let different = [
            content_hash(
                "在2021年区委读书会上的讲话",
                &["(一)学先进,看X发展更需努力。"],
            ),
            content_hash(
                "在2020年区委读书会上的讲话",
                &["(二)学先进,看X发展更需努力。"],
            ),
            content_hash(
                "在2020年区委读书会上的讲话(一)",
                &["学先进,看X发展更需努力。"],
            ),
        ];
        for other in different {
            assert_ne!(other, base);
        }
    }
}
