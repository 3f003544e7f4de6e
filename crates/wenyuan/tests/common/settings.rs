//! The desk's settings form at `/admin/settings`, filled in as a browser would: every field as the
//! page shows it, with some changed.

use super::{unescape_html, Page, Visitor};

/// The settings form with the settings in force, as the page fills it in: text and number
/// fields, ticked checkboxes, the selected access.
pub async fn settings_form(admin: &Visitor) -> Vec<(String, String)> {
    let page = admin.get("/admin/settings").await.body;
    let start = page
        .find("<form class=\"admin-form settings-form\"")
        .expect("the form");
    let end = page[start..].find("</form>").unwrap() + start;
    let html = &page[start..end];
    let mut fields = Vec::new();
    for chunk in html.split("<input ").skip(1) {
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            chunk.find(&marker).map(|i| {
                let start = i + marker.len();
                let end = chunk[start..].find('"').unwrap() + start;
                unescape_html(&chunk[start..end])
            })
        };
        let Some(name) = attr("name") else { continue };
        if attr("type").as_deref() == Some("checkbox") {
            if chunk.split('>').next().unwrap().contains(" checked") {
                fields.push((name, "on".to_owned()));
            }
        } else {
            fields.push((name, attr("value").unwrap_or_default()));
        }
    }
    let select = html.find("name=\"default_access\"").unwrap();
    let selected = html[select..].find("\" selected").unwrap() + select;
    let value_at = html[..selected].rfind("value=\"").unwrap() + 7;
    fields.push(("default_access".into(), html[value_at..selected].to_owned()));
    fields
}

/// Post the form with `changes` applied; an empty value for a checkbox unticks it.
pub async fn save_settings(admin: &Visitor, changes: &[(&str, &str)]) -> Page {
    let mut fields = settings_form(admin).await;
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        if !value.is_empty() || *name != "registration_open" {
            fields.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    admin.post_form("/admin/settings", &form).await
}
