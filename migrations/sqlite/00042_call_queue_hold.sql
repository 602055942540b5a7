-- +goose Up
-- Contact-center metrics (docs/contact-center-metrics.md): when a hotline caller entered the
-- queue (after the self-service menu; NULL for a call never queued) and how long the customer
-- was on hold in all (the desk's hold, a transfer's consult), in milliseconds.
ALTER TABLE calls ADD COLUMN queued_at DATETIME;
ALTER TABLE calls ADD COLUMN hold_ms INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE calls DROP COLUMN hold_ms;
ALTER TABLE calls DROP COLUMN queued_at;
