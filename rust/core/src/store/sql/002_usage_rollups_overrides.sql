-- Schema version 2: usage intervals from the inventory, retention rollups, and the user's category overrides.

-- When the user had each app in the foreground (UsageStatsManager on Android; optional in the inventory).
CREATE TABLE app_usage (
    device_id INTEGER NOT NULL,
    package   TEXT NOT NULL,
    begin_ms  INTEGER NOT NULL,
    end_ms    INTEGER NOT NULL,
    PRIMARY KEY (device_id, package, begin_ms)
) WITHOUT ROWID;

-- Raw events past the retention window, counted per hour (period 0) and later per day (period 1). Totals are
-- preserved: every event removed from `events` is counted here once.
CREATE TABLE event_rollups (
    stream_id   INTEGER NOT NULL,
    period      INTEGER NOT NULL,
    start_ms    INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (stream_id, period, start_ms)
) WITHOUT ROWID;

-- The user's own choice of category for a package (`opsight category`).
CREATE TABLE category_overrides (
    package    TEXT PRIMARY KEY,
    category   TEXT NOT NULL,
    set_at_ms  INTEGER NOT NULL
) WITHOUT ROWID;
