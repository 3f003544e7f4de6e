//! The sitemap: every published document (gated ones too: their page is public, with the
//! preview), in id order, cut into chunks of at most [`SITEMAP_MAX_URLS`] URLs (the sitemaps.org
//! limit). The chunk bounds are found with one indexed `OFFSET` per chunk and cached per
//! generation; a chunk's rows are read by keyset paging, a slice at a time, so no request ever
//! holds more than one chunk of ids, whatever the size of the library.

use std::sync::Arc;

use wenyuan_store::SitemapRow;

use crate::cache::{Cache, Stamp};
use crate::context::Context;
use crate::Result;

/// Most URLs one sitemap file may list (sitemaps.org).
pub const SITEMAP_MAX_URLS: i64 = 50_000;
/// Rows read per query while a chunk is gathered.
const ROWS_PER_READ: i64 = 5_000;

/// One sitemap file of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapChunk {
    /// Its number, from 1 (`/sitemaps/{n}.xml`).
    pub n: i64,
    /// The first document id it lists.
    pub first_id: i64,
    /// The first id of the next chunk (`None` for the last one).
    pub next_first_id: Option<i64>,
    /// The latest change among its documents (unix seconds).
    pub last_change: i64,
}

pub struct Sitemaps {
    ctx: Context,
    /// The chunk bounds, made once per generation (a publish, an edit, a hide moves it).
    chunks: Cache<(), Arc<Vec<SitemapChunk>>>,
}

impl Sitemaps {
    pub(crate) fn new(ctx: Context) -> Self {
        Sitemaps {
            ctx,
            chunks: Cache::new(1),
        }
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            generation: self.ctx.generation(),
            now: self.ctx.now(),
        }
    }

    /// URLs per file: the site's setting, within 1 ..= [`SITEMAP_MAX_URLS`].
    fn chunk_size(&self) -> i64 {
        self.ctx.settings().sitemap_urls.clamp(1, SITEMAP_MAX_URLS)
    }

    /// The files of the sitemap index, in order (none when nothing is published).
    pub async fn chunks(&self) -> Result<Arc<Vec<SitemapChunk>>> {
        self.chunks
            .get_or_make(&(), self.stamp(), || async {
                Ok(Arc::new(self.find_chunks().await?))
            })
            .await
    }

    async fn find_chunks(&self) -> Result<Vec<SitemapChunk>> {
        let store = &self.ctx.store;
        let size = self.chunk_size();
        let total = store.count_published().await?;
        let mut firsts = Vec::new();
        let mut offset = 0;
        while offset < total {
            match store.published_id_at(offset).await? {
                Some(id) => firsts.push(id),
                // Fewer than counted (a document hidden meanwhile): the next generation recounts.
                None => break,
            }
            offset += size;
        }
        let mut chunks = Vec::with_capacity(firsts.len());
        for (i, &first_id) in firsts.iter().enumerate() {
            let next_first_id = firsts.get(i + 1).copied();
            let last_change = store
                .published_last_change(first_id, next_first_id)
                .await?
                .unwrap_or(0);
            chunks.push(SitemapChunk {
                n: i as i64 + 1,
                first_id,
                next_first_id,
                last_change,
            });
        }
        Ok(chunks)
    }

    /// The documents of chunk `n` (from 1) in id order, or `None` when there is no such chunk.
    pub async fn chunk(&self, n: i64) -> Result<Option<Vec<SitemapRow>>> {
        let chunks = self.chunks().await?;
        let Some(chunk) = usize::try_from(n - 1).ok().and_then(|i| chunks.get(i)) else {
            return Ok(None);
        };
        let size = self.chunk_size();
        let mut rows: Vec<SitemapRow> = Vec::new();
        let mut from = chunk.first_id;
        while (rows.len() as i64) < size {
            let want = (size - rows.len() as i64).min(ROWS_PER_READ);
            let slice = self.ctx.store.published_from(from, want).await?;
            let done = (slice.len() as i64) < want;
            for row in slice {
                if chunk.next_first_id.is_some_and(|next| row.id >= next) {
                    return Ok(Some(rows));
                }
                from = row.id + 1;
                rows.push(row);
            }
            if done {
                break;
            }
        }
        Ok(Some(rows))
    }
}
