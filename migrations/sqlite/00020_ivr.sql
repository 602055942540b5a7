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

-- +goose Down
ALTER TABLE calls DROP COLUMN ivr_keys;
ALTER TABLE calls DROP COLUMN ivr_answer;
DROP TABLE ivr_prompts;
