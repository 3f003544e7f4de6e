//! What search engines and feed readers are given: the sitemap of published documents
//! ([`sitemap`]), and the push of new URLs to search engines ([`push`]). Nothing here sends
//! document text except through the gate.

pub mod push;
pub mod sitemap;

pub use push::{PushAttempt, PushStatus, SearchPush};
pub use sitemap::{SitemapChunk, Sitemaps, SITEMAP_MAX_URLS};

use chrono::{DateTime, FixedOffset};

/// Unix seconds as a W3C date-time in the site's offset (`2026-11-30T18:00:00+08:00`), as
/// sitemaps (`lastmod`) and Atom (`updated`) write it.
pub fn w3c_time(unix: i64, offset: FixedOffset) -> String {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&offset)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_the_site_offset() {
        let shanghai = crate::settings::shanghai();
        assert_eq!(w3c_time(0, shanghai), "1970-01-01T08:00:00+08:00");
        assert_eq!(
            w3c_time(1_764_489_600, shanghai),
            "2025-11-30T16:00:00+08:00"
        );
    }
}
