use super::*;
use crate::test_zip::{patch_declared_size, zip_of, zip_of_zeros};

fn contents(entries: &[ArchiveEntry]) -> Vec<(&str, Result<&[u8], &EntryError>)> {
    entries
        .iter()
        .map(|e| (e.name.as_str(), e.contents.as_deref()))
        .collect()
}

#[test]
fn files_come_back_in_order_and_junk_is_skipped() {
    let zip = zip_of(&[
        ("a.txt", "第一篇".as_bytes()),
        ("folder/", b""),
        ("folder/b.md", "# 第二篇".as_bytes()),
        ("./c.txt", b"three"),
        ("__MACOSX/folder/._b.md", b"\0\0"),
        ("folder/.DS_Store", b"\0"),
    ]);
    let entries = read_zip(&zip, &ArchiveLimits::default()).unwrap();
    assert_eq!(
        contents(&entries),
        [
            ("a.txt", Ok("第一篇".as_bytes())),
            ("folder/b.md", Ok("# 第二篇".as_bytes())),
            ("c.txt", Ok(&b"three"[..])),
        ]
    );
}

#[test]
fn names_that_climb_out_are_refused_and_the_rest_still_read() {
    let zip = zip_of(&[
        ("../evil.txt", b"x"),
        ("/etc/passwd", b"x"),
        ("ok/../../evil.txt", b"x"),
        ("..\\..\\windows.txt", b"x"),
        ("C:/boot.ini", b"x"),
        ("c:\\autoexec.bat", b"x"),
        ("good.txt", b"fine"),
    ]);
    let entries = read_zip(&zip, &ArchiveLimits::default()).unwrap();
    assert_eq!(entries.len(), 7);
    for entry in &entries[..6] {
        assert_eq!(
            entry.contents,
            Err(EntryError::UnsafeName),
            "{}",
            entry.name
        );
    }
    assert_eq!(entries[6].contents.as_deref(), Ok(&b"fine"[..]));
    assert!(EntryError::UnsafeName.to_string().contains("路径不安全"));
}

#[test]
fn a_zip_bomb_is_refused_from_its_header_without_inflating() {
    let bomb = zip_of_zeros("zeros.txt", 500 * MB);
    assert!(bomb.len() < 2 * MB as usize, "{} bytes", bomb.len());
    let entries = read_zip(&bomb, &ArchiveLimits::default()).unwrap();
    assert_eq!(
        entries[0].contents,
        Err(EntryError::TooLarge {
            size: 500 * MB,
            limit: 20 * MB
        })
    );
    assert_eq!(
        entries[0].contents.as_ref().unwrap_err().to_string(),
        "解压后为 500 MB，超过单个文件上限 20 MB"
    );
}

/// Bytes that do not compress (a fixed pseudo-random sequence).
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn high_ratios_are_refused_below_the_size_limit() {
    // Alone, the archive as a whole is over the ratio.
    let zip = zip_of_zeros("zeros.txt", 10 * MB);
    assert!(matches!(
        read_zip(&zip, &ArchiveLimits::default()),
        Err(ArchiveError::RatioTooHigh { .. })
    ));
    // Beside a file that does not compress, the archive is fine but the entry is not, though it
    // is far below 1 MB.
    let zeros = vec![0u8; 200 * 1024];
    let zip = zip_of(&[("zeros.txt", &zeros), ("noise.bin", &noise(100 * 1024))]);
    let entries = read_zip(&zip, &ArchiveLimits::default()).unwrap();
    let Err(EntryError::RatioTooHigh { ratio, limit: 200 }) = entries[0].contents else {
        panic!("{:?}", entries[0].contents);
    };
    assert!(ratio > 200, "{ratio}");
    assert!(entries[1].contents.is_ok());
}

#[test]
fn lying_headers_are_caught_while_inflating() {
    let mut zip = zip_of(&[("small.txt", &vec![b'a'; 100_000])]);
    patch_declared_size(&mut zip, 1000);
    let entries = read_zip(&zip, &ArchiveLimits::default()).unwrap();
    assert_eq!(
        entries[0].contents,
        Err(EntryError::LyingSize { declared: 1000 })
    );
}

#[test]
fn whole_archive_limits() {
    let limits = ArchiveLimits {
        max_entries: 3,
        ..ArchiveLimits::default()
    };
    let four = zip_of(&[("1", b"1"), ("2", b"2"), ("3", b"3"), ("4", b"4")]);
    assert_eq!(
        read_zip(&four, &limits),
        Err(ArchiveError::TooManyEntries { count: 4, limit: 3 })
    );
    let limits = ArchiveLimits {
        max_total_bytes: 150,
        ..ArchiveLimits::default()
    };
    let big = zip_of(&[("1", &[b'a'; 100]), ("2", &[b'b'; 100])]);
    let error = read_zip(&big, &limits).unwrap_err();
    assert_eq!(
        error,
        ArchiveError::TotalTooLarge {
            declared: 200,
            limit: 150
        }
    );
    assert!(error.to_string().contains("超过上限 150 bytes"), "{error}");
    assert!(matches!(
        read_zip(b"PK not really", &limits),
        Err(ArchiveError::NotZip(_))
    ));
}

#[test]
fn nested_zips_are_reported_not_opened() {
    let inner = zip_of(&[("inner.txt", b"x")]);
    let zip = zip_of(&[("inner.zip", &inner), ("a.txt", b"a")]);
    let entries = read_zip(&zip, &ArchiveLimits::default()).unwrap();
    assert_eq!(entries[0].contents, Err(EntryError::NestedArchive));
    assert_eq!(entries[1].contents.as_deref(), Ok(&b"a"[..]));
}

#[test]
fn gb18030_names_from_windows_zips() {
    let name = GB18030.encode("讲话稿/读书会.txt").0.into_owned();
    assert_eq!(decode_name(&name), "讲话稿/读书会.txt");
    assert_eq!(decode_name("报告.txt".as_bytes()), "报告.txt");
}

#[test]
fn many_small_entries_that_unpack_to_a_bomb_are_refused_whole() {
    // 190 entries of 1 MB of one repeated character: under 1 MB packed, 190 MB unpacked.
    let text = "字".repeat(MB as usize / 3);
    let entries: Vec<(String, &[u8])> = (0..190)
        .map(|i| (format!("{i}.txt"), text.as_bytes()))
        .collect();
    let named: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let zip = zip_of(&named);
    assert!(zip.len() < MB as usize, "{} bytes", zip.len());
    let error = read_zip(&zip, &ArchiveLimits::default()).unwrap_err();
    let ArchiveError::RatioTooHigh {
        ratio, limit: 200, ..
    } = error
    else {
        panic!("{error:?}");
    };
    assert!(ratio > 200, "{ratio}");
    assert!(error.to_string().contains("疑似压缩炸弹"), "{error}");
    let limits = ArchiveLimits {
        max_ratio: u64::MAX / 2,
        ..ArchiveLimits::default()
    };
    assert!(check_declared(MB, 1500, &ArchiveLimits::default()).is_err());
    assert!(check_declared(MB, 1500, &limits).is_ok());
}
