//! What an operator runs beside the server: a database snapshot for `wenyuan backup` and the
//! export of every document as `.jsonl` records that `wenyuan import` reads back.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::context::Context;
use crate::{CoreError, Result};

/// Documents read per query while exporting: bounded memory whatever the library's size.
const EXPORT_BATCH: usize = 500;

/// One exported document: the fields of an import record (see `shared/corpus/README.md`), plus
/// its status. `views` is the total shown to readers, which an import takes as its start.
#[derive(Debug, Serialize)]
struct ExportRecord<'a> {
    id: i64,
    title: &'a str,
    date: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    tags: &'a [String],
    access: &'a str,
    status: &'a str,
    views: i64,
    body: &'a str,
}

pub struct Maintenance {
    ctx: Context,
}

impl Maintenance {
    pub fn new(ctx: Context) -> Self {
        Maintenance { ctx }
    }

    /// A consistent copy of the (SQLite) database at `dest`, taken while the server runs.
    pub async fn snapshot_database(&self, dest: &Path) -> Result<()> {
        Ok(self.ctx.store.snapshot_into(dest).await?)
    }

    /// Every document, whatever its status, as one JSON record per line, in id order. Returns
    /// how many were written.
    pub async fn export_jsonl(&self, out: &mut (dyn Write + Send)) -> Result<usize> {
        let ids = self.ctx.store.article_ids().await?;
        let mut written = 0;
        for chunk in ids.chunks(EXPORT_BATCH) {
            let mut rows = self.ctx.store.articles_by_ids(chunk).await?;
            rows.sort_by_key(|r| r.id);
            let tags = self.ctx.store.tags_of_articles(chunk).await?;
            for row in &rows {
                let record = ExportRecord {
                    id: row.id,
                    title: &row.title,
                    date: &row.published_on,
                    category: row.category_name.as_deref(),
                    tags: tags.get(&row.id).map_or(&[], Vec::as_slice),
                    access: &row.access,
                    status: &row.status,
                    views: row.views,
                    body: &row.body,
                };
                let io = |source| CoreError::Io {
                    context: "writing the export".to_owned(),
                    source,
                };
                serde_json::to_writer(&mut *out, &record).map_err(|e| io(e.into()))?;
                out.write_all(b"\n").map_err(io)?;
                written += 1;
            }
        }
        out.flush().map_err(|source| CoreError::Io {
            context: "writing the export".to_owned(),
            source,
        })?;
        Ok(written)
    }
}
