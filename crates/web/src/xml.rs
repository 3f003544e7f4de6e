//! XML documents written by hand: the sitemap index, a sitemap file, robots.txt's sitemap line
//! and Atom feeds. Text is escaped with quick-xml's escaper; everything else is fixed markup.

use std::fmt::Write;

use quick_xml::escape::escape;

/// `<sitemapindex>` over `(url, lastmod)` pairs.
pub fn sitemap_index(files: impl IntoIterator<Item = (String, String)>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in files {
        let _ = writeln!(
            out,
            "<sitemap><loc>{}</loc><lastmod>{}</lastmod></sitemap>",
            escape(loc.as_str()),
            escape(lastmod.as_str())
        );
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// `<urlset>` over `(url, lastmod)` pairs.
pub fn urlset(urls: impl IntoIterator<Item = (String, String)>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
            escape(loc.as_str()),
            escape(lastmod.as_str())
        );
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let xml = urlset([("http://a/?x=1&y=<2>".to_owned(), "t".to_owned())]);
        assert!(xml.contains("<loc>http://a/?x=1&amp;y=&lt;2&gt;</loc>"), "{xml}");
    }
}
