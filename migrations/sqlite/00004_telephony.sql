-- +goose Up
-- Telephony (issue 3): agents' SIP credentials and states, hotline queues, the call log (one
-- row per call, one per leg), recordings and callback requests.

-- An agent's SIP phone authenticates with digest (RFC 8760 / RFC 2617): we keep only
-- HA1 = MD5(username:realm:secret), never the secret, and never the login password.
ALTER TABLE users ADD COLUMN sip_username TEXT;
ALTER TABLE users ADD COLUMN sip_ha1 TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_sip_username ON users (sip_username);

CREATE TABLE agent_states (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    state        TEXT NOT NULL CHECK (state IN ('offline','available','ringing','on_call','wrap_up','paused')),
    since        DATETIME NOT NULL,
    idle_since   DATETIME
);

CREATE TABLE brand_telephony (
    brand_id          INTEGER PRIMARY KEY REFERENCES brands(id),
    caller_id         TEXT NOT NULL DEFAULT '',
    recording_notice  INTEGER NOT NULL DEFAULT 1,
    hotline_open      TEXT NOT NULL DEFAULT '00:00',
    hotline_close     TEXT NOT NULL DEFAULT '24:00',
    time_zone         TEXT NOT NULL DEFAULT 'UTC'
);

CREATE TABLE hotline_queues (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL UNIQUE,
    brand_id          INTEGER REFERENCES brands(id), -- NULL: serves every brand
    ring_seconds      INTEGER NOT NULL DEFAULT 15 CHECK (ring_seconds > 0),
    max_wait_seconds  INTEGER NOT NULL DEFAULT 120 CHECK (max_wait_seconds > 0)
);

CREATE TABLE hotline_numbers (
    number    TEXT PRIMARY KEY,
    queue_id  INTEGER NOT NULL REFERENCES hotline_queues(id)
);

CREATE TABLE calls (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    direction      TEXT NOT NULL CHECK (direction IN ('outbound','inbound')),
    mode           TEXT NOT NULL DEFAULT '',
    brand_id       INTEGER REFERENCES brands(id),
    parcel_id      TEXT NOT NULL DEFAULT '',
    campaign_ref   TEXT NOT NULL DEFAULT '',
    contact_ref    TEXT NOT NULL DEFAULT '',
    agent_id       INTEGER REFERENCES users(id),
    queue_id       INTEGER REFERENCES hotline_queues(id),
    from_uri       TEXT NOT NULL DEFAULT '',
    to_uri         TEXT NOT NULL DEFAULT '',
    sip_call_id    TEXT NOT NULL DEFAULT '',
    started_at     DATETIME NOT NULL,
    ringing_at     DATETIME,
    answered_at    DATETIME,
    ended_at       DATETIME,
    sip_status     INTEGER NOT NULL DEFAULT 0,
    outcome        TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('','answered','no_answer','busy','rejected','unreachable','failed','cancelled','abandoned')),
    hangup_side    TEXT NOT NULL DEFAULT '' CHECK (hangup_side IN ('','customer','agent','system')),
    disposition    TEXT NOT NULL DEFAULT '',
    recording_id   INTEGER
);
CREATE INDEX calls_brand_started ON calls (brand_id, started_at);
CREATE INDEX calls_sip_call_id ON calls (sip_call_id);

CREATE TABLE call_legs (
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
CREATE INDEX call_legs_call ON call_legs (call_id);

CREATE TABLE recordings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id      INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    brand_id     INTEGER REFERENCES brands(id),
    path         TEXT NOT NULL,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    size_bytes   INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    started_at   DATETIME NOT NULL,
    finished_at  DATETIME
);
CREATE INDEX recordings_call ON recordings (call_id);

CREATE TABLE callback_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id       INTEGER REFERENCES calls(id) ON DELETE SET NULL,
    brand_id      INTEGER REFERENCES brands(id),
    parcel_id     TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('after_hours','max_wait','no_agent')),
    requested_at  DATETIME NOT NULL,
    done_at       DATETIME
);
CREATE INDEX callback_requests_open ON callback_requests (done_at, requested_at);

-- +goose Down
DROP TABLE callback_requests;
DROP TABLE recordings;
DROP TABLE call_legs;
DROP TABLE calls;
DROP TABLE hotline_numbers;
DROP TABLE hotline_queues;
DROP TABLE brand_telephony;
DROP TABLE agent_states;
DROP INDEX users_sip_username;
ALTER TABLE users DROP COLUMN sip_ha1;
ALTER TABLE users DROP COLUMN sip_username;
