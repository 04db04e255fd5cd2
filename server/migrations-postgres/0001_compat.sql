-- The store speaks one SQL on both engines (server/src/db.rs). These are the few SQLite functions
-- its queries use, with SQLite's meaning for the arguments they are given: times are ISO 8601
-- text in UTC (`…T…Z`), sortable as text; `'now'` is the statement's own clock.

-- strftime(format, time [, modifier]): `format` is '%Y-%m-%dT%H:%M:%fZ' (milliseconds) or
-- '%Y-%m-%dT%H:%M:%SZ'; `time` 'now' or an ISO time; `modifier` an interval such as '-1 day'.
-- NULL in, NULL out, as in SQLite.
CREATE FUNCTION strftime(format text, at text, modifier text DEFAULT '0 seconds') RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT to_char(
        ((CASE WHEN at = 'now' THEN clock_timestamp() ELSE at::timestamptz END) + modifier::interval)
            AT TIME ZONE 'UTC',
        CASE format
            WHEN '%Y-%m-%dT%H:%M:%fZ' THEN 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'
            WHEN '%Y-%m-%dT%H:%M:%SZ' THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
        END)
$$;

-- julianday(time): days since noon UTC, 24 November 4714 BC, as a fraction.
CREATE FUNCTION julianday(at text) RETURNS double precision
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT extract(epoch FROM (CASE WHEN at = 'now' THEN clock_timestamp() ELSE at::timestamptz END))::double precision
        / 86400.0 + 2440587.5
$$;

-- json_extract(document, '$.a.b'): the member as text (a string's value), NULL if absent.
CREATE FUNCTION json_extract(document text, path text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT document::jsonb #>> string_to_array(substr(path, 3), '.')
$$;

-- instr(haystack, needle): the 1-based position of needle, 0 if absent.
CREATE FUNCTION instr(haystack text, needle text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT strpos(haystack, needle)
$$;
