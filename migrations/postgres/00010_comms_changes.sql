-- +goose Up
-- Changes to a parcel's communications go to the outbox too, so that whoever keeps state
-- derived from them (every node's tracking page cache) hears of each, whichever code path
-- made it: a contact's status (an SMS sent, delivered, failed; a call attempt begun or done)
-- and a hotline call logged or finished. Consumers that do not know a topic skip it.
-- +goose StatementBegin
CREATE FUNCTION wismo_contact_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO outbox (topic, brand_id, item_id, payload, created_at)
    VALUES ('contact.changed', NEW.brand_id, NEW.parcel_id,
        json_build_object('contact_id', NEW.id, 'channel', NEW.channel, 'status', NEW.status), now());
    RETURN NULL;
END
$fn$;
-- +goose StatementEnd
CREATE TRIGGER contacts_changed_au AFTER UPDATE OF status ON contacts FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION wismo_contact_changed();

-- +goose StatementBegin
CREATE FUNCTION wismo_call_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO outbox (topic, brand_id, item_id, payload, created_at)
    VALUES ('call.logged', COALESCE(NEW.brand_id, 0), NEW.parcel_id,
        json_build_object('call_id', NEW.id, 'outcome', NEW.outcome), now());
    RETURN NULL;
END
$fn$;
-- +goose StatementEnd
CREATE TRIGGER calls_changed_ai AFTER INSERT ON calls FOR EACH ROW
    WHEN (NEW.parcel_id <> '') EXECUTE FUNCTION wismo_call_changed();
CREATE TRIGGER calls_changed_au AFTER UPDATE ON calls FOR EACH ROW
    WHEN (NEW.parcel_id <> '' AND (OLD.outcome IS DISTINCT FROM NEW.outcome OR OLD.parcel_id IS DISTINCT FROM NEW.parcel_id))
    EXECUTE FUNCTION wismo_call_changed();

-- +goose Down
DROP TRIGGER calls_changed_au ON calls;
DROP TRIGGER calls_changed_ai ON calls;
DROP FUNCTION wismo_call_changed();
DROP TRIGGER contacts_changed_au ON contacts;
DROP FUNCTION wismo_contact_changed();
