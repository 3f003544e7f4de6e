//! Table tests on sentences like those of real speeches and news (../shared/corpus).

use super::*;

fn proposed(text: &str) -> String {
    let a = Anonymizer::new(AnonymizeOptions::default());
    apply(text, &a.propose(text))
}

#[test]
fn places_keep_their_suffix_and_take_x_or_xx_by_the_length_of_the_name() {
    for (input, expected) in [
        ("浙江省杭州市萧山区", "X省X市X区"),
        ("呼和浩特市", "XX市"),
        ("延边朝鲜族自治州", "X朝鲜族自治州"),
        ("广西壮族自治区", "X壮族自治区"),
        ("在浙江杭州考察", "在XX考察"),
        ("萧山区人民政府", "X区人民政府"),
        ("成功承办绍兴市九运会", "成功承办X市九运会"),
        ("习近平总书记在陕西延安考察", "XX总书记在XX考察"),
    ] {
        assert_eq!(proposed(input), expected, "{input}");
    }
}

#[test]
fn persons_before_a_title() {
    for (input, expected) in [
        ("会议由张三书记主持", "会议由X书记主持"),
        ("王区长指出", "X区长指出"),
        ("欧阳明主任强调", "XX主任强调"),
        ("向王书记汇报工作", "向X书记汇报工作"),
        ("区委书记、党委书记", "区委书记、党委书记"),
        ("公安局长和国家主席", "公安局长和国家主席"),
        ("他是班主任", "他是班主任"),
    ] {
        assert_eq!(proposed(input), expected, "{input}");
    }
}

#[test]
fn common_words_and_templates_stay() {
    for text in [
        "全区上下要抓好市场、区域、县域经济",
        "全市、全省、本市、城市、地区、社区、园区、小区",
        "提高城镇化水平，建设美丽乡村，发展乡村产业",
        "中国特色社会主义，国家战略",
        "在X书记的带领下，考察XX县和X区",
        "东西南北中，党是领导一切的",
        "绿水青山就是金山银山",
    ] {
        assert_eq!(proposed(text), text);
    }
}

#[test]
fn market_of_a_city_loses_only_the_name() {
    assert_eq!(proposed("浙江义乌市场经营主体"), "XX市场经营主体");
}

#[test]
fn custom_words_are_always_replaced_and_placeholders_are_configurable() {
    let a = Anonymizer::new(AnonymizeOptions {
        short_placeholder: "某".into(),
        long_placeholder: "某某".into(),
        custom_words: vec!["龙盛研究院".into(), " ".into()],
    });
    let text = "龙盛研究院落户萧山区";
    let r = a.propose(text);
    assert_eq!(apply(text, &r), "某某落户某区");
    assert_eq!(r[0].kind, ReplacementKind::Custom);
    assert_eq!(
        (r[1].start, r[1].end, r[1].original.as_str()),
        (7, 10, "萧山区")
    );
}

#[test]
fn replacements_serialise_with_lowercase_kinds_and_char_offsets() {
    let r = Anonymizer::new(AnonymizeOptions::default()).propose("在杭州市");
    let json = serde_json::to_string(&r).expect("serialises");
    assert_eq!(
        json,
        r#"[{"start":1,"end":4,"original":"杭州市","replacement":"X市","kind":"place"}]"#
    );
}

#[test]
fn apply_skips_stale_and_overlapping_replacements() {
    let text = "杭州市萧山区";
    let good = Replacement {
        start: 0,
        end: 3,
        original: "杭州市".into(),
        replacement: "X市".into(),
        kind: ReplacementKind::Place,
    };
    let overlapping = Replacement {
        start: 2,
        end: 6,
        original: "市萧山区".into(),
        replacement: "?".into(),
        kind: ReplacementKind::Place,
    };
    let stale = Replacement {
        start: 3,
        end: 6,
        original: "滨江区".into(),
        replacement: "X区".into(),
        kind: ReplacementKind::Place,
    };
    assert_eq!(apply(text, &[overlapping, good, stale]), "X市萧山区");
}

#[test]
fn a_known_name_at_the_end_of_an_unknown_one_stays() {
    // 丰镇 is a county-level city (丰镇市); 孝丰镇 is a town the gazetteer does not list. Replacing
    // the tail would leave 孝X — garbled, and the town still named.
    assert_eq!(
        proposed("李明县长多次到孝丰镇调研"),
        "X县长多次到孝丰镇调研"
    );
    assert_eq!(proposed("递铺街道、孝丰镇等地"), "X街道、孝丰镇等地");
    // The city itself, and after a word that ends before it, is still a name.
    assert_eq!(proposed("到丰镇市调研"), "到X市调研");
    assert_eq!(proposed("在丰镇调研"), "在X调研");
}

#[test]
fn a_city_after_a_word_is_still_a_city() {
    assert_eq!(proposed("建设美丽温州"), "建设美丽X");
}

#[test]
fn place_names_inside_other_words_stay() {
    for (input, expected) in [
        (
            "坚持拥江西进，建设城市新中心",
            "坚持拥江西进，建设城市新中心",
        ),
        ("黄河南岸的村庄", "黄河南岸的村庄"),
        ("洞庭湖南岸湿地", "洞庭湖南岸湿地"),
        ("在江西考察", "在X考察"),
        ("江西进一步加强", "X进一步加强"),
    ] {
        assert_eq!(proposed(input), expected, "{input}");
    }
}
