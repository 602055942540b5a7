-- +goose Up
-- Supervisors on live calls (issue 19 item 4; owned by callcenter/monitor): one row per
-- monitoring session, who (user_id) on which call and when; modes is every mode the session
-- was in, in order, as a JSON array of {"mode": "listen|whisper|barge", "at": RFC 3339};
-- mode is the last. ended_at NULL: still on the call (or the process died mid-session).
CREATE TABLE monitor_sessions (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER REFERENCES brands(id),
    call_id     INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    mode        TEXT NOT NULL CHECK (mode IN ('listen','whisper','barge')),
    modes       TEXT NOT NULL DEFAULT '[]',
    started_at  DATETIME NOT NULL,
    ended_at    DATETIME
);
CREATE INDEX monitor_sessions_call ON monitor_sessions (call_id);
CREATE INDEX monitor_sessions_brand_started ON monitor_sessions (brand_id, started_at);

-- +goose Down
DROP TABLE monitor_sessions;
