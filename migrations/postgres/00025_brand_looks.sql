-- +goose Up
-- The shop's brand on the public tracking page (issue 18; package branding; README, docs/security.md):
-- one row per brand that set anything. Colours are validated hex (#rrggbb); the logo is the
-- uploaded image as checked (type by content, size and pixel dimensions); words are the
-- brand's overrides of the track catalog's customer words, {"en": {key: text}, "ru": {...}}.
-- version grows at every change: the stylesheet's and the logo's URLs and ETags carry it.
CREATE TABLE brand_looks (
    brand_id     BIGINT PRIMARY KEY REFERENCES brands(id),
    shop_url     TEXT NOT NULL DEFAULT '',
    hotline      TEXT NOT NULL DEFAULT '',
    hours_en     TEXT NOT NULL DEFAULT '',
    hours_ru     TEXT NOT NULL DEFAULT '',
    footer_en    TEXT NOT NULL DEFAULT '',
    footer_ru    TEXT NOT NULL DEFAULT '',
    bar_color    TEXT NOT NULL DEFAULT '',
    accent_color TEXT NOT NULL DEFAULT '',
    words        TEXT NOT NULL DEFAULT '{}',
    logo         BYTEA,
    logo_type    TEXT NOT NULL DEFAULT '',
    logo_width   INTEGER NOT NULL DEFAULT 0,
    logo_height  INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_by   TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE brand_looks;
