-- Discovery: counted views (per document per day), and keywords for related documents.

-- Views counted by Wenyuan, on top of views_base (the imported starting count).
ALTER TABLE articles ADD COLUMN views_total BIGINT NOT NULL DEFAULT 0;

-- Additive per-document per-day counts: every node adds its batches with an upsert.
-- `day` is the site's local date, 'YYYY-MM-DD'.
CREATE TABLE article_views_daily (
    article_id  BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    views       BIGINT NOT NULL,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX article_views_daily_day ON article_views_daily (day, article_id);

-- Derived from the text (rebuildable): TF-IDF keywords of each document, weights of unit length.
CREATE TABLE article_keywords (
    article_id  BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    keyword     TEXT NOT NULL,
    weight      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (article_id, keyword)
);
CREATE INDEX article_keywords_keyword ON article_keywords (keyword, article_id);
