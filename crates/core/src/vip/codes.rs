//! Redeem codes (卡密): making them, reading them back as typed, and the hash they are stored as.
//!
//! A code is 16 characters from a 32-character alphabet without the look-alikes 0/O and 1/I,
//! drawn from the operating system's CSPRNG: 80 bits, shown in groups of four
//! (`ABCD-EFGH-JKLM-NPQR`). Only a SHA-256 of the normalised code is stored. A plain fast hash is
//! enough here, unlike passwords: a slow, salted hash protects guessable secrets, while 2^80
//! codes cannot be searched from a leaked hash at any speed — and an unsalted hash is what lets
//! a redeem find its code by an indexed lookup.

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The characters of a code: digits and capitals without 0, O, 1 and I.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a code (5 bits each: 80 bits).
pub const CODE_CHARS: usize = 16;
/// Characters per group when a code is shown.
const GROUP: usize = 4;

/// A new random code, grouped for reading: `XXXX-XXXX-XXXX-XXXX`.
pub fn new_code() -> String {
    let mut bytes = [0u8; CODE_CHARS];
    OsRng.fill_bytes(&mut bytes);
    // 256 is a multiple of 32, so taking each byte modulo 32 favours no character.
    let plain: Vec<u8> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()])
        .collect();
    plain
        .chunks(GROUP)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as a member may type or paste it — any case, with spaces or dashes (ASCII or
/// Chinese-keyboard ones), fullwidth characters — as the 16 characters it stands for, or
/// `None` when it cannot be a code.
pub fn normalize(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in typed.chars() {
        // Fullwidth ASCII (Ａ, ８, －) as typed with a Chinese input method in full-width mode.
        let c = match u32::from(c) {
            0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() || is_dash(c) {
            continue;
        }
        let c = c.to_ascii_uppercase();
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
        if out.len() > CODE_CHARS {
            return None;
        }
    }
    (out.len() == CODE_CHARS).then_some(out)
}

/// Dashes and hyphens a code may be typed with.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '_' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF70}'
    )
}

/// What is stored of a normalised code.
pub fn code_hash(normalized: &str) -> String {
    hex::encode(Sha256::digest(
        format!("wenyuan-vip:{normalized}").as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn new_codes_are_grouped_unambiguous_and_different() {
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let code = new_code();
            assert_eq!(code.len(), 19, "{code}");
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), 4);
            assert!(groups.iter().all(|g| g.len() == 4));
            assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
            assert_eq!(normalize(&code).map(|n| n.len()), Some(CODE_CHARS));
            assert!(seen.insert(code), "a repeated code");
        }
        // Every character of the alphabet turns up: the draw covers it all.
        let all: HashSet<char> = seen.iter().flat_map(|c| c.chars()).collect();
        assert_eq!(all.len(), ALPHABET.len() + 1, "32 characters and the dash");
    }

    #[test]
    fn typed_codes_are_read_as_what_they_stand_for() {
        let code = "ABCD-EFGH-JKLM-NPQR";
        let want = Some("ABCDEFGHJKLMNPQR".to_owned());
        for typed in [
            code,
            "abcd-efgh-jklm-npqr",
            " ABCD EFGH JKLM NPQR ",
            "ABCDEFGHJKLMNPQR",
            "ＡＢＣＤ－ＥＦＧＨ－ＪＫＬＭ－ＮＰＱＲ",
            "abcd—efgh—jklm—npqr",
            "ABCD\u{3000}EFGH\u{3000}JKLM\u{3000}NPQR",
            "ABCD_EFGH_JKLM_NPQR",
        ] {
            assert_eq!(normalize(typed), want, "{typed:?}");
        }
        for bad in [
            "",
            "ABCD-EFGH-JKLM",
            "ABCD-EFGH-JKLM-NPQR-S",
            "ABCD-EFGH-JKLM-NPQ0",
            "ABCD-EFGH-JKLM-NPQI",
            "ABCD-EFGH-JKLM-NPQ好",
            "ABCD'; DROP TABLE--",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_hash_is_of_the_normalised_code() {
        let a = normalize("abcd-efgh-jklm-npqr").unwrap();
        let b = normalize("ABCDEFGHJKLMNPQR").unwrap();
        assert_eq!(code_hash(&a), code_hash(&b));
        assert_eq!(code_hash(&a).len(), 64);
        assert!(!code_hash(&a).contains("ABCD"));
        assert_ne!(code_hash(&a), code_hash("ABCDEFGHJKLMNPQS"));
    }
}
