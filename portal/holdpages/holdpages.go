// Package holdpages is the "Legal hold" card of the case page (a casepages.Card): the case's
// active holds with who placed them, when and why, a form to place one (the reason is
// required) and a Lift button with its reason, for supervisors and admins; the lifted holds
// below. The forms are plain HTML posts with the session's CSRF token (no script): a refused
// form answers 422 with the case page and the error beside its field; a done one redirects
// back to the case page with a notice in the card.
//
// The holds themselves are recordings/retention's (docs/recordings-storage.md): while a hold
// is active, the case's calls' recordings are kept whatever the brand's retention.
package holdpages

import (
	"context"
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/recordings/retention"
)

// Holds places, lifts and lists legal holds (retention.Service).
type Holds interface {
	Holds(ctx context.Context, brand, caseID int64) ([]retention.Hold, error)
	PlaceHold(ctx context.Context, brand, caseID int64, why, by string) (retention.Hold, error)
	LiftHold(ctx context.Context, brand, caseID, id int64, why, by string) (retention.Hold, error)
}

// Card is the case page's legal hold card.
type Card struct {
	Access *access.Service
	Cases  *cases.CaseService
	Holds  Holds
}

// formState is a refused form's error and what was typed, for the page drawn again.
type formState struct {
	Hold   int64 // 0: the place form; else the lift form of this hold
	Reason string
	Error  string
}

const stateKey = "holdpages.form"

type cardData struct {
	Number    string
	BrandID   int64
	CSRF      string
	Active    []hold
	Lifted    []hold
	Form      formState
	Alert     string // a refused lift of a hold no longer active
	Done      string
	ActionURL string
}

type hold struct {
	retention.Hold
	SetBy, LiftedBy string
}

// mayHold: supervisors and admins see and change holds, as the holds API allows.
func mayHold(p access.Principal) bool {
	return p.User != nil && (p.User.Role == access.RoleAdmin || p.User.Role == access.RoleSupervisor)
}

// Draw writes the card for supervisors and admins (nothing for others).
func (k Card) Draw(c *fiber.Ctx, v cases.CaseView) (template.HTML, error) {
	pr := access.PrincipalOf(c)
	if !mayHold(pr) {
		return "", nil
	}
	ctx := c.UserContext()
	cs, _, err := k.Cases.Case(ctx, pr.Scope, v.Number, v.BrandID)
	if err != nil {
		return "", err
	}
	list, err := k.Holds.Holds(ctx, cs.BrandID, cs.ID)
	if err != nil {
		return "", err
	}
	L := portal.PageLocale(c, portal.Deps{Access: k.Access})
	d := cardData{Number: v.Number, BrandID: v.BrandID, CSRF: portal.PageCSRF(c),
		ActionURL: "/cases/" + url.PathEscape(v.Number) + "/holds"}
	if st, ok := c.Locals(stateKey).(formState); ok {
		d.Form = st
	}
	if done := c.Query("hold"); done == "placed" || done == "lifted" {
		d.Done = L.T("holds.done." + done)
	}
	for _, h := range list {
		x := hold{Hold: h, SetBy: who(h.SetBy), LiftedBy: who(h.LiftedBy)}
		if h.LiftedAt == nil {
			d.Active = append(d.Active, x)
		} else {
			d.Lifted = append(d.Lifted, x)
		}
	}
	if d.Form.Hold != 0 && !slices.ContainsFunc(d.Active, func(h hold) bool { return h.ID == d.Form.Hold }) {
		d.Alert = d.Form.Error
	}
	return portal.RenderPart(L, "case-holds", d)
}

// who is a hold's author as the page shows them (an API principal's label).
func who(label string) string { return strings.TrimPrefix(label, "user:") }

// Routes mounts POST /cases/:number/holds and POST /cases/:number/holds/:hold/lift.
func (k Card) Routes(r fiber.Router, page fiber.Handler) {
	guard := portal.RequirePage(portal.Deps{Access: k.Access}, access.RoleSupervisor)
	r.Post("/cases/:number/holds", guard, func(c *fiber.Ctx) error { return k.post(c, page, 0) })
	r.Post("/cases/:number/holds/:hold<int>/lift", guard, func(c *fiber.Ctx) error {
		id, _ := strconv.ParseInt(c.Params("hold"), 10, 64)
		return k.post(c, page, id)
	})
}

// post places a hold (id 0) or lifts hold id, then goes back to the case page.
func (k Card) post(c *fiber.Ctx, page fiber.Handler, id int64) error {
	ctx := c.UserContext()
	pr := access.PrincipalOf(c)
	number := c.Params("number")
	brand, _ := strconv.ParseInt(c.FormValue("brand"), 10, 64)
	L := portal.PageLocale(c, portal.Deps{Access: k.Access})
	cs, _, err := k.Cases.Case(ctx, pr.Scope, number, max(brand, 0))
	if errors.Is(err, cases.ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, L.T("cases.notfound", "number", number))
	}
	if err != nil {
		return err
	}
	why, done := c.FormValue("reason"), "placed"
	if id == 0 {
		_, err = k.Holds.PlaceHold(ctx, cs.BrandID, cs.ID, why, pr.Label)
	} else {
		_, err = k.Holds.LiftHold(ctx, cs.BrandID, cs.ID, id, why, pr.Label)
		done = "lifted"
	}
	st := formState{Hold: id, Reason: why}
	switch {
	case err == nil:
		q := url.Values{"hold": {done}, "brand": {strconv.FormatInt(cs.BrandID, 10)}}
		return c.Redirect("/cases/"+url.PathEscape(number)+"?"+q.Encode(), fiber.StatusSeeOther)
	case errors.Is(err, input.ErrInvalid):
		st.Error = L.T("holds.err.reason")
		if strings.TrimSpace(why) != "" { // too long or not text: the rule's own words
			st.Error = err.Error()
		}
		c.Status(fiber.StatusUnprocessableEntity)
	case errors.Is(err, retention.ErrLifted):
		st.Error = L.T("holds.err.lifted")
		c.Status(fiber.StatusConflict)
	case errors.Is(err, retention.ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, "no such hold")
	default:
		return err
	}
	c.Locals(stateKey, st)
	return page(c)
}
