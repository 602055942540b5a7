// Package callpages is the call page at /calls/{id}: one call of the caller's brands with
// its legs in order (who, when it rang, was answered and ended, how), its transfers (who to
// whom, blind or attended, how they ended), the recording's player with its talk strip, and
// the cases it is linked to. Other domains add sections (monitoring sessions, reviews,
// transcripts) with Options.Sections; each draws its own HTML for the call.
//
// The page uses the portal's frame (portal.RequirePage, portal.RenderPage) and its template
// portal/templates/call.html; another brand's call is a 404, as if it did not exist.
package callpages

import (
	"context"
	"errors"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/portal"
)

// Section draws one more part of the call page for call (empty HTML: nothing to show) for the
// viewer (their scope and role) in their language.
type Section func(ctx context.Context, viewer access.Principal, L i18n.Locale, call callcenter.Call) (template.HTML, error)

// Transfers lists a call's transfers within scope (transfer.Service).
type Transfers interface {
	List(ctx context.Context, scope access.Scope, callID int64) ([]transfer.Transfer, error)
}

// CaseLinks lists the numbers of the cases a call is linked to (deskcase.Service).
type CaseLinks interface {
	Linked(ctx context.Context, scope access.Scope, id int64) ([]string, error)
}

// Options are the services the page reads.
type Options struct {
	Access    *access.Service
	Calls     *callcenter.CallLog
	Transfers Transfers // nil: no transfers section
	Cases     CaseLinks // nil: no cases section
	Sections  []Section // more sections, drawn in order after the built-in ones
}

// Routes mounts GET /calls/:id on r (serve passes it to portal.Deps.Routes).
func Routes(r fiber.Router, o Options) {
	p := &pages{o: o, page: portal.Deps{Access: o.Access}}
	r.Get("/calls/:id<int>", portal.RequirePage(p.page, access.RoleAgent, access.RoleSupervisor, access.RoleBrandManager), p.show)
}

type pages struct {
	o    Options
	page portal.Deps
}

// callPage is the page's data.
type callPage struct {
	Call      callcenter.Call
	BrandName string
	Agent     string
	Legs      []leg
	Transfers []move
	Disp      string // the disposition in the viewer's language
	AudioURL  string
	TalkURL   string
	Cases     []caseLink
	Sections  []template.HTML
}

type leg struct {
	callcenter.Leg
	Who string // the agent's email, the number, or "customer"
}

type move struct {
	transfer.Transfer
	From, To string
}

type caseLink struct{ Number, URL string }

func (p *pages) show(c *fiber.Ctx) error {
	ctx := c.UserContext()
	viewer := access.PrincipalOf(c)
	scope := viewer.Scope
	L := portal.PageLocale(c, p.page)
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	call, err := p.o.Calls.Get(ctx, scope, id)
	if errors.Is(err, callcenter.ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, L.T("callpage.notfound", "id", strconv.FormatInt(id, 10)))
	}
	if err != nil {
		return err
	}
	d := callPage{Call: call}
	people := map[int64]string{}
	if call.BrandID != 0 {
		if b, err := p.o.Access.Brand(ctx, call.BrandID); err == nil {
			d.BrandName = b.Name
		}
		staff, err := p.o.Access.BrandStaff(ctx, scope, call.BrandID)
		if err != nil {
			return err
		}
		for _, s := range staff {
			people[s.ID] = s.Email
		}
	}
	name := func(id int64) string {
		if n := people[id]; n != "" {
			return n
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	if call.AgentID != 0 {
		d.Agent = name(call.AgentID)
	}
	for _, g := range call.Legs {
		who := g.To
		switch {
		case g.Kind == callcenter.LegAgent && g.AgentID != 0:
			who = name(g.AgentID)
		case g.Kind == callcenter.LegCustomer && call.Direction == callcenter.Inbound:
			who = g.From
		}
		d.Legs = append(d.Legs, leg{Leg: g, Who: who})
	}
	if p.o.Transfers != nil {
		ts, err := p.o.Transfers.List(ctx, scope, call.ID)
		if err != nil {
			return err
		}
		for _, t := range ts {
			m := move{Transfer: t, From: name(t.FromAgentID), To: t.ToNumber}
			if t.ToAgentID != 0 {
				m.To = name(t.ToAgentID)
			}
			d.Transfers = append(d.Transfers, m)
		}
	}
	d.Disp = disposition(L, call.Disposition)
	if call.RecordingID != 0 {
		rec := strconv.FormatInt(call.RecordingID, 10)
		d.AudioURL = "/api/v1/recordings/" + rec + "/audio"
		d.TalkURL = "/api/v1/calls/" + strconv.FormatInt(call.ID, 10) + "/talk.svg?recording=" + rec
	}
	if p.o.Cases != nil {
		numbers, err := p.o.Cases.Linked(ctx, scope, call.ID)
		if err != nil {
			return err
		}
		for _, n := range numbers {
			d.Cases = append(d.Cases, caseLink{Number: n, URL: portal.CaseURL(n, call.BrandID)})
		}
	}
	for _, s := range p.o.Sections {
		h, err := s(ctx, viewer, L, call)
		if err != nil {
			return err
		}
		if h != "" {
			d.Sections = append(d.Sections, h)
		}
	}
	return portal.RenderPage(c, p.page, "call.html", L.T("callpage.title", "id", strconv.FormatInt(call.ID, 10)), d)
}
