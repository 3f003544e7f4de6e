use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use wenyuan_core::library::CategoryItem;
use wenyuan_core::Library;

use crate::error::AppResult;

use crate::assets::Assets;
use crate::guest_page::{GuestPage, GuestPages};
use crate::templates::Templates;
use crate::wechat::WechatQrCache;

/// Everything a handler needs: one shared handle, so the clones axum makes per request (for each
/// extractor and middleware) are one reference count each. Fields are reached through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub lib: Arc<Library>,
    pub templates: Templates,
    pub assets: Assets,
    /// Rendered article pages for guests, who all see the same page.
    pub guest_pages: GuestPages,
    /// The category menu every page shows: (library generation, categories).
    nav: RwLock<(i64, Arc<Vec<CategoryItem>>)>,
    /// The 微信订阅号 QR, made or read on first request.
    pub wechat_qr: WechatQrCache,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State over a library; `theme_dir` holds template overrides (the data dir's `theme/`).
    pub fn new(lib: Arc<Library>, theme_dir: Option<PathBuf>) -> Self {
        AppState(Arc::new(Shared {
            lib,
            templates: Templates::new(theme_dir),
            assets: Assets::new(),
            guest_pages: GuestPages::default(),
            nav: RwLock::new((-1, Arc::new(Vec::new()))),
            wechat_qr: WechatQrCache::default(),
        }))
    }

    /// The cached guest page of `id` for `base`, if still fresh.
    pub fn cached_guest_page(&self, id: i64, base: &str) -> Option<Arc<GuestPage>> {
        self.guest_pages
            .get(id, base, self.lib.generation(), self.lib.now())
    }

    pub fn cache_guest_page(&self, id: i64, base: &str, page: Arc<GuestPage>) {
        self.guest_pages.insert(id, base, page);
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
