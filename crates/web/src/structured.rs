//! Structured data for search engines on the article page: a JSON-LD `Article`, built only from
//! what the gate lets a guest see (the title, dates, the visible preview's description). For a
//! gated document it says so (`isAccessibleForFree: false`) and names the page's gate block as the
//! part not free (Google's paywalled-content markup): the crawler is shown no more than a guest.

use serde_json::json;
use wenyuan_core::reading::{ArticleView, Document};
use wenyuan_core::seo::w3c_time;
use wenyuan_core::SiteSettings;

/// The class the article page's gate block carries (article.html: `<section class="gate">`).
pub const GATE_CLASS: &str = "gate";

/// The `<script type="application/ld+json">` body for `view` (the gated view of `doc`) at
/// `url`, safe to put inside the script element (see [`script_safe`]).
pub fn article_json_ld(
    view: &ArticleView,
    doc: &Document,
    url: &str,
    site: &SiteSettings,
) -> String {
    let publisher = json!({ "@type": "Organization", "name": site.site_name });
    let mut article = json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "url": url,
        "headline": view.title,
        "description": view.description,
        "datePublished": view.date,
        "dateModified": w3c_time(doc.updated_at, site.utc_offset),
        "author": publisher,
        "publisher": publisher,
        "inLanguage": "zh-CN",
        "isAccessibleForFree": !view.gated,
    });
    if view.gated {
        article["hasPart"] = json!({
            "@type": "WebPageElement",
            "isAccessibleForFree": false,
            "cssSelector": format!(".{GATE_CLASS}"),
        });
    }
    script_safe(&article.to_string())
}

/// JSON that cannot end its `<script>` element early or open a comment: `<`, `>` and `&` are
/// written as `\u` escapes (still the same JSON), so a title with `</script>` stays text.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_can_close_the_script_element() {
        let json = serde_json::json!({ "headline": "a</script><script>alert(1)</script>&<!--" });
        let safe = script_safe(&json.to_string());
        assert!(!safe.contains('<') && !safe.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, json);
    }
}
