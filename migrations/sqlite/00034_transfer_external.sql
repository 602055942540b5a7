-- +goose Up
-- Transfers to numbers outside wismo (issue 19 item 3; docs/transfers.md): the leg of the
-- external party a call was transferred to is an 'external' leg, and each brand says whether
-- its staff may transfer calls out through the trunk at all (off until a brand manager or an
-- admin turns it on).
--
-- SQLite cannot change a CHECK in place: call_legs is rebuilt with its rows (no table
-- references call_legs).
CREATE TABLE call_legs_00034 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id        INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('customer','agent','external')),
    agent_id       INTEGER REFERENCES users(id),
    from_uri       TEXT NOT NULL DEFAULT '',
    to_uri         TEXT NOT NULL DEFAULT '',
    sip_call_id    TEXT NOT NULL DEFAULT '',
    codec          TEXT NOT NULL DEFAULT '',
    started_at     DATETIME NOT NULL,
    ringing_at     DATETIME,
    answered_at    DATETIME,
    ended_at       DATETIME,
    sip_status     INTEGER NOT NULL DEFAULT 0,
    outcome        TEXT NOT NULL DEFAULT '',
    hangup_side    TEXT NOT NULL DEFAULT ''
);
INSERT INTO call_legs_00034 SELECT id, call_id, kind, agent_id, from_uri, to_uri, sip_call_id, codec, started_at,
    ringing_at, answered_at, ended_at, sip_status, outcome, hangup_side FROM call_legs;
DROP TABLE call_legs;
ALTER TABLE call_legs_00034 RENAME TO call_legs;
CREATE INDEX call_legs_call ON call_legs (call_id);

CREATE TABLE brand_transfers (
    brand_id        INTEGER PRIMARY KEY REFERENCES brands(id) ON DELETE CASCADE,
    allow_external  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at      DATETIME NOT NULL
);

-- +goose Down
DROP TABLE brand_transfers;
CREATE TABLE call_legs_00034 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id        INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('customer','agent')),
    agent_id       INTEGER REFERENCES users(id),
    from_uri       TEXT NOT NULL DEFAULT '',
    to_uri         TEXT NOT NULL DEFAULT '',
    sip_call_id    TEXT NOT NULL DEFAULT '',
    codec          TEXT NOT NULL DEFAULT '',
    started_at     DATETIME NOT NULL,
    ringing_at     DATETIME,
    answered_at    DATETIME,
    ended_at       DATETIME,
    sip_status     INTEGER NOT NULL DEFAULT 0,
    outcome        TEXT NOT NULL DEFAULT '',
    hangup_side    TEXT NOT NULL DEFAULT ''
);
INSERT INTO call_legs_00034 SELECT id, call_id, kind, agent_id, from_uri, to_uri, sip_call_id, codec, started_at,
    ringing_at, answered_at, ended_at, sip_status, outcome, hangup_side FROM call_legs WHERE kind <> 'external';
DROP TABLE call_legs;
ALTER TABLE call_legs_00034 RENAME TO call_legs;
CREATE INDEX call_legs_call ON call_legs (call_id);
