-- Search-engine push (issue 13 item 4): the URLs of newly published documents, sent in batches
-- to the configured push endpoint (Baidu 普通收录 style). Keep in step with ../postgres/0010_search_push.sql.

-- How far the push follower has read the change feed. One row; nodes move it with a
-- compare-and-set, so each range of changes is queued by exactly one node.
CREATE TABLE push_cursor (
    id         INTEGER PRIMARY KEY,
    change_id  INTEGER NOT NULL
);
-- Documents published before this migration are not pushed: only what is published from now on.
INSERT INTO push_cursor (id, change_id) SELECT 1, COALESCE(MAX(id), 0) FROM changes;

-- One row per document ever queued: its URL is pushed once, whatever the number of nodes.
CREATE TABLE push_queue (
    article_id     INTEGER PRIMARY KEY,
    queued_at      INTEGER NOT NULL,
    -- not sent before this time (backoff after a failed attempt)
    next_try_at    INTEGER NOT NULL,
    -- a node that claimed the row sends it until this time; 0 when unclaimed
    claimed_until  INTEGER NOT NULL DEFAULT 0,
    attempts       INTEGER NOT NULL DEFAULT 0,
    -- NULL until the endpoint accepted it
    pushed_at      INTEGER
);
CREATE INDEX push_queue_due ON push_queue (pushed_at, next_try_at);

-- Every request made to the endpoint, newest shown at the desk.
CREATE TABLE push_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    urls    INTEGER NOT NULL,
    -- the HTTP status, NULL when there was no answer
    status  INTEGER,
    -- the endpoint's answer (cut short) or the error
    detail  TEXT NOT NULL
);
