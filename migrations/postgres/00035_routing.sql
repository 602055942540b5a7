-- +goose Up
-- Routing by language and skill (issue 19 item 2; owned by callcenter/routing, docs/routing.md).
-- agent_routing: what an agent offers one brand: the languages they speak (ISO 639-1 codes,
-- comma-separated, such as "ru,en") and the brand's skill tags (comma-separated, such as
-- "returns,customs"). One row per agent and brand: each brand sets its own view of a shared agent.
CREATE TABLE agent_routing (
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    brand_id    BIGINT NOT NULL REFERENCES brands(id),
    languages   TEXT NOT NULL DEFAULT '',
    skills      TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, brand_id)
);
CREATE INDEX agent_routing_brand ON agent_routing (brand_id);
-- queue_routing: a hotline queue's skill (empty: none), how long a caller waits for an agent who
-- speaks their language before anyone of the brand is offered the call, and how often the
-- caller hears their position and expected wait.
CREATE TABLE queue_routing (
    queue_id          BIGINT PRIMARY KEY REFERENCES hotline_queues(id) ON DELETE CASCADE,
    brand_id          BIGINT REFERENCES brands(id),
    skill             TEXT NOT NULL DEFAULT '',
    fallback_seconds  INTEGER NOT NULL DEFAULT 30 CHECK (fallback_seconds >= 0),
    announce_seconds  INTEGER NOT NULL DEFAULT 40 CHECK (announce_seconds >= 0),
    updated_at        TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE queue_routing;
DROP TABLE agent_routing;
