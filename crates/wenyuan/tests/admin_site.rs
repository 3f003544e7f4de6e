//! The admins' side of the desk over real HTTP, on SQLite and PostgreSQL: members (roles,
//! disabling), live site settings, the inbox, and the statistics page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::settings::save_settings;
use common::{backends, corpus, unescape_html, TestApp};
use wenyuan_core::ManualClock;
use wenyuan_store::{MemberChange, NewAuditEntry};

/// 2024-06-01 12:00 in Shanghai.
const JUNE_FIRST_NOON: i64 = 1_717_214_400;
const DAY: i64 = 86_400;
const SEED: &str = "seed/000_38663bb0f25ad367.txt";

/// The id in `id="{prefix}N"` of the first element whose text follows with `marker`.
fn id_before(html: &str, prefix: &str, marker: &str) -> i64 {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"));
    let start = html[..at].rfind(&format!("id=\"{prefix}")).expect("an id") + 4 + prefix.len();
    html[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

fn import_public_seed(app: &TestApp) {
    let (code, out, err) = app.import(&["--access", "public", corpus(SEED).to_str().unwrap()]);
    assert_eq!(
        (code, out.trim()),
        (0, "imported 1, skipped 0, failed 0"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_change_roles_and_disable_members_but_never_themselves() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let admin = app.member("boss", "admin").await;
        let reader = app.member("reader", "member").await;
        app.member("patron", "vip").await;

        let list = admin.get("/admin/members").await.body;
        assert!(list.contains("共 3 位"), "{backend:?}: {list}");
        let reader_id = id_before(&list, "u-", "<td>reader");
        let boss_id = id_before(&list, "u-", "<td>boss");
        // Search by name and filter by role, with paging kept to the filter.
        let found = admin.get("/admin/members?q=EAD").await.body;
        assert!(
            found.contains("共 1 位") && found.contains("<td>reader"),
            "{found}"
        );
        let vips = admin.get("/admin/members?role=vip").await.body;
        assert!(vips.contains("<td>patron") && !vips.contains("<td>reader"));
        assert_eq!(admin.get("/admin/members?role=guest").await.status, 422);

        // Make the reader an editor: the desk opens for them at once.
        assert_eq!(reader.get("/admin").await.status, 403);
        let token = admin.csrf_from("/admin/members").await;
        let done = admin
            .post_form(
                &format!("/admin/members/{reader_id}/role"),
                &[
                    ("csrf", &token),
                    ("role", "editor"),
                    ("back", "/admin/members?role=member"),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let location = done.headers["location"].to_str().unwrap();
        assert_eq!(location, "/admin/members?role=member&done=role");
        assert!(admin.get(location).await.body.contains("角色已更新"));
        assert_eq!(reader.get("/admin").await.status, 200, "{backend:?}");

        // Disable them: their session stops working on the very next request.
        let done = admin
            .post_form(
                &format!("/admin/members/{reader_id}/disable"),
                &[("csrf", &token), ("back", "https://evil.example/")],
            )
            .await;
        assert_eq!(done.status, 303);
        assert_eq!(
            done.headers["location"], "/admin/members?done=disable",
            "a foreign return address is not followed"
        );
        let after = reader.get("/admin").await;
        assert_eq!(after.status, 403, "{backend:?}: a disabled member is out");
        assert!(after.body.contains("action=\"/login\""), "shown as a guest");
        let again = app.visitor().login("reader", "reader-password").await;
        assert_eq!(again.status, 401, "{backend:?}: and cannot log in");
        assert!(again.body.contains("该账号已被停用"));
        let list = admin.get("/admin/members").await.body;
        assert!(list.contains("已停用"));

        // Enabled again, they log in as before.
        let done = admin
            .post_form(
                &format!("/admin/members/{reader_id}/enable"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(done.status, 303);
        assert_eq!(
            app.visitor()
                .login("reader", "reader-password")
                .await
                .status,
            303
        );

        // Demoting or disabling yourself is refused, with the reason, and changes nothing.
        for (path, form, reason) in [
            (
                format!("/admin/members/{boss_id}/role"),
                vec![("role", "member")],
                "不能降低自己的角色",
            ),
            (
                format!("/admin/members/{boss_id}/disable"),
                vec![],
                "不能停用自己的账号",
            ),
        ] {
            let mut fields = vec![("csrf", token.as_str())];
            fields.extend(form);
            let refused = admin.post_form(&path, &fields).await;
            assert_eq!(refused.status, 422, "{backend:?} {path}");
            assert!(refused.body.contains(reason), "{}", refused.body);
            assert!(
                refused.body.contains("class=\"admin-table members\""),
                "the list comes back"
            );
        }
        assert_eq!(
            admin.get("/admin/members").await.status,
            200,
            "still an admin"
        );
        let bad = admin
            .post_form(
                &format!("/admin/members/{reader_id}/role"),
                &[("csrf", &token), ("role", "guest")],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("可选 member、vip、editor、admin"));
        let missing = admin
            .post_form("/admin/members/99999/disable", &[("csrf", &token)])
            .await;
        assert_eq!(missing.status, 404);

        // The store itself refuses to leave the site without an enabled admin (two admins
        // racing to demote each other, say).
        let entry = NewAuditEntry {
            user_id: None,
            user_name: "test",
            action: "member.role",
            target: "",
            detail: "",
        };
        let store = app.services().store_for_tests();
        assert_eq!(
            store
                .set_user_role(boss_id, "member", &entry, 0)
                .await
                .unwrap(),
            MemberChange::LastAdmin
        );
        assert_eq!(
            store
                .set_user_disabled(boss_id, true, &entry, 0)
                .await
                .unwrap(),
            MemberChange::LastAdmin
        );

        let log = admin.get("/admin/audit").await.body;
        for action in ["member.role", "member.disable", "member.enable"] {
            assert!(log.contains(action), "{backend:?}: {action} in {log}");
        }
        assert!(log.contains("reader：member → editor"), "{log}");
        assert!(log.contains(&format!("member:{reader_id}")));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_settings_show_everywhere_at_once_and_survive_a_restart() {
    for backend in backends() {
        let mut app = TestApp::start(backend).await;
        import_public_seed(&app);
        app.sync().await;
        let admin = app.member("boss", "admin").await;
        let guest = app.visitor();
        // The guest's article page is rendered and cached with the old name.
        let article = guest.get("/a/1").await;
        assert_eq!(article.status, 200);
        assert!(article.body.contains("文渊"));
        assert!(guest.get("/a/1").await.body.contains("文渊"));
        assert_eq!(
            guest.get("/wechat-qr.svg").await.status,
            404,
            "no QR configured"
        );

        let saved = save_settings(
            &admin,
            &[
                ("site_name", "范文测试网"),
                ("wechat_name", "范文订阅号"),
                ("wechat_qr_url", "http://weixin.qq.com/r/first"),
                ("contact_phone", "400-800-1234"),
                ("contact_email", "kefu@example.com"),
            ],
        )
        .await;
        assert_eq!(saved.status, 303, "{backend:?}: {}", saved.body);
        assert_eq!(saved.headers["location"], "/admin/settings?saved=1");
        assert!(admin
            .get("/admin/settings?saved=1")
            .await
            .body
            .contains("设置已保存"));

        let home = guest.get("/").await.body;
        assert!(home.contains("范文测试网"), "{backend:?}: the home page");
        assert!(home.contains("范文订阅号") && home.contains("400-800-1234"));
        let cached = guest.get("/a/1").await.body;
        assert!(
            cached.contains("范文测试网")
                && !cached.contains("<title>在2020年区委读书会上的讲话 - 文渊"),
            "{backend:?}: the cached guest page was rendered again"
        );
        let first_qr = guest.get("/wechat-qr.svg").await;
        assert_eq!(first_qr.status, 200);
        assert!(first_qr.body.contains("<svg"));

        // A new QR link gives a new QR at once.
        let saved = save_settings(
            &admin,
            &[("wechat_qr_url", "http://weixin.qq.com/r/second")],
        )
        .await;
        assert_eq!(saved.status, 303);
        let second_qr = guest.get("/wechat-qr.svg").await;
        assert_eq!(second_qr.status, 200);
        assert_ne!(
            first_qr.body, second_qr.body,
            "{backend:?}: the QR follows the link"
        );

        // Bad input: 422, the reason, and the form as typed.
        let refused = save_settings(
            &admin,
            &[("preview_ratio", "1.5"), ("site_name", "改了一半")],
        )
        .await;
        assert_eq!(refused.status, 422, "{backend:?}");
        assert!(
            refused.body.contains("试读比例应为 0 到 1 之间的小数"),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("value=\"1.5\"") && refused.body.contains("value=\"改了一半\"")
        );
        assert!(
            guest.get("/").await.body.contains("范文测试网"),
            "nothing was saved"
        );
        let refused = save_settings(&admin, &[("base_url", "example.com")]).await;
        assert_eq!(refused.status, 422);
        assert!(unescape_html(&refused.body).contains("站点网址应以 http:// 或 https:// 开头"));

        // Closing registration works at once too.
        assert_eq!(guest.get("/register").await.status, 200);
        assert_eq!(
            save_settings(&admin, &[("registration_open", "")])
                .await
                .status,
            303
        );
        assert_eq!(guest.get("/register").await.status, 403, "{backend:?}");

        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("修改站点设置"));
        assert!(log.contains("站点名称：文渊 → 范文测试网"), "{log}");

        // The saved values win over the configuration at the next start.
        app.restart().await;
        let guest = app.visitor();
        let home = guest.get("/").await.body;
        assert!(home.contains("范文测试网"), "{backend:?}: after a restart");
        assert_eq!(guest.get("/register").await.status, 403);
        assert_eq!(guest.get("/wechat-qr.svg").await.body, second_qr.body);

        // A save made on another node (straight into the database) shows at the next re-read,
        // which the background tasks do every few seconds.
        let entry = NewAuditEntry {
            user_id: None,
            user_name: "node2",
            action: "settings.update",
            target: "",
            detail: "",
        };
        let store = app.services().store_for_tests();
        store
            .set_settings(&[("site.name".into(), "另一节点改的名".into())], &entry, 0)
            .await
            .unwrap();
        assert!(app.services().settings.load_stored().await.unwrap());
        assert!(
            !app.services().settings.load_stored().await.unwrap(),
            "once"
        );
        assert!(
            guest.get("/").await.body.contains("另一节点改的名"),
            "{backend:?}"
        );
        app.stop().await;
    }
}

async fn leave_message(app: &TestApp, name: &str, text: &str) {
    let sent = app.visitor().leave_message(name, "13800000000", text).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_filters_unread_marks_both_ways_and_keeps_notes() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        leave_message(&app, "李老师", "请问会员如何下载全文？").await;
        leave_message(&app, "王主任", "想订购单位会员，请联系。").await;
        let admin = app.member("boss", "admin").await;
        let inbox = admin.get("/admin/messages?show=unread").await.body;
        assert!(
            inbox.contains("未读 <b class=\"unread-count\">2</b>"),
            "{inbox}"
        );
        let li = id_before(&inbox, "m-", "李老师");
        let wang = id_before(&inbox, "m-", "王主任");
        let token = admin.csrf_from("/admin/messages").await;

        let done = admin
            .post_form(
                &format!("/admin/messages/{li}/read"),
                &[("csrf", &token), ("show", "unread"), ("page", "1")],
            )
            .await;
        assert_eq!(done.status, 303);
        assert_eq!(
            done.headers["location"].to_str().unwrap(),
            format!("/admin/messages?show=unread&done=read#m-{li}")
        );
        let unread = admin.get("/admin/messages?show=unread").await.body;
        assert!(
            !unread.contains("李老师") && unread.contains("王主任"),
            "{backend:?}"
        );
        assert!(!unread.contains("已标为已读"), "no notice without done=");
        let all = admin.get("/admin/messages?done=read").await.body;
        assert!(all.contains("李老师") && all.contains("已标为已读"));

        // Unread again.
        let done = admin
            .post_form(&format!("/admin/messages/{li}/unread"), &[("csrf", &token)])
            .await;
        assert_eq!(done.status, 303);
        let unread = admin.get("/admin/messages?show=unread").await.body;
        assert!(unread.contains("李老师") && unread.contains("<b class=\"unread-count\">2</b>"));

        // A follow-up note, shown with the message; blank clears it; too long is refused.
        let done = admin
            .post_form(
                &format!("/admin/messages/{wang}/note"),
                &[("csrf", &token), ("note", "已电话回复，周三寄资料")],
            )
            .await;
        assert_eq!(done.status, 303);
        let all = admin.get("/admin/messages").await.body;
        assert!(
            all.contains("处理备注：</b>已电话回复，周三寄资料"),
            "{backend:?}: {all}"
        );
        let long = "字".repeat(1001);
        let refused = admin
            .post_form(
                &format!("/admin/messages/{wang}/note"),
                &[("csrf", &token), ("note", &long)],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("处理备注不能超过 1000 个字"));
        let missing = admin
            .post_form(
                "/admin/messages/99999/note",
                &[("csrf", &token), ("note", "x")],
            )
            .await;
        assert_eq!(missing.status, 404);

        let log = admin.get("/admin/audit").await.body;
        for action in ["message.read", "message.unread", "message.note"] {
            assert!(log.contains(action), "{backend:?}: {action}");
        }
        assert!(
            log.contains("已电话回复，周三寄资料"),
            "the note is in the log"
        );
        app.stop().await;
    }
}

/// The value drawn for `day` in the chart with id `chart`.
fn charted(html: &str, chart: &str, day: &str) -> i64 {
    let start = html
        .find(&format!("id=\"{chart}-chart\""))
        .expect("the chart");
    let end = html[start..].find("</svg>").unwrap() + start;
    let svg = &html[start..end];
    let marker = format!("data-day=\"{day}\" data-count=\"");
    let at = svg
        .find(&marker)
        .unwrap_or_else(|| panic!("{day} in {svg}"))
        + marker.len();
    svg[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

async fn register(app: &TestApp, name: &str) {
    let visitor = app.visitor();
    let token = visitor.csrf_from("/register").await;
    let done = visitor
        .post_form(
            "/register",
            &[
                ("csrf", &token),
                ("name", name),
                ("password", "a-long-password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_chart_views_and_sign_ups_and_list_searches_that_found_nothing() {
    for backend in backends() {
        let clock = ManualClock::at(JUNE_FIRST_NOON);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        import_public_seed(&app);
        app.sync().await;
        let editor = app.member("editor1", "editor").await;

        // June 1st: three readers; June 2nd: one. Two sign-ups on June 2nd.
        for n in 0..3 {
            assert_eq!(app.reader(n).get("/a/1").await.status, 200);
        }
        clock.advance(DAY);
        app.reader(10).get("/a/1").await;
        register(&app, "newcomer1").await;
        register(&app, "newcomer2").await;
        app.services().views.flush().await.unwrap();

        // Searches that find nothing: counted in one spelling, written by the flush.
        let guest = app.visitor();
        for q in [
            "量子纠缠报告",
            " 量子纠缠报告 ",
            "%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0%E6%8A%A5%E5%91%8A",
        ] {
            assert_eq!(guest.get(&format!("/search?q={q}")).await.status, 200);
        }
        assert_eq!(
            guest
                .get("/api/v1/search?q=XYZZY%E5%B9%BB%E6%83%B3")
                .await
                .status,
            200
        );
        // A search that finds something is not a miss.
        app.services().search.index_changes().await.unwrap();
        guest.get("/search?q=%E8%AF%BB%E4%B9%A6%E4%BC%9A").await;
        // The server's own background flush (every 0.5 s) may already have written them; this
        // flush writes whatever is left.
        app.services().search.flush_misses().await.unwrap();
        // Hot lists are kept up to 30 seconds.
        clock.advance(60);

        let page = editor.get("/admin/stats").await;
        assert_eq!(page.status, 200, "{backend:?}: editors see statistics");
        let html = page.body;
        assert_eq!(charted(&html, "views", "2024-06-01"), 3, "{backend:?}");
        assert_eq!(charted(&html, "views", "2024-06-02"), 1, "{backend:?}");
        assert_eq!(charted(&html, "views", "2024-05-31"), 0);
        assert_eq!(
            html.matches("data-day=").count(),
            60,
            "two charts of 30 days"
        );
        assert!(html.contains("<title id=\"views-title\">近 30 天每日阅读量</title>"));
        assert!(html.contains("合计 4 次，单日最多 3 次"), "the description");
        assert!(html.contains("class=\"max\""), "the maximum on the axis");
        assert_eq!(
            charted(&html, "signups", "2024-06-02"),
            2,
            "{backend:?}: sign-ups"
        );
        assert_eq!(charted(&html, "signups", "2024-06-01"), 0);
        // The week's and month's most read.
        assert_eq!(
            html.matches("在2020年区委读书会上的讲话").count(),
            2,
            "{html}"
        );

        let text = unescape_html(&html);
        let misses_at = text.find("class=\"admin-table misses\"").expect("the list");
        let misses = &text[misses_at..];
        assert!(
            misses.contains(
                "<a href=\"/search?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0%E6%8A%A5%E5%91%8A\">量子纠缠报告</a></td><td>3</td>"
            ),
            "{backend:?}: {misses}"
        );
        assert!(misses.contains(">xyzzy幻想</a></td><td>1</td>"), "{misses}");
        assert!(!misses.contains("读书会"));
        app.stop().await;
    }
}

/// The footer's 备案 numbers, from the configuration and then from the desk, on every page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_footer_shows_the_beian_numbers_on_every_page() {
    for backend in backends() {
        let app = TestApp::start_with(backend, |c| {
            c.site.icp_beian = Some("京ICP备00000001号".to_owned());
        })
        .await;
        import_public_seed(&app);
        app.sync().await;
        let guest = app.visitor();
        let id = guest.id_of("在2020年区委读书会上的讲话").await;
        let pages = [
            "/".to_owned(),
            format!("/a/{id}"),
            "/c/jianghuagao".to_owned(),
            "/hot".to_owned(),
            "/search?q=读书".to_owned(),
            "/contact".to_owned(),
            "/login".to_owned(),
            "/no-such-page".to_owned(),
        ];
        let link =
            "<a href=\"https://beian.miit.gov.cn/\" rel=\"nofollow noopener\" target=\"_blank\">";
        for path in &pages {
            let page = guest.get(path).await;
            assert!(
                page.body.contains(&format!("{link}京ICP备00000001号</a>")),
                "{backend:?} {path}: {}",
                page.status
            );
            assert!(!page.body.contains("公网安备"), "{path}");
        }
        assert!(!guest.get("/").await.body.contains("name=\"keywords\""));

        app.add_user("boss", "boss-password", "admin").await;
        let admin = app.visitor();
        assert_eq!(admin.login("boss", "boss-password").await.status, 303);
        let saved = save_settings(
            &admin,
            &[
                ("icp_beian", "沪ICP备12345678号-2"),
                ("police_beian", "沪公网安备 31010402000001号"),
                ("site_description", "党政机关公文与讲话稿范文库"),
                ("site_keywords", "讲话稿,工作总结,政府工作报告"),
            ],
        )
        .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        for path in &pages {
            let body = guest.get(path).await.body;
            assert!(
                body.contains(&format!("{link}沪ICP备12345678号-2</a>")),
                "{backend:?} {path}"
            );
            assert!(body.contains("沪公网安备 31010402000001号"), "{path}");
            assert!(!body.contains("京ICP备00000001号"), "{path}");
        }
        let home = guest.get("/").await.body;
        assert!(home.contains("<meta name=\"description\" content=\"党政机关公文与讲话稿范文库\">"));
        assert!(home.contains("<meta name=\"keywords\" content=\"讲话稿,工作总结,政府工作报告\">"));
        // The form shows what is in force, and a too-long number is refused with its name.
        let form = admin.get("/admin/settings").await.body;
        assert!(form.contains("value=\"沪ICP备12345678号-2\""));
        let refused = save_settings(&admin, &[("icp_beian", &"备".repeat(101))]).await;
        assert!(unescape_html(&refused.body).contains("ICP备案号不能超过 100 个字"));
        app.stop().await;
    }
}
