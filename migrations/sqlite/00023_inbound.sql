-- +goose Up
-- Customers write back (package inbound): each brand's reply-capable SMS number and inbound
-- e-mail address (unique across brands: the brand is found by the number or address written
-- to) and what happens to a reply on a closed case.
CREATE TABLE inbound_settings (
    brand_id      INTEGER PRIMARY KEY REFERENCES brands(id),
    sms_number    TEXT UNIQUE,
    mail_address  TEXT UNIQUE,
    reopen_days   INTEGER NOT NULL DEFAULT 14,
    ack_subject   TEXT NOT NULL DEFAULT '',
    ack_body      TEXT NOT NULL DEFAULT '',
    updated_at    DATETIME NOT NULL
);

-- Every inbound message and its outcome: on a case, in the review queue, an opt-out, or
-- refused (unknown number or address, malformed). None is dropped without a row.
CREATE TABLE inbound_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id     INTEGER REFERENCES brands(id),
    channel      TEXT NOT NULL CHECK (channel IN ('sms','email')),
    sender       TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    parcel_id    TEXT,
    case_id      INTEGER REFERENCES cases(id),
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    message_id   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
CREATE INDEX inbound_messages_brand ON inbound_messages (brand_id, outcome, id);
CREATE INDEX inbound_messages_case ON inbound_messages (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX inbound_messages_mid ON inbound_messages (message_id) WHERE message_id <> '';
CREATE INDEX inbound_messages_sender ON inbound_messages (sender, created_at);

-- An e-mail from a customer without a thread finds the parcel by its recipient's address
-- (tracking's table; the index serves package inbound's lookup only).
CREATE INDEX parcels_recipient_email ON parcels (brand_id, LOWER(recipient_email)) WHERE recipient_email <> '';

-- Parts of concatenated mobile-originated SMS until the last arrives.
CREATE TABLE inbound_sms_parts (
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    ref         INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    received_at DATETIME NOT NULL,
    PRIMARY KEY (sender, recipient, ref, total, seq)
);
CREATE INDEX inbound_sms_parts_age ON inbound_sms_parts (received_at);

-- +goose Down
DROP INDEX parcels_recipient_email;
DROP TABLE inbound_sms_parts;
DROP TABLE inbound_messages;
DROP TABLE inbound_settings;
