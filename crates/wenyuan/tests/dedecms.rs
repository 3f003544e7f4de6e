//! `wenyuan import --from-dedecms`: a DedeCMS site's dump (UTF-8 and GBK, any table prefix) and
//! its live database (MariaDB standing in for MySQL) move over with categories, tags, views,
//! dates, access and status, and every old address answers 301 with the new one.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{backends, paragraphs, TestApp, Visitor};
use serde_json::Value;
use wenyuan_store::Backend;

fn fixture() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dedecms.sql"),
    )
    .unwrap()
}

/// The `Location` of a 301, or a panic naming what came instead.
async fn moved_to(visitor: &Visitor, path: &str) -> String {
    let page = visitor.get(path).await;
    assert_eq!(page.status, 301, "{path}: {}", page.body);
    page.headers["location"].to_str().unwrap().to_owned()
}

async fn document(visitor: &Visitor, id: i64) -> Value {
    serde_json::from_str(&visitor.get(&format!("/api/v1/articles/{id}")).await.body).unwrap()
}

/// The id in a `/a/{id}` address.
fn id_in(location: &str) -> i64 {
    location.strip_prefix("/a/").unwrap().parse().unwrap()
}

/// What the fixture's site must look like after the move, whichever way it came in.
async fn check_moved_site(app: &TestApp) {
    let guest = app.visitor();
    // Articles under their dynamic, pseudo-static and static addresses.
    let speech = moved_to(&guest, "/plus/view.php?aid=1").await;
    assert_eq!(
        moved_to(&guest, "/a/jianghua/2024/1220/1.html").await,
        speech
    );
    assert_eq!(moved_to(&guest, "/plus/view-1-1.html").await, speech);
    assert_eq!(
        moved_to(&guest, "/A/JiangHua/2024/1220/1.html").await,
        speech
    );
    let page = guest.get(&speech).await;
    assert_eq!(page.status, 200);
    let doc = document(&guest, id_in(&speech)).await;
    assert_eq!(doc["title"], "在区委读书会上的讲话 \"学思用贯通\"");
    assert_eq!(doc["date"], "2024-12-20");
    assert_eq!(doc["category"], "讲话稿");
    assert!(doc["views"].as_i64().unwrap() >= 1234, "{doc}");
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for tag in ["读书会", "乡村振兴", "学习型机关"] {
        assert!(tags.contains(&tag), "{tags:?}");
    }
    let text = paragraphs(&doc).join("\n");
    assert!(text.contains("做到'学思用贯通'"), "{text}");
    assert!(text.contains("一、提高认识，把读书学习作为终身追求"));
    assert!(!text.contains("alert"), "scripts are not text: {text}");
    assert!(!page.body.contains("alert(1)"));

    // Access from the member ranks: the lowest rank is 会员, a higher one VIP.
    let summary = moved_to(&guest, "/a/zongjie/2.html").await;
    let summary_doc = document(&guest, id_in(&summary)).await;
    assert_eq!(summary_doc["gated"], true, "{summary_doc}");
    assert_eq!(summary_doc["date"], "2024-12-20");
    let plan = moved_to(&guest, "/a/zongjie/anquan-fangan.html").await;
    let member = app.member("reader", "member").await;
    assert_eq!(
        document(&member, id_in(&plan)).await["gated"],
        true,
        "a VIP document stays gated for a member"
    );
    assert_eq!(document(&member, id_in(&summary)).await["gated"], false);

    // 待审核 and 回收站 came over but are not shown; their old addresses lead nowhere public.
    for aid in [4, 5] {
        let hidden = moved_to(&guest, &format!("/plus/view.php?aid={aid}")).await;
        assert_eq!(guest.get(&hidden).await.status, 404, "aid={aid}");
    }
    // Not moved: a picture set and an article without a body.
    for aid in [6, 7, 999] {
        assert_eq!(
            guest.get(&format!("/plus/view.php?aid={aid}")).await.status,
            404
        );
    }

    // 栏目 folders and list pages go to the category; searches to the search page.
    let category = moved_to(&guest, "/a/jianghua/").await;
    assert!(category.starts_with("/c/"), "{category}");
    assert_eq!(moved_to(&guest, "/a/jianghua").await, category);
    assert_eq!(moved_to(&guest, "/a/jianghua/index.html").await, category);
    assert_eq!(moved_to(&guest, "/plus/list.php?tid=1").await, category);
    assert_eq!(
        moved_to(&guest, "/a/jianghua/list_1_2.html").await,
        format!("{category}?page=2")
    );
    let list = guest.get(&category).await;
    assert_eq!(list.status, 200);
    assert!(common::unescape_html(&list.body).contains("在区委读书会上的讲话"));
    assert_eq!(
        moved_to(
            &guest,
            "/plus/search.php?keyword=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4"
        )
        .await,
        "/search?q=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4"
    );
    // 栏目 inside 栏目: 讲话稿 and 工作总结 sit under 范文大全 (`reid` 3), whose page lists both
    // and names them; the menu shows the top level only; 讲话稿's crumbs lead up to it.
    let top = moved_to(&guest, "/plus/list.php?tid=3").await;
    let top_page = common::unescape_html(&guest.get(&top).await.body);
    assert!(top_page.contains("在区委读书会上的讲话"), "{top_page}");
    assert!(top_page.contains("XX局2024年工作总结"), "{top_page}");
    assert!(top_page.contains("子栏目"), "{top_page}");
    assert!(
        top_page.contains(&format!("href=\"{category}\"")),
        "{top_page}"
    );
    let list_page = common::unescape_html(&list.body);
    let crumbs = list_page
        .split("class=\"crumbs\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap();
    assert!(
        crumbs.contains(&format!("href=\"{top}\"")) && crumbs.contains("范文大全"),
        "{top} {crumbs}"
    );
    let home = common::unescape_html(&guest.get("/").await.body);
    let menu = home.split("</nav>").next().unwrap();
    assert!(
        menu.contains("范文大全") && !menu.contains(">讲话稿<"),
        "{menu}"
    );

    // `flag` h (头条) and c (推荐) became featured: marked in lists, 编辑推荐 on the home page.
    let listed = guest.listed().await;
    let featured = |title: &str| {
        listed
            .iter()
            .find(|item| item["title"] == title)
            .map(|item| item["featured"].clone())
    };
    assert_eq!(
        featured("在区委读书会上的讲话 \"学思用贯通\"").unwrap(),
        true
    );
    assert_eq!(featured("XX局2024年工作总结").unwrap(), true);
    assert_eq!(featured("岁末年初安全生产工作方案").unwrap(), false);
    let picks = home
        .split("编辑推荐")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap();
    assert!(
        picks.contains("XX局2024年工作总结") && !picks.contains("安全生产"),
        "{picks}"
    );

    // Nothing else turned into a redirect.
    assert_eq!(guest.get("/no/such/page.html").await.status, 404);
    assert_eq!(guest.get("/a/999999").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dedecms_dump_moves_over_and_every_old_address_answers_301() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dede.sql");
    std::fs::write(&dump, fixture()).unwrap();
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (code, out, err) = app.import(&["--from-dedecms", dump.to_str().unwrap()]);
        assert_eq!(code, 0, "{backend:?}: {out}{err}");
        println!("{out}{err}");
        assert!(out.contains("表前缀 dede_"), "{out}");
        assert!(out.contains("备份中有文章 7 篇"), "{out}");
        assert!(out.contains("导入 5 篇"), "{out}");
        assert!(out.contains("跳过 2 篇"), "{out}");
        assert!(err.contains("跳过 aid=6：不是文章模型"), "{err}");
        assert!(err.contains("跳过 aid=7："), "{err}");
        assert!(
            out.contains("栏目 3 个") && out.contains("头条/推荐 2 篇"),
            "{out}"
        );
        app.sync().await;
        check_moved_site(&app).await;

        // Run again: nothing is doubled, the addresses still lead to the same documents.
        let before = moved_to(&app.visitor(), "/plus/view.php?aid=1").await;
        let (code, out, err) = app.import(&["--from-dedecms", dump.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.contains("导入 0 篇") && out.contains("已存在 5 篇"),
            "{out}"
        );
        app.sync().await;
        assert_eq!(
            moved_to(&app.visitor(), "/plus/view.php?aid=1").await,
            before
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gbk_dump_with_another_table_prefix_reads_the_same() {
    let gbk_text = fixture()
        .replace("SET NAMES utf8mb4", "SET NAMES gbk")
        .replace("CHARSET=utf8mb4", "CHARSET=gbk")
        .replace("`dede_", "`fw_");
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&gbk_text);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("gbk.sql");
    std::fs::write(&dump, &bytes).unwrap();
    let app = TestApp::start(Backend::Sqlite).await;
    let (code, out, err) = app.import(&["--from-dedecms", dump.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("表前缀 fw_") && out.contains("导入 5 篇"),
        "{out}"
    );
    app.sync().await;
    check_moved_site(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_dump_is_refused_with_where_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let whole = fixture();
    // Cut in the middle of the articles' INSERT: an unterminated string.
    let cut = whole.find("'在区委读书会上的讲话").unwrap() + 10;
    let dump = dir.path().join("cut.sql");
    std::fs::write(&dump, &whole[..cut]).unwrap();
    let app = TestApp::start(Backend::Sqlite).await;
    let (code, out, err) = app.import(&["--from-dedecms", dump.to_str().unwrap()]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("无法解析") && err.contains("行"), "{err}");
    assert!(
        !err.contains("error:") && !err.contains("Error"),
        "Chinese only: {err}"
    );
    app.sync().await;
    assert!(app.visitor().listed().await.is_empty());

    // Not a DedeCMS dump at all.
    let other = dir.path().join("other.sql");
    std::fs::write(
        &other,
        "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n",
    )
    .unwrap();
    let (code, _, err) = app.import(&["--from-dedecms", other.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("没有 DedeCMS 的数据表"), "{err}");
    // A missing file.
    let (code, _, err) = app.import(&["--from-dedecms", "/nonexistent/dede.sql"]);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent/dede.sql"), "{err}");
    app.stop().await;
}

/// The MariaDB (or MySQL) client on 127.0.0.1:3306 as root without a password, with `args`.
fn maria(client: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(client);
    command
        .args(["-h", "127.0.0.1", "-P", "3306", "-u", "root"])
        .args(args);
    command
}

/// The client of a MariaDB that answers, when mysqldump is there too; else `None`.
fn mariadb() -> Option<PathBuf> {
    let client = ["mariadb", "mysql"]
        .iter()
        .map(|c| PathBuf::from(format!("/usr/bin/{c}")))
        .find(|p| p.exists())?;
    let reachable = maria(&client, &["-e", "SELECT 1"])
        .output()
        .is_ok_and(|o| o.status.success());
    let dump_tool =
        Path::new("/usr/bin/mysqldump").exists() || Path::new("/usr/bin/mariadb-dump").exists();
    (reachable && dump_tool).then_some(client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_dedecms_database_moves_over_through_mysqldump() {
    let Some(client) = mariadb() else {
        eprintln!("skipped: no MariaDB/MySQL at 127.0.0.1:3306 with mysqldump");
        return;
    };
    let database = format!("wenyuan_dede_{}", std::process::id());
    let sql = |statement: &str| {
        let out = maria(&client, &["-e", statement]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    sql(&format!(
        "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database} CHARACTER SET utf8mb4"
    ));
    let mut load = maria(&client, &[&database])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        load.stdin
            .take()
            .unwrap()
            .write_all(fixture().as_bytes())
            .unwrap();
    }
    let loaded = load.wait_with_output().unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );

    let backend = backends().into_iter().last().unwrap_or(Backend::Sqlite);
    let app = TestApp::start(backend).await;
    let address = format!("mysql://root@127.0.0.1:3306/{database}");
    let (code, out, err) = app.import(&["--from-dedecms", &address]);
    sql(&format!("DROP DATABASE {database}"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("导入 5 篇"), "{out}");
    app.sync().await;
    check_moved_site(&app).await;

    let (code, _, err) = app.import(&[
        "--from-dedecms",
        "mysql://root@127.0.0.1:3306/no_such_database_here",
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("mysqldump 未能导出数据库 no_such_database_here"),
        "{err}"
    );
    app.stop().await;
}
