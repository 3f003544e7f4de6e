//! The 微信订阅号 (WeChat subscription account) as every page shows it: the sidebar's and the
//! contact page's view of it, and the cache of its QR image. Shared by the page frame
//! ([`crate::pages`]), the state and the QR routes in `routes/contact.rs`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use serde::Serialize;
use wenyuan_core::contact::WechatQr;
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

/// The QR last made or read, with the source it came from. A request whose configured source
/// differs (an admin changed the QR link) makes it again, so a change shows at once.
#[derive(Default)]
pub struct WechatQrCache {
    svg: Mutex<Option<(String, Bytes)>>,
    image: Mutex<Option<(PathBuf, &'static str, Bytes)>>,
}

impl WechatQrCache {
    pub fn svg_for(&self, url: &str) -> Option<Bytes> {
        let cached = self.svg.lock().unwrap_or_else(|e| e.into_inner());
        cached
            .as_ref()
            .filter(|(source, _)| source == url)
            .map(|(_, svg)| svg.clone())
    }

    pub fn image_for(&self, path: &Path) -> Option<(&'static str, Bytes)> {
        let cached = self.image.lock().unwrap_or_else(|e| e.into_inner());
        cached
            .as_ref()
            .filter(|(source, _, _)| source == path)
            .map(|(_, content_type, bytes)| (*content_type, bytes.clone()))
    }

    /// Keep the SVG made from `url` (the QR link) until the link changes.
    pub fn keep_svg(&self, url: String, svg: Bytes) {
        *self.svg.lock().unwrap_or_else(|e| e.into_inner()) = Some((url, svg));
    }

    /// Keep the image read from `path` until the configured path changes.
    pub fn keep_image(&self, path: PathBuf, content_type: &'static str, bytes: Bytes) {
        *self.image.lock().unwrap_or_else(|e| e.into_inner()) = Some((path, content_type, bytes));
    }

    /// Forget both images (the settings changed).
    pub fn clear(&self) {
        *self.svg.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *self.image.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
