-- Schema version 3: stream identity as arithmetic on integers, without a `streams` table.
--
-- A stream id is  app_id << 32 | op_id << 20 | variant_id  (rust/core/src/store/ids.rs): the app, the op and the
-- variant (everything else that identifies a stream) are read back from the id itself, an app's events are
-- contiguous in the primary key of `events`, and ingest resolves a stream with no SQL at all. `variants` is the
-- small vocabulary of attribution tag, uid state, flags, access/reject and proxy, held in memory while ingesting.
-- Limits: 4,095 ops and 1,048,575 variants (checked below and by ingest); app ids up to 2^31.

CREATE TABLE variants (
    id              INTEGER PRIMARY KEY,
    attribution_tag TEXT NOT NULL DEFAULT '',
    uid_state       TEXT NOT NULL DEFAULT '',
    flags           TEXT NOT NULL DEFAULT '',
    kind            INTEGER NOT NULL,         -- 0 access, 1 reject
    proxy_uid       INTEGER NOT NULL DEFAULT -1,
    proxy_package   TEXT NOT NULL DEFAULT '',
    proxy_tag       TEXT NOT NULL DEFAULT '',
    UNIQUE (attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag)
);

INSERT INTO variants (attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag)
    SELECT DISTINCT attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag FROM streams
    ORDER BY kind, uid_state, flags, attribution_tag, proxy_uid, proxy_package, proxy_tag;

-- The upgrade fails as a whole (nothing changed) if the ids do not fit their bits.
CREATE TEMP TABLE v3_limits (op_id INTEGER CHECK (op_id < 4096), variant_id INTEGER CHECK (variant_id < 1048576));
INSERT INTO temp.v3_limits SELECT (SELECT coalesce(max(id), 0) FROM ops), (SELECT coalesce(max(id), 0) FROM variants);
DROP TABLE temp.v3_limits;

CREATE TEMP TABLE v3_stream_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
INSERT INTO temp.v3_stream_map (old, new)
    SELECT s.id, (s.app_id << 32) | (s.op_id << 20) | v.id FROM streams s JOIN variants v
    ON v.attribution_tag = s.attribution_tag AND v.uid_state = s.uid_state AND v.flags = s.flags AND v.kind = s.kind
    AND v.proxy_uid = s.proxy_uid AND v.proxy_package = s.proxy_package AND v.proxy_tag = s.proxy_tag;

-- Renumbered by copying into new tables (an UPDATE of a WITHOUT ROWID key would first collect every key in a
-- temporary table, in memory on a phone: hundreds of MB for 10 million events). The copies follow the old key order,
-- no sort; memory stays SQLite's page cache.
CREATE TABLE events_v3 (
    stream_id    INTEGER NOT NULL,            -- app_id << 32 | op_id << 20 | variant_id (rust/core/src/store/ids.rs)
    t            INTEGER NOT NULL,
    duration_ms  INTEGER,
    origin       INTEGER NOT NULL,
    precision_ms INTEGER,
    PRIMARY KEY (stream_id, t)
) WITHOUT ROWID;
INSERT INTO events_v3 (stream_id, t, duration_ms, origin, precision_ms)
    SELECT m.new, e.t, e.duration_ms, e.origin, e.precision_ms FROM events e JOIN temp.v3_stream_map m ON m.old = e.stream_id;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;

CREATE TABLE history_buckets_v3 (
    stream_id    INTEGER NOT NULL,            -- an access stream (kind 0); rejects are counted alongside
    begin_ms     INTEGER NOT NULL,
    end_ms       INTEGER NOT NULL,
    access_count INTEGER NOT NULL,
    reject_count INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (stream_id, begin_ms, end_ms)
) WITHOUT ROWID;
INSERT INTO history_buckets_v3 (stream_id, begin_ms, end_ms, access_count, reject_count, duration_ms)
    SELECT m.new, h.begin_ms, h.end_ms, h.access_count, h.reject_count, h.duration_ms
    FROM history_buckets h JOIN temp.v3_stream_map m ON m.old = h.stream_id;
DROP TABLE history_buckets;
ALTER TABLE history_buckets_v3 RENAME TO history_buckets;

CREATE TABLE event_rollups_v3 (
    stream_id   INTEGER NOT NULL,
    period      INTEGER NOT NULL,
    start_ms    INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (stream_id, period, start_ms)
) WITHOUT ROWID;
INSERT INTO event_rollups_v3 (stream_id, period, start_ms, count, duration_ms)
    SELECT m.new, r.period, r.start_ms, r.count, r.duration_ms
    FROM event_rollups r JOIN temp.v3_stream_map m ON m.old = r.stream_id;
DROP TABLE event_rollups;
ALTER TABLE event_rollups_v3 RENAME TO event_rollups;
DROP TABLE temp.v3_stream_map;

DROP TABLE streams;

-- Ingest probes for a discrete record to replace only once the database has held one.
INSERT INTO meta (key, value) SELECT 'discrete_events', '1' WHERE EXISTS (SELECT 1 FROM events WHERE origin / 4 = 1);

-- apps: one index instead of two. The UNIQUE key now starts with the package, so it also serves lookups by package
-- (timeline, history); ingest reads a device's apps once per dump (a scan of this small table).
CREATE TABLE apps_v3 (
    id            INTEGER PRIMARY KEY,
    device_id     INTEGER NOT NULL REFERENCES devices(id),
    package       TEXT NOT NULL,
    uid           INTEGER NOT NULL,          -- decoded numeric uid; -1 when the dump did not name it
    user_id       INTEGER NOT NULL,          -- uid / 100000
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL,
    UNIQUE (package, uid, device_id)
);
INSERT INTO apps_v3 (id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms)
    SELECT id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms FROM apps ORDER BY id;
DROP TABLE apps;
ALTER TABLE apps_v3 RENAME TO apps;

-- Streams as they were, for ad-hoc SQL: every id found in `events`, `event_rollups` or `history_buckets`, enumerated
-- with one primary-key seek per stream, and what it decodes to.
CREATE VIEW streams (id, app_id, op_id, attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag)
AS WITH RECURSIVE
    e(id) AS (SELECT (SELECT min(stream_id) FROM events)
              UNION ALL SELECT (SELECT min(stream_id) FROM events WHERE stream_id > e.id) FROM e WHERE e.id IS NOT NULL),
    r(id) AS (SELECT (SELECT min(stream_id) FROM event_rollups)
              UNION ALL SELECT (SELECT min(stream_id) FROM event_rollups WHERE stream_id > r.id) FROM r
              WHERE r.id IS NOT NULL),
    h(id) AS (SELECT (SELECT min(stream_id) FROM history_buckets)
              UNION ALL SELECT (SELECT min(stream_id) FROM history_buckets WHERE stream_id > h.id) FROM h
              WHERE h.id IS NOT NULL),
    ids(id) AS (SELECT id FROM e WHERE id IS NOT NULL UNION SELECT id FROM r WHERE id IS NOT NULL
                UNION SELECT id FROM h WHERE id IS NOT NULL)
SELECT ids.id, ids.id >> 32, (ids.id >> 20) & 4095, v.attribution_tag, v.uid_state, v.flags, v.kind, v.proxy_uid,
       v.proxy_package, v.proxy_tag
FROM ids JOIN variants v ON v.id = ids.id & 1048575;
