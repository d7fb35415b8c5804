-- One table of documents serves every resource type: a new type needs no
-- migration. Uniqueness the API promises (source slugs, label key:value,
-- user emails) is enforced by the natural_key index, not by code.
CREATE TABLE workspace (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL
);

CREATE TABLE resources (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    parent_id   TEXT,
    natural_key TEXT,
    name        TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    refs        TEXT NOT NULL DEFAULT '[]',
    body        TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE UNIQUE INDEX resources_natural_key ON resources (kind, natural_key)
    WHERE natural_key IS NOT NULL;
CREATE INDEX resources_parent ON resources (kind, parent_id, seq);

-- What each document depends on: deleting a target deletes its dependents.
CREATE TABLE resource_refs (
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (kind, id, target_id)
);
CREATE INDEX resource_refs_target ON resource_refs (target_id);

-- seq orders the trail: writers are serialized, so seq order is commit order
-- and a follower reading by seq sees every event once.
CREATE TABLE audit_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    timestamp     TEXT NOT NULL,
    type          TEXT NOT NULL,
    actor         TEXT NOT NULL,
    actor_email   TEXT,
    resource_id   TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_name TEXT NOT NULL
);
CREATE INDEX audit_events_resource ON audit_events (resource_id, seq);
CREATE INDEX audit_events_type ON audit_events (resource_type, seq);

-- Only a SHA-256 of each token is kept.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
