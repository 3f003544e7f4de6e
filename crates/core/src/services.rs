//! The services, composed once per process: what `AppState`, the CLI and the tests hold.

use std::sync::Arc;

use wenyuan_search::SearchIndex;
use wenyuan_store::Store;

use crate::accounts::{Accounts, ApiTokens, MemberAdmin, Recovery};
use crate::audit::AuditLog;
use crate::context::Context;
use crate::desk::Desk;
use crate::discovery::{Hot, Related, ViewCounting};
use crate::inbox::Inbox;
use crate::library::Library;
use crate::maintenance::Maintenance;
use crate::old_urls::OldUrls;
use crate::reading::Reading;
use crate::search::Search;
use crate::seo::{SearchPush, Sitemaps};
use crate::settings::SettingsService;
use crate::statistics::Statistics;
use crate::takeaway::Takeaway;
use crate::vip::Vip;
use crate::{Clock, Result, SiteSettings};

/// One field per area; each service owns its caches and never reaches into another's state.
pub struct Services {
    ctx: Context,
    /// Documents as readers reach them: the gate, lists, categories.
    pub reading: Arc<Reading>,
    /// Downloads (.docx, .txt) through the gate.
    pub takeaway: Takeaway,
    /// View counting, off the request path.
    pub views: Arc<ViewCounting>,
    /// 本周热门 / 本月热门.
    pub hot: Hot,
    /// 相关内容 and the keywords behind it.
    pub related: Related,
    pub search: Arc<Search>,
    /// The editorial desk: documents, taxonomy, import, near-duplicates, 模板化.
    pub desk: Desk,
    pub accounts: Accounts,
    pub members: MemberAdmin,
    /// Editors' API tokens (`/admin/tokens`) and the check of a request's Bearer token.
    pub api_tokens: ApiTokens,
    /// Password reset links and the CLI's password resets.
    pub recovery: Recovery,
    /// A member's own library (`/me`): favourites, reading history, downloads, password,
    /// account deletion and export.
    pub library: Library,
    /// 联系客服 messages.
    pub inbox: Inbox,
    pub audit: Arc<AuditLog>,
    pub statistics: Statistics,
    /// The admin's saved settings (the live ones are read with [`Services::settings`]).
    pub settings: SettingsService,
    /// VIP: grants, redeem codes (卡密), members' status.
    pub vip: Vip,
    /// Backups and exports (`wenyuan backup`, `wenyuan export`).
    pub maintenance: Maintenance,
    /// The sitemap of published documents (chunk bounds cached per generation).
    pub sitemaps: Sitemaps,
    /// Addresses of a site the library was moved from, answered with 301s.
    pub old_urls: OldUrls,
    /// New URLs sent to search engines (Baidu 普通收录 style), in the background.
    pub push: SearchPush,
}

impl Services {
    /// The services over `store`, with `settings` as configured. The admin's saved settings are
    /// not read yet: call `settings.load_stored()` (the server and the CLI do at start-up).
    pub async fn new(store: Store, settings: SiteSettings, clock: Arc<dyn Clock>) -> Result<Self> {
        let ctx = Context::new(store, settings, clock);
        let reading = Arc::new(Reading::new(ctx.clone()).await?);
        let views = Arc::new(ViewCounting::new(ctx.clone()));
        let search = Arc::new(Search::new(ctx.clone(), reading.clone()));
        let audit = Arc::new(AuditLog::new(ctx.clone()));
        let desk = Desk::new(
            &ctx,
            reading.clone(),
            search.clone(),
            views.clone(),
            audit.clone(),
        );
        Ok(Services {
            hot: Hot::new(ctx.clone()),
            related: Related::new(ctx.clone()),
            accounts: Accounts::new(ctx.clone()),
            members: MemberAdmin::new(ctx.clone()),
            api_tokens: ApiTokens::new(ctx.clone()),
            recovery: Recovery::new(ctx.clone()),
            inbox: Inbox::new(ctx.clone()),
            statistics: Statistics::new(ctx.clone()),
            settings: SettingsService::new(ctx.clone()),
            vip: Vip::new(ctx.clone()),
            maintenance: Maintenance::new(ctx.clone()),
            sitemaps: Sitemaps::new(ctx.clone()),
            old_urls: OldUrls::new(ctx.clone()),
            push: SearchPush::new(ctx.clone()),
            takeaway: Takeaway::new(ctx.clone(), reading.clone()),
            library: Library::new(ctx.clone(), reading.clone()),
            reading,
            views,
            search,
            desk,
            audit,
            ctx,
        })
    }

    /// Give this process its search index (the server does; the CLI's import does not need one).
    pub fn attach_index(&self, index: Arc<SearchIndex>) {
        self.search.attach_index(index);
    }

    /// Unix time now, by the injected clock.
    pub fn now(&self) -> i64 {
        self.ctx.now()
    }

    /// The settings in force now (hold it for one request at most).
    pub fn site(&self) -> Arc<SiteSettings> {
        self.ctx.settings()
    }

    /// A number that moves whenever anything derived from documents or settings must be
    /// rebuilt (see [`crate::cache`]).
    pub fn generation(&self) -> i64 {
        self.ctx.generation()
    }

    /// Make every cache entry stale (tests that move the clock, an admin's change of a source).
    pub fn bump_generation(&self) {
        self.ctx.bump_generation();
    }

    /// The store, for tests that check what was written. Application code goes through the
    /// services.
    pub fn store_for_tests(&self) -> &Store {
        &self.ctx.store
    }

    /// How the database pool is used now (for `/metrics`).
    pub fn pool_use(&self) -> wenyuan_store::PoolUse {
        self.ctx.store.pool_use()
    }

    /// Close the database connections (after the background tasks have stopped).
    pub async fn close(&self) {
        self.ctx.store.close().await;
    }
}
