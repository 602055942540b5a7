-- +goose Up
-- Changes to a parcel's communications go to the outbox too (see PostgreSQL's 00010): a
-- contact's status, a hotline call logged or finished.
-- +goose StatementBegin
CREATE TRIGGER contacts_changed_au AFTER UPDATE OF status ON contacts FOR EACH ROW
WHEN OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO outbox (topic, brand_id, item_id, payload, created_at)
    VALUES ('contact.changed', NEW.brand_id, NEW.parcel_id,
        json_object('contact_id', NEW.id, 'channel', NEW.channel, 'status', NEW.status),
        strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER calls_changed_ai AFTER INSERT ON calls FOR EACH ROW
WHEN NEW.parcel_id <> ''
BEGIN
    INSERT INTO outbox (topic, brand_id, item_id, payload, created_at)
    VALUES ('call.logged', COALESCE(NEW.brand_id, 0), NEW.parcel_id,
        json_object('call_id', NEW.id, 'outcome', NEW.outcome), strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER calls_changed_au AFTER UPDATE ON calls FOR EACH ROW
WHEN NEW.parcel_id <> '' AND (OLD.outcome IS NOT NEW.outcome OR OLD.parcel_id IS NOT NEW.parcel_id)
BEGIN
    INSERT INTO outbox (topic, brand_id, item_id, payload, created_at)
    VALUES ('call.logged', COALESCE(NEW.brand_id, 0), NEW.parcel_id,
        json_object('call_id', NEW.id, 'outcome', NEW.outcome), strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER calls_changed_au;
DROP TRIGGER calls_changed_ai;
DROP TRIGGER contacts_changed_au;
