//! Background work of a server process: following the change feed, flushing counted views and
//! searches with no results, deriving keywords, updating the search index, following the change
//! feed with SimHash fingerprints, re-reading the saved settings, pushing new URLs to search
//! engines. Each loop survives errors (logged, retried on the next tick).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Services;

/// How often counted views are written to the database (the issue asks for at least once a second).
pub const VIEW_FLUSH_INTERVAL: Duration = Duration::from_millis(500);
const CHANGE_FOLLOW_INTERVAL: Duration = Duration::from_millis(500);
const KEYWORDS_INTERVAL: Duration = Duration::from_millis(1000);
const INDEX_INTERVAL: Duration = Duration::from_millis(500);
const SIMHASH_INTERVAL: Duration = Duration::from_millis(1000);
/// How often old login-failure and registration counts are deleted.
const LIMITS_SWEEP_INTERVAL: Duration = Duration::from_secs(3600);
/// How often the admin's saved settings are re-read (a save on another node shows within this).
const SETTINGS_INTERVAL: Duration = Duration::from_secs(5);
/// How often the views that order equally good search matches are re-read.
const POPULARITY_INTERVAL: Duration = Duration::from_secs(60);
/// How often newly published documents are queued and due URLs pushed to search engines.
const PUSH_INTERVAL: Duration = Duration::from_secs(1);

pub struct BackgroundTasks {
    services: Arc<Services>,
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl BackgroundTasks {
    pub fn spawn(services: Arc<Services>) -> Self {
        let (stop, stopped) = watch::channel(false);
        let handles = vec![
            every(
                CHANGE_FOLLOW_INTERVAL,
                services.clone(),
                stopped.clone(),
                "following the change feed",
                |services| async move { services.reading.apply_changes().await.map(|_| ()) },
            ),
            every(
                VIEW_FLUSH_INTERVAL,
                services.clone(),
                stopped.clone(),
                "flushing views, searches and reading history",
                |services| async move {
                    let views = services.views.flush().await.map(|_| ());
                    // Written even when the views failed: the two batches are independent.
                    let misses = services.search.flush_misses().await.map(|_| ());
                    let reads = services.library.flush_reads().await.map(|_| ());
                    views.and(misses).and(reads)
                },
            ),
            every(
                KEYWORDS_INTERVAL,
                services.clone(),
                stopped.clone(),
                "deriving keywords",
                |services| async move { services.related.derive_keywords().await.map(|_| ()) },
            ),
            every(
                SIMHASH_INTERVAL,
                services.clone(),
                stopped.clone(),
                "fingerprinting changed documents for near-duplicate detection",
                |services| async move {
                    services
                        .desk
                        .duplicates
                        .fingerprint_changes()
                        .await
                        .map(|_| ())
                },
            ),
            every(
                INDEX_INTERVAL,
                services.clone(),
                stopped.clone(),
                "updating the search index",
                |services| async move {
                    if services.search.has_index() {
                        services.search.index_changes().await?;
                    }
                    Ok(())
                },
            ),
            every(
                LIMITS_SWEEP_INTERVAL,
                services.clone(),
                stopped.clone(),
                "sweeping old login-failure counts",
                |services| async move { services.accounts.sweep_limits().await.map(|_| ()) },
            ),
            every(
                SETTINGS_INTERVAL,
                services.clone(),
                stopped.clone(),
                "re-reading the saved settings",
                |services| async move { services.settings.load_stored().await.map(|_| ()) },
            ),
            // The desk's search synonyms, as often as the settings (an edit on another node
            // applies here within this).
            every(
                SETTINGS_INTERVAL,
                services.clone(),
                stopped.clone(),
                "re-reading the search synonyms",
                |services| async move { services.search.reload_synonyms().await },
            ),
            every(
                POPULARITY_INTERVAL,
                services.clone(),
                stopped.clone(),
                "re-reading the views that rank search matches",
                |services| async move { services.search.refresh_popularity().await },
            ),
            every(
                PUSH_INTERVAL,
                services.clone(),
                stopped.clone(),
                "pushing new URLs to search engines",
                |services| async move { services.push.run_once().await.map(|_| ()) },
            ),
        ];
        BackgroundTasks {
            services,
            stop,
            handles,
        }
    }

    /// Stop the loops and write what is still pending, so a graceful shutdown loses no view.
    pub async fn shutdown(self) {
        // Loops finish the round they are in (a flush is never cut in half), then end.
        let _ = self.stop.send(true);
        for handle in self.handles {
            let _ = handle.await;
        }
        if let Err(err) = self.services.views.flush().await {
            tracing::error!(%err, "the last flush of views failed; those views are lost");
        }
        if let Err(err) = self.services.search.flush_misses().await {
            tracing::error!(%err, "the last flush of searches with no results failed");
        }
        if let Err(err) = self.services.library.flush_reads().await {
            tracing::error!(%err, "the last flush of reading history failed");
        }
    }
}

fn every<F, Fut>(
    interval: Duration,
    services: Arc<Services>,
    mut stopped: watch::Receiver<bool>,
    what: &'static str,
    work: F,
) -> JoinHandle<()>
where
    F: Fn(Arc<Services>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::Result<()>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(err) = work(services.clone()).await {
                        tracing::warn!(%err, "{what} failed; will retry");
                    }
                }
                _ = stopped.changed() => break,
            }
        }
    })
}
