-- Rate limits shared by every instance on this database (server/src/limit.rs): per limit and
-- client (an IPv4 address or an IPv6 /64), the GCRA's theoretical arrival time, in Unix
-- nanoseconds of the database's clock. A row whose time is past is a full allowance, and goes.
-- SQLite keeps this state in the one process instead.
CREATE TABLE rate_limits (
    name TEXT NOT NULL,
    key  TEXT NOT NULL,
    tat  BIGINT NOT NULL,
    PRIMARY KEY (name, key)
);
