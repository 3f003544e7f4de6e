-- Pinyin slugs (issue 13 item 6): tags get a URL slug like categories, and every slug a category
-- or tag had answers 301 to its current one. Keep in step with ../sqlite/0011_pinyin_slugs.sql.
-- Slugs are made in Rust (pinyin needs the text crate): at start-up the store gives every tag
-- without one its pinyin slug, and moves categories whose slug is not ASCII to their pinyin,
-- recording the old slug here (see src/slugs.rs).

ALTER TABLE tags ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX tags_slug ON tags (slug);

CREATE TABLE slug_redirects (
    -- 'category' or 'tag'
    kind       TEXT NOT NULL,
    old_slug   TEXT NOT NULL,
    target_id  BIGINT NOT NULL,
    PRIMARY KEY (kind, old_slug)
);
