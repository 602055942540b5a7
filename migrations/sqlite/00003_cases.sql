-- +goose Up
-- Cases: a customer's query about parcels, with SLA timers, a log of who did what, notes,
-- attachments and escalations to partner posts; and the embedded search index.

-- Case numbers are per brand: PREFIX-000123.
CREATE TABLE case_counters (
    brand_id     INTEGER PRIMARY KEY REFERENCES brands(id),
    prefix       TEXT NOT NULL,
    last_number  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE cases (
    id                          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id                    INTEGER NOT NULL REFERENCES brands(id),
    number                      TEXT NOT NULL,
    seq                         INTEGER NOT NULL,
    parcel_id                   TEXT NOT NULL,
    type                        TEXT NOT NULL,
    priority                    TEXT NOT NULL,
    status                      TEXT NOT NULL,
    source                      TEXT NOT NULL,
    subject                     TEXT NOT NULL DEFAULT '',
    origin_country              TEXT NOT NULL DEFAULT '',
    destination_country         TEXT NOT NULL DEFAULT '',
    contact_name                TEXT NOT NULL DEFAULT '',
    contact_phone               TEXT NOT NULL DEFAULT '',
    contact_email               TEXT NOT NULL DEFAULT '',
    assignee_id                 INTEGER REFERENCES users(id),
    queue                       TEXT NOT NULL DEFAULT '',
    resolution_code             TEXT NOT NULL DEFAULT '',
    created_by                  TEXT NOT NULL DEFAULT '',
    created_at                  DATETIME NOT NULL,
    updated_at                  DATETIME NOT NULL,
    first_response_at           DATETIME,
    resolved_at                 DATETIME,
    closed_at                   DATETIME,
    first_response_due          DATETIME,
    resolution_due              DATETIME,
    sla_paused_at               DATETIME,
    first_response_breached_at  DATETIME,
    resolution_breached_at      DATETIME,
    UNIQUE (brand_id, number)
);
CREATE INDEX cases_list ON cases (brand_id, status, updated_at);
CREATE INDEX cases_number ON cases (number);
CREATE INDEX cases_seq ON cases (seq);
CREATE INDEX cases_assignee ON cases (assignee_id, status);
CREATE INDEX cases_first_response_due ON cases (first_response_due)
    WHERE first_response_at IS NULL AND first_response_breached_at IS NULL;
CREATE INDEX cases_resolution_due ON cases (resolution_due)
    WHERE resolved_at IS NULL AND resolution_breached_at IS NULL;

CREATE TABLE case_parcels (
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    parcel_id  TEXT NOT NULL,
    PRIMARY KEY (case_id, parcel_id)
);
CREATE INDEX case_parcels_parcel ON case_parcels (parcel_id);

-- Who did what: creation, status changes, assignment, notes, attachments, escalations.
CREATE TABLE case_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at       DATETIME NOT NULL,
    kind     TEXT NOT NULL,
    actor    TEXT NOT NULL DEFAULT '',
    summary  TEXT NOT NULL DEFAULT '',
    data     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_log_case ON case_log (case_id, at);

-- Attachments live in the database: web nodes stay stateless over a shared database.
CREATE TABLE case_attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    data          BLOB NOT NULL,
    actor         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id);

-- A brand's business hours (JSON: weekday -> [["09:00","18:00"]]) and holidays (JSON list
-- of YYYY-MM-DD), in its time zone; SLA targets per case type ('' is the brand's default).
CREATE TABLE business_calendars (
    brand_id             INTEGER PRIMARY KEY REFERENCES brands(id),
    time_zone            TEXT NOT NULL,
    hours                TEXT NOT NULL,
    holidays             TEXT NOT NULL DEFAULT '[]',
    near_breach_percent  INTEGER NOT NULL DEFAULT 20,
    updated_at           DATETIME NOT NULL
);

CREATE TABLE sla_policies (
    brand_id                INTEGER NOT NULL REFERENCES brands(id),
    case_type               TEXT NOT NULL,
    first_response_minutes  INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes      INTEGER NOT NULL CHECK (resolution_minutes > 0),
    PRIMARY KEY (brand_id, case_type)
);

-- Where a partner post receives escalations.
CREATE TABLE post_webhooks (
    post_id     INTEGER PRIMARY KEY REFERENCES posts(id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE escalations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id          INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    post_id          INTEGER NOT NULL REFERENCES posts(id),
    country          TEXT NOT NULL,
    message          TEXT NOT NULL DEFAULT '',
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME,
    lease_until      DATETIME,
    actor            TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    delivered_at     DATETIME,
    answered_at      DATETIME,
    answer           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX escalations_case ON escalations (case_id);
CREATE INDEX escalations_due ON escalations (next_attempt_at) WHERE state = 'pending';

-- Every delivery attempt of an escalation webhook.
CREATE TABLE webhook_attempts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    escalation_id  INTEGER NOT NULL REFERENCES escalations(id) ON DELETE CASCADE,
    attempt        INTEGER NOT NULL,
    at             DATETIME NOT NULL,
    url            TEXT NOT NULL,
    status_code    INTEGER NOT NULL DEFAULT 0,
    error          TEXT NOT NULL DEFAULT '',
    duration_ms    INTEGER NOT NULL DEFAULT 0,
    response       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_escalation ON webhook_attempts (escalation_id, attempt);

-- The embedded search index: one document per parcel and per case, written by triggers in
-- the same transaction as the parcel or case. name_key is the folded name and its Latin
-- skeleton, computed by wismo_search_key: a Go function that package cases registers with
-- the SQLite driver (cases/searchkey.go defines the key), so a program writing parcels
-- without it fails with "no such function". code is the S10 id or the case number. FTS5
-- indexes the names (unicode61) and the codes (trigram, for partial ids).
CREATE TABLE search_docs (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                 TEXT NOT NULL,
    ref                  TEXT NOT NULL,
    brand_id             INTEGER NOT NULL,
    origin_country       TEXT NOT NULL DEFAULT '',
    destination_country  TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL DEFAULT '',
    name_key             TEXT NOT NULL DEFAULT '',
    code                 TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, ref)
);
CREATE INDEX search_docs_phone ON search_docs (phone) WHERE phone <> '';
CREATE INDEX search_docs_email ON search_docs (email) WHERE email <> '';

-- prefix='2 3 4' keeps ready doclists for short word starts ("петр*"), which otherwise expand
-- to every word with that start.
CREATE VIRTUAL TABLE search_names USING fts5(name_key, content='', contentless_delete=1,
    tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');
CREATE VIRTUAL TABLE search_codes USING fts5(code, content='search_docs', content_rowid='id',
    tokenize='trigram');

-- +goose StatementBegin
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_names (rowid, name_key) VALUES (new.id, new.name_key);
    INSERT INTO search_codes (rowid, code) VALUES (new.id, new.code);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    DELETE FROM search_names WHERE rowid = old.id;
    INSERT INTO search_codes (search_codes, rowid, code) VALUES ('delete', old.id, old.code);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    DELETE FROM search_names WHERE rowid = old.id;
    INSERT INTO search_names (rowid, name_key) VALUES (new.id, new.name_key);
    INSERT INTO search_codes (search_codes, rowid, code) VALUES ('delete', old.id, old.code);
    INSERT INTO search_codes (rowid, code) VALUES (new.id, new.code);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parcels_search_ai AFTER INSERT ON parcels BEGIN
    INSERT INTO search_docs (kind, ref, brand_id, origin_country, destination_country, phone, email, name_key, code)
    VALUES ('parcel', new.id, new.brand_id, new.origin_country, new.destination_country, new.recipient_phone,
        new.recipient_email, wismo_search_key(new.recipient_name), new.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER parcels_search_au AFTER UPDATE OF brand_id, origin_country, destination_country, recipient_name,
    recipient_phone, recipient_email ON parcels
WHEN old.brand_id IS NOT new.brand_id OR old.origin_country IS NOT new.origin_country
    OR old.destination_country IS NOT new.destination_country OR old.recipient_name IS NOT new.recipient_name
    OR old.recipient_phone IS NOT new.recipient_phone OR old.recipient_email IS NOT new.recipient_email
BEGIN
    UPDATE search_docs SET brand_id = new.brand_id, origin_country = new.origin_country,
        destination_country = new.destination_country, phone = new.recipient_phone, email = new.recipient_email,
        name_key = wismo_search_key(new.recipient_name)
    WHERE kind = 'parcel' AND ref = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cases_search_ai AFTER INSERT ON cases BEGIN
    INSERT INTO search_docs (kind, ref, brand_id, origin_country, destination_country, phone, email, name_key, code)
    VALUES ('case', CAST(new.id AS TEXT), new.brand_id, new.origin_country, new.destination_country, new.contact_phone,
        new.contact_email, wismo_search_key(new.contact_name), new.number);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER cases_search_au AFTER UPDATE OF contact_name, contact_phone, contact_email ON cases
WHEN old.contact_name IS NOT new.contact_name OR old.contact_phone IS NOT new.contact_phone
    OR old.contact_email IS NOT new.contact_email
BEGIN
    UPDATE search_docs SET phone = new.contact_phone, email = new.contact_email,
        name_key = wismo_search_key(new.contact_name)
    WHERE kind = 'case' AND ref = CAST(new.id AS TEXT);
END;
-- +goose StatementEnd

-- Parcels stored before this migration, keyed by the same function in plain SQL (generated
-- by cases/searchkey.go: one replace() per character, slow, but it runs once and needs no
-- registered function, so any program can migrate).
INSERT INTO search_docs (kind, ref, brand_id, origin_country, destination_country, phone, email, name_key, code)
SELECT 'parcel', id, brand_id, origin_country, destination_country, recipient_phone, recipient_email,
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(recipient_name),'А','а'),'Б','б'),'В','в'),'Г','г'),'Д','д'),'Е','е'),'Ё','е'),'Ж','ж'),'З','з'),'И','и'),'Й','й'),'К','к'),'Л','л'),'М','м'),'Н','н'),'О','о'),'П','п'),'Р','р'),'С','с'),'Т','т'),'У','у'),'Ф','ф'),'Х','х'),'Ц','ц'),'Ч','ч'),'Ш','ш'),'Щ','щ'),'Ъ','ъ'),'Ы','ы'),'Ь','ь'),'Э','э'),'Ю','ю'),'Я','я'),'І','і'),'Ї','ї'),'Є','є'),'Ґ','ґ'),'Ў','ў'),'Ә','ә'),'Ғ','ғ'),'Қ','қ'),'Ң','ң'),'Ө','ө'),'Ұ','ұ'),'Ү','ү'),'Һ','һ'),'ё','е'),'à','a'),'á','a'),'â','a'),'ã','a'),'ä','a'),'å','a'),'ā','a'),'ă','a'),'ą','a'),'À','a'),'Á','a'),'Â','a'),'Ã','a'),'Ä','a'),'Å','a'),'Ā','a'),'Ă','a'),'Ą','a'),'ç','c'),'ć','c'),'č','c'),'ĉ','c'),'ċ','c'),'Ç','c'),'Ć','c'),'Č','c'),'Ĉ','c'),'Ċ','c'),'ď','d'),'đ','d'),'Ď','d'),'Đ','d'),'è','e'),'é','e'),'ê','e'),'ë','e'),'ē','e'),'ĕ','e'),'ė','e'),'ę','e'),'ě','e'),'È','e'),'É','e'),'Ê','e'),'Ë','e'),'Ē','e'),'Ĕ','e'),'Ė','e'),'Ę','e'),'Ě','e'),'ğ','g'),'ĝ','g'),'ġ','g'),'ģ','g'),'Ğ','g'),'Ĝ','g'),'Ġ','g'),'Ģ','g'),'ì','i'),'í','i'),'î','i'),'ï','i'),'ī','i'),'ĭ','i'),'į','i'),'ı','i'),'Ì','i'),'Í','i'),'Î','i'),'Ï','i'),'Ī','i'),'Ĭ','i'),'Į','i'),'İ','i'),'ł','l'),'ľ','l'),'ĺ','l'),'ļ','l'),'Ł','l'),'Ľ','l'),'Ĺ','l'),'Ļ','l'),'ñ','n'),'ń','n'),'ň','n'),'ņ','n'),'Ñ','n'),'Ń','n'),'Ň','n'),'Ņ','n'),'ò','o'),'ó','o'),'ô','o'),'õ','o'),'ö','o'),'ø','o'),'ō','o'),'ŏ','o'),'ő','o'),'Ò','o'),'Ó','o'),'Ô','o'),'Õ','o'),'Ö','o'),'Ø','o'),'Ō','o'),'Ŏ','o'),'Ő','o'),'ř','r'),'ŕ','r'),'ŗ','r'),'Ř','r'),'Ŕ','r'),'Ŗ','r'),'ś','s'),'š','s'),'ş','s'),'ŝ','s'),'ș','s'),'Ś','s'),'Š','s'),'Ş','s'),'Ŝ','s'),'Ș','s'),'ť','t'),'ţ','t'),'ț','t'),'Ť','t'),'Ţ','t'),'Ț','t'),'ù','u'),'ú','u'),'û','u'),'ü','u'),'ū','u'),'ŭ','u'),'ů','u'),'ű','u'),'ų','u'),'Ù','u'),'Ú','u'),'Û','u'),'Ü','u'),'Ū','u'),'Ŭ','u'),'Ů','u'),'Ű','u'),'Ų','u'),'ý','y'),'ÿ','y'),'ŷ','y'),'Ý','y'),'Ÿ','y'),'Ŷ','y'),'ź','z'),'ž','z'),'ż','z'),'Ź','z'),'Ž','z'),'Ż','z'),'ß','ss'),'æ','ae'),'Æ','ae'),'œ','oe'),'Œ','oe') || ' ' || replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(recipient_name),'А','а'),'Б','б'),'В','в'),'Г','г'),'Д','д'),'Е','е'),'Ё','е'),'Ж','ж'),'З','з'),'И','и'),'Й','й'),'К','к'),'Л','л'),'М','м'),'Н','н'),'О','о'),'П','п'),'Р','р'),'С','с'),'Т','т'),'У','у'),'Ф','ф'),'Х','х'),'Ц','ц'),'Ч','ч'),'Ш','ш'),'Щ','щ'),'Ъ','ъ'),'Ы','ы'),'Ь','ь'),'Э','э'),'Ю','ю'),'Я','я'),'І','і'),'Ї','ї'),'Є','є'),'Ґ','ґ'),'Ў','ў'),'Ә','ә'),'Ғ','ғ'),'Қ','қ'),'Ң','ң'),'Ө','ө'),'Ұ','ұ'),'Ү','ү'),'Һ','һ'),'ё','е'),'à','a'),'á','a'),'â','a'),'ã','a'),'ä','a'),'å','a'),'ā','a'),'ă','a'),'ą','a'),'À','a'),'Á','a'),'Â','a'),'Ã','a'),'Ä','a'),'Å','a'),'Ā','a'),'Ă','a'),'Ą','a'),'ç','c'),'ć','c'),'č','c'),'ĉ','c'),'ċ','c'),'Ç','c'),'Ć','c'),'Č','c'),'Ĉ','c'),'Ċ','c'),'ď','d'),'đ','d'),'Ď','d'),'Đ','d'),'è','e'),'é','e'),'ê','e'),'ë','e'),'ē','e'),'ĕ','e'),'ė','e'),'ę','e'),'ě','e'),'È','e'),'É','e'),'Ê','e'),'Ë','e'),'Ē','e'),'Ĕ','e'),'Ė','e'),'Ę','e'),'Ě','e'),'ğ','g'),'ĝ','g'),'ġ','g'),'ģ','g'),'Ğ','g'),'Ĝ','g'),'Ġ','g'),'Ģ','g'),'ì','i'),'í','i'),'î','i'),'ï','i'),'ī','i'),'ĭ','i'),'į','i'),'ı','i'),'Ì','i'),'Í','i'),'Î','i'),'Ï','i'),'Ī','i'),'Ĭ','i'),'Į','i'),'İ','i'),'ł','l'),'ľ','l'),'ĺ','l'),'ļ','l'),'Ł','l'),'Ľ','l'),'Ĺ','l'),'Ļ','l'),'ñ','n'),'ń','n'),'ň','n'),'ņ','n'),'Ñ','n'),'Ń','n'),'Ň','n'),'Ņ','n'),'ò','o'),'ó','o'),'ô','o'),'õ','o'),'ö','o'),'ø','o'),'ō','o'),'ŏ','o'),'ő','o'),'Ò','o'),'Ó','o'),'Ô','o'),'Õ','o'),'Ö','o'),'Ø','o'),'Ō','o'),'Ŏ','o'),'Ő','o'),'ř','r'),'ŕ','r'),'ŗ','r'),'Ř','r'),'Ŕ','r'),'Ŗ','r'),'ś','s'),'š','s'),'ş','s'),'ŝ','s'),'ș','s'),'Ś','s'),'Š','s'),'Ş','s'),'Ŝ','s'),'Ș','s'),'ť','t'),'ţ','t'),'ț','t'),'Ť','t'),'Ţ','t'),'Ț','t'),'ù','u'),'ú','u'),'û','u'),'ü','u'),'ū','u'),'ŭ','u'),'ů','u'),'ű','u'),'ų','u'),'Ù','u'),'Ú','u'),'Û','u'),'Ü','u'),'Ū','u'),'Ŭ','u'),'Ů','u'),'Ű','u'),'Ų','u'),'ý','y'),'ÿ','y'),'ŷ','y'),'Ý','y'),'Ÿ','y'),'Ŷ','y'),'ź','z'),'ž','z'),'ż','z'),'Ź','z'),'Ž','z'),'Ż','z'),'ß','ss'),'æ','ae'),'Æ','ae'),'œ','oe'),'Œ','oe'),'щ','shch'),'ж','zh'),'х','kh'),'ц','ts'),'ч','ch'),'ш','sh'),'ю','yu'),'я','ya'),'а','a'),'б','b'),'в','v'),'г','g'),'д','d'),'е','e'),'з','z'),'и','i'),'й','y'),'к','k'),'л','l'),'м','m'),'н','n'),'о','o'),'п','p'),'р','r'),'с','s'),'т','t'),'у','u'),'ф','f'),'ы','y'),'э','e'),'і','i'),'ї','i'),'є','e'),'ґ','g'),'ў','u'),'ә','a'),'ғ','g'),'қ','k'),'ң','n'),'ө','o'),'ұ','u'),'ү','u'),'һ','h'),'ъ',''),'ь',''),'shch','sh'),'sch','sh'),'tch','ch'),'kh','h'),'ck','k'),'ph','f'),'x','ks'),'w','v'),'tz','c'),'ts','c'),'ye','e'),'yo','e'),'ue','u'),'oe','o'),'ae','a'),'j','i'),'y','i'),'aa','a'),'bb','b'),'cc','c'),'dd','d'),'ee','e'),'ff','f'),'gg','g'),'hh','h'),'ii','i'),'jj','j'),'kk','k'),'ll','l'),'mm','m'),'nn','n'),'oo','o'),'pp','p'),'qq','q'),'rr','r'),'ss','s'),'tt','t'),'uu','u'),'vv','v'),'ww','w'),'xx','x'),'yy','y'),'zz','z'), id
FROM parcels ORDER BY created_at, id;

-- +goose Down
DROP TRIGGER cases_search_au;
DROP TRIGGER cases_search_ai;
DROP TRIGGER parcels_search_au;
DROP TRIGGER parcels_search_ai;
DROP TRIGGER search_docs_au;
DROP TRIGGER search_docs_ad;
DROP TRIGGER search_docs_ai;
DROP TABLE search_codes;
DROP TABLE search_names;
DROP TABLE search_docs;
DROP TABLE webhook_attempts;
DROP TABLE escalations;
DROP TABLE post_webhooks;
DROP TABLE sla_policies;
DROP TABLE business_calendars;
DROP TABLE case_attachments;
DROP TABLE case_log;
DROP TABLE case_parcels;
DROP TABLE cases;
DROP TABLE case_counters;
