-- +goose Up
-- The agent's note on a call, written with the disposition in wrap-up (issue 4, the agent
-- desktop).
ALTER TABLE calls ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE calls DROP COLUMN note;
