-- +goose Up
-- A batch's messages of one topic and brand are written as one row whose payload is the JSON
-- array of its parts (see package outbox): a thousand tracking events cost one outbox row,
-- not a thousand rows, index entries and WAL records. parts = 0 is a row of one message.
ALTER TABLE outbox ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
-- A packed payload is hundreds of kilobytes, written once and read once: stored out of line
-- without compression, which would cost more CPU than the disk it saves.
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTENDED;
ALTER TABLE outbox DROP COLUMN parts;
