use ::pinyin::{ToPinyin, ToPinyinMulti};

use super::*;

#[test]
fn words_read_right_per_word() {
    for (word, full, initials) in [
        ("重庆", "chongqing", "cq"),
        ("银行", "yinhang", "yh"),
        ("长城", "changcheng", "cc"),
        ("行长", "hangzhang", "hz"),
        ("重要", "zhongyao", "zy"),
        ("增长", "zengzhang", "zz"),
        ("长期", "changqi", "cq"),
        ("音乐", "yinyue", "yy"),
        ("快乐", "kuaile", "kl"),
        ("了解", "liaojie", "lj"),
        ("还是", "haishi", "hs"),
        ("还款", "huankuan", "hk"),
        ("调整", "tiaozheng", "tz"),
        ("调研", "diaoyan", "dy"),
        ("读书会", "dushuhui", "dsh"),
        ("耕地", "gengdi", "gd"),
        ("重庆市长", "chongqingshizhang", "cqsz"),
        ("2020年", "2020nian", "2020n"),
        // Longest match inside a longer jieba word, and the per-character defaults around it.
        ("重庆市", "chongqingshi", "cqs"),
        ("增长率", "zengzhanglv", "zzl"),
        ("商业银行", "shangyeyinhang", "syyh"),
        ("银行行长", "yinhanghangzhang", "yhhz"),
        ("副市长", "fushizhang", "fsz"),
        ("延长线", "yanchangxian", "ycx"),
        ("协调发展", "xietiaofazhan", "xtfz"),
        ("调查研究", "diaochayanjiu", "dcyj"),
        ("效率", "xiaolv", "xl"),
        ("率先", "shuaixian", "sx"),
        ("绿色", "lvse", "ls"),
        ("厦门", "xiamen", "xm"),
        ("西藏", "xizang", "xz"),
        ("首都", "shoudu", "sd"),
        ("会计", "kuaiji", "kj"),
        ("便宜", "pianyi", "py"),
        ("给予", "jiyu", "jy"),
        ("目的", "mudi", "md"),
        ("着力", "zhuoli", "zl"),
        ("薄弱", "boruo", "br"),
        ("呼吁", "huyu", "hy"),
        ("类似", "leisi", "ls"),
        ("二〇二〇年", "erlingerlingnian", "eleln"),
        // Folded first: traditional characters, full-width letters, case.
        ("重慶", "chongqing", "cq"),
        ("銀行", "yinhang", "yh"),
        ("ＡＰＥＣ会议", "apechuiyi", "apechy"),
        ("5G网络", "5gwangluo", "5gwl"),
        ("COVID-19", "covid19", "covid19"),
        ("“十四五”", "shisiwu", "ssw"),
        ("，。", "", ""),
        ("", "", ""),
    ] {
        assert_eq!(
            word_pinyin(word),
            (full.to_owned(), initials.to_owned()),
            "{word}"
        );
    }
}

#[test]
fn title_keys_start_at_every_word() {
    let keys = title_pinyin_keys("在2020年区委读书会上的讲话");
    assert!(keys.iter().any(|k| k.starts_with("dsh")), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("dushuhui")), "{keys:?}");
    assert_eq!(keys[0], "zai2020nianquweidushuhuishangdejianghua");
    assert_eq!(keys[1], "z2020nqwdshsdjh");

    let keys = title_pinyin_keys("严守耕地保护红线");
    assert!(keys.iter().any(|k| k.starts_with("gdbh")), "{keys:?}");
    assert!(
        keys.iter().any(|k| k.starts_with("gengdibaohu")),
        "{keys:?}"
    );

    let keys = title_pinyin_keys("重慶市長江北區");
    assert!(keys.iter().any(|k| k.starts_with("chongqing")), "{keys:?}");
}

#[test]
fn title_keys_are_unique_and_capped() {
    let title = "关于进一步加强和改进新时代基层治理体系和治理能力现代化建设的若干意见的实施方案";
    let keys = title_pinyin_keys(title);
    assert!(keys
        .iter()
        .all(|k| !k.is_empty() && k.len() <= MAX_KEY_CHARS));
    assert!(keys.iter().any(|k| k.len() == MAX_KEY_CHARS));
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len());
    assert!(title_pinyin_keys("").is_empty());
    assert!(title_pinyin_keys("！？……").is_empty());
}

#[test]
fn pinyin_queries_are_recognised() {
    for (query, expected) in [
        ("dsh", true),
        ("  DuShuHui ", true),
        ("gdbh", true),
        ("d", false),
        ("读书会", false),
        ("du shu hui", false),
        ("2020nian", false),
        ("dsh?", false),
        ("", false),
        (&"a".repeat(48), true),
        (&"a".repeat(49), false),
    ] {
        assert_eq!(looks_like_pinyin(query), expected, "{query:?}");
    }
}

/// Every reading the crate knows for `c`, normalised like [`push_syllable`] does.
fn readings(c: char) -> Vec<String> {
    c.to_pinyin_multi()
        .map(|multi| {
            multi
                .into_iter()
                .map(|p| p.plain().replace('ü', "v").replace('ê', "e"))
                .collect()
        })
        .unwrap_or_default()
}

/// Place-name readings the crate's data lacks (乐亭 is Làotíng).
const MISSING_READINGS: [(char, &str); 1] = [('乐', "lao")];

#[test]
fn phrase_table_is_sorted_and_every_syllable_is_a_reading_of_its_character() {
    assert!(PHRASES.len() >= 300, "{}", PHRASES.len());
    for pair in PHRASES.windows(2) {
        assert!(
            pair[0].0 < pair[1].0,
            "not sorted: {:?} {:?}",
            pair[0],
            pair[1]
        );
    }
    let mut unknown = Vec::new();
    for (word, syllables) in PHRASES {
        let chars: Vec<char> = word.chars().collect();
        let syllables: Vec<&str> = syllables.split(' ').collect();
        assert!((2..=MAX_PHRASE_CHARS).contains(&chars.len()), "{word}");
        assert_eq!(chars.len(), syllables.len(), "{word}");
        for (c, syllable) in chars.iter().zip(&syllables) {
            assert!(
                syllable.bytes().all(|b| b.is_ascii_lowercase()),
                "{word}: {syllable}"
            );
            let known = readings(*c);
            if !known.iter().any(|r| r == syllable) && !MISSING_READINGS.contains(&(*c, *syllable))
            {
                unknown.push(format!(
                    "{word}: {c} read {syllable}, the crate knows {known:?}"
                ));
            }
        }
    }
    assert!(unknown.is_empty(), "{unknown:#?}");
}

#[test]
fn preferred_readings_replace_a_rarer_first_reading() {
    for c in "长调似佛卜泊茄吁嚼伽缪翟".chars() {
        let preferred = preferred_reading(c).unwrap_or_default();
        let first = c.to_pinyin().map(|p| p.plain()).unwrap_or_default();
        assert_ne!(preferred, first, "{c}");
        assert!(
            readings(c).iter().any(|r| r == preferred),
            "{c} {preferred}"
        );
    }
}

/// The characters the spec asks about, with what the crate returns first: these defaults are
/// right for modern text, so they have no preference entry (their other readings are in the
/// phrase table). If the crate's order changes, this test says which default moved.
#[test]
fn crate_first_readings_that_are_kept() {
    for (c, first) in [
        ('行', "xing"),
        ('重', "zhong"),
        ('乐', "le"),
        ('了', "le"),
        ('还', "hai"),
        ('传', "chuan"),
        ('省', "sheng"),
        ('率', "lü"),
        ('差', "cha"),
        ('参', "can"),
        ('得', "de"),
        ('地', "di"),
        ('的', "de"),
        ('着', "zhe"),
        ('都', "dou"),
        ('会', "hui"),
        ('便', "bian"),
        ('干', "gan"),
        ('给', "gei"),
        ('中', "zhong"),
        ('处', "chu"),
        ('数', "shu"),
        ('种', "zhong"),
        ('朝', "chao"),
        ('藏', "cang"),
        ('降', "jiang"),
        ('解', "jie"),
    ] {
        assert_eq!(c.to_pinyin().map(|p| p.plain()), Some(first), "{c}");
        assert_eq!(preferred_reading(c), None, "{c}");
    }
}

#[test]
fn words_inside_long_dictionary_words_still_start_keys() {
    let keys = title_pinyin_keys("2024年中华人民共和国国务院政府工作报告");
    assert!(
        keys.iter().any(|k| k.starts_with("gwy")),
        "国务院 inside 中华人民共和国国务院: {keys:?}"
    );
    assert!(keys.iter().any(|k| k.starts_with("zfgzbg")), "{keys:?}");
}
