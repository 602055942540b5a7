-- +goose Up
-- PostgreSQL's 00009 tunes the parcels' page fill and the outbox payload type; SQLite has
-- neither. This file keeps the two dialects' version numbers in step.
SELECT 1;

-- +goose Down
SELECT 1;
