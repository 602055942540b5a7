-- +goose Up
-- Name searches by word start ("Петр Иван") on a million documents merged every index word
-- with that start (Дмитриевич, Дмитриевна...). The name vector now also holds the starts
-- (2 to 4 letters) of each word, each marked with a trailing 0 ("петр0"), which the GIN
-- index finds as whole entries; a longer start is checked against the key on the few rows
-- left (cases/searchsql.go, pgNameQuery).
-- +goose StatementBegin
CREATE FUNCTION wismo_name_prefixes(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
SELECT coalesce(string_agg(DISTINCT left(w, k) || '0', ' '), '')
FROM regexp_split_to_table($1, '[^[:alnum:]]+') AS w, generate_series(2, least(4, length(w))) AS k
WHERE w <> ''
$fn$;
-- +goose StatementEnd
DROP INDEX search_docs_names;
ALTER TABLE search_docs DROP COLUMN name_tsv;
ALTER TABLE search_docs ADD COLUMN name_tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', name_key || ' ' || wismo_name_prefixes(name_key))) STORED;
CREATE INDEX search_docs_names ON search_docs USING gin (name_tsv) WITH (fastupdate = off);

-- +goose Down
DROP INDEX search_docs_names;
ALTER TABLE search_docs DROP COLUMN name_tsv;
ALTER TABLE search_docs ADD COLUMN name_tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', name_key)) STORED;
CREATE INDEX search_docs_names ON search_docs USING gin (name_tsv) WITH (fastupdate = off);
DROP FUNCTION wismo_name_prefixes(text);
