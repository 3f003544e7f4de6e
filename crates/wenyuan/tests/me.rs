//! A member's own library (issue 11, item 5): 我的收藏 from the article page and the API, 阅读历史,
//! 下载记录, changing the password, deleting the account, exporting one's data — on SQLite and
//! PostgreSQL, over real HTTP. Guests are sent to log in, and no new route shows them text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{backends, Page, TestApp, Visitor};
use serde_json::Value;
use wenyuan_core::accounts::Member;
use wenyuan_core::{ManualClock, Role, Status};
use wenyuan_store::{NewArticle, Store};

/// Paragraphs no one but a VIP may read: they must never show on a member's lists.
const VIP_SECRET: &str = "这一段是只有VIP会员才能读到的正文内容，绝不能出现在收藏列表里。";

fn article(title: &str, access: &str, status: &str, body: &str) -> NewArticle {
    NewArticle {
        title: title.to_owned(),
        body: body.to_owned(),
        published_on: "2024-05-01".to_owned(),
        category: Some("讲话稿".to_owned()),
        tags: vec![],
        access: access.to_owned(),
        status: status.to_owned(),
        views_base: 0,
        content_hash: format!("me-test-{title}"),
        source: None,
        external_id: None,
        preview_ratio: None,
        preview_max: None,
        simhash: None,
        layout: None,
    }
}

/// Store documents directly; returns their ids in order.
async fn insert(store: &Store, docs: &[NewArticle]) -> Vec<i64> {
    store
        .insert_articles(docs, 1_700_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|outcome| match outcome {
            wenyuan_store::InsertOutcome::Inserted(id) => id,
            other => panic!("not inserted: {other:?}"),
        })
        .collect()
}

/// Two public documents and one VIP document with a secret paragraph.
async fn three_documents(app: &TestApp) -> (i64, i64, i64) {
    let ids = insert(
        app.services().store_for_tests(),
        &[
            article(
                "在全县经济工作会议上的讲话",
                "public",
                "published",
                "同志们：\n今年以来，全县上下共同努力，经济运行稳中有进。",
            ),
            article(
                "关于加强基层治理的调研报告",
                "member",
                "published",
                "为深入了解基层治理现状，调研组走访了十个乡镇。\n一、基本情况\n基层治理体系逐步完善。",
            ),
            article(
                "VIP专享年度工作总结",
                "vip",
                "published",
                &format!("开头一段是预览。\n{VIP_SECRET}\n结尾一段也只给VIP看。"),
            ),
        ],
    )
    .await;
    app.sync().await;
    (ids[0], ids[1], ids[2])
}

fn location(page: &Page) -> &str {
    page.headers
        .get("location")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

fn session_cookie(page: &Page) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wy_session="))
        .map(str::to_owned)
}

async fn favorites_json(visitor: &Visitor) -> Vec<Value> {
    let page = visitor.get("/api/v1/me/favorites").await;
    assert_eq!(page.status, 200, "{}", page.body);
    serde_json::from_str::<Value>(&page.body)
        .unwrap()
        .as_array()
        .expect("a JSON list")
        .clone()
}

async fn user_id(app: &TestApp, name: &str) -> i64 {
    app.services()
        .store_for_tests()
        .user_by_name(name)
        .await
        .unwrap()
        .expect("the user exists")
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn favourites_from_the_article_page_and_the_api() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let (speech, report, vip) = three_documents(&app).await;

        // A guest is asked to log in, everywhere.
        let guest = app.visitor();
        let article = guest.get(&format!("/a/{speech}")).await;
        assert!(article.body.contains("登录后收藏"), "{backend:?}");
        assert!(!article.body.contains("id=\"favorite-toggle\""));
        let api = guest.get("/api/v1/me/favorites").await;
        assert_eq!(api.status, 401);
        let error: Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(error["error"]["code"], "unauthorized");
        assert_eq!(error["error"]["message"], "请先登录");
        let me = guest.get("/me").await;
        assert_eq!(me.status, 303);
        assert_eq!(location(&me), "/login?next=%2Fme");
        let export = guest.get("/me/export.json").await;
        assert_eq!(export.status, 303);
        assert_eq!(location(&export), "/login?next=%2Fme%2Fexport%2Ejson");
        // No new route shows a guest anything of a document, not even a title.
        for route in ["/me", "/me/export.json", "/api/v1/me/favorites"] {
            let page = guest.get(route).await;
            assert!(page.status == 303 || page.status == 401, "{route}");
            for text in [
                VIP_SECRET,
                "结尾一段也只给VIP看",
                "基层治理体系逐步完善",
                "VIP专享",
            ] {
                assert!(!page.body.contains(text), "{route} shows a guest {text}");
            }
        }
        let csrf = guest.csrf_from("/login").await;
        let post = guest
            .post_form(&format!("/me/favorites/{speech}"), &[("csrf", &csrf)])
            .await;
        assert_eq!(post.status, 303);
        assert_eq!(
            location(&post),
            format!("/login?next=%2Fa%2F{speech}"),
            "back to the article after logging in"
        );

        let member = app.member("收藏者", "member").await;
        let page = member.get(&format!("/a/{speech}")).await;
        assert!(page.body.contains("id=\"favorite-toggle\">收藏</button>"));
        let csrf = member.csrf_from(&format!("/a/{speech}")).await;

        // Without the CSRF token (or with a wrong one) nothing changes.
        for form in [vec![], vec![("csrf", "forged")]] {
            let refused = member
                .post_form(&format!("/me/favorites/{speech}"), &form)
                .await;
            assert_eq!(refused.status, 403, "{backend:?}");
            assert!(refused.body.contains("CSRF"));
        }
        assert!(favorites_json(&member).await.is_empty());

        let next = format!("/a/{speech}");
        let added = member
            .post_form(
                &format!("/me/favorites/{speech}"),
                &[("csrf", &csrf), ("next", &next)],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
        assert_eq!(location(&added), next, "back to the article");
        let page = member.get(&next).await;
        assert!(
            page.body
                .contains("id=\"favorite-toggle\">取消收藏</button>"),
            "the button now removes it"
        );
        assert!(page
            .body
            .contains(&format!("/me/favorites/{speech}/delete")));
        // Twice is still once.
        member
            .post_form(&format!("/me/favorites/{speech}"), &[("csrf", &csrf)])
            .await;
        for id in [report, vip] {
            let added = member
                .post_form(&format!("/me/favorites/{id}"), &[("csrf", &csrf)])
                .await;
            assert_eq!(added.status, 303);
            assert_eq!(location(&added), format!("/a/{id}"));
        }
        // A document that does not exist cannot be favourited.
        let missing = member
            .post_form("/me/favorites/999999", &[("csrf", &csrf)])
            .await;
        assert_eq!(missing.status, 404);

        let list = favorites_json(&member).await;
        let ids: Vec<i64> = list.iter().map(|f| f["id"].as_i64().unwrap()).collect();
        // Favourited in the same second: the later id first.
        assert_eq!(ids.len(), 3, "{list:?}");
        assert!(ids.contains(&speech) && ids.contains(&report) && ids.contains(&vip));
        let first = list.iter().find(|f| f["id"] == speech).unwrap();
        assert_eq!(first["title"], "在全县经济工作会议上的讲话");
        assert_eq!(first["url"], format!("/a/{speech}"));
        let at = first["favourited_at"].as_str().unwrap();
        assert!(at.ends_with("+08:00") && at.len() == 25, "{at}");
        let keys: Vec<&str> = first
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 4, "id, title, url, favourited_at: {keys:?}");

        // The /me page lists them by title, and never a word of their text.
        let me = member.get("/me").await;
        assert_eq!(me.status, 200);
        for part in [
            "我的收藏",
            "阅读历史",
            "下载记录",
            "修改密码",
            "导出我的数据",
            "注销账号",
            "href=\"/me/vip\"",
            "VIP专享年度工作总结",
            "关于加强基层治理的调研报告",
        ] {
            assert!(me.body.contains(part), "{backend:?}: /me shows {part}");
        }
        for secret in [VIP_SECRET, "结尾一段也只给VIP看", "基层治理体系逐步完善"]
        {
            assert!(!me.body.contains(secret), "no document text on /me");
            assert!(!serde_json::to_string(&list).unwrap().contains(secret));
        }

        // Removing one, from the /me page's form.
        let csrf = member.csrf_from("/me").await;
        let removed = member
            .post_form(
                &format!("/me/favorites/{report}/delete"),
                &[("csrf", &csrf), ("next", "/me#favorites")],
            )
            .await;
        assert_eq!(removed.status, 303);
        assert_eq!(location(&removed), "/me#favorites");
        let ids: Vec<i64> = favorites_json(&member)
            .await
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(!ids.contains(&report));
        // A return address to another site is not followed.
        let elsewhere = member
            .post_form(
                &format!("/me/favorites/{report}"),
                &[("csrf", &csrf), ("next", "https://evil.example/")],
            )
            .await;
        assert_eq!(location(&elsewhere), "/");

        // A document taken off the site leaves the lists (its title is the desk's business now).
        let editor = Member {
            id: 0,
            name: "编辑".to_owned(),
            role: Role::Editor,
        };
        app.services()
            .desk
            .documents
            .set_document_status(&editor, vip, Status::Hidden)
            .await
            .unwrap();
        app.sync().await;
        let ids: Vec<i64> = favorites_json(&member)
            .await
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        // (The report came back with the last POST; the VIP document is gone.)
        assert_eq!(
            ids,
            vec![report, speech],
            "{backend:?}: the later id first in one second"
        );
        assert!(!member.get("/me").await.body.contains("VIP专享年度工作总结"));
        let other = app.member("另一位", "member").await;
        assert!(
            favorites_json(&other).await.is_empty(),
            "favourites are each member's own"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_the_latest_reads_first_and_keeps_200() {
    for backend in backends() {
        let clock = ManualClock::at(1_750_000_000);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        let (speech, report, vip) = three_documents(&app).await;
        let member = app.member("读者乙", "member").await;

        member.get(&format!("/a/{speech}")).await;
        clock.advance(60);
        member.get(&format!("/a/{report}")).await;
        clock.advance(60);
        let me = member.get("/me").await;
        let history = section(&me.body, "id=\"history\"");
        let (a, b) = (
            history
                .find("在全县经济工作会议上的讲话")
                .expect("first read listed"),
            history
                .find("关于加强基层治理的调研报告")
                .expect("second read listed"),
        );
        assert!(b < a, "{backend:?}: the latest read first");
        assert!(
            !history.contains("VIP专享年度工作总结"),
            "not read, not listed"
        );
        // A HEAD (a link checker, a preview fetch) is no read either.
        let head = member
            .client
            .head(format!("{}/a/{vip}", member.base))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        let me = member.get("/me").await;
        assert!(
            !section(&me.body, "id=\"history\"").contains("VIP专享年度工作总结"),
            "{backend:?}: a HEAD is no read"
        );

        // Reading the first again moves it to the top, once.
        member.get(&format!("/a/{speech}")).await;
        clock.advance(60);
        let me = member.get("/me").await;
        let history = section(&me.body, "id=\"history\"");
        let a = history.find("在全县经济工作会议上的讲话").unwrap();
        let b = history.find("关于加强基层治理的调研报告").unwrap();
        assert!(a < b, "read again: first");
        assert_eq!(history.matches("在全县经济工作会议上的讲话").count(), 1);
        // Reading a VIP document as a member (the preview) is still a read; its text is not listed.
        member.get(&format!("/a/{vip}")).await;
        let me = member.get("/me").await;
        let history = section(&me.body, "id=\"history\"");
        assert!(history.contains("VIP专享年度工作总结"));
        assert!(!history.contains("开头一段是预览"));

        // A guest's reading is no one's history.
        app.visitor().get(&format!("/a/{report}")).await;
        app.services().library.flush_reads().await.unwrap();

        // The cap: 205 more documents read in turn leave the last 200.
        let store = app.services().store_for_tests();
        let docs: Vec<NewArticle> = (0..205)
            .map(|n| article(&format!("第{n}篇"), "public", "published", "正文。"))
            .collect();
        let ids = insert(store, &docs).await;
        let user = user_id(&app, "读者乙").await;
        let reads: Vec<(i64, i64, i64)> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| (user, *id, 1_760_000_000 + n as i64))
            .collect();
        // Written in two batches, as two flushes would.
        store.record_reads(&reads[..100]).await.unwrap();
        store.record_reads(&reads[100..]).await.unwrap();
        let kept = store.reading_history(user, 1000).await.unwrap();
        assert_eq!(kept.len(), 200, "{backend:?}");
        assert_eq!(kept[0].article_id, ids[204], "the latest first");
        assert_eq!(kept[199].article_id, ids[5], "the oldest five went");
        let me = member.get("/me").await;
        let history = section(&me.body, "id=\"history\"");
        assert_eq!(history.matches("<li>").count(), 200);
        assert!(!history.contains("在全县经济工作会议上的讲话"));
        // A read older than the one stored does not move it back.
        store
            .record_reads(&[(user, ids[204], 1_700_000_000)])
            .await
            .unwrap();
        assert_eq!(
            store.reading_history(user, 1).await.unwrap()[0].article_id,
            ids[204]
        );
        app.stop().await;
    }
}

/// The HTML of the `<section …marker…>` on a page.
fn section<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_ends_the_other_sessions() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let here = app.member("改密者", "member").await;
        let elsewhere = app.visitor();
        assert_eq!(
            elsewhere.login("改密者", "改密者-password").await.status,
            303
        );
        assert_eq!(elsewhere.get("/me").await.status, 200);

        let csrf = here.csrf_from("/me").await;
        let cases = [
            (
                "wrong-password",
                "new-password-1",
                "new-password-1",
                422,
                "原密码不正确",
            ),
            (
                "改密者-password",
                "short",
                "short",
                422,
                "新密码至少需要 8 个字符",
            ),
            (
                "改密者-password",
                "new-password-1",
                "new-password-2",
                422,
                "两次输入的新密码不一致",
            ),
            (
                "改密者-password",
                "改密者-password",
                "改密者-password",
                422,
                "新密码不能与原密码相同",
            ),
            ("", "new-password-1", "new-password-1", 422, "请输入原密码"),
        ];
        for (old, new, confirm, status, message) in cases {
            let page = here
                .post_form(
                    "/me/password",
                    &[
                        ("csrf", &csrf),
                        ("old_password", old),
                        ("new_password", new),
                        ("confirm", confirm),
                    ],
                )
                .await;
            assert_eq!(page.status, status, "{backend:?} {message}: {}", page.body);
            assert!(page.body.contains(message), "{message}");
            assert!(page.body.contains("修改密码"), "the /me page again");
        }
        let forged = here
            .post_form(
                "/me/password",
                &[
                    ("old_password", "改密者-password"),
                    ("new_password", "new-password-1"),
                    ("confirm", "new-password-1"),
                ],
            )
            .await;
        assert_eq!(forged.status, 403, "no CSRF token, no change");
        assert_eq!(
            elsewhere.get("/me").await.status,
            200,
            "nothing changed yet"
        );

        let changed = here
            .post_form(
                "/me/password",
                &[
                    ("csrf", &csrf),
                    ("old_password", "改密者-password"),
                    ("new_password", "new-password-1"),
                    ("confirm", "new-password-1"),
                ],
            )
            .await;
        assert_eq!(changed.status, 303, "{}", changed.body);
        assert_eq!(location(&changed), "/me?done=password#password");
        let cookie = session_cookie(&changed).expect("a renewed session");
        assert!(cookie.contains("HttpOnly") && !cookie.contains("Max-Age=0"));
        let me = here.get("/me?done=password").await;
        assert_eq!(me.status, 200, "this browser stays logged in");
        assert!(me.body.contains("密码已修改"));
        let other = elsewhere.get("/me").await;
        assert_eq!(other.status, 303, "{backend:?}: the other session ended");

        let old = app.visitor().login("改密者", "改密者-password").await;
        assert_eq!(old.status, 401, "the old password no longer works");
        let new = app.visitor().login("改密者", "new-password-1").await;
        assert_eq!(new.status, 303, "the new one does");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_deletion_of_ones_own_data() {
    for backend in backends() {
        let clock = ManualClock::at(1_764_000_000);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        let (speech, report, vip) = three_documents(&app).await;
        let member = app.member("要走的人", "member").await;
        let user = user_id(&app, "要走的人").await;
        let csrf = member.csrf_from(&format!("/a/{speech}")).await;
        for id in [speech, vip] {
            member
                .post_form(&format!("/me/favorites/{id}"), &[("csrf", &csrf)])
                .await;
        }
        member.get(&format!("/a/{report}")).await;
        // Downloads are recorded by the download route; here as that route would write them.
        let pool = any_pool(&app).await;
        sqlx::query(
            "INSERT INTO downloads (user_id, article_id, format, day, at) VALUES ($1, $2, 'docx', '2026-11-30', 1764500000)",
        )
        .bind(user)
        .bind(speech)
        .execute(&pool)
        .await
        .unwrap();
        // Things the audit log says about the member: a role change, a login lockout by name.
        let admin = Member {
            id: 0,
            name: "管理员".to_owned(),
            role: Role::Admin,
        };
        app.services()
            .members
            .change_role(&admin, user, Role::Vip)
            .await
            .unwrap();
        app.services()
            .members
            .change_role(&admin, user, Role::Member)
            .await
            .unwrap();
        for _ in 0..5 {
            app.visitor().login("要走的人", "not-the-password").await;
        }
        // Past the lockout, so the name's logins later in the test are judged on the password.
        clock.advance(3600);

        let me = member.get("/me").await;
        let downloads = section(&me.body, "id=\"downloads\"");
        assert!(downloads.contains("在全县经济工作会议上的讲话") && downloads.contains("DOCX"));

        let export = member.get("/me/export.json").await;
        assert_eq!(export.status, 200, "{backend:?}");
        let disposition = export.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert_eq!(export.headers["cache-control"], "private, no-store");
        let data: Value = serde_json::from_str(&export.body).unwrap();
        assert_eq!(data["account"]["name"], "要走的人");
        assert_eq!(data["account"]["role"], "member");
        assert!(data["account"]["created"]
            .as_str()
            .unwrap()
            .ends_with("+08:00"));
        assert!(data["account"]["vip_until"].is_null());
        let favorite_ids: Vec<i64> = data["favorites"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        assert_eq!(favorite_ids.len(), 2);
        assert!(favorite_ids.contains(&speech) && favorite_ids.contains(&vip));
        assert_eq!(data["history"][0]["id"], report);
        assert_eq!(data["history"][0]["title"], "关于加强基层治理的调研报告");
        assert!(data["history"][0]["read_at"].is_string());
        assert_eq!(data["downloads"][0]["id"], speech);
        assert_eq!(data["downloads"][0]["format"], "docx");
        assert!(!export.body.contains(VIP_SECRET), "titles, not text");

        // Deleting needs the CSRF token and the password.
        let csrf = member.csrf_from("/me").await;
        let forged = member
            .post_form("/me/delete", &[("password", "要走的人-password")])
            .await;
        assert_eq!(forged.status, 403);
        let wrong = member
            .post_form(
                "/me/delete",
                &[("csrf", &csrf), ("password", "wrong-password")],
            )
            .await;
        assert_eq!(wrong.status, 422);
        assert!(section(&wrong.body, "id=\"delete\"").contains("密码不正确"));
        let empty = member
            .post_form("/me/delete", &[("csrf", &csrf), ("password", "")])
            .await;
        assert!(empty.body.contains("请输入密码以确认注销"));
        assert!(app
            .services()
            .store_for_tests()
            .user_by_id(user)
            .await
            .unwrap()
            .is_some());

        let deleted = member
            .post_form(
                "/me/delete",
                &[("csrf", &csrf), ("password", "要走的人-password")],
            )
            .await;
        assert_eq!(deleted.status, 200, "{}", deleted.body);
        assert!(deleted.body.contains("账号已注销"));
        assert!(session_cookie(&deleted).unwrap().contains("Max-Age=0"));
        assert_eq!(member.get("/me").await.status, 303, "logged out");
        let again = app.visitor().login("要走的人", "要走的人-password").await;
        assert_eq!(again.status, 401, "the name logs in no more");

        let store = app.services().store_for_tests();
        assert!(store.user_by_id(user).await.unwrap().is_none());
        for table in ["favorites", "reading_history", "downloads", "sessions"] {
            let left: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1"))
                    .bind(user)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            assert_eq!(left, 0, "{backend:?}: {table} emptied");
        }
        // The audit log keeps the fact, not the person.
        let log = store.audit_entries(None, 1000, 0).await.unwrap();
        let deletion = log
            .iter()
            .find(|e| e.action == "member.delete")
            .expect("the deletion is logged");
        assert_eq!(deletion.target, format!("member:{user}"));
        assert_eq!(deletion.user_id, Some(user));
        assert!(log.iter().any(|e| e.action == "member.role"));
        assert!(log.iter().any(|e| e.action == "login.lockout"));
        for entry in &log {
            for text in [&entry.user_name, &entry.target, &entry.detail] {
                assert!(!text.contains("要走的人"), "{backend:?}: {entry:?}");
            }
        }
        // A name freed is a name anyone may take again.
        let reborn = app.member("要走的人", "member").await;
        assert!(favorites_json(&reborn).await.is_empty());
        pool.close().await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_admin_cannot_delete_the_account() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let admin = app.member("唯一管理员", "admin").await;
        let csrf = admin.csrf_from("/me").await;
        let refused = admin
            .post_form(
                "/me/delete",
                &[("csrf", &csrf), ("password", "唯一管理员-password")],
            )
            .await;
        assert_eq!(refused.status, 422, "{backend:?}");
        assert!(refused.body.contains("最后一位管理员"));
        assert_eq!(admin.get("/me").await.status, 200, "still there");
        app.stop().await;
    }
}

async fn any_pool(app: &TestApp) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&app.db.url).await.unwrap()
}
