//! Editors' tools over real HTTP, on SQLite and PostgreSQL: an API token made at the desk adds
//! documents (JSON and multipart files, through the upload's import path), reads, changes and
//! takes them off with the desk's rules, each change audited; a cookie is never accepted in its
//! place, a revoked token or one whose owner is no longer an editor is refused, a token without
//! the scope gets a 403. And `/api/v1/openapi.json` is a valid OpenAPI 3.1 document that lists
//! every `/api/v1` route, each of which answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::webdriver::Browser;
use common::{backends, corpus, english_words, Page, TestApp, Visitor};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SEED: &str = "seed/000_38663bb0f25ad367.txt";
const TITLE: &str = "关于推进政务公开标准化规范化工作的通知";
const BODY: &str = "为深入贯彻落实政务公开工作要求，现就有关事项通知如下。\n\
一、工作目标\n\
到年底，基层政务公开标准化规范化工作全面推开。\n\
二、主要任务\n\
（一）梳理公开事项。各单位要全面梳理本部门公开事项，编制目录。\n\
（二）完善公开平台。加强政府网站建设，提升公开实效。";

/// Make a token at the desk as `staff`; returns the secret shown once.
async fn make_token(staff: &Visitor, name: &str, scopes: &[&str]) -> String {
    let csrf = staff.csrf_from("/admin/tokens").await;
    let mut form = vec![("csrf", csrf.as_str()), ("name", name)];
    for scope in scopes {
        form.push((scope, "on"));
    }
    let page = staff.post_form("/admin/tokens", &form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.headers["cache-control"], "no-store");
    let marker = "id=\"token-secret\">";
    let start = page.body.find(marker).expect("the secret is shown") + marker.len();
    let end = page.body[start..].find('<').unwrap() + start;
    let secret = page.body[start..end].to_owned();
    assert!(secret.starts_with("wy_") && secret.len() == 67, "{secret}");
    secret
}

/// An HTTP client that keeps no cookies: what an editor's script is.
fn tool() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

async fn json_of(response: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, headers, value)
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = tool().request(method, format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    json_of(request.send().await.unwrap()).await
}

fn id_of_member(members_page: &Page, name: &str) -> i64 {
    let html = &members_page.body;
    let at = html
        .find(&format!("<td>{name}"))
        .expect("the member is listed");
    let start = html[..at].rfind("id=\"u-").expect("an id") + 6;
    html[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_made_at_the_desk_writes_documents_with_the_desks_rules() {
    for backend in backends() {
        let app = TestApp::start(backend).await;
        let admin = app.member("guanli", "admin").await;
        let editor = app.member("bianji", "editor").await;
        let reader = app.member("duzhe", "member").await;

        // Members and guests cannot reach the page, nor make a token.
        assert_eq!(reader.get("/admin/tokens").await.status, 403);
        assert_eq!(app.visitor().get("/admin/tokens").await.status, 403);
        let refused = reader
            .post_form(
                "/admin/tokens",
                &[("csrf", "x"), ("name", "偷偷"), ("scope_create", "on")],
            )
            .await;
        assert_eq!(refused.status, 403, "{backend:?}");
        // A token needs a name and a scope; the refused form says so.
        let csrf = editor.csrf_from("/admin/tokens").await;
        let unnamed = editor
            .post_form(
                "/admin/tokens",
                &[("csrf", &csrf), ("name", " "), ("scope_create", "on")],
            )
            .await;
        assert_eq!(unnamed.status, 422);
        assert!(
            unnamed.body.contains("请给令牌起个名字"),
            "{}",
            unnamed.body
        );
        let unscoped = editor
            .post_form("/admin/tokens", &[("csrf", &csrf), ("name", "无权限")])
            .await;
        assert_eq!(unscoped.status, 422);
        assert!(unscoped.body.contains("请至少选择一项权限"));

        let secret = make_token(
            &editor,
            "排版插件",
            &["scope_create", "scope_update", "scope_delete"],
        )
        .await;
        let listed = editor.get("/admin/tokens").await.body;
        assert!(
            listed.contains("排版插件") && listed.contains("从未使用"),
            "{listed}"
        );
        assert!(!listed.contains(&secret), "the secret is shown only once");

        // No token: 401 with the Bearer challenge, even with the editor's own session cookie.
        let document = json!({"title": TITLE, "body": BODY, "tags": ["政务公开", "通知"],
                              "category": "通知公告"});
        let (status, headers, error) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/documents",
            None,
            Some(document.clone()),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(headers["www-authenticate"], "Bearer");
        assert_eq!(error["error"]["code"], "unauthorized");
        let with_cookie = editor
            .client
            .post(format!("{}/api/v1/documents", app.base))
            .json(&document)
            .send()
            .await
            .unwrap();
        assert_eq!(with_cookie.status(), 401, "a cookie is not accepted");
        let (status, _, _) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/documents",
            Some("wy_0000000000000000000000000000000000000000000000000000000000000000"),
            Some(document.clone()),
        )
        .await;
        assert_eq!(status, 401);

        // JSON: one document, through the upload's path (a draft unless told otherwise).
        let (status, headers, created) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/documents",
            Some(&secret),
            Some(document.clone()),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["imported"], 1);
        assert_eq!(created["results"][0]["kind"], "imported");
        let id = created["results"][0]["id"].as_i64().unwrap();
        assert_eq!(headers["location"], format!("/api/v1/documents/{id}"));
        let (status, _, stored) = send(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/documents/{id}"),
            Some(&secret),
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(stored["title"], TITLE);
        assert_eq!(stored["status"], "draft");
        assert_eq!(stored["category"], "通知公告");
        assert_eq!(stored["tags"], json!(["政务公开", "通知"]));
        assert_eq!(app.visitor().get(&format!("/a/{id}")).await.status, 404);

        // The same text again is a duplicate: nothing new, 200.
        let (status, _, again) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/documents",
            Some(&secret),
            Some(document.clone()),
        )
        .await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["results"][0]["kind"], "duplicate");
        assert_eq!(again["results"][0]["of"], id);

        // Bad bodies get clear errors in the API's shape, and store nothing.
        let broken = tool()
            .post(format!("{}/api/v1/documents", app.base))
            .bearer_auth(&secret)
            .header("content-type", "application/json")
            .body("{\"title\": ")
            .send()
            .await
            .unwrap();
        let (status, _, error) = json_of(broken).await;
        assert_eq!(status, 400);
        assert!(error["error"]["message"].as_str().unwrap().contains("JSON"));
        let (status, _, error) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/documents",
            Some(&secret),
            Some(json!({"title": "标题", "body": "正文", "autor": "拼错的字段"})),
        )
        .await;
        assert_eq!(status, 422, "{error}");
        assert_eq!(error["error"]["code"], "invalid");
        let (status, _, failed) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/documents",
            Some(&secret),
            Some(json!({"title": "  ", "body": "只有正文"})),
        )
        .await;
        assert_eq!(status, 422, "{failed}");
        assert_eq!(failed["results"][0]["kind"], "failed");
        assert!(failed["results"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("标题"));

        // Multipart: a file, with the upload form's fields.
        let seed = std::fs::read(corpus(SEED)).unwrap();
        let form = reqwest::multipart::Form::new()
            .text("access", "member")
            .text("status", "published")
            .part(
                "file",
                reqwest::multipart::Part::bytes(seed).file_name("讲话稿.txt"),
            );
        let uploaded = tool()
            .post(format!("{}/api/v1/documents", app.base))
            .bearer_auth(&secret)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, _, uploaded) = json_of(uploaded).await;
        assert_eq!(status, 201, "{uploaded}");
        let speech = uploaded["results"][0]["id"].as_i64().unwrap();
        let article = app
            .visitor()
            .get(&format!("/api/v1/articles/{speech}"))
            .await;
        let article: Value = serde_json::from_str(&article.body).unwrap();
        assert_eq!(
            article["gated"], true,
            "member-only, published: gated for guests"
        );

        // PATCH: the fields given, with the edit form's rules.
        let (status, _, changed) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/documents/{id}"),
            Some(&secret),
            Some(json!({"status": "published", "tags": ["政务公开"], "date": "2024-05-06"})),
        )
        .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["status"], "published");
        assert_eq!(changed["date"], "2024-05-06");
        assert_eq!(changed["tags"], json!(["政务公开"]));
        assert_eq!(changed["title"], TITLE, "fields not given stay");
        assert_eq!(app.visitor().get(&format!("/a/{id}")).await.status, 200);
        let (status, _, error) = send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/documents/{id}"),
            Some(&secret),
            Some(json!({"date": "2024-13-01"})),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("发布日期"),
            "{error}"
        );
        let (status, _, _) = send(
            &app,
            reqwest::Method::PATCH,
            "/api/v1/documents/999999",
            Some(&secret),
            Some(json!({"status": "published"})),
        )
        .await;
        assert_eq!(status, 404);

        // DELETE takes it off the site, as 隐藏 does; it is kept.
        let (status, _, hidden) = send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/documents/{id}"),
            Some(&secret),
            None,
        )
        .await;
        assert_eq!(status, 200, "{hidden}");
        assert_eq!(hidden["status"], "hidden");
        assert_eq!(app.visitor().get(&format!("/a/{id}")).await.status, 404);

        // Every change is in the audit log, as the editor's.
        let audit = admin.get("/admin/audit").await.body;
        for action in ["创建接口令牌", "接口新建文档", "编辑文档", "改状态"] {
            assert!(audit.contains(action), "{action} in the audit log");
        }
        assert!(audit.contains("bianji"));

        // A token does only what its scopes allow.
        let create_only = make_token(&editor, "只能新建", &["scope_create"]).await;
        let (status, _, error) = send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/documents/{speech}"),
            Some(&create_only),
            None,
        )
        .await;
        assert_eq!(status, 403);
        assert_eq!(error["error"]["code"], "forbidden");

        // Revoked: refused at once; the desk shows when.
        let listed = editor.get("/admin/tokens").await.body;
        let at = listed.find("<td>排版插件</td>").unwrap();
        let action = listed[at..].find("/admin/tokens/").unwrap() + at + "/admin/tokens/".len();
        let token_id: String = listed[action..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let csrf = editor.csrf_from("/admin/tokens").await;
        let revoked = editor
            .post_form(
                &format!("/admin/tokens/{token_id}/revoke"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(revoked.status, 303, "{}", revoked.body);
        let (status, _, _) = send(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/documents/{id}"),
            Some(&secret),
            None,
        )
        .await;
        assert_eq!(status, 401, "a revoked token is refused");
        assert!(editor.get("/admin/tokens").await.body.contains("撤销"));

        // An editor made a member again keeps no way in: the token of a member cannot work.
        let members = admin.get("/admin/members").await;
        let editor_id = id_of_member(&members, "bianji");
        let csrf = admin.csrf_from("/admin/members").await;
        let demoted = admin
            .post_form(
                &format!("/admin/members/{editor_id}/role"),
                &[
                    ("csrf", &csrf),
                    ("role", "member"),
                    ("back", "/admin/members"),
                ],
            )
            .await;
        assert_eq!(demoted.status, 303, "{}", demoted.body);
        let (status, _, _) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/documents",
            Some(&create_only),
            Some(json!({"title": "降级后的尝试", "body": "这篇不应进入文库。"})),
        )
        .await;
        assert_eq!(status, 401, "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_json_is_valid_and_lists_every_api_route() {
    let app = TestApp::start(wenyuan_store::Backend::Sqlite).await;
    let (code, out, err) = app.import(&["--access", "public", corpus(SEED).to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    app.sync().await;

    let page = app.visitor().get("/api/v1/openapi.json").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["content-type"], "application/json");
    // An independent OpenAPI 3.1 model reads it.
    let spec = oas3::from_json(&page.body).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let doc: Value = serde_json::from_str(&page.body).unwrap();
    // And, where .ci/run could install it, the reference validator of the OpenAPI community.
    let file = app.db.dir.path().join("openapi.json");
    std::fs::write(&file, &page.body).unwrap();
    let python = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys\nfrom openapi_spec_validator import validate\n\
             from openapi_spec_validator.readers import read_from_filename\n\
             validate(read_from_filename(sys.argv[1])[0])",
        ])
        .arg(&file)
        .output();
    match python {
        Ok(out) if out.status.success() => {}
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("No module named") => {
            eprintln!("openapi-spec-validator is not installed: checked with oas3 only")
        }
        Ok(out) => panic!(
            "openapi-spec-validator refuses the document: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("python3 not available ({e}): checked with oas3 only"),
    }

    // Every reference resolves to a schema of the document.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in &refs {
        let name = reference.trim_start_matches("#/components/schemas/");
        assert!(schemas.contains_key(name), "{reference} is not defined");
    }

    // The routes the README names are all there, with their methods.
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/api/v1/articles", "get"),
        ("/api/v1/articles/{id}", "get"),
        ("/api/v1/articles/{id}/related", "get"),
        ("/api/v1/hot", "get"),
        ("/api/v1/search", "get"),
        ("/api/v1/suggest", "get"),
        ("/api/v1/me/favorites", "get"),
        ("/api/v1/documents", "post"),
        ("/api/v1/documents/{id}", "get"),
        ("/api/v1/documents/{id}", "patch"),
        ("/api/v1/documents/{id}", "delete"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }

    // And every operation the document lists is served: the answer is the route's own (never
    // the API's fallback 404, never 405), and errors have the documented shape.
    let client = tool();
    let mut operations = 0;
    for (path, item) in paths {
        for method in ["get", "post", "patch", "delete", "put"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let url = format!("{}{}", app.base, path.replace("{id}", "1"));
            let request = client.request(method.to_uppercase().parse().unwrap(), &url);
            let response = request.query(&[("q", "讲话")]).send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            assert_ne!(status, 405, "{method} {path}");
            assert!(
                !(status == 404 && body.contains("页面不存在")),
                "{method} {path} is documented but not served"
            );
            if !status.is_success() {
                let error: Value = serde_json::from_str(&body).unwrap();
                assert!(
                    error["error"]["code"].is_string(),
                    "{method} {path}: {body}"
                );
                let documented = &item[method]["responses"][status.as_str()];
                assert!(
                    !documented.is_null(),
                    "{method} {path} answers {status}, undocumented"
                );
            }
        }
    }
    assert_eq!(
        operations,
        expected.len(),
        "no undocumented extra and none missing"
    );
    // A path that is not a route gets the fallback.
    let missing = app.visitor().get("/api/v1/nothing-here").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("not_found"));
    app.stop().await;
}

fn collect_refs(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => into.push(target.clone()),
                    _ => collect_refs(inner, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, into)),
        _ => {}
    }
}

/// In a real browser at a phone's width: an editor makes a token through the form, copies the
/// secret the page shows once, and a script using it creates a document. The page's words are
/// Chinese but for the names a tool needs (the header, the route); a screenshot is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_makes_a_token_in_the_browser_and_a_script_uses_it() {
    let app = TestApp::start(wenyuan_store::Backend::Sqlite).await;
    app.add_user("bianji", "editor-password", "editor").await;
    let browser = Browser::start().await;
    browser.resize(390, 844).await;
    browser
        .log_in(
            &format!("{}/login?next=/admin/tokens", app.base),
            "bianji",
            "editor-password",
        )
        .await;
    browser
        .wait_for_url(&format!("{}/admin/tokens", app.base))
        .await;
    browser.type_into("input[name=name]", "每日导入脚本").await;
    browser
        .click("button[type=submit].button:not(.small)")
        .await;
    let secret = browser.find("#token-secret").await;
    let mut shown = String::new();
    for _ in 0..50 {
        shown = browser.text().await;
        if shown.contains("已创建令牌") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown.contains("令牌只显示这一次"), "{shown}");
    let start = shown.find("wy_").expect("the secret on the page");
    let secret_text: String = shown[start..].chars().take(67).collect();
    assert!(!secret.is_empty());
    let source = browser.source().await;
    let words: Vec<String> = english_words(&source)
        .into_iter()
        // The header a tool sends, the editor's own (ASCII) name and the product's name in the footer.
        .filter(|w| !["Authorization", "Bearer", "bianji", "Wenyuan"].contains(&w.as_str()))
        .filter(|w| !secret_text.contains(w.as_str()))
        .collect();
    assert!(words.is_empty(), "English on the tokens page: {words:?}");
    let shots = std::env::var_os("WENYUAN_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../screenshots"))
        });
    browser
        .screenshot(&shots.join("admin-tokens-phone.png"))
        .await;
    browser.quit().await;

    let (status, _, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/documents",
        Some(&secret_text),
        Some(json!({"title": TITLE, "body": BODY, "status": "published"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["results"][0]["id"].as_i64().unwrap();
    assert_eq!(app.visitor().get(&format!("/a/{id}")).await.status, 200);
    app.stop().await;
}
