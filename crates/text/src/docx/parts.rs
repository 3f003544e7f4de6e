//! The small parts of a `.docx` besides the body: `word/styles.xml` (which paragraph styles are
//! headings) and `docProps/core.xml` (title and creation date).

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// What a paragraph style makes of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StyleRole {
    Title,
    /// A heading, 1 = top level.
    Heading(u8),
}

#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    outline_level: Option<u8>,
    based_on: Option<String>,
}

/// Paragraph styles by id, from `word/styles.xml`.
#[derive(Debug, Default)]
pub(super) struct Styles(HashMap<String, Style>);

/// How far `w:basedOn` chains are followed (they can be cyclic in damaged files).
const MAX_BASED_ON: usize = 8;

impl Styles {
    pub(super) fn parse(xml: &[u8]) -> Result<Styles, quick_xml::Error> {
        let mut reader = Reader::from_reader(xml);
        let mut styles = HashMap::new();
        let mut current: Option<(String, Style)> = None;
        let mut buf = Vec::new();
        loop {
            let event = reader.read_event_into(&mut buf)?;
            match &event {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                    "w:style" => {
                        let paragraph = attribute(e, "w:type").is_none_or(|t| t == "paragraph");
                        current = attribute(e, "w:styleId")
                            .filter(|_| paragraph)
                            .map(|id| (id, Style::default()));
                    }
                    "w:name" | "w:basedOn" | "w:outlineLvl" => {
                        if let (Some((_, style)), Some(val)) =
                            (current.as_mut(), attribute(e, "w:val"))
                        {
                            match e.name().as_ref() {
                                "w:name" => style.name = val,
                                "w:basedOn" => style.based_on = Some(val),
                                _ => style.outline_level = val.parse().ok().filter(|l| *l < 9),
                            }
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.name().as_ref() == "w:style" => {
                    if let Some((id, style)) = current.take() {
                        styles.insert(id, style);
                    }
                }
                _ => {}
            }
            buf.clear();
        }
        Ok(Styles(styles))
    }

    /// The role of the paragraph style `id`: by its name (`Title`, `heading 2`, `标题 2`), its
    /// outline level, or those of the style it is based on; without `styles.xml`, by the id
    /// itself (`Heading2`, `Title`).
    pub(super) fn role(&self, id: &str) -> Option<StyleRole> {
        let mut id = id.to_owned();
        for _ in 0..MAX_BASED_ON {
            let Some(style) = self.0.get(&id) else {
                return role_from_name(&id);
            };
            if let Some(role) = role_from_name(&style.name) {
                return Some(role);
            }
            if let Some(level) = style.outline_level {
                return Some(StyleRole::Heading(level + 1));
            }
            id = style.based_on.clone()?;
        }
        None
    }
}

/// `Title`, `标题`, `heading 1`, `Heading1`, `标题 1`, `标题1` (case and spaces ignored).
fn role_from_name(name: &str) -> Option<StyleRole> {
    let key: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if key == "title" || key == "标题" {
        return Some(StyleRole::Title);
    }
    let digits = key
        .strip_prefix("heading")
        .or_else(|| key.strip_prefix("标题"))?;
    match digits.parse::<u8>() {
        Ok(level @ 1..=9) => Some(StyleRole::Heading(level)),
        _ => None,
    }
}

/// What `docProps/core.xml` says about the document.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct CoreProps {
    pub title: Option<String>,
    /// `dcterms:created` as `YYYY-MM-DD`.
    pub created: Option<String>,
}

impl CoreProps {
    pub(super) fn parse(xml: &[u8]) -> Result<CoreProps, quick_xml::Error> {
        let mut reader = Reader::from_reader(xml);
        let mut props = CoreProps::default();
        let mut inside: Option<&'static str> = None;
        let mut text = String::new();
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf)? {
                Event::Eof => break,
                Event::Start(e) => {
                    inside = match e.name().as_ref() {
                        "dc:title" => Some("title"),
                        "dcterms:created" => Some("created"),
                        _ => None,
                    };
                    text.clear();
                }
                Event::Text(t) if inside.is_some() => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if inside.is_some() => {
                    if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                        text.push_str(s);
                    }
                }
                Event::End(_) => {
                    let value = text.trim().to_owned();
                    match inside.take() {
                        Some("title") if !value.is_empty() => props.title = Some(value),
                        Some("created") => {
                            props.created =
                                crate::date::parse_date_prefix(&value).map(|(date, _)| date)
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
            buf.clear();
        }
        Ok(props)
    }
}

/// The value of attribute `name` (a qualified name such as `w:val`), entities resolved.
pub(super) fn attribute(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_roles_from_style_names_levels_and_ids() {
        let xml = r#"<w:styles xmlns:w="x">
            <w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/></w:style>
            <w:style w:type="paragraph" w:styleId="my"><w:name w:val="我的标题"/><w:basedOn w:val="2"/></w:style>
            <w:style w:type="paragraph" w:styleId="2"><w:name w:val="标题 2"/></w:style>
            <w:style w:type="paragraph" w:styleId="lvl"><w:name w:val="Custom"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="body"><w:name w:val="Normal"/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>
            <w:style w:type="character" w:styleId="c1"><w:name w:val="heading 1 Char"/></w:style>
        </w:styles>"#.as_bytes();
        let styles = Styles::parse(xml).unwrap();
        assert_eq!(styles.role("1"), Some(StyleRole::Heading(1)));
        assert_eq!(styles.role("a3"), Some(StyleRole::Title));
        assert_eq!(styles.role("my"), Some(StyleRole::Heading(2)));
        assert_eq!(styles.role("lvl"), Some(StyleRole::Heading(3)));
        assert_eq!(styles.role("body"), None);
        assert_eq!(styles.role("Heading3"), Some(StyleRole::Heading(3)));
        assert_eq!(styles.role("c1"), None);
        assert_eq!(Styles::default().role("Title"), Some(StyleRole::Title));
    }

    #[test]
    fn core_props() {
        let xml = r#"<cp:coreProperties xmlns:cp="a" xmlns:dc="b" xmlns:dcterms="c">
            <dc:title>关于做好2021年工作的通知 &amp; 附件</dc:title>
            <dcterms:created xsi:type="dcterms:W3CDTF">2021-03-05T08:00:00Z</dcterms:created>
        </cp:coreProperties>"#
            .as_bytes();
        assert_eq!(
            CoreProps::parse(xml).unwrap(),
            CoreProps {
                title: Some("关于做好2021年工作的通知 & 附件".to_owned()),
                created: Some("2021-03-05".to_owned()),
            }
        );
    }
}
