//! Word's automatic list numbering (`word/numbering.xml`) rendered as text, so that a heading
//! Word numbers itself (一、 （一） 1.) reads, and reaches the outline, as if it were typed.
//!
//! A paragraph names a list instance (`w:numId`) and a level (`w:ilvl`); the instance points to
//! an abstract definition whose level gives the number format (`chineseCounting`, `decimal` …),
//! the label pattern (`lvlText`, e.g. `（%2）`) and the start value. Counters run per instance in
//! document order; using a level restarts the levels below it. Bullets add nothing.

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::parts::attribute;

#[derive(Debug, Clone, Default)]
struct Level {
    format: String,
    text: String,
    start: Option<u32>,
}

/// The list definitions of a document and the counters of the lists met so far.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    /// Abstract definitions: their levels by `ilvl`.
    abstracts: HashMap<String, HashMap<u8, Level>>,
    /// Instance `numId` → abstract id.
    instances: HashMap<String, String>,
    /// Per instance, the current value of each level (`None`: not used since its parent moved).
    counters: HashMap<String, [Option<u32>; 9]>,
}

impl Numbering {
    pub(super) fn parse(xml: &[u8]) -> Result<Numbering, quick_xml::Error> {
        let mut reader = Reader::from_reader(xml);
        let mut numbering = Numbering::default();
        let mut abstract_id: Option<String> = None;
        let mut level: Option<(u8, Level)> = None;
        let mut instance: Option<String> = None;
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf)?;
            match &event {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => {
                    let val = || attribute(e, "w:val");
                    match e.name().as_ref() {
                        "w:abstractNum" => abstract_id = attribute(e, "w:abstractNumId"),
                        "w:lvl" => {
                            level = attribute(e, "w:ilvl")
                                .and_then(|l| l.parse::<u8>().ok())
                                .filter(|l| *l < 9)
                                .map(|l| (l, Level::default()))
                        }
                        "w:numFmt" => {
                            if let (Some((_, l)), Some(v)) = (level.as_mut(), val()) {
                                l.format = v;
                            }
                        }
                        "w:lvlText" => {
                            if let (Some((_, l)), Some(v)) = (level.as_mut(), val()) {
                                l.text = v;
                            }
                        }
                        "w:start" => {
                            if let (Some((_, l)), Some(v)) = (level.as_mut(), val()) {
                                l.start = v.parse().ok();
                            }
                        }
                        "w:num" => instance = attribute(e, "w:numId"),
                        "w:abstractNumId" => {
                            if let (Some(num), Some(v)) = (instance.as_ref(), val()) {
                                numbering.instances.insert(num.clone(), v);
                            }
                        }
                        _ => {}
                    }
                    // `<w:lvl/>` and `<w:num/>` without children end here.
                    if matches!(event, Event::Empty(_)) {
                        close(&mut numbering, e.name().as_ref(), &abstract_id, &mut level);
                    }
                }
                Event::End(e) => {
                    close(&mut numbering, e.name().as_ref(), &abstract_id, &mut level);
                }
                _ => {}
            }
            buf.clear();
        }
        Ok(numbering)
    }

    /// The label of the next paragraph of list `num_id` at level `ilvl`, advancing the counters;
    /// `None` for bullets, unknown lists and `numId` 0 (numbering switched off).
    pub(super) fn next_label(&mut self, num_id: &str, ilvl: u8) -> Option<String> {
        let levels = self.abstracts.get(self.instances.get(num_id)?)?;
        let ilvl = usize::from(ilvl.min(8));
        let counters = self.counters.entry(num_id.to_owned()).or_insert([None; 9]);
        let start = |l: usize| levels.get(&(l as u8)).and_then(|lv| lv.start).unwrap_or(1);
        counters[ilvl] = Some(counters[ilvl].map_or(start(ilvl), |n| n + 1));
        for deeper in counters.iter_mut().skip(ilvl + 1) {
            *deeper = None;
        }
        let level = levels.get(&(ilvl as u8))?;
        if level.format == "bullet" || level.format == "none" || level.text.is_empty() {
            return None;
        }
        let mut label = level.text.clone();
        for (l, counter) in counters.iter().enumerate().take(ilvl + 1) {
            let pattern = format!("%{}", l + 1);
            if label.contains(&pattern) {
                let value = counter.unwrap_or(start(l));
                let format = levels.get(&(l as u8)).map_or("decimal", |lv| &lv.format);
                label = label.replace(&pattern, &format_number(value, format));
            }
        }
        Some(label)
    }
}

fn close(
    numbering: &mut Numbering,
    name: &str,
    abstract_id: &Option<String>,
    level: &mut Option<(u8, Level)>,
) {
    if name == "w:lvl" {
        if let (Some(id), Some((ilvl, lv))) = (abstract_id, level.take()) {
            numbering
                .abstracts
                .entry(id.clone())
                .or_default()
                .insert(ilvl, lv);
        }
    }
}

/// A counter value in one of Word's number formats (the ones Chinese documents use; others
/// fall back to Arabic digits).
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "chineseLegalSimplified"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand" => chinese(n),
        "ideographTraditional" => cycle(n, "甲乙丙丁戊己庚辛壬癸"),
        "ideographZodiac" => cycle(n, "子丑寅卯辰巳午未申酉戌亥"),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or_else(|| n.to_string(), String::from)
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .filter_map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32))
            .collect(),
        "upperLetter" => letters(n, b'A'),
        "lowerLetter" => letters(n, b'a'),
        "upperRoman" => roman(n),
        "lowerRoman" => roman(n).to_lowercase(),
        _ => n.to_string(),
    }
}

fn cycle(n: u32, symbols: &str) -> String {
    let symbols: Vec<char> = symbols.chars().collect();
    let i = (n.max(1) as usize - 1) % symbols.len();
    symbols[i].to_string()
}

fn letters(n: u32, base: u8) -> String {
    let letter = char::from(base + ((n.max(1) - 1) % 26) as u8);
    letter
        .to_string()
        .repeat(((n.max(1) - 1) / 26 + 1) as usize)
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, symbol) in TABLE {
        while n >= value {
            out.push_str(symbol);
            n -= value;
        }
    }
    out
}

/// 一 … 十 … 十一 … 二十 … 九十九 … 一百零一: the way 公文 headings count.
fn chinese(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_owned(),
        10..=19 => format!(
            "十{}",
            if n > 10 {
                DIGITS[(n % 10) as usize]
            } else {
                ""
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if !n.is_multiple_of(10) {
                DIGITS[(n % 10) as usize]
            } else {
                ""
            }
        ),
        100..=999 => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", DIGITS[rest as usize]),
                10..=19 => format!("一{}", chinese(rest)),
                _ => chinese(rest),
            };
            format!("{}百{tail}", DIGITS[(n / 100) as usize])
        }
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<w:numbering xmlns:w="w">
      <w:abstractNum w:abstractNumId="0">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
        <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="1">
        <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="&#61623;"/></w:lvl>
      </w:abstractNum>
      <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
    </w:numbering>"#;

    #[test]
    fn gongwen_levels_count_and_restart() {
        let mut n = Numbering::parse(XML.as_bytes()).unwrap_or_default();
        let labels: Vec<Option<String>> = [
            ("1", 0),
            ("1", 1),
            ("1", 1),
            ("1", 2),
            ("1", 0),
            ("1", 1),
            ("2", 0),
            ("9", 0),
        ]
        .iter()
        .map(|(id, l)| n.next_label(id, *l))
        .collect();
        let want = [
            Some("一、"),
            Some("（一）"),
            Some("（二）"),
            Some("1."),
            Some("二、"),
            Some("（一）"),
            None,
            None,
        ];
        assert_eq!(
            labels.iter().map(Option::as_deref).collect::<Vec<_>>(),
            want
        );
    }

    #[test]
    fn chinese_numbers() {
        for (n, want) in [
            (1, "一"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (35, "三十五"),
            (100, "一百"),
            (105, "一百零五"),
            (115, "一百一十五"),
        ] {
            assert_eq!(chinese(n), want);
        }
        assert_eq!(format_number(3, "ideographTraditional"), "丙");
        assert_eq!(format_number(2, "decimalEnclosedCircle"), "②");
        assert_eq!(format_number(4, "upperRoman"), "IV");
    }
}
