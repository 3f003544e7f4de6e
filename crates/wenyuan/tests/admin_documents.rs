//! The desk's documents over real HTTP on SQLite and PostgreSQL: an editor drafts, previews,
//! edits, publishes and hides a document and readers see each state at once; refused forms come
//! back with the text kept; 模板化 through the diff view; categories and tags; the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::search::{search, titles};
use common::{backends, corpus, unescape_html, Page, TestApp, Visitor};

const TITLE: &str = "关于加强基层治理体系建设的实施意见";
const BODY: &str = "为深入推进基层治理现代化，结合本地实际，提出如下意见。\n\
一、总体要求\n\
坚持党建引领，坚持以人民为中心，推动治理重心下移。\n\
（一）工作目标\n\
到年底，网格化服务管理全面覆盖，群众满意度明显提升。\n\
二、主要任务\n\
1.健全组织体系。完善村（社区）组织架构，配强工作力量。\n\
2.优化服务机制。推行一站式办理，打通服务群众最后一公里。\n\
三、保障措施\n\
各单位要加强组织领导，确保各项任务落到实处，蔚然成风的治理氛围逐步形成。";

/// The editor's fields; `extra` overrides or adds.
fn fields<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("title", TITLE),
        ("body", BODY),
        ("format", "plain"),
        ("date", "2024-03-01"),
        ("category", ""),
        ("new_category", "实施意见"),
        ("tags", "基层治理，网格化、社区"),
        ("status", "draft"),
        ("access", "public"),
        ("preview_ratio", ""),
        ("preview_max", ""),
        ("action", "save"),
    ];
    for (key, value) in extra {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => form.push((key, value)),
        }
    }
    form
}

fn location(page: &Page) -> String {
    page.headers
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The id in a `/admin/documents/{id}?saved=1` redirect.
fn saved_id(page: &Page) -> i64 {
    assert_eq!(page.status, 303, "{}", page.body);
    let to = location(page);
    to.trim_start_matches("/admin/documents/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{to}"))
}

async fn create(v: &Visitor, extra: &[(&str, &str)]) -> Page {
    let csrf = v.csrf_from("/admin/documents/new").await;
    v.post_form("/admin/documents/new", &fields(&csrf, extra))
        .await
}

async fn guest_sees(app: &TestApp, id: i64, in_list: &str) -> (bool, bool, bool) {
    let guest = app.visitor();
    let page = guest.get(&format!("/a/{id}")).await.status == 200;
    let list = unescape_html(&guest.get(in_list).await.body).contains(TITLE);
    let found = titles(&search(&guest, "网格化服务管理").await).contains(&TITLE.to_owned());
    (page, list, found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_goes_from_draft_to_published_to_hidden_and_readers_follow() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let ed = app.member("编辑小王", "editor").await;

        let id = saved_id(&create(&ed, &[]).await);
        let category = format!("/c/{}", wenyuan_text::slug::pinyin_slug("实施意见"));
        assert_eq!(
            guest_sees(&app, id, "/").await,
            (false, false, false),
            "{backend:?} draft"
        );
        let api = app.visitor().get(&format!("/api/v1/articles/{id}")).await;
        assert_eq!(api.status, 404, "a draft is not in the API");
        let mine = ed.get(&format!("/admin/documents/{id}?saved=1")).await.body;
        assert!(mine.contains("已保存") && mine.contains(TITLE));
        let tags = hidden_field(&mine, "tags");
        let mut tags: Vec<&str> = tags.split('，').collect();
        tags.sort();
        assert_eq!(tags, ["基层治理", "社区", "网格化"], "tags as stored");

        // 预览 without JavaScript: the page comes back with the outline, the gate and the text.
        let csrf = ed.csrf_from(&format!("/admin/documents/{id}")).await;
        let preview = ed
            .post_form(
                &format!("/admin/documents/{id}"),
                &fields(
                    &csrf,
                    &[
                        ("action", "preview"),
                        ("access", "member"),
                        ("preview_ratio", "30"),
                    ],
                ),
            )
            .await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        let body = unescape_html(&preview.body);
        assert!(body.contains("class=\"outline\""), "the outline is shown");
        for (level, heading) in [
            (1, "一、总体要求"),
            (2, "（一）工作目标"),
            (1, "二、主要任务"),
            (3, "1.健全组织体系"),
        ] {
            let item = format!("<li class=\"lv{level}\">{heading}</li>");
            assert!(body.contains(&item), "{item}");
        }
        assert!(
            body.contains("class=\"gate-cut\""),
            "where guests are cut off"
        );
        assert!(body.contains(BODY), "the text is kept in the editor");
        // The script's endpoint gives the same preview alone.
        let live = ed
            .post_form("/admin/documents/preview", &fields(&csrf, &[("id", "0")]))
            .await;
        assert_eq!(live.status, 200);
        assert!(live.body.contains("（一）工作目标") && !live.body.contains("admin-nav"));
        assert!(
            !guest_sees(&app, id, "/").await.0,
            "a preview saves nothing"
        );

        // Edit and publish: the page, the category list, the home list and search at once.
        let edited = BODY.replace("明显提升", "显著提升");
        let saved = ed
            .post_form(
                &format!("/admin/documents/{id}"),
                &fields(&csrf, &[("body", &edited), ("status", "published")]),
            )
            .await;
        assert_eq!(saved_id(&saved), id);
        assert_eq!(
            guest_sees(&app, id, &category).await,
            (true, true, true),
            "{backend:?}"
        );
        let page = unescape_html(&app.visitor().get(&format!("/a/{id}")).await.body);
        assert!(
            page.contains("显著提升") && !page.contains("明显提升"),
            "the edit shows"
        );
        assert!(unescape_html(&app.visitor().get("/").await.body).contains(TITLE));
        // A read puts it in this week's hot list.
        assert_eq!(app.reader(1).get(&format!("/a/{id}")).await.status, 200);
        app.services().views.flush().await.unwrap();
        let hot = |v: Visitor| async move { unescape_html(&v.get("/hot").await.body) };
        assert!(hot(app.visitor()).await.contains(TITLE), "{backend:?} hot");

        // Hide it from the list's row button: gone again everywhere.
        let csrf = ed.csrf_from("/admin/documents").await;
        let row = format!("{id}:hidden");
        let hidden = ed
            .post_form(
                "/admin/documents/status",
                &[
                    ("csrf", &csrf),
                    ("row", &row),
                    ("back", "/admin/documents?status=published"),
                ],
            )
            .await;
        assert_eq!(hidden.status, 303, "{}", hidden.body);
        assert_eq!(
            location(&hidden),
            "/admin/documents?status=published&saved=1"
        );
        assert_eq!(
            guest_sees(&app, id, &category).await,
            (false, false, false),
            "{backend:?}"
        );
        assert!(
            !hot(app.visitor()).await.contains(TITLE),
            "not hot once hidden"
        );

        // The desk's list finds it by status and title, not under another status.
        let list = unescape_html(
            &ed.get("/admin/documents?status=hidden&q=基层治理")
                .await
                .body,
        );
        assert!(list.contains(TITLE) && list.contains("status-hidden"));
        let list = unescape_html(&ed.get("/admin/documents?status=published").await.body);
        assert!(!list.contains(TITLE));
        let list = unescape_html(&ed.get("/admin/documents?from=2024-03-02").await.body);
        assert!(!list.contains(TITLE), "date range");

        // Bulk publish from the list brings it back.
        let id_text = id.to_string();
        let bulk = ed
            .post_form(
                "/admin/documents/status",
                &[("csrf", &csrf), ("id", &id_text), ("status", "published")],
            )
            .await;
        assert_eq!(bulk.status, 303);
        assert!(guest_sees(&app, id, &category).await.0);

        let log = ed
            .get(&format!("/admin/audit?target=article:{id}"))
            .await
            .body;
        for action in ["article.create", "article.update", "article.status"] {
            assert!(log.contains(action), "{action} logged");
        }
        assert!(log.contains("<td>编辑小王</td>"), "who did it");
        assert!(log.contains("状态：草稿 → 已发布；正文已改"), "{log}");
        assert!(log.contains("状态：published → hidden"));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_forms_come_back_with_the_text_and_the_reason() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let ed = app.member("编辑小李", "editor").await;
        let long_title = "长".repeat(201);
        let huge = "a".repeat(2 * 1024 * 1024 + 10);
        for (what, extra, reason) in [
            ("empty title", vec![("title", "  ")], "标题不能为空"),
            ("empty body", vec![("body", " \n ")], "正文不能为空"),
            ("bad date", vec![("date", "2024-02-30")], "YYYY-MM-DD"),
            ("long title", vec![("title", long_title.as_str())], "201 字"),
            ("huge body", vec![("body", huge.as_str())], "上限 2 MB"),
        ] {
            let page = create(&ed, &extra).await;
            assert_eq!(page.status, 422, "{backend:?} {what}");
            let body = unescape_html(&page.body);
            assert!(body.contains(reason), "{what}: {reason}");
            assert!(body.contains("class=\"form-errors\""), "{what}");
            if what != "huge body" {
                assert!(
                    body.contains("基层治理，网格化、社区"),
                    "{what}: input kept"
                );
                if what != "empty body" {
                    assert!(body.contains(BODY), "{what}: body kept");
                }
            }
        }
        // Nothing was stored.
        assert!(ed.get("/admin/documents").await.body.contains("共 0 篇"));

        // A save that makes a document identical to another is refused, naming it.
        let first = saved_id(&create(&ed, &[]).await);
        let second = saved_id(&create(&ed, &[("title", "另一篇")]).await);
        let csrf = ed.csrf_from("/admin/documents").await;
        let same = ed
            .post_form(&format!("/admin/documents/{second}"), &fields(&csrf, &[]))
            .await;
        assert_eq!(same.status, 409, "{}", same.body);
        assert!(same.body.contains(&format!("与 #{first} 内容相同")));
        let again = create(&ed, &[]).await;
        assert_eq!(again.status, 409);
        assert!(again.body.contains(&format!("与 #{first} 内容相同")));
        app.stop().await;
    }
}

/// Checkboxes of the diff view: (key, original) in order.
fn proposed(page: &str) -> Vec<(String, String)> {
    let marker = "name=\"accept\" value=\"";
    page.match_indices(marker)
        .map(|(at, _)| {
            let rest = &page[at + marker.len()..];
            let key = rest[..rest.find('"').unwrap()].to_owned();
            let del = rest.find("<del>").unwrap() + 5;
            let original = rest[del..del + rest[del..].find("</del>").unwrap()].to_owned();
            (key, original)
        })
        .collect()
}

fn hidden_field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap() + marker.len();
    unescape_html(&page[start..start + page[start..].find('"').unwrap()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymising_through_the_diff_view_applies_only_the_accepted_replacements() {
    // The seed page with real names put back where it has placeholders.
    let seed = std::fs::read_to_string(corpus("seed/000_38663bb0f25ad367.txt")).unwrap();
    let mut lines = seed.lines().filter(|l| !l.trim().is_empty());
    let title = lines.next().unwrap().to_owned();
    lines.next(); // the date line
    let body: String = lines
        .collect::<Vec<_>>()
        .join("\n")
        .replacen("XX县是接轨", "安吉县是接轨", 1)
        .replacen("X书记", "王书记", 1);
    assert!(body.contains("安吉县是接轨") && body.contains("王书记的带领下"));
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let ed = app.member("编辑小赵", "editor").await;
        let id = saved_id(
            &create(
                &ed,
                &[("title", &title), ("body", &body), ("status", "published")],
            )
            .await,
        );
        let path = format!("/admin/documents/{id}/anonymize");

        // The custom word list persists and takes part.
        let csrf = ed.csrf_from(&path).await;
        let saved = ed
            .post_form(
                &format!("{path}/words"),
                &[
                    ("csrf", &csrf),
                    ("words", "长三角\n\n长三角"),
                    ("style", "standard"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let page = ed.get(&location(&saved)).await.body;
        assert!(page.contains("词表已保存"));
        assert!(
            page.contains(">长三角</textarea>"),
            "kept once, one per line"
        );

        let changes = proposed(&page);
        let originals: Vec<&str> = changes.iter().map(|(_, o)| o.as_str()).collect();
        assert!(originals.contains(&"安吉县"), "{backend:?} {originals:?}");
        assert!(
            originals.contains(&"王"),
            "the person before 书记: {originals:?}"
        );
        assert!(originals.contains(&"长三角"), "the custom word");
        assert!(page.contains("<ins>X县</ins>") && page.contains("地名"));
        assert!(page.contains(&format!(
            "共建议替换 <b class=\"repl-count\">{}</b> 处",
            changes.len()
        )));

        // Reject the person, accept the rest.
        let hash = hidden_field(&page, "hash");
        let words = hidden_field(&page, "words");
        let csrf = ed.csrf_from(&path).await;
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("hash", hash.as_str()),
            ("style", "standard"),
            ("words", words.as_str()),
        ];
        for (key, original) in &changes {
            if original != "王" {
                form.push(("accept", key));
            }
        }
        let done = ed.post_form(&path, &form).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let applied = changes.len() - 1;
        assert_eq!(
            location(&done),
            format!("/admin/documents/{id}?anonymized={applied}")
        );
        let stored = app
            .services()
            .store_for_tests()
            .article(id)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.body.contains("X县是接轨"), "accepted");
        assert!(stored.body.contains("王书记的带领下"), "rejected, kept");
        assert!(stored.body.contains("XX一体化") && !stored.body.contains("长三角"));
        // Readers get the new text at once.
        let public = unescape_html(&app.visitor().get(&format!("/a/{id}")).await.body);
        // The document's text, from its body on (the 填写本单位信息 form above it gives
        // 安吉县 as an example of what to type).
        let public = &public[public.find("class=\"body\"").expect("the body")..];
        assert!(public.contains("X县是接轨") && !public.contains("安吉县"));

        // The same form again: the text changed since, so the offsets are refused.
        let stale = ed.post_form(&path, &form).await;
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(stale.body.contains("被修改过"));

        let log = ed
            .get(&format!("/admin/audit?target=article:{id}"))
            .await
            .body;
        assert!(log.contains("article.anonymize"));
        assert!(
            log.contains(&format!("模板化：替换 {applied} 处（未采纳 1 处）")),
            "{log}"
        );
        assert!(log.contains("<td>编辑小赵</td>"));
        app.stop().await;
    }
}

/// The id of the tag row named `name` on the taxonomy page.
fn tag_id(page: &str, name: &str) -> String {
    let cell = format!(">{name}</a></td>");
    let at = page.find(&cell).unwrap_or_else(|| panic!("tag {name}"));
    let row = page[..at].rfind("id=\"t-").unwrap() + 6;
    page[row..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

fn category_id(page: &str, name: &str) -> String {
    let value = format!("value=\"{name}\"");
    let at = page
        .find(&value)
        .unwrap_or_else(|| panic!("category {name}"));
    let row = page[..at].rfind("id=\"c-").unwrap() + 6;
    page[row..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_and_tags_are_managed_and_readers_follow() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let ed = app.member("编辑小孙", "editor").await;
        let csrf = ed.csrf_from("/admin/taxonomy").await;
        let created = ed
            .post_form(
                "/admin/taxonomy/categories",
                &[
                    ("csrf", &csrf),
                    ("name", "讲话稿"),
                    ("slug", ""),
                    ("sort", "2"),
                ],
            )
            .await;
        assert_eq!(location(&created), "/admin/taxonomy?saved=1");
        let page = ed.get("/admin/taxonomy?saved=1").await.body;
        assert!(
            page.contains("已保存") && page.contains("value=\"jianghuagao\""),
            "pinyin slug"
        );
        let taken = ed
            .post_form(
                "/admin/taxonomy/categories",
                &[("csrf", &csrf), ("name", "讲话稿"), ("slug", "x")],
            )
            .await;
        assert_eq!(taken.status, 409);
        assert!(taken.body.contains("已被使用"));

        let id = saved_id(
            &create(
                &ed,
                &[
                    ("category", "讲话稿"),
                    ("new_category", ""),
                    ("tags", "党建、调研"),
                    ("status", "published"),
                ],
            )
            .await,
        );
        let cat = category_id(&page, "讲话稿");
        let renamed = ed
            .post_form(
                &format!("/admin/taxonomy/categories/{cat}"),
                &[
                    ("csrf", &csrf),
                    ("name", "领导讲话"),
                    ("slug", "jianghuagao"),
                    ("sort", "1"),
                ],
            )
            .await;
        assert_eq!(renamed.status, 303, "{}", renamed.body);
        let list = app.visitor().get("/c/jianghuagao").await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("领导讲话") && unescape_html(&list.body).contains(TITLE));

        // Tags: rename one, merge the other into it.
        let page = ed.get("/admin/taxonomy").await.body;
        let research = tag_id(&page, "调研");
        let party = tag_id(&page, "党建");
        assert_eq!(app.visitor().get("/t/diaoyan").await.status, 200);
        let renamed = ed
            .post_form(
                &format!("/admin/taxonomy/tags/{research}"),
                &[("csrf", &csrf), ("name", "调查研究"), ("slug", "")],
            )
            .await;
        assert_eq!(renamed.status, 303, "{}", renamed.body);
        let clash = ed
            .post_form(
                &format!("/admin/taxonomy/tags/{party}"),
                &[("csrf", &csrf), ("name", "调查研究")],
            )
            .await;
        assert_eq!(clash.status, 409);
        assert!(clash.body.contains("请用“合并”"));
        let merged = ed
            .post_form(
                &format!("/admin/taxonomy/tags/{party}/merge"),
                &[("csrf", &csrf), ("into", "调查研究")],
            )
            .await;
        assert_eq!(merged.status, 303, "{}", merged.body);
        let article = unescape_html(&app.visitor().get(&format!("/a/{id}")).await.body);
        assert!(article.contains("/t/") && article.contains(">调查研究</a>"));
        assert!(!article.contains(">党建</a>") && !article.contains(">调研</a>"));
        assert!(
            article.contains("href=\"/t/diaocha-yanjiu\""),
            "pinyin tag link"
        );
        // The renamed tag's old slug and the merged tag's slug lead to the tag now.
        for (old, query) in [("/t/diaoyan", ""), ("/t/dangjian", "?page=1")] {
            let moved = app.visitor().get(&format!("{old}{query}")).await;
            assert_eq!(moved.status, 301, "{backend:?} {old}");
            assert_eq!(location(&moved), format!("/t/diaocha-yanjiu{query}"));
        }
        let page = ed.get("/admin/taxonomy").await.body;
        assert!(
            page.contains(">调查研究</a></td>\n    <td>1</td>"),
            "one document, once"
        );
        assert!(!page.contains(">党建</a></td>"));

        // A category with documents is deleted only by moving them.
        let refused = ed
            .post_form(
                &format!("/admin/taxonomy/categories/{cat}/delete"),
                &[("csrf", &csrf), ("move_to", "")],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("还有 1 篇文档"));
        ed.post_form(
            "/admin/taxonomy/categories",
            &[("csrf", &csrf), ("name", "工作总结")],
        )
        .await;
        let other = category_id(&ed.get("/admin/taxonomy").await.body, "工作总结");
        let deleted = ed
            .post_form(
                &format!("/admin/taxonomy/categories/{cat}/delete"),
                &[("csrf", &csrf), ("move_to", &other)],
            )
            .await;
        assert_eq!(deleted.status, 303, "{}", deleted.body);
        // The deleted category's URL leads to where its documents went.
        let gone = app.visitor().get("/c/jianghuagao").await;
        assert_eq!(gone.status, 301);
        assert_eq!(location(&gone), "/c/gongzuo-zongjie");
        let moved = app.visitor().get("/c/gongzuo-zongjie").await.body;
        assert!(
            unescape_html(&moved).contains(TITLE),
            "moved with its category"
        );

        let log = ed.get("/admin/audit").await.body;
        for action in [
            "category.create",
            "category.rename",
            "tag.rename",
            "tag.merge",
            "category.delete",
        ] {
            assert!(log.contains(action), "{action}");
        }
        assert!(log.contains("名称：讲话稿 → 领导讲话") && log.contains("党建 并入 调查研究"));
        assert!(log.contains("<td>编辑小孙</td>"));
        app.stop().await;
    }
}

/// The part of `page` between `start` and the next `end` after it.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let rest = &page[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_nest_and_featured_documents_head_the_home_page() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let ed = app.member("编辑小钱", "editor").await;
        let csrf = ed.csrf_from("/admin/taxonomy").await;
        let new_category = |name: &'static str, parent: String| {
            let (ed, csrf) = (&ed, &csrf);
            async move {
                let made = ed
                    .post_form(
                        "/admin/taxonomy/categories",
                        &[("csrf", csrf), ("name", name), ("parent", &parent)],
                    )
                    .await;
                assert_eq!(made.status, 303, "{name}: {}", made.body);
                category_id(&ed.get("/admin/taxonomy").await.body, name)
            }
        };
        let top = new_category("讲话稿", String::new()).await;
        let under = new_category("领导讲话", top.clone()).await;
        let id = saved_id(
            &create(
                &ed,
                &[
                    ("category", "领导讲话"),
                    ("new_category", ""),
                    ("status", "published"),
                ],
            )
            .await,
        );

        // The top category's page holds its sub-category's documents and names it; the menu
        // shows the top level; the sub-category's crumbs lead up.
        let guest = app.visitor();
        let top_page = unescape_html(&guest.get("/c/jianghuagao").await.body);
        assert!(top_page.contains(TITLE), "{top_page}");
        let children = between(&top_page, "class=\"subcategories\"", "</nav>");
        assert!(
            children.contains("href=\"/c/lingdao-jianghua\""),
            "{children}"
        );
        let menu = between(&top_page, "class=\"nav\"", "</nav>");
        assert!(
            menu.contains(">讲话稿<") && !menu.contains("领导讲话"),
            "{menu}"
        );
        let sub_page = unescape_html(&guest.get("/c/lingdao-jianghua").await.body);
        let crumbs = between(&sub_page, "class=\"crumbs\"", "</p>");
        assert!(
            crumbs.contains("href=\"/c/jianghuagao\">讲话稿</a>"),
            "{crumbs}"
        );

        // A loop is refused with the reason.
        let looped = ed
            .post_form(
                &format!("/admin/taxonomy/categories/{top}"),
                &[
                    ("csrf", &csrf),
                    ("name", "讲话稿"),
                    ("slug", "jianghuagao"),
                    ("parent", &under),
                ],
            )
            .await;
        assert_eq!(looped.status, 422, "{}", looped.body);
        assert!(
            looped.body.contains("上级栏目不能是它自己或它下面的栏目"),
            "{}",
            looped.body
        );

        // 设为推荐 from the desk's list: 编辑推荐 on the home page, 荐 in lists, `featured` in the API.
        let home = unescape_html(&guest.get("/").await.body);
        assert!(!home.contains("编辑推荐"), "nothing featured yet");
        let mark = |status: &'static str| {
            let (ed, csrf) = (&ed, &csrf);
            let id = id.to_string();
            async move {
                let done = ed
                    .post_form(
                        "/admin/documents/status",
                        &[("csrf", csrf), ("status", status), ("id", &id)],
                    )
                    .await;
                assert_eq!(done.status, 303, "{}", done.body);
            }
        };
        mark("featured").await;
        let home = unescape_html(&guest.get("/").await.body);
        let picks = between(&home, "编辑推荐", "</ul>");
        assert!(picks.contains(TITLE), "{home}");
        assert!(home.contains("class=\"badge featured\""));
        assert_eq!(guest.listed().await[0]["featured"], true);
        assert!(ed
            .get("/admin/audit")
            .await
            .body
            .contains("article.featured"));
        mark("unfeatured").await;
        assert!(!unescape_html(&guest.get("/").await.body).contains("编辑推荐"));
        assert_eq!(guest.listed().await[0]["featured"], false);

        // Deleting the top category lifts the one under it to the top level.
        let deleted = ed
            .post_form(
                &format!("/admin/taxonomy/categories/{top}/delete"),
                &[("csrf", &csrf), ("move_to", "")],
            )
            .await;
        assert_eq!(deleted.status, 303, "{}", deleted.body);
        let home = unescape_html(&guest.get("/").await.body);
        let menu = between(&home, "class=\"nav\"", "</nav>");
        assert!(menu.contains(">领导讲话<"), "{menu}");
        app.stop().await;
    }
}
