-- +goose Up
-- Talk analytics (issue 20 item 1; recordings/talk; docs/talk-analytics.md): one row per
-- analysed call recording, written by the talk-analytics job. error is set when the WAV could
-- not be read, so the job does not retry it on every pass. segments is the JSON of both
-- sides' talk segments; flags is comma-separated (dead_air, agent_talk_share).
CREATE TABLE call_talk (
    recording_id           INTEGER PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
    call_id                INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    brand_id               INTEGER REFERENCES brands(id),
    duration_ms            INTEGER NOT NULL DEFAULT 0,
    customer_talk_ms       INTEGER NOT NULL DEFAULT 0,
    agent_talk_ms          INTEGER NOT NULL DEFAULT 0,
    agent_talk_share       REAL NOT NULL DEFAULT 0,
    overtalk_ms            INTEGER NOT NULL DEFAULT 0,
    silence_ms             INTEGER NOT NULL DEFAULT 0,
    longest_silence_ms     INTEGER NOT NULL DEFAULT 0,
    customer_interruptions INTEGER NOT NULL DEFAULT 0,
    agent_interruptions    INTEGER NOT NULL DEFAULT 0,
    longest_monologue_ms   INTEGER NOT NULL DEFAULT 0,
    monologue_side         TEXT NOT NULL DEFAULT '',
    agent_first_word_ms    INTEGER NOT NULL DEFAULT -1,
    flags                  TEXT NOT NULL DEFAULT '',
    segments               TEXT NOT NULL DEFAULT '',
    error                  TEXT NOT NULL DEFAULT '',
    analyzed_at            DATETIME NOT NULL
);
CREATE INDEX call_talk_call ON call_talk (call_id);

-- +goose Down
DROP TABLE call_talk;
