//! Taking a 范文 away: the whole document as a 公文-formatted .docx or as plain text, for whoever
//! the gate shows the whole document to — and for no one else, so a download can never carry
//! more than the page does (docs/design.md §2).

pub mod docx;
pub mod fill;
pub mod quota;

use std::sync::Arc;

use crate::context::Context;
use crate::reading::{gate::gate, Paragraph, Reading};
use crate::{Access, CoreError, Result, Role};
use fill::{FillPreview, FillValues};

/// The file formats a reader may take away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Txt,
}

impl Format {
    /// `docx` or `txt` (the `format=` of the download link); anything else is `None`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "docx" => Some(Format::Docx),
            "txt" => Some(Format::Txt),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Txt => "txt",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Txt => "text/plain; charset=utf-8",
        }
    }
}

/// A file ready to send.
#[derive(Debug, Clone)]
pub struct TakeawayFile {
    pub id: i64,
    /// The document's title, for the file name.
    pub title: String,
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// What a download request gets.
#[derive(Debug)]
pub enum Download {
    File(TakeawayFile),
    /// The gate holds text back from this viewer: `required` is the level that reads it all
    /// (a guest is asked to log in, a member to become VIP).
    Refused {
        required: Access,
    },
}

/// What a fill preview request gets.
#[derive(Debug)]
pub enum Filling {
    Preview(FillPreview),
    /// As for [`Download::Refused`].
    Refused {
        required: Access,
    },
}

/// The text a download carries: the title and every paragraph, as the gate let through.
pub struct TakeawayText<'a> {
    pub title: &'a str,
    pub paragraphs: &'a [Paragraph],
}

pub struct Takeaway {
    ctx: Context,
    reading: Arc<Reading>,
}

impl Takeaway {
    pub(crate) fn new(ctx: Context, reading: Arc<Reading>) -> Self {
        Takeaway { ctx, reading }
    }

    /// Document `id` as a file for `role`, or why not, with the reader's `values` written in
    /// place of its placeholders (填写本单位信息; none given: the text as it is). Unpublished
    /// documents are not found for readers (as on the page); staff may download them.
    pub async fn download(
        &self,
        id: i64,
        role: Role,
        format: Format,
        values: &FillValues,
    ) -> Result<Download> {
        let doc = self.reading.readable_document(id, role.is_staff()).await?;
        let site = self.ctx.settings();
        let view = gate(role, &doc, &site);
        if view.gated {
            return Ok(Download::Refused {
                required: view.required,
            });
        }
        let filled = fill::fill(&doc.title, &view.visible, values);
        let text = match &filled {
            Some(filled) => TakeawayText {
                title: &filled.title,
                paragraphs: &filled.paragraphs,
            },
            None => TakeawayText {
                title: &doc.title,
                paragraphs: &view.visible,
            },
        };
        let bytes = match format {
            Format::Txt => plain_text(&text).into_bytes(),
            Format::Docx => docx::gongwen_docx(&text)
                .map_err(|err| CoreError::Internal(format!("writing the .docx: {err}")))?,
        };
        Ok(Download::File(TakeawayFile {
            id,
            // A filled title names the file as the reader's own (在安吉县…的讲话).
            title: text.title.to_owned(),
            format,
            bytes,
        }))
    }

    /// The on-page preview of document `id` filled with `values`, for whoever may download it
    /// (the same gate and the same refusal as [`Takeaway::download`]).
    pub async fn fill_preview(&self, id: i64, role: Role, values: &FillValues) -> Result<Filling> {
        let doc = self.reading.readable_document(id, role.is_staff()).await?;
        let site = self.ctx.settings();
        let view = gate(role, &doc, &site);
        if view.gated {
            return Ok(Filling::Refused {
                required: view.required,
            });
        }
        Ok(Filling::Preview(fill::preview(
            id,
            &doc.title,
            &view.visible,
            values,
        )))
    }
}

/// The .txt: the title, a blank line, one paragraph per line.
pub fn plain_text(doc: &TakeawayText<'_>) -> String {
    let mut out = String::with_capacity(
        doc.title.len()
            + doc
                .paragraphs
                .iter()
                .map(|p| p.text.len() + 16)
                .sum::<usize>(),
    );
    out.push_str(doc.title);
    out.push_str("\n\n");
    for p in doc.paragraphs {
        out.push_str(&p.full_text());
        out.push('\n');
    }
    out
}

/// The longest line a date line or 落款 can be: longer lines are prose.
const ENDING_MAX_CHARS: usize = 30;

/// Split off the ending of a 公文: a trailing date line (`2024年12月20日`, `二〇二四年十二月二十日`)
/// and, just before it, the signature line (落款), both set right-aligned. Without a date line
/// nothing is split off: a short last line alone may as well be a slogan.
pub fn ending_lines(paragraphs: &[Paragraph]) -> (&[Paragraph], &[Paragraph]) {
    let Some(last) = paragraphs.last() else {
        return (paragraphs, &[]);
    };
    if last.level.is_some() || !is_date_line(&last.text) {
        return (paragraphs, &[]);
    }
    let mut start = paragraphs.len() - 1;
    if let Some(before) = start.checked_sub(1).and_then(|i| paragraphs.get(i)) {
        if is_signature_line(before) {
            start -= 1;
        }
    }
    paragraphs.split_at(start)
}

/// A line that is only a date, in Arabic or Chinese numerals.
fn is_date_line(text: &str) -> bool {
    let text = text.trim();
    let Some(rest) = text.strip_suffix('日') else {
        return false;
    };
    let Some((year, rest)) = rest.split_once('年') else {
        return false;
    };
    let Some((month, day)) = rest.split_once('月') else {
        return false;
    };
    let arabic = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.chars().count()) && s.chars().all(|c| c.is_ascii_digit())
    };
    let chinese_year = |s: &str| {
        s.chars().count() == 4 && s.chars().all(|c| "〇零○Ｏ0一二三四五六七八九".contains(c))
    };
    let chinese_number = |s: &str| {
        (1..=3).contains(&s.chars().count())
            && s.chars().all(|c| "一二三四五六七八九十".contains(c))
    };
    (arabic(year, 4, 4) && arabic(month, 1, 2) && arabic(day, 1, 2))
        || (chinese_year(year) && chinese_number(month) && chinese_number(day))
}

/// A 落款: a short line naming who signs, not a sentence of the text.
fn is_signature_line(p: &Paragraph) -> bool {
    let text = p.full_text();
    let text = text.trim();
    p.level.is_none()
        && !text.is_empty()
        && text.chars().count() <= ENDING_MAX_CHARS
        && !text.ends_with(['。', '；', '：', '！', '？', '，', ';', ':', '!', '?', ','])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(lines: &[&str]) -> Vec<Paragraph> {
        lines
            .iter()
            .enumerate()
            .map(|(index, text)| Paragraph {
                index,
                level: None,
                heading: String::new(),
                text: (*text).to_owned(),
                joint: String::new(),
                ..Paragraph::default()
            })
            .collect()
    }

    #[test]
    fn a_trailing_date_and_the_signature_before_it_are_the_ending() {
        let doc = paragraphs(&[
            "正文第一段。",
            "正文第二段。",
            "中共XX县委办公室",
            "2024年12月20日",
        ]);
        let (body, ending) = ending_lines(&doc);
        assert_eq!(body.len(), 2);
        assert_eq!(ending.len(), 2);
        let doc = paragraphs(&["正文。", "二〇二四年十二月二十日"]);
        assert_eq!(ending_lines(&doc).1.len(), 1, "a date line without a 落款");
        let doc = paragraphs(&["正文。", "最后一句话也是正文。", "二〇二四年十二月二十日"]);
        assert_eq!(ending_lines(&doc).1.len(), 1, "a sentence is not a 落款");
    }

    #[test]
    fn without_a_date_line_there_is_no_ending() {
        for last in [
            "谢谢大家！",
            "2024年12月20日上午召开会议",
            "2024年13",
            "中共XX县委",
        ] {
            let doc = paragraphs(&["正文。", last]);
            assert!(ending_lines(&doc).1.is_empty(), "{last}");
        }
    }

    #[test]
    fn the_text_file_is_the_title_a_blank_line_and_the_paragraphs() {
        let doc = paragraphs(&["第一段。", "第二段。"]);
        let text = plain_text(&TakeawayText {
            title: "标题",
            paragraphs: &doc,
        });
        assert_eq!(text, "标题\n\n第一段。\n第二段。\n");
    }
}
