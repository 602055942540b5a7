-- +goose Up
-- A staff user's own language (en, ru) and time zone (an IANA name, e.g. Asia/Novosibirsk):
-- the pages they see are written for them. Empty is "not set": the browser's language and
-- the deployment's zone apply.
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN lang;
