-- Messages left through the /contact form. Keep in step with ../postgres/0003_contact_messages.sql.
-- (0002 is reserved for another change; sqlx applies whatever versions are missing.)

CREATE TABLE contact_messages (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    -- how to reach the sender (phone, email, WeChat…); may be empty
    contact     TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL,
    -- the client address the rate limit used, and the browser, for spotting abuse
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    is_read     INTEGER NOT NULL DEFAULT 0,
    -- staff's note on the follow-up; NULL until someone writes one (the admin UI)
    reply_note  TEXT
);
CREATE INDEX contact_messages_newest ON contact_messages (created_at DESC, id DESC);
