package deliverydays

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
)

var daysErrors = apierr.Mapper{{Err: tracking.ErrNotFound, Kind: apierr.NotFound}, {Err: ErrNotMovable, Kind: apierr.Conflict}}

// DayView is a day as the API shows it.
type DayView struct {
	Date    string `json:"date"`
	Weekday string `json:"weekday"`
	Planned bool   `json:"planned"`
}

// Routes mounts the delivery days API for brand keys and staff (authenticated under /api/):
//
//	GET  /api/v1/parcels/{id}/delivery-days  {"parcel_id", "days": [{"date", "weekday", "planned"}], "choice": {...} | null}
//	POST /api/v1/parcels/{id}/delivery-day   {"date": "2026-12-08", "via": "agent"|"phone"|"robocall"|"web",
//	                                          "call_id": 17} -> 200 {"choice": {...}}; 422 naming the field
//
// via defaults to "agent" for a staff user and "web" for a brand key (the shop's own site).
// Partner posts are refused: the choice is the customer's, through the brand.
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/parcels/:id/delivery-days", func(c *fiber.Ctx) error {
		brand, id, err := s.owner(c)
		if err != nil {
			return daysErrors.Answer(c, err)
		}
		days, err := s.Days(c.UserContext(), brand, id)
		if err != nil {
			return daysErrors.Answer(c, err)
		}
		out := make([]DayView, len(days))
		for i, d := range days {
			out[i] = DayView{Date: d.Date, Weekday: weekdayName(d.Weekday), Planned: d.Planned}
		}
		var choice *ChoiceView
		if l, err := s.Latest(c.UserContext(), brand, id); err != nil {
			return err
		} else if l != nil {
			v := l.View()
			choice = &v
		}
		return c.JSON(fiber.Map{"parcel_id": id, "days": out, "choice": choice})
	})
	r.Post("/api/v1/parcels/:id/delivery-day", func(c *fiber.Ctx) error {
		brand, id, err := s.owner(c)
		if err != nil {
			return daysErrors.Answer(c, err)
		}
		var in struct {
			Date   string `json:"date"`
			Via    string `json:"via"`
			CallID int64  `json:"call_id"`
		}
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return daysErrors.Answer(c, input.Invalid(fe))
		}
		if strings.TrimSpace(in.Date) == "" {
			return daysErrors.Answer(c, input.Invalid(input.Errorf("date", "is required: one of the days GET /api/v1/parcels/%s/delivery-days lists", id)))
		}
		p := access.PrincipalOf(c)
		if in.Via == "" {
			in.Via = ViaWeb
			if p.User != nil {
				in.Via = ViaAgent
			}
		}
		if in.CallID < 0 {
			return daysErrors.Answer(c, input.Invalid(input.Errorf("call_id", "must be a call's id or 0")))
		}
		ch, err := s.ChooseBy(c.UserContext(), brand, id, in.Date, in.Via, in.CallID, p.Label)
		if err != nil {
			return daysErrors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"choice": ch.View()})
	})
}

// owner reads the route's parcel and the brand it belongs to, for the caller's scope.
func (s *Service) owner(c *fiber.Ctx) (int64, string, error) {
	p := access.PrincipalOf(c)
	if p.Kind == "post_key" {
		return 0, "", fiber.NewError(fiber.StatusForbidden, "partner posts do not choose delivery days: the customer does, through the brand")
	}
	raw := tracking.ParcelParam(c)
	id, err := tracking.ParseS10(raw)
	if err != nil {
		return 0, "", fiber.NewError(fiber.StatusNotFound, "no parcel "+raw+" for this account")
	}
	brand, err := tracking.Owner(c.UserContext(), s.db, p.Scope, id)
	if err != nil {
		return 0, "", err
	}
	return brand, id, nil
}
