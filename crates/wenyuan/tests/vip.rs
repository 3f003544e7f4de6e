//! VIP a member can actually get, and daily download quotas (issue 11, items 6 and 7): redeem
//! codes made by `wenyuan vip codes` and at /admin/vip-codes, redeemed at /me/vip once each (one
//! winner when redeemed at once); VIP that ends by the injected clock; admins' grants and
//! revokes; the daily quota per level, reset at the site's midnight; the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::settings::{save_settings, settings_form};
use common::{backends, unescape_html, TestApp, Visitor};
use wenyuan_core::clock::local_date;
use wenyuan_core::ManualClock;

/// 2026-06-01 12:00 in Shanghai (04:00 UTC).
const JUNE_FIRST_NOON: i64 = 1_780_286_400;
const DAY: i64 = 86_400;

const VIP_TITLE: &str = "VIP专享的年度工作报告";
const PUBLIC_TITLE: &str = "公开的会议通知";

/// A VIP document of several paragraphs and a public one, imported by the real binary.
fn import_documents(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let vip = dir.path().join("vip.md");
    let paragraphs: Vec<String> = (1..=8)
        .map(|n| format!("第{n}段：今年以来，我们坚持稳中求进工作总基调，推动各项工作取得新成效，第{n}项任务全面完成。"))
        .collect();
    std::fs::write(
        &vip,
        format!(
            "---\ntitle: {VIP_TITLE}\ndate: 2026-01-05\naccess: vip\n---\n\n{}\n",
            paragraphs.join("\n\n")
        ),
    )
    .unwrap();
    let public = dir.path().join("public.md");
    std::fs::write(
        &public,
        format!("---\ntitle: {PUBLIC_TITLE}\ndate: 2026-01-06\naccess: public\n---\n\n请各单位按时参加会议。\n\n会议地点另行通知。\n"),
    )
    .unwrap();
    let (code, out, err) = app.import(&[vip.to_str().unwrap(), public.to_str().unwrap()]);
    assert_eq!(
        (code, out.trim()),
        (0, "imported 2, skipped 0, failed 0"),
        "{err}"
    );
}

/// `wenyuan vip codes …` through the real binary: the codes it printed.
fn cli_codes(app: &TestApp, count: &str, days: &str, batch: &str) -> Vec<String> {
    let out = app.cli(&[
        "vip", "codes", "--count", count, "--days", days, "--batch", batch,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "vip codes failed: {stderr}");
    let codes: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    for code in &codes {
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3, "grouped: {code}");
        assert!(!code.contains(['0', 'O', '1', 'I']), "unambiguous: {code}");
    }
    codes
}

async fn redeem(visitor: &Visitor, code: &str) -> common::Page {
    let csrf = visitor.csrf_from("/me/vip").await;
    visitor
        .post_form("/me/vip", &[("csrf", &csrf), ("code", code)])
        .await
}

async fn status_of(visitor: &Visitor, path: &str) -> (u16, String) {
    let page = visitor.get(path).await;
    let location = page
        .headers
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (page.status.as_u16(), location)
}

/// The member's id, from the admins' members list.
async fn member_id(admin: &Visitor, name: &str) -> i64 {
    let list = admin.get(&format!("/admin/members?q={name}")).await.body;
    let marker = format!("<td>{name}");
    let at = list
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {list}"));
    let start = list[..at].rfind("id=\"u-").unwrap() + 6;
    list[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// The site-local (UTC+8) `YYYY-MM-DD HH:MM` of a unix time.
fn shanghai(unix: i64) -> String {
    let date = local_date(unix, wenyuan_core::settings::shanghai());
    let seconds = (unix + 8 * 3600).rem_euclid(DAY);
    format!("{date} {:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_from_the_cli_opens_a_vip_document_once_until_the_vip_ends() {
    for backend in backends() {
        let clock = ManualClock::at(JUNE_FIRST_NOON);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        import_documents(&app);
        app.sync().await;
        let guest = app.visitor();
        let id = guest.id_of(VIP_TITLE).await;
        let download = format!("/a/{id}/download?format=docx");

        // A guest is sent to log in and back; the page says 登录 first, then VIP.
        let (status, location) = status_of(&guest, &download).await;
        assert_eq!(status, 303, "{backend:?}");
        assert!(location.starts_with("/login?next=%2Fa%2F"), "{location}");
        let page = guest.get(&format!("/a/{id}")).await.body;
        assert!(page.contains("登录后开通 VIP"), "{backend:?}");

        // A member is sent to the VIP page, which brings them back to the document.
        let reader = app.member("reader", "member").await;
        let (status, location) = status_of(&reader, &download).await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("/me/vip?next=%2Fa%2F{id}"));
        let page = unescape_html(&reader.get(&format!("/a/{id}")).await.body);
        assert!(
            page.contains(&format!("href=\"/me/vip?next=/a/{id}\"")),
            "the gate links to the VIP page: {page}"
        );
        assert!(page.contains("开通 VIP"));
        let vip_page = reader.get(&location).await;
        assert_eq!(vip_page.status, 200);
        assert!(vip_page.body.contains("VIP 未开通"), "{}", vip_page.body);

        // Codes made on the command line; only they know them.
        let codes = cli_codes(&app, "3", "3", "六月活动");
        assert_eq!(codes.len(), 3);
        let admin = app.member("boss", "admin").await;
        let batches = admin.get("/admin/vip-codes").await.body;
        assert!(batches.contains("六月活动"), "{backend:?}");
        for code in &codes {
            assert!(
                !batches.contains(code.as_str()),
                "codes are never shown again"
            );
        }

        // Redeemed as typed by hand: lower case, spaces, fullwidth dashes.
        let typed = format!(" {} ", codes[0].to_lowercase().replace('-', "－"));
        let done = redeem(&reader, &typed).await;
        assert_eq!(done.status, 200, "{backend:?}: {}", done.body);
        let until = shanghai(JUNE_FIRST_NOON + 3 * DAY);
        assert!(done.body.contains("兑换成功"), "{}", done.body);
        assert!(
            done.body
                .contains(&format!("VIP 有效期至 <b class=\"vip-until\">{until}</b>")),
            "{until} in {}",
            done.body
        );
        let (status, _) = status_of(&reader, &download).await;
        assert_eq!(status, 200, "{backend:?}: the VIP downloads it now");
        let api: serde_json::Value =
            serde_json::from_str(&reader.get(&format!("/api/v1/articles/{id}")).await.body)
                .unwrap();
        assert_eq!(api["gated"], false, "and reads it all");

        // A code works once: not for the same member, not for another.
        let again = redeem(&reader, &codes[0]).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("已经被使用过"), "{}", again.body);
        let other = app.member("other", "member").await;
        let theirs = redeem(&other, &codes[0]).await;
        assert_eq!(theirs.status, 422);
        assert!(theirs.body.contains("已经被使用过"));
        let wrong = redeem(&other, "ABCD-EFGH-JKLM-NPQR").await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("卡密不正确"));
        let malformed = redeem(&other, "12345").await;
        assert!(malformed.body.contains("卡密格式不对"));
        let (status, _) = status_of(&other, &download).await;
        assert_eq!(status, 303, "the other member is still no VIP");

        // Four days on, the VIP has ended: refused again, and the page says when it ended.
        clock.advance(4 * DAY);
        let (status, location) = status_of(&reader, &download).await;
        assert_eq!(
            (status, location.starts_with("/me/vip")),
            (303, true),
            "{backend:?}"
        );
        let page = reader.get("/me/vip").await.body;
        assert!(page.contains(&format!("已于 {until} 到期")), "{page}");
        // A second code counts from now, not from the old end.
        let done = redeem(&reader, &codes[1]).await;
        assert_eq!(done.status, 200);
        assert!(done.body.contains(&shanghai(JUNE_FIRST_NOON + 7 * DAY)));
        assert_eq!(status_of(&reader, &download).await.0, 200);

        let batches = admin.get("/admin/vip-codes").await.body;
        let row = batches
            .split("<tr>")
            .find(|r| r.contains("六月活动"))
            .unwrap();
        let cells: Vec<&str> = row
            .split("<td>")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap())
            .collect();
        // Batch, days, (time,) who, total, used, unused.
        assert_eq!(cells[..2], ["六月活动", "3"]);
        assert_eq!(cells[2], "命令行", "made on the command line");
        assert_eq!(cells[3..6], ["3", "2", "1"], "total, used, unused: {row}");
        let log = unescape_html(&admin.get("/admin/audit").await.body);
        assert!(log.contains("vip.codes") && log.contains("批次 六月活动：生成 3 个卡密"));
        assert!(
            log.contains("vip.redeem") && log.contains("reader 兑换卡密（批次 六月活动，3 天）")
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_code_redeemed_at_once_by_several_members_has_one_winner() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let batch = app
            .services()
            .vip
            .create_codes(None, 1, 30, Some("并发"))
            .await
            .unwrap();
        let code = batch.codes[0].clone();
        let mut members = Vec::new();
        for n in 0..4 {
            let member = app.member(&format!("racer{n}"), "member").await;
            let csrf = member.csrf_from("/me/vip").await;
            members.push((member, csrf));
        }
        let forms: Vec<[(&str, &str); 2]> = members
            .iter()
            .map(|(_, csrf)| [("csrf", csrf.as_str()), ("code", code.as_str())])
            .collect();
        let attempt = |n: usize| members[n].0.post_form("/me/vip", &forms[n]);
        let (a, b, c, d) = tokio::join!(attempt(0), attempt(1), attempt(2), attempt(3));
        let pages = [a, b, c, d];
        let won: Vec<_> = pages.iter().filter(|p| p.status == 200).collect();
        assert_eq!(won.len(), 1, "{backend:?}: one winner");
        assert!(won[0].body.contains("兑换成功"));
        let lost = pages
            .iter()
            .filter(|p| p.status == 422 && p.body.contains("已经被使用过"))
            .count();
        assert_eq!(lost, 3, "the others are told it was used");
        let mut vips = 0;
        for (member, _) in &members {
            if member.get("/me/vip").await.body.contains("有效期至") {
                vips += 1;
            }
        }
        assert_eq!(vips, 1, "{backend:?}: one member became VIP");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_grant_and_revoke_vip_and_make_codes_shown_once() {
    for backend in backends() {
        let clock = ManualClock::at(JUNE_FIRST_NOON);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        import_documents(&app);
        app.sync().await;
        let admin = app.member("boss", "admin").await;
        let editor = app.member("desk", "editor").await;
        let reader = app.member("reader", "member").await;
        let id = reader.id_of(VIP_TITLE).await;
        let download = format!("/a/{id}/download?format=txt");
        let reader_id = member_id(&admin, "reader").await;
        let grant = format!("/admin/members/{reader_id}/vip");

        // Without the form's token, or as an editor: refused.
        assert_eq!(admin.post_form(&grant, &[("days", "30")]).await.status, 403);
        let csrf = editor.csrf_from("/admin").await;
        let refused = editor
            .post_form(&grant, &[("csrf", &csrf), ("days", "30")])
            .await;
        assert_eq!(refused.status, 403, "{backend:?}");
        assert_eq!(status_of(&reader, &download).await.0, 303);

        // +30 days, then +90 more from the end.
        let csrf = admin.csrf_from("/admin/members").await;
        let done = admin
            .post_form(
                &grant,
                &[("csrf", &csrf), ("days", "30"), ("back", "/admin/members")],
            )
            .await;
        assert_eq!(done.status, 303, "{backend:?}: {}", done.body);
        assert_eq!(done.headers["location"], "/admin/members?done=vip");
        assert_eq!(status_of(&reader, &download).await.0, 200, "{backend:?}");
        admin
            .post_form(&grant, &[("csrf", &csrf), ("days", "90")])
            .await;
        let list = admin.get("/admin/members?q=reader").await.body;
        let until = shanghai(JUNE_FIRST_NOON + 120 * DAY);
        assert!(list.contains(&format!("至 {until}")), "{until} in {list}");
        // A date: VIP to the end of that day.
        let set = admin
            .post_form(&grant, &[("csrf", &csrf), ("until", "2026-06-10")])
            .await;
        assert_eq!(set.status, 303);
        let list = admin.get("/admin/members?q=reader").await.body;
        assert!(list.contains("至 2026-06-10 23:59"), "{list}");
        let past = admin
            .post_form(&grant, &[("csrf", &csrf), ("until", "2026-05-01")])
            .await;
        assert_eq!(past.status, 422);
        assert!(past.body.contains("到期日期已经过去"));
        // Revoked: a member again at once.
        let revoked = admin
            .post_form(
                &format!("/admin/members/{reader_id}/vip/revoke"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(revoked.status, 303);
        assert_eq!(status_of(&reader, &download).await.0, 303, "{backend:?}");
        assert!(reader.get("/me/vip").await.body.contains("VIP 未开通"));

        // A batch at /admin/vip-codes: shown once, never cached, downloadable as text.
        let made = admin
            .post_form(
                "/admin/vip-codes",
                &[
                    ("csrf", &csrf),
                    ("count", "2"),
                    ("days", "7"),
                    ("batch", "试用"),
                ],
            )
            .await;
        assert_eq!(made.status, 200, "{backend:?}: {}", made.body);
        assert_eq!(made.headers["cache-control"], "no-store");
        let list_start = made.body.find("id=\"vip-codes\">").unwrap() + 15;
        let list_end = made.body[list_start..].find("</pre>").unwrap() + list_start;
        let codes: Vec<&str> = made.body[list_start..list_end].lines().collect();
        assert_eq!(codes.len(), 2, "{}", &made.body[list_start..list_end]);
        let file = admin
            .post_form(
                "/admin/vip-codes/download",
                &[
                    ("csrf", &csrf),
                    ("batch", "试用"),
                    ("codes", &codes.join(" ")),
                ],
            )
            .await;
        assert_eq!(file.status, 200);
        assert!(file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        assert_eq!(file.body.lines().collect::<Vec<_>>(), codes);
        let later = admin.get("/admin/vip-codes").await.body;
        assert!(later.contains("试用") && !later.contains(codes[0]));
        let bad = admin
            .post_form(
                "/admin/vip-codes",
                &[("csrf", &csrf), ("count", "0"), ("days", "7")],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("数量应为 1 到 1000"));
        // The batch's code works.
        assert_eq!(redeem(&reader, codes[1]).await.status, 200);

        let log = unescape_html(&admin.get("/admin/audit").await.body);
        for entry in [
            "vip.grant",
            "reader：+30 天",
            "reader：指定到期日 2026-06-10",
            "vip.revoke",
            "reader：取消 VIP",
            "批次 试用：生成 2 个卡密，每个 7 天",
        ] {
            assert!(log.contains(entry), "{backend:?}: {entry} in the audit log");
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_are_limited_per_account_and_guests_log_in_first() {
    for backend in backends() {
        let clock = ManualClock::at(JUNE_FIRST_NOON);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        let guest = app.visitor();
        assert_eq!(
            status_of(&guest, "/me/vip").await,
            (303, "/login?next=%2Fme%2Fvip".to_owned())
        );
        let batch = app
            .services()
            .vip
            .create_codes(None, 1, 30, None)
            .await
            .unwrap();
        let guesser = app.member("guesser", "member").await;
        let forged = guesser
            .post_form("/me/vip", &[("csrf", "forged"), ("code", &batch.codes[0])])
            .await;
        assert_eq!(
            forged.status, 403,
            "{backend:?}: the form needs its CSRF token"
        );
        for n in 0..5 {
            let page = redeem(
                &guesser,
                &format!("ABCD-EFGH-JKLM-NPQ{}", (b'A' + n) as char),
            )
            .await;
            assert_eq!(page.status, 422, "{backend:?}: try {n}");
        }
        // Locked: even the right code waits.
        let locked = redeem(&guesser, &batch.codes[0]).await;
        assert_eq!(locked.status, 429, "{backend:?}");
        assert!(locked.body.contains("输错次数过多"), "{}", locked.body);
        clock.advance(11 * 60);
        assert_eq!(redeem(&guesser, &batch.codes[0]).await.status, 200);
        let admin = app.member("boss", "admin").await;
        let log = admin.get("/admin/audit").await.body;
        assert!(log.contains("vip.redeem_lockout"), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_download_quotas_count_per_account_and_reset_at_the_site_midnight() {
    for backend in backends() {
        let clock = ManualClock::at(JUNE_FIRST_NOON);
        let app = TestApp::start_full(backend, Some(clock.clone()), |c| {
            c.site.downloads_member = 2;
            c.site.downloads_vip = 3;
        })
        .await;
        import_documents(&app);
        app.sync().await;
        let reader = app.member("reader", "member").await;
        let id = reader.id_of(PUBLIC_TITLE).await;
        let path = |format: &str| format!("/a/{id}/download?format={format}");

        assert!(reader
            .get(&format!("/a/{id}"))
            .await
            .body
            .contains("今日还可下载 2 次"));
        assert_eq!(
            status_of(&reader, &path("docx")).await.0,
            200,
            "{backend:?}"
        );
        assert_eq!(status_of(&reader, &path("txt")).await.0, 200);
        assert!(reader
            .get(&format!("/a/{id}"))
            .await
            .body
            .contains("今日还可下载 0 次"));
        // 复制全文 shows what the page shows: not counted, not refused.
        assert_eq!(status_of(&reader, &path("txt&inline=1")).await.0, 200);
        let refused = reader.get(&path("docx")).await;
        assert_eq!(refused.status, 429, "{backend:?}");
        let tomorrow = "2026-06-02 00:00";
        let body = refused.body;
        assert!(body.contains("会员每天可下载 <b>2</b> 次"), "{body}");
        assert!(
            body.contains(&format!("将于 <b>{tomorrow}</b> 恢复")),
            "{body}"
        );
        assert!(body.contains("开通 VIP 后每天可下载 3 次"), "{body}");
        // 12 hours to the site's midnight.
        assert_eq!(
            refused.headers["retry-after"],
            (12 * 3600).to_string().as_str()
        );
        // Others have their own count; staff have none.
        let patron = app.member("patron", "vip").await;
        for _ in 0..3 {
            assert_eq!(status_of(&patron, &path("txt")).await.0, 200);
        }
        assert_eq!(status_of(&patron, &path("txt")).await.0, 429, "{backend:?}");
        let admin = app.member("boss", "admin").await;
        for _ in 0..5 {
            assert_eq!(status_of(&admin, &path("txt")).await.0, 200);
        }
        // The rows are there, by site-local day.
        let reader_id = member_id(&admin, "reader").await;
        let store = app.services().store_for_tests();
        assert_eq!(
            store
                .downloads_on_day(reader_id, "2026-06-01")
                .await
                .unwrap(),
            2
        );

        // One second before the site's midnight: still refused; at midnight, allowed again.
        clock.advance(12 * 3600 - 1);
        assert_eq!(status_of(&reader, &path("txt")).await.0, 429);
        clock.advance(1);
        assert_eq!(status_of(&reader, &path("txt")).await.0, 200, "{backend:?}");
        assert_eq!(
            store
                .downloads_on_day(reader_id, "2026-06-02")
                .await
                .unwrap(),
            1
        );
        // One left, asked for three times at once: one file, two refusals.
        let (txt, docx) = (path("txt"), path("docx"));
        let (a, b, c) = tokio::join!(reader.get(&txt), reader.get(&docx), reader.get(&txt));
        let mut statuses = [a.status.as_u16(), b.status.as_u16(), c.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 429, 429], "{backend:?}");
        assert_eq!(
            store
                .downloads_on_day(reader_id, "2026-06-02")
                .await
                .unwrap(),
            2
        );

        // The admin sets members to 0 at /admin/settings: no download, and a page that says so.
        let form = settings_form(&admin).await;
        assert!(form.contains(&("downloads_member".to_owned(), "2".to_owned())));
        let saved = save_settings(&admin, &[("downloads_member", "0")]).await;
        assert_eq!(saved.status, 303, "{backend:?}: {}", saved.body);
        let closed = reader.get(&path("txt")).await;
        assert_eq!(closed.status, 403, "{backend:?}");
        assert!(closed.body.contains("暂不能下载"), "{}", closed.body);
        assert_eq!(
            status_of(&patron, &path("txt")).await.0,
            200,
            "VIP still may"
        );
        let log = unescape_html(&admin.get("/admin/audit").await.body);
        assert!(log.contains("会员每日下载数：2 → 0"), "{log}");
        app.stop().await;
    }
}
