-- +goose Up
-- Automated calls (issue 16 section 5; docs/ivr.md): a brand's prompts per language (the text
-- espeak-ng speaks when no recording is uploaded) and the key map of the robocall, and the
-- answer a customer keyed on an automated call.
CREATE TABLE ivr_prompts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    name        TEXT NOT NULL,           -- 'robocall'
    lang        TEXT NOT NULL CHECK (lang IN ('en','ru')),
    text        TEXT NOT NULL DEFAULT '',
    keymap      TEXT NOT NULL DEFAULT '', -- JSON {"confirm":"1","other_days":"2","agent":"0"}; '' = the defaults
    updated_by  TEXT NOT NULL DEFAULT '',
    updated_at  DATETIME NOT NULL,
    UNIQUE (brand_id, name, lang)
);

-- What the customer keyed on an automated call: '' (not an automated call, or nothing keyed),
-- confirm, day:YYYY-MM-DD, agent, none; and the keys as pressed.
ALTER TABLE calls ADD COLUMN ivr_answer TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN ivr_keys TEXT NOT NULL DEFAULT '';

-- Campaign mode 'robocall': the call plays the brand's prompt and collects a key, no agent.
-- SQLite cannot change a CHECK in place: campaigns is rebuilt with its rows, as in 00018.
CREATE TEMP TABLE rule_campaigns_00020 AS SELECT id, campaign_id FROM rules WHERE campaign_id IS NOT NULL;
UPDATE rules SET campaign_id = NULL WHERE campaign_id IS NOT NULL;
CREATE TABLE campaigns_00020 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    name        TEXT NOT NULL,
    script_id   INTEGER REFERENCES call_scripts(id),
    mode        TEXT NOT NULL CHECK (mode IN ('preview','progressive','predictive','robocall')),
    caller_id   TEXT NOT NULL DEFAULT '',
    algorithm   TEXT NOT NULL DEFAULT '', -- '' = the brand's
    windows     TEXT NOT NULL DEFAULT '', -- '' = the brand's
    status      TEXT NOT NULL CHECK (status IN ('draft','running','paused','stopped')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    amd         TEXT NOT NULL DEFAULT 'off' CHECK (amd IN ('off','hangup','voicemail','connect')),
    UNIQUE (brand_id, name)
);
INSERT INTO campaigns_00020 (id, brand_id, name, script_id, mode, caller_id, algorithm, windows, status, created_at, updated_at, amd)
    SELECT id, brand_id, name, script_id, mode, caller_id, algorithm, windows, status, created_at, updated_at, amd FROM campaigns;
DROP TABLE campaigns;
ALTER TABLE campaigns_00020 RENAME TO campaigns;
UPDATE rules SET campaign_id = (SELECT r.campaign_id FROM rule_campaigns_00020 r WHERE r.id = rules.id)
    WHERE id IN (SELECT id FROM rule_campaigns_00020);
DROP TABLE rule_campaigns_00020;

-- A hotline caller who pressed 1 in the queue to be called back (docs/ivr.md, "Press 1").
CREATE TABLE callback_requests_00020 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id       INTEGER REFERENCES calls(id) ON DELETE SET NULL,
    brand_id      INTEGER REFERENCES brands(id),
    parcel_id     TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('after_hours','max_wait','no_agent','queue')),
    requested_at  DATETIME NOT NULL,
    done_at       DATETIME,
    callback_id   INTEGER -- callbacks(id); no REFERENCES so that 00017's Down can drop it
);
INSERT INTO callback_requests_00020 (id, call_id, brand_id, parcel_id, phone, reason, requested_at, done_at, callback_id)
    SELECT id, call_id, brand_id, parcel_id, phone, reason, requested_at, done_at, callback_id FROM callback_requests;
DROP TABLE callback_requests;
ALTER TABLE callback_requests_00020 RENAME TO callback_requests;
CREATE INDEX callback_requests_open ON callback_requests (done_at, requested_at);

-- +goose Down
CREATE TABLE callback_requests_00020 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id       INTEGER REFERENCES calls(id) ON DELETE SET NULL,
    brand_id      INTEGER REFERENCES brands(id),
    parcel_id     TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('after_hours','max_wait','no_agent')),
    requested_at  DATETIME NOT NULL,
    done_at       DATETIME,
    callback_id   INTEGER -- callbacks(id); no REFERENCES so that 00017's Down can drop it
);
INSERT INTO callback_requests_00020 (id, call_id, brand_id, parcel_id, phone, reason, requested_at, done_at, callback_id)
    SELECT id, call_id, brand_id, parcel_id, phone, CASE reason WHEN 'queue' THEN 'max_wait' ELSE reason END, requested_at, done_at, callback_id FROM callback_requests;
DROP TABLE callback_requests;
ALTER TABLE callback_requests_00020 RENAME TO callback_requests;
CREATE INDEX callback_requests_open ON callback_requests (done_at, requested_at);
CREATE TEMP TABLE rule_campaigns_00020 AS SELECT id, campaign_id FROM rules WHERE campaign_id IS NOT NULL;
UPDATE rules SET campaign_id = NULL WHERE campaign_id IS NOT NULL;
CREATE TABLE campaigns_00020 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    name        TEXT NOT NULL,
    script_id   INTEGER REFERENCES call_scripts(id),
    mode        TEXT NOT NULL CHECK (mode IN ('preview','progressive','predictive')),
    caller_id   TEXT NOT NULL DEFAULT '',
    algorithm   TEXT NOT NULL DEFAULT '', -- '' = the brand's
    windows     TEXT NOT NULL DEFAULT '', -- '' = the brand's
    status      TEXT NOT NULL CHECK (status IN ('draft','running','paused','stopped')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    amd         TEXT NOT NULL DEFAULT 'off' CHECK (amd IN ('off','hangup','voicemail','connect')),
    UNIQUE (brand_id, name)
);
INSERT INTO campaigns_00020 (id, brand_id, name, script_id, mode, caller_id, algorithm, windows, status, created_at, updated_at, amd)
    SELECT id, brand_id, name, script_id, CASE mode WHEN 'robocall' THEN 'progressive' ELSE mode END, caller_id, algorithm, windows, status, created_at, updated_at, amd FROM campaigns;
DROP TABLE campaigns;
ALTER TABLE campaigns_00020 RENAME TO campaigns;
UPDATE rules SET campaign_id = (SELECT r.campaign_id FROM rule_campaigns_00020 r WHERE r.id = rules.id)
    WHERE id IN (SELECT id FROM rule_campaigns_00020);
DROP TABLE rule_campaigns_00020;
ALTER TABLE calls DROP COLUMN ivr_keys;
ALTER TABLE calls DROP COLUMN ivr_answer;
DROP TABLE ivr_prompts;
