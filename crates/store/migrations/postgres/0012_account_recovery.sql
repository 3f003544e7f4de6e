-- Account recovery (issue 13, item 10). Keep in step with ../sqlite/0012_account_recovery.sql.
-- Times are unix seconds (UTC).

-- A member's e-mail address, for 忘记密码 by mail: optional, set at /me, stored trimmed and
-- lowercased so that the unique index compares addresses as mail servers do in practice.
ALTER TABLE users ADD COLUMN email TEXT;
CREATE UNIQUE INDEX users_email ON users (email);

-- One-time password reset links. Only a SHA-256 of the link's token is stored (a leaked database
-- leaks no usable link). One row per member: a new link replaces the older one, which then no
-- longer exists. A used link keeps its row with used_at, so it can be told apart from an unknown
-- one, until the next link replaces it or the account goes.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
