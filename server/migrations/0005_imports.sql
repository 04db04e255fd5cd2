-- What an importer brought in, keyed by where it came from, so that importing the same file
-- again finds every row it made and adds nothing. `source` is `wordpress <site URL>` (WordPress
-- ids are per site) or `disqus`; `kind` is `article` (the slug it landed on, made or matched)
-- or `comment` (the comment it made). An imported deletion placeholder has `deleted_by` `import`.
CREATE TABLE imports (
    source       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('article', 'comment')),
    source_id    TEXT NOT NULL,
    article_slug TEXT NOT NULL REFERENCES articles (slug) ON DELETE CASCADE,
    comment_id   INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (source, kind, source_id),
    CHECK ((kind = 'comment') = (comment_id IS NOT NULL))
) STRICT;
