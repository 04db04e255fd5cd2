-- Moderators' email alerts (issue 15): each account's choice, the outbox of emails to send, and
-- the single-use links in them. Outbox times are Unix milliseconds, link times Unix seconds,
-- both from the server's clock (which the tests move forward).

-- `each`: an email per pending or reported comment; `hourly`: one digest an hour; `none`.
ALTER TABLE users ADD COLUMN alerts TEXT NOT NULL DEFAULT 'none' CHECK (alerts IN ('each', 'hourly', 'none'));
-- When the account's last hourly digest was made (ms); NULL: never.
ALTER TABLE users ADD COLUMN last_digest_at INTEGER;

-- An email to send, or (batch = 1) an item waiting for its account's next hourly digest. A row
-- is never deleted before it is sent; `sent_at` set, it is never sent again. A worker claims a
-- row by setting `claimed_until` (a lease), so two servers on one database never send one row.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('comment', 'report', 'digest')),
    -- The comment of a `comment` or `report` alert (no foreign key: a deleted comment leaves
    -- its alert to say so); NULL for a digest.
    comment_id    INTEGER,
    batch         INTEGER NOT NULL DEFAULT 0 CHECK (batch IN (0, 1)),
    -- The digest that carried this item.
    digest_id     INTEGER REFERENCES outbox (id),
    created_at    INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    sent_at       INTEGER,
    claimed_until INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (due_at) WHERE sent_at IS NULL AND batch = 0;
CREATE INDEX outbox_batch ON outbox (user_id) WHERE batch = 1 AND digest_id IS NULL;

-- The approve and reject links of an alert: the SHA-256 of the token (an HMAC the server
-- derives from the alert, the comment and the action, so a resend carries the same links),
-- bound to the account it was sent to. Using one uses its sibling (the decision is made).
CREATE TABLE action_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    outbox_id  INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('approve', 'reject')),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    -- The decision taken through this link or its sibling, and by whom (`email link (<email>)`).
    decision   TEXT,
    decided_by TEXT
) STRICT;
CREATE INDEX action_links_alert ON action_links (outbox_id, comment_id);
