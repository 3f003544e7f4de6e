-- API tokens for editors' tools (issue 16 item 5). Keep in step with ../postgres/0021_api_tokens.sql.
-- Times are unix seconds (UTC).
--
-- A token belongs to one editor or admin and is made at the desk (/admin/tokens). Only a SHA-256
-- of the secret is stored: the secret is shown once, when it is made, and a leaked database leaks
-- no usable token. `scopes` is the space-separated list of what the token may do
-- (documents:create, documents:update, documents:delete). A revoked token keeps its row, with
-- revoked_at, so the desk and the audit log can still name it.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
