//! The article page as guests see it. Every guest sees the same page but for the view count, so it
//! is rendered once in a while, split around the count, and shared. The page last assembled (and
//! its gzip form) is kept with it for the count it shows: while the count does not change, which
//! is most requests, answering is a reference-count clone, with no copy and no compression.
//!
//! The list pages guests see (home, category, tag, 热门) are the same for every guest too, and
//! are kept whole ([`GuestLists`]): on a warm cache a guest's request reads no database.

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, OnceLock};

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use bytes::{Bytes, BytesMut};
use flate2::write::GzEncoder;
use flate2::Compression;
use parking_lot::Mutex;
use wenyuan_core::cache::{Cache, Equivalent, Stamp};

use crate::share::thousands;

/// Bound on cached guest pages; past it the least used are evicted.
pub const GUEST_PAGE_CACHE_LIMIT: usize = 5_000;
/// A cached page is re-rendered after this long, so its hot lists stay fresh.
pub const GUEST_PAGE_TTL_SECONDS: i64 = 30;
/// zlib level of the stored gzip form: made once per (page, view count), so worth a good ratio
/// (level 9 is barely smaller and several times slower).
const GZIP_LEVEL: u32 = 6;

/// A guest's article page, split around the view count.
pub struct GuestPage {
    pub generation: i64,
    pub rendered_at: i64,
    head: Bytes,
    tail: Bytes,
    /// The page last assembled. Replaced when the count moves; all requests in between share it.
    last: Mutex<Option<Arc<AssembledPage>>>,
}

/// The whole page for one view count, plain and (made on first demand) gzip-compressed.
pub struct AssembledPage {
    views: i64,
    pub plain: Bytes,
    gzip: OnceLock<Bytes>,
}

impl GuestPage {
    pub fn new(generation: i64, rendered_at: i64, head: &str, tail: &str) -> Self {
        GuestPage {
            generation,
            rendered_at,
            head: Bytes::copy_from_slice(head.as_bytes()),
            tail: Bytes::copy_from_slice(tail.as_bytes()),
            last: Mutex::new(None),
        }
    }

    /// The page showing `views`.
    pub fn with_views(&self, views: i64) -> Arc<AssembledPage> {
        {
            let last = self.last.lock();
            if let Some(page) = last.as_ref().filter(|page| page.views == views) {
                return page.clone();
            }
        }
        // Assembled outside the lock: requests for the old count are not held up by the copy.
        let text = thousands(views);
        let mut body = BytesMut::with_capacity(self.head.len() + text.len() + self.tail.len());
        body.extend_from_slice(&self.head);
        body.extend_from_slice(text.as_bytes());
        body.extend_from_slice(&self.tail);
        let page = Arc::new(AssembledPage {
            views,
            plain: body.freeze(),
            gzip: OnceLock::new(),
        });
        *self.last.lock() = Some(page.clone());
        page
    }
}

impl AssembledPage {
    /// A page with no view count in it (a list page).
    pub fn whole(body: String) -> Arc<AssembledPage> {
        Arc::new(AssembledPage {
            views: 0,
            plain: Bytes::from(body),
            gzip: OnceLock::new(),
        })
    }

    /// The gzip form, compressed on first use. `None` only if compressing failed (it writes to
    /// memory, so it does not): the caller then sends the plain page.
    pub fn gzip(&self) -> Option<Bytes> {
        if let Some(gzip) = self.gzip.get() {
            return Some(gzip.clone());
        }
        // Two requests racing here both compress; the first to finish is kept. Cheaper than making
        // every reader of `gzip` wait on a lock.
        match gzip(&self.plain) {
            Ok(bytes) => Some(self.gzip.get_or_init(|| bytes).clone()),
            Err(err) => {
                tracing::error!(%err, "compressing a guest page failed");
                None
            }
        }
    }
}

fn gzip(data: &[u8]) -> std::io::Result<Bytes> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(data.len() / 2),
        Compression::new(GZIP_LEVEL),
    );
    encoder.write_all(data)?;
    Ok(Bytes::from(encoder.finish()?))
}

/// Guest pages by document and site base URL: without a configured base URL, the page's share
/// link and QR code name the request's host. One [`Cache`]: entries follow the generation and
/// age out after [`GUEST_PAGE_TTL_SECONDS`], so their hot lists stay fresh.
pub struct GuestPages {
    pages: Cache<PageKey, Arc<GuestPage>>,
}

#[derive(Hash, PartialEq, Eq, Clone)]
struct PageKey {
    id: i64,
    base: String,
}

/// The key as a request has it: looked up without building a `String`. Hashes as [`PageKey`]
/// (same fields, same order; `&str` and `String` hash alike).
#[derive(Hash)]
struct PageLookup<'a> {
    id: i64,
    base: &'a str,
}

impl Equivalent<PageKey> for PageLookup<'_> {
    fn equivalent(&self, key: &PageKey) -> bool {
        self.id == key.id && self.base == key.base
    }
}

impl Default for GuestPages {
    fn default() -> Self {
        GuestPages {
            pages: Cache::new(GUEST_PAGE_CACHE_LIMIT).with_max_age(GUEST_PAGE_TTL_SECONDS),
        }
    }
}

impl GuestPages {
    /// The page of `id` for `base`, if it was rendered in this library generation and recently.
    pub fn get(&self, id: i64, base: &str, generation: i64, now: i64) -> Option<Arc<GuestPage>> {
        self.pages
            .get(&PageLookup { id, base }, Stamp { generation, now })
    }

    /// The page of `id` for `base`, rendered by `render` when there is none to serve: one render
    /// at a time per page (see [`Cache::get_or_make`]), stamped `made` (when it began).
    pub async fn get_or_render<E, Fut>(
        &self,
        id: i64,
        base: &str,
        made: Stamp,
        render: impl FnOnce() -> Fut,
    ) -> Result<Arc<GuestPage>, E>
    where
        Fut: Future<Output = Result<Arc<GuestPage>, E>>,
    {
        let key = PageKey {
            id,
            base: base.to_owned(),
        };
        self.pages.get_or_make(&key, made, render).await
    }
}

/// Bound on cached guest list pages (a page per category, tag and page number).
pub const GUEST_LIST_CACHE_LIMIT: usize = 2_000;

/// Guest list pages by their path and query (`/`, `/?page=2`, `/c/讲话稿?page=1`, …). Entries
/// follow the generation (a document published, edited or hidden; settings saved) and age out
/// after [`GUEST_PAGE_TTL_SECONDS`], so the hot lists in them stay fresh.
pub struct GuestLists {
    pages: Cache<String, Arc<AssembledPage>>,
}

impl Default for GuestLists {
    fn default() -> Self {
        GuestLists {
            pages: Cache::new(GUEST_LIST_CACHE_LIMIT).with_max_age(GUEST_PAGE_TTL_SECONDS),
        }
    }
}

impl GuestLists {
    /// The page under `key`, rendered by `render` when the cache has none to serve: one render
    /// at a time per page, stamped with when it began (see [`Cache::get_or_make`]).
    pub async fn get_or_render<E>(
        &self,
        key: String,
        made: Stamp,
        render: impl Future<Output = Result<String, E>>,
    ) -> Result<Arc<AssembledPage>, E> {
        self.pages
            .get_or_make(&key, made, || async {
                Ok(AssembledPage::whole(render.await?))
            })
            .await
    }
}

/// Whether the client takes a gzip body (see [`accepts_gzip`]), read in place from the headers.
pub struct AcceptsGzip(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for AcceptsGzip {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(AcceptsGzip(accepts_gzip(&parts.headers)))
    }
}

/// Whether the client takes a gzip body, by `Accept-Encoding` (RFC 9110 §12.5.3): `gzip` (or
/// `x-gzip`) with a q-value above 0, or, when gzip is not named, `*` above 0. `gzip;q=0` refuses
/// it; an unreadable q-value makes its entry count as absent.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip: Option<u16> = None;
    let mut any: Option<u16> = None;
    let entries = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for entry in entries {
        let mut parts = entry.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let mut q = Some(1000);
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    q = parse_qvalue(value.trim());
                }
            }
        }
        let Some(q) = q else { continue };
        let slot = if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if coding == "*" {
            &mut any
        } else {
            continue;
        };
        *slot = Some(slot.map_or(q, |old| old.max(q)));
    }
    gzip.or(any).is_some_and(|q| q > 0)
}

/// A q-value in thousandths: `0`, `0.5`, `1`, `1.000`; at most three decimals, at most 1.
fn parse_qvalue(text: &str) -> Option<u16> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let frac = format!("{frac:0<3}").parse::<u16>().ok()?;
    let q = whole + frac;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::io::Read;

    fn accept(values: &[&'static str]) -> bool {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
        }
        accepts_gzip(&headers)
    }

    #[test]
    fn accept_encoding_is_read_with_its_q_values() {
        for yes in [
            &["gzip"][..],
            &["gzip, deflate, br, zstd"],
            &["br;q=1.0, gzip;q=0.8, *;q=0.1"],
            &["GZIP"],
            &["x-gzip"],
            &["*"],
            &["br", "gzip;q=0.001"],
            &["gzip;q=0, gzip;q=0.5"],
            &["identity;q=0.5, *;q=0.2"],
        ] {
            assert!(accept(yes), "{yes:?}");
        }
        for no in [
            &[][..],
            &["identity"],
            &["br, deflate"],
            &["gzip;q=0"],
            &["gzip;q=0.000"],
            &["gzip; q=0"],
            &["gzip;q=0, *"],
            &["*;q=0"],
            &["gzip;q=2"],
            &["gzip;q=0.5.5"],
            &["gzip;q=0.0001"],
            &["gzipped"],
        ] {
            assert!(!accept(no), "{no:?}");
        }
    }

    #[test]
    fn q_values() {
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("1.001"), None);
        assert_eq!(parse_qvalue("0.5"), Some(500));
        assert_eq!(parse_qvalue("0.05"), Some(50));
        assert_eq!(parse_qvalue("0."), Some(0));
        assert_eq!(parse_qvalue(""), None);
        assert_eq!(parse_qvalue("-1"), None);
    }

    #[test]
    fn a_page_is_reassembled_only_when_its_count_moves() {
        let page = GuestPage::new(1, 0, "<p>阅读 ", " 次</p>");
        let first = page.with_views(1234);
        assert_eq!(&first.plain[..], "<p>阅读 1,234 次</p>".as_bytes());
        assert!(
            Arc::ptr_eq(&first, &page.with_views(1234)),
            "shared, not rebuilt"
        );
        let next = page.with_views(1235);
        assert_eq!(&next.plain[..], "<p>阅读 1,235 次</p>".as_bytes());
        assert!(Arc::ptr_eq(&next, &page.with_views(1235)));
    }

    #[test]
    fn the_gzip_form_decompresses_to_the_plain_page() {
        let head = "<html><body>".repeat(200);
        let page = GuestPage::new(1, 0, &head, "</body></html>");
        let assembled = page.with_views(7);
        let gzip = assembled.gzip().unwrap();
        assert!(gzip.len() < assembled.plain.len());
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, assembled.plain);
        assert_eq!(assembled.gzip().unwrap(), gzip, "made once");
    }

    #[tokio::test]
    async fn the_cache_is_keyed_by_base_and_expires() {
        let pages = GuestPages::default();
        let made = Stamp {
            generation: 3,
            now: 100,
        };
        pages
            .get_or_render(1, "http://a", made, || async {
                Ok::<_, ()>(Arc::new(GuestPage::new(3, 100, "a", "b")))
            })
            .await
            .unwrap();
        assert!(pages.get(1, "http://a", 3, 100).is_some());
        assert!(pages
            .get(1, "http://a", 3, 100 + GUEST_PAGE_TTL_SECONDS - 1)
            .is_some());
        assert!(pages
            .get(1, "http://a", 3, 100 + GUEST_PAGE_TTL_SECONDS)
            .is_none());
        assert!(pages.get(1, "http://a", 4, 100).is_none(), "new generation");
        assert!(pages.get(1, "http://b", 3, 100).is_none());
        assert!(pages.get(2, "http://a", 3, 100).is_none());
    }
}
