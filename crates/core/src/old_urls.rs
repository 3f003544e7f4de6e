//! Addresses of the site a library was moved from (a DedeCMS site's static pages,
//! `/plus/view.php?aid=N` …), answered with a permanent redirect to the page's new address, so
//! that links and search-engine entries keep working. The map is written by the migration (see
//! `desk::import::dedecms`); this service reads it for the 404 fallback, plus two rules that
//! need no map: an old search (`/plus/search.php?q=` or `keyword=`) goes to `/search`, and a
//! 栏目's list page `…/list_{tid}_{n}.html` to page `n` of its category.

use crate::cache::{Cache, Stamp};
use crate::context::Context;
use crate::Result;

/// How long "this site has no old addresses" is believed without asking again: a migration run
/// from the command line while the server runs shows within this time even if it changed no
/// document (which would move the generation at once).
const ANY_SAVED_MAX_AGE: i64 = 60;

/// Where an old address lives now: a path (decoded; the web layer encodes it) and the query
/// parameters to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub path: String,
    pub query: Vec<(&'static str, String)>,
}

impl Moved {
    fn to(path: String) -> Self {
        Moved {
            path,
            query: Vec::new(),
        }
    }
}

pub struct OldUrls {
    ctx: Context,
    /// Whether any old address is saved: a site that never moved answers a scanner's stream of
    /// 404s without a database query each.
    any_saved: Cache<(), bool>,
}

impl OldUrls {
    pub(crate) fn new(ctx: Context) -> Self {
        OldUrls {
            ctx,
            any_saved: Cache::new(1).with_max_age(ANY_SAVED_MAX_AGE),
        }
    }

    async fn any_saved(&self) -> Result<bool> {
        let now = Stamp {
            generation: self.ctx.generation(),
            now: self.ctx.now(),
        };
        self.any_saved
            .get_or_make(&(), now, || async {
                Ok::<_, crate::CoreError>(self.ctx.store.has_old_urls().await?)
            })
            .await
    }

    /// The new address of a request that matched no page: `path` decoded, `query` its
    /// parameters. `None` when it is not an old address (a real 404).
    pub async fn moved(&self, path: &str, query: &[(String, String)]) -> Result<Option<Moved>> {
        let lower = path.to_lowercase();
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        match lower.as_str() {
            "/plus/search.php" => {
                return Ok(Some(Moved {
                    path: "/search".into(),
                    query: param("q")
                        .or_else(|| param("keyword"))
                        .map(|q| vec![("q", q)])
                        .unwrap_or_default(),
                }));
            }
            _ if !self.any_saved().await? => return Ok(None),
            "/plus/view.php" => {
                let Some(aid) = param("aid").and_then(|a| a.parse::<i64>().ok()) else {
                    return Ok(None);
                };
                return self.lookup(&format!("{lower}?aid={aid}")).await;
            }
            "/plus/list.php" => {
                let Some(tid) = param("tid").and_then(|t| t.parse::<i64>().ok()) else {
                    return Ok(None);
                };
                let found = self.lookup(&format!("{lower}?tid={tid}")).await?;
                let page = param("pageno").and_then(|p| p.parse::<i64>().ok());
                return Ok(found.map(|moved| with_page(moved, page)));
            }
            _ => {}
        }
        if let Some((dir, page)) = list_page(&lower) {
            let found = self.lookup(dir).await?;
            return Ok(found.map(|moved| with_page(moved, Some(page))));
        }
        if let Some(found) = self.lookup(&lower).await? {
            return Ok(Some(found));
        }
        // `/a/zongjie` for `/a/zongjie/`.
        let last = lower.rsplit('/').next().unwrap_or_default();
        if !lower.ends_with('/') && !last.contains('.') {
            return self.lookup(&format!("{lower}/")).await;
        }
        Ok(None)
    }

    async fn lookup(&self, key: &str) -> Result<Option<Moved>> {
        Ok(self.ctx.store.old_url_target(key).await?.map(Moved::to))
    }
}

fn with_page(mut moved: Moved, page: Option<i64>) -> Moved {
    if let Some(page) = page.filter(|p| *p > 1) {
        moved.query.push(("page", page.to_string()));
    }
    moved
}

/// `/a/zongjie/list_3_2.html` → (`/a/zongjie/`, 2): DedeCMS's list pages, `list_{tid}_{page}`.
fn list_page(path: &str) -> Option<(&str, i64)> {
    let slash = path.rfind('/')?;
    let (dir, file) = path.split_at(slash + 1);
    let numbers = file.strip_prefix("list_")?.strip_suffix(".html")?;
    let (tid, page) = numbers.split_once('_')?;
    tid.parse::<i64>().ok()?;
    Some((dir, page.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::list_page;

    #[test]
    fn list_pages_are_told_by_their_file_name() {
        assert_eq!(
            list_page("/a/zongjie/list_3_2.html"),
            Some(("/a/zongjie/", 2))
        );
        assert_eq!(list_page("/list_1_10.html"), Some(("/", 10)));
        assert_eq!(list_page("/a/zongjie/list_x_2.html"), None);
        assert_eq!(list_page("/a/zongjie/123.html"), None);
    }
}
