-- Wenyuan schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql.
-- Integers are 64-bit everywhere; booleans are 0/1; times are unix seconds (UTC);
-- publish dates are 'YYYY-MM-DD' text (never NULL, so both backends sort them the same way).

CREATE TABLE categories (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    slug  TEXT NOT NULL UNIQUE,
    sort  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    -- paragraphs joined by '\n'; headings are recognised from the text, not stored
    body          TEXT NOT NULL,
    published_on  TEXT NOT NULL,
    category_id   INTEGER REFERENCES categories(id),
    access        TEXT NOT NULL DEFAULT 'public',
    status        TEXT NOT NULL DEFAULT 'published',
    -- per-document preview override; NULL means the site default
    preview_ratio REAL,
    preview_max   INTEGER,
    views_base    INTEGER NOT NULL DEFAULT 0,
    content_hash  TEXT NOT NULL UNIQUE,
    source        TEXT,
    external_id   TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX articles_latest ON articles (status, published_on DESC, id DESC);
CREATE INDEX articles_category ON articles (category_id, status, published_on DESC, id DESC);

CREATE TABLE tags (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

-- The change feed (DESIGN.md §1): appended in the same transaction as the change it records.
CREATE TABLE changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id  INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    at          INTEGER NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'member',
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie value, so a leaked database does not leak live sessions
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
