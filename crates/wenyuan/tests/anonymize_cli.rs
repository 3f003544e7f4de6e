//! `wenyuan anonymize` run as the real binary: text out, JSON out, stdin, GB18030, bad input.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A short speech in the manner of the seed page, with real names still in it.
const SPEECH: &str = "在2020年区委读书会上的讲话\n\n\
这次读书会是在全区上下深入学习贯彻党的全会精神的大背景下召开的。\
10月20日，我们这一组在张伟书记的带领下，实地考察学习了浙江省嘉兴市嘉善县的发展经验。\
嘉善县是接轨上海的门户，也是长三角生态绿色一体化发展示范区的重要组成部分。\n\
会上，王区长介绍了萧山区人民政府推进区域高质量发展、做强市场主体的做法。\n";

fn wenyuan(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wenyuan"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        pipe.write_all(bytes).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn a_speech_file_becomes_a_template() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("speech.txt");
    std::fs::write(&path, SPEECH).unwrap();
    let out = wenyuan(&["anonymize", path.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    for kept in [
        "全区上下",
        "区委读书会",
        "长三角",
        "区域高质量发展",
        "做强市场主体",
        "人民政府",
    ] {
        assert!(text.contains(kept), "{kept} kept in:\n{text}");
    }
    for gone in ["张伟", "浙江", "嘉兴", "嘉善", "上海", "王区长", "萧山"] {
        assert!(!text.contains(gone), "{gone} replaced in:\n{text}");
    }
    assert!(text.contains("在X书记的带领下"), "{text}");
    assert!(text.contains("X省X市X县"), "{text}");
    assert!(text.contains("X区长介绍了X区人民政府"), "{text}");
}

#[test]
fn json_lists_replacements_with_character_offsets() {
    let out = wenyuan(&["anonymize", "--json", "-"], Some(SPEECH.as_bytes()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = list.as_array().unwrap();
    let chars: Vec<char> = SPEECH.chars().collect();
    for item in items {
        let (start, end) = (
            item["start"].as_u64().unwrap() as usize,
            item["end"].as_u64().unwrap() as usize,
        );
        let original: String = chars[start..end].iter().collect();
        assert_eq!(item["original"], original.as_str());
        assert!(
            ["place", "person", "organisation", "custom"].contains(&item["kind"].as_str().unwrap())
        );
    }
    let find = |original: &str| {
        items
            .iter()
            .find(|i| i["original"] == original)
            .unwrap_or_else(|| panic!("{original} in {list}"))
    };
    assert_eq!(find("张伟")["kind"], "person");
    assert_eq!(find("张伟")["replacement"], "X");
    assert_eq!(find("嘉善县")["replacement"], "X县");
    assert_eq!(find("萧山区")["kind"], "organisation");
}

#[test]
fn gb18030_from_stdin_and_custom_words() {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(SPEECH);
    assert!(!unmappable);
    let out = wenyuan(&["anonymize", "--word", "读书会"], Some(&bytes[..]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.starts_with("在2020年区委XX上的讲话"), "{text}");
}

#[test]
fn unreadable_input_fails_with_a_clear_message() {
    let out = wenyuan(&["anonymize", "/nonexistent/speech.txt"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("无法读取 /nonexistent/speech.txt"), "{err}");

    let out = wenyuan(
        &["anonymize", "-"],
        Some(&[0, 159, 146, 150, 0, 1, 2, 3, 255, 0, 0, 7]),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("标准输入 无法作为文本读取") && err.contains("二进制"),
        "{err}"
    );

    let out = wenyuan(&["anonymize"], Some(b""));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("标准输入 无法作为文本读取") && err.contains("空"),
        "{err}"
    );
}

#[test]
fn place_names_inside_other_words_stay_unchanged() {
    let text =
        "坚持拥江西进，建设黄河南岸新城，保护洞庭湖南岸湿地。会上，张伟书记在浙江省嘉兴市讲话。\n";
    let out = wenyuan(&["anonymize"], Some(text.as_bytes()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template = stdout(&out);
    for kept in ["拥江西进", "黄河南岸", "洞庭湖南岸"] {
        assert!(template.contains(kept), "{kept} kept: {template}");
    }
    assert!(
        !template.contains("张伟") && !template.contains("嘉兴"),
        "{template}"
    );
}
