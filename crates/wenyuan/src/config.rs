//! Configuration: every setting in one place. A value comes from the flag, else the `WENYUAN_*`
//! variable (clap reads both), else the TOML file, else the default, so `wenyuan serve` works with
//! no configuration at all. These are the initial values of the site settings: what an admin saves
//! at `/admin/settings` wins over them (see `wenyuan_core::editable_settings`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;
use wenyuan_core::settings::rules;
use wenyuan_core::settings::{ContactInfo, WechatAccount, WechatQr};
use wenyuan_core::SiteSettings;
use wenyuan_web::ServerLimits;

use crate::cli::{ServeArgs, StoreArgs};

pub const DEFAULT_DATA_DIR: &str = "./wenyuan-data";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const CONFIG_FILE_NAME: &str = "wenyuan.toml";

/// The optional TOML file. Every key is optional; unknown keys are an error, so a typo is caught.
/// Defaults, ranges and meanings of the site settings are in `wenyuan_core::settings::rules`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    /// Address of `/metrics`; none: no metrics.
    pub metrics_listen: Option<String>,
    pub base_url: Option<String>,
    /// Site name shown in the header.
    pub site_name: Option<String>,
    /// Share of a gated document a guest sees (`rules::preview_ratio`).
    pub preview_ratio: Option<f64>,
    /// Upper bound of the preview in characters.
    pub preview_max_chars: Option<usize>,
    /// Whether visitors may register.
    pub registration: Option<bool>,
    /// Access level of imported documents that name none.
    pub default_access: Option<String>,
    /// Site time zone as an offset, e.g. "+08:00".
    pub utc_offset: Option<String>,
    /// Days a login lasts.
    pub session_days: Option<i64>,
    /// Documents per list page.
    pub page_size: Option<i64>,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client's address.
    pub trust_proxy: Option<bool>,
    /// Without `base_url`: host names a request's `Host` may give share links and QR codes.
    pub allowed_hosts: Option<Vec<String>>,
    /// Largest SimHash distance at which an imported document is held as a near-duplicate of a
    /// stored one (`rules::near_duplicate_distance`).
    pub near_duplicate_distance: Option<u32>,
    /// Searches per client address per minute; 0 turns the limit off.
    pub search_per_minute: Option<usize>,
    /// `[wechat]`: the 微信订阅号 shown in the sidebar and on /contact.
    pub wechat: Option<WechatFile>,
    /// `[contact]`: phone, email, wechat, qq, hours (联系客服).
    pub contact: Option<ContactInfo>,
    /// `[downloads]`: files per site-local day a member and a VIP may download.
    pub downloads: Option<DownloadsFile>,
    /// ICP备案号 in every page's footer.
    pub icp_beian: Option<String>,
    /// 公安备案号 in every page's footer.
    pub police_beian: Option<String>,
    /// The home page's meta description.
    pub description: Option<String>,
    /// The home page's meta keywords.
    pub keywords: Option<String>,
    /// `[smtp]`: the server for 忘记密码 mails (`host`, `port`, `from`, `user`, `password`).
    pub smtp: Option<SmtpFile>,
    /// `[push]`: the search-engine push endpoint and token (`rules::push_target`).
    pub push: Option<PushFile>,
}

/// The `[smtp]` table (`wenyuan_core::settings::smtp::smtp` checks it); a blank host: no mail.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    pub host: String,
    pub port: Option<u16>,
    pub from: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// The `[push]` table: where new documents' URLs are sent (Baidu 普通收录 style).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushFile {
    pub endpoint: Option<String>,
    pub token: Option<String>,
}

/// The `[downloads]` table: daily download limits per level (`rules::daily_downloads`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadsFile {
    /// Per member per day; 0: members cannot download.
    pub member: Option<u32>,
    /// Per VIP per day; 0: VIPs cannot download.
    pub vip: Option<u32>,
}

/// The `[wechat]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatFile {
    /// The subscription account's name, e.g. "文渊范文".
    pub name: String,
    /// A PNG, JPEG or SVG of the account's QR, relative to the data folder or absolute.
    pub qr_image: Option<PathBuf>,
    /// Or a URL the site encodes as a QR code itself.
    pub qr_url: Option<String>,
    /// A line under the QR, e.g. "扫码关注，获取更多范文".
    pub hint: Option<String>,
}

impl WechatFile {
    fn resolve(self, data_dir: &Path) -> anyhow::Result<WechatAccount> {
        let name = rules::short_text("订阅号名称", "[wechat] name", &self.name)?;
        rules::wechat_needs_name(&name, true)?;
        let name = name.unwrap_or_default();
        let qr_url = rules::wechat_qr_url(self.qr_url.as_deref().unwrap_or(""))?;
        let qr_image = self.qr_image.filter(|p| !p.as_os_str().is_empty());
        let qr = match (qr_image, qr_url) {
            (Some(_), Some(_)) => bail!("[wechat] takes qr_image or qr_url, not both"),
            (Some(path), None) => {
                rules::wechat_qr_image(&path)?;
                Some(WechatQr::Image(data_dir.join(path)))
            }
            (None, qr_url) => qr_url,
        };
        let hint = rules::short_text(
            "订阅号提示语",
            "[wechat] hint",
            self.hint.as_deref().unwrap_or(""),
        )?;
        Ok(WechatAccount { name, qr, hint })
    }
}

/// Everything a command needs to open the store and build the library.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: String,
    /// Where `/metrics` is served; `None` (the default): nowhere.
    pub metrics_listen: Option<String>,
    pub site: SiteSettings,
    /// Header read timeout and shutdown deadline of the server.
    pub limits: ServerLimits,
}

impl Config {
    pub fn from_store_args(args: &StoreArgs) -> anyhow::Result<Self> {
        Self::resolve(args, None, None, None)
    }

    pub fn from_serve_args(args: &ServeArgs) -> anyhow::Result<Self> {
        Self::resolve(
            &args.store,
            args.listen.clone(),
            args.base_url.clone(),
            args.metrics_listen.clone(),
        )
    }

    fn resolve(
        args: &StoreArgs,
        listen: Option<String>,
        base_url: Option<String>,
        metrics_listen: Option<String>,
    ) -> anyhow::Result<Self> {
        let file = load_file(args)?;
        let data_dir = args
            .data
            .clone()
            .or(file.data.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = match args.database_url.clone().or(file.database_url.clone()) {
            Some(url) => url,
            None => sqlite_url(&data_dir.join("wenyuan.db")),
        };
        // Each value goes through its one rule in `wenyuan_core::settings::rules`, the same the
        // admin's form uses.
        let mut site = SiteSettings::default();
        if let Some(name) = file.site_name {
            site.site_name = rules::site_name(&name)?;
        }
        if let Some(url) = base_url.or(file.base_url) {
            site.base_url = rules::base_url(&url)?;
        }
        if let Some(ratio) = file.preview_ratio {
            site.preview_ratio = rules::preview_ratio(ratio)?;
        }
        if let Some(max) = file.preview_max_chars {
            site.preview_max_chars = rules::preview_max_chars(max)?;
        }
        if let Some(open) = file.registration {
            site.registration_open = open;
        }
        if let Some(access) = file.default_access {
            site.default_access = rules::default_access(&access)?;
        }
        if let Some(offset) = file.utc_offset {
            site.utc_offset = rules::utc_offset(&offset)?;
        }
        if let Some(days) = file.session_days {
            site.session_days = rules::session_days(days);
        }
        if let Some(size) = file.page_size {
            site.page_size = rules::page_size(size);
        }
        if let Some(trust) = file.trust_proxy {
            site.trust_proxy = trust;
        }
        if let Some(hosts) = file.allowed_hosts {
            site.allowed_hosts = hosts
                .iter()
                .map(|h| rules::allowed_host(h))
                .collect::<Result<_, _>>()?;
        }
        if let Some(distance) = file.near_duplicate_distance {
            site.near_duplicate_distance = rules::near_duplicate_distance(distance)?;
        }
        if let Some(per_minute) = file.search_per_minute {
            site.search_per_minute = per_minute;
        }
        if let Some(wechat) = file.wechat {
            site.wechat = Some(wechat.resolve(&data_dir)?);
        }
        if let Some(contact) = file.contact {
            site.contact = rules::contact(&contact)?;
        }
        let [icp, police, description, keywords] = rules::site_texts(
            file.icp_beian.as_deref().unwrap_or_default(),
            file.police_beian.as_deref().unwrap_or_default(),
            file.description.as_deref().unwrap_or_default(),
            file.keywords.as_deref().unwrap_or_default(),
        )?;
        site.icp_beian = icp;
        site.police_beian = police;
        site.description = description;
        site.keywords = keywords;
        if let Some(smtp) = file.smtp {
            site.smtp = wenyuan_core::settings::smtp::smtp(
                &smtp.host,
                &smtp.port.map(|p| p.to_string()).unwrap_or_default(),
                &smtp.from,
                smtp.user.as_deref().unwrap_or_default(),
                smtp.password.as_deref().unwrap_or_default(),
            )?;
        }
        if let Some(push) = file.push {
            let (endpoint, token) = rules::push_target(
                push.endpoint.as_deref().unwrap_or_default(),
                push.token.as_deref().unwrap_or_default(),
            )?;
            site.push_endpoint = endpoint;
            site.push_token = token;
        }
        if let Some(downloads) = file.downloads {
            if let Some(n) = downloads.member {
                site.downloads_member = rules::daily_downloads("downloads.member", n)?;
            }
            if let Some(n) = downloads.vip {
                site.downloads_vip = rules::daily_downloads("downloads.vip", n)?;
            }
        }
        Ok(Config {
            data_dir,
            database_url,
            listen: listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
            metrics_listen: metrics_listen
                .or(file.metrics_listen)
                .filter(|a| !a.trim().is_empty()),
            site,
            limits: ServerLimits::default(),
        })
    }

    /// The search index folder (derived data: `wenyuan reindex` rebuilds it).
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// The user dictionary for segmentation: domain words, one per line.
    pub fn dictionary_file(&self) -> PathBuf {
        self.data_dir.join("dictionary.txt")
    }

    /// The theme folder, whose files override the embedded templates.
    pub fn theme_dir(&self) -> PathBuf {
        self.data_dir.join("theme")
    }
}

fn load_file(args: &StoreArgs) -> anyhow::Result<FileConfig> {
    let path = match &args.config {
        Some(path) => path.clone(),
        None => {
            let data = args
                .data
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
            let path = data.join(CONFIG_FILE_NAME);
            if !path.exists() {
                return Ok(FileConfig::default());
            }
            path
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("bad config file {}", path.display()))
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Logs go to stderr; `RUST_LOG` (e.g. `RUST_LOG=wenyuan=debug`) picks what is shown.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Colour codes only on a terminal: in a log file or a pipe they are noise (NO_COLOR too).
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(data: &Path) -> StoreArgs {
        StoreArgs {
            data: Some(data.to_owned()),
            database_url: None,
            config: None,
        }
    }

    #[test]
    fn defaults_need_no_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_store_args(&args(dir.path())).unwrap();
        assert!(config.database_url.starts_with("sqlite://"));
        assert!(config.database_url.ends_with("wenyuan.db"));
        assert_eq!(config.listen, DEFAULT_LISTEN);
        assert!(config.site.registration_open);
    }

    #[test]
    fn the_config_file_in_the_data_folder_is_read_and_typos_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wenyuan.toml"),
            "site_name = \"范文网\"\nregistration = false\nlisten = \"127.0.0.1:9999\"\n",
        )
        .unwrap();
        let config = Config::from_store_args(&args(dir.path())).unwrap();
        assert_eq!(config.site.site_name, "范文网");
        assert!(!config.site.registration_open);
        assert_eq!(config.listen, "127.0.0.1:9999");

        std::fs::write(dir.path().join("wenyuan.toml"), "site_nmae = \"x\"\n").unwrap();
        let err = Config::from_store_args(&args(dir.path())).unwrap_err();
        assert!(format!("{err:#}").contains("site_nmae"), "{err:#}");
    }

    #[test]
    fn beian_numbers_and_home_meta_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wenyuan.toml"),
            "icp_beian = \"京ICP备12345678号-1\"\npolice_beian = \"京公网安备 11010502000001号\"\n\
             description = \"公文范文\"\nkeywords = \" \"\n",
        )
        .unwrap();
        let config = Config::from_store_args(&args(dir.path())).unwrap();
        assert_eq!(
            config.site.icp_beian.as_deref(),
            Some("京ICP备12345678号-1")
        );
        assert_eq!(
            config.site.police_beian.as_deref(),
            Some("京公网安备 11010502000001号")
        );
        assert_eq!(config.site.description.as_deref(), Some("公文范文"));
        assert_eq!(config.site.keywords, None, "blank is unset");
    }

    #[test]
    fn wechat_and_contact_tables_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wenyuan.toml"),
            "trust_proxy = true\n\
             [wechat]\nname = \"文渊范文\"\nqr_image = \"qr.png\"\nhint = \"扫码关注\"\n\
             [contact]\nphone = \"400-800-1234\"\nemail = \"kefu@example.com\"\nqq = \" \"\n",
        )
        .unwrap();
        let config = Config::from_store_args(&args(dir.path())).unwrap();
        let wechat = config.site.wechat.unwrap();
        assert_eq!(wechat.name, "文渊范文");
        assert_eq!(
            wechat.qr,
            Some(WechatQr::Image(dir.path().join("qr.png"))),
            "relative to the data folder"
        );
        assert_eq!(wechat.hint.as_deref(), Some("扫码关注"));
        assert_eq!(config.site.contact.phone.as_deref(), Some("400-800-1234"));
        assert_eq!(config.site.contact.qq, None, "blank is unset");
        assert!(config.site.trust_proxy);

        let bad = [
            ("[wechat]\nname = \"x\"\nqr_image = \"a.png\"\nqr_url = \"http://weixin.qq.com/r/x\"\n", "not both"),
            ("[wechat]\nname = \"x\"\nqr_image = \"a.gif\"\n", ".png, .jpg or .svg"),
            ("[wechat]\nname = \" \"\n", "name must not be empty"),
            ("[contact]\nfax = \"1\"\n", "fax"),
        ];
        for (text, expected) in bad {
            std::fs::write(dir.path().join("wenyuan.toml"), text).unwrap();
            let err = Config::from_store_args(&args(dir.path())).unwrap_err();
            assert!(format!("{err:#}").contains(expected), "{text}: {err:#}");
        }
    }

    /// The README's configuration table must tell the defaults of the one table of settings.
    #[test]
    fn the_readme_table_agrees_with_the_settings_rules() {
        let readme = include_str!("../../../README.md");
        let mut checked = 0;
        for row in readme.lines().filter(|l| l.starts_with("| ")) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (Some(key), Some(default)) = (cells.get(2), cells.get(3)) else {
                continue;
            };
            let key = key.trim_matches('`');
            let Some(spec) = rules::SETTINGS.iter().find(|s| s.file_key == key) else {
                continue;
            };
            assert_eq!(default.trim_matches('`'), spec.default, "README row {row}");
            checked += 1;
        }
        assert!(
            checked >= 10,
            "only {checked} README rows matched a setting"
        );
    }
}
