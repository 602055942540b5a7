-- +goose Up
-- Quality of calls (issue 20 items 1 and 2; docs/quality-reviews.md, docs/talk-analytics.md).
--
-- talk_thresholds (owned by recordings/talk): a brand's limits for the talk flags; a brand
-- without a row uses the defaults (dead air over 20 s, agent talk share over 80%).
CREATE TABLE talk_thresholds (
    brand_id     INTEGER PRIMARY KEY REFERENCES brands(id),
    dead_air_ms  INTEGER NOT NULL CHECK (dead_air_ms > 0),
    agent_share  REAL NOT NULL CHECK (agent_share > 0 AND agent_share <= 1),
    updated_at   DATETIME NOT NULL
);

-- The rest is owned by recordings/review. A scorecard row is frozen once a review uses it:
-- a change then makes a new row (version + 1, same family) and retires the old one, so old
-- reviews keep the criteria and weights they were scored on. criteria is JSON
-- [{"name", "weight"}]; a review's scores are JSON [0-5, ...] in the same order.
CREATE TABLE scorecards (
    id          INTEGER PRIMARY KEY,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    family      INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    name        TEXT NOT NULL,
    criteria    TEXT NOT NULL,
    pass_mark   REAL NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  DATETIME NOT NULL
);
CREATE INDEX scorecards_brand ON scorecards (brand_id, active);

-- How many calls of each agent the weekly sample queues (review-sampling job).
CREATE TABLE review_settings (
    brand_id         INTEGER PRIMARY KEY REFERENCES brands(id),
    sample_per_week  INTEGER NOT NULL CHECK (sample_per_week >= 0 AND sample_per_week <= 50),
    updated_at       DATETIME NOT NULL
);

-- One review per call: queued by the weekly sample (week set) or opened by a supervisor,
-- done once scored. The unique call makes the sample idempotent.
CREATE TABLE call_reviews (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER NOT NULL REFERENCES brands(id),
    call_id       INTEGER NOT NULL UNIQUE REFERENCES calls(id) ON DELETE CASCADE,
    agent_id      INTEGER REFERENCES users(id),
    queue_id      INTEGER,
    week          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('queued','done')),
    scorecard_id  INTEGER REFERENCES scorecards(id),
    reviewer_id   INTEGER REFERENCES users(id),
    scores        TEXT NOT NULL DEFAULT '',
    comment       TEXT NOT NULL DEFAULT '',
    total         REAL NOT NULL DEFAULT 0,
    passed        BOOLEAN NOT NULL DEFAULT FALSE,
    queued_at     DATETIME NOT NULL,
    reviewed_at   DATETIME
);
CREATE INDEX call_reviews_brand_status ON call_reviews (brand_id, status);
CREATE INDEX call_reviews_agent ON call_reviews (agent_id, reviewed_at);

-- +goose Down
DROP TABLE call_reviews;
DROP TABLE review_settings;
DROP TABLE scorecards;
DROP TABLE talk_thresholds;
