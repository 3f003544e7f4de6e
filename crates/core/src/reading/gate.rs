//! The gate (docs/design.md §2): the one function that decides how much of a document a viewer gets.
//! Every path that sends document text — page, JSON, snippets, feeds, meta tags — asks it.

use std::borrow::Cow;
use wenyuan_text::outline::OutlineEntry;

use wenyuan_text::preview::{preview_paragraph_count, single_paragraph_cut, PreviewRule};

use super::document::{Document, Paragraph};
use crate::{Access, Role, SiteSettings};

/// What one viewer may see of one document.
#[derive(Debug, Clone)]
pub struct GatedView<'a> {
    /// The paragraphs this viewer may read: all of them, or the preview (for a gated document of
    /// one paragraph, the first sentences of it).
    pub visible: Cow<'a, [Paragraph]>,
    /// All headings of the document (the teaser shows the whole outline, never paragraph text).
    pub outline: &'a [OutlineEntry],
    /// True when paragraphs were held back.
    pub gated: bool,
    /// Number of paragraphs held back (a paragraph cut short counts as one).
    pub hidden_paragraphs: usize,
    /// The access level needed for the rest.
    pub required: Access,
}

/// The preview rule of a document: its own override, else the site's.
pub fn preview_rule(doc: &Document, site: &SiteSettings) -> PreviewRule {
    PreviewRule {
        ratio: doc
            .preview_ratio
            .unwrap_or(site.preview_ratio)
            .clamp(0.0, 1.0) as f32,
        max_chars: doc
            .preview_max
            .map_or(site.preview_max_chars, |max| max.max(0) as usize),
    }
}

pub fn gate<'a>(viewer: Role, doc: &'a Document, site: &SiteSettings) -> GatedView<'a> {
    let all = doc.paragraphs.as_slice();
    let view = |visible: Cow<'a, [Paragraph]>, hidden_paragraphs: usize| GatedView {
        gated: hidden_paragraphs > 0,
        visible,
        outline: &doc.outline,
        hidden_paragraphs,
        required: doc.access,
    };
    if viewer.can_read(doc.access) {
        return view(Cow::Borrowed(all), 0);
    }
    if let [only] = all {
        // One paragraph: whole paragraphs would show all of it, so it is cut inside.
        return view(
            Cow::Owned(vec![cut_short(only, &preview_rule(doc, site))]),
            1,
        );
    }
    let texts: Vec<String> = all.iter().map(Paragraph::full_text).collect();
    // The preview reaches the first paragraph of real text (past a salutation or title block),
    // where list summaries come from, yet never shows everything.
    let front = wenyuan_text::lead::lead_start(&doc.title, &texts);
    let shown = preview_paragraph_count(&texts, &preview_rule(doc, site))
        .max(front + 1)
        .min(all.len() - 1);
    view(Cow::Borrowed(&all[..shown]), all.len() - shown)
}

/// The beginning of `paragraph` that the rule allows (see [`single_paragraph_cut`]); a cut inside
/// the heading keeps the heading whole, since the outline shows it anyway.
fn cut_short(paragraph: &Paragraph, rule: &PreviewRule) -> Paragraph {
    let keep = single_paragraph_cut(&paragraph.full_text(), rule);
    let head = paragraph.heading.chars().count() + paragraph.joint.chars().count();
    let (joint, text) = if keep <= head {
        (String::new(), String::new())
    } else {
        let text = paragraph.text.chars().take(keep - head).collect();
        (paragraph.joint.clone(), text)
    };
    Paragraph {
        index: paragraph.index,
        level: paragraph.level,
        heading: paragraph.heading.clone(),
        layout: paragraph.layout,
        // A row cut short keeps the cells it still has.
        cells: paragraph
            .cells
            .as_ref()
            .map(|_| wenyuan_text::Layout::cells(&text)),
        text,
        joint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenyuan_store::ArticleRow;

    fn doc(access: &str, paragraphs: usize) -> Document {
        let body: Vec<String> = (0..paragraphs)
            .map(|i| format!("第{i}段，这是一段用来测试预览长度的正文内容。"))
            .collect();
        Document::from_row(
            ArticleRow {
                id: 7,
                title: "测试".into(),
                body: body.join("\n"),
                published_on: "2024-01-01".into(),
                category_name: None,
                category_slug: None,
                access: access.into(),
                status: crate::Status::Published.as_str().into(),
                preview_ratio: None,
                preview_max: None,
                views: 0,
                updated_at: 0,
                layout: None,
            },
            vec![],
        )
    }

    #[test]
    fn guests_get_a_preview_of_member_documents_and_members_get_all() {
        let site = SiteSettings::default();
        let d = doc("member", 10);
        let guest = gate(Role::Guest, &d, &site);
        assert!(guest.gated);
        assert!(
            !guest.visible.is_empty() && guest.visible.len() <= 3,
            "30% of 10 equal paragraphs"
        );
        assert_eq!(guest.visible.len() + guest.hidden_paragraphs, 10);
        let member = gate(Role::Member, &d, &site);
        assert!(!member.gated);
        assert_eq!(member.visible.len(), 10);
    }

    #[test]
    fn vip_documents_stay_gated_for_plain_members() {
        let site = SiteSettings::default();
        let d = doc("vip", 10);
        assert!(gate(Role::Member, &d, &site).gated);
        assert!(!gate(Role::Vip, &d, &site).gated);
        assert!(!gate(Role::Editor, &d, &site).gated);
    }

    #[test]
    fn public_documents_are_never_gated() {
        let d = doc("public", 10);
        let view = gate(Role::Guest, &d, &SiteSettings::default());
        assert!(!view.gated);
        assert_eq!(view.visible.len(), 10);
    }

    #[test]
    fn a_one_paragraph_member_document_is_cut_inside_for_guests() {
        let d = doc("member", 1);
        let whole = d.paragraphs[0].full_text();
        let view = gate(Role::Guest, &d, &SiteSettings::default());
        assert!(view.gated);
        let shown = view.visible[0].full_text();
        assert!(
            shown.len() < whole.len() && whole.starts_with(&shown),
            "{shown}"
        );
        assert!(shown.ends_with('，'), "cut at a clause boundary: {shown}");
        assert_eq!(
            gate(Role::Member, &d, &SiteSettings::default()).visible[0].full_text(),
            whole
        );
    }

    #[test]
    fn a_one_paragraph_document_shows_that_paragraph_as_its_preview() {
        // The preview of a one-paragraph document is that paragraph, cut short.
        let d = doc("member", 1);
        let view = gate(Role::Guest, &d, &SiteSettings::default());
        assert_eq!(view.visible.len(), 1);
    }
}
