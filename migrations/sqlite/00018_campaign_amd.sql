-- +goose Up
-- Answering-machine detection on live campaign calls (issue 16 section 4; docs/amd.md,
-- "In live calls") and the 'predictive' campaign mode (docs/pacing.md: dialled as
-- progressive until live pacing lands).
--
-- SQLite cannot change a CHECK in place: campaigns is rebuilt with its rows. rules.campaign_id
-- references campaigns, so those references are set aside and restored around the rebuild
-- (foreign keys stay on; no row is ever left pointing at nothing).
CREATE TEMP TABLE rule_campaigns_00018 AS SELECT id, campaign_id FROM rules WHERE campaign_id IS NOT NULL;
UPDATE rules SET campaign_id = NULL WHERE campaign_id IS NOT NULL;

CREATE TABLE campaigns_00018 (
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
    -- What an answered call does when the far end is a machine: off (no detection), hangup,
    -- voicemail (leave the brand's voicemail prompt after the beep), connect (to an agent anyway).
    amd         TEXT NOT NULL DEFAULT 'off' CHECK (amd IN ('off','hangup','voicemail','connect')),
    UNIQUE (brand_id, name)
);
INSERT INTO campaigns_00018 (id, brand_id, name, script_id, mode, caller_id, algorithm, windows, status, created_at, updated_at)
    SELECT id, brand_id, name, script_id, mode, caller_id, algorithm, windows, status, created_at, updated_at FROM campaigns;
DROP TABLE campaigns;
ALTER TABLE campaigns_00018 RENAME TO campaigns;

UPDATE rules SET campaign_id = (SELECT r.campaign_id FROM rule_campaigns_00018 r WHERE r.id = rules.id)
    WHERE id IN (SELECT id FROM rule_campaigns_00018);
DROP TABLE rule_campaigns_00018;

-- The detector's decision on an answered campaign call (NULL: not detected).
ALTER TABLE calls ADD COLUMN amd_result TEXT CHECK (amd_result IN ('human','machine','unsure'));
ALTER TABLE calls ADD COLUMN amd_cause TEXT;
ALTER TABLE calls ADD COLUMN amd_ms INTEGER;

-- +goose Down
ALTER TABLE calls DROP COLUMN amd_ms;
ALTER TABLE calls DROP COLUMN amd_cause;
ALTER TABLE calls DROP COLUMN amd_result;

CREATE TEMP TABLE rule_campaigns_00018 AS SELECT id, campaign_id FROM rules WHERE campaign_id IS NOT NULL;
UPDATE rules SET campaign_id = NULL WHERE campaign_id IS NOT NULL;
CREATE TABLE campaigns_00018 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    name        TEXT NOT NULL,
    script_id   INTEGER REFERENCES call_scripts(id),
    mode        TEXT NOT NULL CHECK (mode IN ('preview','progressive')),
    caller_id   TEXT NOT NULL DEFAULT '',
    algorithm   TEXT NOT NULL DEFAULT '', -- '' = the brand's
    windows     TEXT NOT NULL DEFAULT '', -- '' = the brand's
    status      TEXT NOT NULL CHECK (status IN ('draft','running','paused','stopped')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (brand_id, name)
);
INSERT INTO campaigns_00018 (id, brand_id, name, script_id, mode, caller_id, algorithm, windows, status, created_at, updated_at)
    SELECT id, brand_id, name, script_id, CASE mode WHEN 'predictive' THEN 'progressive' ELSE mode END,
        caller_id, algorithm, windows, status, created_at, updated_at FROM campaigns;
DROP TABLE campaigns;
ALTER TABLE campaigns_00018 RENAME TO campaigns;
UPDATE rules SET campaign_id = (SELECT r.campaign_id FROM rule_campaigns_00018 r WHERE r.id = rules.id)
    WHERE id IN (SELECT id FROM rule_campaigns_00018);
DROP TABLE rule_campaigns_00018;
