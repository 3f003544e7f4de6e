//! Untrusted files are parsed off the async workers: on blocking threads, a bounded number at
//! once, each within a time budget.
//!
//! A hostile file (HTML nested 200 000 deep, a zip of highly compressed entries) once held an
//! async worker for minutes and stalled every other request. Now the parse runs on a blocking
//! thread, at most one per core but one (so a core is always left for requests), and the import
//! gives up on it when its budget is spent: cooperatively between zip entries and `.jsonl`
//! records ([`Deadline::passed`]), and from outside for a single parse that does not return
//! (the thread finishes on its own, holding its permit, so runaway parses cannot pile up).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

/// How long one uploaded or imported file may take to parse (a real 20 MB `.docx` takes about a
/// second).
pub const DEFAULT_PARSE_BUDGET: Duration = Duration::from_secs(30);

/// When a parse must stop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    pub(crate) fn after(budget: Duration) -> Self {
        Deadline {
            at: Instant::now() + budget,
            budget,
        }
    }

    pub(crate) fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// The reason shown for a file that ran out of time.
    pub(crate) fn refusal(&self) -> String {
        out_of_time(self.budget)
    }
}

fn out_of_time(budget: Duration) -> String {
    format!(
        "解析超过 {} 秒仍未完成，已放弃（文件可能是恶意构造的），整个文件未导入",
        budget.as_secs().max(1)
    )
}

/// Parses run here.
#[derive(Debug, Clone)]
pub(crate) struct Parsing {
    permits: Arc<Semaphore>,
}

impl Parsing {
    pub(crate) fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Parsing {
            permits: Arc::new(Semaphore::new(cores.saturating_sub(1).max(1))),
        }
    }

    /// Runs `parse` on a blocking thread within `budget` (waiting for a free thread is bounded
    /// by the budget too); the error is the reason to show.
    pub(crate) async fn run<T, F>(&self, budget: Duration, parse: F) -> Result<T, String>
    where
        F: FnOnce(&Deadline) -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = match tokio::time::timeout(budget, self.permits.clone().acquire_owned()).await
        {
            Ok(Ok(permit)) => permit,
            _ => return Err("服务器正忙（其他文件正在解析），请稍后再试".to_owned()),
        };
        let deadline = Deadline::after(budget);
        let task = tokio::task::spawn_blocking(move || {
            let parsed = parse(&deadline);
            // Held until the parse ends, even when the caller stopped waiting for it.
            drop(permit);
            parsed
        });
        match tokio::time::timeout(budget, task).await {
            Ok(Ok(parsed)) => Ok(parsed),
            Ok(Err(panic)) => {
                tracing::error!(%panic, "a parser panicked");
                Err("解析文件时出错，整个文件未导入".to_owned())
            }
            Err(_elapsed) => {
                tracing::warn!(
                    ?budget,
                    "a parse ran out of time; its thread finishes alone"
                );
                Err(out_of_time(budget))
            }
        }
    }
}
