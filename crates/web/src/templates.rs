//! Page templates: minijinja, embedded in the binary, each overridable by a file of the same name
//! in the theme folder (`<data>/theme/`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::{Environment, Value};
use serde::Serialize;

use crate::error::AppResult;

/// The embedded templates, by name.
const EMBEDDED: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("list.html", include_str!("../templates/list.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("register.html", include_str!("../templates/register.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("hot.html", include_str!("../templates/hot.html")),
    ("search.html", include_str!("../templates/search.html")),
    // The desk's search synonyms (search2).
    (
        "admin_search.html",
        include_str!("../templates/admin_search.html"),
    ),
    // 填写本单位信息: the form (on the article page and the preview) and the preview.
    (
        "fill_form.html",
        include_str!("../templates/fill_form.html"),
    ),
    ("fill.html", include_str!("../templates/fill.html")),
    ("sidebar.html", include_str!("../templates/sidebar.html")),
    (
        "sidebar_hot.html",
        include_str!("../templates/sidebar_hot.html"),
    ),
    ("contact.html", include_str!("../templates/contact.html")),
    // A member's own library (/me).
    ("me.html", include_str!("../templates/me.html")),
    (
        "me_deleted.html",
        include_str!("../templates/me_deleted.html"),
    ),
    (
        "contact_methods.html",
        include_str!("../templates/contact_methods.html"),
    ),
    (
        "sidebar_contact.html",
        include_str!("../templates/sidebar_contact.html"),
    ),
    // VIP, redeem codes and download quotas (vip).
    ("me_vip.html", include_str!("../templates/me_vip.html")),
    (
        "download_limit.html",
        include_str!("../templates/download_limit.html"),
    ),
    (
        "admin_vip_codes.html",
        include_str!("../templates/admin_vip_codes.html"),
    ),
    (
        "admin_tokens.html",
        include_str!("../templates/admin_tokens.html"),
    ),
    (
        "admin_messages.html",
        include_str!("../templates/admin_messages.html"),
    ),
    (
        "admin_base.html",
        include_str!("../templates/admin_base.html"),
    ),
    (
        "admin_overview.html",
        include_str!("../templates/admin_overview.html"),
    ),
    (
        "admin_audit.html",
        include_str!("../templates/admin_audit.html"),
    ),
    (
        "admin_upload.html",
        include_str!("../templates/admin_upload.html"),
    ),
    (
        "admin_duplicates.html",
        include_str!("../templates/admin_duplicates.html"),
    ),
    // Documents, taxonomy and 模板化 (admindocs).
    (
        "admin_documents.html",
        include_str!("../templates/admin_documents.html"),
    ),
    (
        "admin_document_edit.html",
        include_str!("../templates/admin_document_edit.html"),
    ),
    (
        "admin_preview.html",
        include_str!("../templates/admin_preview.html"),
    ),
    (
        "admin_taxonomy.html",
        include_str!("../templates/admin_taxonomy.html"),
    ),
    (
        "admin_anonymize.html",
        include_str!("../templates/admin_anonymize.html"),
    ),
    // adminsite: members, settings, statistics.
    (
        "admin_members.html",
        include_str!("../templates/admin_members.html"),
    ),
    (
        "admin_settings.html",
        include_str!("../templates/admin_settings.html"),
    ),
    (
        "admin_stats.html",
        include_str!("../templates/admin_stats.html"),
    ),
    // Account recovery: the admin's reset link, the member's new password.
    (
        "admin_reset_link.html",
        include_str!("../templates/admin_reset_link.html"),
    ),
    (
        "reset_password.html",
        include_str!("../templates/reset_password.html"),
    ),
    (
        "forgot_password.html",
        include_str!("../templates/forgot_password.html"),
    ),
];

#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
}

impl Templates {
    /// Templates from `theme_dir` where a file exists there, else the embedded ones.
    pub fn new(theme_dir: Option<PathBuf>) -> Self {
        let mut env = Environment::new();
        env.set_loader(move |name| load(theme_dir.as_deref(), name));
        env.add_filter("thousands", thousands);
        env.add_filter("status_label", |s: String| {
            crate::labels::status_label(&s).to_owned()
        });
        Templates { env: Arc::new(env) }
    }

    pub fn render<S: Serialize>(&self, name: &str, context: S) -> AppResult<String> {
        let template = self.env.get_template(name)?;
        Ok(template.render(Value::from_serialize(&context))?)
    }
}

fn load(theme_dir: Option<&Path>, name: &str) -> Result<Option<String>, minijinja::Error> {
    if let Some(dir) = theme_dir {
        // Only plain names: a template name never walks out of the theme folder.
        if !name.contains(['/', '\\']) && !name.starts_with('.') {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => return Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("cannot read theme template {}: {e}", path.display()),
                    ))
                }
            }
        }
    }
    Ok(EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| (*text).to_owned()))
}

fn thousands(n: i64) -> String {
    crate::share::thousands(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_file_overrides_the_embedded_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("error.html"), "THEMED {{ message }}").unwrap();
        let templates = Templates::new(Some(dir.path().to_owned()));
        let html = templates
            .render("error.html", serde_json::json!({"message": "<b>x</b>"}))
            .unwrap();
        assert_eq!(html, "THEMED &lt;b&gt;x&lt;&#x2f;b&gt;");
    }
}
