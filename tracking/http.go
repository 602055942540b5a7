package tracking

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/jsonw"
)

// trackingErrors are the domain's errors as the HTTP edge answers them (apierr); cases adds
// its own to these values (cases.ErrNotFound is ErrNotFound).
var trackingErrors = apierr.Mapper{{Err: ErrNotFound, Kind: apierr.NotFound}, {Err: ErrForbidden, Kind: apierr.Forbidden}}

// Routes mounts the parcel and event API under r; auth must have run before.
func Routes(r fiber.Router, svc *Service) {
	h := handlers{svc: svc}
	r.Post("/api/v1/parcels", h.postParcels)
	r.Post("/api/v1/events", h.postEvents)
	r.Get("/api/v1/parcels/:id", h.getParcel)
	transitRoutes(r, svc)
}

type handlers struct{ svc *Service }

// decodeBatch reads {"<field>": [item, ...]} and keeps each item raw, so that one bad item
// is rejected alone instead of failing the whole request.
func decodeBatch(raw []byte, field string) ([]json.RawMessage, error) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf(`the body must be a JSON object {"%s": [...]}: %v`, field, err))
	}
	raw, ok := body[field]
	if !ok {
		return nil, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf(`the body has no "%s" list`, field))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf(`"%s" must be a list of objects`, field))
	}
	if len(items) > MaxBatch {
		return nil, fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("a batch carries at most %d items, got %d", MaxBatch, len(items)))
	}
	return items, nil
}

// decodeWhole reads {"<field>": [item, ...]} in one pass, strictly, when every item is
// well-formed (the common case, and the cheap one: decodeBatch reads each item three more
// times). ok is false for any error: decodeBatch then finds and names the bad items.
func decodeWhole[T any](raw []byte, field string) (items []T, ok bool) {
	var body map[string][]T
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if dec.Decode(&body) != nil || len(body) != 1 || len(body[field]) > MaxBatch {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	items, ok = body[field]
	return items, ok && items != nil
}

// decodeItems reads a batch: each item decoded, or the error that rejects it alone. A body
// with text encoding/json would repair (invalid UTF-8) is read item by item, so that the
// items holding it are rejected and the others kept.
func decodeItems[T any](body []byte, field string) ([]T, []*input.FieldError, error) {
	if !input.SuspectText(body) {
		if whole, ok := decodeWhole[T](body, field); ok {
			return whole, make([]*input.FieldError, len(whole)), nil
		}
	}
	raws, err := decodeBatch(body, field)
	if err != nil {
		return nil, nil, err
	}
	items, errs := make([]T, len(raws)), make([]*input.FieldError, len(raws))
	for i, raw := range raws {
		errs[i] = input.Decode(raw, &items[i])
	}
	return items, errs, nil
}

func (h handlers) postParcels(c *fiber.Ctx) error {
	inputs, errs, err := decodeItems[ParcelInput](c.Body(), "parcels")
	if err != nil {
		return err
	}
	items := make([]ParcelItem, len(inputs))
	for i := range inputs {
		items[i] = ParcelItem{Input: inputs[i], Err: errs[i]}
	}
	results, err := h.svc.UpsertParcels(c.UserContext(), access.PrincipalOf(c).Scope, items)
	if err != nil {
		return trackingErrors.Answer(c, err)
	}
	return sendResults(c, results)
}

func (h handlers) postEvents(c *fiber.Ctx) error {
	inputs, errs, err := decodeEvents(c.Body())
	if err != nil {
		return err
	}
	items := make([]EventItem, len(inputs))
	for i := range inputs {
		items[i] = EventItem{Input: inputs[i], Err: errs[i]}
	}
	results, err := h.svc.IngestEvents(c.UserContext(), access.PrincipalOf(c).Scope, items)
	if err != nil {
		return err
	}
	return sendResults(c, results)
}

func (h handlers) getParcel(c *fiber.Ctx) error {
	id := ParcelParam(c)
	v, err := h.svc.Parcel(c.UserContext(), access.PrincipalOf(c).Scope, id)
	if errors.Is(err, ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, "no parcel "+id+" for this account")
	}
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// ParcelParam is the parcel id of a route's :id as the client wrote it. fiber hands path
// parameters over still percent-encoded, so "EM%201597%200007%206%20IT" would reach
// ParseS10 with its "%20"s instead of the spaces it accepts everywhere else (bodies, the
// tracking form): every route that takes a parcel id in its path reads it here.
func ParcelParam(c *fiber.Ctx) string {
	raw := c.Params("id")
	if id, err := url.PathUnescape(raw); err == nil {
		return id
	}
	return raw
}

// decodeEvents reads a batch of events: by decodeEventsFast when it can, else strictly.
func decodeEvents(body []byte) ([]EventInput, []*input.FieldError, error) {
	if inputs, ok := decodeEventsFast(body); ok {
		return inputs, make([]*input.FieldError, len(inputs)), nil
	}
	return decodeItems[EventInput](body, "events")
}

// decodeEventsFast reads {"events": [...]} whose items hold only known fields with plain
// string values (what posts send), without encoding/json: 10-15% of the API's CPU went to
// decoding. Anything else (another shape, an escape, a null, an unknown or differently cased
// key, more than MaxBatch items) returns false and the strict decoders take over.
func decodeEventsFast(body []byte) ([]EventInput, bool) {
	var out []EventInput
	seen := false
	ok := jsonw.EachField(body, func(key, list []byte) bool {
		if string(key) != "events" || seen {
			return false
		}
		seen = true
		out = make([]EventInput, 0, 1000)
		return jsonw.EachElement(list, func(item []byte) bool {
			if len(out) == MaxBatch {
				return false
			}
			var in EventInput
			if !jsonw.EachField(item, func(k, v []byte) bool {
				var dst *string
				switch string(k) {
				case "item_id":
					dst = &in.ItemID
				case "code":
					dst = &in.Code
				case "occurred_at":
					dst = &in.OccurredAt
				case "office":
					dst = &in.Office
				case "location":
					dst = &in.Location
				case "country":
					dst = &in.Country
				case "time_zone":
					dst = &in.TimeZone
				case "reason":
					dst = &in.Reason
				case "action":
					dst = &in.Action
				case "signature":
					dst = &in.Signature
				default:
					return false
				}
				s, ok := jsonw.PlainString(v)
				*dst = s
				return ok
			}) {
				return false
			}
			out = append(out, in)
			return true
		})
	})
	return out, ok && seen && out != nil
}

// sendResults answers a batch: {"results": [...]}, written by hand (a result per item, a
// thousand per batch) as encoding/json would write it.
func sendResults(c *fiber.Ctx, results []Result) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(appendResults(make([]byte, 0, 64*len(results)+16), results))
}

func appendResults(b []byte, results []Result) []byte {
	b = append(b, `{"results":[`...)
	for i, r := range results {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = strconv.AppendInt(b, int64(r.Index), 10)
		b = jsonw.AppendField(b, "id", r.ID, true)
		b = jsonw.AppendField(b, "status", string(r.Status), false)
		if r.Error != nil {
			b = append(b, `,"error":{`...)
			b = jsonw.AppendField(b, "field", r.Error.Field, false)
			b = jsonw.AppendField(b, "message", r.Error.Message, false)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, ']', '}')
}
