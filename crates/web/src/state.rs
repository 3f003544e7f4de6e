use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use wenyuan_core::library::CategoryItem;
use wenyuan_core::Library;

use crate::error::AppResult;

use crate::assets::Assets;
use crate::routes::contact::WechatQrCache;
use crate::templates::Templates;

/// Everything a handler needs; cloned per request (all fields are shared handles).
#[derive(Clone)]
pub struct AppState {
    pub lib: Arc<Library>,
    pub templates: Templates,
    pub assets: Arc<Assets>,
    /// Rendered article pages for guests, who all see the same page, by (document, site base URL).
    pub guest_pages: Arc<RwLock<HashMap<(i64, String), GuestPage>>>,
    /// The category menu every page shows: (library generation, categories).
    nav: Arc<RwLock<(i64, Arc<Vec<CategoryItem>>)>>,
    /// The 微信订阅号 QR, made or read on first request.
    pub wechat_qr: Arc<WechatQrCache>,
}

/// Bound on cached guest pages; past it the cache is emptied and refilled by use.
pub const GUEST_PAGE_CACHE_LIMIT: usize = 5_000;
/// A cached page is re-rendered after this long, so its hot lists stay fresh.
pub const GUEST_PAGE_TTL_SECONDS: i64 = 30;

/// A guest's article page, split around the view count, which changes with every read and is
/// filled in per request.
#[derive(Clone)]
pub struct GuestPage {
    pub generation: i64,
    pub rendered_at: i64,
    pub head: Bytes,
    pub tail: Bytes,
}

impl AppState {
    /// State over a library; `theme_dir` holds template overrides (the data dir's `theme/`).
    pub fn new(lib: Arc<Library>, theme_dir: Option<PathBuf>) -> Self {
        AppState {
            lib,
            templates: Templates::new(theme_dir),
            assets: Arc::new(Assets::new()),
            guest_pages: Arc::new(RwLock::new(HashMap::new())),
            nav: Arc::new(RwLock::new((-1, Arc::new(Vec::new())))),
            wechat_qr: Arc::new(WechatQrCache::default()),
        }
    }

    pub fn cached_guest_page(&self, id: i64, base: &str) -> Option<GuestPage> {
        let generation = self.lib.generation();
        let now = self.lib.now();
        let cache = self.guest_pages.read().unwrap_or_else(|e| e.into_inner());
        // Keyed by base too: without a configured base URL, the QR code names the request's host.
        match cache.get(&(id, base.to_owned())) {
            Some(page)
                if page.generation == generation
                    && (0..GUEST_PAGE_TTL_SECONDS).contains(&(now - page.rendered_at)) =>
            {
                Some(page.clone())
            }
            _ => None,
        }
    }

    pub fn cache_guest_page(&self, id: i64, base: &str, page: GuestPage) {
        let mut cache = self.guest_pages.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= GUEST_PAGE_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert((id, base.to_owned()), page);
    }

    /// The category menu, read from the database once per library generation.
    pub async fn nav(&self) -> AppResult<Arc<Vec<CategoryItem>>> {
        let generation = self.lib.generation();
        {
            let cached = self.nav.read().unwrap_or_else(|e| e.into_inner());
            if cached.0 == generation {
                return Ok(cached.1.clone());
            }
        }
        let categories = Arc::new(self.lib.categories().await?);
        *self.nav.write().unwrap_or_else(|e| e.into_inner()) = (generation, categories.clone());
        Ok(categories)
    }
}
