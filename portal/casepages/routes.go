// Package casepages is the agents' case workspace in the browser: the case views at /cases
// (My open, Unassigned, Due soon, Breached, Waiting for partner post, All open, Closed) with
// filters, sorts, capped counts and keyset paging, and the case page at /cases/{number}: the
// case, its parcel, one timeline of everything about them, and the actions as plain HTML
// forms (POST with the session's CSRF token, then a redirect back with a message).
//
// Every form carries the case's version: a form posted on an older version than the stored
// one is refused with 409 and the case as it is now, in the viewer's language (never a lost
// update). A merged duplicate's number redirects to the case it was merged into.
//
// The pages use the portal's frame (portal.RequirePage, portal.RenderPage) and its templates
// (portal/templates/cases.html, case.html); the package is apart from portal because cases'
// tests build the portal.
package casepages

import (
	"context"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/macros"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/tracking"
)

// Replier sends a reply to a case's customer through the dialer's channels (package
// conversation); nil hides the reply form.
type Replier interface {
	Reply(ctx context.Context, scope access.Scope, actor cases.Actor, c *cases.Case, channel string, templateID int64) error
	ReplyTemplates(ctx context.Context, brand int64) ([]conversation.Template, error)
}

// Options are the services the pages work with.
type Options struct {
	Access   *access.Service
	Cases    *cases.CaseService
	Tracking *tracking.Service
	Replier  Replier
	// Macros are the brands' one-click action sets (nil: no macros).
	Macros *macros.Service
	// Transcripts show under recorded calls (nil: none).
	Transcripts Transcripts
	// Cards are other domains' cards beside the actions (legal holds: portal/holdpages).
	Cards []Card
}

// Card is another domain's card on the case page: Draw writes it for the request and the
// case (empty: nothing for this viewer); Routes mounts its forms, whose handlers answer a
// refused form with page (the case page, drawn with the status they set).
type Card interface {
	Draw(c *fiber.Ctx, v cases.CaseView) (template.HTML, error)
	Routes(r fiber.Router, page fiber.Handler)
}

type pages struct {
	o      Options
	page   portal.Deps
	counts *countCache // the view tabs' numbers, per viewer, for a few seconds
}

// Routes mounts the case pages on r (serve passes them to portal.Deps.Routes).
func Routes(r fiber.Router, o Options) {
	p := &pages{o: o, page: portal.Deps{Access: o.Access}, counts: newCountCache()}
	agents := portal.RequirePage(p.page, access.RoleAgent, access.RoleSupervisor)
	managers := portal.RequirePage(p.page, access.RoleBrandManager)
	if o.Macros != nil { // before /cases/:number
		r.Get("/cases/macros", managers, p.macroList)
		r.Post("/cases/macros", managers, p.macroSave)
		r.Post("/cases/macros/:id<int>/delete", managers, p.macroDelete)
		r.Post("/cases/macros/codes", managers, p.codeAdd)
	}
	for _, k := range o.Cards {
		k.Routes(r, p.show)
	}
	r.Get("/cases", agents, p.list)
	r.Get("/cases/:number", agents, p.show)
	for action, h := range map[string]fiber.Handler{"assign": p.assign, "update": p.update, "note": p.note, "escalate": p.escalate,
		"link": p.link, "merge": p.merge, "reply": p.reply, "macro": p.macro} {
		r.Post("/cases/:number/"+action, agents, h)
	}
}

// brandOf reads ?brand= (or the form's brand): which brand's case when numbers coincide.
func brandOf(c *fiber.Ctx) int64 {
	v := c.FormValue("brand")
	if v == "" {
		v = c.Query("brand")
	}
	id, _ := strconv.ParseInt(v, 10, 64)
	return max(id, 0)
}

// act runs a change posted by a case page form: the form's version guards it. Success
// redirects to the case page with a message; a stale form answers 409 with the case as it is
// now; a refused change answers with the case and the reason.
func (p *pages) act(c *fiber.Ctx, done string, do func(ctx context.Context, sc access.Scope, actor cases.Actor, number string, brand int64) error) error {
	ctx := c.UserContext()
	if v, err := strconv.ParseInt(c.FormValue("version"), 10, 64); err == nil && v > 0 {
		ctx = cases.IfVersion(ctx, v)
	}
	pr := access.PrincipalOf(c)
	number, brand := c.Params("number"), brandOf(c)
	err := do(ctx, pr.Scope, cases.ActorOf(pr), number, brand)
	L := p.locale(c)
	var ve *input.ValidationError
	switch {
	case err == nil:
		p.counts.changed()
		q := url.Values{"done": {done}}
		if brand > 0 {
			q.Set("brand", strconv.FormatInt(brand, 10))
		}
		return c.Redirect("/cases/"+url.PathEscape(number)+"?"+q.Encode(), fiber.StatusSeeOther)
	case errors.Is(err, cases.ErrStale):
		c.Status(fiber.StatusConflict)
		return p.render(c, number, brand, "", L.T("cases.flash.stale"))
	case errors.Is(err, cases.ErrNotFound) && !errors.As(err, &ve):
		return fiber.NewError(fiber.StatusNotFound, L.T("cases.notfound", "number", number))
	case errors.As(err, &ve), errors.Is(err, cases.ErrBadTransition), errors.Is(err, cases.ErrNoPartner):
		c.Status(fiber.StatusUnprocessableEntity)
		if errors.Is(err, cases.ErrBadTransition) {
			c.Status(fiber.StatusConflict)
		}
		return p.render(c, number, brand, "", L.T("cases.flash.refused", "reason", reason(err)))
	}
	return err
}

// reason is a refused change's explanation without the operation's prefixes.
func reason(err error) string {
	var ve *input.ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	s := err.Error()
	if i := strings.LastIndex(s, "case "); i > 0 {
		if j := strings.Index(s[i:], ": "); j > 0 {
			return s[i+j+2:]
		}
	}
	return s
}

func (p *pages) assign(c *fiber.Ctx) error {
	return p.act(c, "assigned", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		var id int64
		switch v := c.FormValue("assignee"); v {
		case "me":
			id = a.UserID
		case "", "none":
		default:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return input.Invalid(input.Errorf("assignee", "pick an agent"))
			}
			id = n
		}
		_, err := p.o.Cases.Update(ctx, sc, a, number, brand, cases.CasePatch{AssigneeID: &id})
		return err
	})
}

func (p *pages) update(c *fiber.Ctx) error {
	return p.act(c, "updated", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		var patch cases.CasePatch
		set := func(name string) *string {
			if v := strings.TrimSpace(c.FormValue(name)); v != "" {
				return &v
			}
			return nil
		}
		patch.Type, patch.Priority, patch.Status, patch.ResolutionCode = set("type"), set("priority"), set("status"), set("resolution_code")
		if patch.Status != nil && *patch.Status == string(cases.StatusClosed) {
			// Closing from the page with a resolution: resolve, then close, in one version step.
			return p.close(ctx, sc, a, number, brand, patch)
		}
		_, err := p.o.Cases.Update(ctx, sc, a, number, brand, patch)
		return err
	})
}

// close resolves (with the code) and closes a case.
func (p *pages) close(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64, patch cases.CasePatch) error {
	resolved := string(cases.StatusResolved)
	cur, _, err := p.o.Cases.Case(ctx, sc, number, brand)
	if err != nil {
		return err
	}
	if cur.Status != cases.StatusResolved {
		patch.Status = &resolved
		c, err := p.o.Cases.Update(ctx, sc, a, number, brand, patch)
		if err != nil {
			return err
		}
		ctx = cases.IfVersion(ctx, c.Version)
	} else if patch.ResolutionCode != nil {
		return input.Invalid(input.Errorf("resolution_code", "the case is resolved already"))
	}
	closed := string(cases.StatusClosed)
	_, err = p.o.Cases.Update(ctx, sc, a, number, brand, cases.CasePatch{Status: &closed})
	return err
}

func (p *pages) note(c *fiber.Ctx) error {
	return p.act(c, "noted", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		_, err := p.o.Cases.AddNote(ctx, sc, a, number, brand, c.FormValue("text"))
		return err
	})
}

func (p *pages) escalate(c *fiber.Ctx) error {
	return p.act(c, "escalated", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		_, err := p.o.Cases.Escalate(ctx, sc, a, number, brand, c.FormValue("to"), c.FormValue("message"))
		return err
	})
}

func (p *pages) link(c *fiber.Ctx) error {
	return p.act(c, "linked", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		_, err := p.o.Cases.Update(ctx, sc, a, number, brand, cases.CasePatch{AddParcels: []string{c.FormValue("parcel")}})
		return err
	})
}

func (p *pages) merge(c *fiber.Ctx) error {
	return p.act(c, "merged", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		_, err := p.o.Cases.Merge(ctx, sc, a, number, brand, c.FormValue("into"))
		return err
	})
}

func (p *pages) reply(c *fiber.Ctx) error {
	if p.o.Replier == nil {
		return fiber.NewError(fiber.StatusNotFound, "replies are not set up on this server")
	}
	return p.act(c, "replied", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		tpl, _ := strconv.ParseInt(c.FormValue("template"), 10, 64)
		cs, _, err := p.o.Cases.Case(ctx, sc, number, brand)
		if err != nil {
			return err
		}
		return p.o.Replier.Reply(ctx, sc, a, cs, c.FormValue("channel"), tpl)
	})
}

func (p *pages) macro(c *fiber.Ctx) error {
	if p.o.Macros == nil {
		return fiber.NewError(fiber.StatusNotFound, "macros are not set up on this server")
	}
	return p.act(c, "macro", func(ctx context.Context, sc access.Scope, a cases.Actor, number string, brand int64) error {
		id, _ := strconv.ParseInt(c.FormValue("macro"), 10, 64)
		_, err := p.o.Macros.Apply(ctx, sc, a, number, brand, id)
		return err
	})
}

// locale is the viewer's locale.
func (p *pages) locale(c *fiber.Ctx) i18n.Locale { return portal.PageLocale(c, p.page) }
