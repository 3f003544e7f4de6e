//! 联系客服 and 微信订阅号 as the site is configured with them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The WeChat subscription account (微信订阅号) shown in the sidebar and on `/contact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatAccount {
    /// The account's name, e.g. "文渊范文".
    pub name: String,
    /// Its QR code; `None` shows the name only.
    pub qr: Option<WechatQr>,
    /// A line under the QR, e.g. "扫码关注，获取更多范文".
    pub hint: Option<String>,
}

/// Where the subscription QR comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WechatQr {
    /// An uploaded PNG, JPEG or SVG file (an absolute path; the config resolves relative ones
    /// against the data folder).
    Image(PathBuf),
    /// A URL the site encodes as a QR code itself (the account's `http://weixin.qq.com/r/…` link).
    Url(String),
}

/// Ways to reach the site's staff (联系客服); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInfo {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// A personal WeChat ID for customer service (not the subscription account).
    pub wechat: Option<String>,
    pub qq: Option<String>,
    /// Office hours, e.g. "工作日 9:00–18:00".
    pub hours: Option<String>,
}

impl ContactInfo {
    /// Blank values count as unset, so templates need only test for presence.
    pub fn normalised(self) -> Self {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        ContactInfo {
            phone: clean(self.phone),
            email: clean(self.email),
            wechat: clean(self.wechat),
            qq: clean(self.qq),
            hours: clean(self.hours),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.phone.is_none()
            && self.email.is_none()
            && self.wechat.is_none()
            && self.qq.is_none()
            && self.hours.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_contact_settings_count_as_unset() {
        let info = ContactInfo {
            phone: Some(" 400-000-0000 ".into()),
            email: Some("  ".into()),
            ..ContactInfo::default()
        }
        .normalised();
        assert_eq!(info.phone.as_deref(), Some("400-000-0000"));
        assert_eq!(info.email, None);
        assert!(!info.is_empty());
        assert!(ContactInfo::default().is_empty());
    }
}
