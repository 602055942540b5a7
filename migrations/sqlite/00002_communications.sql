-- +goose Up
-- Brand communications (issue 5): templates, call scripts and trigger rules (package scripts);
-- campaigns, planned contacts with every try and receipt, opt-outs and scheduler instances
-- (package dialer). JSON documents are TEXT on both dialects.

-- One row per brand once its standard flow is installed; windows and algorithm are JSON
-- ('{}' = wismo's defaults).
CREATE TABLE comms_settings (
    brand_id          INTEGER PRIMARY KEY REFERENCES brands(id),
    windows           TEXT NOT NULL DEFAULT '{}',
    algorithm         TEXT NOT NULL DEFAULT '{}',
    fresh_limit_s     INTEGER NOT NULL DEFAULT 86400 CHECK (fresh_limit_s > 0),
    default_language  TEXT NOT NULL DEFAULT 'en',
    standard_flow_at  DATETIME,
    updated_at        DATETIME NOT NULL
);

CREATE TABLE templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    name        TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('sms','email')),
    language    TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0, -- the published version
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (brand_id, name, channel, language)
);

-- Versions are immutable: publishing adds one.
CREATE TABLE template_versions (
    template_id INTEGER NOT NULL REFERENCES templates(id),
    version     INTEGER NOT NULL,
    sms_text    TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    text_body   TEXT NOT NULL DEFAULT '',
    html_body   TEXT NOT NULL DEFAULT '',
    author      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (template_id, version)
);

CREATE TABLE call_scripts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (brand_id, name)
);

CREATE TABLE call_script_versions (
    script_id   INTEGER NOT NULL REFERENCES call_scripts(id),
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (script_id, version)
);

CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    name        TEXT NOT NULL,
    script_id   INTEGER REFERENCES call_scripts(id),
    mode        TEXT NOT NULL CHECK (mode IN ('preview','progressive')),
    caller_id   TEXT NOT NULL DEFAULT '',
    algorithm   TEXT NOT NULL DEFAULT '', -- '' = the brand's
    windows     TEXT NOT NULL DEFAULT '', -- '' = the brand's
    status      TEXT NOT NULL CHECK (status IN ('draft','running','paused','stopped')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (brand_id, name)
);

CREATE TABLE rules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id      INTEGER NOT NULL REFERENCES brands(id),
    name          TEXT NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1,
    position      INTEGER NOT NULL DEFAULT 0,
    trigger_kind  TEXT NOT NULL,
    codes         TEXT NOT NULL DEFAULT '',
    condition     TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL CHECK (action IN ('sms','email','call','open_case')),
    template      TEXT NOT NULL DEFAULT '',
    campaign_id   INTEGER REFERENCES campaigns(id),
    case_type     TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    delay_s       INTEGER NOT NULL DEFAULT 0 CHECK (delay_s >= 0),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (brand_id, name)
);
CREATE INDEX rules_brand ON rules (brand_id, position);

-- A contact is one SMS, one email, or one call sequence (its attempts are tries).
CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id          INTEGER NOT NULL REFERENCES brands(id),
    parcel_id         TEXT NOT NULL REFERENCES parcels(id),
    channel           TEXT NOT NULL CHECK (channel IN ('sms','email','call')),
    status            TEXT NOT NULL,
    rule_id           INTEGER,
    trigger_ref       TEXT NOT NULL DEFAULT '',
    campaign_id       INTEGER,
    template_id       INTEGER,
    template_version  INTEGER,
    script_id         INTEGER,
    script_version    INTEGER,
    recipient         TEXT NOT NULL,
    time_zone         TEXT NOT NULL,
    language          TEXT NOT NULL DEFAULT '',
    subject           TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    html              TEXT NOT NULL DEFAULT '',
    encoding          TEXT NOT NULL DEFAULT '',
    parts             INTEGER NOT NULL DEFAULT 0,
    not_before        DATETIME NOT NULL,
    due_at            DATETIME NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    claimed_by        TEXT NOT NULL DEFAULT '',
    claimed_at        DATETIME,
    provider          TEXT NOT NULL DEFAULT '',
    provider_id       TEXT NOT NULL DEFAULT '',
    outcome           TEXT NOT NULL DEFAULT '',
    disposition       TEXT NOT NULL DEFAULT '',
    detail            TEXT NOT NULL DEFAULT '',
    unsubscribe_token TEXT,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL,
    done_at           DATETIME
);
CREATE UNIQUE INDEX contacts_trigger ON contacts (rule_id, trigger_ref) WHERE rule_id IS NOT NULL;
CREATE INDEX contacts_due ON contacts (channel, due_at) WHERE status = 'planned';
CREATE INDEX contacts_inflight ON contacts (claimed_by) WHERE status IN ('sending','calling');
CREATE INDEX contacts_parcel ON contacts (parcel_id, id);
CREATE INDEX contacts_recipient ON contacts (recipient, channel, created_at);
CREATE INDEX contacts_campaign ON contacts (campaign_id, status) WHERE campaign_id IS NOT NULL;
CREATE INDEX contacts_review ON contacts (brand_id, status, updated_at);
CREATE UNIQUE INDEX contacts_unsubscribe ON contacts (unsubscribe_token) WHERE unsubscribe_token IS NOT NULL;

-- Every step of a contact: planned, suppressed, sending, sent, failed, unknown, retry,
-- receipt, calling, outcome, replanned, cancelled, resolved.
CREATE TABLE contact_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id),
    at           DATETIME NOT NULL,
    try          INTEGER NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    provider_id  TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contact_log_contact ON contact_log (contact_id, id);

-- The provider's ids of each sent part, so that receipts find their contact.
CREATE TABLE provider_messages (
    provider    TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id),
    part        INTEGER NOT NULL DEFAULT 1,
    state       TEXT NOT NULL DEFAULT 'sent',
    PRIMARY KEY (provider, message_id)
);
CREATE INDEX provider_messages_contact ON provider_messages (contact_id);

-- Delivery receipts as they arrive; applied to their contact when its ids are known.
CREATE TABLE receipts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    provider     TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    state        TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    received_at  DATETIME NOT NULL,
    applied_at   DATETIME
);
CREATE INDEX receipts_pending ON receipts (provider, message_id) WHERE applied_at IS NULL;

CREATE TABLE opt_outs (
    brand_id    INTEGER NOT NULL REFERENCES brands(id),
    channel     TEXT NOT NULL CHECK (channel IN ('sms','email','call')),
    address     TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (brand_id, channel, address)
);

-- Running scheduler instances; on PostgreSQL each holds an advisory lock on lock_key for as
-- long as it lives, so a free lock means a dead instance.
CREATE TABLE dialer_instances (
    id          TEXT PRIMARY KEY,
    lock_key    INTEGER NOT NULL,
    host        TEXT NOT NULL DEFAULT '',
    started_at  DATETIME NOT NULL
);

-- "open a case" actions of rules, done outside the rule's transaction by a job.
CREATE TABLE rule_case_requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id     INTEGER NOT NULL REFERENCES brands(id),
    parcel_id    TEXT NOT NULL,
    rule_id      INTEGER NOT NULL,
    trigger_ref  TEXT NOT NULL,
    case_type    TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('pending','opening','opened','failed')),
    case_number  TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (rule_id, trigger_ref)
);
CREATE INDEX rule_case_requests_pending ON rule_case_requests (status) WHERE status = 'pending';

-- +goose Down
DROP TABLE rule_case_requests;
DROP TABLE dialer_instances;
DROP TABLE opt_outs;
DROP TABLE receipts;
DROP TABLE provider_messages;
DROP TABLE contact_log;
DROP TABLE contacts;
DROP TABLE rules;
DROP TABLE campaigns;
DROP TABLE call_script_versions;
DROP TABLE call_scripts;
DROP TABLE template_versions;
DROP TABLE templates;
DROP TABLE comms_settings;
