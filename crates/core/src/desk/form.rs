//! The editor's document form: what was typed (kept verbatim, so a refused form comes back as it
//! was sent) and its validation into a document ready to store.

use serde::{Deserialize, Serialize};
use wenyuan_text::{content_hash, parse_markdown};

use crate::error::FieldError;
use crate::{Access, Status};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
const MAX_TAG_CHARS: usize = 32;
const MAX_CATEGORY_CHARS: usize = 32;

/// The form as typed. Every field is text: a refused form is shown back exactly.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentForm {
    pub title: String,
    pub body: String,
    /// `plain` (one paragraph per line) or `markdown`.
    pub format: String,
    /// Publish date `YYYY-MM-DD`; empty means today.
    pub date: String,
    /// The chosen existing category's name; empty for none.
    pub category: String,
    /// A new category typed in; wins over the chosen one.
    pub new_category: String,
    /// Tags separated by commas or 、.
    pub tags: String,
    pub status: String,
    pub access: String,
    /// Share of the text guests see, in percent; empty means the site default.
    pub preview_ratio: String,
    /// Most characters guests see; empty means the site default.
    pub preview_max: String,
}

/// A form that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDocument {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub published_on: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub status: Status,
    pub access: Access,
    pub preview_ratio: Option<f64>,
    pub preview_max: Option<i64>,
}

impl ValidDocument {
    pub fn body(&self) -> String {
        self.paragraphs.join("\n")
    }

    pub fn content_hash(&self) -> String {
        content_hash(&self.title, &self.paragraphs)
    }

    /// The near-duplicate fingerprint of the text (computed off the async threads).
    pub async fn simhash(&self) -> crate::Result<u64> {
        crate::desk::near_duplicates::fingerprint(&self.title, &self.paragraphs).await
    }
}

impl DocumentForm {
    /// Check the form; `today` fills an empty date. The error lists every problem found, each
    /// saying what to do.
    pub fn validate(&self, today: &str) -> Result<ValidDocument, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim().replace(['\r', '\n'], " ");
        if title.is_empty() {
            errors.push(FieldError::new("title", "标题不能为空".to_owned()));
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.push(FieldError::new(
                "title",
                format!(
                    "标题太长（{} 字），请控制在 {MAX_TITLE_CHARS} 字以内",
                    title.chars().count()
                ),
            ));
        }
        let paragraphs = if self.body.len() > MAX_BODY_BYTES {
            errors.push(FieldError::new(
                "body",
                format!(
                    "正文太长（{:.1} MB），上限 2 MB：请拆成几篇",
                    self.body.len() as f64 / (1024.0 * 1024.0)
                ),
            ));
            Vec::new()
        } else {
            match self.paragraphs(&title) {
                Ok(p) if p.is_empty() => {
                    errors.push(FieldError::new("body", "正文不能为空".to_owned()));
                    p
                }
                Ok(p) => p,
                Err(e) => {
                    errors.push(FieldError::new("body", e));
                    Vec::new()
                }
            }
        };
        let date = self.date.trim();
        let published_on = if date.is_empty() {
            today.to_owned()
        } else if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() && date.len() == 10 {
            date.to_owned()
        } else {
            errors.push(FieldError::new(
                "date",
                format!("发布日期「{date}」不对：请写成 YYYY-MM-DD，如 2024-03-01"),
            ));
            String::new()
        };
        let category = [&self.new_category, &self.category]
            .into_iter()
            .map(|c| c.trim())
            .find(|c| !c.is_empty())
            .map(str::to_owned);
        if category
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_CATEGORY_CHARS)
        {
            errors.push(FieldError::new(
                "category",
                format!("栏目名太长，请控制在 {MAX_CATEGORY_CHARS} 字以内"),
            ));
        }
        let tags = split_tags(&self.tags);
        if let Some(long) = tags.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
            errors.push(FieldError::new(
                "tags",
                format!("标签「{long}」太长，每个标签不超过 {MAX_TAG_CHARS} 字"),
            ));
        }
        let status = match self.status.trim() {
            "" => Ok(Status::Draft),
            s => s.parse::<Status>().map_err(|_| s),
        };
        if let Err(typed) = status {
            errors.push(FieldError::new(
                "status",
                format!("状态「{typed}」不对：应为草稿、待审、已发布或已隐藏"),
            ));
        }
        let access = match self.access.trim() {
            "" => Ok(Access::Public),
            a => a.parse::<Access>(),
        };
        if access.is_err() {
            errors.push(FieldError::new(
                "access",
                "阅读权限应为公开、会员或 VIP".to_owned(),
            ));
        }
        let preview_ratio = match self.preview_ratio.trim() {
            "" => None,
            r => match r.trim_end_matches('%').trim().parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => Some(p / 100.0),
                _ => {
                    errors.push(FieldError::new(
                        "preview_ratio",
                        format!("预览比例「{r}」不对：请填 0 到 100 的数字（百分比）"),
                    ));
                    None
                }
            },
        };
        let preview_max = match self.preview_max.trim() {
            "" => None,
            m => match m.parse::<i64>() {
                Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        "preview_max",
                        format!("预览字数「{m}」不对：请填 0 或正整数"),
                    ));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidDocument {
            title,
            paragraphs,
            published_on,
            category,
            tags,
            status: status.unwrap_or(Status::Draft),
            access: access.unwrap_or(Access::Public),
            preview_ratio,
            preview_max,
        })
    }

    /// The body's paragraphs: one per line for plain text; Markdown reduced to plain paragraphs
    /// by the importer's parser.
    fn paragraphs(&self, title: &str) -> Result<Vec<String>, String> {
        if self.format == "markdown" {
            if self.body.trim().is_empty() {
                return Ok(Vec::new());
            }
            // The title goes in as the `# ` heading, so the parser never takes a body line for it.
            return parse_markdown(&format!("# {title}\n\n{}", self.body))
                .map(|doc| doc.paragraphs)
                .map_err(|e| format!("Markdown 无法解析：{e}"));
        }
        Ok(self
            .body
            .lines()
            .map(|l| l.trim_matches(char::is_whitespace))
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect())
    }
}

/// Tags as typed: separated by commas (half or full width), 、 or semicolons; trimmed, without
/// repeats, in the order given.
pub fn split_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split([',', '，', '、', ';', '；', '\n']) {
        let tag = tag.trim();
        if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(title: &str, body: &str) -> DocumentForm {
        DocumentForm {
            title: title.to_owned(),
            body: body.to_owned(),
            ..DocumentForm::default()
        }
    }

    #[test]
    fn a_plain_form_becomes_paragraphs_with_defaults() {
        let doc = form(
            " 在全区会议上的讲话 ",
            "一、总体情况\r\n\r\n　　今年以来，全区上下。\n",
        )
        .validate("2024-05-01")
        .unwrap();
        assert_eq!(doc.title, "在全区会议上的讲话");
        assert_eq!(doc.paragraphs, ["一、总体情况", "今年以来，全区上下。"]);
        assert_eq!(doc.published_on, "2024-05-01");
        assert_eq!(doc.status, Status::Draft);
        assert_eq!(doc.access, Access::Public);
        assert_eq!((doc.preview_ratio, doc.preview_max), (None, None));
    }

    #[test]
    fn markdown_is_reduced_to_plain_paragraphs() {
        let mut f = form("标题", "## 一、总体情况\n\n**今年以来**，全区\n上下。");
        f.format = "markdown".to_owned();
        let doc = f.validate("2024-05-01").unwrap();
        assert_eq!(doc.paragraphs, ["一、总体情况", "今年以来，全区上下。"]);
    }

    #[test]
    fn every_problem_is_reported_with_what_to_do() {
        let mut f = form("", "   ");
        f.date = "2024-13-01".to_owned();
        f.status = "gone".to_owned();
        f.preview_ratio = "150".to_owned();
        let errors = f.validate("2024-05-01").unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors[0].message.contains("标题不能为空"));
        assert!(errors[1].message.contains("正文不能为空"));
        assert!(errors[2].message.contains("YYYY-MM-DD"));
        let long = form(&"长".repeat(201), "正文")
            .validate("2024-05-01")
            .unwrap_err();
        assert!(long[0].message.contains("201 字"));
        let big = form("t", &"字".repeat(800_000))
            .validate("2024-05-01")
            .unwrap_err();
        assert!(big[0].message.contains("上限 2 MB"), "{big:?}");
    }

    #[test]
    fn tags_split_on_commas_and_dunhao() {
        assert_eq!(
            split_tags("讲话, 党建，调研、 讲话;;"),
            ["讲话", "党建", "调研"]
        );
        let mut f = form("t", "b");
        f.preview_ratio = "30%".to_owned();
        f.new_category = " 讲话稿 ".to_owned();
        f.category = "旧栏目".to_owned();
        let doc = f.validate("2024-05-01").unwrap();
        assert_eq!(doc.preview_ratio, Some(0.3));
        assert_eq!(doc.category.as_deref(), Some("讲话稿"));
    }
}
