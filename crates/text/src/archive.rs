//! Reading `.zip` uploads from memory, safely.
//!
//! An uploaded archive is hostile until proven otherwise, so every entry passes these checks:
//! - its name must stay inside the archive: no `..`, no absolute path, no drive letter, with `\`
//!   read as a separator (names are only ever used as labels, but a name that tries to climb out
//!   is a sign of a malicious archive and is refused rather than quietly rewritten);
//! - its declared unpacked size and compression ratio must be within [`ArchiveLimits`], and so
//!   must the sum of the declared sizes and the ratio of that sum to the archive's own size (a zip
//!   bomb is refused before anything is inflated, however small its entries: 190 entries of 1 MB
//!   that deflate to 1.5 KB each are as much a bomb as one entry of 190 MB);
//! - while inflating, an entry may not produce more bytes than its header declared (headers lie;
//!   the reader stops one byte past the declared size instead of trusting it).
//!
//! Directories, `__MACOSX/` resource forks and dotfiles (`.DS_Store`) are skipped silently. A zip
//! inside the zip is reported as unsupported rather than opened: one level is all we unpack.
//! Names are UTF-8 when the archive says so or they decode as such, else GB18030 (what the
//! Windows "send to compressed folder" writes on a Chinese system).

use std::io::{Cursor, Read};

use encoding_rs::GB18030;
use zip::ZipArchive;

const MB: u64 = 1024 * 1024;

/// What an archive may unpack to. The defaults are those of the upload form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Entries in the archive, directories included.
    pub max_entries: usize,
    /// Unpacked size of one entry: the per-file upload limit.
    pub max_entry_bytes: u64,
    /// Unpacked size of all entries together.
    pub max_total_bytes: u64,
    /// Unpacked size over packed size of one entry, and of all entries over the archive's size
    /// (zip bombs reach 1000:1; text about 3–10:1, a repetitive `.docx` part 30:1).
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_entries: 2000,
            max_entry_bytes: 20 * MB,
            max_total_bytes: 100 * MB,
            max_ratio: 200,
        }
    }
}

/// One file from an archive: its name inside the archive and its bytes, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// The path inside the archive, `/`-separated (for a refused unsafe name: as written).
    pub name: String,
    pub contents: Result<Vec<u8>, EntryError>,
}

/// Why a whole archive was refused.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum ArchiveError {
    #[error("不是可读取的 zip 压缩包（文件可能已损坏或并非压缩包）")]
    NotZip(String),
    #[error("压缩包内有 {count} 个文件，超过上限 {limit} 个")]
    TooManyEntries { count: usize, limit: usize },
    #[error(
        "压缩包解压后共 {}，超过上限 {}（疑似压缩炸弹），整个压缩包未导入",
        human_size(.declared),
        human_size(.limit)
    )]
    TotalTooLarge { declared: u64, limit: u64 },
    #[error(
        "压缩包解压后共 {}，是压缩包本身的 {ratio} 倍，超过上限 {limit} 倍（疑似压缩炸弹），整个压缩包未导入",
        human_size(.declared)
    )]
    RatioTooHigh {
        declared: u64,
        ratio: u64,
        limit: u64,
    },
}

/// Why one entry of an archive was refused; the other entries are unaffected.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum EntryError {
    #[error("压缩包内的路径不安全（绝对路径、盘符或 ..），已拒绝，未写入任何文件")]
    UnsafeName,
    #[error("压缩包内的符号链接不导入")]
    Symlink,
    #[error("解压后为 {}，超过单个文件上限 {}", human_size(.size), human_size(.limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("压缩比 {ratio}:1 超过上限 {limit}:1（疑似压缩炸弹）")]
    RatioTooHigh { ratio: u64, limit: u64 },
    #[error(
        "解压后超过文件头声明的 {}：压缩包已损坏或是恶意构造的",
        human_size(.declared)
    )]
    LyingSize { declared: u64 },
    #[error("不支持压缩包里套压缩包：请解压后上传其中的文件")]
    NestedArchive,
    #[error("不支持加密（有密码）的文件")]
    Encrypted,
    #[error("无法解压（文件已损坏）")]
    Unreadable(String),
}

/// Opens a zip archive held in memory, failing with [`ArchiveError::NotZip`].
pub(crate) fn open_zip(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, ArchiveError> {
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| ArchiveError::NotZip(e.to_string()))
}

/// Unpacks the files of a zip archive, checking every entry against `limits`
/// (see the module docs). Entries come back in archive order.
pub fn read_zip(bytes: &[u8], limits: &ArchiveLimits) -> Result<Vec<ArchiveEntry>, ArchiveError> {
    let mut zip = open_zip(bytes)?;
    if zip.len() > limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            count: zip.len(),
            limit: limits.max_entries,
        });
    }
    // First pass, headers only: refuse what is unsafe or too big before inflating anything.
    let mut entries: Vec<(usize, ArchiveEntry)> = Vec::new();
    let mut accepted: Vec<(usize, String, u64)> = Vec::new();
    let mut declared_total = 0u64;
    // Unpacked size of every entry within the per-file limit, refused or not: the whole
    // archive's ratio (an entry over the limit is reported as such and weighs nothing).
    let mut declared_all = 0u64;
    for index in 0..zip.len() {
        let file = zip
            .by_index_raw(index)
            .map_err(|e| ArchiveError::NotZip(e.to_string()))?;
        if file.is_dir() {
            continue;
        }
        let raw_name = decode_name(file.name_raw());
        let refuse = |error| (index, refused(&raw_name, error));
        let name = match safe_path(&raw_name) {
            Ok(Some(name)) => name,
            Ok(None) => continue,
            Err(error) => {
                entries.push(refuse(error));
                continue;
            }
        };
        let check = if file.is_symlink() {
            Err(EntryError::Symlink)
        } else if file.encrypted() {
            Err(EntryError::Encrypted)
        } else if is_zip_name(&name) {
            Err(EntryError::NestedArchive)
        } else {
            check_declared(file.size(), file.compressed_size(), limits)
        };
        if file.size() <= limits.max_entry_bytes {
            declared_all = declared_all.saturating_add(file.size());
        }
        match check {
            Ok(()) => {
                declared_total = declared_total.saturating_add(file.size());
                accepted.push((index, name, file.size()));
            }
            Err(error) => entries.push((index, refused(&name, error))),
        }
    }
    let ratio = declared_all / (bytes.len() as u64).max(1);
    if ratio > limits.max_ratio {
        return Err(ArchiveError::RatioTooHigh {
            declared: declared_all,
            ratio,
            limit: limits.max_ratio,
        });
    }
    if declared_total > limits.max_total_bytes {
        return Err(ArchiveError::TotalTooLarge {
            declared: declared_total,
            limit: limits.max_total_bytes,
        });
    }
    // Second pass: inflate, each entry bounded by its declared size.
    for (index, name, declared) in accepted {
        let contents = zip
            .by_index(index)
            .map_err(|e| EntryError::Unreadable(e.to_string()))
            .and_then(|file| read_bounded(file, declared, limits));
        entries.push((index, ArchiveEntry { name, contents }));
    }
    entries.sort_by_key(|(index, _)| *index);
    Ok(entries.into_iter().map(|(_, entry)| entry).collect())
}

fn refused(name: &str, error: EntryError) -> ArchiveEntry {
    ArchiveEntry {
        name: name.to_owned(),
        contents: Err(error),
    }
}

/// The checks an entry's header must pass before it is inflated.
pub(crate) fn check_declared(
    size: u64,
    compressed: u64,
    limits: &ArchiveLimits,
) -> Result<(), EntryError> {
    if size > limits.max_entry_bytes {
        return Err(EntryError::TooLarge {
            size,
            limit: limits.max_entry_bytes,
        });
    }
    // Every entry, however small: many small bombs add up (the archive's total is checked too).
    let ratio = size / compressed.max(1);
    if ratio > limits.max_ratio {
        return Err(EntryError::RatioTooHigh {
            ratio,
            limit: limits.max_ratio,
        });
    }
    Ok(())
}

/// Reads an entry whose header passed [`check_declared`], refusing it as soon as it yields more
/// than `declared` bytes, so a lying header costs at most `declared + 1` bytes of memory.
pub(crate) fn read_bounded(
    reader: impl Read,
    declared: u64,
    limits: &ArchiveLimits,
) -> Result<Vec<u8>, EntryError> {
    let cap = declared.min(limits.max_entry_bytes);
    let mut bytes = Vec::with_capacity(usize::try_from(cap).unwrap_or(0));
    BoundedReader::new(reader, cap)
        .read_to_end(&mut bytes)
        .map_err(|e| bound_error(&e, declared))?;
    Ok(bytes)
}

/// Stops a stream one byte past `cap` with an error, so a streaming parser (the `.docx` XML
/// reader) never sees more than the header promised.
pub(crate) struct BoundedReader<R> {
    inner: R,
    cap: u64,
    read: u64,
}

/// The message carried by the I/O error [`BoundedReader`] raises; see [`bound_error`].
const OVER_CAP: &str = "entry is larger than its header declares";

impl<R: Read> BoundedReader<R> {
    pub(crate) fn new(inner: R, cap: u64) -> Self {
        BoundedReader {
            inner,
            cap,
            read: 0,
        }
    }
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Ask for at most one byte past the cap: enough to notice a lie, never more.
        let room = (self.cap + 1 - self.read.min(self.cap + 1)).min(buf.len() as u64);
        let room = usize::try_from(room).unwrap_or(buf.len());
        if room == 0 && !buf.is_empty() {
            return Err(std::io::Error::other(OVER_CAP));
        }
        let n = self.inner.read(&mut buf[..room])?;
        self.read += n as u64;
        if self.read > self.cap {
            return Err(std::io::Error::other(OVER_CAP));
        }
        Ok(n)
    }
}

/// Turns an I/O error from a [`BoundedReader`] into the entry error it stands for.
pub(crate) fn bound_error(error: &std::io::Error, declared: u64) -> EntryError {
    if error.to_string() == OVER_CAP {
        EntryError::LyingSize { declared }
    } else {
        EntryError::Unreadable(error.to_string())
    }
}

/// Entry names: UTF-8 when they decode as such, else GB18030.
fn decode_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(name) => name.to_owned(),
        Err(_) => GB18030.decode_without_bom_handling(raw).0.into_owned(),
    }
}

/// The normalised name of a file entry; `None` for entries skipped silently (directories,
/// `__MACOSX/`, dotfiles); an error for names that try to leave the archive.
fn safe_path(name: &str) -> Result<Option<String>, EntryError> {
    let unified = name.replace('\\', "/");
    let bytes = unified.as_bytes();
    let drive_letter = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    let parts: Vec<&str> = unified.split('/').collect();
    if unified.starts_with('/') || drive_letter || unified.contains('\0') || parts.contains(&"..") {
        return Err(EntryError::UnsafeName);
    }
    if unified.ends_with('/') {
        return Ok(None);
    }
    let parts: Vec<&str> = parts
        .into_iter()
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.iter().any(|p| *p == "__MACOSX" || p.starts_with('.')) {
        return Ok(None);
    }
    Ok(Some(parts.join("/")))
}

fn is_zip_name(name: &str) -> bool {
    name.rsplit('.')
        .next()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"))
        && name.contains('.')
}

/// `20 MB`, `500 KB`, `12 bytes`: sizes in messages people read.
pub fn human_size(bytes: &u64) -> String {
    match *bytes {
        b if b >= MB => format!("{} MB", b / MB),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests;
