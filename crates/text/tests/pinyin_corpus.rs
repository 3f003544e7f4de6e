//! Pinyin over every title of the corpus (政府工作报告 and 新闻联播, ~16k titles): no panic,
//! only [a-z0-9], and a reading for every word with a Han character.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wenyuan_text::fold::fold;
use wenyuan_text::pinyin::{title_pinyin_keys, word_pinyin, MAX_KEY_CHARS};
use wenyuan_text::segment::words;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn titles(file: &str) -> Vec<String> {
    let path = format!("{CORPUS}/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let doc: serde_json::Value = serde_json::from_str(line).unwrap();
            doc["title"].as_str().unwrap().to_owned()
        })
        .collect()
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}')
}

fn is_key_text(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[test]
fn every_corpus_title_has_clean_pinyin() {
    let mut all = titles("reports.jsonl");
    all.extend(titles("news.jsonl"));
    assert!(all.len() > 16_000, "{}", all.len());
    let mut problems = Vec::new();
    for title in &all {
        for word in words(&fold(title)) {
            let (full, initials) = word_pinyin(&word);
            if !is_key_text(&full) || !is_key_text(&initials) {
                problems.push(format!("{title}: {word} → {full} / {initials}"));
            }
            if word.chars().any(is_han) && full.is_empty() {
                problems.push(format!("{title}: {word} has no reading"));
            }
        }
        let keys = title_pinyin_keys(title);
        if title.chars().any(is_han) && keys.is_empty() {
            problems.push(format!("{title}: no keys"));
        }
        for key in &keys {
            if key.is_empty() || key.len() > MAX_KEY_CHARS || !is_key_text(key) {
                problems.push(format!("{title}: bad key {key:?}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems: {problems:#?}",
        problems.len()
    );
}

#[test]
fn corpus_titles_with_heteronyms_read_right() {
    for (title, expected_key) in [
        (
            "2025年中华人民共和国国务院政府工作报告",
            "zhonghuarenmingongheguo",
        ),
        ("在2020年区委读书会上的讲话", "dushuhui"),
        ("在2020年区委读书会上的讲话", "dsh"),
        ("王沪宁在新疆调研", "xinjiangdiaoyan"),
        (
            "银行业保险业着力保障重点领域资金需求",
            "yinhangyebaoxianyezhuoli",
        ),
        ("西藏庆祝百万农奴解放64周年", "xizangqingzhu"),
        (
            "【新时代新征程新伟业——真抓实干推动高质量发展】重庆数字化推动制造业向高端迈进",
            "chongqingshuzihua",
        ),
        ("长江经济带完成生态保护红线划定", "changjiangjingjidai"),
        ("长江经济带完成生态保护红线划定", "cjjjd"),
        (
            "蔡奇出席朝鲜劳动党成立80周年庆祝招待会",
            "chaoxianlaodongdang",
        ),
        ("韩正会见土库曼斯坦副总理兼外长", "waizhang"),
        (
            "今年前10个月我国外贸进出口总值同比增长9.5%",
            "tongbizengzhang95",
        ),
        (
            "【铭记历史 缅怀先烈·抗战中的文艺】《在太行山上》：军民同心铸就铜墙铁壁",
            "taihangshan",
        ),
    ] {
        let keys = title_pinyin_keys(title);
        assert!(
            keys.iter().any(|k| k.starts_with(expected_key)),
            "{title}: {keys:?}"
        );
    }
}
