-- Comments. The email is kept for moderation only and never leaves the server; no IP is stored.
CREATE TABLE comments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    article_slug    TEXT NOT NULL REFERENCES articles (slug) ON DELETE CASCADE,
    parent_id       INTEGER REFERENCES comments (id),
    -- The top-level comment of the thread (its own id for a top-level comment).
    root_id         INTEGER NOT NULL DEFAULT 0,
    author_name     TEXT NOT NULL,
    author_email    TEXT NOT NULL,
    author_url      TEXT,
    avatar          TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('approved', 'pending', 'rejected', 'deleted')),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    edited_at       TEXT,
    edit_token_hash TEXT NOT NULL,
    edit_until      TEXT NOT NULL,
    reports         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX comments_top ON comments (article_slug, parent_id, created_at, id);
CREATE INDEX comments_root ON comments (root_id, created_at, id);
CREATE INDEX comments_status ON comments (status, reports);

CREATE TABLE comment_reports (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- One comment per Idempotency-Key: a repeated POST gets the first answer.
CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY NOT NULL,
    article_slug TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
