-- +goose Up
-- Contact-center metrics (issue 19 item 5; see PostgreSQL's 00037): brands' and queues'
-- service-level targets, and the history of agents' states kept by triggers on agent_states.
CREATE TABLE cc_service_levels (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    queue_id    INTEGER REFERENCES hotline_queues(id) ON DELETE CASCADE,
    seconds     INTEGER NOT NULL CHECK (seconds > 0 AND seconds <= 3600),
    target      REAL NOT NULL CHECK (target > 0 AND target <= 1),
    updated_by  TEXT NOT NULL DEFAULT '',
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX cc_service_levels_key ON cc_service_levels (brand_id, COALESCE(queue_id, 0));

CREATE TABLE agent_state_log (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state    TEXT NOT NULL,
    since    DATETIME NOT NULL
);
CREATE INDEX agent_state_log_user_since ON agent_state_log (user_id, since);
CREATE INDEX agent_state_log_since ON agent_state_log (since);

-- +goose StatementBegin
CREATE TRIGGER agent_states_logged_ai AFTER INSERT ON agent_states FOR EACH ROW
BEGIN
    INSERT INTO agent_state_log (user_id, state, since) VALUES (NEW.user_id, NEW.state, NEW.since);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agent_states_logged_au AFTER UPDATE ON agent_states FOR EACH ROW
WHEN OLD.state IS NOT NEW.state OR OLD.since IS NOT NEW.since
BEGIN
    INSERT INTO agent_state_log (user_id, state, since) VALUES (NEW.user_id, NEW.state, NEW.since);
END;
-- +goose StatementEnd

-- Indexes for the metrics' reads of other domains' tables: a call's callback request (the
-- after-hours test of every hotline call), and the customer's repeat contacts by time
-- (first-contact resolution).
CREATE INDEX callback_requests_call ON callback_requests (call_id);
CREATE INDEX inbound_messages_brand_created ON inbound_messages (brand_id, created_at);
CREATE INDEX case_log_kind_at ON case_log (kind, at);

-- +goose Down
DROP TRIGGER agent_states_logged_au;
DROP TRIGGER agent_states_logged_ai;
DROP TABLE agent_state_log;
DROP TABLE cc_service_levels;
DROP INDEX case_log_kind_at;
DROP INDEX inbound_messages_brand_created;
DROP INDEX callback_requests_call;
