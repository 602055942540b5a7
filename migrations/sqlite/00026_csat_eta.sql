-- +goose Up
-- Customer ratings (package csat; docs/csat.md): one rating per parcel for its delivery
-- (case_number '') and one per resolved case about it, 1 to 5 with an optional comment,
-- changeable for a while. Each carries what it is credited to, copied when it is given: the
-- brand, the destination country (the partner post that delivered) and region, the origin
-- country, and for a case the agent who resolved it.
CREATE TABLE ratings (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id            INTEGER NOT NULL REFERENCES brands(id),
    parcel_id           TEXT NOT NULL,
    case_number         TEXT NOT NULL DEFAULT '',
    agent_id            INTEGER REFERENCES users(id),
    score               INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment             TEXT NOT NULL DEFAULT '',
    origin_country      TEXT NOT NULL DEFAULT '',
    destination_country TEXT NOT NULL DEFAULT '',
    region              TEXT NOT NULL DEFAULT '',
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE UNIQUE INDEX ratings_parcel ON ratings (parcel_id, case_number);
CREATE INDEX ratings_brand ON ratings (brand_id, updated_at);

-- Expected dates (package eta; docs/expected-dates.md): per lane, service level, destination
-- region and phase, the working days parcels delivered over the last 90 days took from
-- entering the phase to delivery, refreshed by the eta-refresh job. region '' aggregates the
-- whole destination country.
CREATE TABLE eta_lane_stats (
    origin_country      TEXT NOT NULL,
    destination_country TEXT NOT NULL,
    service_level       TEXT NOT NULL,
    region              TEXT NOT NULL,
    phase               TEXT NOT NULL,
    parcels             INTEGER NOT NULL,
    p85_days            INTEGER NOT NULL,
    refreshed_at        DATETIME NOT NULL,
    PRIMARY KEY (origin_country, destination_country, service_level, region, phase)
);

-- Updates on request (package updates): a customer asked the tracking page for SMS or e-mail
-- updates about one parcel, to the number or address on file (on_file, active at once) or to
-- a new one, active once confirmed by the code (SMS) or link (e-mail) whose hash is
-- secret_hash until then.
CREATE TABLE parcel_updates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id      INTEGER NOT NULL REFERENCES brands(id),
    parcel_id     TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('sms','email')),
    address       TEXT NOT NULL,
    on_file       INTEGER NOT NULL,
    language      TEXT NOT NULL DEFAULT '',
    secret_hash   TEXT NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    expires_at    DATETIME,
    created_at    DATETIME NOT NULL,
    confirmed_at  DATETIME
);
CREATE UNIQUE INDEX parcel_updates_address ON parcel_updates (parcel_id, channel, address);

-- +goose Down
DROP TABLE parcel_updates;
DROP TABLE eta_lane_stats;
DROP TABLE ratings;
