-- +goose Up
-- Live predictive pacing (issue 16 section 3; docs/pacing.md, "The live pacer"): a predictive
-- campaign's pacing settings, kept beside the campaign by package callcenter/predictive.
-- max_dial_ratio caps the calls ringing at once per logged-in agent of the brand.
CREATE TABLE campaign_pacing (
    campaign_id     INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
    brand_id        INTEGER NOT NULL REFERENCES brands(id),
    max_dial_ratio  REAL NOT NULL DEFAULT 3 CHECK (max_dial_ratio >= 1 AND max_dial_ratio <= 5),
    updated_at      DATETIME NOT NULL
);
-- The abandon rate of a campaign over 24 hours and 30 days (reports.Abandons) reads its
-- answered calls by answer time.
CREATE INDEX calls_campaign_answered ON calls (brand_id, campaign_ref, answered_at);

-- +goose Down
DROP INDEX calls_campaign_answered;
DROP TABLE campaign_pacing;
