//! Search-engine push (issue 13 item 4): the URL of every newly published document is sent to the
//! configured push endpoint, Baidu 普通收录 style (`POST {endpoint}?site={base_url}&token={token}`,
//! one URL per line, `text/plain`).
//!
//! Off the request path: a background loop follows the change feed from a cursor kept in the
//! database and queues documents that are published (drafts, pending and hidden ones never), then
//! sends due rows in batches. A failed request (no answer, or any status but 2xx) is retried with
//! a doubling backoff by the injected clock. The queue and its claims live in the database, so on
//! several nodes each URL is sent once (see `wenyuan_store::push`). Documents published while no
//! endpoint is configured are not queued: turning push on later does not send the whole library.

use std::time::Duration;

use serde::Serialize;

use crate::context::Context;
use crate::Result;

/// URLs per request (Baidu takes at most 2,000 per request).
pub const BATCH_URLS: i64 = 500;
/// Changes read from the feed per round.
const CHANGES_PER_ROUND: i64 = 1_000;
/// How long a node owns the rows it claimed; longer than a request may take.
const LEASE_SECONDS: i64 = 120;
/// The whole request, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// First wait after a failure, doubled per failure up to [`MAX_BACKOFF_SECONDS`].
const FIRST_BACKOFF_SECONDS: i64 = 60;
const MAX_BACKOFF_SECONDS: i64 = 6 * 3600;
/// Requests shown at the desk.
const ATTEMPTS_SHOWN: i64 = 20;

/// Where URLs go: the endpoint, its token and the site whose URLs are pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    endpoint: String,
    token: String,
    base_url: String,
}

/// One request made to the endpoint, as the desk shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PushAttempt {
    /// Unix seconds.
    pub at: i64,
    /// The time in the site's zone (`2026-12-01 10:00:00`).
    pub at_text: String,
    pub urls: i64,
    /// The HTTP status; `None` when the endpoint did not answer.
    pub status: Option<i64>,
    pub ok: bool,
    /// The endpoint's answer or the error.
    pub detail: String,
}

/// What the desk shows about push.
#[derive(Debug, Clone, Serialize)]
pub struct PushStatus {
    /// An endpoint and token are set.
    pub configured: bool,
    /// Configured, but without the site's base URL no absolute URL can be made.
    pub needs_base_url: bool,
    pub waiting: i64,
    pub pushed: i64,
    pub attempts: Vec<PushAttempt>,
}

pub struct SearchPush {
    ctx: Context,
    client: reqwest::Client,
}

/// The wait before try number `attempts + 1`, after `attempts` failures.
fn backoff_seconds(attempts: i64) -> i64 {
    let doublings = attempts.clamp(0, 20) as u32;
    FIRST_BACKOFF_SECONDS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_SECONDS)
}

impl SearchPush {
    pub(crate) fn new(ctx: Context) -> Self {
        // Building a client only fails when the TLS backend cannot start; we build none.
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap_or_default();
        SearchPush { ctx, client }
    }

    /// The endpoint and token, when both are set.
    fn endpoint(&self) -> Option<(String, String)> {
        let s = self.ctx.settings();
        Some((s.push_endpoint.clone()?, s.push_token.clone()?))
    }

    fn target(&self) -> Option<Target> {
        let (endpoint, token) = self.endpoint()?;
        let base_url = self.ctx.settings().base_url.clone()?;
        Some(Target {
            endpoint,
            token,
            base_url,
        })
    }

    /// Read the change feed from the shared cursor and queue the documents published among the
    /// changed ones. Returns the number of changes read by this node.
    pub async fn queue_changes(&self) -> Result<usize> {
        let mut read = 0;
        loop {
            let store = &self.ctx.store;
            let from = store.push_cursor().await?;
            let changes = store.changes_since(from, CHANGES_PER_ROUND).await?;
            let Some(last) = changes.last() else {
                return Ok(read);
            };
            let mut ids: Vec<i64> = changes.iter().map(|c| c.article_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let queue = self.endpoint().is_some();
            if !store
                .queue_push(from, last.id, &ids, queue, self.ctx.now())
                .await?
            {
                // Another node read this range first; read on from where it got to.
                continue;
            }
            read += changes.len();
            if (changes.len() as i64) < CHANGES_PER_ROUND {
                return Ok(read);
            }
        }
    }

    /// Send one batch of due URLs, if push is configured. Returns how many URLs were accepted.
    pub async fn send_due(&self) -> Result<usize> {
        let Some(target) = self.target() else {
            return Ok(0);
        };
        let now = self.ctx.now();
        let claims = self
            .ctx
            .store
            .claim_push(now, now + LEASE_SECONDS, BATCH_URLS)
            .await?;
        if claims.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = claims.iter().map(|c| c.article_id).collect();
        let base = target.base_url.trim_end_matches('/');
        let body: String = ids.iter().map(|id| format!("{base}/a/{id}\n")).collect();
        let answer = self
            .client
            .post(&target.endpoint)
            .query(&[("site", base), ("token", target.token.as_str())])
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body(body)
            .send()
            .await;
        let (status, detail, accepted) = match answer {
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                (Some(i64::from(status.as_u16())), text, status.is_success())
            }
            Err(err) => (None, format!("{err:#}"), false),
        };
        let tries = claims.iter().map(|c| c.attempts).max().unwrap_or_default();
        let retry_at = now + backoff_seconds(tries);
        if !accepted {
            tracing::warn!(?status, %detail, urls = ids.len(), "search-engine push failed; will retry");
        }
        // Recorded by the clock at the end, so the desk's time is when the answer came.
        self.ctx
            .store
            .finish_push(
                &ids,
                status,
                detail.trim(),
                accepted,
                retry_at,
                self.ctx.now(),
            )
            .await?;
        metrics::counter!("wenyuan_search_push_urls_total", "outcome" => if accepted { "accepted" } else { "failed" })
            .increment(ids.len() as u64);
        Ok(if accepted { ids.len() } else { 0 })
    }

    /// Queue what was published, then send what is due: one round of the background loop.
    pub async fn run_once(&self) -> Result<usize> {
        self.queue_changes().await?;
        self.send_due().await
    }

    /// The queue and the newest requests, for the desk.
    pub async fn status(&self) -> Result<PushStatus> {
        let counts = self.ctx.store.push_counts().await?;
        let attempts = self
            .ctx
            .store
            .push_attempts(ATTEMPTS_SHOWN)
            .await?
            .into_iter()
            .map(|row| PushAttempt {
                at: row.at,
                at_text: self.ctx.local_time(row.at),
                urls: row.urls,
                ok: row.status.is_some_and(|s| (200..300).contains(&s)),
                status: row.status,
                detail: row.detail,
            })
            .collect();
        let configured = self.endpoint().is_some();
        Ok(PushStatus {
            configured,
            needs_base_url: configured && self.ctx.settings().base_url.is_none(),
            waiting: counts.waiting,
            pushed: counts.pushed,
            attempts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff_seconds(0), 60);
        assert_eq!(backoff_seconds(1), 120);
        assert_eq!(backoff_seconds(3), 480);
        assert_eq!(backoff_seconds(9), MAX_BACKOFF_SECONDS);
        assert_eq!(backoff_seconds(1_000), MAX_BACKOFF_SECONDS);
    }
}
