-- Schema version 1: devices, apps, ops, the access timeline, aggregate history, inventory, collection runs.
-- Text keys that may be absent are stored as '' (and proxy uid as -1) so UNIQUE constraints see them as equal;
-- SQLite treats NULLs in a UNIQUE index as distinct.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- A phone. `label` is the name the collector gives it ("this phone" on Android, the adb serial's alias on the CLI).
CREATE TABLE devices (
    id              INTEGER PRIMARY KEY,
    label           TEXT NOT NULL UNIQUE,
    manufacturer    TEXT,
    model           TEXT,
    android_version TEXT,
    zone            TEXT,
    first_seen_ms   INTEGER,
    last_seen_ms    INTEGER
);

-- An installation of a package under a uid. Uninstall + reinstall gives a new uid and so a new row;
-- queries by package name see all of them.
CREATE TABLE apps (
    id            INTEGER PRIMARY KEY,
    device_id     INTEGER NOT NULL REFERENCES devices(id),
    package       TEXT NOT NULL,
    uid           INTEGER NOT NULL,          -- decoded numeric uid; -1 when the dump did not name it
    user_id       INTEGER NOT NULL,          -- uid / 100000
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL,
    UNIQUE (device_id, package, uid)
);
CREATE INDEX apps_by_package ON apps (package);

CREATE TABLE ops (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,           -- as printed (legacy and OEM names kept)
    info_type TEXT NOT NULL,                  -- op catalog identifier (location, contacts, ...)
    sensitive INTEGER NOT NULL                -- the catalog's judgement: reading personal information
);

-- A stream is everything that identifies an observation except its instant: app, op, attribution tag, uid state,
-- flags, access or reject, and the proxy. Events are (stream, instant), so the clustered primary key of `events`
-- serves both dedupe and per-app range scans without a second index.
CREATE TABLE streams (
    id              INTEGER PRIMARY KEY,
    app_id          INTEGER NOT NULL REFERENCES apps(id),
    op_id           INTEGER NOT NULL REFERENCES ops(id),
    attribution_tag TEXT NOT NULL DEFAULT '',
    uid_state       TEXT NOT NULL DEFAULT '',
    flags           TEXT NOT NULL DEFAULT '',
    kind            INTEGER NOT NULL,         -- 0 access, 1 reject
    proxy_uid       INTEGER NOT NULL DEFAULT -1,
    proxy_package   TEXT NOT NULL DEFAULT '',
    proxy_tag       TEXT NOT NULL DEFAULT '',
    UNIQUE (app_id, op_id, attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag)
);
CREATE INDEX streams_by_op ON streams (op_id);

-- The timeline: one row per distinct observation. About 20 bytes a row.
--   t            UTC epoch ms of the access (start)
--   origin       source * 4 + time basis; source 0 last-access state, 1 discrete history;
--                basis 0 local time + zone, 1 capture instant + relative, 2 local + inferred offset, 3 printed epoch
--   precision_ms NULL when exact to the millisecond; else the uncertainty (capture instant, discrete quantum)
CREATE TABLE events (
    stream_id    INTEGER NOT NULL,
    t            INTEGER NOT NULL,
    duration_ms  INTEGER,
    origin       INTEGER NOT NULL,
    precision_ms INTEGER,
    PRIMARY KEY (stream_id, t)
) WITHOUT ROWID;

-- `--history` aggregates as reported. Identical windows are stored once (counts only grow while a window is open,
-- so the larger count wins); overlapping windows of different sizes are all kept and reconciled when read
-- (docs/store.md, "Aggregate history").
CREATE TABLE history_buckets (
    stream_id    INTEGER NOT NULL,            -- an access stream (kind 0); rejects are counted alongside
    begin_ms     INTEGER NOT NULL,
    end_ms       INTEGER NOT NULL,
    access_count INTEGER NOT NULL,
    reject_count INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (stream_id, begin_ms, end_ms)
) WITHOUT ROWID;

-- Package inventory (docs/inventory.md), latest known state per package.
CREATE TABLE app_meta (
    device_id        INTEGER NOT NULL REFERENCES devices(id),
    package          TEXT NOT NULL,
    label            TEXT,
    category         TEXT,                    -- ApplicationInfo.category as a name (game, audio, maps, ...)
    system           INTEGER NOT NULL DEFAULT 0,
    uid              INTEGER,
    first_install_ms INTEGER,
    last_update_ms   INTEGER,
    version_name     TEXT,
    updated_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (device_id, package)
) WITHOUT ROWID;

CREATE TABLE app_permissions (
    device_id  INTEGER NOT NULL,
    package    TEXT NOT NULL,
    permission TEXT NOT NULL,
    granted    INTEGER NOT NULL,
    PRIMARY KEY (device_id, package, permission)
) WITHOUT ROWID;

-- One row per ingest attempt that committed, and per repeat of an identical dump.
CREATE TABLE collection_runs (
    id              INTEGER PRIMARY KEY,
    device_id       INTEGER NOT NULL REFERENCES devices(id),
    captured_at_ms  INTEGER,
    zone            TEXT,
    source          TEXT NOT NULL,            -- app, adb, file
    android_version TEXT,
    dialect         TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    outcome         TEXT NOT NULL,            -- ok, repeat, truncated
    new_events      INTEGER NOT NULL,
    known_events    INTEGER NOT NULL,
    new_apps        INTEGER NOT NULL,
    clock_skew_ms   INTEGER,                  -- capture instant minus the dump's own "now", when both are known
    ingested_at_ms  INTEGER NOT NULL
);
CREATE INDEX runs_by_hash ON collection_runs (content_hash);
