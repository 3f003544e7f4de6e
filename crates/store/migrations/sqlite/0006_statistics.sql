-- Statistics for the editorial desk: searches that found nothing, so editors can fill the gaps.
-- Keep in step with ../postgres/0006_statistics.sql.

-- One row per normalised query (trimmed, spaces collapsed, lower-cased, at most 100 characters).
-- Counts are added by upserts from each node's in-memory batch, like article_views_daily.
CREATE TABLE search_misses (
    query      TEXT PRIMARY KEY,
    count      INTEGER NOT NULL,
    -- unix seconds of the latest search
    last_at    INTEGER NOT NULL
);
CREATE INDEX search_misses_top ON search_misses (count DESC, last_at DESC);

-- Sign-ups per day read users by creation time.
CREATE INDEX users_created ON users (created_at);
