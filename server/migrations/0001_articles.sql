-- Articles are stored as the JSON the API serves (body already sanitized), keyed by slug.
CREATE TABLE articles (
    slug       TEXT PRIMARY KEY NOT NULL,
    data       TEXT NOT NULL CHECK (json_valid(data)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
