-- Moderation rules (server/src/moderation.rs). One row: the rules an admin saved through
-- `PUT /admin/rules`, as JSON; without it the server's defaults apply (`--link-limit`,
-- `--trusted-after`; no words, no automatic close).
CREATE TABLE moderation_rules (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    data       TEXT NOT NULL CHECK (json_valid(data)),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- Banned (until NULL) or suspended (until a time, UTC) people, keyed by the keyed hash of
-- their email the comments already store (`comments.avatar`): no email is kept here.
CREATE TABLE bans (
    person_hash TEXT PRIMARY KEY NOT NULL,
    until       TEXT,
    reason      TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- An admin's explicit close (1) or reopen (0) of an article's comments; it wins over the
-- automatic close after `close_after_days`.
CREATE TABLE article_comments (
    article_slug TEXT PRIMARY KEY NOT NULL REFERENCES articles (slug) ON DELETE CASCADE,
    closed       INTEGER NOT NULL CHECK (closed IN (0, 1)),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- The trust rule counts a person's approved comments.
CREATE INDEX comments_person ON comments (avatar, status);
