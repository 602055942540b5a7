package portal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
)

// The tracking page's "choose another delivery day" block (templates/track_days.html): while
// the parcel can still be delivered, the valid days (package deliverydays) as buttons with
// the weekday and the date in the page's language, each one tap that files the choice (a
// POST form with the page's CSRF token; no JavaScript, no browser date picker), and the
// choice in force in the customer's words, however it was made (this page, a phone menu,
// an automated call, an agent).

// DeliveryDays lists a parcel's delivery days and records the customer's choice
// (*deliverydays.Service).
type DeliveryDays interface {
	Days(ctx context.Context, brandID int64, parcelID string) ([]deliverydays.Day, error)
	Latest(ctx context.Context, brandID int64, parcelID string) (*deliverydays.Choice, error)
	Choose(ctx context.Context, brandID int64, parcelID string, date, via string, callID int64) (deliverydays.Choice, error)
}

// trackMove is the block's data.
type trackMove struct {
	Attempted bool // after a failed attempt: "we could not deliver"
	Days      []trackDay
	Chosen    string // the choice in force, in the customer's words
	Request   string // its request (case) number, when it opened one
	Error     string
}

// trackDay is one day's button.
type trackDay struct {
	Value, Weekday, Date string
	Planned              bool
}

// loadMove fills the block for a parcel (nothing when the parcel cannot be moved and no
// choice is in force).
func (h *trackHandler) loadMove(c *fiber.Ctx, p *trackPage, v tracking.ParcelView) {
	if h.d.Days == nil || !deliverydays.Movable(v.Phase, v.Returning) {
		return // most parcels: no query at all
	}
	t := translator(p.Lang)
	ctx := c.UserContext()
	days, err := h.d.Days.Days(ctx, v.BrandID, v.ID)
	if err != nil {
		h.d.Log.Error("tracking page: delivery days", "parcel", v.ID, "err", err)
		return
	}
	if len(days) == 0 {
		return
	}
	m := &trackMove{Attempted: v.Phase == "delivery_attempted"}
	for _, d := range days {
		day, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			continue
		}
		wd, date := dayParts(day, p.Lang)
		m.Days = append(m.Days, trackDay{Value: d.Date, Weekday: wd, Date: date, Planned: d.Planned})
	}
	if ch, err := h.d.Days.Latest(ctx, v.BrandID, v.ID); err != nil {
		h.d.Log.Error("tracking page: delivery day choice", "parcel", v.ID, "err", err)
	} else if ch != nil {
		verb := "days.chose."
		if ch.Planned {
			verb = "days.confirmed."
		}
		if day, err := time.Parse(time.DateOnly, ch.Date); err == nil {
			m.Chosen = fmt.Sprintf(t(verb+ch.Via), dayLabel(day, p.Lang))
		}
		m.Request = ch.CaseNumber
	}
	p.Move = m
}

// dayParts writes a day's button: the weekday and the date ("Tue", "8 December" /
// "вт", "8 декабря").
func dayParts(d time.Time, lang string) (string, string) {
	if lang == "ru" {
		return ruWeekdays[d.Weekday()], strconv.Itoa(d.Day()) + " " + ruMonths[d.Month()-1]
	}
	return d.Format("Mon"), d.Format("2 January")
}

// dayRoutes mounts the block's post: one tap on a day files the choice, and the page comes
// back with it (or with why not, keeping the days).
func dayRoutes(app *fiber.App, h *trackHandler) {
	app.Post("/track/:id/day", func(c *fiber.Ctx) error {
		f0, answered, err := h.formStart(c)
		if answered {
			return err
		}
		p, id, t, allowed, wait, v := f0.p, f0.id, f0.t, f0.allowed, f0.wait, f0.v
		if h.d.Days == nil {
			return fiber.NewError(fiber.StatusServiceUnavailable, "delivery days are not available on this server")
		}
		fail := func(status int, msg string) error {
			if p.Move == nil {
				p.Move = &trackMove{}
			}
			p.Move.Error = msg
			c.Status(status)
			return renderTrack(c, p)
		}
		if !allowed {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
			return fail(fiber.StatusTooManyRequests, fmt.Sprintf(t("err_ratelimit"), max(int(wait.Round(time.Minute)/time.Minute), 1)))
		}
		if !csrfOK(c) {
			return fail(fiber.StatusForbidden, t("err_csrf"))
		}
		h.limits.tokenPassed(c.IP())
		_, err = h.d.Days.Choose(c.UserContext(), v.BrandID, v.ID, c.FormValue("date"), deliverydays.ViaWeb, 0)
		var ve *input.ValidationError
		if errors.As(err, &ve) {
			return fail(fiber.StatusUnprocessableEntity, t("days.err_day"))
		}
		if err != nil {
			return fmt.Errorf("tracking page: choose a delivery day: %w", err)
		}
		h.limits.opened(id)
		h.cache.Drop(id) // the choice shows on the parcel's page from now on
		return c.Redirect("/track/"+id+"#move", fiber.StatusSeeOther)
	})
}
