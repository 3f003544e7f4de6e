//! Precision and recall of the anonymiser on hand-marked real sentences
//! (tests/data/anonymize_eval.tsv; see its header for what is marked).
//!
//! A proposal counts as right when its span is exactly a marked name's. Targets (issue 5):
//! recall ≥ 0.9 on place names, precision ≥ 0.95 over all proposals. To see the figures and
//! every miss and false alarm:
//!
//! ```text
//! cargo test -p wenyuan-text --test anonymize_eval -- --nocapture
//! ```

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use wenyuan_text::{AnonymizeOptions, Anonymizer, ReplacementKind};

const DATA: &str = include_str!("data/anonymize_eval.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Marked {
    Place,
    Person,
}

struct Sentence {
    text: String,
    /// (start, end, kind) in characters of `text`.
    names: Vec<(usize, usize, Marked)>,
}

/// `在[浙江|place]考察` → text `在浙江考察`, names [(1, 3, Place)].
fn parse(annotated: &str) -> Sentence {
    let mut text = String::new();
    let mut names = Vec::new();
    let mut chars = 0;
    let mut rest = annotated;
    while let Some(open) = rest.find('[') {
        let before = &rest[..open];
        text.push_str(before);
        chars += before.chars().count();
        let close = rest[open..].find(']').expect("] after [") + open;
        let (name, kind) = rest[open + 1..close].split_once('|').expect("name|kind");
        let kind = match kind {
            "place" => Marked::Place,
            "person" => Marked::Person,
            other => panic!("unknown kind {other} in {annotated}"),
        };
        let len = name.chars().count();
        names.push((chars, chars + len, kind));
        text.push_str(name);
        chars += len;
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    Sentence { text, names }
}

fn sentences() -> Vec<Sentence> {
    DATA.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| parse(l.split_once('\t').expect("source<TAB>sentence").1))
        .collect()
}

#[test]
fn the_evaluation_set_is_big_enough_and_well_formed() {
    let all = sentences();
    let with_names = all.iter().filter(|s| !s.names.is_empty()).count();
    assert!(with_names >= 150, "{with_names} sentences with names");
    let s = parse("在[浙江|place]考察，[张三|person]书记");
    assert_eq!(s.text, "在浙江考察，张三书记");
    assert_eq!(s.names, vec![(1, 3, Marked::Place), (6, 8, Marked::Person)]);
}

#[test]
fn precision_and_recall_meet_the_targets() {
    let anonymizer = Anonymizer::new(AnonymizeOptions::default());
    let (mut proposed, mut right) = (0usize, 0usize);
    let (mut places, mut places_found) = (0usize, 0usize);
    let (mut persons, mut persons_found) = (0usize, 0usize);
    let mut report = String::new();
    for s in sentences() {
        let got = anonymizer.propose(&s.text);
        let expected: HashSet<(usize, usize)> = s.names.iter().map(|&(a, b, _)| (a, b)).collect();
        let found: HashSet<(usize, usize)> = got.iter().map(|r| (r.start, r.end)).collect();
        let chars: Vec<char> = s.text.chars().collect();
        let cut = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        for r in &got {
            proposed += 1;
            if expected.contains(&(r.start, r.end)) {
                right += 1;
            } else {
                report += &format!("false alarm  {} ({:?}) in {}\n", r.original, r.kind, s.text);
            }
        }
        for &(a, b, kind) in &s.names {
            let hit = found.contains(&(a, b));
            match kind {
                Marked::Place => {
                    places += 1;
                    places_found += usize::from(hit);
                }
                Marked::Person => {
                    persons += 1;
                    persons_found += usize::from(hit);
                }
            }
            if !hit {
                report += &format!("missed       {} ({kind:?}) in {}\n", cut(a, b), s.text);
            }
        }
        // Kinds are consistent with what was marked: places come back as places or as the
        // place part of an organisation, persons as persons.
        for r in &got {
            if let Some(&(_, _, kind)) = s
                .names
                .iter()
                .find(|&&(a, b, _)| (a, b) == (r.start, r.end))
            {
                let ok = match kind {
                    Marked::Place => matches!(
                        r.kind,
                        ReplacementKind::Place | ReplacementKind::Organisation
                    ),
                    Marked::Person => r.kind == ReplacementKind::Person,
                };
                assert!(
                    ok,
                    "{} marked {kind:?}, proposed as {:?}",
                    r.original, r.kind
                );
            }
        }
    }
    let precision = right as f64 / proposed.max(1) as f64;
    let place_recall = places_found as f64 / places.max(1) as f64;
    let person_recall = persons_found as f64 / persons.max(1) as f64;
    let all_recall = (places_found + persons_found) as f64 / (places + persons).max(1) as f64;
    println!("{report}");
    println!(
        "precision {precision:.3} ({right}/{proposed}); place recall {place_recall:.3} ({places_found}/{places}); \
         person recall {person_recall:.3} ({persons_found}/{persons}); overall recall {all_recall:.3}"
    );
    assert!(
        place_recall >= 0.9,
        "place recall {place_recall:.3}\n{report}"
    );
    assert!(precision >= 0.95, "precision {precision:.3}\n{report}");
}
