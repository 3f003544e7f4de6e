//! A new node from an index snapshot (issue 15 item 4), as the README's "Adding a node" tells an
//! operator: `wenyuan backup --with-index` on a running node, `wenyuan restore` into the new
//! node's empty data folder, then `wenyuan serve` on the same database. The new node starts from
//! the snapshot's change id (it does not index the library again) and catches up with what was
//! written after the backup; `/readyz` turns 200 once it has.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::search::{search, titles};
use common::{backends, corpus, test_config, TestApp, Visitor};
use wenyuan::server::start_for_test;
use wenyuan_search::SearchIndex;

/// Waits until `/readyz` answers 200 with no change left to index (it answers 200 already while
/// the index is only a moment behind); returns how long that took.
async fn wait_caught_up(node: &Visitor) -> Duration {
    let started = Instant::now();
    loop {
        let ready = node.get("/readyz").await;
        let status: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
        if ready.status == 200 && status["index_lag"] == 0 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not ready in 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_restored_from_an_index_snapshot_catches_up_from_its_change_id() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let reports = corpus("reports.jsonl");
        let (code, out, err) = app.import(&["--access", "public", reports.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        app.sync().await;
        wait_caught_up(&app.visitor()).await;

        // The snapshot, taken while node A runs.
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("node.zip");
        let backup = app.cli(&["backup", "--with-index", "--out", archive.to_str().unwrap()]);
        assert!(
            backup.status.success(),
            "{}",
            String::from_utf8_lossy(&backup.stderr)
        );

        // Written after the snapshot: the new node must catch up with these.
        let later = dir.path().join("later.jsonl");
        let mut file = std::fs::File::create(&later).unwrap();
        for n in 1..=3 {
            writeln!(
                file,
                "{}",
                serde_json::json!({
                    "title": format!("新节点追赶测试第{n}号通知"),
                    "body": format!("这是备份之后写入的第{n}篇文档，新节点须从变更记录中补上它。"),
                })
            )
            .unwrap();
        }
        drop(file);
        let (code, out, err) = app.import(&["--access", "public", later.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");

        // Node B: an empty folder, the archive restored into it.
        let folder = dir.path().join("node-b");
        let restored = std::process::Command::new(env!("CARGO_BIN_EXE_wenyuan"))
            .args(["restore", archive.to_str().unwrap(), "--data"])
            .arg(&folder)
            .env_remove("WENYUAN_DATA")
            .env_remove("WENYUAN_DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            restored.status.success(),
            "{}",
            String::from_utf8_lossy(&restored.stderr)
        );
        // The restored index holds the library as it was: 88 documents, and the change id it
        // had applied, from which node B goes on.
        let (snapshot_change, snapshot_docs) = {
            let index = SearchIndex::open(&folder.join("index")).unwrap();
            (index.applied_change().unwrap(), index.num_docs())
        };
        assert_eq!(snapshot_docs, 88, "{backend:?}");
        assert!(snapshot_change > 0);

        let mut config = test_config(&app.db);
        config.data_dir = folder.clone();
        let started = Instant::now();
        let node_b = start_for_test(&config).await.expect("node B starts");
        let b = Visitor {
            base: format!("http://{}", node_b.addr),
            client: app.visitor().client,
        };
        let ready_after = wait_caught_up(&b).await;
        eprintln!(
            "{backend:?}: node B caught up {:.0} ms after start (snapshot at change {snapshot_change}, \
             {snapshot_docs} documents)",
            ready_after.as_secs_f64() * 1000.0
        );
        let found = search(&b, "新节点追赶测试第2号通知").await;
        assert_eq!(
            titles(&found).first().map(String::as_str),
            Some("新节点追赶测试第2号通知"),
            "{backend:?}: {found}"
        );
        let old = search(&b, "政府工作报告").await;
        assert!(old["total"].as_u64().unwrap() > 0, "{backend:?}");
        node_b.stop().await.unwrap();
        // Node B added only what came after the snapshot to its copy (no rebuild from zero).
        let index = SearchIndex::open(&folder.join("index")).unwrap();
        assert_eq!(index.num_docs(), 91, "{backend:?}");
        assert!(index.applied_change().unwrap() > snapshot_change);
        drop(index);
        eprintln!(
            "{backend:?}: node B served {:.1} s in all",
            started.elapsed().as_secs_f64()
        );
        app.stop().await;
    }
}
