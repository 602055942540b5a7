-- +goose Up
-- The hotline's self-service (issue 19 item 1; docs/ivr.md "Self-service on the hotline"): how a
-- hotline call that went through it ended, for the contact-center metrics' deflection.
--   ''          the caller never heard a parcel's status (no self-service, or nothing found)
--   'deflected' resolved by self-service: the call ended there, without the queue (the call's
--               outcome is 'answered', its disposition 'self_service', agent_id NULL)
--   'queue'     heard the status, went on to the queue, reached no agent
--   'agent'     heard the status, then talked to an agent
ALTER TABLE calls ADD COLUMN self_service TEXT NOT NULL DEFAULT ''
    CHECK (self_service IN ('', 'deflected', 'queue', 'agent'));
CREATE INDEX calls_self_service ON calls (brand_id, started_at) WHERE self_service <> '';

-- +goose Down
DROP INDEX calls_self_service;
ALTER TABLE calls DROP COLUMN self_service;
