-- +goose Up
-- The hotline's keyed tracking numbers (issue 19 item 1; tracking.ParcelsBySerial): a caller keys
-- the S10 id's nine digits (serial and check digit, characters 3-11 of the id); without this
-- index every keyed lookup read the whole parcels table (id LIKE '__123456785__').
CREATE INDEX parcels_serial ON parcels (substr(id, 3, 9));

-- +goose Down
DROP INDEX parcels_serial;
