-- +goose Up
-- Transfers and conferences (issue 19 item 3; owned by callcenter/transfer): one row per
-- transfer or conference an agent started on a call. kind: blind (the customer goes on at once),
-- attended (the agent consults the target first), conference (the target joins and all talk).
-- The target is one of an agent, a hotline queue or an external number. outcome: '' while the
-- consult rings or talks, then completed, cancelled (the agent took the customer back) or failed
-- (the target did not answer or refused). The contact-center metrics count completed rows.
CREATE TABLE call_transfers (
    id             INTEGER PRIMARY KEY,
    brand_id       INTEGER REFERENCES brands(id),
    call_id        INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('blind','attended','conference')),
    from_agent_id  INTEGER REFERENCES users(id),
    to_agent_id    INTEGER REFERENCES users(id),
    to_queue_id    INTEGER REFERENCES hotline_queues(id),
    to_number      TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('','completed','cancelled','failed')),
    started_at     DATETIME NOT NULL,
    ended_at       DATETIME
);
CREATE INDEX call_transfers_call ON call_transfers (call_id);
CREATE INDEX call_transfers_brand_started ON call_transfers (brand_id, started_at);

-- +goose Down
DROP TABLE call_transfers;
