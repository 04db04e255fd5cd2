-- Moderators' console, first slice: accounts, their sessions, one-time setup links, and the
-- failed sign-ins that throttle guessing. Times of sessions, links and failures are Unix
-- seconds from the server's clock (which the tests move forward).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    -- Parsed by news_widget_api::parse_email: trimmed and lowercased.
    email         TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    role          TEXT NOT NULL CHECK (role IN ('admin', 'moderator')),
    -- An argon2id PHC string; NULL until the account's setup link is used.
    password_hash TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- A session is known by the SHA-256 of its cookie's 256-bit random id, never the id itself.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

-- One-time setup links (a new account, a reset): the SHA-256 of the token, valid until expires_at.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) STRICT;

-- Failed sign-ins, by the SHA-256 of `account:<email>` or `address:<ip>`.
CREATE TABLE login_failures (
    key_hash TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_key ON login_failures (key_hash, at);
