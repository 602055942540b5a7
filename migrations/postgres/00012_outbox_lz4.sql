-- +goose Up
-- 00011 stored packed payloads out of line uncompressed, because pglz costs more CPU than
-- it saves. lz4 does not: a 370 KB row of 1000 tracking events compresses to about 21 KB in
-- well under a millisecond, so PostgreSQL writes about a dozen TOAST chunks instead of 185 (each a
-- heap row and an index entry; 5% of PostgreSQL's CPU during ingest) and a twentieth of
-- the WAL. A server built without lz4 keeps the payloads as they were.
-- +goose StatementBegin
DO $do$
BEGIN
    ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION lz4;
    ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTENDED;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'this PostgreSQL has no lz4: outbox payloads stay uncompressed';
END
$do$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;
ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION default;
