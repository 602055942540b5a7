-- +goose Up
-- PostgreSQL's 00005 indexes the starts of name words; SQLite's FTS5 index answers prefix
-- queries itself. This file keeps the two dialects' version numbers in step.
SELECT 1;

-- +goose Down
SELECT 1;
