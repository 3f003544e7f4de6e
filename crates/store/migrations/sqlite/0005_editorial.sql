-- The editorial desk's audit log: every change made through /admin, who made it and when.
-- Keep in step with ../postgres/0005_editorial.sql. (0004 belongs to near-duplicate detection.)

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    -- NULL when the account was deleted since; the name is kept so the log still reads
    user_id    INTEGER,
    user_name  TEXT NOT NULL,
    -- what was done, as 'area.verb' (article.update, member.role, settings.update …)
    action     TEXT NOT NULL,
    -- what it was done to, as 'kind:id' (article:12, member:3); empty for site-wide changes
    target     TEXT NOT NULL DEFAULT '',
    -- a short human-readable account of the change (old → new values)
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_newest ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target, id DESC);
