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

/// The feed as a whole.
pub struct AtomFeed<'a> {
    pub title: &'a str,
    /// The page the feed follows (also its id).
    pub link: &'a str,
    /// The feed's own address.
    pub self_link: &'a str,
    pub updated: &'a str,
    pub author: &'a str,
}

/// One entry: a document, with the text a guest may read as its summary.
pub struct AtomEntry {
    pub title: String,
    pub link: String,
    pub published: String,
    pub updated: String,
    pub summary: String,
}

/// An Atom feed (RFC 4287).
pub fn atom(feed: &AtomFeed<'_>, entries: &[AtomEntry]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let _ = writeln!(
        out,
        "<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<updated>{}</updated>\n<author><name>{}</name></author>",
        escape(feed.title),
        escape(feed.link),
        escape(feed.link),
        escape(feed.self_link),
        escape(feed.updated),
        escape(feed.author),
    );
    for e in entries {
        let _ = writeln!(
            out,
            "<entry><title>{}</title><id>{}</id><link href=\"{}\"/><published>{}</published><updated>{}</updated><summary type=\"text\">{}</summary></entry>",
            escape(e.title.as_str()),
            escape(e.link.as_str()),
            escape(e.link.as_str()),
            escape(e.published.as_str()),
            escape(e.updated.as_str()),
            escape(e.summary.as_str()),
        );
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let xml = urlset([("http://a/?x=1&y=<2>".to_owned(), "t".to_owned())]);
        assert!(
            xml.contains("<loc>http://a/?x=1&amp;y=&lt;2&gt;</loc>"),
            "{xml}"
        );
    }
}
