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
    /// Rendered article pages for guests, who all see the same page: (library generation, HTML).
    pub guest_pages: Arc<RwLock<HashMap<i64, (i64, Bytes)>>>,
    /// The category menu every page shows: (library generation, categories).
    nav: Arc<RwLock<(i64, Arc<Vec<CategoryItem>>)>>,
    /// The 微信订阅号 QR, made or read on first request.
    pub wechat_qr: Arc<WechatQrCache>,
}

/// Bound on cached guest pages; past it the cache is emptied and refilled by use.
pub const GUEST_PAGE_CACHE_LIMIT: usize = 5_000;

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

    pub fn cached_guest_page(&self, id: i64) -> Option<Bytes> {
        let generation = self.lib.generation();
        let cache = self.guest_pages.read().unwrap_or_else(|e| e.into_inner());
        match cache.get(&id) {
            Some((g, html)) if *g == generation => Some(html.clone()),
            _ => None,
        }
    }

    pub fn cache_guest_page(&self, id: i64, html: Bytes) {
        let generation = self.lib.generation();
        let mut cache = self.guest_pages.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= GUEST_PAGE_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(id, (generation, html));
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
