package portal

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/updates"
)

// Updates on request (templates/track_updates.html; package updates): while a parcel is on
// its way, the page offers SMS or e-mail updates to the recipient's number or address on
// file, shown masked, or to a new one after a code sent to it by SMS or a link sent by e-mail.
// The forms carry the page's CSRF token and are rate-limited per address and per parcel as
// the other forms are; the service bounds new numbers per parcel besides.

// Updates keeps the requests for updates (*updates.Service).
type Updates interface {
	Subscribe(ctx context.Context, p updates.Parcel, channel dialer.Channel, address, lang string) (updates.Sub, error)
	Confirm(ctx context.Context, brandID int64, parcelID, code string) (updates.Sub, error)
	ConfirmLink(ctx context.Context, brandID int64, parcelID, token string) (updates.Sub, error)
	Subs(ctx context.Context, brandID int64, parcelID string) ([]updates.Sub, error)
}

// trackUpdates is the page's updates card.
type trackUpdates struct {
	Phone, Email string // on file, masked ("" when none)
	Subs         []trackSub
	PendingSMS   bool
	Form         form
	Error        string
}

type trackSub struct {
	Channel, To string
	Active      bool
}

func (h *trackHandler) loadUpdates(c *fiber.Ctx, p *trackPage, v tracking.ParcelView) {
	if h.d.Updates == nil || !stillOnItsWay(v) {
		return
	}
	u := &trackUpdates{}
	if v.Recipient.Phone != "" {
		u.Phone = maskPhone(v.Recipient.Phone)
	}
	if v.Recipient.Email != "" {
		u.Email = maskEmail(v.Recipient.Email)
	}
	subs, err := h.d.Updates.Subs(c.UserContext(), v.BrandID, v.ID)
	if err != nil {
		h.d.Log.Error("tracking page: updates", "parcel", v.ID, "err", err)
	}
	t := translator(p.Lang)
	for _, s := range subs {
		to := maskEmail(s.Address)
		if s.Channel == dialer.SMS {
			to = maskPhone(s.Address)
			u.PendingSMS = u.PendingSMS || !s.Active
		}
		u.Subs = append(u.Subs, trackSub{Channel: t("upd_" + string(s.Channel)), To: to, Active: s.Active})
	}
	p.Updates = u
	if p.CSRF == "" {
		p.CSRF = csrfToken(c, h.d.SecureCookies)
	}
}

// updatesRoutes mount the updates forms and the e-mail confirmation link.
func updatesRoutes(app *fiber.App, h *trackHandler) {
	app.Post("/track/:id/updates", h.updatesPost(func(c *fiber.Ctx, p *trackPage, v tracking.ParcelView, t func(string) string) error {
		f := readForm(c, "channel", "target", "to")
		p.Updates.Form = f
		channel := dialer.Channel(f.V("channel"))
		if channel != dialer.SMS && channel != dialer.Email {
			f.fail("channel", t("upd_err_channel"))
		}
		to := ""
		if f.V("target") == "new" {
			switch {
			case f.V("to") == "":
				f.fail("to", t("upd_err_to"))
			case channel == dialer.SMS:
				e164, err := geo.NormalizePhone(f.V("to"), v.DestinationCountry)
				if err != nil {
					f.fail("to", t("err_phone"))
				}
				to = e164
			case channel == dialer.Email:
				if a, err := mail.ParseAddress(f.V("to")); err != nil || a.Address != f.V("to") || len(f.V("to")) > maxContactRunes {
					f.fail("to", t("err_email"))
				}
				to = f.V("to")
			}
		}
		p.Updates.Form = f
		if f.Errors != nil {
			p.Updates.Error = t("err_form")
			return fiber.NewError(fiber.StatusUnprocessableEntity)
		}
		lang := p.Lang
		_, err := h.d.Updates.Subscribe(c.UserContext(), updates.Parcel{BrandID: v.BrandID, ID: v.ID, Phone: v.Recipient.Phone,
			Email: v.Recipient.Email, TimeZone: v.Recipient.TimeZone, Language: lang,
			TrackingURL: strings.TrimRight(h.d.PublicURL, "/") + "/track/" + v.ID}, channel, to, lang)
		switch {
		case errors.Is(err, updates.ErrTooMany):
			p.Updates.Error = t("upd_err_toomany")
			return fiber.NewError(fiber.StatusTooManyRequests)
		case errors.Is(err, updates.ErrNoAddress):
			f.fail("target", t("upd_err_nofile"))
			p.Updates.Form, p.Updates.Error = f, t("err_form")
			return fiber.NewError(fiber.StatusUnprocessableEntity)
		}
		return err
	}))
	app.Post("/track/:id/updates/confirm", h.updatesPost(func(c *fiber.Ctx, p *trackPage, v tracking.ParcelView, t func(string) string) error {
		f := readForm(c, "code")
		_, err := h.d.Updates.Confirm(c.UserContext(), v.BrandID, v.ID, f.V("code"))
		if errors.Is(err, updates.ErrBadCode) {
			f.fail("code", t("upd_err_code"))
			p.Updates.Form, p.Updates.Error = f, t("upd_err_code")
			return fiber.NewError(fiber.StatusUnprocessableEntity)
		}
		return err
	}))
	// The e-mail's link: it proves the address; no form, no token (the link is the secret).
	app.Get("/track/:id/updates/confirm", func(c *fiber.Ctx) error {
		p, id, ok := h.start(c)
		if !ok {
			return renderTrack(c, p)
		}
		if allowed, _, _ := h.limits.check(c.IP(), id); !allowed {
			c.Status(fiber.StatusTooManyRequests)
			p.Error = fmt.Sprintf(translator(p.Lang)("err_ratelimit"), 10)
			return renderTrack(c, p)
		}
		h.limits.tokenPassed(c.IP()) // every try counts: a link is a secret to guess
		v, found, err := h.load(c, &p, id)
		if err != nil || !found || h.d.Updates == nil {
			if err == nil {
				return renderTrack(c, p)
			}
			return err
		}
		if _, err := h.d.Updates.ConfirmLink(c.UserContext(), v.BrandID, v.ID, c.Query("token")); err != nil {
			if !errors.Is(err, updates.ErrBadCode) {
				return err
			}
			if p.Updates != nil {
				p.Updates.Error = translator(p.Lang)("upd_err_link")
			}
			c.Status(fiber.StatusBadRequest)
			return renderTrack(c, p)
		}
		h.cache.Drop(id)
		return c.Redirect("/track/"+id+"#updates", fiber.StatusSeeOther)
	})
}

// updatesPost is an updates form post: size, rate limits and CSRF first, then do; do fills in
// the card's error and answers a fiber error with the status for a refusal.
func (h *trackHandler) updatesPost(do func(c *fiber.Ctx, p *trackPage, v tracking.ParcelView, t func(string) string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f0, answered, err := h.formStart(c)
		if answered {
			return err
		}
		p, id, t, allowed, wait, v := f0.p, f0.id, f0.t, f0.allowed, f0.wait, f0.v
		if h.d.Updates == nil || p.Updates == nil {
			return fiber.NewError(fiber.StatusConflict, t("upd_err_closed"))
		}
		if !allowed {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
			p.Updates.Form = readForm(c, "channel", "target", "to")
			p.Updates.Error = fmt.Sprintf(t("err_ratelimit"), max(int(wait.Round(time.Minute)/time.Minute), 1))
			c.Status(fiber.StatusTooManyRequests)
			return renderTrack(c, p)
		}
		if !csrfOK(c) {
			p.Updates.Form = readForm(c, "channel", "target", "to")
			p.Updates.Error = t("err_csrf")
			c.Status(fiber.StatusForbidden)
			return renderTrack(c, p)
		}
		h.limits.tokenPassed(c.IP())
		if err := do(c, &p, v, t); err != nil {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				c.Status(fe.Code)
				return renderTrack(c, p)
			}
			return fmt.Errorf("tracking page updates: %w", err)
		}
		h.limits.opened(id)
		h.cache.Drop(id) // the request shows on the parcel's page from now on
		return c.Redirect("/track/"+id+"#updates", fiber.StatusSeeOther)
	}
}
