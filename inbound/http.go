package inbound

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
)

// SMSInboundPath is the HTTP SMS provider's route for mobile-originated messages. It is
// public under /api/ (portal lets it through unauthenticated): the provider's signature
// is the authority.
const SMSInboundPath = "/api/v1/sms/inbound"

// signatureTolerance is how old a signed inbound SMS may be (replays of older ones fail).
const signatureTolerance = 5 * time.Minute

// Routes mounts the inbound API:
//
//	POST /api/v1/sms/inbound              an HTTP SMS provider's MO message, signed (X-Wismo-Signature)
//	GET  /api/v1/inbound/settings?brand=  the brand's SMS number, inbound address, reopen days, acknowledgement
//	PUT  /api/v1/inbound/settings?brand=  change them (brand managers, admins, brand keys)
//	GET  /api/v1/inbound/review?brand=    messages from senders the brand does not know, newest first
//	POST /api/v1/inbound/review/:id       {"case": "MM-000123"} puts it on that case; {"case": ""} sets it aside
func Routes(r fiber.Router, s *Service) {
	r.Post(SMSInboundPath, func(c *fiber.Ctx) error {
		if s.opts.SMSSecret == "" {
			return fiber.NewError(fiber.StatusNotFound, "inbound SMS over HTTP is off: set WISMO_SMS_INBOUND_SECRET")
		}
		body := c.Body()
		if err := cases.VerifyWebhook(s.opts.SMSSecret, c.Get(cases.SignatureHeader), body, s.opts.Now(), signatureTolerance); err != nil {
			s.count.WithLabelValues("sms", "bad_signature").Inc()
			s.log.WarnContext(c.UserContext(), "inbound SMS with a bad signature refused", "err", err)
			return fiber.NewError(fiber.StatusUnauthorized, cases.SignatureHeader+": "+err.Error())
		}
		var in struct {
			From string `json:"from"`
			To   string `json:"to"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.From == "" || in.To == "" {
			s.count.WithLabelValues("sms", OutcomeMalformed).Inc()
			s.log.WarnContext(c.UserContext(), "inbound SMS refused: the body needs from, to and text", "err", err)
			return fiber.NewError(fiber.StatusBadRequest, `body: want {"from": "+E.164", "to": "+E.164 or short code", "text": "..."}`)
		}
		m, err := s.HandleSMS(c.UserContext(), in.From, in.To, in.Text)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"outcome": m.Outcome, "id": m.ID})
	})
	r.Get("/api/v1/inbound/settings", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c)
		if err != nil {
			return err
		}
		st, err := s.SettingsOf(c.UserContext(), access.PrincipalOf(c).Scope, brand)
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		return c.JSON(st)
	})
	r.Put("/api/v1/inbound/settings", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, access.RoleBrandManager, access.RoleAdmin)
		if err != nil {
			return err
		}
		var in Settings
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return cases.Errors.Answer(c, input.Invalid(fe))
		}
		st, err := s.SetSettings(c.UserContext(), access.PrincipalOf(c).Scope, brand, in)
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		return c.JSON(st)
	})
	r.Get("/api/v1/inbound/review", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c)
		if err != nil {
			return err
		}
		list, err := s.Review(c.UserContext(), access.PrincipalOf(c).Scope, brand, 200)
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"messages": list})
	})
	r.Post("/api/v1/inbound/review/:id<int>", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if _, _, post := p.Scope.Post(); post {
			return fiber.NewError(fiber.StatusForbidden, "partner posts do not settle a brand's inbound messages")
		}
		var in struct {
			Case string `json:"case"`
		}
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return cases.Errors.Answer(c, input.Invalid(fe))
		}
		id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
		m, err := s.Settle(c.UserContext(), p.Scope, p.Label, id, in.Case)
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		return c.JSON(m)
	})
}
