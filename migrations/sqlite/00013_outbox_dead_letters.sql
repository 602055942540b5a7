-- +goose Up
-- Poison messages: see PostgreSQL's 00013 and package outbox.
ALTER TABLE outbox_cursors ADD COLUMN last_part INTEGER NOT NULL DEFAULT -1;

CREATE TABLE outbox_attempts (
    consumer    TEXT PRIMARY KEY,
    at_txid     TEXT NOT NULL DEFAULT '0',
    at_id       INTEGER NOT NULL DEFAULT 0,
    at_part     INTEGER NOT NULL DEFAULT -1,
    token       TEXT NOT NULL DEFAULT '',
    owner       TEXT NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    letter_id   INTEGER NOT NULL DEFAULT 0,
    suspect     INTEGER NOT NULL DEFAULT 0,
    failures    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    since       DATETIME,
    last_at     DATETIME,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE outbox_dead_letters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    consumer        TEXT NOT NULL,
    message_id      INTEGER NOT NULL,
    part            INTEGER NOT NULL,
    topic           TEXT NOT NULL,
    brand_id        INTEGER NOT NULL,
    item_id         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      DATETIME NOT NULL,
    error           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    first_failed_at DATETIME NOT NULL,
    last_failed_at  DATETIME NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('dead', 'retry', 'resolved', 'discarded')),
    updated_at      DATETIME NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (consumer, message_id, part)
);
CREATE INDEX outbox_dead_letters_status ON outbox_dead_letters (consumer, status, id);

-- +goose Down
DROP TABLE outbox_dead_letters;
DROP TABLE outbox_attempts;
ALTER TABLE outbox_cursors DROP COLUMN last_part;
