-- One vote per (article, reader). The reader is known only by a keyed hash of their token.
CREATE TABLE ratings (
    article_slug TEXT NOT NULL REFERENCES articles (slug) ON DELETE CASCADE,
    reader_hash  TEXT NOT NULL,
    stars        INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (article_slug, reader_hash)
) STRICT;

-- New voters per article, per day (days since the Unix epoch, UTC), per keyed hash of the IP.
-- The key changes every day and old keys are deleted, so yesterday's hashes name nobody.
CREATE TABLE rating_new_voters (
    article_slug TEXT NOT NULL,
    day          INTEGER NOT NULL,
    ip_hash      TEXT NOT NULL,
    voters       INTEGER NOT NULL,
    PRIMARY KEY (article_slug, day, ip_hash)
) STRICT;

-- Server secrets: `reader` keys the reader-token hash; `day:N` keys the IP hashes of day N.
CREATE TABLE secrets (
    name   TEXT PRIMARY KEY NOT NULL,
    secret BLOB NOT NULL
) STRICT;
