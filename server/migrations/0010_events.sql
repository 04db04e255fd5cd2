-- Live updates (server/src/events.rs): what readers may see change on an article, in order.
--
-- Written in the same transaction as the change itself, so an event exists exactly when its
-- change does; `id` is the SSE event id a reconnecting reader resumes after (Last-Event-ID).
-- AUTOINCREMENT: an id is never reused, even after the newest events are pruned.
-- No foreign key: a removal outlives the comment it names.
CREATE TABLE article_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_slug TEXT NOT NULL,
    -- The SSE event name (comment, edit, removal, rating) and its JSON data (api::events).
    kind         TEXT NOT NULL,
    data         TEXT NOT NULL,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX article_events_article ON article_events (article_slug, id);
CREATE INDEX article_events_at ON article_events (at);
