package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
)

// The tracking page's forms: feedback (a case of type feedback or a customer's category) and
// delivery options (a pick-up point: delivery_change; a return: return_request). A new
// delivery day is chosen only with the day buttons (trackdays.go, package deliverydays): the
// page offers one set of days. Each opens a case in the parcel's brand with source feedback_form. The page
// has no session, so CSRF is a double-submit token: a random value in a cookie scoped to
// /track and the same value in the form.

// CaseDesk opens the cases the tracking page's forms ask for (*cases.CaseService).
type CaseDesk interface {
	Open(ctx context.Context, scope access.Scope, actor cases.Actor, in cases.CaseInput) (*cases.Case, error)
}

const (
	trackCSRFCookie = "wismo_track_csrf"
	maxFormBytes    = 16 << 10 // a form post larger than this is refused before it is read further
	maxMessageRunes = 2000
	minMessageRunes = 10
	maxNameRunes    = 100
	maxContactRunes = 254
	maxPointRunes   = 200
)

// feedbackCategories are the case types a customer may choose on the feedback form; delivery
// changes and returns have their own form.
var feedbackCategories = []cases.CaseType{cases.TypeFeedback, cases.TypeNonReceipt, cases.TypeDamage,
	cases.TypeMissingContents, cases.TypeDeliveredNotReceived, cases.TypeCustoms, cases.TypeComplaint}

// form is a form's values and its per-field errors (message keys already translated).
type form struct {
	Values map[string]string
	Errors map[string]string
}

func (f form) V(k string) string { return f.Values[k] }
func (f form) E(k string) string { return f.Errors[k] }

func (f *form) fail(field, msg string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = msg
	}
}

// readForm reads fields, trimmed and with invalid UTF-8 replaced.
func readForm(c *fiber.Ctx, fields ...string) form {
	f := form{Values: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(strings.ToValidUTF8(c.FormValue(k), "\uFFFD"))
	}
	return f
}

// checkText validates a free-text field: required, at most max runes, no control characters
// but newlines and tabs.
func (f *form) checkText(field string, min, max int, t func(string) string) {
	v := f.Values[field]
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0:
		f.fail(field, t("err_"+field))
	case n < min:
		f.fail(field, fmt.Sprintf(t("err_short"), min))
	case n > max:
		f.fail(field, fmt.Sprintf(t("err_long"), max, n))
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.fail(field, t("err_control"))
	}
}

// checkContact validates the contact field: an e-mail address, or a phone number (national
// numbers read in the parcel's destination country). It returns the case contact.
func (f *form) checkContact(country string, t func(string) string) cases.ContactInput {
	ci := cases.ContactInput{Name: f.Values["name"]}
	v := f.Values["contact"]
	switch {
	case v == "":
		f.fail("contact", t("err_contact"))
	case utf8.RuneCountInString(v) > maxContactRunes:
		f.fail("contact", fmt.Sprintf(t("err_long"), maxContactRunes, utf8.RuneCountInString(v)))
	case strings.Contains(v, "@"):
		addr, err := mail.ParseAddress(v)
		if err != nil || addr.Address != v {
			f.fail("contact", t("err_email"))
		}
		ci.Email = v
	default:
		e164, err := geo.NormalizePhone(v, country)
		if err != nil {
			f.fail("contact", t("err_phone"))
		}
		ci.Phone = e164
	}
	return ci
}

// csrfToken returns the page's double-submit token, setting the cookie when the client has
// none (or a malformed one).
func csrfToken(c *fiber.Ctx, secure bool) string {
	if v := c.Cookies(trackCSRFCookie); len(v) == 32 {
		if _, err := hex.DecodeString(v); err == nil {
			return v
		}
	}
	b := make([]byte, 16)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on Linux
	v := hex.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: trackCSRFCookie, Value: v, Path: "/track", HTTPOnly: true, Secure: secure,
		SameSite: fiber.CookieSameSiteStrictMode, Expires: time.Now().Add(12 * time.Hour)})
	return v
}

// csrfOK checks the form's token against the cookie's.
func csrfOK(c *fiber.Ctx) bool {
	want := c.Cookies(trackCSRFCookie)
	return want != "" && subtle.ConstantTimeCompare([]byte(c.FormValue("_csrf")), []byte(want)) == 1
}

// formRoutes mount the two form posts of the tracking page.
func formRoutes(app *fiber.App, h *trackHandler) {
	app.Post("/track/:id/feedback", h.post("feedback", func(c *fiber.Ctx, p *trackPage, v tracking.ParcelView) (cases.CaseInput, bool) {
		t := translator(p.Lang)
		f := readForm(c, "category", "message", "name", "contact")
		if !slices.Contains(feedbackCategories, cases.CaseType(f.V("category"))) {
			f.fail("category", t("err_category"))
		}
		f.checkText("message", minMessageRunes, maxMessageRunes, t)
		f.checkText("name", 1, maxNameRunes, t)
		contact := f.checkContact(v.DestinationCountry, t)
		p.Feedback = f
		return cases.CaseInput{Parcels: []string{v.ID}, Type: f.V("category"), Source: string(cases.SourceFeedbackForm),
			Subject: "Tracking page: " + f.V("category"), Contact: &contact, Note: f.V("message")}, f.Errors == nil
	}))
	app.Post("/track/:id/request", h.post("options", func(c *fiber.Ctx, p *trackPage, v tracking.ParcelView) (cases.CaseInput, bool) {
		t := translator(p.Lang)
		f := readForm(c, "option", "day", "point", "reason", "name", "contact")
		in := cases.CaseInput{Parcels: []string{v.ID}, Source: string(cases.SourceFeedbackForm)}
		switch f.V("option") {
		case "day": // the form's own day list is gone: a stale page's post is pointed to the buttons
			f.fail("option", t("options_day_buttons"))
		case "pickup":
			in.Type, in.Subject = string(cases.TypeDeliveryChange), "Tracking page: pick-up point"
			if !p.CanChange {
				f.fail("option", t("err_nochange"))
				break
			}
			f.checkText("point", 3, maxPointRunes, t)
			in.Note = "The customer asks to collect the parcel at a pick-up point: " + f.V("point")
		case "return":
			in.Type, in.Subject = string(cases.TypeReturn), "Tracking page: return"
			if v.Phase == tracking.PhaseReturned || v.Phase == tracking.PhaseReturning {
				f.fail("option", t("err_returning"))
				break
			}
			if n := utf8.RuneCountInString(f.V("reason")); n > maxMessageRunes {
				f.fail("reason", fmt.Sprintf(t("err_long"), maxMessageRunes, n))
			}
			in.Note = "The customer asks to return the parcel. Reason: " + f.V("reason")
		default:
			f.fail("option", t("err_option"))
		}
		f.checkText("name", 1, maxNameRunes, t)
		contact := f.checkContact(v.DestinationCountry, t)
		in.Contact = &contact
		p.Options = f
		return in, f.Errors == nil
	}))
}

// post is a form post: the size and the rate limits are checked before the parcel is read;
// then validate builds the case input (and fills in the page's form with values and errors,
// so that a refused post shows the form as it was typed), and the CSRF token is checked. A
// valid form opens a case and redirects to the page with its number. The address is charged
// for a post with a valid token, the parcel for an opened case (feedbackLimiter).
func (h *trackHandler) post(which string, validate func(c *fiber.Ctx, p *trackPage, v tracking.ParcelView) (cases.CaseInput, bool)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, id, ok := h.start(c)
		if !ok {
			return renderTrack(c, p)
		}
		t := translator(p.Lang)
		if len(c.Body()) > maxFormBytes {
			p.Error = fmt.Sprintf(t("err_toolarge"), maxFormBytes>>10)
			c.Status(fiber.StatusRequestEntityTooLarge)
			return renderTrack(c, p)
		}
		if ok, wait, byAddr := h.limits.check(c.IP(), id); !ok {
			minutes := int(wait.Round(time.Minute) / time.Minute)
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
			h.d.Log.Info("tracking page form rate-limited", "parcel", id, "ip", c.IP(), "per_ip", byAddr)
			// The parcel's page itself answers, with the form as it was typed and the notice
			// above it: the customer keeps the message and learns when to send it.
			v, ok, err := h.load(c, &p, id)
			if err != nil || !ok {
				if err == nil {
					return renderTrack(c, p)
				}
				return err
			}
			if h.d.CaseDesk != nil {
				validate(c, &p, v)
				p.Feedback.Errors, p.Options.Errors = nil, nil
			}
			p.FormError, p.Open = fmt.Sprintf(t("err_ratelimit"), max(minutes, 1)), which
			c.Status(fiber.StatusTooManyRequests)
			return renderTrack(c, p)
		}
		v, ok, err := h.load(c, &p, id)
		if err != nil || !ok {
			if err == nil {
				return renderTrack(c, p)
			}
			return err
		}
		if h.d.CaseDesk == nil {
			return fiber.NewError(fiber.StatusServiceUnavailable, "the forms are not available on this server")
		}
		in, valid := validate(c, &p, v)
		if !csrfOK(c) {
			// The cookie expired or the page came from elsewhere: show the form again with a
			// fresh token and the values kept, and say why.
			p.Feedback.Errors, p.Options.Errors = nil, nil
			p.FormError, p.Open = t("err_csrf"), which
			c.Status(fiber.StatusForbidden)
			return renderTrack(c, p)
		}
		h.limits.tokenPassed(c.IP())
		if !valid {
			p.FormError, p.Open = t("err_form"), which
			c.Status(fiber.StatusUnprocessableEntity)
			return renderTrack(c, p)
		}
		cs, err := h.d.CaseDesk.Open(c.UserContext(), access.Brands(v.BrandID), cases.Actor{Label: "customer:tracking-page"}, in)
		var ve *input.ValidationError
		if errors.As(err, &ve) {
			// The page checked every field the case tracker checks; this is a backstop.
			h.d.Log.Warn("tracking page form refused by the case tracker", "parcel", id, "err", err)
			p.FormError, p.Open = t("err_form"), which
			c.Status(fiber.StatusUnprocessableEntity)
			return renderTrack(c, p)
		}
		if err != nil {
			return fmt.Errorf("tracking page %s: %w", which, err)
		}
		h.limits.opened(id)
		h.cache.Drop(id) // the request shows on the parcel's page from now on
		return c.Redirect("/track/"+id+"?sent="+cs.Number+"#sent", fiber.StatusSeeOther)
	}
}
