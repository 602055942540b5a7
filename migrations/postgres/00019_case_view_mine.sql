-- +goose Up
-- "My open" sorted by SLA due (the view an agent opens first): the viewer's open cases of a
-- brand in due order, without walking every open case of the brand (at 200,000 cases an agent
-- with 1% of them walked thousands of rows per page).
CREATE INDEX cases_view_mine_due ON cases (brand_id, assignee_id, resolution_due, id);

-- +goose Down
DROP INDEX cases_view_mine_due;
