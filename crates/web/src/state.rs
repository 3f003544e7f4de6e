use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::http::HeaderMap;

use wenyuan_core::cache::{Cache, Stamp};
use wenyuan_core::reading::CategoryItem;
use wenyuan_core::Services;

use crate::error::AppResult;

use crate::assets::Assets;
use crate::guest_page::{GuestLists, GuestPage, GuestPages};
use crate::templates::Templates;
use crate::wechat::WechatQrCache;

/// Bound on cached sitemap files and feeds (20 sitemap files hold a million documents; a feed
/// per category).
const FEED_CACHE_LIMIT: usize = 500;

/// Everything a handler needs: one shared handle, so the clones axum makes per request (for each
/// extractor and middleware) are one reference count each. Fields are reached through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub services: Arc<Services>,
    pub templates: Templates,
    pub assets: Assets,
    /// Rendered article pages for guests, who all see the same page.
    pub guest_pages: GuestPages,
    /// Rendered list pages for guests (home, category, tag, 热门).
    pub guest_lists: GuestLists,
    /// Rendered sitemaps and feeds by site base URL and path, made once per generation.
    pub feeds: Cache<String, bytes::Bytes>,
    /// The category menu every page shows, read once per generation.
    nav: Cache<(), Arc<Vec<CategoryItem>>>,
    /// The 微信订阅号 QR, made or read on first request.
    pub wechat_qr: WechatQrCache,
    /// The address the server listens on (set when it starts serving): share links may name it.
    listen: OnceLock<SocketAddr>,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State over the services; `theme_dir` holds template overrides (the data dir's `theme/`).
    pub fn new(services: Arc<Services>, theme_dir: Option<PathBuf>) -> Self {
        AppState(Arc::new(Shared {
            services,
            templates: Templates::new(theme_dir),
            assets: Assets::new(),
            guest_pages: GuestPages::default(),
            guest_lists: GuestLists::default(),
            feeds: Cache::new(FEED_CACHE_LIMIT),
            nav: Cache::new(1),
            wechat_qr: WechatQrCache::default(),
            listen: OnceLock::new(),
        }))
    }

    /// Remember the address the server listens on (the first one given wins).
    pub fn set_listen_addr(&self, addr: SocketAddr) {
        let _ = self.listen.set(addr);
    }

    /// The site's absolute base URL for share links and QR codes (see [`crate::share::site_base`]).
    pub fn site_base(&self, headers: &HeaderMap) -> String {
        let site = self.services.site();
        crate::share::site_base(
            site.base_url.as_deref(),
            &site.allowed_hosts,
            self.listen.get().copied(),
            headers,
        )
    }

    /// The cached guest page of `id` for `base`, if still fresh.
    pub fn cached_guest_page(&self, id: i64, base: &str) -> Option<Arc<GuestPage>> {
        self.guest_pages
            .get(id, base, self.services.generation(), self.services.now())
    }

    /// When a page is looked up or begins rendering: the generation and the clock's time. Taken
    /// before rendering, so a change during the render leaves the page stale, not kept.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            generation: self.services.generation(),
            now: self.services.now(),
        }
    }

    /// The category menu, read from the database once per generation.
    pub async fn nav(&self) -> AppResult<Arc<Vec<CategoryItem>>> {
        let stamp = Stamp {
            generation: self.services.generation(),
            now: self.services.now(),
        };
        self.nav
            .get_or_make(&(), stamp, || async {
                Ok(Arc::new(self.services.reading.categories().await?))
            })
            .await
    }
}
