-- The SQLite schema's twin (see ../sqlite/0001_init.sql): one table of
-- documents for every resource type, the natural_key index for the
-- uniqueness the API promises, refs for cascaded deletes.

-- At most one row: two servers starting at once on an empty database both
-- insert theirs, and the second insert does nothing.
CREATE TABLE workspace (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    slug      TEXT NOT NULL
);

CREATE TABLE resources (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    parent_id   TEXT,
    natural_key TEXT,
    name        TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1,
    refs        TEXT NOT NULL DEFAULT '[]',
    -- TEXT, not JSONB: JSONB reorders keys, and bodies are served as stored.
    body        TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE UNIQUE INDEX resources_natural_key ON resources (kind, natural_key)
    WHERE natural_key IS NOT NULL;
CREATE INDEX resources_parent ON resources (kind, parent_id, seq);

CREATE TABLE resource_refs (
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (kind, id, target_id)
);
CREATE INDEX resource_refs_target ON resource_refs (target_id);

-- seq is not a sequence: a writer assigns MAX(seq) + 1 while it holds the
-- write lock (see src/store/postgres/committer.rs), so seqs run 1..=n
-- without gaps and in commit order, also with several server processes.
CREATE TABLE audit_events (
    seq           BIGINT PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    -- "C": RFC 3339 strings compare as times only byte by byte; a
    -- language collation would skip their punctuation.
    timestamp     TEXT COLLATE "C" NOT NULL,
    type          TEXT NOT NULL,
    actor         TEXT NOT NULL,
    actor_email   TEXT,
    resource_id   TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_name TEXT NOT NULL
);
CREATE INDEX audit_events_resource ON audit_events (resource_id, seq);
CREATE INDEX audit_events_type ON audit_events (lower(resource_type), seq);

-- Only a SHA-256 of each token is kept.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
