-- +goose Up
-- Transcripts of call recordings (issue 20 item 3; recordings/transcribe; docs/transcripts.md):
-- one row per recording and side (customer = left channel, agent = right), written once by
-- the transcripts job. text and segments are stored already redacted (card and phone
-- numbers); error is set when the engine failed, so the job does not retry it on every pass.
-- search_key is the folded text (textkey.Fold) the one-box search matches words against,
-- through the FTS5 index call_transcript_words that the triggers below keep.
CREATE TABLE call_transcripts (
    id             INTEGER PRIMARY KEY,
    recording_id   INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    call_id        INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    brand_id       INTEGER REFERENCES brands(id),
    side           TEXT NOT NULL CHECK (side IN ('customer', 'agent')),
    language       TEXT NOT NULL DEFAULT '',
    engine         TEXT NOT NULL DEFAULT '',
    text           TEXT NOT NULL DEFAULT '',
    segments       TEXT NOT NULL DEFAULT '',
    search_key     TEXT NOT NULL DEFAULT '',
    error          TEXT NOT NULL DEFAULT '',
    audio_ms       INTEGER NOT NULL DEFAULT 0,
    cpu_ms         INTEGER NOT NULL DEFAULT 0,
    transcribed_at DATETIME NOT NULL,
    UNIQUE (recording_id, side)
);
CREATE INDEX call_transcripts_call ON call_transcripts (call_id);
CREATE VIRTUAL TABLE call_transcript_words USING fts5(search_key, content='call_transcripts', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='3');

-- +goose StatementBegin
CREATE TRIGGER call_transcripts_ai AFTER INSERT ON call_transcripts BEGIN
    INSERT INTO call_transcript_words (rowid, search_key) VALUES (new.id, new.search_key);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER call_transcripts_ad AFTER DELETE ON call_transcripts BEGIN
    INSERT INTO call_transcript_words (call_transcript_words, rowid, search_key) VALUES ('delete', old.id, old.search_key);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER call_transcripts_au AFTER UPDATE ON call_transcripts BEGIN
    INSERT INTO call_transcript_words (call_transcript_words, rowid, search_key) VALUES ('delete', old.id, old.search_key);
    INSERT INTO call_transcript_words (rowid, search_key) VALUES (new.id, new.search_key);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER call_transcripts_au;
DROP TRIGGER call_transcripts_ad;
DROP TRIGGER call_transcripts_ai;
DROP TABLE call_transcript_words;
DROP TABLE call_transcripts;
