-- +goose Up
-- The public tracking page lists a parcel's calls (callcenter/trackhistory.go): find them by
-- parcel instead of scanning the call log.
CREATE INDEX calls_parcel ON calls (parcel_id, started_at);

-- +goose Down
DROP INDEX calls_parcel;
