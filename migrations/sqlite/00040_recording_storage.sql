-- +goose Up
-- Compact storage and retention of call recordings (issue 20 items 4 and 5; packages
-- recordings, recordings/compact, recordings/retention; docs/recordings-storage.md).
--
-- recordings.format is what the file at path holds: 'wav' (16-bit PCM, as recorded) or
-- 'opus' (Opus in Ogg, after recordings/compact converted and verified it). source_path is the
-- WAV a conversion replaced while it still exists: the row names the Opus file first, then the
-- WAV is deleted and source_path cleared, so a crash between the two leaves a WAV that the next
-- pass removes, never a row naming a missing file. wav_size_bytes keeps the recorded size.
-- storage says where path points: 'file' (a file path on this node, as recorded), 'dir' (a key
-- under the data directory's recordings, written by recordings/blob) or 's3' (a key in the
-- object store); key_id names the encryption key of the stored object ('' = not encrypted).
ALTER TABLE recordings ADD COLUMN format TEXT NOT NULL DEFAULT 'wav';
ALTER TABLE recordings ADD COLUMN source_path TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN wav_size_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recordings ADD COLUMN storage TEXT NOT NULL DEFAULT 'file';
ALTER TABLE recordings ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN compacted_at DATETIME;
CREATE INDEX recordings_format ON recordings (format, id);
CREATE INDEX recordings_brand_started ON recordings (brand_id, started_at);

-- Per-brand retention of recordings (recordings/retention). No row, or days 0: kept forever.
CREATE TABLE recording_retention (
    brand_id    INTEGER PRIMARY KEY REFERENCES brands(id),
    days        INTEGER NOT NULL CHECK (days >= 0),
    updated_by  TEXT NOT NULL DEFAULT '',
    updated_at  DATETIME NOT NULL
);

-- Legal holds on cases (recordings/retention): while a hold is not lifted, the recordings of
-- every call linked to the case (call_cases) are kept whatever the retention.
CREATE TABLE recording_holds (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    reason      TEXT NOT NULL,
    set_by      TEXT NOT NULL DEFAULT '',
    set_at      DATETIME NOT NULL,
    lifted_by   TEXT NOT NULL DEFAULT '',
    lifted_at   DATETIME,
    lift_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recording_holds_case ON recording_holds (case_id);
CREATE INDEX recording_holds_brand ON recording_holds (brand_id, set_at);

-- +goose Down
DROP TABLE recording_holds;
DROP TABLE recording_retention;
DROP INDEX recordings_brand_started;
DROP INDEX recordings_format;
ALTER TABLE recordings DROP COLUMN compacted_at;
ALTER TABLE recordings DROP COLUMN key_id;
ALTER TABLE recordings DROP COLUMN storage;
ALTER TABLE recordings DROP COLUMN wav_size_bytes;
ALTER TABLE recordings DROP COLUMN source_path;
ALTER TABLE recordings DROP COLUMN format;
