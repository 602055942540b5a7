-- +goose Up
-- Versions of trigger rules (issue 7, the brand managers' editors): every rule saved in the
-- editor keeps what it was, as JSON, so managers see the history, compare and roll back.
-- The rules table stays the rule's current state that the engine reads.
CREATE TABLE rule_versions (
    rule_id     INTEGER NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (rule_id, version)
);

-- +goose Down
DROP TABLE rule_versions;
