//! 模板化 at the desk: the anonymiser's proposal over a document's title and body, shown as a
//! diff, of which the editor accepts some; the accepted ones are written through the edit path.
//!
//! Title and body are proposed as one text, `title + "\n" + body`, so a replacement is named by
//! its character offsets in that text (`start:end`). Those offsets mean something only for the
//! text the editor saw, so the accepting form carries a hash of it, and a document changed in
//! between is refused rather than patched at the wrong places.

use serde::Serialize;
use sha2::{Digest, Sha256};
use wenyuan_text::{apply, AnonymizeOptions, Anonymizer, Replacement, ReplacementKind};

use std::sync::Arc;

use super::form::ValidDocument;
use super::Documents;
use crate::accounts::Member;
use crate::audit::AuditLog;
use crate::context::Context;
use crate::{Access, CoreError, Result, Status};

/// The settings key of the editable custom word list (one word per line).
pub const WORDS_KEY: &str = "anonymize.words";
const MAX_WORDS: usize = 2_000;
const MAX_WORD_CHARS: usize = 40;

/// Which placeholders replace names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceholderStyle {
    /// `X` for names of one or two characters, `XX` for longer ones (the seed's style).
    #[default]
    Standard,
    /// `X` for every name.
    Single,
    /// 某 / 某某, as some 范文 sites write.
    Mou,
}

impl PlaceholderStyle {
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "single" => PlaceholderStyle::Single,
            "mou" => PlaceholderStyle::Mou,
            _ => PlaceholderStyle::Standard,
        }
    }

    fn options(self, custom_words: Vec<String>) -> AnonymizeOptions {
        let (short, long) = match self {
            PlaceholderStyle::Standard => ("X", "XX"),
            PlaceholderStyle::Single => ("X", "X"),
            PlaceholderStyle::Mou => ("某", "某某"),
        };
        AnonymizeOptions {
            short_placeholder: short.to_owned(),
            long_placeholder: long.to_owned(),
            custom_words,
        }
    }
}

/// A run of the shown text: plain, or a proposed replacement.
#[derive(Debug, Clone, Serialize)]
pub struct Piece {
    pub text: String,
    pub change: Option<ProposedChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProposedChange {
    /// `start:end`, the value of its checkbox.
    pub key: String,
    pub replacement: String,
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// Hash of the text the offsets refer to.
    pub text_hash: String,
    pub title: Vec<Piece>,
    pub paragraphs: Vec<Vec<Piece>>,
    pub count: usize,
}

/// What an accepted proposal did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Anonymized {
    pub applied: usize,
    pub rejected: usize,
}

fn kind_label(kind: ReplacementKind) -> &'static str {
    match kind {
        ReplacementKind::Place => "地名",
        ReplacementKind::Person => "人名",
        ReplacementKind::Organisation => "机构",
        ReplacementKind::Custom => "自定义词",
    }
}

/// The custom words of a textarea: one per line, trimmed, without repeats.
pub fn parse_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.lines().map(str::trim).filter(|w| !w.is_empty()) {
        if !words.iter().any(|w| w == word) {
            words.push(word.to_owned());
        }
    }
    words
}

fn text_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// The pieces of `text` (one line of the combined text, starting at character `offset`).
fn pieces(line: &[char], offset: usize, replacements: &[&Replacement]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in replacements {
        let (start, end) = (r.start - offset, r.end - offset);
        if start > at {
            out.push(Piece {
                text: line[at..start].iter().collect(),
                change: None,
            });
        }
        out.push(Piece {
            text: r.original.clone(),
            change: Some(ProposedChange {
                key: format!("{}:{}", r.start, r.end),
                replacement: r.replacement.clone(),
                kind: kind_label(r.kind),
            }),
        });
        at = end;
    }
    if at < line.len() {
        out.push(Piece {
            text: line[at..].iter().collect(),
            change: None,
        });
    }
    out
}

/// Split the combined text into lines (title, then paragraphs), each with the replacements that
/// fall inside it. A replacement across a line end (none should) is dropped.
fn lay_out(text: &str, replacements: &[Replacement]) -> (Vec<Piece>, Vec<Vec<Piece>>) {
    let chars: Vec<char> = text.chars().collect();
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate().chain([(chars.len(), &'\n')]) {
        if *c != '\n' {
            continue;
        }
        let inside: Vec<&Replacement> = replacements
            .iter()
            .filter(|r| r.start >= start && r.end <= i)
            .collect();
        lines.push(pieces(&chars[start..i], start, &inside));
        start = i + 1;
    }
    let title = if lines.is_empty() {
        Vec::new()
    } else {
        lines.remove(0)
    };
    (title, lines)
}

/// 模板化 at the desk: the editors' word list, proposals, and applying the accepted ones.
pub struct Anonymization {
    ctx: Context,
    audit: Arc<AuditLog>,
    documents: Arc<Documents>,
}

impl Anonymization {
    pub(crate) fn new(ctx: Context, audit: Arc<AuditLog>, documents: Arc<Documents>) -> Self {
        Anonymization {
            ctx,
            audit,
            documents,
        }
    }

    /// The editor's custom words, as stored.
    pub async fn anonymize_words(&self) -> Result<Vec<String>> {
        Ok(parse_words(
            &self.ctx.store.setting(WORDS_KEY).await?.unwrap_or_default(),
        ))
    }

    /// Keep the custom word list (one word per line) for every later proposal.
    pub async fn save_anonymize_words(&self, actor: &Member, text: &str) -> Result<usize> {
        let words = parse_words(text);
        if words.len() > MAX_WORDS {
            return Err(CoreError::invalid(
                "words",
                format!("词太多（{} 个），上限 {MAX_WORDS} 个", words.len()),
            ));
        }
        if let Some(long) = words.iter().find(|w| w.chars().count() > MAX_WORD_CHARS) {
            return Err(CoreError::invalid(
                "words",
                format!("「{long}」太长：每个词不超过 {MAX_WORD_CHARS} 字"),
            ));
        }
        self.ctx
            .store
            .set_setting(WORDS_KEY, &words.join("\n"))
            .await?;
        self.audit
            .record(
                actor,
                "settings.anonymize_words",
                "",
                &format!("模板化词表：{} 个词", words.len()),
            )
            .await?;
        Ok(words.len())
    }

    /// The document's title and body as one text, and the replacements proposed for it.
    async fn propose_for(
        &self,
        id: i64,
        words: &[String],
        style: PlaceholderStyle,
    ) -> Result<(wenyuan_store::ArticleRow, String, Vec<Replacement>)> {
        let row = self.documents.stored_document(id).await?;
        let text = format!("{}\n{}", row.title, row.body);
        // The accepting form sends its words back; never more than a saved list may hold.
        let words = words.iter().take(MAX_WORDS).cloned().collect();
        let anonymizer = Anonymizer::new(style.options(words));
        let for_proposal = text.clone();
        // Segmentation is CPU work: keep it off the async threads.
        let replacements = tokio::task::spawn_blocking(move || anonymizer.propose(&for_proposal))
            .await
            .map_err(|e| CoreError::Internal(format!("anonymiser task: {e}")))?;
        Ok((row, text, replacements))
    }

    /// The proposal for document `id`, laid out for the diff view.
    pub async fn anonymize_proposal(
        &self,
        id: i64,
        words: &[String],
        style: PlaceholderStyle,
    ) -> Result<Proposal> {
        let (_, text, replacements) = self.propose_for(id, words, style).await?;
        let (title, paragraphs) = lay_out(&text, &replacements);
        Ok(Proposal {
            text_hash: text_hash(&text),
            title,
            paragraphs,
            count: replacements.len(),
        })
    }

    /// Apply the accepted replacements (`start:end` keys of the proposal shown for `shown_hash`)
    /// and save through the edit path.
    pub async fn apply_anonymization(
        &self,
        actor: &Member,
        id: i64,
        words: &[String],
        style: PlaceholderStyle,
        shown_hash: &str,
        accepted: &[String],
    ) -> Result<Anonymized> {
        let (row, text, replacements) = self.propose_for(id, words, style).await?;
        if text_hash(&text) != shown_hash {
            return Err(CoreError::Conflict(
                "这篇文档在您查看建议之后被修改过，原来的位置已经对不上：请重新打开模板化页面再选择"
                    .to_owned(),
            ));
        }
        let chosen: Vec<Replacement> = replacements
            .iter()
            .filter(|r| accepted.contains(&format!("{}:{}", r.start, r.end)))
            .cloned()
            .collect();
        if chosen.is_empty() {
            return Err(CoreError::invalid(
                "words",
                "没有选中任何替换，文档未改动".to_owned(),
            ));
        }
        let result = apply(&text, &chosen);
        let (title, body) = result.split_once('\n').unwrap_or((&result, ""));
        let tags = self.ctx.store.article_tags(id).await?;
        let valid = ValidDocument {
            title: title.to_owned(),
            paragraphs: body.split('\n').map(str::to_owned).collect(),
            published_on: row.published_on,
            category: row.category_name,
            tags,
            // A spelling the database should not hold stays off the site.
            status: row.status.parse().unwrap_or(Status::Hidden),
            access: row.access.parse().unwrap_or(Access::Vip),
            preview_ratio: row.preview_ratio,
            preview_max: row.preview_max,
        };
        let done = Anonymized {
            applied: chosen.len(),
            rejected: replacements.len() - chosen.len(),
        };
        let detail = format!(
            "模板化：替换 {} 处（未采纳 {} 处）",
            done.applied, done.rejected
        );
        self.documents
            .save_edit(actor, id, &valid, "article.anonymize", &detail)
            .await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_combined_text_is_laid_out_as_title_and_paragraphs() {
        let text = "在安吉县的讲话\n王书记说。\n第三段";
        let anonymizer = Anonymizer::new(AnonymizeOptions::default());
        let replacements = anonymizer.propose(text);
        let (title, paragraphs) = lay_out(text, &replacements);
        assert_eq!(paragraphs.len(), 2);
        let title_text: String = title.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(title_text, "在安吉县的讲话");
        let changed: Vec<&ProposedChange> =
            title.iter().filter_map(|p| p.change.as_ref()).collect();
        assert_eq!(changed.len(), 1, "{title:?}");
        assert_eq!(changed[0].key, "1:4");
        assert_eq!(changed[0].replacement, "X县");
        let second: String = paragraphs[0].iter().map(|p| p.text.as_str()).collect();
        assert_eq!(second, "王书记说。");
        assert_eq!(paragraphs[1][0].text, "第三段");
    }

    #[test]
    fn words_are_one_per_line_without_repeats() {
        assert_eq!(
            parse_words(" 甲公司\n\n乙项目\r\n甲公司 "),
            ["甲公司", "乙项目"]
        );
    }
}
