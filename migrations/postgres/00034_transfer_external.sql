-- +goose Up
-- Transfers to numbers outside wismo (issue 19 item 3; docs/transfers.md): the leg of the
-- external party a call was transferred to is an 'external' leg, and each brand says whether
-- its staff may transfer calls out through the trunk at all (off until a brand manager or an
-- admin turns it on).
ALTER TABLE call_legs DROP CONSTRAINT call_legs_kind_check;
ALTER TABLE call_legs ADD CONSTRAINT call_legs_kind_check CHECK (kind IN ('customer','agent','external'));

CREATE TABLE brand_transfers (
    brand_id        BIGINT PRIMARY KEY REFERENCES brands(id) ON DELETE CASCADE,
    allow_external  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE brand_transfers;
DELETE FROM call_legs WHERE kind = 'external';
ALTER TABLE call_legs DROP CONSTRAINT call_legs_kind_check;
ALTER TABLE call_legs ADD CONSTRAINT call_legs_kind_check CHECK (kind IN ('customer','agent'));
