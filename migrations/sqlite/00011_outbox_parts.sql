-- +goose Up
-- A batch's messages of one topic and brand are written as one row whose payload is the JSON
-- array of its parts (see package outbox and PostgreSQL's 00011). parts = 0 is a row of one
-- message.
ALTER TABLE outbox ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE outbox DROP COLUMN parts;
