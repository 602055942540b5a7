-- +goose Up
-- Calls linked to cases (package deskcase): the desk's "open a case from this call" and a
-- wrap-up that opens or updates a case. One call may be linked to several cases, a case to
-- several calls; the link names the case by id, its brand for scoping.
CREATE TABLE call_cases (
    call_id    BIGINT NOT NULL REFERENCES calls(id),
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    brand_id   BIGINT NOT NULL REFERENCES brands(id),
    actor      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (call_id, case_id)
);
CREATE INDEX call_cases_case ON call_cases (case_id);

-- +goose Down
DROP TABLE call_cases;
