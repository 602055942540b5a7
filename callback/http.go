package callback

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/geo"
)

// Routes mounts the callbacks API for agents and supervisors (authenticated under /api/):
//
//	GET  /api/v1/callbacks   {"callbacks": [...]} the agent's own and the queue's, soonest first
//	POST /api/v1/callbacks   {"parcel_id", "at": "18:00" (the customer's local time) or RFC 3339,
//	                         "for": "me" | "queue", "phone" (default: the recipient's), "note"}
//	                         201 {"id": 7}; 422 naming the field
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/callbacks", func(c *fiber.Ctx) error {
		u, err := agentUser(c)
		if err != nil {
			return err
		}
		list, err := s.List(c.UserContext(), access.ScopeOf(u), u.ID, 50)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"callbacks": list})
	})
	r.Post("/api/v1/callbacks", func(c *fiber.Ctx) error {
		u, err := agentUser(c)
		if err != nil {
			return err
		}
		var in struct {
			ParcelID string `json:"parcel_id"`
			At       string `json:"at"`
			For      string `json:"for"`
			Phone    string `json:"phone"`
			Note     string `json:"note"`
		}
		if err := c.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, `body must be {"parcel_id": "...", "at": "18:00", "for": "me"}`)
		}
		p, err := s.parcels.Parcel(c.UserContext(), access.ScopeOf(u), in.ParcelID)
		if err != nil {
			return fieldErr("parcel_id", "no parcel "+in.ParcelID+" for your brands")
		}
		at, err := parseAt(in.At, p.Recipient.TimeZone, s.now())
		if err != nil {
			return fieldErr("at", err.Error())
		}
		owner := u.ID
		switch in.For {
		case "", "me":
		case "queue":
			owner = 0
		default:
			return fieldErr("for", `"me" or "queue"`)
		}
		phone := strings.TrimSpace(in.Phone)
		if phone == "" {
			phone = p.Recipient.Phone
		}
		if !e164.MatchString(phone) {
			return fieldErr("phone", "an E.164 number such as +79131234567")
		}
		if len(in.Note) > 500 {
			return fieldErr("note", "at most 500 characters")
		}
		id, err := s.Promise(c.UserContext(), callcenter.Promise{BrandID: p.BrandID, ParcelID: p.ID, Phone: phone, Source: "agent",
			OwnerID: owner, At: at, Actor: "user:" + u.Email, Note: in.Note})
		if errors.Is(err, ErrInvalid) {
			return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
		}
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
	})
}

// parseAt reads "HH:MM" as the next such time on the customer's clock (zone), or an
// RFC 3339 time; it must not be in the past, nor over 30 days ahead.
func parseAt(s, zone string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.Before(now.Add(-time.Minute)) || t.After(now.Add(30*24*time.Hour)) {
			return time.Time{}, errors.New("must be from now to 30 days ahead")
		}
		return t, nil
	}
	hm, err := time.Parse("15:04", s)
	if err != nil {
		return time.Time{}, errors.New(`a time such as "18:00" (the customer's clock) or RFC 3339`)
	}
	loc, err := geo.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	l := now.In(loc)
	t := time.Date(l.Year(), l.Month(), l.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
	if t.Before(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func fieldErr(field, msg string) error {
	return fiber.NewError(fiber.StatusUnprocessableEntity, field+": "+msg)
}

// agentUser is the logged-in agent or supervisor; anyone else is refused with 403.
func agentUser(c *fiber.Ctx) (*access.User, error) {
	u := access.PrincipalOf(c).User
	switch {
	case u == nil:
		return nil, fiber.NewError(fiber.StatusForbidden, "log in as an agent: callbacks are for people, not API keys")
	case u.Role != access.RoleAgent && u.Role != access.RoleSupervisor:
		return nil, fiber.NewError(fiber.StatusForbidden, "only agents and supervisors make callbacks; this account is a "+string(u.Role))
	}
	return u, nil
}
