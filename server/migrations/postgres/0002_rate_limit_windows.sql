-- Rate-limit windows shared by every server on the database (see
-- server/src/store/postgres/rate_windows.rs): one row per token and limit.
-- UNLOGGED: no WAL for a row updated on every request; a crash of
-- PostgreSQL empties it, which opens fresh windows, as a restart of a
-- server on SQLite does.
CREATE UNLOGGED TABLE rate_limit_windows (
    token_key TEXT NOT NULL,
    slot      INTEGER NOT NULL,
    ends      TIMESTAMPTZ NOT NULL,
    consumed  INTEGER NOT NULL,
    PRIMARY KEY (token_key, slot)
);
