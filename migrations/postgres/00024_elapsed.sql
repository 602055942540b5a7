-- +goose Up
-- Pick-up points (issue 17 item 5; docs/ingest.md "Pick-up points"): where a parcel waits, as
-- the latest EDH event that carried a `pickup` object said. One row per item; an EDH event
-- older than the stored one does not replace it. Owned by tracking; read through the parcel
-- (brand-scoped), as early events are (the row exists before its parcel may).
CREATE TABLE pickup_points (
    item_id      TEXT PRIMARY KEY,
    occurred_at  TIMESTAMPTZ NOT NULL,
    deadline     TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    hours        TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Rules on elapsed time (issue 17 item 4; docs/elapsed.md): the N of a trigger (days, or
-- failed attempts).
ALTER TABLE rules ADD COLUMN trigger_n INTEGER NOT NULL DEFAULT 0;

-- One row per parcel and armed elapsed rule, owned by package elapsed: re-armed on every
-- event of the parcel; the sweep reads only rows due (fired_at NULL, due_at <= now) through
-- the partial index.
CREATE TABLE elapsed_due (
    parcel_id   TEXT NOT NULL REFERENCES parcels(id),
    rule_id     BIGINT NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    brand_id    BIGINT NOT NULL REFERENCES brands(id),
    due_at      TIMESTAMPTZ NOT NULL,
    anchor      TEXT NOT NULL,
    fired_at    TIMESTAMPTZ,
    outcome     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (parcel_id, rule_id)
);
CREATE INDEX elapsed_due_pending ON elapsed_due (due_at) WHERE fired_at IS NULL;
CREATE INDEX elapsed_due_rule ON elapsed_due (rule_id);

-- How far each elapsed rule has armed the parcels that existed before it (or before its last
-- change): the backfill walks a brand's parcels by id from after_id, a page per sweep.
CREATE TABLE elapsed_rule_arming (
    rule_id          BIGINT PRIMARY KEY REFERENCES rules(id) ON DELETE CASCADE,
    rule_updated_at  TIMESTAMPTZ NOT NULL,
    after_id         TEXT NOT NULL DEFAULT '',
    done             BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE elapsed_rule_arming;
DROP TABLE elapsed_due;
ALTER TABLE rules DROP COLUMN trigger_n;
DROP TABLE pickup_points;
