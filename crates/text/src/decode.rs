//! Encoding detection: turn the bytes of an uploaded or imported `.txt`/`.md` file into text.
//!
//! Chinese text files in the wild are UTF-8 (with or without BOM), GB18030/GBK (most legacy
//! Windows files), UTF-16LE with BOM (Windows Notepad "Unicode") and, from Taiwan and Hong Kong,
//! Big5. Order of checks:
//! 1. a BOM decides (UTF-8, UTF-16LE, UTF-16BE);
//! 2. BOM-less UTF-16 is recognised by NUL bytes sitting on one parity — checked before UTF-8
//!    because ASCII-only UTF-16 is also valid UTF-8 (full of NULs);
//! 3. valid UTF-8 is UTF-8;
//! 4. otherwise the bytes are read as GB18030 (a superset of GBK/GB2312) or Big5, chardetng's
//!    guess first, and the first reading that is plausible text wins. Encodings of other
//!    languages (Shift-JIS, windows-1252) are never chosen: this is a Chinese library, and a
//!    file in them is refused rather than published as mojibake.
//!
//! The result is then checked for binary content and for mojibake ([`plausible`]: the share
//! of rare ideographs and replacement characters), and its line ends are normalised to `\n`.

pub(crate) mod plausible;

use encoding_rs::{Encoding, BIG5, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Text decoded from a file, with the encoding it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text without BOM, with `\n` line ends only.
    pub text: String,
    /// The WHATWG name of the encoding, e.g. `"UTF-8"`, `"UTF-16LE"`, `"gb18030"`, `"Big5"`.
    pub encoding: &'static str,
}

/// Why bytes could not be turned into text.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Zero bytes (or only a BOM).
    #[error("文件是空的")]
    Empty,
    /// NUL bytes outside UTF-16, or too many control / undecodable characters.
    #[error("文件不是文本（像是二进制文件）")]
    Binary,
    /// Decoded fine but holds nothing but whitespace.
    #[error("文件里没有文字")]
    NoText,
    /// Every reading gives mojibake: rare ideographs or replacement characters throughout
    /// (a Shift-JIS or Latin-1 file, or damaged bytes).
    #[error("文件的文字编码无法识别，读出来是乱码（可能是日文 Shift-JIS、西文 Latin-1 编码或已损坏）；请另存为 UTF-8 编码后再上传")]
    Garbled,
}

/// Above this share of control characters the input is not text.
/// Real documents have practically none; decoded random bytes have well over 10%.
const MAX_BAD_CHAR_SHARE: f64 = 0.05;

/// BOM-less UTF-16 is only accepted when nearly all characters are ones Chinese or Latin
/// documents use; UTF-8 or GB18030 bytes misread as UTF-16 give scattered rare code points.
const MIN_UTF16_TEXT_SHARE: f64 = 0.9;

/// Decodes a text file's bytes; see the module docs for the detection order.
pub fn decode_text(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (text, encoding) = detect_and_decode(bytes)?;
    let text = normalise_line_ends(text.strip_prefix('\u{feff}').unwrap_or(&text));
    if text.is_empty() {
        return Err(DecodeError::Empty);
    }
    if looks_binary(&text) {
        return Err(DecodeError::Binary);
    }
    if text.chars().all(crate::chars::is_blank) {
        return Err(DecodeError::NoText);
    }
    if !plausible::Census::of(&text).plausible() {
        return Err(DecodeError::Garbled);
    }
    Ok(Decoded {
        text,
        encoding: encoding.name(),
    })
}

fn detect_and_decode(bytes: &[u8]) -> Result<(String, &'static Encoding), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok((text.into_owned(), encoding));
    }
    if let Some(found) = bomless_utf16(bytes) {
        return Ok(found);
    }
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), UTF_8));
    }
    // The first plausible reading wins; with none, the first goes on to be refused with the
    // reason that fits (binary or mojibake).
    let mut first = None;
    for encoding in legacy_candidates(bytes) {
        let (text, _had_errors) = encoding.decode_without_bom_handling(bytes);
        if plausible::Census::of(&text).plausible() {
            return Ok((text.into_owned(), encoding));
        }
        first.get_or_insert((text.into_owned(), encoding));
    }
    first.ok_or(DecodeError::Binary)
}

/// Recognises UTF-16 without BOM: NUL bytes (the high byte of ASCII characters) concentrated
/// on odd positions (LE) or even positions (BE), and a clean decode into ordinary text.
fn bomless_utf16(bytes: &[u8]) -> Option<(String, &'static Encoding)> {
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, _) in bytes.iter().enumerate().filter(|(_, b)| **b == 0) {
        if i % 2 == 0 {
            even += 1;
        } else {
            odd += 1;
        }
    }
    let total = even + odd;
    if total == 0 {
        return None;
    }
    // Not all NULs: in UTF-16 the ideograph 一 (U+4E00) has a zero low byte, so a
    // clear majority is enough here; the clean-decode check below is the real guard.
    let encoding = if odd * 3 >= total * 2 {
        UTF_16LE
    } else if even * 3 >= total * 2 {
        UTF_16BE
    } else {
        return None;
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return None;
    }
    let chars = text.chars().count();
    let ordinary = text.chars().filter(|c| is_ordinary(*c)).count();
    if (ordinary as f64) < MIN_UTF16_TEXT_SHARE * chars as f64 {
        return None;
    }
    Some((text.into_owned(), encoding))
}

/// Characters that make up ordinary Chinese or Latin documents.
fn is_ordinary(c: char) -> bool {
    let u = c as u32;
    matches!(c, '\n' | '\r' | '\t')
        || (0x20..0x7F).contains(&u)
        || (0xA0..0x250).contains(&u)
        || (0x2000..0x2070).contains(&u)
        || (0x3000..0x3040).contains(&u)
        || (0x4E00..0xA000).contains(&u)
        || (0xFF00..0xFFF0).contains(&u)
}

/// The Chinese encodings to try for bytes that are not UTF-8, most likely first.
///
/// chardetng's guess goes first when it names a Chinese encoding; otherwise (short inputs can
/// look like Shift_JIS or windows-1252) GB18030, the most common, goes first. A foreign guess
/// is never taken: its reading would be published in a language this library does not serve.
fn legacy_candidates(bytes: &[u8]) -> [&'static Encoding; 2] {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    if detector.guess(None, false) == BIG5 {
        [BIG5, GB18030]
    } else {
        [GB18030, BIG5]
    }
}

/// Binary data decodes to many C0/C1 control characters.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        total += 1;
        // Replacement characters alone mean a wrong encoding, not binary: see `plausible`.
        if c.is_control() && !matches!(c, '\n' | '\t' | '\u{c}') {
            bad += 1;
        }
    }
    // A NUL never occurs in text; a single one already means binary.
    text.contains('\0') || bad as f64 > MAX_BAD_CHAR_SHARE * total as f64
}

/// CRLF and lone CR (old Mac files) become LF.
fn normalise_line_ends(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTENCE: &str =
        "通过考察，大家开阔了视野，找到了差距，坚定了信心。\r\n二、关于人大工作的初步考虑\r\n";

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, had_errors) = encoding.encode(text);
        assert!(!had_errors);
        bytes.into_owned()
    }

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if little_endian {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn encodings_table() {
        let want = SENTENCE.replace("\r\n", "\n");
        let mut bom_utf8 = b"\xEF\xBB\xBF".to_vec();
        bom_utf8.extend_from_slice(SENTENCE.as_bytes());
        let mut bom_le = vec![0xFF, 0xFE];
        bom_le.extend(utf16(SENTENCE, true));
        let mut bom_be = vec![0xFE, 0xFF];
        bom_be.extend(utf16(SENTENCE, false));
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("utf-8", SENTENCE.as_bytes().to_vec(), "UTF-8"),
            ("utf-8 bom", bom_utf8, "UTF-8"),
            ("utf-16le bom", bom_le, "UTF-16LE"),
            ("utf-16be bom", bom_be, "UTF-16BE"),
            ("utf-16le no bom", utf16(SENTENCE, true), "UTF-16LE"),
            ("utf-16be no bom", utf16(SENTENCE, false), "UTF-16BE"),
            ("gb18030", encode(GB18030, SENTENCE), "gb18030"),
        ];
        for (name, bytes, encoding) in cases {
            let decoded = decode_text(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(decoded.text, want, "{name}");
            assert_eq!(decoded.encoding, encoding, "{name}");
        }
    }

    #[test]
    fn big5_traditional_text() {
        let text = "這次讀書會是在全區上下深入學習貫徹黨的全會精神，衝刺全年工作、謀劃明年思路的大背景下召開的。";
        let decoded = decode_text(&encode(BIG5, text)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(decoded.encoding, "Big5");
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn lone_cr_becomes_lf() {
        let decoded = decode_text("一\r二\r\n三".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(decoded.text, "一\n二\n三");
    }

    /// 「吾輩は猫である。名前はまだ無い。…」 in Shift-JIS, as a Japanese Notepad saves it.
    const SHIFT_JIS_NOVEL: &[u8] = b"\x8c\xe1\x94y\x82\xcd\x94L\x82\xc5\x82\xa0\x82\xe9\x81B\x96\xbc\x91O\x82\xcd\x82\xdc\x82\xbe\x96\xb3\x82\xa2\x81B\x82\xc7\x82\xb1\x82\xc5\x90\xb6\x82\xea\x82\xbd\x82\xa9\x82\xc6\x82\xf1\x82\xc6\x8c\xa9\x93\x96\x82\xaa\x82\xc2\x82\xa9\x82\xca\x81B";
    /// French in windows-1252 (Latin-1 with curly quotes).
    const LATIN1_FRENCH: &[u8] = b"Le caf\xe9 est tr\xe8s bon. L\x92\xe9t\xe9 \xe0 Paris\x85 ";

    #[test]
    fn errors_table() {
        let cases: &[(&[u8], DecodeError)] = &[
            (b"", DecodeError::Empty),
            (b"\xEF\xBB\xBF", DecodeError::Empty),
            (b"  \r\n\t ", DecodeError::NoText),
            ("\u{3000}\u{3000}\n".as_bytes(), DecodeError::NoText),
            (
                b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
                DecodeError::Binary,
            ),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", DecodeError::Binary),
            (b"abc\x01\x02\x03\x04\x05\x06", DecodeError::Binary),
            (SHIFT_JIS_NOVEL, DecodeError::Garbled),
            (LATIN1_FRENCH, DecodeError::Garbled),
        ];
        for (bytes, want) in cases {
            assert_eq!(decode_text(bytes).err().as_ref(), Some(want), "{bytes:?}");
        }
    }

    #[test]
    fn error_messages_are_clear() {
        assert_eq!(DecodeError::Empty.to_string(), "文件是空的");
        assert_eq!(DecodeError::NoText.to_string(), "文件里没有文字");
    }
}
