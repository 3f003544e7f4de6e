//! Table tests on sentences of the seed speech (`../shared/corpus/seed`) and of the news and
//! reports corpus, where X and 某 are mostly not blanks.

use super::*;

fn patterns(text: &str) -> Vec<String> {
    detect([text]).into_iter().map(|p| p.pattern).collect()
}

#[test]
fn the_seed_speech_sentences_hold_their_placeholders_in_context() {
    let cases: &[(&str, &[&str])] = &[
        (
            "这次读书会是在全区上下深入学习贯彻党的XX全会精神,冲刺2020工作、谋划2021年思路的大背景下召开的。根据区委读书会总体安排,XX日,我们这一组在X书记的带领下,实地考察学习了XX等兄弟县(市区)的发展经验",
            &["XX全会", "XX日", "X书记", "XX"],
        ),
        (
            "XX县是接轨XX门户,是先行先试的战略要县,是长三角一体化、长江经济带、X州湾大湾区等重大战略实施的重要节点城市",
            &["XX县", "XX", "X州"],
        ),
        // A bare single X counts because the sentence has X区 too.
        ("X区则是“X之根、花园之城、大学之府”", &["X区", "X"]),
        // 区委 is no word of the table: the district is X区, and 南湖区 fills 中共南湖区委.
        ("在中共X区委的领导下", &["X区"]),
        ("逐步构建“融XXX”发展格局,全省首创县域文明指数", &["XXX"]),
        ("学习X县域文化培育和发展的先进经验", &["X县"]),
        // 科创, 文创: the next word, not an office (X科).
        ("在X书记带领下加快推进X科创走廊、X文创走廊“两廊”建设", &["X书记", "X"]),
        ("全力打造湾区高端智造基地,协同推进特色小镇建设,e游小镇通过省级特色小镇命名验收", &[]),
    ];
    for (text, expected) in cases {
        assert_eq!(&patterns(text), expected, "{text}");
    }
}

#[test]
fn the_longest_word_of_the_table_wins() {
    let cases: &[(&str, &[&str])] = &[
        ("X区长和X区的干部", &["X区长", "X区"]),
        ("X副书记主持会议，X书记讲话", &["X副书记", "X书记"]),
        ("XX自治县XX乡XX村", &["XX自治县", "XX乡", "XX村"]),
        ("X月X日，XX县人民政府召开会议", &["X月", "X日", "XX县"]),
        (
            "XX大学与XX公司签约，投资XX亿元",
            &["XX大学", "XX公司", "XX亿元"],
        ),
        ("党的十九届X中全会", &["X中全会"]),
        ("X同志任X局局长", &["X同志", "X局"]),
    ];
    for (text, expected) in cases {
        assert_eq!(&patterns(text), expected, "{text}");
    }
}

#[test]
fn the_mou_style_counts_with_a_word_after_it_only() {
    let cases: &[(&str, &[&str])] = &[
        // What 模板化 writes in its 某 style.
        ("某某市某区某书记在会上讲话", &["某某市", "某区", "某书记"]),
        // Real news: 某 as an ordinary word.
        ("学制品的某些原材料依赖进口", &[]),
        ("陆军某旅全员额参加演练", &[]),
        ("空军某部雷霆战机", &[]),
        ("以张某某为首的犯罪团伙", &[]),
        ("不存在由某个国家主导的问题", &[]),
        ("罪犯曹某早年离家", &[]),
    ];
    for (text, expected) in cases {
        assert_eq!(&patterns(text), expected, "{text}");
    }
}

#[test]
fn latin_words_codes_and_numbers_are_no_placeholders() {
    for text in [
        "波音737 MAX 9机型停飞",
        "男子4X100米接力",
        "列车X801次于早上发车",
        "借助XR技术，观众可以沉浸体验",
        "新亚型XBB。",
        "波音777X型客机",
        "太阳硬X射线成像仪",
        "要经过X光等五道安检",
        "数字化X线摄影",
        "XML格式和Xi的缩写",
        "ＸＭＬ文件",
        "编号A-X-3的设备",
        "2020.XX.XX",
    ] {
        assert_eq!(patterns(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn a_lone_x_counts_only_beside_other_placeholders() {
    // News: the platform X.
    assert!(patterns("欧盟对社交媒体平台X罚款1.2亿欧元").is_empty());
    assert!(patterns("“创新X”系列活动").is_empty());
    // A run of two is a blank wherever it is (the news writes "XX报" for an outlet).
    let outlets = detect(["以“XX报”“XX新闻”的名义"]);
    assert_eq!(outlets.len(), 1);
    assert_eq!((outlets[0].pattern.as_str(), outlets[0].count), ("XX", 2));
    assert_eq!(patterns("推动X发展，X书记强调"), ["X", "X书记"]);
}

#[test]
fn fullwidth_x_is_a_placeholder_of_its_own_spelling() {
    assert_eq!(patterns("ＸＸ县Ｘ书记和XX县"), ["ＸＸ县", "Ｘ书记", "XX县"]);
}

#[test]
fn keys_follow_first_occurrence_and_count_every_occurrence() {
    let texts = [
        "在XX县的讲话",
        "X书记指出，XX县要发展。",
        "X书记强调，XX县、X区都要落实。",
    ];
    let found = detect(texts);
    let expected = [("p1", "XX县", 3), ("p2", "X书记", 2), ("p3", "X区", 1)];
    assert_eq!(found.len(), expected.len());
    for (p, (key, pattern, count)) in found.iter().zip(expected) {
        assert_eq!(
            (p.key.as_str(), p.pattern.as_str(), p.count),
            (key, pattern, count)
        );
    }
    assert_eq!(detect(texts), found, "the same texts, the same keys");
}

fn filler(texts: &[&str], values: &[(&str, &str)]) -> Filler {
    let found = detect(texts.iter().copied());
    Filler::new(&found, |key| {
        let pattern = &found.iter().find(|p| p.key == key)?.pattern;
        values
            .iter()
            .find(|(p, _)| p == pattern)
            .map(|(_, value)| *value)
    })
}

#[test]
fn filling_replaces_every_occurrence_and_leaves_the_rest() {
    let text = "XX县是接轨XX门户，X书记在XX县调研，X县和X区的干部参加，中共X区委。";
    let f = filler(
        &[text],
        &[("XX县", "安吉县"), ("X书记", "张书记"), ("X区", "")],
    );
    assert_eq!(
        f.fill(text),
        "安吉县是接轨XX门户，张书记在安吉县调研，X县和X区的干部参加，中共X区委。"
    );
    let f = filler(&[text], &[("X区", "南湖区")]);
    assert_eq!(
        f.fill(text),
        "XX县是接轨XX门户，X书记在XX县调研，X县和南湖区的干部参加，中共南湖区委。"
    );
    let f = filler(&[text], &[]);
    assert!(f.is_empty());
    assert!(matches!(f.fill(text), Cow::Borrowed(_)));
}

#[test]
fn a_value_is_written_once_and_never_read_again() {
    let text = "X书记和X区";
    let f = filler(&[text], &[("X书记", "X区XX县"), ("X区", "X书记")]);
    assert_eq!(f.fill(text), "X区XX县和X书记");
}

#[test]
fn values_are_plain_text_of_bounded_length() {
    assert_eq!(
        clean_value("  <script>alert(1)</script>\u{0}\u{7}\u{202E}安吉\n县\u{200B} "),
        "<script>alert(1)</script>安吉 县"
    );
    assert_eq!(clean_value("\u{1}\u{1F}\t "), "");
    let long = "长".repeat(80);
    assert_eq!(clean_value(&long).chars().count(), MAX_VALUE_CHARS);
}

#[test]
fn pieces_show_what_was_filled_and_what_is_left() {
    let text = "X书记在XX县";
    let f = filler(&[text], &[("X书记", "张书记")]);
    let kinds: Vec<(String, PieceKind)> = f
        .pieces(text)
        .into_iter()
        .map(|p| (p.text, p.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("张书记".to_owned(), PieceKind::Filled),
            ("在".to_owned(), PieceKind::Text),
            ("XX县".to_owned(), PieceKind::Blank),
        ]
    );
}

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

#[test]
fn the_seed_is_a_template_and_the_news_is_not() {
    let seed = std::fs::read_to_string(format!("{CORPUS}/seed/000_38663bb0f25ad367.txt"))
        .expect("the seed speech");
    let found = detect(seed.lines());
    let get = |pattern: &str| found.iter().find(|p| p.pattern == pattern);
    for pattern in ["X书记", "XX县", "X区", "XX全会"] {
        assert!(get(pattern).is_some(), "{pattern} in {found:?}");
    }
    assert_eq!(get("XX全会").map(|p| p.count), Some(3));

    // 16,000 news items: only the few that really write a blank (XX报) or the platform X
    // beside one may show a form.
    let news = std::fs::read_to_string(format!("{CORPUS}/news.jsonl")).expect("news.jsonl");
    let mut with_placeholders = 0;
    for line in news.lines() {
        let item: serde_json::Value = serde_json::from_str(line).expect("a news item");
        let body = item["body"].as_str().unwrap_or_default();
        if !detect(body.lines()).is_empty() {
            with_placeholders += 1;
        }
    }
    assert!(with_placeholders <= 3, "{with_placeholders} news items");
}
