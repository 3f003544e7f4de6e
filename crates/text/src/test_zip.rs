//! Zip archives built in memory for the archive and `.docx` tests.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// A zip of the given entries, deflated; a name ending in `/` is a directory.
pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        if let Some(dir) = name.strip_suffix('/') {
            zip.add_directory(dir, options()).unwrap();
        } else {
            zip.start_file(*name, options()).unwrap();
            zip.write_all(bytes).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// One entry of `size` zero bytes, written in chunks so the test never holds it whole.
pub(crate) fn zip_of_zeros(name: &str, size: u64) -> Vec<u8> {
    zip_with_large_entry(&[], name, b"", size)
}

/// `entries` plus one entry made of `prefix` and then zeros up to `size` bytes, streamed.
pub(crate) fn zip_with_large_entry(
    entries: &[(&str, &[u8])],
    name: &str,
    prefix: &[u8],
    size: u64,
) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (entry, bytes) in entries {
        zip.start_file(*entry, options()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file(name, options()).unwrap();
    zip.write_all(prefix).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = size - prefix.len() as u64;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        zip.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    zip.finish().unwrap().into_inner()
}

/// Rewrites the unpacked size of every entry, in local and central headers, to `size`:
/// an archive whose headers lie.
pub(crate) fn patch_declared_size(zip: &mut [u8], size: u32) {
    let patch = |zip: &mut [u8], signature: &[u8; 4], offset: usize| {
        let mut i = 0;
        while i + offset + 4 <= zip.len() {
            if &zip[i..i + 4] == signature {
                zip[i + offset..i + offset + 4].copy_from_slice(&size.to_le_bytes());
            }
            i += 1;
        }
    };
    patch(zip, b"PK\x03\x04", 22);
    patch(zip, b"PK\x01\x02", 24);
}
