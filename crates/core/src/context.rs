//! What every service shares: the store, the clock, the settings in force and the generation
//! (see [`Generation`]). Cloning is a few reference counts; each service keeps its own copy, and
//! none reaches into another service's state.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use parking_lot::RwLock;
use wenyuan_store::Store;

use crate::clock::local_date;
use crate::{Clock, SiteSettings};

/// A number that moves whenever anything derived from documents or settings must be rebuilt:
/// the change-feed follower bumps it after applying changes, a settings save bumps it too.
/// Caches stamp their entries with it (see [`crate::cache`]).
#[derive(Default)]
pub struct Generation(AtomicI64);

impl Generation {
    pub fn current(&self) -> i64 {
        self.0.load(Ordering::Acquire)
    }

    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

#[derive(Clone)]
pub struct Context {
    pub(crate) store: Store,
    clock: Arc<dyn Clock>,
    /// The live settings: swapped whole when an admin saves new ones, so a reader holding the old
    /// `Arc` finishes its request with a consistent set.
    settings: Arc<RwLock<Arc<SiteSettings>>>,
    generation: Arc<Generation>,
}

impl Context {
    pub fn new(store: Store, settings: SiteSettings, clock: Arc<dyn Clock>) -> Self {
        Context {
            store,
            clock,
            settings: Arc::new(RwLock::new(Arc::new(settings))),
            generation: Arc::new(Generation::default()),
        }
    }

    /// Unix time in seconds, from the injected clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The settings in force now. Cheap (one reference count); hold it for one request at most,
    /// so a change an admin saves shows on the next one.
    pub fn settings(&self) -> Arc<SiteSettings> {
        self.settings.read().clone()
    }

    /// Put new settings in force, and bump the generation so that pages rendered with the old
    /// ones (the guest page cache, lists) are rendered again.
    pub fn replace_settings(&self, settings: SiteSettings) {
        *self.settings.write() = Arc::new(settings);
        self.generation.bump();
    }

    pub fn generation(&self) -> i64 {
        self.generation.current()
    }

    /// Invalidate everything derived from documents (rendered pages, lists, related lists).
    pub fn bump_generation(&self) {
        self.generation.bump();
    }

    /// Today in the site's time zone.
    pub fn local_today(&self) -> NaiveDate {
        local_date(self.now(), self.settings().utc_offset)
    }

    /// A unix time as the site's local `YYYY-MM-DD HH:MM:SS`.
    pub fn local_time(&self, unix_seconds: i64) -> String {
        self.local_format(unix_seconds, "%Y-%m-%d %H:%M:%S")
    }

    /// A unix time in the site's time zone, formatted with `format` (chrono's syntax).
    pub fn local_format(&self, unix_seconds: i64, format: &str) -> String {
        chrono::DateTime::<chrono::Utc>::from_timestamp(unix_seconds, 0)
            .unwrap_or_default()
            .with_timezone(&self.settings().utc_offset)
            .format(format)
            .to_string()
    }
}
