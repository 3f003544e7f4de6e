-- Members' own library and VIP (issue 11). Keep in step with ../postgres/0008_members.sql.
-- Times are unix seconds (UTC); `day` is the site-local calendar day 'YYYY-MM-DD' a download
-- counts against for the daily quota (the site's time zone can change; the day stays as counted).

-- VIP by grant or redeem code: a member whose vip_until lies in the future reads as VIP.
-- NULL means never granted. A stored role of 'vip' stays VIP without an end.
ALTER TABLE users ADD COLUMN vip_until INTEGER;

-- 我的收藏
CREATE TABLE favorites (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
);
CREATE INDEX favorites_latest ON favorites (user_id, created_at DESC);

-- 阅读历史: one row per member and document, moved forward on each read; trimmed to the last
-- 200 per member by the code that writes it.
CREATE TABLE reading_history (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    read_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
);
CREATE INDEX reading_history_latest ON reading_history (user_id, read_at DESC);

-- 下载记录, and what the daily download quota counts.
CREATE TABLE downloads (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    format      TEXT NOT NULL,
    day         TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX downloads_by_user ON downloads (user_id, at DESC);
CREATE INDEX downloads_by_day ON downloads (user_id, day);

-- 卡密: VIP redeem codes. Only a hash of the code is stored; a code is used at most once.
CREATE TABLE vip_codes (
    id           INTEGER PRIMARY KEY,
    code_hash    TEXT NOT NULL UNIQUE,
    days         INTEGER NOT NULL,
    batch        TEXT NOT NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    redeemed_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    redeemed_at  INTEGER
);
CREATE INDEX vip_codes_batch ON vip_codes (batch, id);
