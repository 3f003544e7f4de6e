//! `wenyuan backup`, `restore` and `export` with the real binary: a backup of a running server
//! under reads and an import, restored into a new folder and served there, and an export read
//! back by `import` into a fresh library.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use common::search::{library_with_seed, library_with_seed_and, search, titles};
use common::settings::save_settings;
use common::{backends, TestApp, Visitor};
use serde_json::Value;
use wenyuan::config::Config;
use wenyuan::server::{start_for_test, RunningServer};
use wenyuan_store::Backend;

const QUERIES: [&str; 4] = ["读书会", "乡村振兴", "安全生产", "工作报告"];

/// Every document as the list API shows it, by id: title, date, category, access, views.
async fn documents(visitor: &Visitor) -> BTreeMap<i64, Value> {
    visitor
        .listed()
        .await
        .into_iter()
        .map(|item| (item["id"].as_i64().unwrap(), item))
        .collect()
}

fn run(binary_args: &[&str], data: &Path) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wenyuan"))
        .args(binary_args)
        .env("WENYUAN_DATA", data)
        .env_remove("WENYUAN_DATABASE_URL")
        .env_remove("WENYUAN_CONFIG")
        .output()
        .expect("run wenyuan");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `wenyuan restore ARCHIVE --data TARGET`: exit code, stdout, stderr.
fn restore(archive: &Path, target: &Path) -> (i32, String, String) {
    run(
        &[
            "restore",
            archive.to_str().unwrap(),
            "--data",
            target.to_str().unwrap(),
        ],
        target,
    )
}

/// A server on a restored folder, configured as `wenyuan serve --data DIR` would be.
async fn serve_folder(target: &Path) -> RunningServer {
    let config = Config::from_store_args(&wenyuan::cli::StoreArgs {
        data: Some(target.to_path_buf()),
        database_url: None,
        config: None,
    })
    .unwrap();
    start_for_test(&config).await.unwrap()
}

/// The titles a search finds, in title order (scores of a rebuilt index may order close hits
/// differently from an index that grew by changes).
async fn sorted_titles(visitor: &Visitor, query: &str) -> Vec<String> {
    let mut found = titles(&search(visitor, query).await);
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_reads_and_an_import_restores_into_a_working_library() {
    // Readers search without a limit here: the test is about the backup, not the rate limit.
    let app = library_with_seed_and(Backend::Sqlite, |c| c.site.search_per_minute = 0).await;
    let data = app.db.data_dir();
    // Files of the data folder besides the database: the settings file and a theme override.
    std::fs::write(data.join("wenyuan.toml"), "search_per_minute = 0\n").unwrap();
    std::fs::create_dir_all(data.join("theme")).unwrap();
    std::fs::write(data.join("theme/error.html"), "主题覆盖 {{ message }}").unwrap();
    let admin = app.member("boss", "admin").await;
    // Settings saved at /admin/settings live in the database.
    let saved = save_settings(&admin, &[("site_name", "备份测试范文网")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    app.add_user("reader", "reader-password", "member").await;
    // Views counted and written before the backup.
    let first = *documents(&app.visitor()).await.keys().next().unwrap();
    for n in 0..5 {
        assert_eq!(app.reader(n).get(&format!("/a/{first}")).await.status, 200);
    }
    app.services().views.flush().await.unwrap();
    let before = documents(&app.visitor()).await;
    assert!(before[&first]["views"].as_i64().unwrap() >= 5);

    // Readers keep reading lists and searching while the backup and an import run.
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for n in 0..3 {
        let visitor = app.reader(100 + n);
        let (stop, reads) = (stop.clone(), reads.clone());
        readers.push(tokio::spawn(async move {
            let paths = [
                "/",
                "/search?q=%E8%AF%BB%E4%B9%A6%E4%BC%9A",
                "/api/v1/articles?page=2",
            ];
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let page = visitor.get(paths[i % paths.len()]).await;
                assert!(page.status.is_success(), "{}", page.status);
                reads.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    let extra = tempfile::tempdir().unwrap();
    let extra_file = extra.path().join("during.jsonl");
    let records: String = (0..40)
        .map(|i| {
            format!("{{\"title\":\"备份期间导入的记录{i}\",\"date\":\"2024-05-06\",\"body\":\"这条记录在备份进行时写入，编号{i}。\"}}\n")
        })
        .collect();
    std::fs::write(&extra_file, records).unwrap();
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("library.zip");
    let (import, backup) = tokio::join!(
        tokio::task::spawn_blocking({
            let args = extra_file.to_str().unwrap().to_owned();
            let (data, url) = (app.db.data_dir(), app.db.url.clone());
            move || {
                std::process::Command::new(env!("CARGO_BIN_EXE_wenyuan"))
                    .args(["import", &args])
                    .env("WENYUAN_DATA", data)
                    .env("WENYUAN_DATABASE_URL", url)
                    .output()
                    .unwrap()
            }
        }),
        tokio::task::spawn_blocking({
            let args = archive.to_str().unwrap().to_owned();
            let (data, url) = (app.db.data_dir(), app.db.url.clone());
            move || {
                std::process::Command::new(env!("CARGO_BIN_EXE_wenyuan"))
                    .args(["backup", "--out", &args])
                    .env("WENYUAN_DATA", data)
                    .env("WENYUAN_DATABASE_URL", url)
                    .output()
                    .unwrap()
            }
        })
    );
    let (import, backup) = (import.unwrap(), backup.unwrap());
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let printed = String::from_utf8_lossy(&backup.stdout);
    println!(
        "{printed}reads during the backup: {}",
        reads.load(Ordering::Relaxed)
    );
    assert!(printed.contains("database included"), "{printed}");
    assert!(reads.load(Ordering::Relaxed) > 0);

    // Restore refuses a folder that holds anything.
    let taken = tempfile::tempdir().unwrap();
    std::fs::write(taken.path().join("x"), "x").unwrap();
    let (code, _, err) = restore(&archive, taken.path());
    assert_eq!(code, 1);
    assert!(err.contains("not empty"), "{err}");

    let restored_dir = tempfile::tempdir().unwrap();
    let target = restored_dir.path().join("data");
    let (code, printed, err) = restore(&archive, &target);
    assert_eq!(code, 0, "{err}");
    println!("{printed}");
    for file in ["wenyuan.toml", "theme/error.html", "wenyuan.db"] {
        assert!(target.join(file).is_file(), "{file} restored");
    }
    assert_eq!(
        std::fs::read(target.join("theme/error.html")).unwrap(),
        std::fs::read(data.join("theme/error.html")).unwrap()
    );

    app.sync().await;
    app.services().search.index_changes().await.unwrap();
    let now = documents(&app.visitor()).await;
    let restored = serve_folder(&target).await;
    restored.services.reading.apply_changes().await.unwrap();
    restored.services.search.index_changes().await.unwrap();
    let there = Visitor {
        base: format!("http://{}", restored.addr),
        client: app.visitor().client,
    };
    let after = documents(&there).await;
    // Everything from before the backup, equal; of the import that ran meanwhile, what the
    // snapshot's moment held, each document whole.
    for (id, doc) in &before {
        assert_eq!(after.get(id), Some(doc), "document {id}");
    }
    for (id, doc) in &after {
        assert_eq!(
            now.get(id),
            Some(doc),
            "document {id} is as the running server has it"
        );
    }
    assert!(after.len() == before.len() || after.len() == now.len());
    println!(
        "documents: {} before, {} after the import, {} restored",
        before.len(),
        now.len(),
        after.len()
    );
    // Search finds the same documents. (Their order may differ a little where scores are close:
    // the restored index is built in one go, the running one grew by changes, so term statistics
    // differ; and the running one may hold the concurrent import's document.)
    for query in QUERIES {
        let kept = |hits: Vec<String>| {
            let mut hits: Vec<String> = hits
                .into_iter()
                .filter(|t| !t.starts_with("备份期间导入"))
                .collect();
            hits.sort();
            hits
        };
        let here = kept(titles(&search(&app.visitor(), query).await));
        let there_titles = kept(titles(&search(&there, query).await));
        assert_eq!(here, there_titles, "{query}");
    }
    assert!(!titles(&search(&there, "读书会").await).is_empty());
    // The member logs in; the saved settings and the theme are there.
    let member = Visitor {
        base: there.base.clone(),
        client: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(common::BROWSER_UA)
            .build()
            .unwrap(),
    };
    assert_eq!(member.login("reader", "reader-password").await.status, 303);
    assert!(member.get("/me").await.body.contains("reader"));
    let home = there.get("/").await.body;
    assert!(home.contains("备份测试范文网"), "saved site name");
    let missing = there.get("/a/999999").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.starts_with("主题覆盖"), "{}", missing.body);
    restored.stop().await.unwrap();

    // With the index: the restored folder holds it, and it answers at once.
    let with_index = out.path().join("with-index.zip");
    let backup = app.cli(&[
        "backup",
        "--with-index",
        "--out",
        with_index.to_str().unwrap(),
    ]);
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let printed = String::from_utf8_lossy(&backup.stdout);
    assert!(
        printed.contains("index ") && !printed.contains("left out"),
        "{printed}"
    );
    let target = restored_dir.path().join("with-index");
    let (code, _, err) = restore(&with_index, &target);
    assert_eq!(code, 0, "{err}");
    assert!(target.join("index/meta.json").is_file());
    let restored = serve_folder(&target).await;
    let there = Visitor {
        base: format!("http://{}", restored.addr),
        client: app.visitor().client,
    };
    assert_eq!(
        sorted_titles(&app.visitor(), "读书会").await,
        sorted_titles(&there, "读书会").await,
        "the restored index answers before any reindexing"
    );
    restored.stop().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_round_trips_every_document() {
    for backend in backends() {
        let app = library_with_seed(backend).await;
        // Documents of every status and access, views counted.
        let ids: Vec<i64> = documents(&app.visitor()).await.keys().copied().collect();
        let store = app.services().store_for_tests();
        for n in 0..3 {
            app.reader(n).get(&format!("/a/{}", ids[0])).await;
        }
        app.services().views.flush().await.unwrap();
        let hidden = ids[1];
        let out = app.cli(&["export", "--format", "jsonl"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            text.lines().count(),
            store.article_ids().await.unwrap().len()
        );
        // Change statuses in the export to see them read back (the desk would do it too).
        let records: Vec<Value> = text
            .lines()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                if v["id"] == hidden {
                    v["status"] = "hidden".into();
                }
                v
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.jsonl");
        std::fs::write(
            &file,
            records
                .iter()
                .map(|r| r.to_string() + "\n")
                .collect::<String>(),
        )
        .unwrap();

        let fresh = TestApp::start(backend).await;
        let (code, printed, err) = fresh.import(&[file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            printed.trim(),
            format!("imported {}, skipped 0, failed 0", records.len())
        );
        // The fresh library exports the same records (ids aside: they are the new library's).
        let again = fresh.cli(&["export"]);
        assert!(again.status.success());
        let strip = |v: &Value| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("id");
            v
        };
        let mut first: Vec<Value> = records.iter().map(strip).collect();
        let mut second: Vec<Value> = String::from_utf8(again.stdout)
            .unwrap()
            .lines()
            .map(|l| strip(&serde_json::from_str(l).unwrap()))
            .collect();
        let key = |v: &Value| v["title"].as_str().unwrap().to_owned();
        first.sort_by_key(key);
        second.sort_by_key(key);
        assert_eq!(first.len(), second.len());
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(a, b, "{backend:?}");
        }
        assert!(second.iter().any(|r| r["status"] == "hidden"));
        assert!(second.iter().any(|r| r["views"].as_i64().unwrap() >= 3));
        fresh.stop().await;
        app.stop().await;
    }
}

/// The README's PostgreSQL procedure: `pg_dump`, `wenyuan backup` for the files, then
/// `pg_restore` into a new database and `wenyuan restore` into a new folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_is_backed_up_with_pg_dump_and_the_files_with_wenyuan_backup() {
    let pg_dump_present = std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !backends().contains(&Backend::Postgres) || !pg_dump_present {
        eprintln!("skipped: needs WENYUAN_TEST_POSTGRES and pg_dump");
        return;
    }
    let app = library_with_seed(Backend::Postgres).await;
    let data = app.db.data_dir();
    std::fs::create_dir_all(data.join("theme")).unwrap();
    std::fs::write(data.join("theme/error.html"), "主题覆盖 {{ message }}").unwrap();
    app.add_user("reader", "reader-password", "member").await;
    let before = documents(&app.visitor()).await;
    let out = tempfile::tempdir().unwrap();
    let dump = out.path().join("wenyuan.dump");
    let files = out.path().join("files.zip");
    let dumped = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&app.db.url)
        .output()
        .unwrap();
    assert!(
        dumped.status.success(),
        "{}",
        String::from_utf8_lossy(&dumped.stderr)
    );
    let backup = app.cli(&["backup", "--out", files.to_str().unwrap()]);
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let printed = String::from_utf8_lossy(&backup.stdout);
    assert!(
        printed.contains("database not included") && printed.contains("pg_dump"),
        "{printed}"
    );

    let target_db = wenyuan_store::testing::TestDatabase::new(Backend::Postgres).await;
    let restored = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &target_db.url])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let target = out.path().join("data");
    let (code, _, err) = restore(&files, &target);
    assert_eq!(code, 0, "{err}");
    let mut config = common::test_config(&target_db);
    config.data_dir = target.clone();
    let server = start_for_test(&config).await.unwrap();
    server.services.reading.apply_changes().await.unwrap();
    server.services.search.index_changes().await.unwrap();
    let there = Visitor {
        base: format!("http://{}", server.addr),
        client: app.visitor().client,
    };
    assert_eq!(documents(&there).await, before);
    for query in QUERIES {
        assert_eq!(
            sorted_titles(&app.visitor(), query).await,
            sorted_titles(&there, query).await,
            "{query}"
        );
    }
    let member = app.visitor();
    let member = Visitor {
        base: there.base.clone(),
        client: member.client,
    };
    assert_eq!(member.login("reader", "reader-password").await.status, 303);
    assert!(there.get("/a/999999").await.body.starts_with("主题覆盖"));
    server.stop().await.unwrap();
    app.stop().await;
}
