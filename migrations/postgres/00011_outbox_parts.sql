-- +goose Up
-- A batch's messages of one topic and brand are written as one row whose payload is the JSON
-- array of its parts (see package outbox): a thousand tracking events cost one outbox row,
-- not a thousand rows, index entries and WAL records. parts = 0 is a row of one message.
ALTER TABLE outbox ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
-- Payloads are written by wismo and read back as text, never queried in SQL: text skips
-- json's validating parse (2-3 ms for a packed row of 1000 tracking events). A packed
-- payload is hundreds of kilobytes, written once and read once: stored out of line without
-- compression, which would cost more CPU than the disk it saves.
ALTER TABLE outbox ALTER COLUMN payload TYPE TEXT;
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTENDED;
ALTER TABLE outbox ALTER COLUMN payload TYPE JSON USING payload::json;
ALTER TABLE outbox DROP COLUMN parts;
