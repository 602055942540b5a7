-- +goose Up
-- The customer's choice of a delivery day (package deliverydays; docs/delivery-days.md):
-- one row per choice, numbered per parcel (seq), the newest being the one in force. A
-- confirmation of the planned day is a choice with planned = 1 and no case; another day
-- opens a delivery_change case (case_id, 0 while it is being opened: opening_until is the
-- claim of the request that opens it).
CREATE TABLE parcel_choices (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id       INTEGER NOT NULL REFERENCES brands(id),
    parcel_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    day            TEXT NOT NULL,
    planned        INTEGER NOT NULL DEFAULT 0,
    via            TEXT NOT NULL CHECK (via IN ('web','phone','robocall','agent')),
    call_id        INTEGER NOT NULL DEFAULT 0,
    chosen_by      TEXT NOT NULL DEFAULT '',
    case_id        INTEGER NOT NULL DEFAULT 0,
    case_number    TEXT NOT NULL DEFAULT '',
    opening_until  DATETIME,
    created_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX parcel_choices_seq ON parcel_choices (brand_id, parcel_id, seq);

-- +goose Down
DROP TABLE parcel_choices;
