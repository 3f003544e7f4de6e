-- Addresses of the site a library was moved from (DedeCMS: /plus/view.php?aid=N,
-- /a/zongjie/2024/1220/123.html, /a/zongjie/ …), each answering 301 with its new address, so
-- that no link and no search-engine entry breaks (issue 16). Written by `wenyuan import
-- --from-dedecms`, read by the 404 fallback. `path` is the decoded path, with the one query
-- parameter that names the page for dynamic URLs (`/plus/view.php?aid=12`).
-- Keep in step with ../postgres/0018_old_urls.sql.
CREATE TABLE old_urls (
    path    TEXT PRIMARY KEY,
    target  TEXT NOT NULL,
    -- where the mapping came from ('dedecms'), for the report and for a later clean-up
    origin  TEXT NOT NULL
);
