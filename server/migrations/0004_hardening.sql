-- Why a comment awaits review although the article is post-moderated: `too_fast`,
-- `no_form_token`, `bad_form_token`, `stale_form_token`; `honeypot` marks a bot's post that is
-- kept only so that a replay of its Idempotency-Key answers alike, and is purged with the key.
ALTER TABLE comments ADD COLUMN held_reason TEXT;
-- Under pre-moderation, an author's edit of an approved comment waits here for a moderator;
-- meanwhile readers see the approved body.
ALTER TABLE comments ADD COLUMN pending_body TEXT;
-- Who deleted a deleted comment: `author` (text and email erased for good) or `moderator`.
ALTER TABLE comments ADD COLUMN deleted_by TEXT;

-- One report per reader and comment; the reader is a keyed hash of their reader token, or of
-- their address (that day's key) when they send none.
ALTER TABLE comment_reports ADD COLUMN reporter_hash TEXT;
CREATE UNIQUE INDEX comment_reports_once ON comment_reports (comment_id, reporter_hash);

-- Idempotency keys keep what a replay needs and nothing more: the hash of the key, and the
-- comment it made. The edit token a replay gives back is derived again from the key; the old
-- table kept the whole first answer, plaintext edit token included.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    key_hash     TEXT PRIMARY KEY NOT NULL,
    article_slug TEXT NOT NULL,
    comment_id   INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
