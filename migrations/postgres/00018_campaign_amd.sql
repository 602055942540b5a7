-- +goose Up
-- Answering-machine detection on live campaign calls (issue 16 section 4; docs/amd.md,
-- "In live calls") and the 'predictive' campaign mode (docs/pacing.md: dialled as
-- progressive until live pacing lands).
ALTER TABLE campaigns DROP CONSTRAINT campaigns_mode_check;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_mode_check CHECK (mode IN ('preview','progressive','predictive'));
-- What an answered call does when the far end is a machine: off (no detection), hangup,
-- voicemail (leave the brand's voicemail prompt after the beep), connect (to an agent anyway).
ALTER TABLE campaigns ADD COLUMN amd TEXT NOT NULL DEFAULT 'off' CHECK (amd IN ('off','hangup','voicemail','connect'));

-- The detector's decision on an answered campaign call (NULL: not detected).
ALTER TABLE calls ADD COLUMN amd_result TEXT CHECK (amd_result IN ('human','machine','unsure'));
ALTER TABLE calls ADD COLUMN amd_cause TEXT;
ALTER TABLE calls ADD COLUMN amd_ms INTEGER;

-- +goose Down
ALTER TABLE calls DROP COLUMN amd_ms;
ALTER TABLE calls DROP COLUMN amd_cause;
ALTER TABLE calls DROP COLUMN amd_result;
ALTER TABLE campaigns DROP COLUMN amd;
UPDATE campaigns SET mode = 'progressive' WHERE mode = 'predictive';
ALTER TABLE campaigns DROP CONSTRAINT campaigns_mode_check;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_mode_check CHECK (mode IN ('preview','progressive'));
