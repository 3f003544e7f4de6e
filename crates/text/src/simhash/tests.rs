//! Fingerprints of real documents from `../shared/corpus` and of edited copies.

use super::*;
use crate::anonymize::{apply, AnonymizeOptions, Anonymizer};

/// (title, paragraphs) of the corpus reports, by id.
fn report(id: &str) -> (String, Vec<String>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/reports.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("the corpus beside the repository");
    let record: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON record"))
        .find(|r| r["id"] == id)
        .expect("the report is in the corpus");
    let paragraphs = record["body"]
        .as_str()
        .expect("a body")
        .split('\n')
        .map(str::to_owned)
        .filter(|p| !p.trim().is_empty())
        .collect();
    (
        record["title"].as_str().expect("a title").to_owned(),
        paragraphs,
    )
}

fn distance(a: &(String, Vec<String>), b: &(String, Vec<String>)) -> u32 {
    hamming(simhash(&a.0, &a.1), simhash(&b.0, &b.1))
}

#[test]
fn hamming_and_similarity() {
    assert_eq!(hamming(0, 0), 0);
    assert_eq!(hamming(0, u64::MAX), 64);
    assert_eq!(hamming(0b1011, 0b0001), 2);
    assert!((similarity(7, 7) - 1.0).abs() < 1e-12);
    assert!((similarity(0, 0b1111) - 0.9375).abs() < 1e-12);
}

#[test]
fn the_same_document_gets_the_same_stored_value() {
    let title = "在2020年区委读书会上的讲话";
    let body = ["这次读书会是在全区上下深入学习贯彻党的XX全会精神的大背景下召开的。"];
    let first = simhash(title, &body);
    assert_eq!(first, simhash(title, &body));
    // Stored in databases: this value must never change (a new one needs a migration that
    // recomputes every fingerprint, as 0016_fingerprints_with_numbers does).
    assert_eq!(first, 0x81bb_b4b1_fe26_9eb2, "{first:#018x}");
    // Width, 繁体 and white space do not matter.
    assert_eq!(
        simhash(
            "在２０２０年区委读书会上的讲话",
            &["这次读书会是在全区上下深入学习贯彻党的XX全会精神的大背景下召开的。"]
        ),
        first
    );
}

#[test]
fn one_changed_paragraph_of_a_long_report_moves_few_bits() {
    let original = report("gwr-002");
    let mut edited = original.clone();
    // A paragraph of ordinary length (a few sentences), not a heading.
    let at = edited
        .1
        .iter()
        .enumerate()
        .filter(|(_, p)| (60..200).contains(&p.chars().count()))
        .map(|(i, _)| i)
        .nth(5)
        .expect("the report has paragraphs of a few sentences");
    edited.1[at] = "我们要坚持把发展经济的着力点放在实体经济上，推进新型工业化，加快建设制造强国、\
                    质量强国、网络强国、数字中国。"
        .to_owned();
    let d = distance(&original, &edited);
    assert!(d <= 2, "distance {d}");
    let middle = edited.1.len() / 2;

    let mut reordered = original.clone();
    reordered.1.swap(3, 40);
    reordered.1.swap(10, 60);
    assert!(distance(&original, &reordered) <= 2);

    let mut shortened = original.clone();
    shortened.1.remove(middle);
    assert!(distance(&original, &shortened) <= 2);
}

#[test]
fn an_anonymised_copy_is_a_near_duplicate() {
    // The report to the 11th Party Congress, full of names of people and places.
    let original = report("cpc-006");
    let anonymizer = Anonymizer::new(AnonymizeOptions::default());
    let anonymised: Vec<String> = original
        .1
        .iter()
        .map(|p| apply(p, &anonymizer.propose(p)))
        .collect();
    assert_ne!(anonymised, original.1, "the speech names places and people");
    let d = distance(&original, &(original.0.clone(), anonymised));
    assert!(d <= 3, "distance {d}");
}

#[test]
fn resolutions_of_one_template_are_near_and_reports_are_far() {
    // The same 决议 with the years in its text changed: a long document ignores its numbers.
    let resolution = report("gwr-026");
    let years_changed = (
        resolution.0.clone(),
        resolution
            .1
            .iter()
            .map(|p| p.replace("2012", "2011"))
            .collect::<Vec<_>>(),
    );
    let d = distance(&resolution, &years_changed);
    assert!(d <= 2, "distance {d}");
    // The 决议 of another session: its title differs in a number, so it is another document.
    let other_session = (
        resolution.0.replace("第五次", "第四次"),
        years_changed.1.clone(),
    );
    assert_ne!(other_session.0, resolution.0);
    let d = distance(&resolution, &other_session);
    assert!(d >= 6, "distance {d}");

    // Two government work reports, a year apart: same kind, different documents, well beyond
    // the default near-duplicate distance (3).
    let d = distance(&report("gwr-000"), &report("gwr-002"));
    assert!(d >= 6, "distance {d}");
    // Unrelated documents differ in about half the bits.
    let d = distance(&report("gwr-000"), &report("cpc-002"));
    assert!(d >= 16, "distance {d}");
}

#[test]
fn short_notices_of_different_years_or_figures_are_different_documents() {
    let notice = |year: &str, members: &str| {
        (
            format!("国家主席发表{year}年新年贺词"),
            vec![
                format!("新年前夕，国家主席通过中央广播电视总台和互联网，发表了{year}年新年贺词。"),
                format!("贺词回顾了过去一年的成就，全国党员总数达到{members}名。"),
                "贺词在广大干部群众中引起热烈反响，大家表示要团结奋斗、开拓进取。".to_owned(),
            ],
        )
    };
    let d = distance(&notice("2023", "9671.2万"), &notice("2026", "9671.2万"));
    assert!(d >= 6, "years in the title: distance {d}");
    // Years in Chinese numerals, as the corpus's notices write them.
    let d = distance(
        &notice("二〇二五", "9671.2万"),
        &notice("二〇二六", "9671.2万"),
    );
    assert!(
        d >= 6,
        "years in Chinese numerals in the title: distance {d}"
    );
    // Same title, a figure in the (short) text differs: counted too.
    let a = notice("2024", "7416.7万");
    let b = notice("2024", "7531.8万");
    assert!(distance(&a, &b) >= 1, "the figure counts in a short text");
    // A copy of the same notice is still the same document.
    assert_eq!(distance(&a, &a.clone()), 0);
}

#[test]
fn function_words_fit_the_length_checked_before_the_list() {
    for word in FUNCTION_WORDS {
        assert!(word.len() <= FUNCTION_WORD_BYTES, "{word}");
    }
    assert!(!is_feature_word("我们") && !is_feature_word("同志"));
    assert!(is_feature_word("我们的工作"));
}

#[test]
fn numerals_and_number_marks_are_the_documented_ones() {
    for c in "0123456789零〇一二三四五六七八九十百千万亿两".chars() {
        assert!(is_numeral(c), "{c}");
    }
    for c in "第次届年月日号.%,-".chars() {
        assert!(is_number_mark(c) && !is_numeral(c), "{c}");
    }
    assert!(is_number("2012年") && is_number("第五次") && is_number("3.5%"));
    assert!(!is_number("第") && !is_number("年度") && !is_numeral('a'));
}
