-- +goose Up
-- Duties at import customs (issue 18; tracking/duties.go; docs/ingest.md): the amount a
-- customs event (EDB, EME) says the recipient must pay, and where to pay it (https only), as
-- the post sent it. Keyed by the event's identity (item_id, code, occurred_at, office), so the
-- events table and its bulk insert stay as they are; read only through the event, attached to
-- the reader's brand. A resent event with other duties replaces them.
CREATE TABLE customs_duties (
    item_id      TEXT NOT NULL,
    code         TEXT NOT NULL,
    occurred_at  DATETIME NOT NULL,
    office       TEXT NOT NULL DEFAULT '',
    amount_minor INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    pay_url      TEXT NOT NULL DEFAULT '',
    updated_at   DATETIME NOT NULL,
    PRIMARY KEY (item_id, code, occurred_at, office)
);

-- +goose Down
DROP TABLE customs_duties;
