-- +goose Up
-- Outbound that keeps its promises (issue 16; docs/outbound.md).
-- An answered call attempt waits here for the agent's disposition before the attempt
-- algorithm decides (NULL: not waiting).
ALTER TABLE contacts ADD COLUMN wrap_up_since DATETIME;

-- The call script a hotline queue's callbacks follow (NULL: the brand's first).
ALTER TABLE hotline_queues ADD COLUMN script_id INTEGER;

-- Callbacks (package callback): a call contact of the dialer promised to a customer, by the
-- hotline (after hours, after the maximum wait, a caller who asked in the queue), by an
-- agent's disposition or by an agent's schedule. Offered to owner_id until grace_until,
-- then to the brand's agents.
CREATE TABLE callbacks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id     INTEGER NOT NULL REFERENCES brands(id),
    contact_id   INTEGER NOT NULL REFERENCES contacts(id),
    source       TEXT NOT NULL CHECK (source IN ('after_hours','max_wait','queue','agent','disposition')),
    call_id      INTEGER REFERENCES calls(id) ON DELETE SET NULL,
    queue_id     INTEGER REFERENCES hotline_queues(id),
    owner_id     INTEGER REFERENCES users(id),
    grace_until  DATETIME,
    phone        TEXT NOT NULL,
    parcel_id    TEXT NOT NULL,
    asked_for    DATETIME,
    note         TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX callbacks_contact ON callbacks (contact_id);
CREATE INDEX callbacks_brand ON callbacks (brand_id, created_at);

-- A hotline's callback request points at the callback that keeps it (NULL: not planned:
-- no brand or no parcel to call about).
ALTER TABLE callback_requests ADD COLUMN callback_id INTEGER; -- callbacks(id); no REFERENCES so that Down can drop it on SQLite

-- +goose Down
ALTER TABLE callback_requests DROP COLUMN callback_id;
DROP TABLE callbacks;
ALTER TABLE hotline_queues DROP COLUMN script_id;
ALTER TABLE contacts DROP COLUMN wrap_up_since;
