//! Opening the library and running the server: shared by `serve`, `demo` and the tests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use wenyuan_core::tasks::BackgroundTasks;
use wenyuan_core::{Clock, Services, SystemClock};
use wenyuan_search::SearchIndex;
use wenyuan_store::Store;
use wenyuan_web::AppState;

use crate::config::Config;

/// Open (and migrate) the store and build the library over it.
pub async fn open_services(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<Services>> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data folder {}",
                config.data_dir.display()
            )
        })?;
    }
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&config.database_url)))?;
    let services = Services::new(store, config.site.clone(), clock).await?;
    // What an admin saved at /admin/settings wins over the configuration (see editable_settings).
    services
        .settings
        .load_stored()
        .await
        .context("cannot read the saved site settings")?;
    Ok(Arc::new(services))
}

/// Open the search index in the data folder and attach it to the library. Only one process may
/// write an index: a second server on the same data folder is refused with a clear message.
pub fn open_index(config: &Config, services: &Services) -> anyhow::Result<()> {
    load_dictionary(config)?;
    let dir = config.index_dir();
    // A new node, or a lost index, is filled from the whole library at start (see
    // `Search::index_changes`), so its writer then gets what `wenyuan reindex` gets.
    let index = SearchIndex::open_for_server(&dir)?;
    services.attach_index(Arc::new(index));
    Ok(())
}

/// Load the user dictionary (`dictionary.txt` in the data folder) into the segmenter, if present.
pub fn load_dictionary(config: &Config) -> anyhow::Result<()> {
    let path = config.dictionary_file();
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let words = wenyuan_text::segment::load_user_dictionary(&text)
                .with_context(|| format!("bad user dictionary {}", path.display()))?;
            tracing::info!(words, file = %path.display(), "user dictionary loaded");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// A running server; dropping it does not stop it, [`RunningServer::stop`] does.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when `metrics_listen` is set.
    pub metrics_addr: Option<SocketAddr>,
    metrics_task: Option<tokio::task::JoinHandle<()>>,
    pub services: Arc<Services>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    background: BackgroundTasks,
}

impl RunningServer {
    /// Stop accepting, finish requests in flight, close the database.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.wait().await
    }

    /// Wait until the server ends by itself (after a signal), then flush what is pending and
    /// close the database.
    pub async fn wait(self) -> anyhow::Result<()> {
        let served = self.task.await.context("the server task failed")?;
        if let Some(metrics) = &self.metrics_task {
            metrics.abort();
        }
        self.background.shutdown().await;
        self.services.close().await;
        served.context("the server failed")
    }
}

/// Start serving `services` on `listen`. The server stops on [`RunningServer::stop`] or, when
/// `handle_signals` is set, on SIGINT/SIGTERM.
pub async fn start(
    config: &Config,
    services: Arc<Services>,
    listen: &str,
    handle_signals: bool,
) -> anyhow::Result<RunningServer> {
    open_index(config, &services)?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let (metrics_addr, metrics_task) = match &config.metrics_listen {
        Some(listen) => {
            let (addr, task) = start_metrics(listen, services.clone()).await?;
            (Some(addr), Some(task))
        }
        None => (None, None),
    };
    let theme = Some(config.theme_dir());
    let state = AppState::new(services.clone(), theme);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let flushing = services.clone();
    let shutdown = async move {
        if handle_signals {
            tokio::select! {
                _ = stop_rx => {}
                _ = shutdown_signal() => {}
            }
        } else {
            let _ = stop_rx.await;
        }
        // Views counted so far are written first, so a stop that ends in the deadline loses none
        // of them whatever slow clients do (those counted while requests finish are written by
        // the last flush).
        let first = tokio::time::timeout(Duration::from_secs(2), flushing.views.flush());
        if let Ok(Err(err)) = first.await {
            tracing::warn!(%err, "flushing views at shutdown failed; retried at the end");
        }
        tracing::info!("shutting down: finishing requests in flight");
    };
    let background = BackgroundTasks::spawn(services.clone());
    let task = tokio::spawn(wenyuan_web::serve(listener, state, config.limits, shutdown));
    Ok(RunningServer {
        addr,
        metrics_addr,
        metrics_task,
        services,
        stop: Some(stop_tx),
        task,
        background,
    })
}

/// Serve `/metrics` on `listen` (its own listener: the site's address never shows it).
async fn start_metrics(
    listen: &str,
    services: Arc<Services>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let handle = wenyuan_web::metrics::install()
        .context("cannot serve /metrics: a metrics recorder is set already")?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} for /metrics"))?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(err) = wenyuan_web::metrics::serve(listener, handle, services).await {
            tracing::warn!(%err, "the /metrics listener failed");
        }
    });
    tracing::info!("metrics at http://{addr}/metrics");
    Ok((addr, task))
}

/// Start a server as tests need it: the given config, the system clock, port 0 on loopback.
pub async fn start_for_test(config: &Config) -> anyhow::Result<RunningServer> {
    start_for_test_with_clock(config, Arc::new(SystemClock)).await
}

/// As [`start_for_test`], with a clock the test controls (e.g. a `ManualClock`).
pub async fn start_for_test_with_clock(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<RunningServer> {
    let services = open_services(config, clock).await?;
    start(config, services, "127.0.0.1:0", false).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://./x.db"), "sqlite://./x.db");
    }
}
