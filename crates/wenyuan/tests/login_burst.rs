//! 200 clients posting wrong passwords at once (issue 10): the argon2 computations are bounded,
//! so memory stays small and pages answer. Alone in its test binary: the bound is per process,
//! and the peak memory measured is this process's.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{backends, TestApp};

/// Resident memory of this process at its peak, in MiB (Linux).
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_200_wrong_logins_stays_small_and_pages_stay_up() {
    let app = TestApp::start(backends()[0]).await;
    let clients: Vec<_> = (0..200).map(|_| app.visitor()).collect();
    let mut tokens = Vec::new();
    for client in &clients {
        tokens.push(client.csrf_from("/login").await);
    }
    let started = Instant::now();
    let burst: Vec<_> = clients
        .into_iter()
        .zip(tokens)
        .enumerate()
        .map(|(n, (client, csrf))| {
            tokio::spawn(async move {
                client
                    .post_form(
                        "/login",
                        &[
                            ("name", format!("user{n}").as_str()),
                            ("password", "wrong-password"),
                            ("csrf", &csrf),
                        ],
                    )
                    .await
                    .status
                    .as_u16()
            })
        })
        .collect();
    // Meanwhile a reader's page answers.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reader = app.visitor();
    let asked = Instant::now();
    assert_eq!(reader.get("/healthz").await.status, 200);
    let healthz = asked.elapsed();
    let mut statuses = Vec::new();
    for task in burst {
        statuses.push(task.await.unwrap());
    }
    let took = started.elapsed();
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&429),
        "the surplus is refused: {statuses:?}"
    );
    let peak = peak_memory_mib().unwrap_or(0);
    eprintln!(
        "200 wrong logins: {took:?}, /healthz meanwhile {healthz:?}, peak memory {peak} MiB, \
         401: {}, 429: {}",
        statuses.iter().filter(|s| **s == 401).count(),
        statuses.iter().filter(|s| **s == 429).count()
    );
    // Memory is a bound, not a timing: asserted. How fast pages answer meanwhile is measured by
    // bench/soak.sh (no timing assertions in tests: these machines are noisy).
    assert!(peak < 1024, "peak memory {peak} MiB");
    app.stop().await;
}
