//! Content hash for exact-duplicate detection.
//!
//! Two copies of a document saved in different encodings, with different line ends,
//! indentation (full-width spaces) or half/full-width punctuation must hash the same, so we
//! hash a normalised form: NFKC, all whitespace removed, lowercase. The hash is FNV-1a 128,
//! written out here because it must stay stable across Rust versions and platforms (std's
//! `DefaultHasher` makes no such promise) and the hashes are stored in the database.

use unicode_normalization::UnicodeNormalization;

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

    fn write_normalised(&mut self, text: &str) {
        let mut buf = [0u8; 4];
        for c in text
            .nfkc()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
        {
            self.write(c.encode_utf8(&mut buf).as_bytes());
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
