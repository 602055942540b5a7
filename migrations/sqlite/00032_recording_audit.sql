-- +goose Up
-- Who did what with a call recording (issue 20 item 4; owned by recordings, written through
-- recordings.Service.Audit): every playback, download and export by a person, and every
-- deletion or hold-kept decision of the retention job (user_id NULL: the system). The row
-- outlives the recording it names, so recording_id and call_id carry no foreign key.
CREATE TABLE recording_audit (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER REFERENCES brands(id),
    recording_id  INTEGER NOT NULL,
    call_id       INTEGER NOT NULL DEFAULT 0,
    user_id       INTEGER REFERENCES users(id),
    action        TEXT NOT NULL CHECK (action IN ('play','download','export','delete','keep_hold')),
    detail        TEXT NOT NULL DEFAULT '',
    at            DATETIME NOT NULL
);
CREATE INDEX recording_audit_brand_at ON recording_audit (brand_id, at);
CREATE INDEX recording_audit_recording ON recording_audit (recording_id);

-- +goose Down
DROP TABLE recording_audit;
