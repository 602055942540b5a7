package dialer

import (
	"errors"
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/tracking"
)

// Routes mounts the dialer's API under r (authenticated under /api/) and the public
// unsubscribe page:
//
//	GET  /api/v1/parcels/{id}/contacts         every contact of a parcel, with tries and receipts
//	GET  /api/v1/contacts?status=unknown       contacts to review (a crash hid their fate)
//	POST /api/v1/contacts/{id}/resolve         {"status": "sent"|"failed", "note": "..."}
//	POST /api/v1/contacts/{id}/outcome         a call attempt's end: {"outcome", "disposition", "callback_at"}
//	GET, PUT /api/v1/comms/windows             the brand's windows per channel and weekday
//	GET, PUT /api/v1/comms/algorithm           the brand's call-attempt algorithm
//	GET, POST /api/v1/comms/opt-outs           the brand's opt-out list
//	GET, POST /api/v1/campaigns; GET, PUT /api/v1/campaigns/{id}
//	POST /api/v1/campaigns/{id}/start|pause|stop; GET /api/v1/campaigns/{id}/queue
//	GET, POST /unsubscribe/{token}             an email's List-Unsubscribe link (one-click POST)
//
// A caller with several brands names one with ?brand=ID.
func Routes(r fiber.Router, svc *Service) {
	h := handlers{svc: svc}
	r.Get("/api/v1/parcels/:id/contacts", h.parcelContacts)
	r.Get("/api/v1/contacts", h.review)
	r.Post("/api/v1/contacts/:id/resolve", h.resolve)
	r.Post("/api/v1/contacts/:id/outcome", h.outcome)
	r.Get("/api/v1/comms/windows", h.getWindows)
	r.Put("/api/v1/comms/windows", h.putWindows)
	r.Get("/api/v1/comms/algorithm", h.getAlgorithm)
	r.Put("/api/v1/comms/algorithm", h.putAlgorithm)
	r.Get("/api/v1/comms/opt-outs", h.getOptOuts)
	r.Post("/api/v1/comms/opt-outs", h.postOptOut)
	campaignRoutes(r, h)
	r.Get("/unsubscribe/:token", h.unsubscribePage)
	r.Post("/unsubscribe/:token", h.unsubscribe)
}

type handlers struct{ svc *Service }

// managers are the users who change communications (brands' API keys may too); the brand a
// request acts for is access.QueryBrand's (?brand=ID for an account of several brands).
var managers = []access.Role{access.RoleBrandManager, access.RoleAdmin}

// dialerErrors are the domain's sentinel errors as the HTTP edge answers them.
var dialerErrors = apierr.Mapper{
	{Err: ErrNotFound, Kind: apierr.NotFound},
	{Err: ErrInvalid, Kind: apierr.Invalid},
	{Err: ErrForbidden, Kind: apierr.Forbidden},
	{Err: ErrConflict, Kind: apierr.Conflict},
}

func bodyErr(err error) error {
	return fiber.NewError(fiber.StatusBadRequest, "the body must be JSON: "+err.Error())
}

func (h handlers) parcelContacts(c *fiber.Ctx) error {
	scope := access.PrincipalOf(c).Scope
	raw := tracking.ParcelParam(c)
	id, err := tracking.ParseS10(raw)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "no parcel "+raw+" for this account")
	}
	list, err := h.svc.Contacts(c.UserContext(), scope, id)
	if err != nil {
		return err
	}
	if len(list) == 0 && !h.svc.visible(c.UserContext(), scope, id) {
		return fiber.NewError(fiber.StatusNotFound, "no parcel "+raw+" for this account")
	}
	return c.JSON(fiber.Map{"parcel_id": id, "contacts": list})
}

func (h handlers) review(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Review(c.UserContext(), brand, Status(c.Query("status")), min(max(c.QueryInt("limit", 100), 1), 1000))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"contacts": list})
}

func (h handlers) resolve(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c, managers...)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	var in struct {
		Status Status `json:"status"`
		Note   string `json:"note"`
	}
	if err := c.BodyParser(&in); err != nil {
		return bodyErr(err)
	}
	if err := h.svc.Resolve(c.UserContext(), brand, id, in.Status, in.Note, access.PrincipalOf(c).Label); err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// outcome records a call attempt's end: the telephony engine's outcome and, for an answered
// call, the agent's disposition (preview campaigns: the agent reports it here).
func (h handlers) outcome(c *fiber.Ctx) error {
	brand, err := access.QueryBrand(c)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	var in struct {
		Outcome     string    `json:"outcome"`
		Disposition string    `json:"disposition"`
		CallbackAt  time.Time `json:"callback_at"`
	}
	if err := c.BodyParser(&in); err != nil {
		return bodyErr(err)
	}
	if err := h.svc.ownsContact(c.UserContext(), brand, id); err != nil {
		return dialerErrors.Answer(c, err)
	}
	if err := h.svc.RecordCallOutcome(c.UserContext(), id, in.Outcome, in.Disposition, access.PrincipalOf(c).Label, in.CallbackAt); err != nil {
		return dialerErrors.Answer(c, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h handlers) unsubscribePage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	tok := template.HTMLEscapeString(c.Params("token"))
	return c.SendString(`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribe</title><h1>Stop these emails?</h1><form method="post" action="/unsubscribe/` + tok + `">
<button type="submit">Unsubscribe</button></form>`)
}

// unsubscribe is the one-click List-Unsubscribe POST (RFC 8058) and the page's button.
func (h handlers) unsubscribe(c *fiber.Ctx) error {
	err := h.svc.Unsubscribe(c.UserContext(), c.Params("token"))
	if errors.Is(err, ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, "this unsubscribe link is not valid")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(`<!doctype html><meta charset="utf-8"><title>Unsubscribed</title><h1>You are unsubscribed</h1>
<p>You will get no more emails from this shop through wismo.</p>`)
}
