-- +goose Up
-- PostgreSQL's 00012 compresses outbox payloads with lz4; SQLite stores them as they are.
-- This file keeps the two dialects' version numbers in step.
SELECT 1;

-- +goose Down
SELECT 1;
