-- +goose Up
CREATE TABLE brands (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    created_at  DATETIME NOT NULL
);

CREATE TABLE posts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    country     TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key_hash    TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    brand_id    INTEGER REFERENCES brands(id),
    post_id     INTEGER REFERENCES posts(id),
    created_at  DATETIME NOT NULL,
    revoked_at  DATETIME,
    CHECK ((brand_id IS NULL) <> (post_id IS NULL))
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent','supervisor','brand_manager','admin')),
    created_at    DATETIME NOT NULL,
    disabled_at   DATETIME
);

CREATE TABLE user_brands (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    brand_id  INTEGER NOT NULL REFERENCES brands(id),
    PRIMARY KEY (user_id, brand_id)
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE transit_standards (
    brand_id            INTEGER NOT NULL REFERENCES brands(id),
    origin_country      TEXT NOT NULL DEFAULT '',
    destination_country TEXT NOT NULL DEFAULT '',
    service_level       TEXT NOT NULL,
    days                INTEGER NOT NULL CHECK (days > 0),
    PRIMARY KEY (brand_id, origin_country, destination_country, service_level)
);

CREATE TABLE parcels (
    id                   TEXT PRIMARY KEY,
    brand_id             INTEGER NOT NULL REFERENCES brands(id),
    origin_country       TEXT NOT NULL,
    destination_country  TEXT NOT NULL,
    service_level        TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    weight_g             INTEGER NOT NULL,
    cod_minor            INTEGER,
    cod_currency         TEXT NOT NULL DEFAULT '',
    declared_minor       INTEGER,
    declared_currency    TEXT NOT NULL DEFAULT '',
    contents             TEXT NOT NULL DEFAULT '[]',
    sender               TEXT NOT NULL DEFAULT '{}',
    recipient_name       TEXT NOT NULL DEFAULT '',
    recipient_phone      TEXT NOT NULL DEFAULT '',
    recipient_email      TEXT NOT NULL DEFAULT '',
    recipient_address    TEXT NOT NULL DEFAULT '',
    recipient_region     TEXT NOT NULL DEFAULT '',
    recipient_language   TEXT NOT NULL DEFAULT '',
    time_zone            TEXT NOT NULL,
    time_zone_rule       TEXT NOT NULL,
    promised_date        TEXT NOT NULL DEFAULT '',
    phase                TEXT NOT NULL,
    phase_at             DATETIME,
    is_returning         INTEGER NOT NULL DEFAULT 0,
    last_event_at        DATETIME,
    posted_at            DATETIME,
    delivered_at         DATETIME,
    fingerprint          TEXT NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX parcels_brand ON parcels (brand_id, created_at);
CREATE INDEX parcels_phone ON parcels (recipient_phone);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id         TEXT NOT NULL,
    code            TEXT NOT NULL,
    occurred_at     DATETIME NOT NULL,
    office          TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    time_zone       TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL DEFAULT '',
    signature       TEXT NOT NULL DEFAULT '',
    brand_id        INTEGER REFERENCES brands(id),
    claim_brand_id  INTEGER REFERENCES brands(id),
    post_id         INTEGER REFERENCES posts(id),
    received_at     DATETIME NOT NULL,
    updated_at      DATETIME,
    UNIQUE (item_id, code, occurred_at, office)
);

CREATE TABLE event_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    INTEGER NOT NULL REFERENCES events(id),
    changed_at  DATETIME NOT NULL,
    previous    TEXT NOT NULL
);
CREATE INDEX event_history_event ON event_history (event_id);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    topic       TEXT NOT NULL,
    brand_id    INTEGER NOT NULL,
    item_id     TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    txid        INTEGER NOT NULL DEFAULT 0 -- one writer at a time: ids commit in order
);

CREATE TABLE outbox_cursors (
    consumer    TEXT PRIMARY KEY,
    last_txid   INTEGER NOT NULL DEFAULT 0,
    last_id     INTEGER NOT NULL DEFAULT 0,
    updated_at  DATETIME NOT NULL
);

-- +goose Down
DROP TABLE outbox_cursors;
DROP TABLE outbox;
DROP TABLE event_history;
DROP TABLE events;
DROP TABLE parcels;
DROP TABLE transit_standards;
DROP TABLE sessions;
DROP TABLE user_brands;
DROP TABLE users;
DROP TABLE api_keys;
DROP TABLE posts;
DROP TABLE brands;
