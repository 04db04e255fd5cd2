-- The moderators' console (server/src/audit.rs, server/src/console.rs).
--
-- The decisions log: every moderator's decision (approve, reject, delete, ban, suspend, unban,
-- close, reopen, moderation, note, reveal_email) and the rules' own (`rules`: held, reject).
-- `actor` is an account's email, `admin token`, `email link (<email>)` or `rules`. No foreign
-- keys: the log outlives the comments it names (an erased comment's row may be gone).
CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    reason       TEXT,
    comment_id   INTEGER,
    article_slug TEXT,
    -- The person (comments.avatar) it was about, if any.
    person_hash  TEXT
) STRICT;
CREATE INDEX decisions_comment ON decisions (comment_id, id);
CREATE INDEX decisions_person ON decisions (person_hash, id);
CREATE INDEX decisions_at ON decisions (at, id);

-- Moderators' notes on a person (the reader drawer), keyed like the bans.
CREATE TABLE person_notes (
    id          INTEGER PRIMARY KEY,
    person_hash TEXT NOT NULL,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX person_notes_person ON person_notes (person_hash, id);

-- How many of a comment's reports a moderator reviewed (approving it): it is in the Reported
-- queue while `reports > reports_reviewed`, so a new report brings it back.
ALTER TABLE comments ADD COLUMN reports_reviewed INTEGER NOT NULL DEFAULT 0;

-- An article's own moderation (`pre` or `post`); no row: the server's `--moderation`.
CREATE TABLE article_moderation (
    article_slug TEXT PRIMARY KEY NOT NULL REFERENCES articles (slug) ON DELETE CASCADE,
    mode         TEXT NOT NULL CHECK (mode IN ('pre', 'post')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
