//! The 微信订阅号 (WeChat subscription account) as every page shows it: the sidebar's and the
//! contact page's view of it, and the cache of its QR image. Shared by the page frame
//! ([`crate::pages`]), the state and the QR routes in `routes/contact.rs`.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::Serialize;
use wenyuan_core::cache::{Cache, Stamp};
use wenyuan_core::settings::WechatQr;
use wenyuan_core::SiteSettings;

/// Where the sidebar's and the contact page's `<img>` find the QR, by its source.
pub const QR_SVG_PATH: &str = "/wechat-qr.svg";
pub const QR_IMAGE_PATH: &str = "/wechat-qr";

/// What the sidebar partial and the contact page show of the subscription account.
#[derive(Debug, Serialize)]
pub struct WechatView<'a> {
    pub name: &'a str,
    pub hint: Option<&'a str>,
    /// The QR `<img>` source; `None` when no QR is configured.
    pub qr_src: Option<&'static str>,
}

pub fn wechat_view(settings: &SiteSettings) -> Option<WechatView<'_>> {
    let account = settings.wechat.as_ref()?;
    Some(WechatView {
        name: &account.name,
        hint: account.hint.as_deref(),
        qr_src: account.qr.as_ref().map(|qr| match qr {
            WechatQr::Url(_) => QR_SVG_PATH,
            WechatQr::Image(_) => QR_IMAGE_PATH,
        }),
    })
}

/// The QRs made or read, by the source they came from: a request whose configured source differs
/// (an admin changed the QR link) makes it again, so a change shows at once. One [`Cache`] each,
/// of a few entries: a source is the key, so no entry ever goes stale in place.
pub struct WechatQrCache {
    svg: Cache<String, Bytes>,
    image: Cache<PathBuf, (&'static str, Bytes)>,
}

/// Sources kept per kind (the current one, and a few an admin switched between).
const QR_SOURCES_KEPT: usize = 4;

/// QR entries never expire by time or generation: their key names their source.
const TIMELESS: Stamp = Stamp {
    generation: 0,
    now: 0,
};

impl Default for WechatQrCache {
    fn default() -> Self {
        WechatQrCache {
            svg: Cache::keyed_by_change(QR_SOURCES_KEPT),
            image: Cache::keyed_by_change(QR_SOURCES_KEPT),
        }
    }
}

impl WechatQrCache {
    pub fn svg_for(&self, url: &str) -> Option<Bytes> {
        self.svg.get(url, TIMELESS)
    }

    pub fn image_for(&self, path: &Path) -> Option<(&'static str, Bytes)> {
        self.image.get(path, TIMELESS)
    }

    /// Keep the SVG made from `url` (the QR link).
    pub fn keep_svg(&self, url: String, svg: Bytes) {
        self.svg.insert(url, TIMELESS, svg);
    }

    /// Keep the image read from `path`.
    pub fn keep_image(&self, path: PathBuf, content_type: &'static str, bytes: Bytes) {
        self.image.insert(path, TIMELESS, (content_type, bytes));
    }

    /// Forget both images (the settings changed: a file at the same path may have been replaced).
    pub fn clear(&self) {
        self.svg.clear();
        self.image.clear();
    }
}
