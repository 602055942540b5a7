package inbound

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
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
		if err := json.Unmarshal(c.Body(), &in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "body: "+err.Error())
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
}
