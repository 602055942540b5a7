-- +goose Up
-- The agents' case workspace (issue 15): see PostgreSQL's 00015.
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN merged_into INTEGER REFERENCES cases(id);
ALTER TABLE cases ADD COLUMN destination_region TEXT NOT NULL DEFAULT '';
UPDATE cases SET destination_region = COALESCE((SELECT recipient_region FROM parcels WHERE parcels.id = cases.parcel_id), '');
ALTER TABLE cases ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 1;
UPDATE cases SET priority_rank = CASE priority WHEN 'low' THEN 0 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3 ELSE 1 END;

CREATE INDEX cases_view_due ON cases (brand_id, resolution_due, id);
CREATE INDEX cases_view_updated ON cases (brand_id, updated_at, id);
CREATE INDEX cases_view_created ON cases (brand_id, id);
CREATE INDEX cases_view_priority ON cases (brand_id, priority_rank, id);
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE case_resolution_codes (
    brand_id  INTEGER NOT NULL REFERENCES brands(id),
    code      TEXT NOT NULL,
    label     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (brand_id, code)
);

CREATE TABLE case_conversation (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    contact_id  INTEGER NOT NULL REFERENCES contacts(id),
    direction   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    UNIQUE (contact_id)
);
CREATE INDEX case_conversation_case ON case_conversation (case_id, created_at);

-- Macros: a brand's named sets of case actions an agent applies in one click (package macros).
CREATE TABLE case_macros (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id     INTEGER NOT NULL REFERENCES brands(id),
    name         TEXT NOT NULL,
    template_id  INTEGER,
    status       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    assign       TEXT NOT NULL DEFAULT '',
    updated_by   TEXT NOT NULL DEFAULT '',
    updated_at   DATETIME NOT NULL,
    UNIQUE (brand_id, name)
);

-- +goose Down
DROP TABLE case_macros;
DROP TABLE case_conversation;
DROP TABLE case_resolution_codes;
DROP INDEX cases_merged_into;
DROP INDEX cases_view_priority;
DROP INDEX cases_view_created;
DROP INDEX cases_view_updated;
DROP INDEX cases_view_due;
ALTER TABLE cases DROP COLUMN priority_rank;
ALTER TABLE cases DROP COLUMN destination_region;
ALTER TABLE cases DROP COLUMN merged_into;
ALTER TABLE cases DROP COLUMN version;
